"""Exports by message: a file per message in a folder, or one JSON-lines file.

A person reading a conversation wants its messages (lines, length-prefixed frames, runs of one
direction), not the accidents of how `recv()` cut them; these exports write the blocks of the
tab's grouping (`capture.message_index`). Both walk the capture once in order, reading it a
slice at a time and forgetting the blocks already written, so a 1 GiB capture is written in
the memory of a slice; both stop between blocks when the user gives up.

The folder export writes into a new hidden folder beside the target and renames it to the
target only when complete (an existing folder must be empty: files of two exports are never
mixed). The JSON-lines export goes through `write_atomically`, as the other exports do.
"""

from __future__ import annotations

import binascii
import contextlib
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from tcptui.capture.events import ConnectionEvent
from tcptui.capture.export import (
    BLOCK,
    Cancel,
    Progress,
    ProgressTracker,
    SaveError,
    friendly_os_error,
    write_atomically,
)
from tcptui.capture.message_index import Block, MessageIndex
from tcptui.capture.store import Capture, Direction
from tcptui.codec.framing import Grouping

INDEX_SLICE = 4 << 20
"""Bytes indexed between writes: the blocks held at once are those of about this many bytes."""
WHOLE = 1 << 62
"""The exports' `max_block`: a message is written whole, however big (the log cuts big ones)."""
BLOCKS_AT_ONCE = 4096
"""Blocks looked up together: cheaper per block than one at a time, and few to hold."""
LINES_AT_ONCE = 3000
"""Pieces of JSON lines joined before each write."""
BASE64_PIECE = 3 << 18
"""Bytes encoded at a time: a multiple of 3, so the pieces' base64 joins into the whole's."""


DIRECTION_WORDS = {Direction.RECEIVED: "received", Direction.SENT: "sent"}


def walk_blocks(
    capture: Capture,
    grouping: Grouping,
    limit: int | None = None,
    slice_bytes: int = INDEX_SLICE,
) -> Iterator[Block]:
    """Every block of the first `limit` chunks (all there are now, by default), in order,
    each once its facts are final, holding only the blocks of about `slice_bytes`."""
    index = MessageIndex(capture, grouping, WHOLE, len(capture) if limit is None else limit)
    done = 0
    while True:
        more = index.update(slice_bytes)
        settled = index.settled
        for batch in range(done, settled, BLOCKS_AT_ONCE):
            yield from index.blocks(batch, min(batch + BLOCKS_AT_ONCE, settled))
        done = settled
        index.forget(done)
        if not more:
            return


def count_blocks(
    capture: Capture,
    grouping: Grouping,
    limit: int | None = None,
    between_slices: Callable[[], None] = lambda: None,
) -> int:
    """How many blocks `walk_blocks` gives, without making them; `between_slices` runs after
    each slice (it may raise to stop: a cancelled export)."""
    index = MessageIndex(capture, grouping, WHOLE, len(capture) if limit is None else limit)
    while index.update(INDEX_SLICE):
        index.forget(index.settled)
        between_slices()
    return len(index)


class SequentialReader:
    """Reads ranges of a capture that come in increasing order, a big window at a time: a
    million small messages cost a few hundred reads, not a million."""

    def __init__(self, capture: Capture, window: int = BLOCK) -> None:
        self.capture = capture
        self.window = window
        self._start = 0
        self._data = b""

    def pieces(self, start: int, end: int, piece: int = BLOCK) -> Iterator[bytes]:
        """The bytes `[start, end)` in pieces of at most `piece` bytes."""
        for at in range(start, end, piece):
            yield self.read(at, min(at + piece, end))

    def read(self, start: int, end: int) -> bytes:
        """The bytes `[start, end)`, from the window when it holds them."""
        if not self._start <= start <= end <= self._start + len(self._data):
            self._start = start
            self._data = self.capture.read(start, max(self.window, end - start))
            if len(self._data) < end - start:
                raise SaveError("The capture ended before the message did.")
        at = start - self._start
        return self._data[at : at + end - start]


def message_file_name(number: int, direction_word: str, width: int) -> str:
    """`0001-sent.bin`: numbers of one width, so the names sort in the conversation's order."""
    return f"{number:0{width}d}-{direction_word}.bin"


