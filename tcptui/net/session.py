"""One TCP connection's whole life, run in one I/O thread.

The thread owns the socket: it resolves, connects (trying each address in turn), then moves
bytes both ways with a selector until the connection ends, appending every byte to the Capture
and reporting every step as an event through one callback. Other threads talk to it only
through `send`, `half_close` and `close`, which queue a request and wake the selector through a
socketpair, so the thread never sits in a `recv()` that nobody can interrupt.

TLS (a `tls://` target, or `start_tls()` on a plain connection for STARTTLS) puts a
`TlsChannel` (tls.py) over the socket, driven by the same selector: the handshake is retried on
SSLWantRead/Write, and the exchange loop drains what the TLS layer already holds (`pending()`),
since the selector only sees the raw socket. A proxy (see proxy.py) opens the tunnel first.
In listen mode with `TlsOptions.server`, an accepted connection does the server's side of the
same handshake, in the same way, before any byte is exchanged.
"""

from __future__ import annotations

import errno
import ipaddress
import mmap
import os
import selectors
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypeAlias

from tcptui.capture.store import Capture, Direction
from tcptui.net.certificates import (
    HostnameMismatchError,
    certificate_info,
    check_hostname,
    describe_connection,
)
from tcptui.net.events import (
    CertificateInfo,
    Closed,
    ConnectAttempt,
    Connected,
    DataReceived,
    DataSent,
    EndReason,
    Event,
    HalfClosed,
    PeerFinished,
    ProxyConnected,
    ProxyConnecting,
    Resolved,
    Resolving,
    SocketCreated,
    Step,
    TlsHandshakeStarted,
)
from tcptui.net.file_upload import FileUpload
from tcptui.net.proxy import ProxyConfig, TunnelAttempt, TunnelError
from tcptui.net.target import Family, Target
from tcptui.net.tls import (
    TlsChannel,
    TlsOptions,
    TlsSetupError,
    build_context,
    build_server_context,
)
from tcptui.net.tls_failures import (
    describe_failure,
    describe_record_failure,
    is_handshake_rejection,
)
from tcptui.net.wake_up import WakeUp

RECV_SIZE = 2 << 20
"""Bytes one recv may take. Large, so a flood costs few system calls and GIL hand-offs: while
the UI holds the GIL the kernel buffers, and the next read takes it all at once."""
BACK_TO_BACK_READS = 8
"""Reads without asking the selector while each one fills the buffer (more is surely there)."""
MAX_CHUNK = 256 * 1024
_IN_PROGRESS = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN, 10035}  # 10035: Windows
_RESET_AFTER_ACCEPT = {errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE}
EOF_HOLD = 10.0
"""Seconds a held close on the peer's EOF waits at most for `close_after_sent`."""


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
    tls: TlsOptions = TlsOptions()
    """How to speak TLS for a tls:// target or after `start_tls()`."""
    proxy: ProxyConfig | None = None
    """Reach the target through this SOCKS or HTTP CONNECT proxy (it resolves the name)."""


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


class AlreadyTlsError(SessionError):
    def __init__(self) -> None:
        super().__init__("this connection already speaks TLS")


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


class _Failed(Exception):
    """Raised inside the I/O thread when a step failed; carries the Closed event to report."""

    def __init__(self, closed: Closed) -> None:
        super().__init__(closed.sentence())
        self.closed = closed


@dataclass(frozen=True)
class _TlsUpgrade:
    """A STARTTLS request in the outbox: bytes queued before it go plain, after it encrypted."""

    options: TlsOptions


@dataclass(frozen=True)
class _Noted:
    """Bytes to send whose chunk gets a note in the capture (which responder sent them)."""

    data: bytes
    note: str

    def __len__(self) -> int:
        return len(self.data)


