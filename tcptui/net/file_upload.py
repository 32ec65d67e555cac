"""Sending a file's exact bytes from the I/O thread, a piece at a time, with progress and cancel.

The file is read only as the socket takes it, so a large file never sits in memory and the
UI never waits for the disk; it polls `progress` and may `cancel()` at any moment.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import BinaryIO

PIECE = 256 * 1024


class UploadError(Exception):
    """The file cannot be sent; the message says why in plain words."""


class FileUpload:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        try:
            self._file: BinaryIO = open(self.path, "rb")  # noqa: SIM115 - closed by finish()
            self.size = os.fstat(self._file.fileno()).st_size
        except IsADirectoryError:
            raise UploadError(f"{self.path} is a folder, not a file") from None
        except FileNotFoundError:
            raise UploadError(f"{self.path} does not exist") from None
        except PermissionError:
            raise UploadError(f"no permission to read {self.path}") from None
        except OSError as exc:
            raise UploadError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        self.read = 0
        """Bytes taken from the file: all of them go out unless the connection ends first."""
        self.sent = 0
        """Bytes the connection took (and the capture recorded); `read` less the piece that
        is still going out."""
        self._in_flight = 0
        self.error = ""
        self.finished = threading.Event()
        self._cancelled = threading.Event()

    def __len__(self) -> int:
        """Bytes not yet handed to the connection."""
        return max(0, self.size - self.read)

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()

    def next_piece(self) -> bytes:
        """The next piece to send; b"" when done, cancelled or failed (then `finish()`).

        The connection asks for a piece only once the last one went out whole.
        """
        self.sent += self._in_flight
        self._in_flight = 0
        if self.cancelled:
            return b""
        try:
            piece = self._file.read(PIECE)
        except OSError as exc:
            self.error = f"reading {self.path} failed: {exc.strerror or exc}"
            return b""
        self.read += len(piece)
        self._in_flight = len(piece)
        return piece

    def finish(self, sent_of_last_piece: int | None = None) -> None:
        """Done; when the connection ended mid-piece, it took `sent_of_last_piece` of it
        (None: the last piece went out whole)."""
        last = self._in_flight if sent_of_last_piece is None else sent_of_last_piece
        self.sent += min(last, self._in_flight)
        self._in_flight = 0
        self._file.close()
        self.finished.set()
