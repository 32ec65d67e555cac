"""Where a capture's blocks start under a grouping: the log's rows follow messages, not reads.

A block is a run of one direction's bytes between two cuts. Cuts come from three places: where
the direction changes (every grouping), where a read began (`chunk`), and where a framer says a
message ends (`line`, `delimiter`, `length`, `fixed`; each direction framed on its own stream).
A message whose bytes the other direction interrupted shows as two blocks.

The index is built a slice at a time (`update(budget)`), so a new grouping over a big capture
is worked out between frames, and it keeps up with new chunks the same way. It works a run of
one direction's chunks at a time (a million one-byte reads are one run, read in big pieces),
holds one offset per block and the framers' few pending bytes; the capture holds the bytes.
An export walks the blocks once and `forget`s those it wrote, so it holds only a slice.
"""

from __future__ import annotations

import bisect
from array import array
from typing import NamedTuple

from tcptui.capture.store import Capture, ChunkRun, Direction
from tcptui.codec.framing import Framer, Grouping, GroupingKind

READ_PIECE = 1 << 20
"""Bytes read from the capture at a time for a framer: a long run is never read whole."""


class Block(NamedTuple):
    index: int  # type: ignore[assignment]  # shadows tuple.index, which nothing here uses
    direction: Direction
    start: int
    end: int
    first_chunk: int
    reads: int
    """How many reads (chunks) brought its bytes: the partial reads TCP is made of."""
    complete: bool
    """False for the last block of a direction whose message is still under way."""


