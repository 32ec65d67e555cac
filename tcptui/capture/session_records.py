"""A session file's records read into a Capture, keeping every whole one when the file is cut.

A session file loses its end when a copy or a download stops early, a disk fills up, or tcptui
is killed while saving (the temporary `.NAME.XXXX.tmp` file it leaves holds what was written).
Every record before the cut is as good as ever, so the reader keeps them, byte for byte, and
says what was lost (`CutShort`) instead of refusing the whole file. A chunk the file ends inside
keeps the bytes that are there: they are real bytes that crossed the socket, and an event after
them says how many are missing. What is wrong rather than missing (an unknown kind, a chunk of
no bytes, a bad event, a checksum that fails in a complete file) still refuses the file.

Records are read a block at a time, so a record of any size costs little memory: big ones go
straight to the Capture's spool file.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

from tcptui.capture.events import EventKind
from tcptui.capture.export import BLOCK, ProgressTracker
from tcptui.capture.session_format import (
    END,
    END_KIND,
    EVENT_KIND,
    FIRST_VERSION_WITH_EVENTS,
    MAX_EVENT,
    RECORD,
    CorruptSessionFileError,
    TruncatedSessionFileError,
)
from tcptui.capture.store import Capture, Direction
from tcptui.codec.words import counted

_DIRECTIONS = {int(direction): direction for direction in Direction}
_EVENT_KINDS = {kind.value: kind for kind in EventKind}
PROGRESS_STEP = 4 << 20
"""Bytes read between two progress reports while opening."""


@dataclass(frozen=True)
class CutShort:
    """Where a session file ends early, and what of it was kept."""

    chunks: int
    """Whole chunks kept."""
    chunk_bytes: int
    """The bytes of those whole chunks."""
    partial: int = 0
    """Bytes kept of the chunk the file ends inside; 0 when it ends between records."""
    declared: int = 0
    """How many bytes the chunk the file ends inside should hold."""
    in_end_record: bool = False
    """Only the end record is cut: every chunk is whole, but the checksum cannot be checked."""

    def sentence(self) -> str:
        """What was kept and what was lost, for the user."""
        whole = f"{counted(self.chunks, 'chunk')} ({counted(self.chunk_bytes, 'byte')})"
        if self.in_end_record:
            return (
                "the file is cut short inside its end record: every one of its "
                f"{counted(self.chunks, 'chunk')} and {counted(self.chunk_bytes, 'byte')} is "
                "here, but their checksum could not be checked"
            )
        lost = "what followed is lost, and the end record's checksum could not be checked"
        if self.partial:
            before = f"the {whole} before it and " if self.chunks else ""
            return (
                f"the file is cut short inside chunk {self.chunks + 1:,}: {before}the first "
                f"{self.partial:,} of its {self.declared:,} bytes are kept; {lost}"
            )
        return f"the file is cut short after {whole}: {lost}"

    def event_detail(self) -> str:
        """The detail of the CUT_SHORT event that marks the place in the log."""
        if self.in_end_record:
            return "in its end record: every chunk is whole, their checksum unchecked"
        if self.partial:
            return (
                f"here: the chunk above holds {self.partial:,} of its {self.declared:,} "
                "bytes; what followed is lost"
            )
        return "here: what followed is lost"


class FileFacts(NamedTuple):
    size: int
    """The file's length."""
    stored: int
    """Bytes the file system holds for it: much less than `size` for a sparse file."""


class RecordedClock:
    """Hands the Capture the timestamps read from the file instead of the time now."""

    def __init__(self) -> None:
        self.now = (0, 0)

    def __call__(self) -> tuple[int, int]:
        return self.now


def read_records(
    src: BinaryIO,
    facts: FileFacts,
    capture: Capture,
    clock: RecordedClock,
    tracker: ProgressTracker,
    version: int,
) -> CutShort | None:
    """Every record from `src` (just past the metadata line) into `capture`; what was lost
    when the file is cut short, marked in the capture by a CUT_SHORT event, or None."""
    cut = _RecordReader(src, facts, capture, clock, version).read(tracker)
    if cut is not None:
        capture.add_event(EventKind.CUT_SHORT, cut.event_detail())
    return cut


