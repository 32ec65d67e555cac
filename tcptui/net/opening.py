"""Opening a connection on its session's I/O thread: every step before the first byte moves.

A client resolves the name and tries each address in the order `getaddrinfo` gives them (or
asks the proxy for a tunnel, see proxy.py), then does the TLS handshake if the target is
tls://. A connection a Listener accepted is adopted as it is, with the server's side of the
handshake when `TlsOptions.server` asks for it. The handshake is non-blocking, retried on
SSLWantRead/Write, and the exchange loop reuses it for STARTTLS.

Every wait is on a selector that also watches the session's WakeUp, so `Session.close()`
interrupts any step at once: no thread sits in a `connect()` nobody can cancel.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import selectors
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeAlias

from tcptui.capture.store import Capture, Direction
from tcptui.net.certificates import (
    HostnameMismatchError,
    certificate_info,
    check_hostname,
    describe_connection,
)
from tcptui.net.connect_options import ConnectOptions
from tcptui.net.events import (
    CertificateInfo,
    Closed,
    ConnectAttempt,
    Connected,
    DataReceived,
    EndReason,
    Event,
    ProxyConnected,
    ProxyConnecting,
    Resolved,
    Resolving,
    SocketCreated,
    Step,
    TlsHandshakeStarted,
    end_reason_for,
)
from tcptui.net.proxy import TunnelAttempt, TunnelError
from tcptui.net.target import Target, format_address
from tcptui.net.tls import (
    TlsChannel,
    TlsOptions,
    TlsSetupError,
    build_context,
    build_server_context,
)
from tcptui.net.tls_failures import describe_failure
from tcptui.net.wake_up import WakeUp

_IN_PROGRESS = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN, 10035}  # 10035: Windows
_RESET_AFTER_ACCEPT = {errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE}

Connection: TypeAlias = socket.socket | TlsChannel
"""What the exchange loop reads and writes: the socket itself, or TLS over it."""


class CloseRequested(Exception):
    """Raised inside the I/O thread when someone asked to close."""


class StepFailed(Exception):
    """Raised inside the I/O thread when a step failed; carries the Closed event to report."""

    def __init__(self, closed: Closed) -> None:
        super().__init__(closed.sentence())
        self.closed = closed


class Opener:
    """The steps that open one session's connection, run on its I/O thread.

    Each step is reported through `emit`. `now_open` is called at the moment the session may
    send, before the event that says so, so whoever sees the event can send at once.
    """

    def __init__(
        self,
        target: Target,
        options: ConnectOptions,
        capture: Capture,
        wake_up: WakeUp,
        emit: Callable[[Event], None],
        *,
        stop_requested: Callable[[], bool],
        now_open: Callable[[], None],
    ) -> None:
        self.target = target
        self.options = options
        self._capture = capture
        self._wake_up = wake_up
        self._emit = emit
        self._stop_requested = stop_requested
        self._now_open = now_open
        self.reset_during_handshake: OSError | None = None
        """A reset that followed TCP's handshake at once. Reading SO_ERROR cleared it, so it is
        kept here for the session to report once it has read the bytes sent before it."""
        self._early_ciphertext = b""
        """TLS bytes the target sent with an HTTP proxy's reply, for the handshake to read."""

    def adopt(self, sock: socket.socket, addresses: tuple[str, str] | None = None) -> Connection:
        """Listen mode: TCP's handshake already happened in the kernel; TLS's, if asked, now.

        `addresses` (local, peer) are the ones the listener read at accept, if it did.
        """
        try:
            sock.setblocking(False)
            self._configure(sock)
            local, remote = addresses or (
                format_address(sock.getsockname()),
                format_address(sock.getpeername()),
            )
        except OSError as exc:  # the client may be gone already
            sock.close()
            raise StepFailed(Closed(end_reason_for(exc), str(exc), Step.HANDSHAKE)) from None
        server_tls = self.options.tls.server
        if not server_tls:
            self._now_open()
        self._emit(Connected(local, remote, 0.0))
        if not server_tls:
            return sock
        return self.secure(sock, self.options.tls)

    def open(self) -> Connection:
        """Connect (directly or through the proxy), then speak TLS if the target asks for it."""
        sock = self._tunnel() if self.options.proxy is not None else self._connect()
        if self.target.tls:
            return self.secure(sock, self.options.tls)
        return sock

    def secure(
        self, sock: socket.socket, options: TlsOptions, *, starttls: bool = False
    ) -> TlsChannel:
        """The TLS handshake over `sock`, non-blocking; the TLS socket, or StepFailed (sock
        closed).

        With `options.server` (listen mode) we are the server: no name is sent or checked.
        """
        name = options.verify_name(self.target.host)
        server = options.server
        try:
            context = build_server_context(options) if server else build_context(options)
        except TlsSetupError as exc:
            sock.close()
            raise StepFailed(Closed(EndReason.TLS_FAILURE, str(exc), Step.HANDSHAKE)) from None
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
            raise StepFailed(Closed(EndReason.TLS_FAILURE, str(exc), Step.HANDSHAKE)) from None
        try:
            self._drive_handshake(tls_sock)
            if not options.sni and not options.insecure and not server:
                check_hostname(tls_sock.tls.getpeercert() or {}, name)
        except CloseRequested:
            tls_sock.close()
            raise
        except ssl.SSLError as exc:
            peer = _peer_of(sock)
            tls_sock.close()
            reason, detail = describe_failure(exc, name, server_side=server)
            rejected = None
            if reason is EndReason.CERTIFICATE_REJECTED and peer is not None:
                rejected = self._rejected_certificate(sock.family, peer, options, server_hostname)
            raise StepFailed(Closed(reason, detail, Step.HANDSHAKE, 0, rejected)) from None
        except HostnameMismatchError as exc:
            der = tls_sock.tls.getpeercert(binary_form=True)
            tls_sock.close()
            rejected = certificate_info(der) if der else None
            raise StepFailed(
                Closed(EndReason.CERTIFICATE_REJECTED, str(exc), Step.HANDSHAKE, 0, rejected)
            ) from None
        except OSError as exc:
            tls_sock.close()
            detail = f"during the TLS handshake: {exc.strerror or exc}"
            raise StepFailed(Closed(end_reason_for(exc), detail, Step.HANDSHAKE)) from None
        elapsed = (time.perf_counter() - started) * 1000
        self._now_open()
        self._emit(describe_connection(tls_sock.tls, options, elapsed, sni))
        return tls_sock

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
        except CloseRequested:
            attempt.abandon()
            raise
        except TunnelError as exc:
            raise StepFailed(Closed(exc.reason, exc.detail, Step.HANDSHAKE)) from None
        elapsed = (time.perf_counter() - started) * 1000
        try:
            sock.setblocking(False)
            self._configure(sock)
            self._emit(SocketCreated(socket.AddressFamily(sock.family).name))
            self._emit(ProxyConnected(proxy.display, where, elapsed))
            local, remote = format_address(sock.getsockname()), format_address(sock.getpeername())
        except OSError as exc:
            sock.close()
            raise StepFailed(Closed(end_reason_for(exc), str(exc), Step.HANDSHAKE)) from None
        self._open_unless_tls_follows()
        self._emit(Connected(local, remote, elapsed))
        if early and self.target.tls:
            self._early_ciphertext = early
        elif early:  # the target spoke first, in the proxy's reply segment: a banner
            self._capture.append(Direction.RECEIVED, early)
            self._emit(DataReceived(len(early)))
        return sock

    def _open_unless_tls_follows(self) -> None:
        """Open for sending once connected, unless the TLS handshake must come first."""
        if not self.target.tls:
            self._now_open()

    def _connect(self) -> socket.socket:
        host, port = self.target.host, self.target.port
        self._emit(Resolving(host, port))
        started = time.perf_counter()
        try:
            infos = socket.getaddrinfo(
                host, port, self.options.family.address_family, socket.SOCK_STREAM
            )
        except (socket.gaierror, UnicodeError) as exc:
            detail = getattr(exc, "strerror", None) or str(exc)
            closed = Closed(EndReason.DNS_FAILURE, f"{host}: {detail}", Step.RESOLVE)
            raise StepFailed(closed) from None
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
            except CloseRequested:
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
        raise StepFailed(Closed(end_reason_for(last_error), detail, Step.HANDSHAKE))

    def _handshake(self, sock: socket.socket, sockaddr: tuple[object, ...]) -> None:
        """Non-blocking connect, waiting on the selector so `close()` can interrupt it."""
        sock.setblocking(False)
        code = sock.connect_ex(sockaddr)
        if code not in (0, *_IN_PROGRESS):
            raise OSError(code, os.strerror(code))
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
            self.reset_during_handshake = OSError(code, os.strerror(code))
        elif code:
            raise OSError(code, os.strerror(code))

    def _wait_for(
        self,
        selector: selectors.BaseSelector,
        sock: Connection,
        events: int,
        deadline: float,
    ) -> None:
        """Until `sock` is ready for `events`; TimeoutError at the deadline, CloseRequested on
        close()."""
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
        if self._stop_requested():
            raise CloseRequested()


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _peer_of(sock: socket.socket) -> tuple[object, ...] | None:
    """Where `sock` is connected, or None if that is no longer known."""
    try:
        peer: tuple[object, ...] = sock.getpeername()
    except OSError:
        return None
    return peer
