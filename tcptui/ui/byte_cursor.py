"""The log's byte cursor and selections: keys move a cursor as a hex editor's does; the mouse
selects the text as painted.

In hexedit or a hex editor, Home, End, PgUp and PgDn move the cursor, not only the view, so
a selection being made (`v`) grows with them: `v`, End, `c` copies from the cursor to the last
byte. End also follows the tail, as in `less +F`. Every jump is instant: an animated scroll
let the next key land mid-way on a big capture. The cursor and the selection are shared with
the companion view (SharedMarks). A mouse selection reads the rows as painted (DESIGN.md
fact 6); a double-click selects the whole view, so what it copies is capped.

A mixin of TranscriptView: its steps are the widget's actions and focus handlers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.scroll_view import ScrollView
from textual.selection import Selection

from tcptui.capture.log_units import LogUnits
from tcptui.ui.byte_marks import SharedMarks
from tcptui.ui.transcript_layout import RowRef, TranscriptLayout
from tcptui.ui.transcript_rows import HexPainter, TextPainter

if TYPE_CHECKING:  # checked as the ScrollView it is mixed into; a plain class at run time
    from textual.reactive import reactive

    _ViewBase = ScrollView
else:
    _ViewBase = object

MAX_MOUSE_SELECTION_ROWS = 20_000


class ByteCursor(_ViewBase):
    """A byte cursor and a selection moved by keys; the text under a mouse selection."""

    _selecting = False
    """`v` started a selection: the cursor's moves grow it until `v` or escape."""

    if TYPE_CHECKING:  # what this part uses of the view and of its other parts
        marks: SharedMarks
        layout_rows: TranscriptLayout
        following: reactive[bool]

        @property
        def painter(self) -> TextPainter | HexPainter: ...
        @property
        def units(self) -> LogUnits: ...
        def row_text(self, y: int) -> str: ...
        def action_follow(self) -> None: ...
        def _first_row(self, unit: int) -> int: ...
        def _cursor_changed(self) -> None: ...

    # -- mouse selection ---------------------------------------------------------------------

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The painted text under a mouse selection, capped: a double-click selects it all."""
        first = selection.start.y if selection.start is not None else 0
        last = selection.end.y if selection.end is not None else self.layout_rows.total_rows - 1
        last = min(last, first + MAX_MOUSE_SELECTION_ROWS - 1, self.layout_rows.total_rows - 1)
        text = "\n".join(self.row_text(y) for y in range(first, last + 1))
        shifted = Selection(
            None if selection.start is None else selection.start._replace(y=0),
            None if selection.end is None else selection.end._replace(y=last - first),
        )
        return shifted.extract(text), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    # -- where the cursor is -----------------------------------------------------------------

    def on_focus(self) -> None:
        self._place_on_focus()
        self._cursor_changed()

    def on_blur(self) -> None:
        self.refresh()

    def _place_on_focus(self) -> None:
        """Where the cursor starts when the log first takes the focus: on the newest block
        while the view follows a tail it scrolled to (that is what is on screen; on its last
        row if the block starts above the view), else on the block at the top. A cursor
        placed before stays where it is, as in any editor."""
        units = self.units
        if self.marks.cursor.offset is not None or not units.total_bytes:
            return
        if self.following and self.scroll_y > 0:
            newest = units.unit(units.unit_at(units.total_bytes - 1))
            self.marks.cursor.offset = newest.offset
            row = self.cursor_row()
            last = self._content_row_near(self.layout_rows.total_rows - 1, -1)
            if row is not None and row < self.scroll_y and last is not None:
                start = units.unit(last.unit).offset
                self.marks.cursor.offset = start + self.painter.row_span(last)[0]
            return
        ref = self.layout_rows.locate(round(self.scroll_y))
        offset = units.unit(ref.unit).offset if ref is not None else 0
        self.marks.cursor.offset = units.unit(units.unit_at(offset)).offset

    def cursor_place(self, offset: int) -> tuple[RowRef, int]:
        """The content row showing capture byte `offset`, and the byte's column in that row
        (a byte not in the units yet: their last byte)."""
        units = self.units
        offset = min(offset, units.total_bytes - 1)
        index = units.unit_at(offset)
        local = offset - units.unit(index).offset
        ref = RowRef(index, self.painter.row_of_byte(index, local))
        return ref, local - self.painter.row_span(ref)[0]

    def set_cursor(self, offset: int, extend: bool = False) -> None:
        cursor = self.marks.cursor
        total = self.units.total_bytes
        if not total:
            return
        if extend and cursor.anchor is None:
            cursor.anchor = cursor.offset
        elif not extend and not self._selecting:
            cursor.anchor = None
        cursor.offset = max(0, min(offset, total - 1))
        self._cursor_changed()

    def cursor_row(self) -> int | None:
        """The transcript row of the cursor; None without a cursor."""
        if self.marks.cursor.offset is None or not self.units.total_bytes:
            return None
        ref, _ = self.cursor_place(self.marks.cursor.offset)
        self._first_row(ref.unit)  # measured up to it
        return self.layout_rows.content_row(ref.unit) + ref.row

    def reveal_cursor(self) -> None:
        """Scroll so the cursor's row is on screen."""
        row = self.cursor_row()
        if row is not None:
            height = self.scrollable_content_region.height
            if row < self.scroll_y:
                self.scroll_to(y=row, animate=False, immediate=True, force=True)
            elif row >= self.scroll_y + height:
                self.scroll_to(y=row - height + 1, animate=False, immediate=True, force=True)

    # -- moves -------------------------------------------------------------------------------

    def action_move_bytes(self, delta: int, extend: bool = False) -> None:
        current = self.marks.cursor.offset
        self.set_cursor(0 if current is None else current + delta, extend)

    def action_move_rows(self, delta: int, extend: bool = False) -> None:
        """Move the cursor `delta` rows down (up if negative), keeping its column where it can."""
        offset = self.marks.cursor.offset
        row = self.cursor_row()
        if offset is None or row is None:
            self.set_cursor(0, extend)
            return
        place, column = self.cursor_place(offset)
        target = self._content_row_near(row + delta, 1 if delta > 0 else -1)
        if target is None or target == place:
            return
        start, end = self.painter.row_span(target)
        unit_offset = self.units.unit(target.unit).offset
        self.set_cursor(unit_offset + min(start + column, end - 1), extend)

    def _content_row_near(self, y: int, step: int) -> RowRef | None:
        """The content row at `y`, else the nearest one beyond it in the direction of `step`,
        else the nearest one back (headers and events hold no bytes); `y` is clamped to the
        transcript."""
        total = self.layout_rows.total_rows
        y = max(0, min(y, total - 1))
        for direction in (step, -step):
            probe = y
            while 0 <= probe < total:
                ref = self.layout_rows.locate(probe)
                if ref is not None and ref.row >= 0:
                    return ref
                probe += direction
        return None

    def action_move_pages(self, delta: int) -> None:
        """PgUp/PgDn: the view moves a page at once, and the cursor with it."""
        height = max(1, self.scrollable_content_region.height)
        self.scroll_to(y=self.scroll_y + delta * height, animate=False, immediate=True, force=True)
        if self.units.total_bytes:
            self.action_move_rows(delta * height)

    def action_cursor_first(self) -> None:
        """Home, ctrl+Home, g: the cursor on the first byte, the view at the top."""
        self.set_cursor(0)
        self.scroll_to(y=0, animate=False, immediate=True, force=True)

    def action_cursor_last(self) -> None:
        """End, ctrl+End, G: the cursor on the last byte, and the view follows the tail."""
        if self.units.total_bytes:
            self.set_cursor(self.units.total_bytes - 1)
        self.action_follow()

    def action_move_chunks(self, delta: int) -> None:
        """`[` and `]`: the cursor to the start of the previous or next message (block)."""
        units = self.units
        if not units.total_bytes:
            return
        current = units.unit(units.unit_at(self.marks.cursor.offset or 0)).message
        message = max(0, min(current + delta, units.messages - 1))
        self.set_cursor(units.unit(units.unit_of_message(message)).offset, extend=False)

    # -- keyboard selection ------------------------------------------------------------------

    def action_toggle_selection(self) -> None:
        """Start a selection at the cursor (like vim's visual mode), or end it."""
        cursor = self.marks.cursor
        self._selecting = not self._selecting
        if self._selecting:
            cursor.anchor = cursor.offset
        self._cursor_changed()

    def action_select_chunk(self) -> None:
        """`a`: select the message (block) under the cursor."""
        units = self.units
        if self.marks.cursor.offset is None or not units.total_bytes:
            return
        unit = units.unit(units.unit_at(self.marks.cursor.offset))
        self.marks.cursor.anchor = unit.offset
        self.marks.cursor.offset = unit.end - 1
        self._cursor_changed()

    def action_clear_selection(self) -> None:
        self._selecting = False
        self.marks.cursor.anchor = None
        self._cursor_changed()
