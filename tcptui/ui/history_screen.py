"""ctrl+r for the composer: find an earlier message by typing any part of it, as in a shell."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList

from tcptui.codec.safe_text import render_text
from tcptui.codec.words import counted
from tcptui.ui.key_hints import key_for
from tcptui.ui.ordered_keys import OrderedInput, field_stays
from tcptui.user_files.history import HistoryEntry, HistoryStore

PREVIEW_LIMIT = 200
MARKED_PIECE_STYLE = "reverse"


def safe_line(text: str, limit: int = PREVIEW_LIMIT) -> Text:
    """Text typed or hand-edited by the user, as one inert line for a list.

    A pasted or hand-edited message can hold real control, bidi or invisible characters; they
    are shown as escapes (marked, so a real tab differs from a typed `\\t`) by the same
    renderer that makes received bytes safe. Never parsed as markup. A typed backslash is
    composer syntax, not a byte: it is shown as typed, not doubled as received ones are.
    """
    line = Text(no_wrap=True, overflow="ellipsis")
    head = text[: limit + 1]  # no character is shown shorter than itself
    for index, part in enumerate(head.split("\\")):
        if index:
            line.append("\\")
        for piece in render_text(part.encode("utf-8", "surrogatepass")):
            line.append(piece.text, None if piece.kind == "text" else MARKED_PIECE_STYLE)
    line.truncate(limit, overflow="ellipsis")
    return line


class HistorySearchScreen(ModalScreen[HistoryEntry | None]):
    """Dismissed with the chosen message (newest first in the list), or None on Escape."""

    DEFAULT_CSS = """
    HistorySearchScreen { align: center middle; }
    HistorySearchScreen > Vertical {
        width: 90%; max-width: 120; height: auto; max-height: 80%;
        border: round $accent; background: $panel; padding: 1 2;
    }
    HistorySearchScreen Input { margin: 1 0 0 0; }
    HistorySearchScreen OptionList { height: auto; max-height: 20; margin: 1 0; }
    HistorySearchScreen #history-hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="history_search.cancel"),
        Binding("down,ctrl+r", "move(1)", "Older match", show=False, id="history_search.older"),
        Binding("up", "move(-1)", "Newer match", show=False, id="history_search.newer"),
    ]

    def __init__(self, history: HistoryStore, query: str = "") -> None:
        super().__init__()
        self.history = history
        self.query_text = query
        self.matches: list[HistoryEntry] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Search sent messages")
            yield OrderedInput(
                self.query_text, placeholder="type part of a message", id="history-query"
            )
            yield OptionList(id="history-matches")
            yield Label("", id="history-hint")

    def on_mount(self) -> None:
        self.show_matches(self.query_text)
        self.query_one("#history-query", Input).focus()

    @property
    def match_list(self) -> OptionList:
        return self.query_one("#history-matches", OptionList)

    @on(Input.Changed, "#history-query")
    def _query_changed(self, event: Input.Changed) -> None:
        self.show_matches(event.value)

    def show_matches(self, query: str) -> None:
        self.matches = self.history.search(query)
        options = self.match_list
        options.clear_options()
        for entry in self.matches:
            line = safe_line(entry.text)
            if query:
                line.highlight_words([query], "bold underline", case_sensitive=False)
            options.add_option(line)
        options.highlighted = 0 if self.matches else None
        total = len(self.history.entries)
        cancel = key_for(self, "history_search.cancel")
        self.query_one("#history-hint", Label).update(
            Text(
                f"{len(self.matches)} of {counted(total, 'message')} · ↑↓ choose · "
                f"Enter puts it in the composer · {cancel} cancels"
            )
        )

    def action_move(self, step: int) -> None:
        if step > 0:
            self.match_list.action_cursor_down()
        else:
            self.match_list.action_cursor_up()

    @on(Input.Submitted, "#history-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        index = self.match_list.highlighted
        if index is None:
            field_stays(event.input)  # nothing to choose: the keys behind the Enter are typed
        else:
            self.dismiss(self.matches[index])

    @on(OptionList.OptionSelected, "#history-matches")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.matches[event.option_index])
