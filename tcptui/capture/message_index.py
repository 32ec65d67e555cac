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
is worked out between frames, and it keeps up with new chunks the same way. It works a stretch
of reads at a time: neighbouring reads of one direction with nothing between them that could
cut (a million one-byte reads are one stretch, read in big pieces for the framer). It holds one
offset per block and the framers' few pending bytes; the capture holds the bytes. An export
walks the blocks once and `forget`s those it wrote, so it holds only a slice of them.
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
STRETCH_RUNS = 1 << 16
"""Runs indexed at once at most, when each is short (an echo): their cuts are made in memory."""
READ_PIECE = 1 << 20
"""Bytes read from the capture at a time for a framer: a long stretch is never read whole."""


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
    """The blocks of `capture` under `grouping`; call `update` as chunks arrive.

    With `limit`, only the first `limit` chunks are indexed (an export of what the capture held
    when it began).
    """

    def __init__(
        self,
        capture: Capture,
        grouping: Grouping,
        max_block: int = MAX_BLOCK,
        limit: int | None = None,
    ) -> None:
        self.capture = capture
        self.grouping = grouping
        self.max_block = max_block
        self.limit = limit
        self._cuts = array("q")
        """Offsets where blocks start, increasing; a last one at `indexed_bytes` ends a block."""
        self._ends_message = array("b")
        """For each cut, whether the block before it ends a message (byte framings only)."""
        self._continues = array("b")
        """For each cut, whether the block after it goes on from the one before (`max_block`)."""
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
        return self._next_chunk >= self._chunk_count()

    def _chunk_count(self) -> int:
        count = len(self.capture)
        return count if self.limit is None else min(count, self.limit)

    def update(self, budget: int | None = None) -> bool:
        """Index new chunks, at least one and about `budget` bytes of them; True if more wait."""
        spent = 0
        count = self._chunk_count()
        while self._next_chunk < count and (budget is None or spent < budget or spent == 0):
            first = self._next_chunk
            taken = self._short_runs(first, count, budget, spent)
            if taken:
                spent += taken
                continue
            allowance = None if budget is None else max(budget - spent, 1)
            run = self.capture.run_at(first, count, allowance)
            self._cut_before(first, run.offset, run.direction)
            if run.stop > first + 1:
                stop = self._stretch_stop(first, run.stop)
                if stop < run.stop:
                    run = self.capture.run_at(first, stop)
            if self.grouping.kind is GroupingKind.CHUNK and run.stop > first + 1:
                self._append_cuts(self.capture.chunk_offsets(first + 1, run.stop), True)
            framer = self._framers.get(run.direction)
            if framer is not None:
                self._frame(framer, run.direction, run.offset, run.end, run.stream_offset)
            self._stream_ends[run.direction] = run.end
            self._last_direction = run.direction
            self._next_chunk = run.stop
            self._indexed_bytes = run.end
            spent += run.length
        return self._next_chunk < self._chunk_count()

    def _short_runs(self, first: int, count: int, budget: int | None, spent: int) -> int:
        """Index at once a stretch of runs that each start a block and that no event, note or
        `max_block` cuts inside (an echo, a request and its reply in turn: runs of a read or
        two, a million of them taking seconds one at a time); bytes taken, 0 if the stretch
        ahead is not like that."""
        capture = self.capture
        chunks = self.grouping.kind is GroupingKind.CHUNK
        if first + 1 >= count:
            return 0
        if capture.chunk(first).direction is self._last_direction and not chunks:
            return 0  # a run goes on: the rules of one read at a time decide its cuts
        stop = capture.first_noted(first, count)
        if self._events_seen < len(capture.events):
            stop = min(stop, capture.events[self._events_seen].before_chunk)
        start_offset = capture.chunk(first).offset
        allowance = READ_PIECE if budget is None else min(READ_PIECE, max(budget - spent, 1))
        limit = min(start_offset + allowance, capture.total_bytes)
        stop = min(stop, capture.chunk_index_at(limit - 1) + 1)  # the allowance's last byte
        if stop <= first + 1:
            return 0
        turns = capture.run_starts(first, stop)
        if len(turns) > STRETCH_RUNS:
            stop, turns = turns[STRETCH_RUNS], turns[:STRETCH_RUNS]
        offsets = capture.chunk_offsets(first, stop)
        if not chunks:
            stop = self._before_a_long_run(first, stop, turns, offsets)
            turns = turns[: bisect.bisect_left(turns, stop)]
        if not turns:
            return 0  # one run: read by read is as fast, and reads (frames) it once
        end = capture.chunk(stop - 1).end
        if chunks:
            self._append_cuts(offsets, True)
        elif self._framers:
            self._frame_runs(first, turns, offsets, end)
        else:
            cuts = array("q", [offsets[0]])
            cuts.extend(offsets[turn - first] for turn in turns)
            self._append_cuts(cuts, True)
        last = capture.chunk(stop - 1).direction
        self._stream_ends[last] = end
        if turns:  # the other direction's bytes end where the last run begins
            self._stream_ends[Direction(1 - last)] = offsets[turns[-1] - first]
        self._last_direction = last
        self._next_chunk = stop
        self._indexed_bytes = end
        return end - offsets[0]

    def _frame_runs(self, first: int, turns: array[int], offsets: array[int], end: int) -> None:
        """Cut a stretch of short runs each direction in turn under a framing grouping: each
        direction's bytes go through its framer at once, and the message ends it finds are
        placed back in the capture, beside a cut where each run begins."""
        base = offsets[0]
        data = self.capture.read(base, end - base)
        starts = [base, *(offsets[turn - first] for turn in turns)]
        bounds = [*starts[1:], end]
        cuts = dict.fromkeys(starts, False)
        first_direction = self.capture.chunk(first).direction
        for parity in (0, 1):
            direction = Direction(first_direction ^ parity)
            framer = self._framers[direction]
            runs = list(zip(starts[parity::2], bounds[parity::2], strict=True))
            if not runs:
                continue
            stream_starts = array("q", [framer.position])
            for run_start, run_end in runs[:-1]:
                stream_starts.append(stream_starts[-1] + run_end - run_start)
            joined = b"".join(
                data[run_start - base : run_end - base] for run_start, run_end in runs
            )
            before = self._stream_ends[direction]
            for stream_end in framer.feed(joined):
                run = bisect.bisect_right(stream_starts, stream_end) - 1
                into = stream_end - stream_starts[run]
                if into:
                    cuts[runs[run][0] + into] = True
                else:  # a CR that waited for the next byte: the end of the run before
                    cuts[runs[run - 1][1] if run else before] = True
        for offset in sorted(cuts):
            self._cut(offset, cuts[offset])

    def _before_a_long_run(
        self, first: int, stop: int, turns: array[int], offsets: array[int]
    ) -> int:
        """Where the stretch of runs from chunk `first` to `stop` (turning at `turns`) must
        end: before the first run that `max_block` may cut, else at `stop`."""
        run_start, start_offset = first, offsets[0]
        for turn in turns:
            turn_offset = offsets[turn - first]
            if turn_offset - start_offset > self.max_block:
                return run_start
            run_start, start_offset = turn, turn_offset
        if self.capture.chunk(stop - 1).end - start_offset > self.max_block:
            return run_start
        return stop

    def _cut_before(self, index: int, offset: int, direction: Direction) -> None:
        """Whatever cuts at the start of chunk `index`: the rules, in their order of say."""
        log = self.capture.events
        events = log.count_before(index) if len(log) > self._events_seen else 0
        ends_message = not self._framers
        if events > self._events_seen:
            self._after_events(self._events_seen, events)
            self._events_seen = events
            self._cut(offset, ends_message)
        elif (
            direction is not self._last_direction
            or self.grouping.kind is GroupingKind.CHUNK
            or self.capture.note(index)
        ):
            self._cut(offset, ends_message)
        elif self._cuts and offset - self._cuts[-1] >= self.max_block:
            self._cut(offset, ends_message, continues=True)

    def _stretch_stop(self, first: int, count: int) -> int:
        """Where the reads from `first` on stop being one stretch: at the next chunk that an
        event or a note comes before, or that `max_block` may cut (before `count`)."""
        stop = self.capture.first_noted(first + 1, count)
        events = self.capture.events
        if self._events_seen < len(events):
            stop = min(stop, max(events[self._events_seen].before_chunk, first + 1))
        if self._cuts and self.grouping.kind is not GroupingKind.CHUNK:
            threshold = self._cuts[-1] + self.max_block
            if threshold < self.capture.total_bytes:
                at = self.capture.chunk_index_at(threshold)
                stop = min(stop, max(at + (self.capture.chunk(at).offset < threshold), first + 1))
        return stop

    def _frame(
        self, framer: Framer, direction: Direction, start: int, end: int, stream_start: int
    ) -> None:
        to_capture = start - stream_start
        for offset in range(start, end, READ_PIECE):
            ends = framer.feed(self.capture.read(offset, min(READ_PIECE, end - offset)))
            if ends and ends[0] == stream_start:
                # An end at the stretch's very start (a CR that waited for this byte) belongs
                # to the end of this direction's bytes before it.
                self._cut(self._stream_ends[direction], True)
                del ends[0]
            if ends:
                shifted = [end + to_capture for end in ends] if to_capture else ends
                self._append_cuts(array("q", shifted), True)

    def _after_events(self, first: int, stop: int) -> None:
        """Events came before the next chunk: after a (re)connection, frame new streams."""
        kinds = {event.kind for event in self.capture.events.events(first, stop)}
        if self._framers and kinds.intersection(NEW_STREAMS):
            for direction, old in self._framers.items():
                fresh = self.grouping.new_framer()
                fresh.position = fresh.message_start = old.position
                self._framers[direction] = fresh

    def _append_cuts(self, offsets: array[int], ends_message: bool) -> None:
        """Cuts past the last one (all but perhaps the first), each ending a message or not."""
        if self._cuts and offsets and offsets[0] <= self._cuts[-1]:
            self._cut(offsets[0], ends_message)
            offsets = offsets[1:]
        self._cuts.extend(offsets)
        self._ends_message.frombytes(bytes([ends_message]) * len(offsets))
        self._continues.frombytes(bytes(len(offsets)))

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
        return self._forgotten + cuts - (cuts > 0 and self._cuts[-1] >= self._indexed_bytes)

    def block(self, index: int) -> Block:
        return self.block_and_first_chunk(index)[0]

    def block_and_first_chunk(self, index: int) -> tuple[Block, Chunk]:
        """Block `index`, and the chunk its first byte is in (looked up for it anyway)."""
        if not self._forgotten <= index < len(self):
            raise IndexError(f"no block {index}")
        if self.grouping.kind is GroupingKind.CHUNK:  # a block per chunk: no lookups
            chunk = self.capture.chunk(index)
            block = Block(
                index, chunk.direction, chunk.offset, chunk.end, index, 1, True, False, None
            )
            return block, chunk
        return self._blocks_and_first_chunks(index, index + 1)[0]

    def blocks(self, start: int, stop: int) -> list[Block]:
        """Blocks `start` up to `stop` at once: a walk over many looks each chunk up once."""
        return [block for block, _ in self._blocks_and_first_chunks(start, stop)]

    def _blocks_and_first_chunks(self, start: int, stop: int) -> list[tuple[Block, Chunk]]:
        base = self._forgotten
        if not 0 <= start - base <= stop - base <= len(self) - base:
            raise IndexError(f"blocks {start} to {stop} are not in the index")
        if start >= stop:
            return []
        cuts, flags, continued = self._cuts, self._ends_message, self._continues
        framed = bool(self._framers)
        ends = [*cuts[start - base + 1 : stop - base + 1]]
        if len(ends) < stop - start:
            ends.append(self._indexed_bytes)
        first_chunk = self.capture.chunk_index_at(cuts[start - base])
        last_chunk = self.capture.chunk_index_at(ends[-1] - 1)
        offsets = self.capture.chunk_offsets(first_chunk, last_chunk + 1)
        found: list[tuple[Block, Chunk]] = []
        chunk = self.capture.chunk(first_chunk)
        for number, end in zip(range(start, stop), ends, strict=True):
            at = number - base
            first = first_chunk + bisect.bisect_right(offsets, cuts[at]) - 1
            last = first_chunk + bisect.bisect_right(offsets, end - 1) - 1
            if first != chunk.index:
                chunk = self.capture.chunk(first)
            complete = not framed or (at + 1 < len(cuts) and bool(flags[at + 1]))
            missing = None if complete else self._missing(chunk.direction, end)
            block = Block(
                number,
                chunk.direction,
                cuts[at],
                end,
                first,
                last - first + 1,
                complete,
                bool(continued[at]),
                missing,
            )
            found.append((block, chunk))
        return found

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
            del self._continues[:drop]
            self._forgotten += drop
