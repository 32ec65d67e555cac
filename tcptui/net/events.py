"""Typed events, one per step of the TCP client lifecycle, emitted by the I/O thread.

The UI shows them as they come; tests assert on them. They are small and frozen so they can
cross threads safely.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

EXPIRY_WARNING = timedelta(days=14)
"""A certificate that ends sooner than this is flagged: renewals are usually due well before."""


class Step(StrEnum):
    """The five steps of a TCP client's life, in order."""

    SOCKET = "socket"
    RESOLVE = "resolve"
    HANDSHAKE = "handshake"
    DATA = "data"
    CLOSED = "closed"


class EndReason(StrEnum):
    """Why a connection (or an attempt at one) ended. The value is a sentence for humans."""

    CLOSED_BY_US = "closed by you"
    PEER_CLOSED = "the peer closed the connection"
    RESET = "the connection was reset by the peer"
    TIMED_OUT = "timed out"
    REFUSED = "the connection was refused"
    DNS_FAILURE = "the host name could not be resolved"
    UNREACHABLE = "the network or host is unreachable"
    NETWORK_ERROR = "network error"
    CERTIFICATE_REJECTED = "the server's certificate was not accepted"
    TLS_FAILURE = "the TLS handshake failed"
    TLS_RECORD_ERROR = "a TLS record error after the handshake"
    PROXY_FAILURE = "the proxy could not open the connection"


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


@dataclass(frozen=True)
class Resolving:
    host: str
    port: int


@dataclass(frozen=True)
class Resolved:
    """Every address `getaddrinfo` returned, in the order they will be tried."""

    addresses: tuple[str, ...]
    duration_ms: float


@dataclass(frozen=True)
class SocketCreated:
    family: str


@dataclass(frozen=True)
class ConnectAttempt:
    """One `connect()` to one address; `error` is empty when it succeeded."""

    address: str
    duration_ms: float
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class Connected:
    local: str
    remote: str
    handshake_ms: float


@dataclass(frozen=True)
class ProxyConnecting:
    """Asking `proxy` (shown without its password) to open a tunnel to `target`.

    The proxy resolves `target`'s name itself when `remote_dns` is set (SOCKS5, SOCKS4a, HTTP).
    """

    proxy: str
    target: str
    remote_dns: bool


@dataclass(frozen=True)
class ProxyConnected:
    """The tunnel is open: from here on bytes reach `target` through `proxy`."""

    proxy: str
    target: str
    duration_ms: float


@dataclass(frozen=True)
class TlsHandshakeStarted:
    """The TLS handshake began. `server_name` is the SNI sent ("" with --no-sni or an IP)."""

    server_name: str
    alpn_offered: tuple[str, ...] = ()
    starttls: bool = False
    keylog_file: str = ""
    """Where the session secrets are being written (--keylog / SSLKEYLOGFILE), if anywhere."""


@dataclass(frozen=True)
class CertificateInfo:
    """What a person checks in one certificate. Every string came from the server: hostile."""

    subject: str
    issuer: str
    not_before: datetime | None
    not_after: datetime | None
    sans: tuple[str, ...]
    sha256: str
    """Hex SHA-256 of the DER bytes, colon-separated pairs, as browsers show it."""
    decoded: bool = True
    """False when only the fingerprint could be read (the stdlib decoder was unavailable)."""

    def expires_soon(self, now: datetime | None = None) -> bool:
        """True when it expires within EXPIRY_WARNING (or has expired)."""
        if self.not_after is None:
            return False
        return self.not_after - (now or datetime.now(UTC)) < EXPIRY_WARNING

    def expired(self, now: datetime | None = None) -> bool:
        return self.not_after is not None and self.not_after < (now or datetime.now(UTC))


@dataclass(frozen=True)
class TlsEstablished:
    """The handshake succeeded. `chain[0]` is the server's own certificate.

    `verified` is False only with --insecure; `verify_error` then says why nothing was checked.
    The chain holds the leaf alone on Python < 3.13, which cannot expose the rest.
    """

    version: str
    cipher: str
    alpn: str
    chain: tuple[CertificateInfo, ...]
    verified: bool
    verify_error: str
    handshake_ms: float
    server_name: str = ""

    @property
    def leaf(self) -> CertificateInfo | None:
        return self.chain[0] if self.chain else None


@dataclass(frozen=True)
class DataReceived:
    """`nbytes` were appended to the capture; the bytes themselves live only there."""

    nbytes: int


@dataclass(frozen=True)
class DataSent:
    nbytes: int


@dataclass(frozen=True)
class HalfClosed:
    """We sent EOF (`shutdown(SHUT_WR)`): the peer can still send, we no longer can.

    Under TLS a close_notify alert goes first, so the peer's TLS layer sees a clean end.
    """


@dataclass(frozen=True)
class PeerFinished:
    """The peer sent EOF: nothing more will arrive."""


@dataclass(frozen=True)
class Closed:
    """The end. `failed_step` is set when the connection never got to exchange data;
    `rejected_certificate` is the server's certificate when that was why."""

    reason: EndReason
    detail: str = ""
    failed_step: Step | None = None
    unsent_bytes: int = 0
    rejected_certificate: CertificateInfo | None = None

    def sentence(self) -> str:
        text = self.reason.value
        if self.detail:
            text = f"{text}: {self.detail}"
        return text[0].upper() + text[1:]


Event = (
    Resolving
    | Resolved
    | SocketCreated
    | ConnectAttempt
    | Connected
    | ProxyConnecting
    | ProxyConnected
    | TlsHandshakeStarted
    | TlsEstablished
    | DataReceived
    | DataSent
    | HalfClosed
    | PeerFinished
    | Closed
)


# -- listen mode: a server's lifecycle (socket → bind → listen → accept) ---------------------


@dataclass(frozen=True)
class ListenerSocketCreated:
    family: str


@dataclass(frozen=True)
class ListenerBound:
    address: str
    all_interfaces: bool
    """True when bound to 0.0.0.0 or ::, reachable from other machines: the UI warns."""


@dataclass(frozen=True)
class Listening:
    backlog: int


@dataclass(frozen=True)
class AcceptPaused:
    """Accepting rests for `seconds`: the process is out of file descriptors (or memory)."""

    reason: str
    seconds: float


@dataclass(frozen=True)
class AcceptResumed:
    """Accepting goes on after a pause; clients that waited meanwhile are taken now."""


@dataclass(frozen=True)
class ListenerStopped:
    error: str = ""
    """Empty when stopped on request; otherwise why listening failed (e.g. port in use)."""


ListenerEvent = (
    ListenerSocketCreated
    | ListenerBound
    | Listening
    | AcceptPaused
    | AcceptResumed
    | ListenerStopped
)