class _RecordReader:
    """Walks the records once, holding where it is (for progress and for naming a record in
    an error) and the CRC-32 of the chunks so far (checked against the end record)."""

    def __init__(
        self,
        src: BinaryIO,
        facts: FileFacts,
        capture: Capture,
        clock: RecordedClock,
        version: int,
    ) -> None:
        self._src = src
        self._facts = facts
        self._capture = capture
        self._clock = clock
        self._version = version
        self._position = src.tell()
        self._number = 0
        self._crc = 0

    def read(self, tracker: ProgressTracker) -> CutShort | None:
        reported = 0
        while True:
            head = self._src.read(RECORD.size)
            if head and head[0] == END_KIND:
                self._src.seek(self._position + 1)
                tracker.advance(self._position - reported)
                return self._check_end()
            if len(head) < RECORD.size:
                if head:
                    self._check_kind(head[0], _RecordPlace(self._number, self._position))
                tracker.advance(self._position - reported)
                return self._cut()
            cut = self._read_record(head)
            if cut is not None:
                tracker.advance(self._position - reported)
                return cut
            if self._position - reported >= PROGRESS_STEP:
                tracker.advance(self._position - reported)
                reported = self._position

    def _check_kind(self, kind: int, where: _RecordPlace) -> None:
        if kind not in _DIRECTIONS and not self._holds_event(kind):
            raise CorruptSessionFileError(f"{where} has an unknown kind {kind}")

    def _holds_event(self, kind: int) -> bool:
        return kind == EVENT_KIND and self._version >= FIRST_VERSION_WITH_EVENTS

    def _read_record(self, head: bytes) -> CutShort | None:
        """One whole record header and as much of its data as the file holds."""
        kind, mono_ns, wall_ns, length = RECORD.unpack(head)
        where = _RecordPlace(self._number, self._position)
        self._position += RECORD.size
        self._clock.now = (mono_ns, wall_ns)
        available = self._facts.size - self._position
        direction = _DIRECTIONS.get(kind)
        if direction is None:
            self._check_kind(kind, where)
            if length > MAX_EVENT:
                raise CorruptSessionFileError(
                    f"{where} is an event of {length:,} bytes; an event holds at most {MAX_EVENT:,}"
                )
            if length > available:
                return self._cut()
            _read_event(self._src, self._capture, length, where)
        elif length <= available:
            self._read_data(direction, length, where)
        elif available:
            self._read_data(direction, available, where)
            return self._cut(available, length)
        else:
            return self._cut()
        self._position += length
        self._number += 1
        return None

    def _cut(self, partial: int = 0, declared: int = 0) -> CutShort:
        chunks = len(self._capture) - (1 if partial else 0)
        return CutShort(chunks, self._capture.total_bytes - partial, partial, declared)

    def _read_data(self, direction: Direction, length: int, where: _RecordPlace) -> None:
        """Moves `length` bytes of one chunk into the capture, carrying the CRC-32 over them."""
        if length == 0:
            raise CorruptSessionFileError(f"{where} holds no bytes")
        if length <= BLOCK:
            data = self._src.read(length)
            if len(data) != length:
                raise _shrank(where)
            self._capture.append(direction, data)
            self._crc = zlib.crc32(data, self._crc)
            return
        self._check_stored(self._capture.total_bytes + length, where)
        pieces = _Pieces(self._src, length, self._crc, where)
        self._capture.append_pieces(direction, pieces, length)
        self._crc = pieces.crc

    def _check_stored(self, needed: int, where: _RecordPlace) -> None:
        """Before a big record is read: the file system (which stores the file's bytes) or
        the end record (which counts them) must vouch for `needed` bytes of chunks so far. A
        crafted file (a 1 TB record in a sparse file) is refused at once instead of read for
        an hour; a real one, whole or cut short, is read, with progress."""
        stored = self._facts.stored
        total = self._end_record_total()
        if needed <= stored or (total is not None and needed <= total):
            return
        counts = "it has no end record" if total is None else f"its end record counts {total:,}"
        raise CorruptSessionFileError(
            f"{where} holds more bytes than the file stores on disk ({stored:,}) and {counts}"
        )

    def _end_record_total(self) -> int | None:
        """The byte total the end record counts, if the file ends with one."""
        here = self._src.tell()
        self._src.seek(max(0, self._facts.size - END.size - 1))
        tail = self._src.read(END.size + 1)
        self._src.seek(here)
        if len(tail) != END.size + 1 or tail[0] != END_KIND:
            return None
        _, total, _ = END.unpack(tail[1:])
        return int(total)

    def _check_end(self) -> CutShort | None:
        end = self._src.read(END.size)
        if len(end) != END.size:
            return CutShort(len(self._capture), self._capture.total_bytes, in_end_record=True)
        chunks, total, expected_crc = END.unpack(end)
        capture = self._capture
        if (chunks, total) != (len(capture), capture.total_bytes):
            raise CorruptSessionFileError(
                f"the end record counts {chunks} chunks and {total:,} bytes, but the file holds "
                f"{len(capture)} chunks and {capture.total_bytes:,} bytes"
            )
        if self._crc != expected_crc:
            raise CorruptSessionFileError("the bytes do not match their checksum (CRC-32)")
        if self._src.read(1):
            raise CorruptSessionFileError("there are stray bytes after the end record")
        return None


