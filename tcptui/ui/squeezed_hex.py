"""The hex view's squeezed rows for each block of a capture, scanned a slice at a time.

How many rows a block takes once its repeats are squeezed depends on its bytes, and a block
may be a gigabyte: counting it is a scan (codec.hex_squeeze) done `SCAN_SLICE` bytes a call,
so the layout's measuring, which stops when its time is spent, never waits on one block for
long. `rows(index)` answers None until the block is scanned through.

Only blocks with squeezed runs keep their runs (a few numbers a run); a block without is
shown row for row, as unsqueezed. The last block is kept whatever it holds: it may grow, and
is scanned on from where it was.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from tcptui.codec.hex_squeeze import MIN_RUN_ROWS, RowSpan, SqueezedRows
from tcptui.codec.text_rows import fixed_row_count
from tcptui.ui.byte_marks import MarkKind, SearchMatches, SharedMarks

SCAN_SLICE = 1 << 20
"""Bytes of a block scanned in one call: about a millisecond of random bytes, a tenth of zeros."""
STAR_DETAIL = Style(color="#8a8a8a")


class SqueezedBlocks:
    """Squeezed rows of the blocks of a capture, for hex rows of `row_bytes`."""

    def __init__(
        self,
        length_of: Callable[[int], int],
        read: Callable[[int, int, int], bytes],
        row_bytes: int,
    ) -> None:
        self._length_of = length_of
        self._read = read
        self.row_bytes = row_bytes
        self._blocks: dict[int, SqueezedRows] = {}
        self._last = -1

    def rows(self, index: int) -> int | None:
        """Rows block `index` shows, or None while its scan goes on (call again)."""
        length = self._length_of(index)
        size = self.row_bytes
        whole = length // size
        if whole <= MIN_RUN_ROWS:
            return fixed_row_count(length, size)  # too short to hold a run that folds
        model = self._blocks.get(index)
        if model is None:
            model = self._blocks[index] = SqueezedRows(size)
        first = model.scanned_rows
        if first < whole:
            rows = min(whole - first, max(1, SCAN_SLICE // size))
            start = max(0, first - 1)
            model.scan(self._read(index, start * size, (first + rows - start) * size), first)
            if model.scanned_rows < whole:
                return None
        self._keep(index, model)
        return model.count(length)

    def _keep(self, index: int, model: SqueezedRows) -> None:
        """Forget the runs of a block with none, unless it is the last (which may grow)."""
        if index >= self._last:
            previous, self._last = self._last, index
            old = self._blocks.get(previous)
            if previous != index and old is not None and not old.runs:
                del self._blocks[previous]
        elif not model.runs:
            del self._blocks[index]

    def may_squeeze(self, index: int) -> bool:
        """Whether block `index` may show `*` rows: it has runs (or is still scanned)."""
        return index in self._blocks

    def span(self, index: int, shown: int) -> RowSpan:
        """The bytes of block `index` that its shown row `shown` stands for."""
        length = self._length_of(index)
        model = self._blocks.get(index)
        if model is None:
            start = shown * self.row_bytes
            return RowSpan(start, min(length, start + self.row_bytes), False)
        return model.span(shown, length)

    def shown_row(self, index: int, offset: int) -> int:
        model = self._blocks.get(index)
        return offset // self.row_bytes if model is None else model.shown_row(offset)


def star_row(span: RowSpan, row_bytes: int, star_style: Style, cells: int, separator: str) -> Strip:
    """A `*` row, as `hexdump -C` prints it, and how many rows and bytes it stands for."""
    rows = (span.end - span.start) // row_bytes
    detail = f"  {rows:,} more rows as above{separator}{span.end - span.start:,} B"
    strip = Strip([Segment("*", star_style), Segment(detail, STAR_DETAIL)])
    return strip if strip.cell_length <= cells else strip.crop(0, cells)


def star_marks(
    start: int, end: int, marks: SharedMarks, show_cursor: bool
) -> tuple[tuple[int, int, MarkKind], ...]:
    """The one mark a `*` row shows for the capture bytes [start, end) it stands for: the
    cursor if it is there, else the topmost of the current match, the selection, a match.
    Looked up without listing what lies inside: a run may hold a million matches."""
    cursor = marks.cursor
    if show_cursor and cursor.offset is not None and start <= cursor.offset < end:
        return ((0, 1, "cursor"),)
    selection = cursor.selection()
    matches = marks.matches
    if matches is not None and 0 <= matches.current < len(matches.starts):
        current = matches.starts[matches.current]
        if start <= current < end:
            return ((0, 1, "current-match"),)
    if selection is not None and selection[0] < end and selection[1] > start:
        return ((0, 1, "selection"),)
    if matches is not None and _any_match_in(matches, start, end):
        return ((0, 1, "match"),)
    return ()


def _any_match_in(matches: SearchMatches, start: int, end: int) -> bool:
    """Whether a match touches [start, end): the last one starting at or before `start`
    (it may reach into the span), or the first one starting after it."""
    after = bisect.bisect_right(matches.starts, start)
    if after and matches.ends[after - 1] > start:
        return True
    return after < len(matches.starts) and matches.starts[after] < end
