"""Connecting through a SOCKS or HTTP CONNECT proxy, with `python-socks` (its sync API).

`python-socks` opens the TCP connection to the proxy and negotiates the tunnel with blocking
calls bounded by a timeout. The session's I/O thread must stay free to notice `close()`, so the
negotiation runs in a helper thread (`TunnelAttempt`) while the I/O thread waits on its wake-up
socket; a tunnel that finishes after the user gave up is closed by the helper.

Names are resolved by the proxy ("remote DNS") for `socks5://`, `socks5h://`, `socks4a://` and
`http://`; `socks4://` cannot carry a name, so there the name is resolved locally, as curl does.
`python-socks` is imported only when a proxy is used, so the engine still imports with the
standard library alone.
"""

from __future__ import annotations

import errno
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote, urlsplit

from tcptui.net.events import EndReason
from tcptui.net.http_connect import ConnectRefused, Tunnel, request_tunnel


class ProxyKind(StrEnum):
    SOCKS5 = "socks5"
    SOCKS4 = "socks4"
    HTTP = "http"


_SCHEMES = {
    "socks5": (ProxyKind.SOCKS5, True),
    "socks5h": (ProxyKind.SOCKS5, True),
    "socks4a": (ProxyKind.SOCKS4, True),
    "socks4": (ProxyKind.SOCKS4, False),
    "http": (ProxyKind.HTTP, True),
}


class ProxyUrlError(ValueError):
    """A --proxy value that cannot be used; the message says why."""


@dataclass(frozen=True)
class ProxyConfig:
    kind: ProxyKind
    host: str
    port: int
    remote_dns: bool
    scheme: str
    username: str = ""
    password: str = ""

    @property
    def display(self) -> str:
        """The URL without the password, safe to show and to save."""
        user = f"{self.username}@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{user}{host}:{self.port}"