_Outgoing: TypeAlias = bytes | FileUpload | _TlsUpgrade | _Noted
_Connection: TypeAlias = socket.socket | TlsChannel
"""What the exchange loop reads and writes: the socket itself, or TLS over it."""


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
        accepted_addresses: tuple[str, str] | None = None,
    ) -> None:
        """`accepted`: a connection a Listener accepted; the session skips resolve and connect.
        `accepted_addresses` (local, peer) are the ones the listener read at accept: a client
        that has reset since makes `getpeername()` fail.

        Only such a connection can be the TLS server (`TlsOptions.server`): a connection we
        open ourselves is always the client, whatever the options say.
        """
        self.target = target
        self._accepted = accepted
        self._accepted_addresses = accepted_addresses
        self.capture = capture
        self.options = options or ConnectOptions()
        if accepted is None and self.options.tls.server:
            self.options = replace(self.options, tls=replace(self.options.tls, server=False))
        self._on_event = on_event
        self.state = SessionState.IDLE
        self._outbox: deque[_Outgoing] = deque()
        self._outbox_lock = threading.Lock()
        """Held while `send` queues and while the I/O thread ends, so no bytes slip between."""
        self._half_close_requested = False
        self._stop_requested = False
        self._peer_finished = False
        self._hold_eof_close = False
        self._eof_close_deadline: float | None = None
        self._close_when_sent: str | None = None
        """Set by `close_after_sent`: the detail of the close once the outbox is empty."""
        self._reset_during_handshake: OSError | None = None
        self._early_ciphertext = b""
        """TLS bytes the target sent with an HTTP proxy's reply, for the handshake to read."""
        self._tls = False
        """True once the connection speaks TLS (or a STARTTLS upgrade is queued)."""
        self._read_wants_write = False
        self._write_wants_read = False
        self._sending_note = ""
        """The note of the bytes being written now, for their chunk in the capture."""
        self._recv_buffer: mmap.mmap | None = None
        """Reused by every read of this connection (allocated on the I/O thread's first read):
        a fresh bytes object per recv would cost a page-faulted mmap each time. Anonymous
        memory, not a bytearray (which zeroes all 2 MiB at once): a page costs memory only once
        a read has written to it, so a client that sends a line holds 4 KiB, not 2 MiB."""
        self._wake_up = WakeUp()
        self._thread = threading.Thread(target=self._run, name=f"tcptui-io {target}", daemon=True)

    # -- requests from other threads ---------------------------------------------------------

    def start(self) -> None:
        self.state = SessionState.CONNECTING
        self._thread.start()

    def send(self, data: bytes, note: str = "") -> None:
        """Queue bytes for the peer; they are recorded in the capture once the kernel has them.

        `note` goes in the header of each chunk they are recorded as.
        """
        with self._outbox_lock:
            self._check_can_send()
            for start in range(0, len(data), MAX_CHUNK):
                piece = data[start : start + MAX_CHUNK]
                self._outbox.append(_Noted(piece, note) if note else piece)
        self._wake_up.wake()

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
        self._wake_up.wake()

    def start_tls(self, options: TlsOptions | None = None) -> None:
        """STARTTLS: once everything queued so far has gone out, switch this connection to TLS.

        The handshake runs in the I/O thread like a tls:// one (same events); bytes sent after
        this call wait for it and travel encrypted. A failed handshake ends the connection.
        Call it once the server has said go ahead (SMTP's `220`): anything it sends before its
        side of the handshake would be read as TLS and fail it.
        """
        with self._outbox_lock:
            self._check_can_send()
            if self._tls:
                raise AlreadyTlsError()
            self._tls = True
            self._outbox.append(_TlsUpgrade(options or self.options.tls))
        self._wake_up.wake()

    def half_close(self) -> None:
        """Send EOF after everything queued so far has gone out.

        Under TLS this sends a close_notify alert and then FIN (shutdown of the write side),
        and keeps reading: the peer's TLS layer sees a clean end of our data, and its answer
        still arrives. See `_shut_write` for the one caveat.
        """
        if self.state is not SessionState.OPEN:
            raise NotConnectedError()
        self._half_close_requested = True
        self._wake_up.wake()

    def close(self) -> None:
        """Ask the I/O thread to close now; returns at once. Safe to call more than once."""
        self._stop_requested = True
        self._wake_up.wake()

    def hold_close_on_peer_eof(self) -> None:
        """The peer's EOF closes only after `close_after_sent` (or EOF_HOLD seconds): the
        responders still answer what arrived before it, as a server must answer a client
        that sends its request and then half-closes."""
        self._hold_eof_close = True

    def close_after_sent(self, detail: str = "") -> None:
        """Close once everything queued so far has gone out (`detail` says why)."""
        self._close_when_sent = detail
        self._wake_up.wake()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the I/O thread to end; True if it did."""
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def queued_bytes(self) -> int:
        return sum(len(part) for part in tuple(self._outbox) if not isinstance(part, _TlsUpgrade))

    @property
    def uses_tls(self) -> bool:
        """True for a tls:// connection and once STARTTLS was asked for."""
        return self._tls

    # -- the I/O thread ----------------------------------------------------------------------

    def _emit(self, event: Event) -> None:
        self._on_event(event)

    def _finish(self, event: Closed) -> None:
        self.state = SessionState.CLOSED
        self._emit(event)

    def _run(self) -> None:
        try:
            sock = self._adopt(self._accepted) if self._accepted else self._open()
            if sock is not None:
                self._exchange(sock)
        except _Stop:
            self._finish(Closed(EndReason.CLOSED_BY_US))
        except _Failed as failure:
            self._finish(failure.closed)
        except Exception as exc:  # noqa: BLE001 - the thread must always report its end
            self._finish(Closed(EndReason.NETWORK_ERROR, f"unexpected error: {exc!r}"))
        finally:
            self._wake_up.close()

    def _adopt(self, sock: socket.socket) -> _Connection:
        """Listen mode: TCP's handshake already happened in the kernel; TLS's, if asked, now."""
        try:
            sock.setblocking(False)
            self._configure(sock)
            local, remote = self._accepted_addresses or (
                format_address(sock.getsockname()),
                format_address(sock.getpeername()),
            )
        except OSError as exc:  # the client may be gone already
            sock.close()
            raise _Failed(Closed(end_reason_for(exc), str(exc), Step.HANDSHAKE)) from None
        server_tls = self.options.tls.server
        if not server_tls:
            self.state = SessionState.OPEN
        self._emit(Connected(local, remote, 0.0))
        if not server_tls:
            return sock
        self._tls = True
        return self._secure(sock, self.options.tls)

    def _open(self) -> _Connection | None:
        """Connect (directly or through the proxy), then speak TLS if the target asks for it."""
        sock = self._tunnel() if self.options.proxy is not None else self._connect()
        if sock is None:
            return None
        connection: _Connection = sock
        if self.target.tls:
            self._tls = True
            connection = self._secure(sock, self.options.tls)
        return connection

    def _tunnel(self) -> socket.socket:
        """Ask the proxy for a tunnel, waiting on the wake-up socket so close() is heard."""
        proxy = self.options.proxy
        assert proxy is not None
        where = format_address((self.target.host, self.target.port))
        self._emit(ProxyConnecting(proxy.display, where, proxy.remote_dns))
        started = time.perf_counter()
        attempt = TunnelAttempt(
            proxy, self.target.host, self.target.port, self.options.timeout, self._wake_up.wake
        )
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self._wake_up.reader, selectors.EVENT_READ)
                while not attempt.done.is_set():
                    selector.select()
                    self._wake_up.drain()
                    self._check_stop()
            sock = attempt.result()
            early = attempt.early
        except _Stop:
            attempt.abandon()
            raise
        except TunnelError as exc:
            raise _Failed(Closed(exc.reason, exc.detail, Step.HANDSHAKE)) from None
        elapsed = (time.perf_counter() - started) * 1000
        try:
            sock.setblocking(False)
            self._configure(sock)
            self._emit(SocketCreated(socket.AddressFamily(sock.family).name))
            self._emit(ProxyConnected(proxy.display, where, elapsed))
            local, remote = format_address(sock.getsockname()), format_address(sock.getpeername())
        except OSError as exc:
            sock.close()
            raise _Failed(Closed(end_reason_for(exc), str(exc), Step.HANDSHAKE)) from None
        self._open_unless_tls_follows()
        self._emit(Connected(local, remote, elapsed))
        if early and self.target.tls:
            self._early_ciphertext = early
        elif early:  # the target spoke first, in the proxy's reply segment: a banner
            self.capture.append(Direction.RECEIVED, early)
            self._emit(DataReceived(len(early)))
        return sock

    def _open_unless_tls_follows(self) -> None:
        """Open for sending once connected, unless the TLS handshake must come first.

        Set before the event is emitted, so whoever sees the event can send at once.
        """
        if not self.target.tls:
            self.state = SessionState.OPEN

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
            self._open_unless_tls_follows()
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
            selector.register(self._wake_up.reader, selectors.EVENT_READ)
            self._wait_for(
                selector, sock, selectors.EVENT_WRITE, time.monotonic() + self.options.timeout
            )
        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code in _RESET_AFTER_ACCEPT:
            # The handshake succeeded and the peer already reset, maybe after sending bytes.
            # Reading SO_ERROR cleared the error: keep it to report once those bytes are read.
            self._reset_during_handshake = OSError(code, _strerror(code))
        elif code:
            raise OSError(code, _strerror(code))

    def _wait_for(
        self,
        selector: selectors.BaseSelector,
        sock: _Connection,
        events: int,
        deadline: float,
    ) -> None:
        """Until `sock` is ready for `events`; TimeoutError at the deadline, _Stop on close()."""
        selector.register(sock, events)
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        errno.ETIMEDOUT, f"no answer within {self.options.timeout:g} s"
                    )
                ready = [key.fileobj for key, _ in selector.select(remaining)]
                if self._wake_up.reader in ready:
                    self._wake_up.drain()
                self._check_stop()
                if sock in ready:
                    return
        finally:
            selector.unregister(sock)

    def _secure(
        self, sock: socket.socket, options: TlsOptions, *, starttls: bool = False
    ) -> TlsChannel:
        """The TLS handshake over `sock`, non-blocking; the TLS socket, or _Failed (sock closed).

        With `options.server` (listen mode) we are the server: no name is sent or checked.
        """
        name = options.verify_name(self.target.host)
        server = options.server
        try:
            context = build_server_context(options) if server else build_context(options)
        except TlsSetupError as exc:
            sock.close()
            raise _Failed(Closed(EndReason.TLS_FAILURE, str(exc), Step.HANDSHAKE)) from None
        sni = name if options.sni and not server and not _is_ip_literal(name) else ""
        self._emit(TlsHandshakeStarted(sni, options.alpn, starttls, options.keylog_path() or ""))
        started = time.perf_counter()
        try:
            server_hostname = name if options.sni and not server else None
            tls_sock = TlsChannel(
                sock, context, server_hostname, server_side=server, early=self._early_ciphertext
            )
            self._early_ciphertext = b""
        except (OSError, ValueError) as exc:
            sock.close()
            raise _Failed(Closed(EndReason.TLS_FAILURE, str(exc), Step.HANDSHAKE)) from None
        try:
            self._drive_handshake(tls_sock)
            if not options.sni and not options.insecure and not server:
                check_hostname(tls_sock.tls.getpeercert() or {}, name)
        except _Stop:
            tls_sock.close()
            raise
        except ssl.SSLError as exc:
            peer = _peer_of(sock)
            tls_sock.close()
            reason, detail = describe_failure(exc, name, server_side=server)
            rejected = None
            if reason is EndReason.CERTIFICATE_REJECTED and peer is not None:
                rejected = self._rejected_certificate(sock.family, peer, options, server_hostname)
            raise _Failed(Closed(reason, detail, Step.HANDSHAKE, 0, rejected)) from None
        except HostnameMismatchError as exc:
            der = tls_sock.tls.getpeercert(binary_form=True)
            tls_sock.close()
            rejected = certificate_info(der) if der else None
            raise _Failed(
                Closed(EndReason.CERTIFICATE_REJECTED, str(exc), Step.HANDSHAKE, 0, rejected)
            ) from None
        except OSError as exc:
            tls_sock.close()
            detail = f"during the TLS handshake: {exc.strerror or exc}"
            raise _Failed(Closed(end_reason_for(exc), detail, Step.HANDSHAKE)) from None
        elapsed = (time.perf_counter() - started) * 1000
        self.state = SessionState.OPEN
        self._emit(describe_connection(tls_sock.tls, options, elapsed, sni))
        return tls_sock

    def _rejected_certificate(
        self,
        family: int,
        peer: tuple[object, ...],
        options: TlsOptions,
        server_hostname: str | None,
    ) -> CertificateInfo | None:
        """The certificate a server showed before it was rejected, as `openssl s_client`
        shows it. Python cannot read it from a failed handshake, so a second one that checks
        nothing and sends no data fetches it; None if that fails (or goes through a proxy,
        which would need a tunnel of its own)."""
        if self.options.proxy is not None:
            return None
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            self._handshake(sock, peer)
            unchecked = build_context(replace(options, insecure=True, keylog_file=None))
            channel = TlsChannel(sock, unchecked, server_hostname)
            self._drive_handshake(channel)
            der = channel.tls.getpeercert(binary_form=True)
        except (OSError, ssl.SSLError, ValueError, TlsSetupError):
            return None
        finally:
            sock.close()
        return certificate_info(der) if der else None

    def _drive_handshake(self, sock: TlsChannel) -> None:
        """`do_handshake()` until done, waiting on the selector for whatever OpenSSL wants."""
        deadline = time.monotonic() + self.options.timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self._wake_up.reader, selectors.EVENT_READ)
            while True:
                try:
                    sock.do_handshake()
                    return
                except ssl.SSLWantReadError:
                    wanted = selectors.EVENT_READ
                except ssl.SSLWantWriteError:
                    wanted = selectors.EVENT_WRITE
                self._wait_for(selector, sock, wanted, deadline)

    def _configure(self, sock: socket.socket) -> None:
        if self.options.nodelay:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.options.keepalive:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)

    def _check_stop(self) -> None:
        if self._stop_requested:
            raise _Stop()

    def _exchange(self, sock: _Connection) -> None:
        """Move bytes both ways until the end; the socket is closed when this returns."""
        sending: memoryview | None = None
        sent_of_current = 0
        with selectors.DefaultSelector() as selector:
            selector.register(self._wake_up.reader, selectors.EVENT_READ)
            interest = 0
            try:
                while True:
                    if sending is None and self._outbox:
                        sending, sent_of_current = self._next_to_send(), 0
                    upgrade = self._upgrade_due() if sending is None else None
                    if upgrade is not None:
                        if interest:
                            selector.unregister(sock)
                            interest = 0
                        assert not isinstance(sock, TlsChannel), "start_tls refuses a 2nd upgrade"
                        sock = self._secure(sock, upgrade.options, starttls=True)
                        continue
                    if (
                        sending is None
                        and not self._outbox
                        and self._half_close_requested
                        and (self.state is SessionState.OPEN)
                    ):
                        self._shut_write(sock)
                        self.state = SessionState.HALF_CLOSED
                        self._emit(HalfClosed())
                        if self._peer_finished:
                            self._finish(Closed(EndReason.PEER_CLOSED))
                            return
                    if sending is None and not self._outbox and self._close_when_sent is not None:
                        self._end_exchange(
                            self._held_close_reason(), self._close_when_sent, None, 0
                        )
                        return
                    wait = self._until_eof_close()
                    if wait == 0.0:
                        self._end_exchange(EndReason.PEER_CLOSED, "", sending, sent_of_current)
                        return
                    interest = _watch(selector, sock, interest, self._wanted(sock, sending))
                    for key, mask in selector.select(wait):
                        if key.fileobj is self._wake_up.reader:
                            self._wake_up.drain()
                            continue
                        if self._can_read(mask) and not self._receive(sock):
                            self._end_exchange(EndReason.PEER_CLOSED, "", sending, sent_of_current)
                            return
                        if isinstance(sock, TlsChannel) and mask & selectors.EVENT_WRITE:
                            sock.flush()
                        if sending is not None and self._can_write(mask):
                            sent_of_current += self._send_some(sock, sending[sent_of_current:])
                            if sent_of_current == len(sending):
                                self._record_sent(sending)
                                sending = None
                    self._check_stop()
            except _Stop:
                self._end_exchange(EndReason.CLOSED_BY_US, "", sending, sent_of_current)
            except _Failed as failure:
                closed = failure.closed
                self._end_exchange(
                    closed.reason, closed.detail, sending, sent_of_current, closed.failed_step
                )
            except ssl.SSLError as exc:
                tls = self.options.tls
                reason, detail = describe_record_failure(
                    exc, tls.verify_name(self.target.host), server_side=tls.server
                )
                step = Step.HANDSHAKE if is_handshake_rejection(exc) else None
                self._end_exchange(reason, detail, sending, sent_of_current, step)
            except OSError as exc:
                detail = exc.strerror or str(exc)
                self._end_exchange(end_reason_for(exc), detail, sending, sent_of_current)
            finally:
                sock.close()

    def _held_close_reason(self) -> EndReason:
        """A close held after the peer's EOF is still the peer's doing."""
        held = self._eof_close_deadline is not None
        return EndReason.PEER_CLOSED if held else EndReason.CLOSED_BY_US

    def _until_eof_close(self) -> float | None:
        """Seconds left before a held close on the peer's EOF happens anyway; None if none."""
        if self._eof_close_deadline is None:
            return None
        return max(0.0, self._eof_close_deadline - time.monotonic())

    def _wanted(self, sock: _Connection, sending: memoryview | None) -> int:
        """Selector events to wait for. TLS may need to write to read, or read to write."""
        read = not self._peer_finished or self._write_wants_read
        write = (sending is not None and not self._write_wants_read) or self._read_wants_write
        write = write or (isinstance(sock, TlsChannel) and sock.wants_write)
        return (selectors.EVENT_READ if read else 0) | (selectors.EVENT_WRITE if write else 0)

    def _can_read(self, mask: int) -> bool:
        if self._peer_finished:
            return False
        if mask & selectors.EVENT_READ or (mask & selectors.EVENT_WRITE and self._read_wants_write):
            self._read_wants_write = False
            return True
        return False

    def _can_write(self, mask: int) -> bool:
        if mask & selectors.EVENT_WRITE or (mask & selectors.EVENT_READ and self._write_wants_read):
            self._write_wants_read = False
            return True
        return False

    def _upgrade_due(self) -> _TlsUpgrade | None:
        """The STARTTLS request at the head of the outbox, taken off it; None if not there."""
        if self._outbox and isinstance(self._outbox[0], _TlsUpgrade):
            upgrade = self._outbox.popleft()
            assert isinstance(upgrade, _TlsUpgrade)
            return upgrade
        return None

    def _shut_write(self, sock: _Connection) -> None:
        """Send EOF. Under TLS: a close_notify alert first, then FIN; reading goes on.

        What the TLS layer already holds is read first: OpenSSL's shutdown would otherwise
        find it and fail (see tls.py on why TlsChannel exists).
        """
        if isinstance(sock, TlsChannel):
            if not self._peer_finished:
                self._receive(sock, drain=True)
            sock.shutdown_write()
        else:
            sock.shutdown(socket.SHUT_WR)

    def _next_to_send(self) -> memoryview | None:
        """The next bytes from the outbox; a file at its head gives its next piece."""
        while self._outbox:
            head = self._outbox[0]
            if isinstance(head, _TlsUpgrade):
                return None
            if isinstance(head, _Noted):
                self._outbox.popleft()
                self._sending_note = head.note
                return memoryview(head.data)
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
        self,
        reason: EndReason,
        detail: str,
        sending: memoryview | None,
        sent_of_current: int,
        failed_step: Step | None = None,
    ) -> None:
        """Record the part of the current write the kernel took; count the rest as unsent."""
        with self._outbox_lock:  # from here on `send` refuses, so `unsent` is final
            self.state = SessionState.CLOSED
            unsent = self.queued_bytes + (len(sending) - sent_of_current if sending else 0)
            for item in self._outbox:
                if isinstance(item, FileUpload):
                    item.error = item.error or "the connection ended before the file was sent"
                    item.finish(sent_of_current if sending is not None else None)
        self._record_sent(sending[:sent_of_current] if sending else None)
        self._finish(Closed(reason, detail, failed_step, unsent))

    def _receive(self, sock: _Connection, *, drain: bool = False) -> bool:
        """Read what is there; False when the peer's EOF ends the connection.

        Under TLS one read returns at most one record, and the rest of a record already
        decrypted is invisible to the selector, so reading goes on while `pending()` says so
        (with `drain`, until nothing at all is left to read).
        """
        if self._recv_buffer is None:
            self._recv_buffer = mmap.mmap(-1, RECV_SIZE)
        view = memoryview(self._recv_buffer)
        reads = 0
        while True:
            try:
                size = sock.recv_into(view)
            except (BlockingIOError, InterruptedError, ssl.SSLWantReadError):
                return True
            except ssl.SSLWantWriteError:
                self._read_wants_write = True
                return True
            if not size:
                break
            self.capture.append(Direction.RECEIVED, view[:size])
            self._emit(DataReceived(size))
            reads += 1
            more_waiting = size == RECV_SIZE and reads < BACK_TO_BACK_READS
            if not (drain or more_waiting or (isinstance(sock, TlsChannel) and sock.pending())):
                return True
        if self._reset_during_handshake is not None:
            raise self._reset_during_handshake
        self._peer_finished = True
        self._emit(PeerFinished())
        if self.state is SessionState.HALF_CLOSED:
            return False
        if self.options.close_on_peer_eof and self._hold_eof_close:
            self._eof_close_deadline = time.monotonic() + EOF_HOLD
            return True
        return not self.options.close_on_peer_eof

    def _send_some(self, sock: _Connection, data: memoryview) -> int:
        """Bytes the kernel (or the TLS layer) took; 0 when it would block."""
        try:
            return sock.send(data)
        except (BlockingIOError, InterruptedError, ssl.SSLWantWriteError):
            return 0
        except ssl.SSLWantReadError:
            self._write_wants_read = True
            return 0

    def _record_sent(self, data: memoryview | None) -> None:
        note, self._sending_note = self._sending_note, ""
        if data:
            self.capture.append(Direction.SENT, bytes(data), note)
            self._emit(DataSent(len(data)))


def _watch(selector: selectors.BaseSelector, sock: _Connection, interest: int, wanted: int) -> int:
    """Make the selector watch `sock` for `wanted` (it watched `interest`); returns `wanted`."""
    if wanted != interest:
        if not wanted:
            selector.unregister(sock)
        elif not interest:
            selector.register(sock, wanted)
        else:
            selector.modify(sock, wanted)
    return wanted


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _strerror(code: int) -> str:
    return os.strerror(code)


def _peer_of(sock: socket.socket) -> tuple[object, ...] | None:
    """Where `sock` is connected, or None if that is no longer known."""
    try:
        peer: tuple[object, ...] = sock.getpeername()
    except OSError:
        return None
    return peer
