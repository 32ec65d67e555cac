"""Where a capture's blocks start under a grouping: the log's rows follow messages, not reads.

A block is a run of one direction's bytes between two cuts. Cuts come from five places: where
the direction changes (every grouping), where a read began (`chunk`), where a framer says a
message ends (`line`, `delimiter`, `length`, `fixed`; each direction framed on its own stream),
where a connection event happened (after STARTTLS the plaintext and the encrypted part are two
blocks; a new connection also starts new framers), at a read with a note (`connection 2`, the
responder rule that sent it: the header shows it), and at the first read that begins once a
block holds `max_block` bytes (a flood in one direction is not one block of gigabytes: the log
reads a block whole to cut its rows). A message whose bytes the other direction interrupted
shows as two blocks.

The index is built a slice at a time (`update(budget)`), so a new grouping over a big capture
is worked out between frames, and it keeps up with new chunks the same way. It holds one
offset per block and the framers' few pending bytes; the capture holds the bytes.
"""

from __future__ import annotations

import bisect
from array import array
from typing import NamedTuple

from tcptui.capture.events import EventKind
from tcptui.capture.store import Capture, Chunk, Direction
from tcptui.codec.framing import Framer, Grouping, GroupingKind

MAX_BLOCK = 1 << 20
"""Bytes a block holds before the next read starts a block that continues it."""
NEW_STREAMS = (EventKind.CONNECTED, EventKind.ACCEPTED, EventKind.RECONNECTED)
"""Events after which each direction's bytes are a new stream, framed afresh."""


class Block(NamedTuple):
    index: int  # type: ignore[assignment]  # shadows tuple.index, which nothing here uses
    direction: Direction
    start: int
    end: int
    first_chunk: int
    reads: int
    """How many reads (chunks) brought its bytes: the partial reads TCP is made of."""
    complete: bool
    """False for a block whose message goes on (or never ended): framed groupings only."""
    continues: bool
    """It goes on from the block before, cut only because that one was big (`max_block`)."""
    missing: int | None
    """Bytes still to come, when the message under way says how long it is (length, fixed)."""