class MessageIndex:
    """The blocks of `capture` under `grouping`; call `update` as chunks arrive.

    With `limit`, only the first `limit` chunks are indexed (an export of what the capture held
    when it began).
    """

    def __init__(self, capture: Capture, grouping: Grouping, limit: int | None = None) -> None:
        self.capture = capture
        self.grouping = grouping
        self.limit = limit
        self._cuts = array("q")
        """Offsets where blocks start, increasing; a last one at `indexed_bytes` ends a block."""
        self._ends_message = array("b")
        """For each cut, whether the block before it ends a message (byte framings only)."""
        self._forgotten = 0
        """Blocks dropped from the front by `forget`: block i is cut i - _forgotten."""
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

    @property
    def indexed_bytes(self) -> int:
        """Bytes of the capture the index covers: the last block ends here for now."""
        return self._indexed_bytes

    @property
    def up_to_date(self) -> bool:
        return self._next_chunk >= self._chunk_count()

    def _chunk_count(self) -> int:
        count = len(self.capture)
        return count if self.limit is None else min(count, self.limit)

    def update(self, budget: int | None = None) -> bool:
        """Index new chunks, at least one and about `budget` bytes of them; True if more wait."""
        spent = 0
        count = self._chunk_count()
        while self._next_chunk < count and (budget is None or spent < budget or spent == 0):
            allowance = None if budget is None else max(budget - spent, 1)
            run = self.capture.run_at(self._next_chunk, count, allowance)
            self._index_run(run)
            self._next_chunk = run.stop
            self._indexed_bytes = run.end
            spent += run.length
        return self._next_chunk < self._chunk_count()

    def _index_run(self, run: ChunkRun) -> None:
        if self.grouping.kind is GroupingKind.CHUNK:
            self._append_cuts(self.capture.chunk_offsets(run.first, run.stop))
        elif self._last_direction is not run.direction:
            self._cut(run.offset, ends_message=not self._framers)
        self._last_direction = run.direction
        framer = self._framers.get(run.direction)
        if framer is not None:
            self._frame_run(framer, run)
        self._stream_ends[run.direction] = run.end

    def _frame_run(self, framer: Framer, run: ChunkRun) -> None:
        to_capture = run.offset - run.stream_offset
        for offset in range(run.offset, run.end, READ_PIECE):
            ends = framer.feed(self.capture.read(offset, min(READ_PIECE, run.end - offset)))
            if ends and ends[0] == run.stream_offset:
                # An end at the run's very start (a CR that waited for this byte) belongs to
                # the end of this direction's bytes before the run.
                self._cut(self._stream_ends[run.direction], True)
                del ends[0]
            if ends:
                self._append_cuts(array("q", [end + to_capture for end in ends]))

    def _append_cuts(self, offsets: array[int]) -> None:
        """Cuts that each end a message, all past the last cut but perhaps the first."""
        if self._cuts and offsets and offsets[0] <= self._cuts[-1]:
            self._cut(offsets[0], True)
            offsets = offsets[1:]
        self._cuts.extend(offsets)
        self._ends_message.frombytes(b"\x01" * len(offsets))

    def _cut(self, offset: int, ends_message: bool) -> None:
        if not self._cuts or self._cuts[-1] < offset:
            self._cuts.append(offset)
            self._ends_message.append(ends_message)
        elif ends_message:
            at = bisect.bisect_left(self._cuts, offset)
            if self._cuts[at] != offset:
                self._cuts.insert(at, offset)
                self._ends_message.insert(at, False)
            self._ends_message[at] = True

    def __len__(self) -> int:
        """Blocks so far; the last one runs to `indexed_bytes` (it may still grow)."""
        cuts = len(self._cuts)
        return self._forgotten + cuts - (cuts > 0 and self._cuts[-1] >= self._indexed_bytes)

    def block(self, index: int) -> Block:
        return self.blocks(index, index + 1)[0]

    def blocks(self, start: int, stop: int) -> list[Block]:
        """Blocks `start` up to `stop` at once: a walk over many looks each chunk up once."""
        if not 0 <= start - self._forgotten <= stop - self._forgotten <= len(self._cuts):
            raise IndexError(f"blocks {start} to {stop} are not in the index")
        if start >= stop:
            return []
        cuts, flags, base = self._cuts, self._ends_message, self._forgotten
        framed = bool(self._framers)
        ends = [*cuts[start - base + 1 : stop - base + 1]]
        if len(ends) < stop - start:
            ends.append(self._indexed_bytes)
        first_chunk = self.capture.chunk_index_at(cuts[start - base])
        offsets = self.capture.chunk_offsets(
            first_chunk, self.capture.chunk_index_at(ends[-1] - 1) + 1
        )
        found: list[Block] = []
        direction, known = Direction.RECEIVED, -1
        for number, end in zip(range(start, stop), ends, strict=True):
            at = number - base
            first = first_chunk + bisect.bisect_right(offsets, cuts[at]) - 1
            last = first_chunk + bisect.bisect_right(offsets, end - 1) - 1
            if first != known:
                direction, known = self.capture.chunk(first).direction, first
            complete = not framed or (at + 1 < len(cuts) and bool(flags[at + 1]))
            found.append(Block(number, direction, cuts[at], end, first, last - first + 1, complete))
        return found

    def block_index_at(self, offset: int) -> int:
        """The block holding the byte at `offset` (an offset the index covers)."""
        return self._forgotten + bisect.bisect_right(self._cuts, offset) - 1

    @property
    def settled(self) -> int:
        """How many blocks will never change: all closed ones, but a block whose end waits on a
        lone CR's next byte and those after it; every block once `limit` is reached."""
        if self.limit is not None and self.up_to_date:
            return len(self)
        waiting = [
            self._stream_ends[direction]
            for direction, framer in self._framers.items()
            if framer.end_pending
        ]
        bound = min(waiting, default=self._indexed_bytes + 1)
        return self._forgotten + max(bisect.bisect_left(self._cuts, bound) - 1, 0)

    def forget(self, count: int) -> None:
        """Drop blocks before `count` (settled ones): their numbers stay, `block` refuses them."""
        drop = min(count, self.settled) - self._forgotten
        if drop > 0:
            del self._cuts[:drop]
            del self._ends_message[:drop]
            self._forgotten += drop
