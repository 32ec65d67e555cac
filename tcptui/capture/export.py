"""Writing a capture out to a file: raw bytes, a `hexdump -C` listing or pcap, safely.

Exports can be hundreds of megabytes and run in a background thread, so every writer streams
from the Capture a block at a time, reports progress as it goes and checks between blocks
whether the user gave up. Output goes to a temporary file beside the target and is renamed over
it only once complete and flushed to disk: a failed or cancelled export never leaves a half file
where the user expects a finished one, and never leaves the temporary file behind either.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import secrets
import stat
import threading
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

from tcptui.capture.pcap_export import write_pcap
from tcptui.capture.store import Capture, Direction
from tcptui.codec.hexdump import write_hexdump_c

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

BLOCK = 1 << 20
"""Bytes read from the capture at a time: big enough to be fast, small enough to cancel at once."""

Progress = Callable[[int, int], None]
"""Called as `progress(done, total)` with bytes of the capture handled so far."""

Cancel = threading.Event | Callable[[], bool]
"""Set (or returning True) when the user gave up; the writer stops at the next block."""


class ExportFormat(StrEnum):
    """What an export writes. The value is a sentence fragment for the UI."""

    RAW_RECEIVED = "raw received bytes"
    RAW_SENT = "raw sent bytes"
    HEXDUMP = "hex dump (hexdump -C)"
    PCAP = "pcap (Wireshark, tcpdump)"


class SaveError(Exception):
    """A save or export did not happen; `str()` is a sentence to show the user as it is."""

    def __init__(self, sentence: str, path: str | os.PathLike[str] = "") -> None:
        super().__init__(sentence)
        self.path = os.fspath(path)


class SaveCancelled(SaveError):
    """The user cancelled; nothing was written."""


def friendly_os_error(path: str | os.PathLike[str], exc: OSError) -> SaveError:
    """Turn an OSError from writing `path` into a SaveError that says what to do about it."""
    target = Path(path)
    folder = target.parent
    code = exc.errno
    if code == errno.ENOENT and not folder.is_dir():
        sentence = f"The folder {folder} does not exist."
    elif code in (errno.EACCES, errno.EPERM):
        sentence = f"You do not have permission to write {target.name} in {folder}."
    elif code == errno.EROFS:
        sentence = f"{folder} is on a read-only file system."
    elif code in (errno.ENOSPC, errno.EDQUOT):
        sentence = f"There is no space left on the disk holding {folder}."
    elif code == errno.EFBIG:
        sentence = f"{target.name} would be larger than this system allows a file to be."
    elif code == errno.EISDIR:
        sentence = f"{target} is a folder: add a file name."
    elif code == errno.ENOTDIR:
        sentence = f"{folder} is not a folder."
    elif code == errno.ENXIO:
        sentence = f"Nothing is reading {target}: start the program that reads it first."
    else:
        reason = exc.strerror or str(exc)
        sentence = f"Could not write {target}: {reason[0].lower()}{reason[1:]}."
    error = SaveError(sentence, target)
    error.__cause__ = exc
    return error


class ProgressTracker:
    """Counts bytes handled, reports them, and stops the work when cancellation is asked for."""

    def __init__(self, total: int, progress: Progress | None, cancel: Cancel | None) -> None:
        self.total = total
        self.done = 0
        self._progress = progress
        if isinstance(cancel, threading.Event):
            self._cancelled: Callable[[], bool] = cancel.is_set
        else:
            self._cancelled = cancel or (lambda: False)

    def check(self) -> None:
        if self._cancelled():
            raise SaveCancelled("Cancelled: nothing was written.")

    def advance(self, nbytes: int) -> None:
        self.check()
        self.done += nbytes
        if self._progress is not None:
            self._progress(self.done, max(self.total, self.done))

    def finish(self) -> None:
        """Report completion, even if the capture grew while we worked."""
        self.total = self.done
        if self._progress is not None:
            self._progress(self.done, self.done)


def write_atomically(path: str | os.PathLike[str], body: Callable[[BinaryIO], None]) -> int:
    """Run `body` on a temporary file beside `path`, then rename it to `path`; return its size.

    What is replaced is what the shell's `>` would write to: a symlink is followed and the
    file it points to replaced; a FIFO or a device is written through in place (there is no
    file to replace); a file keeps its permission bits (a private 0600 file stays private).
    A new file gets the usual permissions (0666 less the umask). On any failure or
    cancellation the temporary file is removed.
    """
    try:
        # Through the path as given: /dev/stdout leads to a pipe that has no name to resolve.
        mode: int | None = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise friendly_os_error(path, exc) from exc
    if mode is not None and (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode)):
        return _write_through(Path(path), body)
    target = Path(os.path.realpath(path))
    try:
        temp, fd = _create_temporary(target)
    except OSError as exc:
        raise friendly_os_error(target, exc) from exc
    try:
        if mode is not None and stat.S_ISREG(mode):
            os.fchmod(fd, stat.S_IMODE(mode))
        with os.fdopen(fd, "wb") as out:
            body(out)
            out.flush()
            os.fsync(out.fileno())
            size = out.tell()
        os.replace(temp, target)
    except OSError as exc:
        _remove_quietly(temp)
        raise friendly_os_error(target, exc) from exc
    except BaseException:
        _remove_quietly(temp)
        raise
    return size


def _write_through(target: Path, body: Callable[[BinaryIO], None]) -> int:
    """Write into a FIFO or device as `>` does. Opened non-blocking, so a FIFO nobody reads
    is an error at once rather than a save that hangs; the writes themselves then block."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise friendly_os_error(target, exc) from exc
    raw = _CountingWriter(fd)
    try:
        os.set_blocking(fd, True)
        with io.BufferedWriter(raw, BLOCK) as out:
            body(cast(BinaryIO, out))
    except OSError as exc:
        raise friendly_os_error(target, exc) from exc
    return raw.written


