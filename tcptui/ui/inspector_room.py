"""How the log's rows are shared with the data inspector when it sits under the views.

On a short terminal the inspector, with two stacked views above it, left the view being
inspected a row or two: the bytes the readings are about went out of sight. The view with the
focus comes first: it keeps VIEW_KEEPS_ROWS rows of bytes; the inspector takes what its
readings need, up to a share of the room, and scrolls for the rest; the other stacked view
stays only while it too keeps its rows, and otherwise steps aside until there is room again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tcptui.ui.key_hints import key_for
from tcptui.ui.search_bar import SearchBar
from tcptui.ui.transcript_view import TranscriptView

if TYPE_CHECKING:
    from tcptui.ui.receive_log import ReceiveLog

VIEW_KEEPS_ROWS = 6
"""Rows of bytes the inspected view keeps under the inspector, whatever the terminal's height."""
VIEW_BORDER_ROWS = 2
INSPECTOR_BORDER_ROWS = 2
INSPECTOR_FEWEST = 1 + INSPECTOR_BORDER_ROWS
"""One reading and the panel's border: less would not be a panel."""


@dataclass(frozen=True)
class RowShare:
    """The inspector's greatest height, and whether the view without the focus is shown."""

    inspector: int
    other_view_shown: bool


def view_height(rows: int) -> int:
    """The height of a view showing `rows` rows of bytes."""
    return rows + VIEW_BORDER_ROWS


def share_rows(room: int, readings: int, *, all_rows: bool, stacked_pair: bool) -> RowShare:
    """Share `room` rows between the views and an inspector of `readings` rows.

    The inspector takes up to half the room (two thirds when `m` asked for all its rows), never
    so much that the inspected view is left fewer than VIEW_KEEPS_ROWS rows. With two views
    stacked, the other one stays only if both keep that many."""
    keeps = view_height(VIEW_KEEPS_ROWS)
    share = room * 2 // 3 if all_rows else room // 2
    wanted = readings + INSPECTOR_BORDER_ROWS
    inspector = max(INSPECTOR_FEWEST, min(wanted, share, room - keeps))
    return RowShare(inspector, not stacked_pair or room - inspector >= 2 * keeps)


class InspectorRoom:
    """Applies share_rows to one log: the inspector's height and the view that steps aside."""

    def __init__(self, log: ReceiveLog) -> None:
        self._log = log
        self.inspected: TranscriptView | None = None
        """The view last focused: the one the inspector reads for, kept in sight."""
        self._aside: TranscriptView | None = None
        self._applied: tuple[object, ...] = ()
        """What the last fit did to an open inspector (nothing: closed): on a change, the
        views' sizes change and the cursor is brought back into sight."""

    def view_aside(self) -> TranscriptView | None:
        """The stacked view hidden to leave the inspected one its rows, if any."""
        return self._aside

    def fit(self) -> None:
        """Share the log's rows again (the inspector opened, closed or changed its readings,
        the focus moved to the other view, the layout or the terminal changed)."""
        log = self._log
        inspector = log.inspector
        share = self._share()
        inspector.styles.max_height = None if share is None else share.inspector
        aside = None
        if share is not None and not share.other_view_shown:
            aside = log.text_view if self.inspected is log.hex_view else log.hex_view
        self._step_aside(aside)
        inspector.name_view_aside("" if aside is None else self._hint(aside))
        applied = (inspector.has_class("-beside"), share, aside) if inspector.display else ()
        if applied != self._applied:
            self._applied = applied
            log.call_after_refresh(self._reveal_cursors)

    def _step_aside(self, aside: TranscriptView | None) -> None:
        """Hide `aside` and show the view hidden before. Inline, not a class: a class takes
        effect with the next styles update, and a Tab typed before it would find the views
        in the focus chain not yet swapped."""
        if aside is self._aside:
            return
        if self._aside is not None:
            self._aside.styles.display = None  # as its layout has it
        if aside is not None:
            aside.styles.display = "none"
        self._aside = aside

    def _share(self) -> RowShare | None:
        """The rows of an inspector under the log; None if it is closed or beside the log."""
        log = self._log
        inspector = log.inspector
        if not inspector.display or inspector.has_class("-beside"):
            return None
        return share_rows(
            self._room(),
            inspector.option_count,
            all_rows=inspector.all_rows,
            stacked_pair=log.view_layout == "dual" and log.has_class("-stacked"),
        )

    def _reveal_cursors(self) -> None:
        """Bring the cursor's row back into the views, once each has taken its new size: the
        layout has queued its Resize (which may scroll a view to the tail) before this."""
        for view in self._log.query(TranscriptView):  # none once the tab is going away
            if view.display:
                view.call_later(view.reveal_cursor)

    def _hint(self, aside: TranscriptView) -> str:
        """The key that brings the view back from the one inspected: Tab goes down to the hex
        view, shift+Tab up to the text view."""
        if aside is self._log.hex_view:
            return f"{key_for(aside, 'app.focus_next')} shows the hex view"
        return f"{key_for(aside, 'app.focus_previous')} shows the text view"

    def _room(self) -> int:
        """The rows the views and the inspector share: the log's less its search bar and
        status line."""
        log = self._log
        below = (log.query_one(SearchBar), log.query_one("#log-status"))
        return log.size.height - sum(part.outer_size.height for part in below if part.display)
