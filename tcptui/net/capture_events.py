"""The lifecycle events that belong in the capture, written there as they happen.

The I/O thread reports every step to the UI (net/events.py); a few of them are also part of
the conversation itself and must stay with its bytes: in the log, in session files and in a
pcap. Recording them at the moment the session emits them puts each exactly between the chunks
it happened between: `connected` before the first byte, `EOF received` after the last one,
`TLS started` after STARTTLS's plaintext reply and before the first decrypted byte.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tcptui.capture.events import EventKind, connection_detail
from tcptui.capture.store import Capture
from tcptui.codec.words import counted
from tcptui.net.events import (
    Closed,
    Connected,
    EndReason,
    Event,
    HalfClosed,
    PeerFinished,
    ProxyConnected,
    TlsEstablished,
    TlsHandshakeStarted,
)


class CaptureEvents:
    """Turns one session's events into the capture's connection events (on its I/O thread)."""

    def __init__(self, capture: Capture, *, accepted: bool) -> None:
        self._capture = capture
        self._accepted = accepted
        self._proxy: ProxyConnected | None = None
        self._starttls = False
        self._handlers: dict[type, Callable[[Any], tuple[EventKind, str] | None]] = {
            ProxyConnected: self._tunnel_opened,
            TlsHandshakeStarted: self._handshake_started,
            Connected: self._connected,
            TlsEstablished: self._tls,
            HalfClosed: lambda _: (EventKind.EOF_SENT, ""),
            PeerFinished: lambda _: (EventKind.EOF_RECEIVED, ""),
            Closed: _ending,
        }
        """By the type of the session's event: one lookup for the many that record nothing
        (a flood of one-byte reads emits one DataReceived each)."""

    def record(self, event: Event) -> None:
        handler = self._handlers.get(type(event))
        described = handler(event) if handler is not None else None
        if described is not None:
            self._capture.add_event(*described)

    def _tunnel_opened(self, event: ProxyConnected) -> None:
        self._proxy = event

    def _handshake_started(self, event: TlsHandshakeStarted) -> None:
        self._starttls = event.starttls

    def _connected(self, event: Connected) -> tuple[EventKind, str]:
        if self._accepted:
            return EventKind.ACCEPTED, connection_detail(event.remote, event.local)
        took = f"in {_ms(event.handshake_ms)}"
        if self._proxy is not None:
            took = f"through proxy {self._proxy.proxy} to {self._proxy.target}, {took}"
        return EventKind.CONNECTED, connection_detail(event.local, event.remote, took)

    def _tls(self, event: TlsEstablished) -> tuple[EventKind, str]:
        parts = [f"{event.version} {event.cipher}"]
        if event.alpn:
            parts.append(f"ALPN {event.alpn}")
        parts.append(f"handshake {_ms(event.handshake_ms)}")
        if self._starttls:
            parts.append("after STARTTLS: plaintext ends here")
        return EventKind.TLS_STARTED, ", ".join(parts)


_SHORT_REASONS = {EndReason.CLOSED_BY_US: "by you", EndReason.PEER_CLOSED: "by the peer"}
"""The two ordinary ends, said as short as the row `closed by you` wants."""


def _ending(event: Closed) -> tuple[EventKind, str]:
    """A reset is its own kind (the pcap shows an RST) whose detail is the system's sentence;
    every other end is `closed`, its detail why."""
    if event.reason is EndReason.RESET:
        kind, detail = EventKind.RESET, event.detail
    else:
        kind, detail = EventKind.CLOSED, _SHORT_REASONS.get(event.reason, event.reason.value)
        if event.detail:
            detail = f"{detail}: {event.detail}"
    if event.unsent_bytes:
        unsent = f"{counted(event.unsent_bytes, 'byte')} not sent"
        detail = f"{detail} ({unsent})" if detail else unsent
    return kind, detail


def _ms(milliseconds: float) -> str:
    return f"{milliseconds:.1f} ms"
