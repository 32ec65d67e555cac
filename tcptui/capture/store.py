"""The append-only store of every byte sent and received, in order, exactly.

The I/O thread appends; the UI reads only the rows it shows. Chunk facts live in compact
arrays (about 40 bytes a chunk), and the bytes move from memory to an anonymous temporary file
once they pass a small threshold, so a 1 GiB capture costs the process little memory. Reads of
spooled bytes use `os.pread`, which needs no shared file position and so no lock.
"""

from __future__ import annotations

import bisect
import contextlib
import mmap
import os
import tempfile
import threading
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from enum import IntEnum
from typing import IO, NamedTuple

from tcptui.capture.events import ConnectionEvent, EventKind, EventLog

DEFAULT_SPOOL_THRESHOLD = 4 << 20


def system_clock() -> tuple[int, int]:
    """(monotonic, wall) nanoseconds: deltas come from the first, times of day from the second."""
    return time.monotonic_ns(), time.time_ns()


class Direction(IntEnum):
    RECEIVED = 0
    SENT = 1


_DIRECTIONS = tuple(Direction)  # by value: indexing is cheaper than calling the enum


class Chunk(NamedTuple):
    """One recv() or one send: where its bytes are and when they moved.

    A NamedTuple, not a frozen dataclass: views look chunks up for every row they paint, and
    `Capture.chunk` takes 0.8 µs instead of 2 (measured).
    """

    index: int  # type: ignore[assignment]  # shadows tuple.index, which nothing here uses
    direction: Direction
    offset: int
    stream_offset: int
    length: int
    mono_ns: int
    wall_ns: int

    @property
    def end(self) -> int:
        return self.offset + self.length


class ChunkRun(NamedTuple):
    """Neighbouring chunks of one direction, `first` up to `stop`: contiguous bytes both in the
    capture and in that direction's stream, so work that follows bytes can take them at once."""

    first: int
    stop: int
    direction: Direction
    offset: int
    stream_offset: int
    length: int

    @property
    def end(self) -> int:
        return self.offset + self.length


