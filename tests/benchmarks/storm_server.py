"""A server that sends one byte per segment at a steady rate: the storm of tiny reads that
a telnet-style echo or a slow device gives, which the log groups into messages."""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class StormServer:
    """Sends `count` bytes of printable lines, one per send with TCP_NODELAY, `rate` a second,
    to its first client; stop() ends it early."""

    def __init__(self, count: int, rate: float) -> None:
        self.count = count
        self.interval = 1.0 / rate
        self.sent = 0
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=1)
        self.port: int = self._listener.getsockname()[1]
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="bench-storm", daemon=True)

    def __enter__(self) -> StormServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(10)

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            conn, _ = self._listener.accept()
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._storm(conn)

    def _storm(self, conn: socket.socket) -> None:
        text = b"".join(b"storm line %06d\r\n" % number for number in range(self.count // 18 + 1))
        next_send = time.perf_counter()
        for byte in text[: self.count]:
            if self._stopping.is_set():
                return
            conn.sendall(bytes([byte]))
            self.sent += 1
            next_send += self.interval
            pause = next_send - time.perf_counter()
            if pause > 0:  # a paced sender, as a device would be: not test synchronisation
                self._stopping.wait(pause)
