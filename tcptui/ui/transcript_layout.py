"""Where each unit of the log (a block or an event) sits in a scrolling transcript of rows.

A transcript shows every unit as one header row followed by its content rows (text rows or
hex rows; an event has none); in compact rows a block has no header row (an event is still
one row). Row counts live in a compact prefix-sum array, so finding the unit under any row of
a billion-row transcript is one bisect, and new units are measured once as they arrive. Only
the last unit may grow (a message still under way): it is measured again when it has.
"""

from __future__ import annotations

import bisect
import time
from array import array
from collections.abc import Callable
from typing import NamedTuple

from tcptui.capture.log_units import LogUnit, LogUnits

HEADER_ROWS = 1
RowCounter = Callable[[int], int | None]
"""Content rows of a unit; None while they are still being counted (squeezed hex rows of a
big unit are counted a slice per call): ask again."""


class RowRef(NamedTuple):
    """Row `row` of unit `unit`; row -1 is the unit's header."""

    unit: int
    row: int


class TranscriptLayout:
    """Rows per unit for one way of drawing units (`count_rows(unit_index) -> rows`), under
    `header_rows(unit_index)` header rows (1, or 0 for a block in compact rows);
    `forget(unit_index)` drops what the painter kept of a unit that grew."""

    def __init__(
        self,
        units: LogUnits,
        count_rows: RowCounter,
        forget: Callable[[int], None] = lambda index: None,
        header_rows: Callable[[int], int] = lambda index: HEADER_ROWS,
    ) -> None:
        self.units = units
        self._count_rows = count_rows
        self._forget = forget
        self._header_rows = header_rows
        self._headers = bytearray()
        """Each unit's header rows, as measured."""
        self._starts = array("q")
        self._total = 0
        self._last: LogUnit | None = None
        """The last unit as it was measured: if it has grown since, it is measured again."""
        self.regrown: int | None = None
        """The unit the last `update` measured again because it grew (its rows were painted)."""

    @property
    def total_rows(self) -> int:
        return self._total

    @property
    def measured_units(self) -> int:
        return len(self._starts)

    def update(self, budget: float | None = None, until: int | None = None) -> bool:
        """Measure units that arrived (or grew) since the last call; True if any were.

        With a `budget` (seconds) it stops once that is spent, so a flood cannot hold up the
        UI for long; `pending` then says that more remain for the next call. With `until`, it
        measures no unit from that index on.
        """
        self.regrown = None
        regrown = self._measure_grown_last()
        measured = len(self._starts)
        count = len(self.units)
        available = count if until is None else min(until, count)
        deadline = None if budget is None else time.perf_counter() + budget
        while len(self._starts) < available:
            self._measure(len(self._starts))
            if deadline is not None and time.perf_counter() > deadline:
                break
        grew = len(self._starts) > measured
        if grew:
            self._note_last()
        return regrown or grew

    def _measure_grown_last(self) -> bool:
        """Measure the last measured unit again if it has grown since; True if it had."""
        last = self._last
        if last is None or last.index != len(self._starts) - 1 or last.index >= len(self.units):
            return False  # not measured yet as it is now: the next measuring takes it
        now = self.units.unit(last.index)
        if now == last:
            return False
        self._forget(last.index)
        self._total = self._starts.pop()
        self._headers.pop()
        self._measure(last.index)
        if len(self._starts) > last.index:  # else still being counted: measured later
            self._note_last()
        self.regrown = last.index
        return True

    def measure_through(self, unit: int) -> None:
        """Measure every unit up to `unit`, whatever it costs: a row of it is asked for
        (the cursor or a search hit is there) before the budgeted updates have reached it."""
        measured = len(self._starts)
        while len(self._starts) < min(unit + 1, len(self.units)):
            self._measure(len(self._starts))
        if len(self._starts) > measured:
            self._note_last()

    def _measure(self, index: int) -> None:
        """Count unit `index`'s rows, or a slice of them (measured once they are all known)."""
        rows = self._count_rows(index)
        if rows is None:
            return
        header = self._header_rows(index)
        self._starts.append(self._total)
        self._headers.append(header)
        self._total += max(1, header + rows)

    def _note_last(self) -> None:
        """Keep the facts of the last unit measured: it is measured again if it grows.
        (Units do not change between measuring and this: only the UI thread updates them.)"""
        self._last = self.units.unit(len(self._starts) - 1)

    @property
    def pending(self) -> bool:
        return len(self._starts) < len(self.units)

    def take(self, other: TranscriptLayout) -> None:
        """Take over the rows `other` measured (with its painter and units), for a new width
        or a new grouping."""
        self.units = other.units
        self._count_rows = other._count_rows
        self._forget = other._forget
        self._header_rows = other._header_rows
        self._headers = other._headers
        self._starts = other._starts
        self._total = other._total
        self._last = other._last

    def locate(self, y: int) -> RowRef | None:
        """The unit and row drawn at transcript row `y`, or None past the end."""
        if not 0 <= y < self._total:
            return None
        unit = bisect.bisect_right(self._starts, y) - 1
        return RowRef(unit, y - self._starts[unit] - self._headers[unit])

    def first_row(self, unit: int) -> int:
        """The transcript row of a unit's header (of its first row, without one)."""
        return self._starts[unit]

    def content_row(self, unit: int) -> int:
        """The transcript row of a unit's first content row (after its header, if any)."""
        return self._starts[unit] + self._headers[unit]