class _CountingWriter(io.RawIOBase):
    """A write-only file over a descriptor that counts what went in (a FIFO has no tell())."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        size = os.write(self._fd, data)
        self.written += size
        return size

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


def _create_temporary(target: Path) -> tuple[Path, int]:
    while True:
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return temp, os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def export_capture(
    capture: Capture,
    path: str | os.PathLike[str],
    fmt: ExportFormat,
    *,
    local: str = "",
    remote: str = "",
    ended_by_reset: bool = False,
    direction: Direction = Direction.RECEIVED,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> int:
    """Write `capture` to `path` in `fmt` and return the size of the file written.

    `direction` picks the stream a hex dump shows; `local`, `remote` ("host:port") and
    `ended_by_reset` describe the connection for pcap. Raises SaveError (SaveCancelled when
    cancelled), and then `path` is untouched.
    """
    count = len(capture)
    if fmt is ExportFormat.PCAP:
        tracker = ProgressTracker(capture.total_bytes, progress, cancel)
        size = write_atomically(
            path,
            lambda out: _write_pcap(capture, count, out, tracker, local, remote, ended_by_reset),
        )
    else:
        if fmt is not ExportFormat.HEXDUMP:
            direction = Direction.SENT if fmt is ExportFormat.RAW_SENT else Direction.RECEIVED
        tracker = ProgressTracker(capture.stream_bytes(direction), progress, cancel)
        blocks = _tracked(stream_blocks(capture, direction, stop=count), tracker)
        writer = _write_hexdump if fmt is ExportFormat.HEXDUMP else _write_raw
        size = write_atomically(path, lambda out: writer(blocks, out))
    tracker.finish()
    return size


def stream_blocks(
    capture: Capture, direction: Direction, block: int = BLOCK, stop: int | None = None
) -> Iterator[bytes]:
    """One direction of the capture as blocks of at most `block` bytes, in order.

    Neighbouring chunks of the direction are read together, so a capture of a million small
    chunks reads as fast as one of a few big ones.
    """
    start = end = 0
    for chunk in capture.chunks(0, stop):
        if chunk.direction is not direction:
            continue
        if chunk.offset != end:
            yield from _read_range(capture, start, end, block)
            start = chunk.offset
        end = chunk.end
        if end - start >= block:
            whole = end - (end - start) % block
            yield from _read_range(capture, start, whole, block)
            start = whole
    yield from _read_range(capture, start, end, block)


def _read_range(capture: Capture, start: int, end: int, block: int) -> Iterator[bytes]:
    for offset in range(start, end, block):
        yield capture.read(offset, min(block, end - offset))


def _tracked(blocks: Iterator[bytes], tracker: ProgressTracker) -> Iterator[bytes]:
    tracker.check()
    for data in blocks:
        yield data
        tracker.advance(len(data))


def _write_raw(blocks: Iterator[bytes], out: BinaryIO) -> None:
    for data in blocks:
        out.write(data)


def _write_hexdump(blocks: Iterator[bytes], out: BinaryIO) -> None:
    write_hexdump_c(io.BufferedReader(_BlockReader(blocks), BLOCK), out, BLOCK)


class _BlockReader(io.RawIOBase):
    """A read-only file over an iterator of blocks, for code that wants a file."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        super().__init__()
        self._blocks = blocks
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        while not self._pending:
            data = next(self._blocks, None)
            if data is None:
                return 0
            self._pending = memoryview(data)
        target = memoryview(buffer).cast("B")
        size = min(len(target), len(self._pending))
        target[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _write_pcap(
    capture: Capture,
    count: int,
    out: BinaryIO,
    tracker: ProgressTracker,
    local: str,
    remote: str,
    ended_by_reset: bool,
) -> None:
    """Both directions in time order as TCP connections (see capture/pcap_export.py)."""
    tracker.check()
    write_pcap(
        capture,
        count,
        out,
        local=local,
        remote=remote,
        ended_by_reset=ended_by_reset,
        advance=tracker.advance,
    )
