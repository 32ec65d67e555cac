"""How a transcript view follows the tail of its capture, as `tail -f` and `less +F` do.

While the view is scrolled to the bottom it follows new data; scrolled up, it stays where it
is and says how many bytes arrived below, unseen. The view's extent grows with its rows, and
with its widest row (horizontal scrolling), without moving the tail out of view.

A mixin of TranscriptView: its steps run from the widget's scroll watcher and refreshes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.geometry import Size
from textual.scroll_view import ScrollView

from tcptui.capture.store import Capture
from tcptui.ui.row_measuring import REMEASURING_NOTE
from tcptui.ui.textual_internals import update_scrollbars
from tcptui.ui.transcript_layout import TranscriptLayout
from tcptui.ui.transcript_rows import HexPainter, TextPainter

if TYPE_CHECKING:  # checked as the ScrollView it is mixed into; a plain class at run time
    from textual.reactive import reactive

    _ViewBase = ScrollView
else:
    _ViewBase = object


class TailFollowing(_ViewBase):
    """The tail in view while following; a note of what arrived unseen while not."""

    _bytes_when_left_bottom = 0
    _unseen_note = ""
    _quiet = False
    """Scrolling now moves this view only: the other view is not told to follow."""
    _widest = 0
    """The widest row painted since the rows were measured: the view scrolls that far."""

    if TYPE_CHECKING:  # what this part uses of the view and of its other parts
        capture: Capture
        layout_rows: TranscriptLayout
        following: reactive[bool]
        _painter: TextPainter | HexPainter
        _remeasuring: tuple[TextPainter | HexPainter, TranscriptLayout] | None

        def _first_row(self, unit: int) -> int: ...

    def _note_scroll(self, new_value: float) -> None:
        """Follow the tail once scrolled to the bottom; stop following once scrolled up."""
        at_bottom = round(new_value) >= self.max_scroll_y
        if at_bottom != self.following:
            if not at_bottom:
                self._bytes_when_left_bottom = self.capture.total_bytes
            self.following = at_bottom
            self._show_unseen()

    def scroll_to_byte(self, unit: int, offset: int, *, header: bool = False) -> None:
        """Put the row showing byte `offset` of `unit` at the top, without echoing it back."""
        row = self._first_row(unit)
        if not header:
            row = self.layout_rows.content_row(unit) + self._painter.row_of_byte(unit, offset)
        self._quiet = True
        try:
            self.scroll_to(y=row, animate=False, immediate=True, force=True)
        finally:
            self._quiet = False

    def _show_unseen(self) -> None:
        unseen = self.capture.total_bytes - self._bytes_when_left_bottom
        note = (
            "" if self.following or unseen <= 0 else f"▼ {unseen:,} new bytes below · End to follow"
        )
        if self._remeasuring is not None:
            note = REMEASURING_NOTE
        if note != self._unseen_note:  # setting a border title repaints every row of the view
            self._unseen_note = note
            self.border_subtitle = note

    def _scroll_to_tail(self) -> None:
        # force: the scrollbar may not be shown yet when the first rows arrive.
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)

    def action_follow(self) -> None:
        self._scroll_to_tail()
        self.following = True
        self._show_unseen()

    def _update_virtual_size(self) -> None:
        painter = self._painter
        content = painter.row_cells if isinstance(painter, HexPainter) else self._painter_width()
        size = Size(max(content, self._widest), self.layout_rows.total_rows)
        old = self.virtual_size
        if self.show_vertical_scrollbar and size.width == old.width and size.height >= old.height:
            # Rows added below a view that already scrolls: the scrollbars need new extents,
            # not a layout of the whole screen, which setting `virtual_size` asks for (a
            # reflow of every widget on each take of a flood, which slows its frames).
            self.set_reactive(ScrollView.virtual_size, size)
            update_scrollbars(self, size)
            self.refresh()
        else:
            self.virtual_size = size
        if self.following:
            self._scroll_to_tail()

    def _widen(self) -> None:
        """A row is wider than the view: allow horizontal scrolling, and keep the tail visible
        once the new scrollbar has taken its row."""
        self._update_virtual_size()
        if self.following:
            self.call_after_refresh(self._scroll_to_tail)

    def _painter_width(self) -> int:
        return self._painter.row_cells
