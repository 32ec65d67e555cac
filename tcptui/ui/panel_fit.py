"""The full connection panel, or its one-line summary, for the width a tab has.

Beside a log too narrow for whole hex rows the panel gives way to a line (see
connection_summary.py); ctrl+l shows or hides the full panel whatever the width, and that
choice sticks until pressed again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tcptui.ui.connection_summary import ConnectionSummary, shows_full_panel

if TYPE_CHECKING:
    from tcptui.ui.session_view import SessionView


class PanelFit:
    """Which of the panel and the summary line one tab shows."""

    def __init__(self, view: SessionView) -> None:
        self._view = view
        self.choice: bool | None = None
        """ctrl+l's choice: the full panel shown or not, whatever the width; None: by width."""

    def toggle(self) -> None:
        """Show the full panel if hidden, else the summary line, from now on."""
        self.choice = not self._view.panel.display
        self.fit()

    def fit(self, columns: int | None = None) -> None:
        """The full panel beside the log where the log keeps whole hex rows, else a line."""
        view = self._view
        connected = view.session is not None or view.opened_meta is not None
        full = shows_full_panel(columns or view.size.width, self.choice, connected)
        panel = view.panel
        summary = view.query_one(ConnectionSummary)
        if panel.display == full and summary.display != full:
            return
        if not full and panel.has_focus_within:
            view.composer.input.focus()
        panel.display = full
        summary.show(not full)
