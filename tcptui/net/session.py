"""One TCP connection's whole life, run in one I/O thread.

The thread owns the socket: it resolves, connects (trying each address in turn), then moves
bytes both ways with a selector until the connection ends, appending every byte to the Capture
and reporting every step as an event through one callback. Other threads talk to it only
through `send`, `half_close` and `close`, which queue a request and wake the selector through a
socketpair, so the thread never sits in a `recv()` that nobody can interrupt.
"""

from __future__ import annotations

import contextlib
import errno
import os
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from tcptui.capture.store import Capture, Direction
from tcptui.net.events import (
    Closed,
    ConnectAttempt,
    Connected,
    DataReceived,
    DataSent,
    EndReason,
    Event,
    HalfClosed,
    PeerFinished,
    Resolved,
    Resolving,
    SocketCreated,
    Step,
)
from tcptui.net.file_upload import FileUpload
from tcptui.net.target import Target

RECV_SIZE = 256 * 1024
MAX_CHUNK = 256 * 1024
_IN_PROGRESS = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN, 10035}  # 10035: Windows
_RESET_AFTER_ACCEPT = {errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE}


class Family(StrEnum):
    AUTO = "auto"
    IPV4 = "ipv4"
    IPV6 = "ipv6"

    @property
    def address_family(self) -> int:
        return {
            Family.AUTO: socket.AF_UNSPEC,
            Family.IPV4: socket.AF_INET,
            Family.IPV6: socket.AF_INET6,
        }[self]


@dataclass(frozen=True)
class ConnectOptions:
    family: Family = Family.AUTO
    timeout: float = 10.0
    """Seconds allowed for each connect attempt."""
    nodelay: bool = False
    """Set TCP_NODELAY: small writes leave at once instead of waiting for Nagle's algorithm."""
    keepalive: bool = False
    """Set SO_KEEPALIVE so a dead peer is noticed on an idle connection."""
    close_on_peer_eof: bool = True
    """Close as soon as the peer sends EOF, as nc does; off keeps our sending side open."""


class SessionState(StrEnum):
    IDLE = "idle"
    CONNECTING = "connecting"
    OPEN = "open"
    HALF_CLOSED = "half-closed"
    CLOSED = "closed"


class SessionError(Exception):
    """A request the session cannot carry out in its current state."""


class NotConnectedError(SessionError):
    def __init__(self) -> None:
        super().__init__("not connected: connect first, then send")


class WriteClosedError(SessionError):
    def __init__(self) -> None:
        super().__init__("you already sent EOF (half-close): this connection can only receive")


def format_address(sockaddr: tuple[object, ...]) -> str:
    host, port = sockaddr[0], sockaddr[1]
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


def end_reason_for(exc: OSError) -> EndReason:
    """Name the cause of a socket error the way a person would."""
    if isinstance(exc, ConnectionRefusedError):
        return EndReason.REFUSED
    if isinstance(exc, ConnectionResetError | ConnectionAbortedError):
        return EndReason.RESET
    if isinstance(exc, BrokenPipeError):
        return EndReason.PEER_CLOSED
    if isinstance(exc, TimeoutError) or exc.errno == errno.ETIMEDOUT:
        return EndReason.TIMED_OUT
    if exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL):
        return EndReason.UNREACHABLE
    return EndReason.NETWORK_ERROR


class _Stop(Exception):
    """Raised inside the I/O thread when someone asked to close."""