def parse_proxy_url(text: str) -> ProxyConfig:
    """`socks5://[user:pass@]host:port`, `socks4://`, `socks4a://`, `socks5h://`, `http://`."""
    try:
        parts = urlsplit(text.strip())
    except ValueError as exc:  # an unclosed [IPv6 bracket, for one
        raise ProxyUrlError(f"{text!r} is not a proxy URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        known = ", ".join(f"{name}://" for name in _SCHEMES)
        raise ProxyUrlError(f"unknown proxy scheme in {text!r}: use {known}")
    if not parts.hostname:
        raise ProxyUrlError(f"no proxy host in {text!r}: try {scheme}://127.0.0.1:1080")
    try:
        port = parts.port
    except ValueError:
        raise ProxyUrlError(f"the proxy port in {text!r} is not a number in 1–65535") from None
    if port is None:
        raise ProxyUrlError(f"no proxy port in {text!r}: try {scheme}://{parts.hostname}:1080")
    if parts.path.strip("/") or parts.query:
        raise ProxyUrlError(f"a proxy URL has no path or query: {text!r}")
    kind, remote_dns = _SCHEMES[scheme]
    return ProxyConfig(
        kind,
        parts.hostname,
        port,
        remote_dns,
        scheme,
        unquote(parts.username or ""),
        unquote(parts.password or ""),
    )


class TunnelError(Exception):
    """The tunnel could not be opened; `reason` and the message are for the Closed event."""

    def __init__(self, reason: EndReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def open_tunnel(config: ProxyConfig, host: str, port: int, timeout: float) -> Tunnel:
    """A blocking socket connected to `host:port` through the proxy, or TunnelError.

    HTTP CONNECT is spoken here (see http_connect.py: python-socks drops the target's first
    bytes when they come with the reply); SOCKS by python-socks, which reads exact lengths.
    """
    if config.kind is ProxyKind.HTTP:
        return _http_tunnel(config, host, port, timeout)
    try:
        from python_socks import (
            ProxyConnectionError,
            ProxyError,
            ProxyTimeoutError,
            ProxyType,
        )
        from python_socks.sync import Proxy
    except ImportError:
        raise TunnelError(
            EndReason.PROXY_FAILURE,
            "proxies need the python-socks package: pip install python-socks",
        ) from None
    kind = {
        ProxyKind.SOCKS5: ProxyType.SOCKS5,
        ProxyKind.SOCKS4: ProxyType.SOCKS4,
        ProxyKind.HTTP: ProxyType.HTTP,
    }[config.kind]
    proxy = Proxy(
        kind,
        config.host,
        config.port,
        config.username or None,
        config.password or None,
        rdns=config.remote_dns,
    )
    shown = config.display
    try:
        return Tunnel(proxy.connect(host, port, timeout=timeout), b"")
    except ProxyTimeoutError:
        raise TunnelError(
            EndReason.TIMED_OUT, f"the proxy {shown} did not answer within {timeout:g} s"
        ) from None
    except ProxyConnectionError as exc:
        raise TunnelError(
            _reach_reason(exc), f"cannot reach the proxy {shown}: {_why(exc)}"
        ) from None
    except ProxyError as exc:
        raise TunnelError(EndReason.PROXY_FAILURE, f"{shown} answered: {exc}") from None
    except OSError as exc:
        raise _os_failure(exc, shown, timeout) from None


def _http_tunnel(config: ProxyConfig, host: str, port: int, timeout: float) -> Tunnel:
    shown = config.display
    credentials = (config.username, config.password) if config.username else None
    try:
        return request_tunnel((config.host, config.port), host, port, timeout, credentials)
    except ConnectRefused as exc:
        raise TunnelError(EndReason.PROXY_FAILURE, f"{shown} answered: {exc}") from None
    except ConnectionRefusedError as exc:
        raise TunnelError(
            EndReason.REFUSED, f"cannot reach the proxy {shown}: {_why(exc)}"
        ) from None
    except OSError as exc:
        raise _os_failure(exc, shown, timeout) from None


def _os_failure(exc: OSError, shown: str, timeout: float) -> TunnelError:
    if isinstance(exc, socket.gaierror):
        return TunnelError(EndReason.DNS_FAILURE, f"{_why(exc)} (resolving for {shown})")
    if isinstance(exc, TimeoutError):
        return TunnelError(
            EndReason.TIMED_OUT, f"the proxy {shown} did not answer within {timeout:g} s"
        )
    return TunnelError(_reach_reason(exc), f"{shown}: {_why(exc)}")


def _reach_reason(exc: OSError) -> EndReason:
    cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
    if isinstance(cause, ConnectionRefusedError) or cause.errno == errno.ECONNREFUSED:
        return EndReason.REFUSED
    if isinstance(cause, socket.gaierror):
        return EndReason.DNS_FAILURE
    if isinstance(cause, TimeoutError):
        return EndReason.TIMED_OUT
    if isinstance(cause, ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
        return EndReason.RESET
    return EndReason.NETWORK_ERROR


def _why(exc: OSError) -> str:
    cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
    return (cause.strerror or str(cause)).lower()


class TunnelAttempt:
    """`open_tunnel` in a helper thread, so the caller can keep waiting for other things.

    `on_done` is called (from the helper) when the attempt ends either way. `abandon()` says
    nobody wants the result: a tunnel that opens afterwards is closed at once.
    """

    def __init__(
        self,
        config: ProxyConfig,
        host: str,
        port: int,
        timeout: float,
        on_done: Callable[[], None],
    ) -> None:
        self.done = threading.Event()
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self.early = b""
        """The target's bytes that came with the proxy's reply, once `done` is set."""
        self._error: TunnelError | None = None
        self._abandoned = False
        self._on_done = on_done
        self._thread = threading.Thread(
            target=self._run,
            args=(config, host, port, timeout),
            name=f"tcptui-proxy {config.display}",
            daemon=True,
        )
        self._thread.start()

    def _run(self, config: ProxyConfig, host: str, port: int, timeout: float) -> None:
        sock: socket.socket | None = None
        error: TunnelError | None = None
        try:
            tunnel = open_tunnel(config, host, port, timeout)
            sock, self.early = tunnel.sock, tunnel.early
        except TunnelError as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - the waiting thread must always hear back
            error = TunnelError(EndReason.PROXY_FAILURE, f"unexpected error: {exc!r}")
        with self._lock:
            if self._abandoned and sock is not None:
                sock.close()
                sock = None
            self._sock, self._error = sock, error
            self.done.set()
        self._on_done()

    def abandon(self) -> None:
        with self._lock:
            self._abandoned = True
            if self._sock is not None:
                self._sock.close()
                self._sock = None

    def result(self) -> socket.socket:
        """The tunnel's socket once `done` is set; raises the TunnelError otherwise."""
        with self._lock:
            if self._error is not None:
                raise self._error
            if self._sock is None:
                raise TunnelError(EndReason.CLOSED_BY_US, "")
            return self._sock
