"""Typed events, one per step of the TCP client lifecycle, emitted by the I/O thread.

The UI shows them as they come; tests assert on them. They are small and frozen so they can
cross threads safely.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
class DataReceived:
    """`nbytes` were appended to the capture; the bytes themselves live only there."""

    nbytes: int


@dataclass(frozen=True)
class DataSent:
    nbytes: int


@dataclass(frozen=True)
class HalfClosed:
    """We sent EOF (`shutdown(SHUT_WR)`): the peer can still send, we no longer can."""


@dataclass(frozen=True)
class PeerFinished:
    """The peer sent EOF: nothing more will arrive."""


@dataclass(frozen=True)
class Closed:
    """The end. `failed_step` is set when the connection never got to exchange data."""

    reason: EndReason
    detail: str = ""
    failed_step: Step | None = None
    unsent_bytes: int = 0

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
    | DataReceived
    | DataSent
    | HalfClosed
    | PeerFinished
    | Closed
)
