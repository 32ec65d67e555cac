"""The tcptui application: one connection panel, one receive log, one composer."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input

from tcptui import __version__
from tcptui.capture.export import SaveError
from tcptui.capture.live_save import LiveSaver
from tcptui.capture.session_file import SessionMeta, open_session
from tcptui.capture.store import Capture, Direction
from tcptui.cli import LaunchConfig
from tcptui.clipboard import copy_bytes_as_text
from tcptui.codec.composer_syntax import Syntax, escape_for_composer
from tcptui.codec.errors import CodecError
from tcptui.codec.formats import CopyFormat, format_bytes
from tcptui.net.events import Closed, EndReason
from tcptui.net.session import Family, Session, SessionError, SessionState
from tcptui.net.target import Target
from tcptui.snippets import Snippet, SnippetFileError, load_snippets, save_snippet
from tcptui.ui.composer import Composer, encode_message
from tcptui.ui.connection_panel import ConnectionPanel
from tcptui.ui.copy_screen import CopyRequest, CopyScope, CopyScreen
from tcptui.ui.copying import CLIPBOARD_TEXT_CAP, NothingToCopy, bytes_to_copy, default_scope
from tcptui.ui.help_screen import HelpScreen
from tcptui.ui.messages import DataAvailable, EventBridge, SessionEvent
from tcptui.ui.prompt_screen import PromptScreen
from tcptui.ui.receive_log import ReceiveLog
from tcptui.ui.repeat_spec import parse_repeat
from tcptui.ui.save_screen import SaveResult, SaveScreen, SessionFacts
from tcptui.ui.search_bar import SearchBar
from tcptui.ui.snippet_screens import (
    SNIPPET_KEY_COUNT,
    SaveSnippetScreen,
    SnippetPickerScreen,
    snippet_keys,
)
from tcptui.ui.transcript_view import TranscriptView
from tcptui.user_paths import snippets_path

if TYPE_CHECKING:
    from tcptui.net.demo_server import DemoServer

QUIET_ENDINGS = {EndReason.CLOSED_BY_US, EndReason.PEER_CLOSED}


class TcpTuiApp(App[int]):
    """Connect, type bytes, see exactly what comes back."""

    TITLE = "tcptui"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("f2", "connect", "Connect", id="session.connect"),
        Binding("f3", "disconnect", "Disconnect", id="session.disconnect"),
        Binding("ctrl+d", "half_close", "Send EOF", id="session.half_close", priority=True),
        Binding("f4", "cycle_line_ending", "Line ending", id="composer.line_ending"),
        Binding("f5", "cycle_view", "View", id="log.cycle_view"),
        Binding("ctrl+f", "follow", "Follow tail", id="log.follow_tail", priority=True, show=False),
        Binding("f6", "copy_as", "Copy as…", id="capture.copy_as"),
        Binding("ctrl+s", "save", "Save/Export", id="capture.save", priority=True),
        Binding("f7", "cycle_syntax", "Syntax", id="composer.syntax", show=False),
        Binding("f8", "toggle_multiline", "Multi-line", id="composer.multiline", show=False),
        Binding("f9", "send", "Send", show=False, id="composer.send", priority=True),
        Binding("ctrl+t", "repeat", "Repeat", show=False, id="composer.repeat", priority=True),
        Binding("f1", "toggle_help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
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

    def __init__(self, config: LaunchConfig) -> None:
        super().__init__()
        self.config = config
        self.capture = Capture()
        self.session_facts = SessionFacts()
        self.opened_meta: SessionMeta | None = None
        if config.open_file:
            self.capture, self.opened_meta = open_session(config.open_file)
        self.live_saver = LiveSaver(self.capture, config.save) if config.save else None
        self.session: Session | None = None
        self.connection_id = 0
        self._bridge: EventBridge | None = None
        self._demo: DemoServer | None = None
        self._target = config.target
        self.copy_format = CopyFormat.TEXT
        self._repeat_timer: Timer | None = None

    # -- building ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield ConnectionPanel(self.capture, self._target, self.config.options.family)
            yield ReceiveLog(self.capture)
        yield Composer(self.config.line_ending)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"v{__version__}"
        if self.config.demo:
            from tcptui.net.demo_server import DemoServer

            self._demo = DemoServer()
            host, port = self._demo.start()
            self._target = Target(host, port)
            self.panel.query_one("#host", Input).value = host
            self.panel.query_one("#port", Input).value = str(port)
        if self.opened_meta is not None:
            self.sub_title = f"{self.config.open_file} · saved session of {self.opened_meta.target}"
            self.receive_log.refresh_data()
            self.receive_log.text_view.focus()
        elif self._target is not None:
            self.connect(self._target, self.config.options.family)
            self.composer.input.focus()
        else:
            self.panel.query_one("#host", Input).focus()

    def on_unmount(self) -> None:
        self.connection_id += 1  # whatever the I/O thread posts from now on is ignored
        if self.session is not None:
            self.session.close()
        if self._demo is not None:
            self._demo.stop()
        if self.live_saver is not None:
            self._catch_up_live_save()
            with contextlib.suppress(SaveError):
                self.live_saver.close()

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

    def connect(self, target: Target, family: Family) -> None:
        """Close any current connection and open a new one to `target`."""
        if self.session is not None:
            self.session.close()
        self.connection_id += 1
        self._target = target
        options = replace(self.config.options, family=family)
        self._bridge = EventBridge(self, self.connection_id)
        self.session = Session(target, self.capture, self._bridge, options)
        self.session_facts = SessionFacts(str(target))
        self.panel.reset(target)
        self.sub_title = f"{target} · connecting"
        self.session.start()

    @on(ConnectionPanel.ConnectRequested)
    def _connect_requested(self, event: ConnectionPanel.ConnectRequested) -> None:
        self.connect(event.target, event.family)
        self.composer.input.focus()

    @on(ConnectionPanel.DisconnectRequested)
    def _disconnect_requested(self) -> None:
        self.action_disconnect()

    def on_session_event(self, message: SessionEvent) -> None:
        if message.connection_id != self.connection_id or self.session is None:
            return
        event = message.event
        self.session_facts.observe(event)
        self.panel.show_event(event)
        self.sub_title = f"{self._target} · {self.session.state.value}"
        if isinstance(event, Closed):
            self.receive_log.refresh_data()
            self._catch_up_live_save()
            self.panel.update_stats()
            if event.reason not in QUIET_ENDINGS:
                self.notify(event.sentence(), title="Connection ended", severity="error")

    def on_data_available(self, message: DataAvailable) -> None:
        if message.connection_id != self.connection_id or self._bridge is None:
            return
        self._bridge.data_taken()
        self.receive_log.refresh_data()
        self._catch_up_live_save()

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
            self.composer.accept_sent(message.text)

    def send_bytes(self, data: bytes) -> bool:
        """Queue `data` on the connection, or say in the composer why it cannot go."""
        if self.session is None:
            self.composer.show_error("Not connected: fill in host and port, then press F2.")
            return False
        if not data:
            self.composer.show_error(
                "Nothing to send: the message is empty and the line "
                "ending is 'none' (F4 changes it)."
            )
            return False
        try:
            self.session.send(data)
        except SessionError as exc:
            self.composer.show_error(f"{str(exc).capitalize()}. Press F2 to connect again.")
            self.stop_repeat()
            return False
        return True

    # -- actions -----------------------------------------------------------------------------

    def action_connect(self) -> None:
        target = self.panel.read_target()
        if target is not None:
            self.connect(target, self.panel.family)

    def action_disconnect(self) -> None:
        if self.is_connected and self.session is not None:
            self.session.close()
        else:
            self.notify("Not connected.", severity="warning")

    def action_half_close(self) -> None:
        if self.session is None:
            self.composer.show_error("Not connected: nothing to half-close.")
            return
        try:
            self.session.half_close()
        except SessionError as exc:
            self.composer.show_error(f"{str(exc).capitalize()}.")

    def action_cycle_line_ending(self) -> None:
        self.composer.line_ending = self.composer.line_ending.next()

    def action_cycle_syntax(self) -> None:
        order = list(Syntax)
        self.composer.syntax = order[(order.index(self.composer.syntax) + 1) % len(order)]

    def action_toggle_multiline(self) -> None:
        self.composer.multiline = not self.composer.multiline

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

        self.push_screen(
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

        self.push_screen(
            PromptScreen(
                "Repeat the composer message (ctrl+t again stops)",
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
            self.notify(f"Sent {spec.times:,} times ({spec.times * len(data):,} bytes).")
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
        times = f"{spec.times:,} times " if spec.times else ""
        self.notify(f"Sending {times}{every}; ctrl+t stops.")

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
                "Only sent chunks can be resent; e puts any chunk in the composer.",
                severity="warning",
            )
            return
        data = self.capture.read_chunk(chunk)
        if self.send_bytes(data):
            self.notify(f"Resent chunk #{chunk + 1} ({len(data):,} bytes).")

    def action_edit_chunk(self) -> None:
        """Put the chunk under the cursor in the composer, as escaped text, to edit and send."""
        chunk = self._chunk_under_cursor()
        if chunk is None:
            return
        data = self.capture.read_chunk(chunk)
        self.composer.syntax = Syntax.TEXT
        self.composer.line_ending = self.composer.line_ending.NONE
        self.composer.load(escape_for_composer(data, self.composer.encoding))
        self.composer.input.focus()

    def _chunk_under_cursor(self) -> int | None:
        offset = self.receive_log.marks.cursor.offset
        if offset is None or offset >= self.capture.total_bytes:
            self.notify(
                "Put the cursor on a chunk in the log first (Tab, then [ and ]).",
                severity="warning",
            )
            return None
        return self.capture.chunk_index_at(offset)

    def action_cycle_view(self) -> None:
        layout = self.receive_log.cycle_layout()
        self.notify(f"{layout} view", timeout=1.5)

    def action_follow(self) -> None:
        for view in self.receive_log.visible_views():
            view.action_follow()

    def action_copy(self, scope: CopyScope | None = None, fmt: CopyFormat | None = None) -> None:
        """Copy the selection (or the cursor's chunk) in the default format."""
        cursor = self.receive_log.marks.cursor
        scope = scope or default_scope(cursor)
        fmt = fmt or self.copy_format
        try:
            data = bytes_to_copy(self.capture, cursor, scope)
        except NothingToCopy as exc:
            self.notify(str(exc), title="Nothing copied", severity="warning")
            return
        result = copy_bytes_as_text(
            format_bytes(data, fmt), self.copy_to_clipboard, CLIPBOARD_TEXT_CAP
        )
        if result.copied:
            self.notify(
                f"Copied {len(data):,} bytes as {fmt.value}: {result.sentence()}", title="Copied"
            )
        else:
            self.notify(result.sentence(), title="Not copied", severity="warning")

    def action_save(self) -> None:
        live = self.session is not None or self.opened_meta is None
        meta = self.session_facts.meta() if live else self.opened_meta
        self.push_screen(SaveScreen(self.capture, meta), self._saved)

    def _saved(self, result: SaveResult | None) -> None:
        if result is not None:
            self.notify(
                f"Saved {result.nbytes:,} bytes to {result.path} ({result.format_label}).",
                title="Saved",
            )

    def action_copy_as(self) -> None:
        cursor = self.receive_log.marks.cursor
        screen = CopyScreen(
            default_scope(cursor), self.copy_format, has_selection=cursor.selection() is not None
        )
        self.push_screen(screen, self._copy_chosen)

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
            self.push_screen(
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
            self.push_screen(SnippetPickerScreen(snippets), self.send_snippet)

    def action_send_snippet(self, index: int) -> None:
        snippets = self._load_snippets()
        if snippets is None:
            return
        if index >= len(snippets):
            self.notify(f"No snippet {index + 1}: there are {len(snippets)}.", severity="warning")
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

    def action_toggle_help(self) -> None:
        """Every binding of the app and its widgets, as currently mapped."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        bindings = [
            *self.BINDINGS,
            *Composer.BINDINGS,
            *TranscriptView.BINDINGS,
            *SearchBar.BINDINGS,
        ]
        self.push_screen(HelpScreen(_as_bindings(bindings), dict(self._keymap)))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Connect", "Connect to the host and port in the form (F2)", self.action_connect
        )
        yield SystemCommand("Disconnect", "Close the connection now (F3)", self.action_disconnect)
        yield SystemCommand(
            "Send EOF (half-close)",
            "shutdown(SHUT_WR): the peer sees EOF, you keep receiving (ctrl+d)",
            self.action_half_close,
        )
        yield SystemCommand(
            "Cycle line ending", "none → LF → CRLF → CR (F4)", self.action_cycle_line_ending
        )
        yield SystemCommand("Cycle view", "dual → text → hex (F5)", self.action_cycle_view)
        yield SystemCommand(
            "Copy selection or chunk", "In the default format (c in the log)", self.action_copy
        )
        yield SystemCommand(
            "Copy everything received",
            "In the default format",
            lambda: self.action_copy("received"),
        )
        yield SystemCommand(
            "Copy as…", "Pick what to copy and the format (F6)", self.action_copy_as
        )
        yield SystemCommand(
            "Cycle composer syntax",
            "text with escapes → hex → mixed (F7)",
            self.action_cycle_syntax,
        )
        yield SystemCommand(
            "Multi-line composer",
            "Open or close the multi-line editor (F8)",
            self.action_toggle_multiline,
        )
        yield SystemCommand(
            "Set text encoding…", "For the composer and the text view", self.action_set_encoding
        )
        yield SystemCommand(
            "Repeat message…", "N times, or every T ms until stopped (ctrl+t)", self.action_repeat
        )
        yield SystemCommand(
            "Resend chunk",
            "Send the sent chunk under the cursor again (r)",
            self.action_resend_chunk,
        )
        yield SystemCommand("Edit chunk in composer", "As escaped text (e)", self.action_edit_chunk)
        yield SystemCommand(
            "Save composer as snippet…",
            "Keep the composer's message under a name",
            self.action_save_snippet,
        )
        yield SystemCommand(
            "Send snippet…",
            "Pick a saved message to send (shift+F1 … F12)",
            self.action_pick_snippet,
        )
        yield SystemCommand(
            "Search history…",
            "Find an earlier message by any part of it (ctrl+r)",
            self.composer.action_history_search,
        )
        yield SystemCommand(
            "Save / Export…",
            "Session file, raw bytes, hexdump -C or pcap (ctrl+s)",
            self.action_save,
        )
        yield SystemCommand(
            "Follow tail", "Scroll to the newest bytes and stay there (ctrl+f)", self.action_follow
        )


def _as_bindings(items: Iterable[Binding | tuple[str, ...]]) -> list[Binding]:
    return [item for item in items if isinstance(item, Binding)]
