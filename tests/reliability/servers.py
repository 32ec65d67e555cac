"""Misbehaving loopback servers the shared helpers do not have."""

from __future__ import annotations

import socket
import threading

from tests.helpers import LoopbackServer
from tests.helpers.waiting import DEFAULT_TIMEOUT

SMALL_RCVBUF = 64 * 1024


class GreetThenStall(LoopbackServer):
    """Sends a greeting, then never reads: a big send from the client fills the buffers and
    blocks. With `reset_when`, it resets the connection once that event is set (the network
    going away mid-send); without, it holds the connection until the server stops."""

    def __init__(self, greeting: bytes, reset_when: threading.Event | None = None) -> None:
        super().__init__(rcvbuf=SMALL_RCVBUF)
        self.greeting = greeting
        self.reset_when = reset_when

    def handle(self, conn: socket.socket) -> None:
        conn.sendall(self.greeting)
        if self.reset_when is None:
            self._hold()
            return
        if not self.reset_when.wait(DEFAULT_TIMEOUT):
            raise AssertionError("the go-ahead to reset never came")
        self._reset(conn)
