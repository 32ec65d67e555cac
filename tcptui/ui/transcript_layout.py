"""Where each chunk of the capture sits in a scrolling transcript of rows.

A transcript shows every chunk as one header row followed by its content rows (text rows or
hex rows). Row counts live in a compact prefix-sum array, so finding the chunk under any row
of a billion-row transcript is one bisect, and new chunks are measured once as they arrive.
"""

from __future__ import annotations

import bisect
import time
from array import array
from collections.abc import Callable
from typing import NamedTuple

from tcptui.capture.store import Capture

HEADER_ROWS = 1


class RowRef(NamedTuple):
    """Row `row` of chunk `chunk`; row -1 is the chunk's header."""

    chunk: int
    row: int


RowCounter = Callable[[int], int | None]
"""Content rows of a chunk; None while they are still being counted (squeezed hex rows of a
big chunk are counted a slice per call): ask again."""


class TranscriptLayout:
    """Rows per chunk for one way of drawing chunks (`count_rows(chunk_index) -> rows`), each
    under `header_rows` header rows (none in compact rows)."""

    def __init__(
        self, capture: Capture, count_rows: RowCounter, header_rows: int = HEADER_ROWS
    ) -> None:
        self.capture = capture
        self._count_rows = count_rows
        self.header_rows = header_rows
        self._starts = array("q")
        self._total = 0

    @property
    def total_rows(self) -> int:
        return self._total

    @property
    def measured_chunks(self) -> int:
        return len(self._starts)

    def update(self, budget: float | None = None, until: int | None = None) -> bool:
        """Measure chunks that arrived since the last call; True if any were measured.

        With a `budget` (seconds) it stops once that is spent, so a flood cannot hold up the
        UI for long; `pending` then says that more remain for the next call. With `until`, it
        measures no chunk from that index on.
        """
        measured = len(self._starts)
        available = len(self.capture) if until is None else min(until, len(self.capture))
        deadline = None if budget is None else time.perf_counter() + budget
        while len(self._starts) < available:
            self._measure(len(self._starts))
            if deadline is not None and time.perf_counter() > deadline:
                break
        return len(self._starts) > measured

    def measure_through(self, chunk: int) -> None:
        """Measure every chunk up to `chunk`, whatever it costs: a row of it is asked for
        (the cursor or a search hit is there) before the budgeted updates have reached it."""
        while len(self._starts) < min(chunk + 1, len(self.capture)):
            self._measure(len(self._starts))

    def _measure(self, index: int) -> None:
        """Count chunk `index`'s rows, or a slice of them (measured once they are all known)."""
        rows = self._count_rows(index)
        if rows is not None:
            self._starts.append(self._total)
            self._total += max(1, self.header_rows + rows)

    @property
    def pending(self) -> bool:
        return len(self._starts) < len(self.capture)

    def take(self, other: TranscriptLayout) -> None:
        """Take over the rows `other` measured (with its row counter), for a new width."""
        self._count_rows = other._count_rows
        self.header_rows = other.header_rows
        self._starts = other._starts
        self._total = other._total

    def locate(self, y: int) -> RowRef | None:
        """The chunk and row drawn at transcript row `y`, or None past the end."""
        if not 0 <= y < self._total:
            return None
        chunk = bisect.bisect_right(self._starts, y) - 1
        return RowRef(chunk, y - self._starts[chunk] - self.header_rows)

    def first_row(self, chunk: int) -> int:
        """The transcript row of a chunk's header (of its first row in compact rows)."""
        return self._starts[chunk]