class Session:
    """A TCP client connection. Create it, `start()` it, then `send()` and watch the events."""

    def __init__(
        self,
        target: Target,
        capture: Capture,
        on_event: Callable[[Event], None],
        options: ConnectOptions | None = None,
        *,
        accepted: socket.socket | None = None,
    ) -> None:
        """`accepted`: a connection a Listener accepted; the session skips resolve and connect."""
        self.target = target
        self._accepted = accepted
        self.capture = capture
        self.options = options or ConnectOptions()
        self._on_event = on_event
        self.state = SessionState.IDLE
        self._outbox: deque[bytes | FileUpload] = deque()
        self._outbox_lock = threading.Lock()
        """Held while `send` queues and while the I/O thread ends, so no bytes slip between."""
        self._half_close_requested = False
        self._stop_requested = False
        self._peer_finished = False
        self._reset_during_handshake: OSError | None = None
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._wake_writer.setblocking(False)
        self._thread = threading.Thread(target=self._run, name=f"tcptui-io {target}", daemon=True)

    # -- requests from other threads ---------------------------------------------------------

    def start(self) -> None:
        self.state = SessionState.CONNECTING
        self._thread.start()

    def send(self, data: bytes) -> None:
        """Queue bytes for the peer; they are recorded in the capture once the kernel has them."""
        with self._outbox_lock:
            self._check_can_send()
            for start in range(0, len(data), MAX_CHUNK):
                self._outbox.append(data[start : start + MAX_CHUNK])
        self._wake()

    def _check_can_send(self) -> None:
        if self.state is SessionState.HALF_CLOSED or self._half_close_requested:
            raise WriteClosedError()
        if self.state is not SessionState.OPEN:
            raise NotConnectedError()

    def send_file(self, upload: FileUpload) -> None:
        """Queue a file: the I/O thread reads and sends it a piece at a time (see FileUpload)."""
        with self._outbox_lock:
            self._check_can_send()
            self._outbox.append(upload)
        self._wake()

    def half_close(self) -> None:
        """Send EOF after everything queued so far has gone out."""
        if self.state is not SessionState.OPEN:
            raise NotConnectedError()
        self._half_close_requested = True
        self._wake()

    def close(self) -> None:
        """Ask the I/O thread to close now; returns at once. Safe to call more than once."""
        self._stop_requested = True
        self._wake()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the I/O thread to end; True if it did."""
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def queued_bytes(self) -> int:
        return sum(len(part) for part in tuple(self._outbox))

    def _wake(self) -> None:
        # A full buffer means it is awake already; a closed one means it has ended. Both fine.
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")

    # -- the I/O thread ----------------------------------------------------------------------

    def _emit(self, event: Event) -> None:
        self._on_event(event)

    def _finish(self, event: Closed) -> None:
        self.state = SessionState.CLOSED
        self._emit(event)

    def _run(self) -> None:
        try:
            sock = self._adopt(self._accepted) if self._accepted else self._connect()
            if sock is not None:
                with sock:
                    self._exchange(sock)
        except _Stop:
            self._finish(Closed(EndReason.CLOSED_BY_US))
        except Exception as exc:  # noqa: BLE001 - the thread must always report its end
            self._finish(Closed(EndReason.NETWORK_ERROR, f"unexpected error: {exc!r}"))
        finally:
            self._wake_reader.close()
            self._wake_writer.close()

    def _adopt(self, sock: socket.socket) -> socket.socket:
        """Listen mode: the handshake already happened in the kernel; go straight to data."""
        sock.setblocking(False)
        self._configure(sock)
        local, remote = format_address(sock.getsockname()), format_address(sock.getpeername())
        self.state = SessionState.OPEN
        self._emit(Connected(local, remote, 0.0))
        return sock

    def _connect(self) -> socket.socket | None:
        host, port = self.target.host, self.target.port
        self._emit(Resolving(host, port))
        started = time.perf_counter()
        try:
            infos = socket.getaddrinfo(
                host, port, self.options.family.address_family, socket.SOCK_STREAM
            )
        except (socket.gaierror, UnicodeError) as exc:
            detail = getattr(exc, "strerror", None) or str(exc)
            self._finish(Closed(EndReason.DNS_FAILURE, f"{host}: {detail}", Step.RESOLVE))
            return None
        addresses = tuple(format_address(info[4]) for info in infos)
        self._emit(Resolved(addresses, (time.perf_counter() - started) * 1000))
        self._check_stop()
        last_error: OSError = OSError("no addresses")
        for family, socktype, proto, _, sockaddr in infos:
            sock = socket.socket(family, socktype, proto)
            self._emit(SocketCreated(socket.AddressFamily(family).name))
            started = time.perf_counter()
            try:
                self._handshake(sock, sockaddr)
            except OSError as exc:
                sock.close()
                elapsed = (time.perf_counter() - started) * 1000
                self._emit(ConnectAttempt(format_address(sockaddr), elapsed, str(exc)))
                last_error = exc
                continue
            except _Stop:
                sock.close()
                raise
            elapsed = (time.perf_counter() - started) * 1000
            self._emit(ConnectAttempt(format_address(sockaddr), elapsed))
            self._configure(sock)
            local, remote = format_address(sock.getsockname()), format_address(sockaddr)
            self.state = SessionState.OPEN
            self._emit(Connected(local, remote, elapsed))
            return sock
        detail = f"{self.target}: {last_error.strerror or last_error}"
        self._finish(Closed(end_reason_for(last_error), detail, Step.HANDSHAKE))
        return None

    def _handshake(self, sock: socket.socket, sockaddr: tuple[object, ...]) -> None:
        """Non-blocking connect, waiting on the selector so `close()` can interrupt it."""
        sock.setblocking(False)
        code = sock.connect_ex(sockaddr)
        if code not in (0, *_IN_PROGRESS):
            raise OSError(code, _strerror(code))
        if code == 0:
            return
        with selectors.DefaultSelector() as selector:
            selector.register(sock, selectors.EVENT_WRITE)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            deadline = time.monotonic() + self.options.timeout
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        errno.ETIMEDOUT, f"no answer within {self.options.timeout:g} s"
                    )
                ready = [key.fileobj for key, _ in selector.select(remaining)]
                self._check_stop()
                if sock in ready:
                    break
        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code in _RESET_AFTER_ACCEPT:
            # The handshake succeeded and the peer already reset, maybe after sending bytes.
            # Reading SO_ERROR cleared the error: keep it to report once those bytes are read.
            self._reset_during_handshake = OSError(code, _strerror(code))
        elif code:
            raise OSError(code, _strerror(code))

    def _configure(self, sock: socket.socket) -> None:
        if self.options.nodelay:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.options.keepalive:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)

    def _check_stop(self) -> None:
        if self._stop_requested:
            raise _Stop()

    def _exchange(self, sock: socket.socket) -> None:
        sending: memoryview | None = None
        sent_of_current = 0
        with selectors.DefaultSelector() as selector:
            selector.register(self._wake_reader, selectors.EVENT_READ)
            selector.register(sock, selectors.EVENT_READ)
            interest = selectors.EVENT_READ
            try:
                while True:
                    if sending is None and self._outbox:
                        sending, sent_of_current = self._next_to_send(), 0
                    if (
                        sending is None
                        and self._half_close_requested
                        and (self.state is SessionState.OPEN)
                    ):
                        sock.shutdown(socket.SHUT_WR)
                        self.state = SessionState.HALF_CLOSED
                        self._emit(HalfClosed())
                        if self._peer_finished:
                            self._finish(Closed(EndReason.PEER_CLOSED))
                            return
                    wanted = (0 if self._peer_finished else selectors.EVENT_READ) | (
                        selectors.EVENT_WRITE if sending else 0
                    )
                    if wanted != interest:
                        if not wanted:
                            selector.unregister(sock)
                        elif not interest:
                            selector.register(sock, wanted)
                        else:
                            selector.modify(sock, wanted)
                        interest = wanted
                    events = selector.select()
                    for key, mask in events:
                        if key.fileobj is self._wake_reader:
                            _drain(self._wake_reader)
                            continue
                        if mask & selectors.EVENT_READ and not self._receive(sock):
                            self._end_exchange(EndReason.PEER_CLOSED, "", sending, sent_of_current)
                            return
                        if mask & selectors.EVENT_WRITE and sending is not None:
                            sent_of_current += _send_some(sock, sending[sent_of_current:])
                            if sent_of_current == len(sending):
                                self._record_sent(sending)
                                sending = None
                    self._check_stop()
            except _Stop:
                self._end_exchange(EndReason.CLOSED_BY_US, "", sending, sent_of_current)
            except OSError as exc:
                detail = exc.strerror or str(exc)
                self._end_exchange(end_reason_for(exc), detail, sending, sent_of_current)

    def _next_to_send(self) -> memoryview | None:
        """The next bytes from the outbox; a file at its head gives its next piece."""
        while self._outbox:
            head = self._outbox[0]
            if not isinstance(head, FileUpload):
                self._outbox.popleft()
                return memoryview(head)
            piece = head.next_piece()
            if piece:
                return memoryview(piece)
            self._outbox.popleft()
            head.finish()
        return None

    def _end_exchange(
        self, reason: EndReason, detail: str, sending: memoryview | None, sent_of_current: int
    ) -> None:
        """Record the part of the current write the kernel took; count the rest as unsent."""
        with self._outbox_lock:  # from here on `send` refuses, so `unsent` is final
            self.state = SessionState.CLOSED
            unsent = self.queued_bytes + (len(sending) - sent_of_current if sending else 0)
            for item in self._outbox:
                if isinstance(item, FileUpload):
                    item.error = item.error or "the connection ended before the file was sent"
                    item.finish()
        self._record_sent(sending[:sent_of_current] if sending else None)
        self._finish(Closed(reason, detail, None, unsent))

    def _receive(self, sock: socket.socket) -> bool:
        """Read what is there; False when the peer's EOF ends the connection."""
        try:
            data = sock.recv(RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return True
        if data:
            self.capture.append(Direction.RECEIVED, data)
            self._emit(DataReceived(len(data)))
            return True
        if self._reset_during_handshake is not None:
            raise self._reset_during_handshake
        self._peer_finished = True
        self._emit(PeerFinished())
        return not (self.options.close_on_peer_eof or self.state is SessionState.HALF_CLOSED)

    def _record_sent(self, data: memoryview | None) -> None:
        if data:
            self.capture.append(Direction.SENT, bytes(data))
            self._emit(DataSent(len(data)))


def _send_some(sock: socket.socket, data: memoryview) -> int:
    try:
        return sock.send(data)
    except (BlockingIOError, InterruptedError):
        return 0


def _drain(sock: socket.socket) -> None:
    try:
        while sock.recv(4096):
            pass
    except (BlockingIOError, InterruptedError):
        pass


def _strerror(code: int) -> str:
    return os.strerror(code)
