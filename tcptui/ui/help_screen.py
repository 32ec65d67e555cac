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

from tcptui.ui.key_hints import KeyHints

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
KEYS_WIDTH = 22


def binding_rows(bindings: Iterable[Binding], hints: KeyHints) -> dict[str, list[tuple[str, str]]]:
    """(keys, description) per area, in declaration order, as the user's keymap has them."""
    rows: dict[str, list[tuple[str, str]]] = {area: [] for area in AREAS}
    for binding in bindings:
        if not binding.id:
            continue
        area = binding.id.split(".", 1)[0]
        shown = ", ".join(hints.keys(binding.id))
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

    def __init__(self, bindings: Iterable[Binding], hints: KeyHints) -> None:
        super().__init__()
        self.hints = hints
        self.rows = binding_rows(bindings, hints)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(
                Text(
                    f"tcptui keys · {self.hints.key('help.close')} closes · "
                    "ctrl+p finds any action by name",
                    style="bold",
                )
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
                # The action column takes the rest, so the keys column keeps its width and
                # every section lines up (with both flexible, each section spread its own way).
                table.add_column("keys", style="bold #ffd75f", width=KEYS_WIDTH, no_wrap=True)
                table.add_column("action", ratio=1)
                for keys, description in rows:
                    table.add_row(Text(keys), Text(description))
                yield Static(table)