def export_message_files(
    capture: Capture,
    folder: str | os.PathLike[str],
    grouping: Grouping,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> tuple[int, int]:
    """Write each block as a file of its own in `folder` (new, or an empty folder); return
    (files, bytes). Raises SaveError, SaveCancelled; then `folder` is as it was."""
    target = Path(os.path.abspath(os.fspath(folder)))
    _check_empty_folder(target)
    limit = len(capture)
    total = capture.total_bytes if limit == 0 else capture.chunk(limit - 1).end
    tracker = ProgressTracker(2 * total, progress, cancel)
    tracker.check()
    count = count_blocks(capture, grouping, limit, tracker.check)
    tracker.advance(total)
    width = max(4, len(str(count)))
    staging = _make_staging_folder(target)
    try:
        written = _write_message_files(capture, grouping, limit, staging, width, tracker)
        os.replace(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise friendly_os_error(target, exc) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    tracker.finish()
    return count, written


def _write_message_files(
    capture: Capture,
    grouping: Grouping,
    limit: int,
    staging: Path,
    width: int,
    tracker: ProgressTracker,
) -> int:
    reader = SequentialReader(capture)
    written = 0
    for block in walk_blocks(capture, grouping, limit):
        name = message_file_name(block.index + 1, DIRECTION_WORDS[block.direction], width)
        with open(staging / name, "xb") as out:
            for data in reader.pieces(block.start, block.end):
                out.write(data)
                tracker.advance(len(data))
        written += block.end - block.start
    return written


def _check_empty_folder(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise SaveError(f"{target} is a file: name a new folder for the messages.", target)
    try:
        if target.is_dir() and any(target.iterdir()):
            raise SaveError(
                f"{target} already holds files: name a new or empty folder for the messages.",
                target,
            )
    except OSError as exc:
        raise friendly_os_error(target, exc) from exc
    if not target.parent.is_dir():
        raise SaveError(f"The folder {target.parent} does not exist.", target)


def _make_staging_folder(target: Path) -> Path:
    while True:
        staging = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            staging.mkdir(0o777)
            return staging
        except FileExistsError:
            continue
        except OSError as exc:
            raise friendly_os_error(target, exc) from exc


def export_json_lines(
    capture: Capture,
    path: str | os.PathLike[str],
    grouping: Grouping,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> int:
    """Write one JSON object per block (and per connection event, in its place) to `path`;
    return the file's size. Raises SaveError, SaveCancelled; then `path` is untouched."""
    limit = len(capture)
    events = capture.events.events(0, len(capture.events))
    total = capture.total_bytes if limit == 0 else capture.chunk(limit - 1).end
    tracker = ProgressTracker(total, progress, cancel)
    size = write_atomically(
        path, lambda out: _write_json_lines(capture, grouping, limit, events, out, tracker)
    )
    tracker.finish()
    return size


def _write_json_lines(
    capture: Capture,
    grouping: Grouping,
    limit: int,
    events: list[ConnectionEvent],
    out: BinaryIO,
    tracker: ProgressTracker,
) -> None:
    tracker.check()
    clock = _Clock(capture, limit, events)
    event_offsets = [_event_offset(capture, event, limit) for event in events]
    next_event = 0
    reader = SequentialReader(capture)
    lines: list[bytes] = []
    moved = 0
    known_chunk, when = -1, ""
    for block in walk_blocks(capture, grouping, limit):
        while next_event < len(events) and event_offsets[next_event] <= block.start:
            lines.append(_event_line(events[next_event], clock))
            next_event += 1
        if block.first_chunk != known_chunk:  # many lines share the read they started in
            known_chunk, first = block.first_chunk, capture.chunk(block.first_chunk)
            when = f'"time": "{clock.iso(first.wall_ns)}", "delta": {clock.delta(first.mono_ns)}'
        length = block.end - block.start
        lines.append(
            f'{{"index": {block.index + 1}, "direction": "{DIRECTION_WORDS[block.direction]}", '
            f'{when}, "length": {length}, "reads": {block.reads}, '
            f'"complete": {"true" if block.complete else "false"}, "data": "'.encode()
        )
        if length <= BASE64_PIECE:
            lines.append(binascii.b2a_base64(reader.read(block.start, block.end), newline=False))
            moved += length
        else:  # a big message goes straight out, a piece at a time
            out.write(b"".join(lines))
            lines.clear()
            for data in reader.pieces(block.start, block.end, BASE64_PIECE):
                out.write(binascii.b2a_base64(data, newline=False))
                tracker.advance(len(data))
        lines.append(b'"}\n')
        if moved >= BLOCK or len(lines) >= LINES_AT_ONCE:
            out.write(b"".join(lines))
            lines.clear()
            tracker.advance(moved)
            moved = 0
    lines += [_event_line(event, clock) for event in events[next_event:]]
    out.write(b"".join(lines))
    tracker.advance(moved)


def _event_offset(capture: Capture, event: ConnectionEvent, limit: int) -> int:
    """Where in the capture an event sits: the start of the chunk that came after it."""
    if event.before_chunk < limit:
        return capture.chunk(event.before_chunk).offset
    return capture.total_bytes + 1 if limit == 0 else capture.chunk(limit - 1).end + 1


def _event_line(event: ConnectionEvent, clock: _Clock) -> bytes:
    return (
        f'{{"event": "{event.kind.value}", "detail": {json.dumps(event.detail)}, '
        f'"time": "{clock.iso(event.wall_ns)}", "delta": {clock.delta(event.mono_ns)}}}\n'
    ).encode()


class _Clock:
    """Times as the lines show them: ISO 8601 UTC wall time, and seconds since the first thing
    the file records by the monotonic clock (which no clock change can bend)."""

    def __init__(self, capture: Capture, limit: int, events: list[ConnectionEvent]) -> None:
        starts = [event.mono_ns for event in events[:1]]
        if limit:
            starts.append(capture.chunk(0).mono_ns)
        self._origin = min(starts, default=0)
        self._second: int | None = None
        self._prefix: str | None = None

    def iso(self, wall_ns: int) -> str:
        """`2026-12-05T13:29:25.123456Z`, worked out once a second; "" for a time no calendar
        holds (a session file may say anything)."""
        second, nanos = divmod(wall_ns, 1_000_000_000)
        if second != self._second:
            self._second, self._prefix = second, None
            with contextlib.suppress(OverflowError, OSError, ValueError):
                moment = datetime.fromtimestamp(second, UTC)
                self._prefix = moment.strftime("%Y-%m-%dT%H:%M:%S")
        if self._prefix is None:
            return ""
        return f"{self._prefix}.{nanos // 1000:06d}Z"

    def delta(self, mono_ns: int) -> str:
        return f"{(mono_ns - self._origin) / 1e9:.6f}"
