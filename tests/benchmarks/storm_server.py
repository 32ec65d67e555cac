"""A server that sends one byte per segment at a steady rate: the storm of tiny reads that
a telnet-style echo or a slow device gives, which the log groups into messages.

It runs in a process of its own, as a real server would: a thread in the benchmark's process
would take the GIL from the app two thousand times a second.
Run: python -m tests.benchmarks.storm_server COUNT RATE HEAD (prints its port, then serves).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time


class StormServer:
    """Sends `count` bytes of printable lines, one per send with TCP_NODELAY, `rate` a second,
    to its first client, from a child process; leaving the `with` block ends it. With `head`,
    that many bytes of the lines go first at once: the storm then grows a block that big."""

    def __init__(self, count: int, rate: float, head: int = 0) -> None:
        self.count = count
        self.rate = rate
        self.head = head
        self.port = 0
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> StormServer:
        argv = [
            sys.executable,
            "-m",
            __spec__.name,
            str(self.count),
            str(self.rate),
            str(self.head),
        ]
        self._process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        self.port = int(self._process.stdout.readline())
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(10)


def storm_text(count: int) -> bytes:
    """The bytes sent: numbered lines, so the log has rows of readable text to show."""
    return b"".join(b"storm line %06d\r\n" % number for number in range(count // 18 + 1))[:count]


def serve(count: int, rate: float, head: int) -> None:
    with socket.create_server(("127.0.0.1", 0), backlog=1) as listener:
        print(listener.getsockname()[1], flush=True)
        conn, _ = listener.accept()
    with conn, contextlib.suppress(OSError):
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        text = storm_text(head + count)
        conn.sendall(text[:head])
        interval = 1.0 / rate
        next_send = time.perf_counter()
        for byte in text[head:]:
            conn.sendall(bytes([byte]))
            next_send += interval
            pause = next_send - time.perf_counter()
            if pause > 0:  # a paced sender, as a device would be: not test synchronisation
                time.sleep(pause)
        conn.recv(1)  # hold the connection open until the benchmark is done with it


if __name__ == "__main__":
    serve(int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]))
