"""What the log draws, one after another: the blocks of a grouping and the connection's events.

The log once drew a capture's chunks; it now draws units, each a block of the MessageIndex
under the tab's grouping (under `chunk`, a chunk) or a connection event, in the order they
happened. A unit looks to the painters like a chunk did (offset, length, direction, times) and
says what a block adds (how many reads, whether its message is complete) or which event it is.

Units are numbered once and for good: blocks only grow at the end, and an event is placed only
when the index has reached it, after the blocks before it. Only the last unit may still grow.
"""

from __future__ import annotations

import bisect
from typing import NamedTuple

from tcptui.capture.events import ConnectionEvent
from tcptui.capture.message_index import MAX_BLOCK, Block, MessageIndex
from tcptui.capture.store import Capture, Chunk, Direction
from tcptui.codec.framing import Grouping


class LogUnit(NamedTuple):
    """A block of bytes (`event` None) or a connection event (no bytes), as the log draws it."""

    index: int  # type: ignore[assignment]  # shadows tuple.index, which nothing here uses
    direction: Direction
    offset: int
    """Where its bytes start in the capture (an event: where the bytes after it start)."""
    stream_offset: int
    length: int
    mono_ns: int
    wall_ns: int
    message: int
    """Its number among the blocks (0-based); -1 for an event."""
    reads: int
    complete: bool
    continues: bool
    missing: int | None
    note: str
    event: ConnectionEvent | None = None

    @property
    def end(self) -> int:
        return self.offset + self.length


class LogUnits:
    """The units of `capture` under `grouping`; `update` takes in what arrived."""

    def __init__(self, capture: Capture, grouping: Grouping, max_block: int = MAX_BLOCK) -> None:
        self.capture = capture
        self.grouping = grouping
        self.index = MessageIndex(capture, grouping, max_block)
        self._event_units: list[int] = []
        """The unit number of each event placed so far, increasing."""
        self._event_blocks: list[int] = []
        """How many blocks come before each event placed so far."""

    def update(self, budget: int | None = None) -> bool:
        """Index about `budget` more bytes (all, without one); True if more wait."""
        more = self.index.update(budget)
        self._place_events()
        return more

    @property
    def up_to_date(self) -> bool:
        return self.index.up_to_date and len(self._event_units) == len(self.capture.events)

    def _place_events(self) -> None:
        events = self.capture.events
        indexed = self.index.indexed_chunks
        while len(self._event_units) < len(events):
            event = events[len(self._event_units)]
            if event.before_chunk > indexed:
                return
            if event.before_chunk < indexed:
                blocks = self.index.block_index_at(self.capture.chunk(event.before_chunk).offset)
            else:
                blocks = len(self.index)
            self._event_units.append(blocks + len(self._event_units))
            self._event_blocks.append(blocks)

    def __len__(self) -> int:
        return len(self.index) + len(self._event_units)

    @property
    def total_bytes(self) -> int:
        """Bytes the units cover: the capture may hold more, not indexed yet."""
        return self.index.indexed_bytes

    @property
    def messages(self) -> int:
        """Blocks so far (units that are not events)."""
        return len(self.index)

    def unit(self, number: int) -> LogUnit:
        if not self._event_units:  # no events (yet): units are blocks
            return self._block_unit(number, *self.index.block_and_first_chunk(number))
        if not 0 <= number < len(self):
            raise IndexError(f"no unit {number}")
        events_before = bisect.bisect_left(self._event_units, number)
        if events_before < len(self._event_units) and self._event_units[events_before] == number:
            return self._event_unit(number, events_before)
        return self._block_unit(number, *self.index.block_and_first_chunk(number - events_before))

    def _event_unit(self, number: int, which: int) -> LogUnit:
        event = self.capture.events[which]
        blocks = self._event_blocks[which]
        at = self.index.block(blocks).start if blocks < len(self.index) else self.total_bytes
        return LogUnit(
            number, Direction.RECEIVED, at, 0, 0, event.mono_ns, event.wall_ns,
            -1, 0, True, False, None, "", event,
        )  # fmt: skip

    def _block_unit(self, number: int, block: Block, chunk: Chunk) -> LogUnit:
        into = block.start - chunk.offset
        note = self.capture.note(chunk.index) if into == 0 else ""
        return LogUnit(
            number, block.direction, block.start, chunk.stream_offset + into,
            block.end - block.start, chunk.mono_ns, chunk.wall_ns, block.index, block.reads,
            block.complete, block.continues, block.missing, note,
        )  # fmt: skip

    def unit_of_message(self, message: int) -> int:
        """The unit number of block `message`."""
        return message + bisect.bisect_right(self._event_blocks, message)

    def unit_at(self, offset: int) -> int:
        """The unit holding capture byte `offset` (clamped to the bytes the units cover)."""
        offset = max(0, min(offset, self.total_bytes - 1))
        return self.unit_of_message(self.index.block_index_at(offset))

    def read_starts(self, start: int, end: int) -> list[int]:
        """Where reads (chunks) began inside the capture span [start, end): the partial
        reads a block is made of."""
        if not 0 <= start < end <= self.capture.total_bytes:
            return []
        chunk = self.capture.chunk_index_at(start)
        starts = []
        while chunk < len(self.capture):
            offset = self.capture.chunk(chunk).offset
            if offset >= end:
                break
            if offset >= start:
                starts.append(offset)
            chunk += 1
        return starts

    def read(self, number: int, start: int = 0, length: int | None = None) -> bytes:
        """Bytes of unit `number`, or a slice of them (an event has none)."""
        unit = self.unit(number)
        start = min(max(0, start), unit.length)
        available = unit.length - start
        length = available if length is None else min(length, available)
        return self.capture.read(unit.offset + start, length) if length > 0 else b""
