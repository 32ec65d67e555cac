"""The app's own key bindings, and every binding of the app and its widgets gathered in one list:
help shows them, key hints name them, and the settings' keymap is checked against their ids."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding, BindingType

from tcptui.ui.composer import Composer
from tcptui.ui.copy_screen import CopyScreen
from tcptui.ui.help_screen import HelpScreen
from tcptui.ui.history_screen import HistorySearchScreen
from tcptui.ui.inspector_panel import InspectorPanel
from tcptui.ui.listener_view import ListenerView
from tcptui.ui.prompt_screen import PromptScreen
from tcptui.ui.readline_keys import ReadlineInput
from tcptui.ui.save_screen import SaveScreen
from tcptui.ui.search_bar import SearchBar
from tcptui.ui.session_view import SessionView
from tcptui.ui.snippet_screens import SaveSnippetScreen, SnippetPickerScreen
from tcptui.ui.transcript_view import TranscriptView

APP_BINDINGS: list[BindingType] = [
    Binding("ctrl+n", "new_tab", "New tab", id="tabs.new", priority=True),
    # Not ctrl+w: the composer deletes a word with it, as readline does.
    Binding("ctrl+f4,alt+w", "close_tab", "Close tab", show=False, id="tabs.close", priority=True),
    Binding("ctrl+pagedown", "next_tab", "Next tab", show=False, id="tabs.next"),
    Binding("ctrl+pageup", "previous_tab", "Previous tab", show=False, id="tabs.previous"),
    Binding("f1", "toggle_help", "Help", id="app.help"),
    Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    # Priority: a TextArea would type a Tab, and the log has no use for it.
    Binding("tab", "app.focus_next", "Next field", show=False, id="app.focus_next", priority=True),
    Binding(
        "shift+tab",
        "app.focus_previous",
        "Previous field",
        show=False,
        id="app.focus_previous",
        priority=True,
    ),
    Binding(
        "alt+o",
        "other_pane",
        "Composer ⇄ log",
        show=False,
        id="app.other_pane",
        priority=True,
    ),
]
"""The app-wide keys (TcpTuiApp.BINDINGS)."""


def every_binding() -> list[Binding]:
    """Every binding of the app and its widgets, as help lists them."""
    return as_bindings(
        [
            *APP_BINDINGS,
            *SessionView.BINDINGS,
            *Composer.BINDINGS,
            *ReadlineInput.BINDINGS,
            *TranscriptView.BINDINGS,
            *InspectorPanel.BINDINGS,
            *SearchBar.BINDINGS,
            *ListenerView.BINDINGS,
        ]
    )


def hint_bindings() -> list[Binding]:
    """Every binding a hint may name: the app's and its dialogs'."""
    dialogs = (
        HelpScreen,
        HistorySearchScreen,
        CopyScreen,
        PromptScreen,
        SaveScreen,
        SaveSnippetScreen,
        SnippetPickerScreen,
    )
    return [*every_binding(), *as_bindings(item for dialog in dialogs for item in dialog.BINDINGS)]


def as_bindings(items: Iterable[BindingType]) -> list[Binding]:
    """The Binding objects among `items` (a class may also list bindings as plain tuples)."""
    return [item for item in items if isinstance(item, Binding)]
