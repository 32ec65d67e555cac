"""What the log draws at the left of each row: nothing, a bar, or compact rows' gutter.

By default a block has a header row (direction, size, time) and its rows follow. Compact rows
drop the header: the block's first row starts with its direction and time in a gutter, later
rows with a faint bar, so a line protocol takes one row per line, as `socat -v` shows it. The
gutter is as wide on every row and counted in the width the rows are cut for, so no row is
wider than the view. A block's note (which rule answered it) is marked in the gutter and
told in full in the status line.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

from tcptui.capture.log_units import LogUnit
from tcptui.capture.store import Direction

if TYPE_CHECKING:
    from tcptui.ui.unit_reader import UnitReader

TIME_CELLS = 13
"""The widest time a gutter shows: `12:01:02.123Z`, or `+12345.678` since the first block."""
COMPACT_GUTTER_CELLS = 1 + 1 + TIME_CELLS + 1 + 1
"""The arrow, a space, the time, the note mark and a space before the bytes."""
NARROW_GUTTER_CELLS = 2
"""A gutter of the direction alone, where the view has no room for the time."""
CONTINUATION_STYLE = Style(color="#4e4e4e")
TIME_STYLE = Style(color="#8a8a8a")
NOTE_MARK_STYLE = Style(color="#ffd75f", bold=True)


class RowGutter:
    """No gutter: rows start at the view's edge, under a header row per block (hex rows)."""

    cells = 0
    header_rows = 1
    """Rows above a block's bytes: its header, or none in compact rows."""

    def lead(self, unit: LogUnit, row: int) -> list[Segment]:
        """What row `row` of `unit`'s rows starts with."""
        return []


class BarGutter(RowGutter):
    """A bar in the direction's colour on every row (text rows under a header)."""

    def __init__(self, bar: str, styles: dict[Direction, Style]) -> None:
        self.cells = cell_len(bar)
        self._leads = {direction: [Segment(bar, style)] for direction, style in styles.items()}

    def lead(self, unit: LogUnit, row: int) -> list[Segment]:
        return self._leads[unit.direction]


class TimeGutter(RowGutter):
    """Compact rows: direction and time on a block's first row, a faint bar on the others;
    `narrow`, the direction alone (a view with no room for the time)."""

    header_rows = 0

    def __init__(
        self, reader: UnitReader, styles: dict[Direction, Style], narrow: bool = False
    ) -> None:
        self.reader = reader
        self.cells = NARROW_GUTTER_CELLS if narrow else COMPACT_GUTTER_CELLS
        self._styles = styles
        glyphs = reader.glyphs
        self._arrows = {direction: glyphs.arrow(direction)[0] for direction in Direction}
        self._note_mark = "*" if glyphs.bar.isascii() else "•"
        blank = " " * (self.cells - cell_len(glyphs.bar))
        self._continuation = [Segment(glyphs.bar + blank, CONTINUATION_STYLE)]

    def lead(self, unit: LogUnit, row: int) -> list[Segment]:
        if row:
            return self._continuation
        arrow = self._arrows[unit.direction] + " "
        if self.cells == NARROW_GUTTER_CELLS:
            return [Segment(arrow, self._styles[unit.direction])]
        since_first = unit.mono_ns - self.reader.unit(0).mono_ns
        when = gutter_time(unit.wall_ns, since_first, self.reader.timestamps)
        note = unit.note
        return [
            Segment(arrow, self._styles[unit.direction]),
            Segment(when.ljust(TIME_CELLS), TIME_STYLE),
            Segment(self._note_mark if note else " ", NOTE_MARK_STYLE),
            Segment(" "),
        ]


def compact_gutter_cells(width: int, least_content: int) -> int:
    """The gutter for a view `width` cells wide whose rows need `least_content` cells: the
    time where it leaves them room (or before the view has a width), else the direction."""
    if not width or width - COMPACT_GUTTER_CELLS >= least_content:
        return COMPACT_GUTTER_CELLS
    return NARROW_GUTTER_CELLS


def gutter_time(wall_ns: int, since_first_ns: int, timestamps: str) -> str:
    """A block's time in at most TIME_CELLS: the clock to the millisecond (local or UTC), or
    the seconds since the first block (whole seconds once the milliseconds do not fit)."""
    if timestamps == "relative":
        seconds = since_first_ns / 1e9
        shown = f"+{seconds:.3f}"
        return shown if len(shown) <= TIME_CELLS else f"+{seconds:.0f}"[:TIME_CELLS]
    utc = timestamps == "utc"
    whole, nanos = divmod(wall_ns, 1_000_000_000)
    clock = time.gmtime(whole) if utc else time.localtime(whole)
    return time.strftime("%H:%M:%S", clock) + f".{nanos // 1_000_000:03d}" + ("Z" if utc else "")


def block_facts(reader: UnitReader, index: int) -> str:
    """What a compact block's missing header says (size, time, delay, note), for the
    status line: its header row, as text."""
    return reader.header(index).text
