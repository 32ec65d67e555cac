"""A wake-up call for a thread waiting on a selector: the way to interrupt a blocked loop.

A thread in `select()` cannot be cancelled; other threads `wake()` it by writing a byte to one
end of a socketpair whose other end the selector watches. Written once, for the session, the
listener and the demo server.
"""

from __future__ import annotations

import contextlib
import socket


class WakeUp:
    """A socketpair: register `reader` with the selector; `wake()` from any thread."""

    def __init__(self) -> None:
        self.reader, self._writer = socket.socketpair()
        self.reader.setblocking(False)
        self._writer.setblocking(False)

    def wake(self) -> None:
        # A full buffer means it is awake already; a closed one means it has ended. Both fine.
        with contextlib.suppress(OSError):
            self._writer.send(b"\0")

    def drain(self) -> None:
        """Read every pending wake-up, so the selector sleeps again until the next one."""
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while self.reader.recv(4096):
                pass

    def close(self) -> None:
        self.reader.close()
        self._writer.close()
