"""A small modal that asks for one value and checks it before accepting it."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tcptui.ui.key_hints import key_for
from tcptui.ui.literal import literal
from tcptui.ui.ordered_keys import OrderedInput, field_stays

Validator = Callable[[str], str | None]
"""Returns an error sentence, or None when the value is fine."""


class PromptScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    PromptScreen > Vertical {
        width: 70; height: auto; border: round $accent; background: $panel; padding: 1 2;
    }
    PromptScreen #prompt-question { width: 100%; }
    PromptScreen #prompt-error { color: $error; height: auto; }
    PromptScreen #prompt-hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="prompt.cancel")]

    def __init__(
        self,
        title: str,
        value: str = "",
        placeholder: str = "",
        validate: Validator | None = None,
        *,
        to_complete: bool = False,
    ) -> None:
        """`to_complete`: `value` is a start to type on from (the cursor at its end), not a
        suggestion that the first key replaces."""
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.validate = validate
        self.to_complete = to_complete

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(literal(self.title_text), id="prompt-question")
            yield OrderedInput(
                self.value,
                placeholder=self.placeholder,
                id="prompt-input",
                select_on_focus=not self.to_complete,
            )
            yield Static("", id="prompt-error")
            cancel = key_for(self, "prompt.cancel")
            yield Label(literal(f"Enter accepts · {cancel} cancels"), id="prompt-hint")

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.validate(event.value) if self.validate else None
        if error:
            self.query_one("#prompt-error", Static).update(literal(error))
            field_stays(event.input)  # it stays open: the keys behind the Enter are typed
            return
        self.dismiss(event.value)
