"""Hex rows with repeats squeezed, as `hexdump -C`, hexyl and pwntools print them.

A run of rows equal to the row before them is shown as one `*` row, so a megabyte of zeros
takes two rows. Which rows repeat depends on the bytes, so a block's rows are found by
scanning it: `SqueezedRows` takes its whole rows a slice at a time (a block may be a
gigabyte, and only the last block of a capture grows) and keeps only the runs, three
numbers each. A run shorter than two rows folds nothing, so it is not squeezed: the row is
shown, not a `*` that hides it for no gain.

Finding repeats costs a few big-integer operations per column of the slice, in C: no Python
loop runs per row.
"""

from __future__ import annotations

import bisect
import re
from array import array
from typing import NamedTuple

MIN_RUN_ROWS = 2
"""Repeated rows that fold into a `*`: one repeat alone would fold into a row of its own."""
_REPEATS = re.compile(rb"\x00+")


class RowSpan(NamedTuple):
    """The bytes [start, end) of a block that one shown row stands for; `squeezed`: a `*`."""

    start: int
    end: int
    squeezed: bool


def repeat_flags(rows: bytes, row_bytes: int) -> bytes:
    """A byte for each whole row of `rows` but the first: 0 where the row equals the one
    before it, non-zero elsewhere.

    Each column of bytes (the k-th byte of every row) is read as one big integer and XORed
    with itself shifted by a row; OR-ing the columns leaves a zero byte only where whole rows
    match. Columns stop early once no row can match any more (random data: after a few).
    Slices of `bytes`, not of a memoryview: a strided memoryview is copied item by item.
    """
    count = len(rows) // row_bytes
    if count < 2:
        return b""
    whole = rows if len(rows) == count * row_bytes else rows[: count * row_bytes]
    if whole == whole[:row_bytes] * count:
        return bytes(count - 1)  # one run all through: zeros, a fill pattern
    lower_rows = (1 << (8 * (count - 1))) - 1
    differences = 0
    for column in range(row_bytes):
        value = int.from_bytes(whole[column::row_bytes], "big")
        differences |= (value & lower_rows) ^ (value >> 8)
        if column % 4 == 2 and differences.to_bytes(count - 1, "big").find(0) < 0:
            break
    return differences.to_bytes(count - 1, "big")


class SqueezedRows:
    """The shown rows of one block in hex rows of `row_bytes`, its repeats squeezed.

    Rows are numbered by the bytes they show (`offset // row_bytes`); shown rows are what the
    view draws. A run is the rows [start, end) that equal the row before `start`, shown as one
    `*` row. Rows not yet scanned are shown as they are.
    """

    def __init__(self, row_bytes: int) -> None:
        self.row_bytes = row_bytes
        self.scanned_rows = 0
        """Whole rows looked at so far: the next scan starts there."""
        self._starts = array("q")
        self._ends = array("q")
        self._shown_at = array("q")
        """The shown row of each run's `*`."""
        self._folded = 0
        """Rows the runs fold away (a run of n rows shows as one)."""
        self._open_start: int | None = None
        """The first row of a run that reaches the last scanned row (it may go on)."""

    @property
    def runs(self) -> int:
        return len(self._starts)

    def scan(self, rows: bytes, first_row: int) -> None:
        """Take whole rows from `first_row` on (what follows `scanned_rows`). `rows` starts
        one row earlier, with the row the first is compared with, unless `first_row` is 0."""
        if first_row != self.scanned_rows:
            raise ValueError(f"rows are scanned in order: {self.scanned_rows}, not {first_row}")
        size = self.row_bytes
        flags = repeat_flags(rows, size)
        before = 1 if first_row else 0  # flag i compares row first_row - before + i + 1
        base = first_row - before + 1
        whole = len(rows) // size
        frontier = first_row - before + whole
        for found in _REPEATS.finditer(flags):
            self._add_run(base + found.start(), base + found.end(), frontier)
        if flags and flags[-1]:
            self._open_start = None  # the last row differs: no run reaches the frontier
        self.scanned_rows = max(self.scanned_rows, frontier)

    def _add_run(self, start: int, end: int, frontier: int) -> None:
        if self._open_start is not None and start == self.scanned_rows:
            start = self._open_start  # the run at the end of the last scan goes on
            if self._starts and self._starts[-1] == start:
                self._drop_last_run()
        self._open_start = start if end == frontier else None
        if end - start >= MIN_RUN_ROWS:
            self._starts.append(start)
            self._ends.append(end)
            self._shown_at.append(start - self._folded)
            self._folded += end - start - 1

    def _drop_last_run(self) -> None:
        self._folded -= self._ends.pop() - self._starts.pop() - 1
        self._shown_at.pop()

    def count(self, length: int) -> int:
        """Rows shown for a block of `length` bytes (scanned as far as it has whole rows)."""
        return -(-length // self.row_bytes) - self._folded

    def shown_row(self, offset: int) -> int:
        """The shown row holding byte `offset` of the block: a `*` row for a repeated byte."""
        row = offset // self.row_bytes
        run = bisect.bisect_right(self._starts, row) - 1
        if run < 0:
            return row
        if row < self._ends[run]:
            return self._shown_at[run]
        return self._shown_at[run] + 1 + row - self._ends[run]

    def span(self, shown: int, length: int) -> RowSpan:
        """The bytes shown row `shown` stands for, in a block of `length` bytes."""
        size = self.row_bytes
        run = bisect.bisect_right(self._shown_at, shown) - 1
        if run >= 0 and shown == self._shown_at[run]:
            return RowSpan(self._starts[run] * size, self._ends[run] * size, True)
        row = shown if run < 0 else self._ends[run] + shown - self._shown_at[run] - 1
        return RowSpan(row * size, min(length, (row + 1) * size), False)
