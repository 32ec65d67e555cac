"""The listener tab's table of clients: one row each, until someone opens a client's tab.

A row costs a few cells of text where a tab costs some 70 widgets, so a listener holds
hundreds of clients without the UI slowing down; Enter on a row asks for the client's tab.
Rows are updated in place, cell by cell, only where a value changed: the table is refreshed
a few times a second while clients come and go, and the cursor stays where the person put it.
Peer addresses come from the network: every cell is a Text, never parsed as markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from tcptui.net.listen_clients import ClientRow
from tcptui.net.session import SessionState
from tcptui.ui.tab_label import STATE_DOTS

COLUMNS = ("#", "peer", "state", "bytes in", "bytes out", "age")


def describe_age(seconds: float) -> str:
    """Whole seconds for the first minute, then minutes, then hours: it changes rarely."""
    if seconds < 60:
        return f"{int(seconds)} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    return f"{int(seconds // 3600)} h"


def row_cells(row: ClientRow) -> tuple[str, ...]:
    state = row.state if row.state is not SessionState.IDLE else SessionState.CONNECTING
    shown = f"{STATE_DOTS[state]} {state.value}{' · tab' if row.has_tab else ''}"
    return (
        str(row.number),
        row.peer,
        shown,
        f"{row.bytes_in:,}",
        f"{row.bytes_out:,}",
        describe_age(row.age),
    )


class ClientTable(DataTable[Text]):
    """Rows of ClientRow; posts Chosen when Enter (or a click) picks one."""

    DEFAULT_CSS = """
    ClientTable { height: 1fr; }
    """

    class Chosen(Message):
        """The person asked for client `number`'s tab."""

        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._shown: dict[str, tuple[str, ...]] = {}

    def on_mount(self) -> None:
        for name in COLUMNS:
            self.add_column(Text(name), key=name)

    def show(self, rows: list[ClientRow]) -> None:
        """Make the table list exactly `rows`, touching only what changed."""
        wanted = {str(row.number): row_cells(row) for row in rows}
        for key in [key for key in self._shown if key not in wanted]:
            self.remove_row(key)
            del self._shown[key]
        for key, cells in wanted.items():
            before = self._shown.get(key)
            if before is None:
                self.add_row(*(Text(cell) for cell in cells), key=key)
            elif before != cells:
                for column, old, new in zip(COLUMNS, before, cells, strict=True):
                    if old != new:
                        self.update_cell(key, column, Text(new), update_width=True)
            self._shown[key] = cells

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Chosen(int(event.row_key.value)))