class Capture:
    """Append from one thread, read from any; bytes are never altered or dropped."""

    def __init__(
        self,
        spool_threshold: int = DEFAULT_SPOOL_THRESHOLD,
        spool_dir: str | None = None,
        clock: Callable[[], tuple[int, int]] = system_clock,
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        """Guards the chunk facts; held only for moments, never across a system call."""
        self._write_lock = threading.Lock()
        """Serialises appends with close(), so a spool write never meets a closed descriptor."""
        self._spool_threshold = spool_threshold
        self._spool_dir = spool_dir
        self._memory = bytearray()
        self._file: IO[bytes] | None = None
        self._fd = -1
        self._offsets = array("q")
        self._stream_offsets = array("q")
        self._lengths = array("q")
        self._mono = array("q")
        self._wall = array("q")
        self._directions = array("b")
        self._run_starts = array("q")
        """The chunks whose direction differs from the chunk before: where each run begins."""
        self._total = 0
        self._stream_totals = [0, 0]
        self._chunk_totals = [0, 0]
        self._closed = False
        self._notes: dict[int, str] = {}
        self._noted = array("q")
        """The chunks that have a note, increasing."""
        self._pending_note = ""
        self.events = EventLog()
        """Connection events, placed between chunks (see `capture/events.py`)."""

    # -- writing -----------------------------------------------------------------------------

    def append(
        self, direction: Direction, data: bytes | bytearray | memoryview, note: str = ""
    ) -> Chunk:
        """Store a copy of `data` as a new chunk (the caller may reuse its buffer afterwards).

        Empty data is refused: a chunk always holds bytes. `note` is shown in its header (a
        responder's reply says which rule sent it), after any note `add_note` left pending.
        """
        if not data:
            raise ValueError("a chunk cannot be empty")
        mono, wall = self._clock()
        with self._write_lock:
            with self._lock:
                if self._closed:
                    raise ValueError("the capture is closed")
                offset = self._total
                if self._fd < 0 and offset + len(data) > self._spool_threshold:
                    self._move_to_file()
                if self._fd < 0:
                    self._memory += data
            if self._fd >= 0:
                # Outside the lock: readers never look past `_total`, which moves only below.
                _write_at(self._fd, data, offset)
            with self._lock:
                return self._record(direction, offset, len(data), mono, wall, note)

    def _record(
        self, direction: Direction, offset: int, length: int, mono: int, wall: int, note: str = ""
    ) -> Chunk:
        """The facts of a chunk whose bytes are stored; called with both locks held."""
        stream_offset = self._stream_totals[direction]
        if not self._directions or self._directions[-1] != direction:
            self._run_starts.append(len(self._offsets))
        self._offsets.append(offset)
        self._stream_offsets.append(stream_offset)
        self._lengths.append(length)
        self._mono.append(mono)
        self._wall.append(wall)
        self._directions.append(direction)
        self._total += length
        self._stream_totals[direction] += length
        self._chunk_totals[direction] += 1
        index = len(self._offsets) - 1
        if self._pending_note or note:
            joined = " · ".join(part for part in (self._pending_note, note) if part)
            self._notes[index], self._pending_note = joined, ""
            self._noted.append(index)
        return Chunk(index, direction, offset, stream_offset, length, mono, wall)

    def append_pieces(self, direction: Direction, pieces: Iterable[bytes], length: int) -> Chunk:
        """Store one chunk of `length` bytes that arrive as `pieces`, never held whole.

        For a chunk bigger than memory should hold (a 3 GiB record in a session file): the
        pieces go straight to the spool file. ValueError if they do not add up to `length`;
        then nothing was appended (readers never look past the stored total).
        """
        if length <= self._spool_threshold:
            data = b"".join(pieces)
            if len(data) != length:
                raise ValueError(f"the pieces hold {len(data):,} bytes, not {length:,}")
            return self.append(direction, data)
        mono, wall = self._clock()
        with self._write_lock:
            with self._lock:
                if self._closed:
                    raise ValueError("the capture is closed")
                if self._fd < 0:
                    self._move_to_file()
                offset = self._total
            written = 0
            for piece in pieces:
                if written + len(piece) > length:
                    break
                _write_at(self._fd, piece, offset + written)
                written += len(piece)
            if written != length:
                raise ValueError(f"the pieces hold other than {length:,} bytes")
            with self._lock:
                return self._record(direction, offset, length, mono, wall)

    def _move_to_file(self) -> None:
        # The spool file lives as long as the capture; close() releases it.
        self._file = tempfile.TemporaryFile(  # noqa: SIM115
            prefix="tcptui-capture-", dir=self._spool_dir
        )
        self._fd = self._file.fileno()
        _write_at(self._fd, bytes(self._memory), 0)
        self._memory = bytearray()

    def close(self) -> None:
        """Release the spool file; later reads and appends raise ValueError."""
        with self._write_lock, self._lock:
            self._closed = True
            if self._file is not None:
                self._file.close()
            self._file, self._fd, self._memory = None, -1, bytearray()

    @property
    def closed(self) -> bool:
        return self._closed

    def add_event(self, kind: EventKind, detail: str = "") -> ConnectionEvent:
        """Record that `kind` happened now, after every chunk stored so far.

        Placed and added under the chunk lock: an event from another thread (the UI's
        reconnect) can then never land in the log behind one placed after a later chunk.
        """
        mono, wall = self._clock()
        with self._lock:
            return self.events.add(kind, detail, len(self._offsets), mono, wall)

    def add_note(self, note: str) -> None:
        """Attach `note` to the next chunk (e.g. "connection 2"): shown in its header."""
        with self._lock:
            self._pending_note = note

    # -- reading -----------------------------------------------------------------------------

    def note(self, index: int) -> str:
        """The note attached to chunk `index`, or ""."""
        return self._notes.get(index, "")

    def __len__(self) -> int:
        return len(self._offsets)

    @property
    def total_bytes(self) -> int:
        return self._total

    @property
    def is_spooled(self) -> bool:
        return self._fd >= 0

    def stream_bytes(self, direction: Direction) -> int:
        return self._stream_totals[direction]

    def chunk_count(self, direction: Direction) -> int:
        return self._chunk_totals[direction]

    def chunk(self, index: int) -> Chunk:
        with self._lock:
            if not 0 <= index < len(self._offsets):
                raise IndexError(f"no chunk {index}")
            return Chunk(
                index,
                _DIRECTIONS[self._directions[index]],
                self._offsets[index],
                self._stream_offsets[index],
                self._lengths[index],
                self._mono[index],
                self._wall[index],
            )

    def chunks(self, start: int = 0, stop: int | None = None) -> Iterator[Chunk]:
        stop = len(self) if stop is None else min(stop, len(self))
        for index in range(start, stop):
            yield self.chunk(index)

    def run_at(self, index: int, stop: int, max_bytes: int | None = None) -> ChunkRun:
        """The chunks from `index` on that continue its direction, before `stop`, and ending
        with the chunk that holds the `max_bytes`th byte of the run (at least one chunk)."""
        with self._lock:
            offsets, lengths = self._offsets, self._lengths
            stop = min(stop, len(offsets))
            if not 0 <= index < stop:
                raise IndexError(f"no chunk {index} before {stop}")
            after = bisect.bisect_right(self._run_starts, index)
            if after < len(self._run_starts):
                stop = min(stop, self._run_starts[after])
            offset = offsets[index]
            if max_bytes is not None and offsets[stop - 1] - offset >= max_bytes:
                stop = bisect.bisect_right(offsets, offset + max(max_bytes, 1) - 1, index, stop)
            return ChunkRun(
                index,
                stop,
                _DIRECTIONS[self._directions[index]],
                offset,
                self._stream_offsets[index],
                offsets[stop - 1] + lengths[stop - 1] - offset,
            )

    def run_starts(self, start: int, stop: int) -> array[int]:
        """The chunks after `start`, before `stop`, where the direction changes."""
        with self._lock:
            starts = self._run_starts
            low = bisect.bisect_right(starts, start)
            return starts[low : bisect.bisect_left(starts, stop, low)]

    def first_noted(self, start: int, stop: int) -> int:
        """The first chunk from `start` on, before `stop`, that has a note; `stop` if none."""
        with self._lock:
            at = bisect.bisect_left(self._noted, start)
            return min(self._noted[at], stop) if at < len(self._noted) else stop

    def chunk_offsets(self, start: int, stop: int) -> array[int]:
        """Where chunks `start` up to `stop` begin in the capture, as one compact copy."""
        with self._lock:
            return self._offsets[start:stop]

    def chunk_index_at(self, offset: int) -> int:
        """The index of the chunk holding byte `offset` of the capture."""
        with self._lock:
            if not 0 <= offset < self._total:
                raise IndexError(f"offset {offset} is outside the capture")
            return bisect.bisect_right(self._offsets, offset) - 1

    def read(self, offset: int, length: int) -> bytes:
        """Bytes `[offset, offset+length)` of the capture, clipped to what has been stored."""
        with self._lock:
            if self._closed:
                raise ValueError("the capture is closed")
            length = max(0, min(length, self._total - offset))
            if self._fd < 0 or length == 0:
                return bytes(self._memory[offset : offset + length])
            fd = self._fd
        return _read_all(fd, offset, length)

    def read_chunk(self, index: int, start: int = 0, length: int | None = None) -> bytes:
        """The bytes of one chunk, or a slice of them."""
        chunk = self.chunk(index)
        start = min(max(0, start), chunk.length)
        available = chunk.length - start
        length = available if length is None else min(length, available)
        return self.read(chunk.offset + start, length)

    @contextlib.contextmanager
    def mapped(self) -> Iterator[bytes | mmap.mmap]:
        """Every byte stored so far as one read-only buffer, without copying: a spooled
        capture's file is mapped into memory (address space, not heap). Bytes appended later
        are not in it."""
        with self._lock:
            if self._closed:
                raise ValueError("the capture is closed")
            total = self._total
            if self._fd < 0 or total == 0:
                small: bytes | None = bytes(self._memory[:total])
            else:
                small, mapping = None, mmap.mmap(self._fd, total, access=mmap.ACCESS_READ)
        if small is not None:
            yield small
            return
        try:
            yield mapping
        finally:
            mapping.close()

    def iter_bytes(self, block: int = 1 << 20) -> Iterator[bytes]:
        """All stored bytes in order, a block at a time, without holding them all."""
        offset, end = 0, self._total
        while offset < end:
            data = self.read(offset, min(block, end - offset))
            offset += len(data)
            yield data


if hasattr(os, "pread"):

    def _write_at(fd: int, data: bytes | bytearray | memoryview, offset: int) -> None:
        view = memoryview(data)
        while view:
            written = os.pwrite(fd, view, offset)
            view, offset = view[written:], offset + written

    def _read_all(fd: int, offset: int, length: int) -> bytes:
        parts: list[bytes] = []
        while length > 0:
            part = os.pread(fd, length, offset)
            if not part:
                raise OSError(f"capture spool file ended early at offset {offset}")
            parts.append(part)
            offset += len(part)
            length -= len(part)
        return b"".join(parts)

else:  # Windows has neither pread nor pwrite: serialise seek+read and seek+write.
    _seek_lock = threading.Lock()

    def _write_at(fd: int, data: bytes | bytearray | memoryview, offset: int) -> None:
        view = memoryview(data)
        with _seek_lock:
            os.lseek(fd, offset, os.SEEK_SET)
            while view:
                view = view[os.write(fd, view) :]

    def _read_all(fd: int, offset: int, length: int) -> bytes:
        parts: list[bytes] = []
        with _seek_lock:
            os.lseek(fd, offset, os.SEEK_SET)
            while length > 0:
                part = os.read(fd, length)
                if not part:
                    raise OSError(f"capture spool file ended early at offset {offset}")
                parts.append(part)
                length -= len(part)
        return b"".join(parts)
