"""Loopback TCP servers run as threads inside the test process, each a context manager.

Every server listens on 127.0.0.1 (or ::1) port 0, serves each connection in its own daemon
thread and stops promptly: `stop()` wakes the accept loop through a socketpair and shuts every
connection down, which ends any `recv`/`sendall` a handler is blocked in. Handlers that wait for
the test (an ack, a go-ahead) wait on a callable bounded by a deadline.
"""

from __future__ import annotations

import hashlib
import select
import selectors
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from types import TracebackType
from typing import Self

import pytest

from tcptui.capture.store import Capture
from tcptui.net.target import Target

from .data import pseudo_random_blocks
from .waiting import DEFAULT_TIMEOUT

JOIN_TIMEOUT = 5.0
"""Seconds `stop()` waits for each handler thread; they end at once unless something is wrong."""
HOLD_LIMIT = 60.0
"""Longest a server holds an idle connection open before giving up on the test."""

_QUIET_ERRORS = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class LoopbackServer:
    """Base class: a loopback listener that calls `handle(conn)` in a thread per connection."""

    def __init__(
        self, host: str = "127.0.0.1", *, backlog: int = 16, rcvbuf: int | None = None
    ) -> None:
        self.host = host
        self.port = 0
        self.accepted = 0
        self.errors: list[BaseException] = []
        self._backlog = backlog
        self._rcvbuf = rcvbuf
        self._listener: socket.socket | None = None
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._stopping = threading.Event()
        self._condition = threading.Condition()
        self._connections: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._received = bytearray()
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name=f"{type(self).__name__}-accept", daemon=True
        )

    # -- what tests use ----------------------------------------------------------------------

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    @property
    def target(self) -> Target:
        return Target(self.host, self.port)

    @property
    def received(self) -> bytes:
        """Everything handlers recorded with `_record`, across connections, in arrival order."""
        with self._condition:
            return bytes(self._received)

    def wait_received(self, nbytes: int, timeout: float = DEFAULT_TIMEOUT) -> bool:
        """True once handlers have recorded at least `nbytes`."""
        with self._condition:
            return self._condition.wait_for(lambda: len(self._received) >= nbytes, timeout)

    def wait_accepted(self, count: int = 1, timeout: float = DEFAULT_TIMEOUT) -> bool:
        with self._condition:
            return self._condition.wait_for(lambda: self.accepted >= count, timeout)

    def start(self) -> Self:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self._rcvbuf is not None:  # set before listen() so accepted sockets inherit it
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._rcvbuf)
        listener.bind((self.host, 0))
        listener.listen(self._backlog)
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._accept_thread.start()
        return self

    def stop(self) -> None:
        """Close the listener and every connection; wait (bounded) for all threads to end."""
        self._stopping.set()
        with suppress(OSError):
            self._wake_writer.send(b"\0")
        if self._accept_thread.is_alive():
            self._accept_thread.join(JOIN_TIMEOUT)
        with self._condition:
            for conn in self._connections:
                with suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            threads = list(self._threads)
        for thread in threads:
            thread.join(JOIN_TIMEOUT)
        with self._condition:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        if self._listener is not None:
            self._listener.close()
        self._wake_reader.close()
        self._wake_writer.close()
        stuck = [thread.name for thread in threads if thread.is_alive()]
        if stuck:
            self.errors.append(RuntimeError(f"handler threads did not stop: {stuck}"))

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
        if exc_type is None and self.errors:
            raise AssertionError(f"{type(self).__name__} failed: {self.errors!r}")

    # -- what subclasses implement and use ---------------------------------------------------

    def handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def _record(self, data: bytes) -> None:
        with self._condition:
            self._received += data
            self._condition.notify_all()

    def _read_until_eof(self, conn: socket.socket) -> bytes:
        """Everything the client sends until it half-closes (bounded by HOLD_LIMIT)."""
        conn.settimeout(HOLD_LIMIT)
        parts: list[bytes] = []
        while data := conn.recv(65536):
            self._record(data)
            parts.append(data)
        return b"".join(parts)

    def _finish(self, conn: socket.socket) -> None:
        """Send FIN, then wait for the client's so the close never turns into a reset."""
        conn.shutdown(socket.SHUT_WR)
        self._read_until_eof(conn)

    def _reset(self, conn: socket.socket) -> None:
        """Abort the connection: SO_LINGER on with timeout 0 makes close() send RST."""
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._close(conn)

    def _close(self, conn: socket.socket) -> None:
        with self._condition:
            if conn in self._connections:
                self._connections.remove(conn)
            conn.close()

    def _hold(self) -> None:
        """Keep a connection open, doing nothing, until the server stops."""
        self._stopping.wait(HOLD_LIMIT)

    # -- internals ---------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        assert self._listener is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._wake_reader:
                        return
                    conn, _ = self._listener.accept()
                    self._adopt(conn)

    def _adopt(self, conn: socket.socket) -> None:
        with self._condition:
            if self._stopping.is_set():
                conn.close()
                return
            thread = threading.Thread(
                target=self._serve,
                args=(conn,),
                name=f"{type(self).__name__}-{self.accepted}",
                daemon=True,
            )
            self._connections.append(conn)
            self._threads.append(thread)
            self.accepted += 1
            self._condition.notify_all()
        thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            self.handle(conn)
        except _QUIET_ERRORS:
            pass  # the client went away abruptly: some tests do exactly that
        except OSError as exc:
            if not self._stopping.is_set():
                self.errors.append(exc)
        except BaseException as exc:  # noqa: BLE001 - surfaced by __exit__
            self.errors.append(exc)
        finally:
            self._close(conn)


