"""What painters read: the units' facts and bytes, through small caches, and their headers.

A block's header says its direction, size, how many reads brought it, when it started, the
delay since the unit before, its number, and whether its message is still incomplete; an
event's row says what happened (event_rows.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from tcptui.capture.log_units import LogUnit, LogUnits
from tcptui.capture.store import Direction
from tcptui.codec.framing import GroupingKind
from tcptui.codec.words import counted
from tcptui.ui.event_rows import paint_event
from tcptui.ui.log_glyphs import (
    ASCII_GLYPHS,
    DIRECTION_STYLES,
    HEADER_DETAIL,
    NOTE_STYLE,
    UNICODE_GLYPHS,
    Glyphs,
)
from tcptui.ui.recent_cache import RecentCache

INCOMPLETE_STYLE = Style(color="#ff8787", italic=True)
_BYTES_CACHE_SIZE = 4
"""Whole units kept for painting text rows: a block can be megabytes, so only a few."""
_FACTS_CACHE_SIZE = 256
"""Units' facts (offset, length, direction…) kept for painting: more than a screen's rows."""
Kept = TypeVar("Kept")


def format_clock(wall_ns: int, utc: bool = False) -> str:
    seconds, nanos = divmod(wall_ns, 1_000_000_000)
    clock = time.gmtime(seconds) if utc else time.localtime(seconds)
    return time.strftime("%H:%M:%S", clock) + f".{nanos // 1_000_000:03d}" + ("Z" if utc else "")


def format_time(unit: LogUnit, first: LogUnit, timestamps: str) -> str:
    """A unit's time as the settings ask: local clock, UTC clock, or since the first unit."""
    if timestamps == "relative":
        return f"t+{(unit.mono_ns - first.mono_ns) / 1e9:.6f}s"
    return format_clock(unit.wall_ns, utc=timestamps == "utc")


def format_delta(nanos: int, micro: str = "µ") -> str:
    if nanos < 1_000_000:
        return f"+{nanos / 1000:.0f} {micro}s"
    if nanos < 1_000_000_000:
        return f"+{nanos / 1_000_000:.1f} ms"
    return f"+{nanos / 1_000_000_000:.2f} s"


def paint_header(
    unit: LogUnit,
    previous: LogUnit | None,
    when: str,
    glyphs: Glyphs,
    width: int | None = None,
    reads: bool = False,
) -> Strip:
    """A block's header (a chunk's, under `chunk`); with `reads`, how many reads brought it.
    In a narrow view (`width` cells) the delta, then the time, make room, and what still
    does not fit is cut: a header never widens the view."""
    style = DIRECTION_STYLES[unit.direction]
    delta = format_delta(unit.mono_ns - previous.mono_ns, glyphs.micro) if previous else "first"
    sep = glyphs.separator
    arrow = Segment(glyphs.arrow(unit.direction), style + Style(bold=True))
    fields = [f"{unit.length:,} B", when, delta, f"#{unit.message + 1}"]
    if reads:
        # A sent block was written, not read: it says how many sends it took.
        moves = "read" if unit.direction is Direction.RECEIVED else "send"
        fields.insert(1, counted(unit.reads, moves))
    detail = "  " + sep.join(fields)
    for dropped in (delta, when):
        if width is None or cell_len(arrow.text + detail) <= width:
            break
        fields.remove(dropped)
        detail = "  " + sep.join(fields)
    segments = [arrow, Segment(detail, HEADER_DETAIL)]
    state = block_state(unit)
    if state:
        segments.append(Segment(f"  {state}", INCOMPLETE_STYLE))
    if unit.note:
        note = unit.note
        if glyphs is ASCII_GLYPHS:
            note = note.encode("ascii", "replace").decode()
        segments.append(Segment(f"  {note}", NOTE_STYLE))
    strip = Strip(segments)
    return strip if width is None or strip.cell_length <= width else strip.crop(0, width)


def block_state(unit: LogUnit) -> str:
    """What a block's header says of its message beyond its size: a continuation of the big
    block before it, or incomplete (the rest not here yet, or in a later block; with how much
    is still expected, when the message says its size)."""
    if unit.continues:
        return "continued"
    if unit.missing is not None:
        return f"incomplete: {unit.missing:,} B to come"
    return "" if unit.complete else "incomplete"


class UnitReader:
    """A small cache of recently drawn units' facts and bytes, so repainting reads nothing."""

    def __init__(
        self, units: LogUnits, timestamps: str = "local", glyphs: Glyphs = UNICODE_GLYPHS
    ) -> None:
        self.units = units
        self.timestamps = timestamps
        self.glyphs = glyphs
        self._bytes: RecentCache[int, bytes] = RecentCache(_BYTES_CACHE_SIZE)
        self._units: RecentCache[int, LogUnit] = RecentCache(_FACTS_CACHE_SIZE)

    def unit(self, index: int) -> LogUnit:
        """A unit's facts, kept: painting a row asks for them several times."""
        return _kept(self._units, index, self.units.unit)

    def data(self, index: int) -> bytes:
        """All of a unit's bytes (kept: text rows are found by walking them)."""
        return _kept(self._bytes, index, self._read_whole)

    def _read_whole(self, index: int) -> bytes:
        unit = self.unit(index)
        return self.units.capture.read(unit.offset, unit.length)

    def part(self, index: int, start: int, end: int) -> bytes:
        """Bytes [start, end) of a unit: from the cache if it holds the unit, else read alone,
        so painting a row of a big binary unit reads that row, not the unit."""
        cached = self._bytes.get(index)
        if cached is not None:
            return cached[start:end]
        unit = self.unit(index)
        start, end = min(start, unit.length), min(end, unit.length)
        return self.units.capture.read(unit.offset + start, end - start) if end > start else b""

    def forget(self, index: int) -> None:
        """Unit `index` grew (the last one may): what was kept of it is out of date."""
        self._units.discard(index)
        self._bytes.discard(index)

    def header(self, index: int, width: int | None = None) -> Strip:
        unit = self.unit(index)
        when = format_time(unit, self.unit(0), self.timestamps)
        if unit.event is not None:
            return paint_event(unit.event, when, self.glyphs is ASCII_GLYPHS, width)
        previous = self.unit(index - 1) if index else None
        reads = self.units.grouping.kind is not GroupingKind.CHUNK
        return paint_header(unit, previous, when, self.glyphs, width, reads)


def _kept(cache: RecentCache[int, Kept], index: int, load: Callable[[int], Kept]) -> Kept:
    found = cache.get(index)
    if found is None:
        found = cache[index] = load(index)
    return found
