"""The one question before a key throws captured bytes away: save, discard or cancel.

Closing a tab frees its capture and quitting frees them all. Bytes that were never saved are
then gone for good, so that key asks once; the `confirm_discard` setting turns the question
off for people who only ever look.
"""

from __future__ import annotations

from enum import Enum

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label


class DiscardChoice(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def unsaved_sentence(nbytes: int, tabs: int, quitting: bool) -> str:
    """What would be lost, in one sentence."""
    amount = f"{nbytes:,} byte{'s' if nbytes != 1 else ''}"
    holder = "The capture holds" if tabs == 1 else f"{tabs} tabs hold"
    action = "quitting" if quitting else "closing the tab"
    return f"{holder} {amount} never saved: {action} throws them away."


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

    def __init__(self, sentence: str, save_label: str = "Save…") -> None:
        super().__init__()
        self.sentence = sentence
        self.save_label = save_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.sentence), id="discard-question")
            with Horizontal():
                yield Button(self.save_label, variant="primary", id="discard-save")
                yield Button("Discard", variant="error", id="discard-discard")
                yield Button("Cancel", id="discard-cancel")
            yield Label(
                "s saves · d discards · Esc cancels · confirm_discard = false stops asking",
                id="discard-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one("#discard-save", Button).focus()

    def action_choose(self, choice: str) -> None:
        self.dismiss(DiscardChoice(choice))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(DiscardChoice((event.button.id or "discard-cancel").removeprefix("discard-")))
