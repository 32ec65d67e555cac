"""One connection's world: its panel, receive log and composer, its capture and its session.

The app shows one of these per tab. Everything that belongs to a connection lives here, so tabs
never share bytes, state or threads; closing the tab shuts the connection and frees the capture.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import replace

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input

from tcptui.capture.export import ExportFormat, SaveError
from tcptui.capture.live_save import LiveSaver
from tcptui.capture.session_file import SessionMeta
from tcptui.capture.store import Capture, Direction
from tcptui.clipboard import copy_bytes_as_text
from tcptui.codec.composer_syntax import Syntax, escape_for_composer
from tcptui.codec.errors import CodecError
from tcptui.codec.formats import CopyFormat, format_bytes
from tcptui.codec.safe_text import safe_label
from tcptui.codec.words import counted
from tcptui.launch_config import LaunchConfig
from tcptui.net.events import Closed, EndReason
from tcptui.net.file_upload import FileUpload, UploadError
from tcptui.net.listen_clients import ListenClient
from tcptui.net.session import Session, SessionError, SessionState
from tcptui.net.target import Family, Target
from tcptui.ui.automation import ANSWER_BYTES, Automation, SequenceBar
from tcptui.ui.composer import Composer, encode_message
from tcptui.ui.connection_panel import ConnectionPanel, human_bytes
from tcptui.ui.connection_summary import ConnectionSummary, SummaryFacts, shows_full_panel
from tcptui.ui.copy_screen import CopyRequest, CopyScope, CopyScreen
from tcptui.ui.copying import CLIPBOARD_TEXT_CAP, NothingToCopy, bytes_to_copy, default_scope
from tcptui.ui.key_hints import key_for, key_hints
from tcptui.ui.messages import DataAvailable, EventBridge, SessionEvent
from tcptui.ui.prompt_screen import PromptScreen
from tcptui.ui.receive_log import ReceiveLog
from tcptui.ui.repeat_spec import parse_repeat
from tcptui.ui.retry_policy import RetryPolicy
from tcptui.ui.save_screen import SAVED_AS, SESSION, SaveResult, SaveScreen, SessionFacts
from tcptui.ui.session_commands import session_commands
from tcptui.ui.snippet_screens import (
    SNIPPET_KEY_COUNT,
    SaveSnippetScreen,
    SnippetPickerScreen,
    snippet_keys,
)
from tcptui.ui.transcript_view import EMPTY_HINT, TranscriptView
from tcptui.user_files.paths import snippets_path
from tcptui.user_files.snippets import Snippet, SnippetFileError, load_snippets, save_snippet

QUIET_ENDINGS = {EndReason.CLOSED_BY_US, EndReason.PEER_CLOSED}
FLOOD_TAKE_BYTES = 256 * 1024
"""A take of new bytes into the log this big means a flood: the next take waits (below).
Smaller takes (typing, replies, banners) are shown as soon as they arrive."""
DATA_REFRESH_INTERVAL = 0.25
"""Least seconds between two takes under a flood: the log repaints at most four times a second,
and less when a repaint is slow (a big terminal): see DATA_REFRESH_SHARE. Keys still repaint at
once. At ten a second, the UI thread's share made a 1 GiB ingest 12% slower (measured)."""
DATA_REFRESH_SHARE = 0.1
"""Under a flood, the share of the UI thread's time that showing new bytes may take. The rest
stays free for keys and for the I/O thread, which needs the GIL to keep up with the network."""
DATA_REFRESH_LONGEST = 0.5
"""Most seconds between two takes under a flood: the log shows new bytes at least twice a
second. A take's cost is measured up to its frame, and the first frame of a connection also
lays out the whole screen (70 ms in tmux): by its share alone, the next take came 0.7 s later."""

KEEPS_EVERY_BYTE = {SAVED_AS[SESSION], SAVED_AS[ExportFormat.PCAP.name]}
"""Saves that hold both directions' bytes: after one, closing the tab loses nothing."""


def take_spacing(taken: int, cost: float) -> float:
    """Seconds from a take of `taken` new bytes that cost `cost` seconds to the next take."""
    if taken < FLOOD_TAKE_BYTES:
        return 0.0
    return min(DATA_REFRESH_LONGEST, max(DATA_REFRESH_INTERVAL, cost / DATA_REFRESH_SHARE))