class EchoServer(LoopbackServer):
    """Sends back every byte it receives, until the client half-closes."""

    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(HOLD_LIMIT)
        while data := conn.recv(65536):
            self._record(data)
            conn.sendall(data)


class PayloadServer(LoopbackServer):
    """Sends `payload`, then EOF, then waits for the client's EOF (so it never resets)."""

    def __init__(self, payload: bytes, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self.payload = payload

    def handle(self, conn: socket.socket) -> None:
        conn.sendall(self.payload)
        self._finish(conn)


class OneReadPerByte:
    """A DribbleServer's `ack`: the next byte leaves once the client's capture holds this one,
    so each byte is a read of its own (a storm of tiny reads). `watch` the capture first."""

    def __init__(self) -> None:
        self._capture: Capture | None = None
        self._watching = threading.Event()
        self._released = False

    def watch(self, capture: Capture) -> None:
        self._capture = capture
        self._watching.set()

    def release(self) -> None:
        """The rest of the payload goes at once: the storm has served its purpose."""
        self._released = True

    def __call__(self, sent: int) -> bool:
        deadline = time.monotonic() + DEFAULT_TIMEOUT
        if self._released:
            return True
        if not self._watching.wait(DEFAULT_TIMEOUT) or self._capture is None:
            return False
        while self._capture.total_bytes < sent and not self._released:
            if time.monotonic() > deadline:
                return False
            self._watching.wait(0.0005)  # polls the capture; set: this never blocks long
        return True


class DribbleServer(LoopbackServer):
    """Sends `payload` one byte per segment (TCP_NODELAY), calling `ack(n)` after byte n.

    `ack` lets the test hold the next byte back until the client has taken the previous one;
    it returns False to give up. Without it bytes still leave one per send, but may coalesce.
    """

    def __init__(
        self,
        payload: bytes,
        ack: Callable[[int], bool] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(host)
        self.payload = payload
        self.ack = ack

    def handle(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for sent in range(1, len(self.payload) + 1):
            conn.sendall(self.payload[sent - 1 : sent])
            if self.ack is not None and not self.ack(sent):
                raise AssertionError(f"the client did not take byte {sent} in time")
        self._finish(conn)


class ResetServer(LoopbackServer):
    """Sends `payload`, then resets the connection (RST, not FIN).

    With `when`, the reset waits until `when()` returns True (e.g. the client has the payload),
    so the test knows the bytes were read before the reset; without it the RST follows at once.
    """

    def __init__(
        self,
        payload: bytes,
        when: Callable[[], bool] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(host)
        self.payload = payload
        self.when = when

    def handle(self, conn: socket.socket) -> None:
        conn.sendall(self.payload)
        if self.when is not None and not self.when():
            raise AssertionError("the go-ahead to reset never came")
        self._reset(conn)


class HalfCloseServer(LoopbackServer):
    """Reads until the client's EOF, then replies with `reply(request)` and closes."""

    def __init__(
        self,
        reply: Callable[[bytes], bytes] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(host)
        self.reply = reply or (lambda request: b"got %d bytes\n" % len(request))

    def handle(self, conn: socket.socket) -> None:
        request = self._read_until_eof(conn)
        conn.sendall(self.reply(request))
        conn.shutdown(socket.SHUT_WR)


class StreamServer(LoopbackServer):
    """Streams `nbytes` of seeded pseudo-random data, then EOF; `sha256` is what it sent."""

    def __init__(
        self, nbytes: int, seed: int = 0, host: str = "127.0.0.1", block: int = 1 << 20
    ) -> None:
        super().__init__(host)
        self.nbytes = nbytes
        self.seed = seed
        self.block = block
        self.sha256 = ""
        self.sent = 0
        self.finished = threading.Event()

    def handle(self, conn: socket.socket) -> None:
        digest = hashlib.sha256()
        for data in pseudo_random_blocks(self.nbytes, self.seed, self.block):
            digest.update(data)
            conn.sendall(data)
            self.sent += len(data)
        self.sha256 = digest.hexdigest()
        self.finished.set()
        self._finish(conn)


class SilentServer(LoopbackServer):
    """Accepts and then never reads: a client's big send fills the buffers and blocks.

    `rcvbuf` keeps the server's receive buffer small so that happens after a few MiB. With
    `hang_up_after`, it first reads exactly that many bytes and then sends EOF, still never
    reading again, so the client sees the peer finish while its own send is stuck.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        rcvbuf: int = 64 * 1024,
        hang_up_after: int | None = None,
    ) -> None:
        super().__init__(host, rcvbuf=rcvbuf)
        self.hang_up_after = hang_up_after
        self.hung_up = threading.Event()

    def handle(self, conn: socket.socket) -> None:
        if self.hang_up_after is not None:
            conn.settimeout(HOLD_LIMIT)
            remaining = self.hang_up_after
            while remaining > 0:
                data = conn.recv(min(remaining, 65536))
                if not data:
                    raise AssertionError("the client closed before sending enough")
                self._record(data)
                remaining -= len(data)
            conn.shutdown(socket.SHUT_WR)
            self.hung_up.set()
        self._hold()


class GatedConnectProxy(LoopbackServer):
    """An HTTP CONNECT proxy that answers only once the test calls `open_gate()`, so the
    client's connection stays opening for as long as the test needs; then it replies `reply`
    and, as the target would, echoes and records what comes through the tunnel."""

    def __init__(self, reply: bytes = b"HTTP/1.1 200 Connection established\r\n\r\n") -> None:
        super().__init__()
        self.reply = reply
        self.requests: list[bytes] = []
        self._gate = threading.Event()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def open_gate(self) -> None:
        self._gate.set()

    def wait_request(self, timeout: float = DEFAULT_TIMEOUT) -> bool:
        """True once a CONNECT request has come in whole (the client now waits for a reply)."""
        with self._condition:
            return self._condition.wait_for(lambda: bool(self.requests), timeout)

    def stop(self) -> None:
        self._gate.set()  # a handler still waiting for it ends: the server is stopping
        super().stop()

    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(HOLD_LIMIT)
        request = b""
        while b"\r\n\r\n" not in request:
            data = conn.recv(4096)
            if not data:
                return
            request += data
        with self._condition:
            self.requests.append(request)
            self._condition.notify_all()
        if not self._gate.wait(HOLD_LIMIT) or self._stopping.is_set():
            return
        conn.sendall(self.reply)
        if not self.reply.startswith(b"HTTP/1.1 200"):
            self._finish(conn)
            return
        while data := conn.recv(65536):
            self._record(data)
            conn.sendall(data)


def closed_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago and has no listener: connecting to it is refused."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
    return port


def ipv6_loopback_available() -> bool:
    """True if this machine can bind ::1 (containers without IPv6 cannot)."""
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@contextmanager
def full_accept_queue(host: str = "127.0.0.1") -> Iterator[tuple[str, int]]:
    """A listener whose accept queue is full, so a new connect() hangs until it times out.

    Linux drops a SYN when the accept queue is full; with listen(0) one waiting connection
    fills it. The listener turns readable once that connection is queued, which is how we know
    without sleeping. Other systems answer such SYNs differently, so the test is skipped there.
    """
    if not sys.platform.startswith("linux"):
        pytest.skip(f"a full accept queue drops SYNs only on Linux, not {sys.platform}")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    fillers: list[socket.socket] = []
    try:
        listener.bind((host, 0))
        listener.listen(0)
        address: tuple[str, int] = listener.getsockname()
        for _ in range(2):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            fillers.append(filler)
            filler.connect_ex(address)  # the second one's SYN is dropped, and keeps retrying
            if len(fillers) == 1:
                queued, _, _ = select.select([listener], [], [], DEFAULT_TIMEOUT)
                if not queued:
                    pytest.skip("could not get a connection into the accept queue")
        yield address
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
