"""What the views mark on top of the bytes: the cursor, the selection and search matches.

Positions are byte offsets into the whole capture, so the text and hex views share one cursor
and one selection, and a selection may cross chunk boundaries.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

MarkKind = Literal["read", "cursor", "selection", "match", "current-match"]
Marks = tuple[tuple[int, int, MarkKind], ...]
"""Spans of a row's bytes to paint marked: (start, end, kind), the last on top."""


@dataclass
class ByteCursor:
    """The cursor, and the anchor where a selection started (None: nothing selected)."""

    offset: int | None = None
    anchor: int | None = None

    def selection(self) -> tuple[int, int] | None:
        """The selected capture range [start, end), cursor and anchor bytes both included."""
        if self.offset is None or self.anchor is None:
            return None
        return min(self.offset, self.anchor), max(self.offset, self.anchor) + 1


@dataclass
class SearchMatches:
    """Matches of one search as sorted [start, end) capture ranges, kept in compact arrays."""

    description: str = ""
    starts: array[int] = field(default_factory=lambda: array("q"))
    ends: array[int] = field(default_factory=lambda: array("q"))
    current: int = -1
    complete: bool = False

    def __len__(self) -> int:
        return len(self.starts)

    def add(self, start: int, end: int) -> None:
        self.starts.append(start)
        self.ends.append(end)

    def overlapping(self, start: int, end: int) -> list[tuple[int, int, bool]]:
        """Matches that touch [start, end), each with whether it is the current one."""
        first = max(0, bisect.bisect_right(self.starts, start) - 1)
        found = []
        for index in range(first, len(self.starts)):
            if self.starts[index] >= end:
                break
            if self.ends[index] > start:
                found.append((self.starts[index], self.ends[index], index == self.current))
        return found

    def step(self, from_offset: int, forward: bool) -> int | None:
        """The index of the next match after (or before) `from_offset`, wrapping around."""
        if not self.starts:
            return None
        if forward:
            index = bisect.bisect_right(self.starts, from_offset)
            return index if index < len(self.starts) else 0
        index = bisect.bisect_left(self.starts, from_offset) - 1
        return index if index >= 0 else len(self.starts) - 1


def marks_for_span(
    start: int,
    end: int,
    cursor: ByteCursor,
    matches: SearchMatches | None,
    show_cursor: bool,
    read_starts: Sequence[int] = (),
) -> tuple[tuple[int, int, MarkKind], ...]:
    """Marks inside the capture span [start, end), relative to `start`, later ones on top;
    `read_starts` (capture offsets) are the first bytes of reads, marked under the rest."""
    marks: list[tuple[int, int, MarkKind]] = [
        (offset - start, offset - start + 1, "read") for offset in read_starts
    ]
    if matches is not None:
        for lo, hi, current in matches.overlapping(start, end):
            marks.append(
                (
                    max(lo, start) - start,
                    min(hi, end) - start,
                    "current-match" if current else "match",
                )
            )
    selection = cursor.selection()
    if selection is not None and selection[0] < end and selection[1] > start:
        marks.append(
            (max(selection[0], start) - start, min(selection[1], end) - start, "selection")
        )
    if show_cursor and cursor.offset is not None and start <= cursor.offset < end:
        marks.append((cursor.offset - start, cursor.offset - start + 1, "cursor"))
    return tuple(marks)


@dataclass
class SharedMarks:
    """What both views of one capture mark: one cursor, one selection, one search."""

    cursor: ByteCursor = field(default_factory=ByteCursor)
    matches: SearchMatches | None = None
    show_reads: bool = False
    """Mark the first byte of each read inside a block: where the partial reads were."""
