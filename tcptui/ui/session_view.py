"""One connection's world: its panel, receive log and composer, its capture and its session.

The app shows one of these per tab. Everything that belongs to a connection lives here, so tabs
never share bytes, state or threads; closing the tab shuts the connection and frees the capture.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input

from tcptui.capture.events import EventKind
from tcptui.capture.live_save import LiveSaver
from tcptui.capture.session_file import SessionMeta
from tcptui.capture.store import Capture, Direction
from tcptui.codec.composer_syntax import Syntax
from tcptui.codec.formats import CopyFormat
from tcptui.codec.framing import parse_grouping
from tcptui.launch_config import LaunchConfig
from tcptui.net.events import Closed, EndReason
from tcptui.net.listen_clients import ListenClient
from tcptui.net.session import Session, SessionError, SessionState
from tcptui.net.target import Family, Target
from tcptui.ui.automation import Automation, SequenceBar
from tcptui.ui.capture_actions import CaptureActions
from tcptui.ui.composer import Composer
from tcptui.ui.connection_panel import ConnectionPanel
from tcptui.ui.connection_summary import ConnectionSummary, SummaryFacts
from tcptui.ui.copy_screen import CopyScope
from tcptui.ui.data_pacing import DataPacer
from tcptui.ui.encoding_prompt import ask_encoding
from tcptui.ui.key_hints import key_for
from tcptui.ui.messages import DataAvailable, EventBridge, SessionEvent
from tcptui.ui.panel_fit import PanelFit
from tcptui.ui.receive_log import ReceiveLog
from tcptui.ui.reconnecting import Reconnecting
from tcptui.ui.retry_policy import RetryPolicy
from tcptui.ui.save_screen import SessionFacts
from tcptui.ui.sending import Sender
from tcptui.ui.session_bindings import LIVE_ACTIONS, SESSION_BINDINGS
from tcptui.ui.session_commands import session_commands
from tcptui.ui.snippet_actions import SnippetActions
from tcptui.ui.tab_label import QUIET_ENDINGS, peer_label, state_dot
from tcptui.ui.transcript_view import EMPTY_HINT, TranscriptView

PREVIOUS_END_WAIT = 0.5
"""Seconds a reconnect waits for the previous connection's I/O thread to end, so its last
bytes and its `closed` event stay before the `reconnected` one; it ends at once unless stuck
in a name lookup, which nothing can interrupt."""


class SessionView(Vertical):
    """A connection panel, a receive log and a composer around one capture and one session."""

    DEFAULT_CSS = """
    SessionView { height: 1fr; }
    SessionView .session-main { height: 1fr; }
    """

    BINDINGS = SESSION_BINDINGS

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
        self.bridge: EventBridge | None = None
        self._target = target
        self.retry = RetryPolicy(config.retry, config.forever)
        self.reconnecting = Reconnecting(self)
        self.unread = False
        self.last_end: EndReason | None = None
        self.listen_client = client
        """Listen mode: the accepted client this tab shows (its session runs already)."""
        self.pacer = DataPacer(self)
        self.sender = Sender(self)
        self.snippets = SnippetActions(self)
        self.captured = CaptureActions(self)
        self.panel_fit = PanelFit(self)
        self.automation: Automation = Automation(self, config.responders)
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
            yield ReceiveLog(
                self.capture,
                settings.view,
                settings.timestamps,
                settings.ascii_only,
                parse_grouping(settings.group),
                compact=settings.compact,
                squeeze=settings.squeeze,
            )
        yield SequenceBar()
        yield Composer(self.config.line_ending, history_size=self.config.settings.history_size)

    def on_mount(self) -> None:
        self.panel_fit.fit(self.app.size.width)
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
                self.pacer.schedule()  # what arrived while the widgets were built

    def on_unmount(self) -> None:
        """The tab is gone (closed, or the app ended): its spool file goes now, not when the
        widgets, cyclic garbage, are collected (a big spool outlived a headless run)."""
        self.shut_down()
        self.capture.close()

    def shut_down(self) -> None:
        """Close the connection and stop showing new bytes; safe to call twice."""
        self.connection_id += 1  # whatever the I/O thread posts from now on is ignored
        self.bridge = None  # and takes left for later (timer, after-refresh) do nothing
        self.pacer.stop()
        self.retry.cancel()
        self.automation.stop()
        if self.session is not None:
            self.session.close()
        self.pacer.close_live_save()

    @property
    def title(self) -> str:
        """The tab's label: a state dot, the target, and a marker for unseen data."""
        return f"{self._state_dot()} {self._peer()}{' •' if self.unread else ''}"

    def _state_dot(self) -> str:
        state = self.session.state if self.session is not None else SessionState.IDLE
        return state_dot(state, self.last_end, self.opened_meta)

    def _peer(self) -> str:
        return peer_label(self._target, self.opened_meta)

    def summary_facts(self) -> SummaryFacts:
        """What the one-line summary shows in place of the panel."""
        return SummaryFacts(
            self._state_dot(),
            self._peer(),
            self.capture.stream_bytes(Direction.RECEIVED),
            self.capture.stream_bytes(Direction.SENT),
            self.panel.age(),
            self.panel.saved_story.short,
        )

    def retitle(self) -> None:
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
            self.reconnecting.start_over()
        self._open_session(target, family)
        self._show_connecting(target, announce=True)

    def _adopt(self, client: ListenClient) -> None:
        """Listen mode: show a client the listener already serves, the events it missed first."""
        self.connection_id += 1
        self._target = client.target
        self.bridge = EventBridge(self, self.connection_id)
        self.session = client.session
        self.session_facts = SessionFacts(str(client.target))
        self.connections_made += 1
        client.attach(self.automation.adopt(client.responders, client.session, self.bridge))

    def _open_session(self, target: Target, family: Family) -> None:
        """Start the I/O thread; its events are shown once this view handles messages."""
        if self.session is not None:
            self.session.close()
            self.session.join(PREVIOUS_END_WAIT)
        self.connection_id += 1
        self._target = target
        options = replace(self.config.options, family=family)
        self.bridge = EventBridge(self, self.connection_id)
        on_event = self.automation.tap(self.bridge)
        self.session = Session(target, self.capture, on_event, options)
        self.automation.started(self.session)
        self.session_facts = SessionFacts(str(target))
        if self.connections_made:
            detail = f"connection {self.connections_made + 1} to {target}"
            self.capture.add_event(EventKind.RECONNECTED, detail)
        self.connections_made += 1
        self.session.start()

    def _show_connecting(self, target: Target, *, announce: bool) -> None:
        """Before any of the new connection's events is shown: they arrive as messages."""
        self.panel.reset(target, accepted=self.accepted_client)
        self.panel_fit.fit()
        if announce:
            self.post_message(self.TargetUsed(target))
        self.retitle()

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
        self.retitle()
        self.automation.connected()
        # The event may be a row of the log (TLS started, EOF): taken at the pace of new bytes,
        # so an event in a flood does not start measuring all that is waiting at once.
        if self.bridge is not None:
            self.pacer.schedule()
        else:
            self.receive_log.refresh_data()
        if isinstance(event, Closed):
            self.pacer.catch_up_live_save()
            self.panel.update_stats()
            if event.reason not in QUIET_ENDINGS:
                self.notify(event.sentence(), title="Connection ended", severity="error")
            self.reconnecting.after(event, self._target)

    def on_sequence_bar_progressed(self, message: SequenceBar.Progressed) -> None:
        self.automation.progressed(message)

    def on_data_available(self, message: DataAvailable) -> None:
        if message.connection_id != self.connection_id or self.bridge is None:
            return
        self.pacer.schedule()

    @on(Composer.Submitted)
    def _send(self, message: Composer.Submitted) -> None:
        if self.send_bytes(message.data):
            self.composer.accept_sent(message.entry)
        else:
            self.composer.give_back(message.text)

    def send_bytes(self, data: bytes) -> bool:
        """Queue `data` on the connection, or say in the composer why it cannot go."""
        return self.sender.send_bytes(data)

    # -- actions -----------------------------------------------------------------------------

    def action_connect(self) -> None:
        target = self.panel.read_target()
        if target is not None:
            self.connect(target, self.panel.family)

    def action_disconnect(self) -> None:
        if self.reconnecting.stop():
            return
        if self.is_connected and self.session is not None:
            self.session.close()
        else:
            self.notify("Not connected.", severity="warning")

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
        ask_encoding(self)

    def action_repeat(self) -> None:
        self.sender.toggle_repeat()

    def action_send_file(self) -> None:
        self.sender.toggle_upload()

    def action_resend_chunk(self) -> None:
        self.captured.resend_chunk()

    def action_edit_chunk(self) -> None:
        self.captured.edit_chunk()

    def action_answer_chunk(self) -> None:
        self.captured.answer_chunk()

    def action_set_grouping(self) -> None:
        self.receive_log.grouping_choice.ask()

    def action_cycle_view(self) -> None:
        layout = self.receive_log.cycle_layout()
        self.notify(f"{layout} view", timeout=1.5)

    def action_toggle_compact(self) -> None:
        self.receive_log.toggle_compact()

    def action_toggle_squeeze(self) -> None:
        self.receive_log.toggle_squeeze()

    def action_toggle_panel(self) -> None:
        """Show the full connection panel, or its one-line summary that leaves the log the
        whole width, whatever the terminal's width (until pressed again)."""
        self.panel_fit.toggle()

    def on_resize(self, event: Resize) -> None:
        self.panel_fit.fit(event.size.width)

    def action_toggle_inspector(self) -> None:
        """Show or hide the data inspector; the views it shrinks keep the cursor in sight
        (inspector_room.py)."""
        self.receive_log.inspector.toggle()

    def action_follow(self) -> None:
        for view in self.receive_log.visible_views():
            view.action_follow()

    def action_copy(self, scope: CopyScope | None = None, fmt: CopyFormat | None = None) -> None:
        self.captured.copy(scope, fmt)

    def action_copy_as(self) -> None:
        self.captured.ask_copy_as()

    def action_save(self) -> None:
        self.captured.save()

    def save(self, then: Callable[[bool], object] | None = None) -> None:
        """Open the save dialog; `then(saved)` runs once it closes."""
        self.captured.save(then)

    @property
    def unsaved_bytes(self) -> int:
        """Captured bytes no file holds: what closing this tab would throw away."""
        return self.captured.unsaved_bytes()

    def action_save_snippet(self) -> None:
        self.snippets.ask_save()

    def action_pick_snippet(self) -> None:
        self.snippets.pick()

    def action_send_snippet(self, index: int) -> None:
        self.snippets.send_numbered(index)

    @on(TranscriptView.SessionActionRequested)
    async def _log_action(self, event: TranscriptView.SessionActionRequested) -> None:
        await self.run_action(event.action)

    def focus_default(self) -> None:
        """Focus what a person wants first: the composer when connected, else the form.

        At once, not later as `focus()` would: by then another tab may be shown, and focusing
        into this one would bring it back in front (and a ctrl+F4 typed meanwhile close it).
        """
        if self.opened_meta is not None:
            first: Widget = self.receive_log.text_view
        elif self.session is not None or not self.panel.display:
            first = self.composer.entry
        else:
            first = self.panel.query_one("#host", Input)
        self.app.set_focus(first)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A saved session offers nothing that sends; an accepted client, nothing to dial."""
        if self.opened_meta is not None and action in LIVE_ACTIONS:
            return False
        return not (self.accepted_client and action == "connect")

    def system_commands(self) -> Iterable[SystemCommand]:
        """This tab's actions for the command palette, those it offers."""
        return session_commands(self)
