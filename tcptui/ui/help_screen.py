"""The help screen: every key binding, as currently mapped, grouped by area."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

AREAS = {
    "tabs": "Tabs",
    "session": "Connection",
    "listener": "Listener tab",
    "composer": "Composer",
    "log": "Receive log (when focused)",
    "inspector": "Data inspector (i in the log)",
    "search": "Search bar",
    "capture": "Copy and save",
    "snippets": "Snippets (shift+F1 … shift+F12)",
    "app": "Application",
}


def binding_rows(
    bindings: Iterable[Binding], keymap: dict[str, str]
) -> dict[str, list[tuple[str, str]]]:
    """(keys, description) per area, in declaration order, using the user's keymap."""
    rows: dict[str, list[tuple[str, str]]] = {area: [] for area in AREAS}
    for binding in bindings:
        if not binding.id:
            continue
        area = binding.id.split(".", 1)[0]
        keys = keymap.get(binding.id, binding.key)
        shown = ", ".join(key.replace("_", " ") for key in keys.split(","))
        rows.setdefault(area, []).append((shown, binding.description or binding.action))
    return rows


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-height: 90%; border: round $accent; background: $panel; padding: 0 2;
    }
    """
    BINDINGS = [
        Binding("escape,f1,question_mark,q", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, bindings: Iterable[Binding], keymap: dict[str, str]) -> None:
        super().__init__()
        self.rows = binding_rows(bindings, keymap)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(
                Text("tcptui keys · Esc closes · ctrl+p finds any action by name", style="bold")
            )
            for area, rows in self.rows.items():
                if not rows:
                    continue
                table = Table(
                    title=AREAS.get(area, area),
                    title_justify="left",
                    expand=True,
                    show_header=False,
                    box=None,
                    padding=(0, 1),
                )
                table.add_column("keys", style="bold #ffd75f", width=22)
                table.add_column("action")
                for keys, description in rows:
                    table.add_row(Text(keys), Text(description))
                yield Static(table)
