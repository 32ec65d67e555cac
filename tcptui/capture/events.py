"""What happened to the connection, kept in time order with the bytes.

An event sits between two chunks: `before_chunk` is the index the next chunk will take when
the event is recorded, so the log, session files and exports can place it exactly between the
bytes that came before and after (after STARTTLS it marks where plaintext ends).
"""

from __future__ import annotations

import bisect
import threading
from enum import StrEnum
from typing import NamedTuple


class EventKind(StrEnum):
    """What happened. The value is what session files store: never rename one."""

    CONNECTED = "connected"
    """We connected: the detail starts `local → remote` (see `connection_detail`)."""
    ACCEPTED = "accepted"
    """Listen mode: a client connected to us; the detail starts `client → local`."""
    TLS_STARTED = "tls-started"
    EOF_SENT = "eof-sent"
    EOF_RECEIVED = "eof-received"
    RESET = "reset"
    """The peer reset the connection: that is its end, no `closed` follows."""
    CLOSED = "closed"
    """Any other end; the detail says why (closed by you, by the peer, timed out, an error)."""
    RECONNECTED = "reconnected"
    """The tab opened a new connection into the same capture; the detail names it."""
    CUT_SHORT = "cut-short"
    """A session file ended early here when it was opened: the detail says what was lost."""


ARROW = " → "


def connection_detail(initiator: str, responder: str, more: str = "") -> str:
    """The detail of a `connected` or `accepted` event: who opened the connection to whom
    ("host:port" each, as `net.target.format_address` writes them), then anything else."""
    return f"{initiator}{ARROW}{responder}{' ' + more if more else ''}"


def connection_ends(detail: str) -> tuple[str, str] | None:
    """(initiator, responder) from a `connection_detail`, or None if it holds none (a
    session file's detail is untrusted)."""
    initiator, arrow, rest = detail.partition(ARROW)
    responder = rest.split(" ", 1)[0]
    if not arrow or not initiator or " " in initiator or not responder:
        return None
    return initiator, responder


class ConnectionEvent(NamedTuple):
    index: int  # type: ignore[assignment]  # shadows tuple.index, which nothing here uses
    kind: EventKind
    detail: str
    """Plain text from the engine (addresses, TLS version and cipher, a reason): untrusted."""
    before_chunk: int
    mono_ns: int
    wall_ns: int


class EventLog:
    """Append from the I/O thread, read from any; the list only grows."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[ConnectionEvent] = []
        self._positions: list[int] = []

    def add(
        self, kind: EventKind, detail: str, before_chunk: int, mono_ns: int, wall_ns: int
    ) -> ConnectionEvent:
        with self._lock:
            event = ConnectionEvent(len(self._events), kind, detail, before_chunk, mono_ns, wall_ns)
            self._events.append(event)
            self._positions.append(before_chunk)
            return event

    def __len__(self) -> int:
        return len(self._events)

    def __getitem__(self, index: int) -> ConnectionEvent:
        return self._events[index]

    def events(self, start: int = 0, stop: int | None = None) -> list[ConnectionEvent]:
        with self._lock:
            return self._events[start:stop]

    def count_before(self, chunk: int) -> int:
        """How many events came before chunk `chunk` (events recorded before it arrived)."""
        with self._lock:
            return bisect.bisect_right(self._positions, chunk)