class MessageIndex:
    """The blocks of `capture` under `grouping`; call `update` as chunks arrive."""

    def __init__(self, capture: Capture, grouping: Grouping, max_block: int = MAX_BLOCK) -> None:
        self.capture = capture
        self.grouping = grouping
        self.max_block = max_block
        self._cuts = array("q")
        """Offsets where blocks start, increasing; a last one at `indexed_bytes` ends a block."""
        self._ends_message = array("b")
        """For each cut, whether the block before it ends a message (byte framings only)."""
        self._continues = array("b")
        """For each cut, whether the block after it goes on from the one before (`max_block`)."""
        self._framers: dict[Direction, Framer] = (
            {direction: grouping.new_framer() for direction in Direction}
            if grouping.frames_bytes
            else {}
        )
        self._stream_ends = {direction: 0 for direction in Direction}
        """Where each direction's last indexed byte ends, in capture offsets."""
        self._next_chunk = 0
        self._last_direction: Direction | None = None
        self._indexed_bytes = 0
        self._events_seen = 0

    @property
    def indexed_bytes(self) -> int:
        """Bytes of the capture the index covers: the last block ends here for now."""
        return self._indexed_bytes

    @property
    def indexed_chunks(self) -> int:
        """Chunks the index covers: the next chunk to index."""
        return self._next_chunk

    @property
    def up_to_date(self) -> bool:
        return self._next_chunk >= len(self.capture)

    def update(self, budget: int | None = None) -> bool:
        """Index new chunks, at least one and about `budget` bytes of them; True if more wait."""
        spent = 0
        count = len(self.capture)
        while self._next_chunk < count and (budget is None or spent < budget or spent == 0):
            chunk = self.capture.chunk(self._next_chunk)
            self._index_chunk(chunk)
            self._next_chunk += 1
            self._indexed_bytes = chunk.end
            spent += chunk.length
        return self._next_chunk < len(self.capture)

    def _index_chunk(self, chunk: Chunk) -> None:
        events = self.capture.events.count_before(chunk.index)
        if events > self._events_seen:
            self._after_events(self._events_seen, events)
            self._events_seen = events
            self._cut(chunk.offset, ends_message=not self._framers)
        elif (
            chunk.direction is not self._last_direction
            or self.grouping.kind is GroupingKind.CHUNK
            or self.capture.note(chunk.index)
        ):
            self._cut(chunk.offset, ends_message=not self._framers)
        elif self._cuts and chunk.offset - self._cuts[-1] >= self.max_block:
            self._cut(chunk.offset, ends_message=not self._framers, continues=True)
        self._last_direction = chunk.direction
        framer = self._framers.get(chunk.direction)
        if framer is not None:
            previous_end = self._stream_ends[chunk.direction]
            for end in framer.feed(self.capture.read_chunk(chunk.index)):
                into_chunk = end - chunk.stream_offset
                # An end at the chunk's very start (a CR that waited for this byte) belongs
                # to the end of this direction's previous chunk.
                self._cut(chunk.offset + into_chunk if into_chunk else previous_end, True)
        self._stream_ends[chunk.direction] = chunk.end

    def _after_events(self, first: int, stop: int) -> None:
        """Events came before the next chunk: after a (re)connection, frame new streams."""
        kinds = {event.kind for event in self.capture.events.events(first, stop)}
        if self._framers and kinds.intersection(NEW_STREAMS):
            for direction, old in self._framers.items():
                fresh = self.grouping.new_framer()
                fresh.position = fresh.message_start = old.position
                self._framers[direction] = fresh

    def _cut(self, offset: int, ends_message: bool, continues: bool = False) -> None:
        if not self._cuts or self._cuts[-1] < offset:
            self._cuts.append(offset)
            self._ends_message.append(ends_message)
            self._continues.append(continues)
        elif ends_message:
            at = bisect.bisect_left(self._cuts, offset)
            if self._cuts[at] != offset:
                self._cuts.insert(at, offset)
                self._ends_message.insert(at, False)
                self._continues.insert(at, False)
            self._ends_message[at] = True
            self._continues[at] = False

    def __len__(self) -> int:
        """Blocks so far; the last one runs to `indexed_bytes` (it may still grow)."""
        cuts = len(self._cuts)
        return cuts - (cuts > 0 and self._cuts[-1] >= self._indexed_bytes)

    def block(self, index: int) -> Block:
        return self.block_and_first_chunk(index)[0]

    def block_and_first_chunk(self, index: int) -> tuple[Block, Chunk]:
        """Block `index`, and the chunk its first byte is in (looked up for it anyway)."""
        if not 0 <= index < len(self):
            raise IndexError(f"no block {index}")
        if self.grouping.kind is GroupingKind.CHUNK:  # a block per chunk: no lookups
            chunk = self.capture.chunk(index)
            block = Block(
                index, chunk.direction, chunk.offset, chunk.end, index, 1, True, False, None
            )
            return block, chunk
        start = self._cuts[index]
        after = index + 1
        end = self._cuts[after] if after < len(self._cuts) else self._indexed_bytes
        complete = not self._framers or (
            after < len(self._cuts) and bool(self._ends_message[after])
        )
        first = self.capture.chunk_index_at(start)
        reads = self.capture.chunk_index_at(end - 1) - first + 1
        chunk = self.capture.chunk(first)
        missing = None if complete else self._missing(chunk.direction, end)
        continues = bool(self._continues[index])
        block = Block(
            index, chunk.direction, start, end, first, reads, complete, continues, missing
        )
        return block, chunk

    def _missing(self, direction: Direction, end: int) -> int | None:
        """Bytes the message under way in `direction` still needs, if the block ending at
        `end` is where that direction's stream ends for now and the message says its size."""
        framer = self._framers.get(direction)
        if framer is None or end != self._stream_ends[direction]:
            return None
        expected = framer.expected_end
        return None if expected is None else max(0, expected - framer.position)

    def block_index_at(self, offset: int) -> int:
        """The block holding the byte at `offset` (an offset the index covers)."""
        return bisect.bisect_right(self._cuts, offset) - 1
