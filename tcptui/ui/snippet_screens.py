"""Saving the composer's message as a named snippet, and picking a snippet to send."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static

from tcptui.codec.composer_syntax import Syntax
from tcptui.ui.history_screen import safe_line
from tcptui.ui.key_hints import key_for
from tcptui.ui.ordered_keys import OrderedInput, field_stays
from tcptui.user_files.snippets import Snippet

SNIPPET_KEY_COUNT = 12
SNIPPET_PREVIEW_LIMIT = 60


def snippet_keys(index: int) -> str:
    """The binding keys for the snippet at `index` (0-based, below SNIPPET_KEY_COUNT).

    Most terminals send shift+F1 … shift+F12 as the sequences Textual names f13 … f24; the
    kitty keyboard protocol reports them as shift+f1 …, so a binding needs both names.
    """
    return f"shift+f{index + 1},f{index + 13}"


def snippet_key_label(node: DOMNode, index: int) -> str:
    """What the user presses for the snippet at `index`, or "" past the twelfth."""
    return key_for(node, f"snippets.send_{index + 1}") if index < SNIPPET_KEY_COUNT else ""


class SaveSnippetScreen(ModalScreen[str | None]):
    """Asks for a name, saying before Enter whether it adds a snippet or replaces one.

    Dismissed with the name (surrounding spaces removed) or None on Escape.
    """

    DEFAULT_CSS = """
    SaveSnippetScreen { align: center middle; }
    SaveSnippetScreen > Vertical {
        width: 70; height: auto; border: round $accent; background: $panel; padding: 1 2;
    }
    SaveSnippetScreen #snippet-text { margin: 1 0; color: $text-muted; }
    SaveSnippetScreen #snippet-name-status { color: $text-muted; }
    SaveSnippetScreen #snippet-name-status.-replaces { color: $warning; }
    SaveSnippetScreen #snippet-name-status.-error { color: $error; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="save_snippet.cancel")]

    def __init__(self, text: str, existing_names: Sequence[str]) -> None:
        super().__init__()
        self.text = text
        self.existing_names = list(existing_names)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Save the composer's message as a snippet")
            yield Static(safe_line(self.text), id="snippet-text")
            yield OrderedInput(placeholder="snippet name", id="snippet-name")
            yield Static("", id="snippet-name-status")
            yield Label("Enter saves · Esc cancels", id="snippet-hint")

    def on_mount(self) -> None:
        self.query_one("#snippet-name", Input).focus()
        self._describe("")

    @on(Input.Changed, "#snippet-name")
    def _name_changed(self, event: Input.Changed) -> None:
        self._describe(event.value)

    def _describe(self, typed: str) -> None:
        name = typed.strip()
        status = self.query_one("#snippet-name-status", Static)
        status.set_class(name in self.existing_names, "-replaces")
        status.set_class(False, "-error")
        if not name:
            status.update("Type a name for the snippet.")
        elif name in self.existing_names:
            status.update(Text.assemble("Replaces the snippet ", safe_line(name), "."))
        else:
            key = snippet_key_label(self, len(self.existing_names))
            status.update(Text("New snippet" + (f", sent with {key}." if key else ".")))

    @on(Input.Submitted, "#snippet-name")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if name:
            self.dismiss(name)
            return
        field_stays(event.input)  # it stays open: the keys behind the Enter are typed
        status = self.query_one("#snippet-name-status", Static)
        status.set_class(True, "-error")
        status.update("A snippet needs a name.")


class SnippetPickerScreen(ModalScreen[Snippet | None]):
    """Lists the snippets in file order with their key and a safe preview of their text.

    Dismissed with the chosen Snippet, or None on Escape.
    """

    DEFAULT_CSS = """
    SnippetPickerScreen { align: center middle; }
    SnippetPickerScreen > Vertical {
        width: 90%; max-width: 110; height: auto; max-height: 80%;
        border: round $accent; background: $panel; padding: 1 2;
    }
    SnippetPickerScreen OptionList { height: auto; max-height: 20; margin: 1 0; }
    SnippetPickerScreen #snippet-picker-hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="snippet_picker.cancel")]

    def __init__(self, snippets: Sequence[Snippet]) -> None:
        super().__init__()
        self.snippets = list(snippets)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Send a snippet")
            yield OptionList(
                *(
                    snippet_prompt(snippet_key_label(self, index), snippet)
                    for index, snippet in enumerate(self.snippets)
                ),
                id="snippet-list",
            )
            cancel = key_for(self, "snippet_picker.cancel")
            yield Label(
                Text(f"Enter sends · {cancel} cancels")
                if self.snippets
                else "No snippets yet: save the composer's message with "
                "“Save composer as snippet…” in the command palette (ctrl+p).",
                id="snippet-picker-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#snippet-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#snippet-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.snippets[event.option_index])


def snippet_prompt(key: str, snippet: Snippet) -> Text:
    """`shift+F1  login  USER bob\\r\\n  text · CRLF`: key, name, what it sends, how."""
    if snippet.syntax is Syntax.HEX:
        ending = "no line ending"
    elif snippet.line_ending is not None:
        ending = snippet.line_ending.label
    else:
        ending = "composer's ending"
    name = safe_line(snippet.name, SNIPPET_PREVIEW_LIMIT)
    name.stylize("bold")
    return Text.assemble(
        (f"{key:<11}", "dim"),
        name,
        "  ",
        safe_line(snippet.text, SNIPPET_PREVIEW_LIMIT),
        (f"  {snippet.syntax.value} · {ending}", "dim"),
        no_wrap=True,
        overflow="ellipsis",
    )