LIVE_ACTIONS = frozenset(
    {
        "connect",
        "disconnect",
        "half_close",
        "start_tls",
        "cycle_line_ending",
        "cycle_syntax",
        "toggle_multiline",
        "send",
        "repeat",
        "send_file",
        "send_snippet",
        "pick_snippet",
        "save_snippet",
        "resend_chunk",
        "edit_chunk",
        "history_search",
        "answer_chunk",
        "ask_rule",
        "ask_run",
    }
)
"""What a tab of a saved session (--open) does not offer: it has no connection or composer."""

STATE_DOTS = {
    SessionState.IDLE: "○",
    SessionState.CONNECTING: "◐",
    SessionState.OPEN: "●",
    SessionState.HALF_CLOSED: "◑",
    SessionState.CLOSED: "■",
}


class SessionView(Vertical):
    """A connection panel, a receive log and a composer around one capture and one session."""

    DEFAULT_CSS = """
    SessionView { height: 1fr; }
    SessionView .session-main { height: 1fr; }
    """

    BINDINGS = [
        Binding("f2", "connect", "Connect", id="session.connect"),
        Binding("f3", "disconnect", "Disconnect", id="session.disconnect"),
        Binding("ctrl+d", "half_close", "Send EOF", id="session.half_close", priority=True),
        Binding("f4", "cycle_line_ending", "Line ending", id="composer.line_ending"),
        Binding("f5", "cycle_view", "View", id="log.cycle_view"),
        Binding("ctrl+l", "toggle_panel", "Panel", id="session.toggle_panel", show=False),
        Binding("ctrl+f", "follow", "Follow tail", id="log.follow_tail", priority=True, show=False),
        Binding("f6", "copy_as", "Copy as…", id="capture.copy_as"),
        Binding("ctrl+s", "save", "Save/Export", id="capture.save", priority=True),
        Binding("f7", "cycle_syntax", "Syntax", id="composer.syntax", show=False),
        Binding("f8", "toggle_multiline", "Multi-line", id="composer.multiline", show=False),
        Binding("f9", "send", "Send", show=False, id="composer.send", priority=True),
        Binding("ctrl+t", "repeat", "Repeat", show=False, id="composer.repeat", priority=True),
        Binding(
            "ctrl+g", "start_tls", "STARTTLS", show=False, id="session.start_tls", priority=True
        ),
        Binding(
            "ctrl+o", "send_file", "Send file", show=False, id="composer.send_file", priority=True
        ),
        *[
            Binding(
                snippet_keys(index),
                f"send_snippet({index})",
                f"Snippet {index + 1}",
                show=False,
                id=f"snippets.send_{index + 1}",
            )
            for index in range(SNIPPET_KEY_COUNT)
        ],
    ]

    class TargetUsed(Message):
        """A connection to `target` is starting: the app keeps a list of recent targets."""

        def __init__(self, target: Target) -> None:
            super().__init__()
            self.target = target

    class TitleChanged(Message):
        """The tab label should change (state, target, unseen data)."""

        def __init__(self, view: SessionView) -> None:
            super().__init__()
            self.view = view

    def __init__(
        self,
        config: LaunchConfig,
        capture: Capture | None = None,
        *,
        target: Target | None = None,
        opened_meta: SessionMeta | None = None,
        live_saver: LiveSaver | None = None,
        client: ListenClient | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
    ) -> None:
        super().__init__(id=id, classes="session-view")
        self.config = config
        self.capture = Capture() if capture is None else capture
        self.session_facts = SessionFacts()
        self.opened_meta = opened_meta
        self.live_saver = live_saver
        self.session: Session | None = None
        self.connection_id = 0
        self.connections_made = 0
        self._bridge: EventBridge | None = None
        self._target = target
        self.copy_format = config.settings.copy_format
        self._repeat_timer: Timer | None = None
        self.retry = RetryPolicy(config.retry, config.forever)
        self._retry_timer: Timer | None = None
        self.unread = False
        self.last_end: EndReason | None = None
        self.listen_client = client
        """Listen mode: the accepted client this tab shows (its session runs already)."""
        self.upload: FileUpload | None = None
        self._upload_timer: Timer | None = None
        self._next_data_take = 0.0
        self._bytes_taken = self.capture.total_bytes
        self._data_timer: Timer | None = None
        self.saved_through = self.capture.total_bytes if opened_meta is not None else 0
        """Bytes of the capture a save (or the opened file) holds."""
        self._panel_choice: bool | None = None
        """ctrl+l's choice: the full panel shown or not, whatever the width; None: by width."""
        self.automation = Automation(self, config.responders)
        if target is not None:
            self.automation.run_when_connected(config.sequence)

    # -- building ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        if self.listen_client is not None and self.session is None:
            self._adopt(self.listen_client)
        elif self.opened_meta is None and self._target is not None and self.session is None:
            # Connect while the widgets are built: resolving, the handshake and the first
            # bytes overlap the building. The events wait in this view's queue till mounted.
            self._open_session(self._target, self.config.options.family)
        yield ConnectionSummary(self.summary_facts)
        with Horizontal(classes="session-main"):
            yield ConnectionPanel(self.capture, self._target, self.config.options.family)
            settings = self.config.settings
            yield ReceiveLog(self.capture, settings.view, settings.timestamps, settings.ascii_only)
        yield SequenceBar()
        yield Composer(self.config.line_ending, history_size=self.config.settings.history_size)

    def on_mount(self) -> None:
        self._fit_panel(self.app.size.width)
        self.composer.syntax = self.config.settings.syntax
        self.composer.set_encoding(self.config.encoding)  # checked by load_settings already
        self.receive_log.set_encoding(self.composer.encoding)
        self.receive_log.set_empty_hint(self._empty_hint())
        if self.opened_meta is not None:
            self.panel.show_saved(self.opened_meta, self.capture)
            self.composer.display = False  # a saved session sends nothing
            self.receive_log.refresh_data()
        elif self._target is not None:
            self._show_connecting(self._target, announce=self.listen_client is None)
            if self.capture.total_bytes:
                self._schedule_take()  # what arrived while the widgets were built

    def on_unmount(self) -> None:
        """The tab is gone (closed, or the app ended): its spool file goes now, not when the
        widgets, cyclic garbage, are collected (a 1 GiB spool outlived a headless run)."""
        self.shut_down()
        self.capture.close()

    def shut_down(self) -> None:
        """Close the connection and stop showing new bytes; safe to call twice."""
        self.connection_id += 1  # whatever the I/O thread posts from now on is ignored
        self._bridge = None  # and takes left for later (timer, after-refresh) do nothing
        if self._data_timer is not None:
            self._data_timer.stop()
            self._data_timer = None
        self.retry.stop()
        self.automation.stop()
        if self.session is not None:
            self.session.close()
        if self.live_saver is not None:
            self._catch_up_live_save()
            with contextlib.suppress(SaveError):
                self.live_saver.close()
            self.live_saver = None

    @property
    def title(self) -> str:
        """The tab's label: a state dot, the target, and a marker for unseen data."""
        return f"{self._state_dot()} {self._peer()}{' •' if self.unread else ''}"

    def _state_dot(self) -> str:
        if self.opened_meta is not None:
            return "▤"
        state = self.session.state if self.session is not None else SessionState.IDLE
        failed = self.last_end is not None and self.last_end not in QUIET_ENDINGS
        return "✖" if failed and state is SessionState.CLOSED else STATE_DOTS[state]

    def _peer(self) -> str:
        if self.opened_meta is not None:
            return safe_label(self.opened_meta.target or "saved session")
        return safe_label(str(self._target)) if self._target is not None else "new connection"

    def summary_facts(self) -> SummaryFacts:
        """What the one-line summary shows in place of the panel."""
        return SummaryFacts(
            self._state_dot(),
            self._peer(),
            self.capture.stream_bytes(Direction.RECEIVED),
            self.capture.stream_bytes(Direction.SENT),
            self.panel.age(),
        )

    def _retitle(self) -> None:
        self.post_message(self.TitleChanged(self))
        self.receive_log.set_empty_hint(self._empty_hint())

    def _empty_hint(self) -> str:
        """What an empty log says: a key to connect only where there is one to press."""
        if self.opened_meta is not None:
            return "This session file holds no bytes."
        if self.is_connected or self.accepted_client:
            return EMPTY_HINT
        return f"{EMPTY_HINT[:-1]}; {key_for(self, 'session.connect')} connects."

    @property
    def accepted_client(self) -> bool:
        """A client --listen accepted: there is nothing to connect to again."""
        return self.listen_client is not None

    @property
    def panel(self) -> ConnectionPanel:
        return self.query_one(ConnectionPanel)

    @property
    def receive_log(self) -> ReceiveLog:
        return self.query_one(ReceiveLog)

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    @property
    def is_connected(self) -> bool:
        return self.session is not None and self.session.state in (
            SessionState.CONNECTING,
            SessionState.OPEN,
            SessionState.HALF_CLOSED,
        )

    # -- the connection ----------------------------------------------------------------------

    def connect(
        self,
        target: Target,
        family: Family,
        *,
        from_retry: bool = False,
    ) -> None:
        """Close any current connection and open a new one to `target`."""
        if not from_retry:
            self.retry.reset()
            self.panel.show_retry("")
        self._open_session(target, family)
        self._show_connecting(target, announce=True)

    def _adopt(self, client: ListenClient) -> None:
        """Listen mode: show a client the listener already serves, the events it missed first."""
        self.connection_id += 1
        self._target = client.target
        self._bridge = EventBridge(self, self.connection_id)
        self.session = client.session
        self.session_facts = SessionFacts(str(client.target))
        self.connections_made += 1
        client.attach(self.automation.adopt(client.responders, client.session, self._bridge))

    def _open_session(self, target: Target, family: Family) -> None:
        """Start the I/O thread; its events are shown once this view handles messages."""
        if self.session is not None:
            self.session.close()
        self.connection_id += 1
        self._target = target
        options = replace(self.config.options, family=family)
        self._bridge = EventBridge(self, self.connection_id)
        on_event = self.automation.tap(self._bridge)
        self.session = Session(target, self.capture, on_event, options)
        self.automation.started(self.session)
        self.session_facts = SessionFacts(str(target))
        if self.capture.total_bytes:
            self.capture.add_note(f"⟲ connection {self.connections_made + 1} to {target}")
        self.connections_made += 1
        self.session.start()

    def _show_connecting(self, target: Target, *, announce: bool) -> None:
        """Before any of the new connection's events is shown: they arrive as messages."""
        self.panel.reset(target, accepted=self.accepted_client)
        self._fit_panel()
        if announce:
            self.post_message(self.TargetUsed(target))
        self._retitle()

    @on(ConnectionPanel.ConnectRequested)
    def _connect_requested(self, event: ConnectionPanel.ConnectRequested) -> None:
        self.connect(event.target, event.family)
        self.composer.focus_entry()

    @on(ConnectionPanel.DisconnectRequested)
    def _disconnect_requested(self) -> None:
        self.action_disconnect()

    def on_session_event(self, message: SessionEvent) -> None:
        if message.connection_id != self.connection_id or self.session is None:
            return
        event = message.event
        self.session_facts.observe(event)
        if isinstance(event, Closed):
            self.last_end = event.reason
        self.panel.show_event(event)
        self._retitle()
        self.automation.connected()
        if isinstance(event, Closed):
            self.receive_log.refresh_data()
            self._catch_up_live_save()
            self.panel.update_stats()
            if event.reason not in QUIET_ENDINGS:
                self.notify(event.sentence(), title="Connection ended", severity="error")
            self._maybe_retry(event)

    def on_sequence_bar_progressed(self, message: SequenceBar.Progressed) -> None:
        self.automation.progressed(message)

    def on_data_available(self, message: DataAvailable) -> None:
        if message.connection_id != self.connection_id or self._bridge is None:
            return
        self._schedule_take()

    def _schedule_take(self) -> None:
        if self._data_timer is not None or self._bridge is None:
            return
        wait = self._next_data_take - time.monotonic()
        if wait > 0:
            self._data_timer = self.set_timer(wait, self._timed_take)
        else:
            self._take_data()

    def _timed_take(self) -> None:
        """The wait is over, unless the last take's cost has lengthened it meanwhile."""
        self._data_timer = None
        self._schedule_take()

    def _take_data(self) -> None:
        """Show what arrived. Until this runs the bridge posts nothing more (it coalesces)."""
        if self._bridge is None:
            return
        started = time.monotonic()
        taken = self.capture.total_bytes - self._bytes_taken
        self._bytes_taken += taken
        self._next_data_take = started + take_spacing(taken, 0.0)
        if taken >= FLOOD_TAKE_BYTES:
            self.call_after_refresh(self._data_shown, started, taken)
        self._bridge.data_taken()
        if self.receive_log.refresh_data(catch_up=False):
            self.call_after_refresh(self._schedule_take)  # the rest, at the pace of takes
        self._catch_up_live_save()
        if not self.unread and not self.has_focus_within:
            self.unread = True
            self._retitle()

    def _data_shown(self, started: float, taken: int) -> None:
        """Space the next take by what this one cost, measured up to its frame being drawn."""
        self._next_data_take = started + take_spacing(taken, time.monotonic() - started)

    def _catch_up_live_save(self) -> None:
        """--save: append what arrived to the file, flushed, so others can read it live."""
        if self.live_saver is None:
            return
        try:
            self.live_saver.catch_up()
        except SaveError as exc:
            self.live_saver = None
            self.notify(f"{exc} Live saving (--save) stopped.", title="Save", severity="error")

    @on(Composer.Submitted)
    def _send(self, message: Composer.Submitted) -> None:
        if self.send_bytes(message.data):
            self.composer.accept_sent(message.entry)
        else:
            self.composer.give_back(message.text)

    def _not_connected(self) -> str:
        if self.accepted_client:
            return "Not connected: the client has gone; it can connect again to the listener."
        return (
            f"Not connected: fill in host and port, then press {key_for(self, 'session.connect')}."
        )

    def send_bytes(self, data: bytes) -> bool:
        """Queue `data` on the connection, or say in the composer why it cannot go."""
        if self.session is None:
            self.composer.show_error(self._not_connected())
            return False
        if not data:
            self.composer.show_error(
                "Nothing to send: the message is empty and adds no line ending "
                f"({key_for(self, 'composer.line_ending')} changes it for text)."
            )
            return False
        try:
            self.session.send(data)
        except SessionError as exc:
            again = (
                ""
                if self.accepted_client
                else f" Press {key_for(self, 'session.connect')} to connect again."
            )
            self.composer.show_error(f"{str(exc).capitalize()}.{again}")
            self.stop_repeat()
            return False
        return True

    # -- actions -----------------------------------------------------------------------------

    def action_connect(self) -> None:
        target = self.panel.read_target()
        if target is not None:
            self.connect(target, self.panel.family)

    def action_disconnect(self) -> None:
        if self.retry.pending:
            self.retry.stop()
            self.panel.show_retry("")
            self.notify("Reconnecting stopped.")
        elif self.is_connected and self.session is not None:
            self.session.close()
        else:
            self.notify("Not connected.", severity="warning")

    def _maybe_retry(self, event: Closed) -> None:
        """socat's retry/forever: after a failure, try again with a growing delay."""
        if event.reason is EndReason.CLOSED_BY_US or self._target is None or self.accepted_client:
            return  # an accepted client's address is its ephemeral port: nothing to dial
        delay = self.retry.next_delay()
        if delay is None:
            if self.retry.enabled:
                self.panel.show_retry(self.retry.used_up(event.failed_step is None))
            return
        target, family = self._target, self.panel.family
        stop = key_for(self, "session.disconnect")
        self.panel.show_retry(
            f"reconnecting in {delay:g} s ({self.retry.describe()}) · {stop} stops"
        )
        self.retry.timer = self.set_timer(delay, lambda: self._retry_now(target, family))

    def _retry_now(self, target: Target, family: Family) -> None:
        self.retry.timer = None
        self.panel.show_retry(f"reconnecting ({self.retry.describe()})")
        self.connect(target, family, from_retry=True)

    def action_start_tls(self) -> None:
        """STARTTLS: upgrade this plain connection to TLS now, with the command-line options."""
        if self.session is None:
            self.composer.show_error("Not connected: nothing to upgrade to TLS.")
            return
        try:
            self.session.start_tls()
        except SessionError as exc:
            self.composer.show_error(f"{str(exc).capitalize()}.")
            return
        self.notify("Upgrading to TLS: the handshake shows in the connection panel.")

    def action_half_close(self) -> None:
        if self.session is None:
            self.composer.show_error("Not connected: nothing to half-close.")
            return
        try:
            self.session.half_close()
        except SessionError as exc:
            self.composer.show_error(f"{str(exc).capitalize()}.")

    def action_cycle_line_ending(self) -> None:
        self.composer.cycle_line_ending()

    def action_cycle_syntax(self) -> None:
        order = list(Syntax)
        self.composer.syntax = order[(order.index(self.composer.syntax) + 1) % len(order)]

    def action_toggle_multiline(self) -> None:
        self.composer.toggle_multiline()

    def action_send(self) -> None:
        self.composer.submit()

    def action_set_encoding(self) -> None:
        def chosen(name: str | None) -> None:
            if name:
                self.composer.set_encoding(name)
                self.receive_log.set_encoding(self.composer.encoding)
                self.notify(f"Text encoding: {self.composer.encoding} (composer and text view)")

        def check(name: str) -> str | None:
            return self.composer.set_encoding(name)

        self.app.push_screen(
            PromptScreen(
                "Text encoding for the composer and the text view",
                self.composer.encoding,
                "utf-8, latin-1, cp437, utf-16-le…",
                check,
            ),
            chosen,
        )

    def action_repeat(self) -> None:
        """Send the composer message N times, or every T ms; pressed again, stop."""
        if self._repeat_timer is not None:
            self.stop_repeat()
            self.notify("Repeating stopped.")
            return

        def check(text: str) -> str | None:
            try:
                parse_repeat(text)
            except ValueError as exc:
                return str(exc).capitalize()
            return None

        self.app.push_screen(
            PromptScreen(
                f"Repeat the composer message ({key_for(self, 'composer.repeat')} again stops)",
                "",
                "10 · 10 every 200 · every 500",
                check,
            ),
            self._start_repeat,
        )

    def _start_repeat(self, text: str | None) -> None:
        if not text:
            return
        spec = parse_repeat(text)
        try:
            data = self.composer.encode(self.composer.text)
        except CodecError as exc:
            self.composer.show_error(str(exc))
            return
        if spec.interval_ms == 0:
            for _ in range(spec.times):
                if not self.send_bytes(data):
                    return
            total = counted(spec.times * len(data), "byte")
            self.notify(f"Sent {counted(spec.times, 'time')} ({total}).")
            return
        sent = 0

        def tick() -> None:
            """Count real sends: the timer skips ticks when the loop is busy."""
            nonlocal sent
            if self.send_bytes(data):
                sent += 1
            if sent == spec.times or self._repeat_timer is None:
                self.stop_repeat()

        self._repeat_timer = self.set_interval(spec.interval_ms / 1000, tick, name="repeat")
        every = f"every {spec.interval_ms} ms"
        times = f"{counted(spec.times, 'time')} " if spec.times else ""
        stop = key_for(self, "composer.repeat")
        self.notify(f"Sending {times}{every}; {stop} stops.", markup=False)

    def action_send_file(self) -> None:
        """Send a file's exact bytes; pressed again while sending, cancel."""
        if self.upload is not None:
            self.upload.cancel()
            return

        def check(path: str) -> str | None:
            if not path.strip():
                return "Type the path of the file to send."
            try:
                FileUpload(path.strip()).finish()
            except UploadError as exc:
                return str(exc).capitalize()
            return None

        self.app.push_screen(
            PromptScreen(
                f"Send a file's exact bytes ({key_for(self, 'composer.send_file')} again cancels)",
                "",
                "path/to/file",
                check,
            ),
            self._start_upload,
        )

    def _start_upload(self, path: str | None) -> None:
        if not path:
            return
        if self.session is None:
            self.composer.show_error(self._not_connected())
            return
        try:
            upload = FileUpload(path.strip())
            self.session.send_file(upload)
        except (UploadError, SessionError) as exc:
            self.composer.show_error(f"{str(exc).capitalize()}.")
            return
        self.upload = upload
        self._upload_timer = self.set_interval(0.1, self._watch_upload, name="upload")
        self._watch_upload()

    def _watch_upload(self) -> None:
        upload = self.upload
        if upload is None:
            return
        self.composer.show_upload(upload.path.name, upload.read, upload.size)
        # A cancel is final at once: the piece already in the kernel may still trickle out.
        if not (upload.finished.is_set() or upload.cancelled):
            return
        if self._upload_timer is not None:
            self._upload_timer.stop()
        self.upload = self._upload_timer = None
        self.composer.hide_upload()
        if upload.cancelled:  # every piece read still goes out whole
            self.notify(
                f"Stopped sending {upload.path.name} after {_amount(upload.read)}.",
                severity="warning",
                markup=False,
            )
        elif upload.error:
            self.notify(
                f"{upload.error.capitalize()} ({_amount(upload.sent)} went out).",
                title="File not sent",
                severity="error",
                markup=False,
            )
        else:
            self.notify(
                f"Sent {upload.path.name}: {_amount(upload.size)}.", title="File sent", markup=False
            )

    def stop_repeat(self) -> None:
        if self._repeat_timer is not None:
            self._repeat_timer.stop()
            self._repeat_timer = None

    def action_resend_chunk(self) -> None:
        """Send the sent chunk under the log's cursor again, byte for byte."""
        chunk = self._chunk_under_cursor()
        if chunk is None:
            return
        if self.capture.chunk(chunk).direction is not Direction.SENT:
            self.notify(
                f"Only sent chunks can be resent; {key_for(self, 'log.edit')} puts any "
                "chunk in the composer.",
                severity="warning",
                markup=False,
            )
            return
        data = self.capture.read_chunk(chunk)
        if self.send_bytes(data):
            self.notify(f"Resent chunk #{chunk + 1} ({counted(len(data), 'byte')}).")

    def action_edit_chunk(self) -> None:
        """Put the chunk under the cursor in the composer, as escaped text, to edit and send."""
        chunk = self._chunk_under_cursor()
        if chunk is None:
            return
        data = self.capture.read_chunk(chunk)
        self.composer.load_chunk(escape_for_composer(data, self.composer.encoding))
        self.composer.input.focus()

    def action_answer_chunk(self) -> None:
        """Add a responder whose pattern is the start of the chunk under the cursor."""
        chunk = self._chunk_under_cursor()
        if chunk is not None:
            self.automation.ask_rule(self.capture.read_chunk(chunk, 0, ANSWER_BYTES))

    def _chunk_under_cursor(self) -> int | None:
        offset = self.receive_log.marks.cursor.offset
        if offset is None or offset >= self.capture.total_bytes:
            focus, back, on = (
                key_for(self, name)
                for name in ("app.focus_next", "log.previous_chunk", "log.next_chunk")
            )
            self.notify(
                f"Put the cursor on a chunk in the log first ({focus}, then {back} and {on}).",
                severity="warning",
                markup=False,
            )
            return None
        return self.capture.chunk_index_at(offset)

    def action_cycle_view(self) -> None:
        layout = self.receive_log.cycle_layout()
        self.notify(f"{layout} view", timeout=1.5)

    def action_toggle_panel(self) -> None:
        """Show the full connection panel, or its one-line summary that leaves the log the
        whole width, whatever the terminal's width (until pressed again)."""
        self._panel_choice = not self.panel.display
        self._fit_panel()

    def on_resize(self, event: Resize) -> None:
        self._fit_panel(event.size.width)

    def _fit_panel(self, columns: int | None = None) -> None:
        """The full panel beside the log where the log keeps whole hex rows, else a line."""
        connected = self.session is not None or self.opened_meta is not None
        full = shows_full_panel(columns or self.size.width, self._panel_choice, connected)
        panel = self.panel
        summary = self.query_one(ConnectionSummary)
        if panel.display == full and summary.display != full:
            return
        if not full and panel.has_focus_within:
            self.composer.input.focus()
        panel.display = full
        summary.show(not full)

    def action_toggle_inspector(self) -> None:
        """Show or hide the data inspector; the views it shrinks keep the cursor in sight."""
        self.receive_log.inspector.toggle()
        for view in self.receive_log.visible_views():
            self.call_after_refresh(view.reveal_cursor)

    def action_follow(self) -> None:
        for view in self.receive_log.visible_views():
            view.action_follow()

    def action_copy(self, scope: CopyScope | None = None, fmt: CopyFormat | None = None) -> None:
        """Copy the selection (or the cursor's chunk) in the default format."""
        cursor = self.receive_log.marks.cursor
        scope = scope or default_scope(cursor)
        fmt = fmt or self.copy_format
        try:
            data = bytes_to_copy(
                self.capture, cursor, scope, key_hints(self), self.config.settings.clipboard_cap
            )
        except NothingToCopy as exc:
            self.notify(str(exc), title="Nothing copied", severity="warning", markup=False)
            return
        result = copy_bytes_as_text(
            format_bytes(data, fmt), self.app.copy_to_clipboard, CLIPBOARD_TEXT_CAP
        )
        source = f"{counted(len(data), 'byte')} as {fmt.value}"
        sentence = result.sentence(source, key_for(self, "capture.save"))
        if result.copied:
            self.notify(sentence, title="Copied", markup=False)
        else:
            self.notify(sentence, title="Not copied", severity="warning", markup=False)

    @property
    def unsaved_bytes(self) -> int:
        """Captured bytes no file holds: what closing this tab would throw away."""
        since_saved = max(0, self.capture.total_bytes - self.saved_through)
        if self.live_saver is not None:  # it writes what is received, as `nc > FILE`
            return min(since_saved, self.capture.stream_bytes(Direction.SENT))
        return since_saved

    def action_save(self) -> None:
        self.save()

    def save(self, then: Callable[[bool], object] | None = None) -> None:
        """Open the save dialog; `then(saved)` runs once it closes."""
        live = self.session is not None or self.opened_meta is None
        meta = self.session_facts.meta() if live else self.opened_meta
        through = self.capture.total_bytes  # what arrives while the dialog is open may not be

        def closed(result: SaveResult | None) -> None:
            self._saved(result)
            kept = result is not None and result.saved_as in KEEPS_EVERY_BYTE
            if kept:
                self.saved_through = max(self.saved_through, through)
            if then is not None:
                then(kept)

        screen = SaveScreen(
            self.capture,
            meta,
            script_target=self.automation.script_target() if live else None,
            first_chunk=self.automation.first_chunk,
        )
        self.app.push_screen(screen, closed)

    def _saved(self, result: SaveResult | None) -> None:
        if result is not None:
            self.notify(result.sentence(), title="Saved", markup=False)

    def action_copy_as(self) -> None:
        cursor = self.receive_log.marks.cursor
        screen = CopyScreen(
            default_scope(cursor), self.copy_format, has_selection=cursor.selection() is not None
        )
        self.app.push_screen(screen, self._copy_chosen)

    def _copy_chosen(self, request: CopyRequest | None) -> None:
        if request is None:
            return
        if request.make_default:
            self.copy_format = request.format
        self.action_copy(request.scope, request.format)

    def _load_snippets(self) -> list[Snippet] | None:
        """Read fresh each time, so edits to the file apply without a restart."""
        try:
            return load_snippets(snippets_path())
        except SnippetFileError as exc:
            self.notify(str(exc), title="Snippets not loaded", severity="error", markup=False)
            return None

    def action_save_snippet(self) -> None:
        text = self.composer.text
        snippets = self._load_snippets()
        if not text:
            self.notify(
                "Nothing to save: type a message in the composer first.", severity="warning"
            )
        elif snippets is not None:
            names = [snippet.name for snippet in snippets]
            self.app.push_screen(
                SaveSnippetScreen(text, names), lambda name: self._save_snippet(name, text)
            )

    def _save_snippet(self, name: str | None, text: str) -> None:
        if name is None:
            return
        composer = self.composer
        snippet = Snippet(name, text, composer.syntax, composer.line_ending)
        try:
            save_snippet(snippets_path(), snippet)
        except SnippetFileError as exc:
            self.notify(str(exc), title="Snippet not saved", severity="error", markup=False)
            return
        self.notify(f"Saved snippet {name}.", title="Snippets", markup=False)

    def action_pick_snippet(self) -> None:
        snippets = self._load_snippets()
        if snippets is not None:
            self.app.push_screen(SnippetPickerScreen(snippets), self.send_snippet)

    def action_send_snippet(self, index: int) -> None:
        snippets = self._load_snippets()
        if snippets is None:
            return
        if index >= len(snippets):
            have = counted(len(snippets), "snippet")
            self.notify(f"No snippet {index + 1}: the file holds {have}.", severity="warning")
            return
        self.send_snippet(snippets[index])

    def send_snippet(self, snippet: Snippet | None) -> None:
        """Send exactly what the composer would for the snippet's text, syntax and ending."""
        if snippet is None:
            return
        composer = self.composer
        ending = snippet.line_ending_or(composer.line_ending)
        try:
            data = encode_message(
                snippet.text, snippet.syntax, composer.encoding, ending, snippet.is_multiline
            )
        except CodecError as exc:
            composer.show_error(f"Snippet {snippet.name}: {exc}")
            return
        self.send_bytes(data)

    @on(TranscriptView.SessionActionRequested)
    async def _log_action(self, event: TranscriptView.SessionActionRequested) -> None:
        await self.run_action(event.action)

    def focus_default(self) -> None:
        """Focus what a person wants first: the composer when connected, else the form."""
        if self.opened_meta is not None:
            self.receive_log.text_view.focus()
        elif self.session is not None or not self.panel.display:
            self.composer.focus_entry()
        else:
            self.panel.query_one("#host", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A saved session offers nothing that sends; an accepted client, nothing to dial."""
        if self.opened_meta is not None and action in LIVE_ACTIONS:
            return False
        return not (self.accepted_client and action == "connect")

    def system_commands(self) -> Iterable[SystemCommand]:
        """This tab's actions for the command palette, those it offers."""
        for command in session_commands(self):
            action = getattr(command.callback, "__name__", "").removeprefix("action_")
            if self.check_action(action, ()):
                yield command


def _amount(count: int) -> str:
    """Bytes as the connection panel counts them, and exactly: `1.0 MiB (1,048,576 bytes)`."""
    return f"{human_bytes(count)} ({counted(count, 'byte')})"
