"""`--save FILE`: every received byte goes to FILE as it arrives, as `nc host port > FILE` does.

Unlike an export, the file is useful while the connection is still open (`tail -f`, a second
tool reading it), so it is written in place and appended to rather than renamed in at the end.
The app calls `catch_up()` whenever data arrives and once at the end; each call writes whatever
received bytes the file does not have yet and flushes, so the file is never more than one
message behind the screen.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import BinaryIO

from tcptui.capture.export import BLOCK, SaveError, friendly_os_error
from tcptui.capture.store import Capture, Direction


class LiveSaver:
    """Appends the received stream of `capture` to a file, keeping up when asked."""

    def __init__(self, capture: Capture, path: str | os.PathLike[str]) -> None:
        """Create or truncate `path` now, so a bad path is reported before connecting."""
        self.capture = capture
        self.path = os.fspath(path)
        self.bytes_written = 0
        self._next_chunk = 0
        self._chunk_done = 0
        try:
            self._file: BinaryIO | None = open(self.path, "wb")  # noqa: SIM115
        except OSError as exc:
            raise friendly_os_error(self.path, exc) from exc

    def catch_up(self) -> int:
        """Write every received byte not yet in the file, flush, and return how many were new."""
        if self._file is None:
            raise ValueError("the live save file is closed")
        before = self.bytes_written
        try:
            for chunk in self.capture.chunks(self._next_chunk):
                if chunk.direction is Direction.RECEIVED:
                    self._write_chunk(chunk.offset, chunk.end)
                self._next_chunk, self._chunk_done = chunk.index + 1, 0
            self._file.flush()
        except OSError as exc:
            raise friendly_os_error(self.path, exc) from exc
        return self.bytes_written - before

    def _write_chunk(self, start: int, end: int) -> None:
        """The rest of one chunk; a failed write resumes where it stopped on the next call."""
        assert self._file is not None
        for offset in range(start + self._chunk_done, end, BLOCK):
            data = self.capture.read(offset, min(BLOCK, end - offset))
            self._file.write(data)
            self._chunk_done += len(data)
            self.bytes_written += len(data)

    def close(self) -> None:
        """Catch up one last time and close the file. Safe to call twice."""
        if self._file is None:
            return
        try:
            self.catch_up()
        finally:
            file, self._file = self._file, None
            file.close()

    def __enter__(self) -> LiveSaver:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


__all__ = ["LiveSaver", "SaveError"]
