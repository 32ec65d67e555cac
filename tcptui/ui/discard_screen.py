"""The one question before a key throws captured bytes away: save, discard or cancel.

Closing a tab frees its capture and quitting frees them all. Bytes that were never saved are
then gone for good, so that key asks once; the `confirm_discard` setting turns the question
off for people who only ever look.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Label

from tcptui.ui.listener_view import ListenerView
from tcptui.ui.session_view import SessionView


class DiscardChoice(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


@dataclass
class Unsaved:
    """Captured bytes that no file holds, in some tabs."""

    nbytes: int = 0
    tabs: int = 0
    savable: SessionView | None = None
    """The first tab whose capture the save dialog can write; None if only clients a listener
    holds without a tab of their own have such bytes."""


def unsaved_in(panes: Iterable[Widget]) -> Unsaved:
    """What closing these tabs would throw away: their captures' unsaved bytes, and those of
    the clients their listeners hold without a tab (unless --save writes them)."""
    found = Unsaved()
    for pane in panes:
        nbytes = 0
        for view in pane.query(SessionView):
            nbytes += view.unsaved_bytes
            if view.unsaved_bytes and found.savable is None:
                found.savable = view
        for listener in pane.query(ListenerView):
            if listener.book.save_base is None:
                rows = listener.book.rows()
                nbytes += sum(row.bytes_in + row.bytes_out for row in rows if not row.has_tab)
        if nbytes:
            found.nbytes += nbytes
            found.tabs += 1
    return found


def unsaved_sentence(unsaved: Unsaved, quitting: bool) -> str:
    """What would be lost, in one sentence (two when only a listener's clients hold them)."""
    nbytes = unsaved.nbytes
    amount = f"{nbytes:,} byte{'s' if nbytes != 1 else ''}"
    holder = "The capture holds" if unsaved.tabs == 1 else f"{unsaved.tabs} tabs hold"
    action = "quitting" if quitting else "closing the tab"
    sentence = f"{holder} {amount} never saved: {action} throws them away."
    if unsaved.savable is None:
        sentence += " To keep a client's bytes, open its tab (Enter in the table), then ctrl+s."
    return sentence


class DiscardScreen(ModalScreen[DiscardChoice]):
    DEFAULT_CSS = """
    DiscardScreen { align: center middle; }
    DiscardScreen > Vertical {
        width: 70; height: auto; border: round $warning; background: $panel; padding: 1 2;
    }
    DiscardScreen Label { width: 100%; }
    DiscardScreen Horizontal { height: auto; margin: 1 0 0 0; }
    DiscardScreen Button { margin: 0 1 0 0; }
    DiscardScreen #discard-hint { color: $text-muted; margin: 1 0 0 0; }
    """
    BINDINGS = [
        Binding("s", "choose('save')", "Save", id="discard.save"),
        Binding("d", "choose('discard')", "Discard", id="discard.discard"),
        Binding("escape,c", "choose('cancel')", "Cancel", id="discard.cancel"),
    ]

    def __init__(self, unsaved: Unsaved, quitting: bool) -> None:
        super().__init__()
        self.sentence = unsaved_sentence(unsaved, quitting)
        self.can_save = unsaved.savable is not None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.sentence), id="discard-question")
            with Horizontal():
                if self.can_save:
                    yield Button("Save…", variant="primary", id="discard-save")
                yield Button("Discard", variant="error", id="discard-discard")
                yield Button("Cancel", id="discard-cancel")
            yield Label(
                "s saves · d discards · Esc cancels · confirm_discard = false stops asking",
                id="discard-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one("#discard-save" if self.can_save else "#discard-cancel", Button).focus()

    def action_choose(self, choice: str) -> None:
        if choice != DiscardChoice.SAVE.value or self.can_save:
            self.dismiss(DiscardChoice(choice))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(DiscardChoice((event.button.id or "discard-cancel").removeprefix("discard-")))
