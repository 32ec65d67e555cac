"""The "Copy as…" picker: what to copy (selection, message, all received) and in which format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Label, OptionList, RadioButton, RadioSet
from textual.widgets.option_list import Option

from tcptui.codec.formats import CopyFormat
from tcptui.ui.key_hints import key_for

CopyScope = Literal["selection", "chunk", "received"]
SCOPES: dict[CopyScope, str] = {
    "selection": "the selection",
    "chunk": "the message under the cursor",
    "received": "everything received",
}
FORMAT_LABELS: dict[CopyFormat, str] = {
    CopyFormat.TEXT: "text (UTF-8, invalid bytes as \\xNN)",
    CopyFormat.HEX: "hex  (de ad be ef)",
    CopyFormat.HEXDUMP: "hex dump (offset, hex, ASCII: hexdump -C)",
    CopyFormat.ESCAPED: "escaped string (\\x00 style)",
    CopyFormat.PYTHON: "Python bytes literal (b'...')",
    CopyFormat.C_ARRAY: "C array (unsigned char data[])",
    CopyFormat.BASE64: "base64",
}


@dataclass(frozen=True)
class CopyRequest:
    scope: CopyScope
    format: CopyFormat
    make_default: bool


class CopyScreen(ModalScreen[CopyRequest | None]):
    DEFAULT_CSS = """
    CopyScreen { align: center middle; }
    CopyScreen > Vertical {
        width: 64; height: auto; border: round $accent; background: $panel; padding: 1 2;
    }
    CopyScreen OptionList { height: auto; max-height: 12; margin: 1 0; }
    CopyScreen RadioSet { width: 1fr; }
    CopyScreen #copy-hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="copy.cancel")]

    def __init__(self, scope: CopyScope, default: CopyFormat, has_selection: bool) -> None:
        super().__init__()
        self.scope: CopyScope = scope
        self.default = default
        self.has_selection = has_selection

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Copy as…")
            with Horizontal(classes="-row"), RadioSet(id="scope"):
                for scope, label in SCOPES.items():
                    yield RadioButton(
                        label,
                        value=scope == self.scope,
                        id=f"scope-{scope}",
                        disabled=scope == "selection" and not self.has_selection,
                    )
            yield OptionList(
                *(Option(label, id=fmt.value) for fmt, label in FORMAT_LABELS.items()),
                id="formats",
            )
            copy, cancel = key_for(self, "log.copy"), key_for(self, "copy.cancel")
            yield Checkbox(Text(f"make this format the default for {copy}"), id="make-default")
            yield Label(Text(f"Enter copies · {cancel} cancels"), id="copy-hint")

    def on_mount(self) -> None:
        formats = self.query_one("#formats", OptionList)
        formats.highlighted = list(FORMAT_LABELS).index(self.default)
        formats.focus()

    @on(RadioSet.Changed, "#scope")
    def _scope_changed(self, event: RadioSet.Changed) -> None:
        pressed = event.pressed.id or ""
        self.scope = pressed.removeprefix("scope-")  # type: ignore[assignment]

    @on(OptionList.OptionSelected, "#formats")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        fmt = CopyFormat(event.option.id or CopyFormat.TEXT)
        make_default = self.query_one("#make-default", Checkbox).value
        self.dismiss(CopyRequest(self.scope, fmt, make_default))
