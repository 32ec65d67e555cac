"""The tcptui application: a tab per connection, each a SessionView, plus app-wide keys."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Keymap
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Header, TabbedContent, TabPane

from tcptui import __version__
from tcptui.capture.live_save import LiveSaver
from tcptui.capture.session_file import OpenedSession, SessionMeta
from tcptui.capture.store import Capture
from tcptui.codec.safe_text import safe_label
from tcptui.launch_config import LaunchConfig
from tcptui.net.listen_clients import ListenClient
from tcptui.net.listener import parse_listen_address
from tcptui.net.target import Target, TargetError, parse_target
from tcptui.ui.app_bindings import APP_BINDINGS, every_binding, hint_bindings
from tcptui.ui.ascii_filter import AsciiOnly
from tcptui.ui.discard_screen import DiscardChoice, DiscardScreen, unsaved_in
from tcptui.ui.first_tab import first_tab
from tcptui.ui.focus_moves import other_pane, step_focus
from tcptui.ui.heap_tuning import HeapTuning
from tcptui.ui.help_screen import HelpScreen
from tcptui.ui.key_hints import KeyHints
from tcptui.ui.key_priority import KeyPriority
from tcptui.ui.listener_view import ListenerView
from tcptui.ui.literal import literal, visible
from tcptui.ui.ordered_keys import KeyLane
from tcptui.ui.session_view import SessionView
from tcptui.ui.shown_tabs import ShownTabs
from tcptui.ui.steady_footer import SteadyFooter
from tcptui.ui.tab_commands import tab_commands
from tcptui.ui.transcript_view import TranscriptView
from tcptui.user_files.app_state import load_state, save_state
from tcptui.user_files.settings import Settings

if TYPE_CHECKING:
    from tcptui.net.demo_server import DemoServer


CUT_SHORT_NOTE_SECONDS = 20
"""How long the sentence about a session file cut short stays up: it is long, and matters."""


class TcpTuiApp(App[int]):
    """Connect, type bytes, see exactly what comes back."""

    TITLE = "tcptui"
    CSS_PATH = "app.tcss"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    """Screens under 30 rows get the class -short: dialogs drop their blank rows there."""
    BINDINGS = APP_BINDINGS

    def __init__(
        self,
        config: LaunchConfig,
        opened: OpenedSession | None = None,
        *,
        capture: Capture | None = None,
    ) -> None:
        """`opened` is the session file `config.open_file` names, when the caller read it;
        `capture`, bytes the caller holds already for the first tab to show (not a file)."""
        super().__init__()
        self._ascii_only = [AsciiOnly()] if config.settings.ascii_only else []
        self.config = config
        self.key_hints = KeyHints(hint_bindings(), config.settings.keymap)
        first = first_tab(config, opened, capture)
        self._first_capture, self.opened_meta = first.capture, first.opened_meta
        self._first_saver, self._cut_short_note = first.live_saver, first.cut_short_note
        self._demo: DemoServer | None = None
        self.state = load_state()
        self._tabs_made = 0
        self._heap = HeapTuning()
        self._key_lane = KeyLane()
        self.key_priority = KeyPriority()
        self._last_log_view: weakref.ref[TranscriptView] | None = None
        # Before the first styling: set later, a theme restyles the whole screen.
        self._theme_unknown = not self._choose_theme()

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's, then ASCII-only mode's: it sees every line just before it is written."""
        return [*super().get_line_filters(), *self._ascii_only]

    def set_keymap(self, keymap: Keymap) -> None:
        """Textual's, and the hints follow (keys named in messages and help)."""
        super().set_keymap(keymap)
        self.key_hints = KeyHints(hint_bindings(), keymap)

    def update_keymap(self, keymap: Keymap) -> None:
        super().update_keymap(keymap)
        self.key_hints.remap(keymap)

    def _choose_theme(self) -> bool:
        """The settings' theme, or else the last one picked in the palette; False if unknown."""
        theme = self.config.settings.theme
        if theme == Settings().theme and self.state.theme in self.available_themes:
            theme = self.state.theme
        if theme not in self.available_themes:
            return False
        self.theme = theme
        return True

    async def on_event(self, event: events.Event) -> None:
        """A key read from the terminal for a text field goes to the field, which applies it
        at its turn, priority bindings included (ordered_keys.py). New bytes wait for a key's
        frame (key_priority.py)."""
        self.key_priority.note(event)
        if not self._key_lane.route(self, event):
            await super().on_event(event)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification, the app's and its widgets', shown as the text it is: they quote
        file names, peers' and proxies' errors, settings and snippets, so none is read as
        markup, whatever `markup` says (a constant one with `[` was garbled too)."""
        super().notify(
            visible(message),
            title=visible(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # -- building ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield ShownTabs(id="tabs")
        yield SteadyFooter()

    def on_load(self) -> None:
        self._heap.hold_collections()  # frozen once the first screen is up (heap_tuning.py)

    async def on_mount(self) -> None:
        try:
            await self._open_first_tab()
        finally:
            self.call_after_refresh(self._heap.freeze_first_screen)

    async def _open_first_tab(self) -> None:
        self.sub_title = f"v{__version__}"
        self._apply_settings()
        if self.config.listen is not None:
            host, port = parse_listen_address(self.config.listen)
            await self.open_listener_tab(host, port)
            return
        target = self.config.target
        if self.config.demo:
            from tcptui.net.demo_server import DemoServer

            self._demo = DemoServer()
            host, port = self._demo.start()
            target = Target(host, port)
        if self.opened_meta is not None:
            saved = safe_label(
                f"{self.config.open_file} · saved session of {self.opened_meta.target}"
            )
            self.sub_title = saved
        await self.open_tab(
            target,
            capture=self._first_capture,
            opened_meta=self.opened_meta,
            live_saver=self._first_saver,
        )
        if self._cut_short_note is not None:
            self.notify(
                self._cut_short_note,
                title="Session file cut short",
                severity="warning",
                timeout=CUT_SHORT_NOTE_SECONDS,
            )

    def _apply_settings(self) -> None:
        """Theme and keys from the settings file; the file cannot know Textual's names, so
        an unknown theme or binding id is checked here and reported, not fatal."""
        settings = self.config.settings
        problems = []
        if self._theme_unknown:
            problems.append(
                f"The settings name theme {settings.theme!r}, which is not installed; "
                f"themes: {', '.join(sorted(self.available_themes))}"
            )
        unknown = sorted(set(settings.keymap) - {binding.id for binding in every_binding()})
        if unknown:
            problems.append(f"The keymap names binding ids that do not exist: {', '.join(unknown)}")
        for problem in problems:
            self.notify(problem, title="Settings", severity="warning")
        self.set_keymap(settings.keymap)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.state.warning:
            self.notify(self.state.warning, title="State", severity="warning")

    def _remember_theme(self, theme: Theme) -> None:
        self.state.theme = theme.name
        self._save_state()

    def _save_state(self) -> None:
        warning = save_state(self.state)
        if warning and not self.state.warning:
            self.state.warning = warning
            self.notify(warning, title="State", severity="warning")

    @on(SessionView.TargetUsed)
    def _remember_target(self, event: SessionView.TargetUsed) -> None:
        if self.config.demo and event.target.host == "127.0.0.1":
            return
        self.state.remember_target(str(event.target))
        self._save_state()

    async def open_target(self, text: str) -> None:
        """A new tab connected to a target written as on the command line."""
        try:
            target = parse_target(text)
        except TargetError as exc:
            self.notify(str(exc), title="Cannot connect", severity="error")
            return
        await self.open_tab(target)

    def on_unmount(self) -> None:
        self._heap.restore()
        # Each SessionView has shut itself down by now: Textual unmounts the screens first.
        if self._demo is not None:
            self._demo.stop()

    async def open_tab(
        self,
        target: Target | None = None,
        *,
        capture: Capture | None = None,
        opened_meta: SessionMeta | None = None,
        live_saver: LiveSaver | None = None,
        client: ListenClient | None = None,
    ) -> SessionView:
        """Add a tab with its own connection, capture and views, and show it."""
        self._tabs_made += 1
        view = SessionView(
            self.config,
            capture,
            target=target,
            opened_meta=opened_meta,
            live_saver=live_saver,
            client=client,
            id=f"session-{self._tabs_made}",
        )
        await self._show_new_tab(TabPane(literal(view.title), view, id=f"tab-{self._tabs_made}"))
        return view

    async def open_listener_tab(self, host: str, port: int) -> ListenerView:
        """A tab that listens; its clients are rows of a table until one's tab is asked for."""
        self._tabs_made += 1
        view = ListenerView(
            host,
            port,
            self.config.options,
            max_clients=self.config.settings.listen.max_clients,
            save_base=self.config.save,
            responders=self.config.responders,
            id=f"listener-{self._tabs_made}",
        )
        await self._show_new_tab(TabPane(literal(view.title), view, id=f"tab-{self._tabs_made}"))
        return view

    async def _show_new_tab(self, pane: TabPane) -> None:
        """Add `pane` and make it the shown tab."""
        tabs = self.query_one(TabbedContent)
        await tabs.add_pane(pane)
        tabs.active = pane.id or ""

    @on(ListenerView.OpenClient)
    async def _open_client(self, event: ListenerView.OpenClient) -> None:
        """Show an accepted client's tab, building it the first time it is asked for."""
        client = event.client
        for view in self.query(SessionView):
            if view.listen_client is client and isinstance(view.parent, TabPane):
                self.query_one(TabbedContent).active = view.parent.id or ""
                return
        if client.capture.closed:
            self.notify("That client has gone.", severity="warning")
            return
        await self.open_tab(client.target, capture=client.capture, client=client)

    @on(ListenerView.TitleChanged)
    def _listener_retitled(self, event: ListenerView.TitleChanged) -> None:
        self._label_tab(event.view)

    # -- the current tab ---------------------------------------------------------------------

    def _shown_view(self) -> SessionView:
        """The SessionView of the tab on show."""
        pane = self.query_one(TabbedContent).active_pane
        if pane is None:
            return self.query(SessionView).first()
        return pane.query_one(SessionView)

    # -- tabs --------------------------------------------------------------------------------

    def _label_tab(self, view: SessionView | ListenerView) -> bool:
        """Show the view's title on its tab; False once the tabs are gone (the app closing)."""
        tabs = self.query_one_optional("#tabs", TabbedContent)  # by id: no walk of the DOM
        if tabs is None:
            return False
        pane = view.parent
        if isinstance(pane, TabPane) and pane.id:
            tab = tabs.get_tab(pane.id)
            if tab.label.plain != view.title:  # setting a label lays the screen out again
                tab.label = literal(view.title)
        return True

    @on(SessionView.TitleChanged)
    def _retitle(self, event: SessionView.TitleChanged) -> None:
        if self._label_tab(event.view) and event.view is self._shown_view():
            self.sub_title = event.view.title

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        # Another tab may have been shown since (one opened while the first was still being
        # shown): focusing into this one would show it again, in front of the newer tab.
        if event.pane.id != event.tabbed_content.active:
            return
        listener = event.pane.query(ListenerView)
        if listener:
            self.sub_title = listener.first().title
            listener.first().focus_default()
            return
        views = event.pane.query(SessionView)
        if not views:
            return  # the tab was closed before its activation got here
        view = views.first()
        if view.unread:
            view.unread = False
            self._label_tab(view)
        self.sub_title = view.title
        if not view.has_focus_within:
            view.focus_default()

    async def action_new_tab(self) -> None:
        await self.open_tab()

    async def action_close_tab(self) -> None:
        """Close the tab on show and its connection, once it is clear its unsaved bytes may go;
        the last tab is replaced by a fresh one."""
        pane = self.query_one(TabbedContent).active_pane
        if pane is None or pane.id is None or isinstance(self.screen, DiscardScreen):
            return
        unsaved = unsaved_in([pane])
        if not unsaved.nbytes or not self.config.settings.confirm_discard:
            await self._close_pane(pane.id)
            return
        question = DiscardScreen(unsaved, quitting=False)
        self.push_screen(question, partial(self._close_answered, unsaved.savable, pane.id))

    async def _close_answered(
        self, view: SessionView | None, pane_id: str, choice: DiscardChoice
    ) -> None:
        if choice is DiscardChoice.DISCARD:
            await self._close_pane(pane_id)
        elif choice is DiscardChoice.SAVE and view is not None:
            view.save(lambda saved: saved and self.call_later(self._close_pane, pane_id))

    async def _close_pane(self, pane_id: str) -> None:
        tabs = self.query_one(TabbedContent)
        panes = tabs.query(TabPane)
        pane = next((pane for pane in panes if pane.id == pane_id), None)
        if pane is None:
            return  # closed meanwhile
        if len(panes) == 1:
            await self.open_tab()
        for listener in pane.query(ListenerView):
            closed = listener.close_clients()
            if closed:
                self.notify(f"Stopped listening and closed {closed} clients that had no tab.")
        for view in pane.query(SessionView):
            view.shut_down()
            if view.listen_client is not None:
                view.listen_client.book.forget(view.listen_client)
        self._heap.thaw()
        await tabs.remove_pane(pane_id)  # its session views close their captures
        self.call_after_refresh(self._heap.collect_and_freeze)

    async def action_quit(self) -> None:
        """Quit, once it is clear that bytes no file holds may go."""
        if isinstance(self.screen, DiscardScreen):
            return
        unsaved = unsaved_in(self.query_one(TabbedContent).query(TabPane))
        if not unsaved.nbytes or not self.config.settings.confirm_discard:
            self.exit()
            return
        question = DiscardScreen(unsaved, quitting=True)
        self.push_screen(question, partial(self._quit_answered, unsaved.savable))

    def _quit_answered(self, savable: SessionView | None, choice: DiscardChoice) -> None:
        if choice is DiscardChoice.DISCARD:
            self.exit()
        elif choice is DiscardChoice.SAVE and savable is not None:
            pane = savable.parent
            if isinstance(pane, TabPane) and pane.id:
                self.query_one(TabbedContent).active = pane.id
            savable.save(lambda saved: saved and self.call_later(self.action_quit))

    def _step_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        panes = [pane.id for pane in tabs.query(TabPane) if pane.id]
        if tabs.active in panes:
            tabs.active = panes[(panes.index(tabs.active) + step) % len(panes)]

    def action_next_tab(self) -> None:
        self._step_tab(1)

    def action_previous_tab(self) -> None:
        self._step_tab(-1)

    # -- the focus ---------------------------------------------------------------------------

    def _session_in_view(self) -> SessionView | None:
        """The tab's SessionView when the main screen is up (no dialog over it)."""
        pane = self.query_one(TabbedContent).active_pane
        if pane is None or self.screen is not self.query_one(TabbedContent).screen:
            return None
        return pane.query(SessionView).first() if pane.query(SessionView) else None

    def _step_focus(self, step: int) -> None:
        view = self._session_in_view()
        chain = self.screen.focus_chain
        if view is None or not chain:
            (self.screen.focus_next if step > 0 else self.screen.focus_previous)()
            return
        step_focus(chain, view, self.focused or chain[0], step).focus()

    def action_focus_next(self) -> None:
        """Tab: composer -> log -> panel -> the rest (focus_moves.py)."""
        self._step_focus(1)

    def action_focus_previous(self) -> None:
        self._step_focus(-1)

    def action_other_pane(self) -> None:
        view = self._session_in_view()
        if view is not None:
            last = self._last_log_view() if self._last_log_view is not None else None
            other_pane(view, self.focused, last).focus()

    @on(events.DescendantFocus)
    def _remember_log_view(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, TranscriptView):
            self._last_log_view = weakref.ref(event.widget)

    # -- help and the palette ----------------------------------------------------------------

    def action_toggle_help(self) -> None:
        """Every binding of the app and its widgets, as currently mapped."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen(every_binding(), self.key_hints))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from tab_commands(
            self.action_new_tab,
            self.action_close_tab,
            self.open_target,
            self.key_hints,
            self.config.settings.profiles,
            self.state.recent,
        )
        pane = self.query_one(TabbedContent).active_pane
        if pane is not None and pane.query(SessionView):
            yield from self._shown_view().system_commands()