def _shrank(where: _RecordPlace) -> TruncatedSessionFileError:
    """The file got shorter while it was read: what was measured at the start is gone."""
    return TruncatedSessionFileError(f"the file got shorter while it was read, inside {where}")


def _read_event(src: BinaryIO, capture: Capture, length: int, where: _RecordPlace) -> None:
    """One event record into the capture, at the place it stands (see the format)."""
    data = src.read(length)
    if len(data) != length:
        raise _shrank(where)
    try:
        values = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise CorruptSessionFileError(f"{where} is an event that is not a JSON object") from None
    if not isinstance(values, dict):
        raise CorruptSessionFileError(f"{where} is an event that is not a JSON object")
    name, detail, position = values.get("event"), values.get("detail"), values.get("before_chunk")
    kind = _EVENT_KINDS.get(name) if isinstance(name, str) else None
    if kind is None:
        raise CorruptSessionFileError(f"{where} is an event of an unknown kind")
    if not isinstance(detail, str) or not _is_text(detail):
        raise CorruptSessionFileError(f"{where} is an event whose detail is not text")
    if type(position) is not int or position != len(capture):
        raise CorruptSessionFileError(
            f"{where} is an event that should come before chunk {position!r:.20}, "
            f"but stands after {len(capture):,} chunks"
        )
    capture.add_event(kind, detail)


def _is_text(value: str) -> bool:
    """False for a string holding lone surrogates (JSON can spell them, no text holds them):
    nothing downstream has to guard against a string that cannot be encoded."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _RecordPlace:
    """Names a record in error messages; formatted only when one is raised."""

    def __init__(self, number: int, position: int) -> None:
        self.number = number
        self.position = position

    def __str__(self) -> str:
        return f"record {self.number} (at byte {self.position})"


class _Pieces:
    """The data of one big record, a block at a time, with the running CRC-32."""

    def __init__(self, src: BinaryIO, length: int, crc: int, where: _RecordPlace) -> None:
        self._src = src
        self._length = length
        self._where = where
        self.crc = crc

    def __iter__(self) -> Iterator[bytes]:
        left = self._length
        while left:
            piece = self._src.read(min(BLOCK, left))
            if not piece:
                raise _shrank(self._where)
            self.crc = zlib.crc32(piece, self.crc)
            left -= len(piece)
            yield piece
