"""A capture read as a conversation: what we sent, then what came back, turn by turn.

Recording a sequence and exporting a script both replay a session, so both start here: each
run of sent chunks is one send, and the received chunks up to the next send are the reply it
should get. Bytes received before the first send (a banner) make a turn with nothing sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tcptui.capture.events import ConnectionEvent, EventKind
from tcptui.capture.store import Capture, Direction
from tcptui.codec.escapes import escape_for_composer

RECORDED_EXPECT_BYTES = 64
"""A recorded expect waits for the start of each reply, not all of it: replies often carry a
time or a counter that will differ next time."""


@dataclass(frozen=True)
class Turn:
    sent: bytes
    received: bytes
    eof_sent: bool = False
    """We sent EOF (half-close) after `sent`: a server that reads to the end replies only then."""
    tls_started: bool = False
    """STARTTLS: the connection switched to TLS after this turn's reply."""


def conversation(
    capture: Capture, first_chunk: int = 0, *, tls_from_start: bool = False
) -> list[Turn]:
    """The turns of the capture from chunk `first_chunk` on (one connection's start).

    `tls_from_start`: the connection spoke TLS from its first byte (tls://), so its first TLS
    start is that handshake, not a STARTTLS to replay. On a plain connection every TLS start
    is a STARTTLS, even one made before any byte moved.
    """
    turns = _Turns()
    events = _replayed_events(capture, first_chunk, tls_from_start)
    taken = 0
    for chunk in capture.chunks(first_chunk):
        while taken < len(events) and events[taken].before_chunk <= chunk.index:
            turns.event(events[taken].kind)
            taken += 1
        turns.chunk(chunk.direction, capture.read(chunk.offset, chunk.length))
    for event in events[taken:]:
        turns.event(event.kind)
    return turns.finish()


_REPLAYED = (EventKind.EOF_SENT, EventKind.TLS_STARTED)


def _replayed_events(
    capture: Capture, first_chunk: int, tls_from_start: bool
) -> list[ConnectionEvent]:
    """The EOFs we sent and the STARTTLS upgrades of the connection starting at `first_chunk`:
    none from the connection before it, nor the handshake of a tls:// connection."""
    events = capture.events.events()
    opened = (EventKind.CONNECTED, EventKind.ACCEPTED)
    starts = [
        number
        for number, event in enumerate(events)
        if event.kind in opened and event.before_chunk <= first_chunk
    ]
    replayed: list[ConnectionEvent] = []
    handshake_due = tls_from_start
    for event in events[starts[-1] if starts else 0 :]:
        if event.kind is EventKind.TLS_STARTED and handshake_due:
            handshake_due = False
        elif event.kind in _REPLAYED and event.before_chunk >= first_chunk:
            replayed.append(event)
    return replayed


class _Turns:
    """Cuts the exchange into turns: a send starts one, and so do the marks a replay repeats
    at their own place (EOF after a reply is a turn of its own; a TLS upgrade ends one)."""

    def __init__(self) -> None:
        self._turns: list[Turn] = []
        self._sent = bytearray()
        self._received = bytearray()
        self._eof = False

    def chunk(self, direction: Direction, data: bytes) -> None:
        if direction is Direction.SENT:
            if self._received or self._eof:
                self._end_turn()
            self._sent += data
        else:
            self._received += data

    def event(self, kind: EventKind) -> None:
        if kind is EventKind.TLS_STARTED:
            self._end_turn(tls_started=True)
            return
        if self._received:
            self._end_turn()
        self._eof = True

    def finish(self) -> list[Turn]:
        self._end_turn()
        return self._turns

    def _end_turn(self, *, tls_started: bool = False) -> None:
        if self._sent or self._received or self._eof or tls_started:
            turn = Turn(bytes(self._sent), bytes(self._received), self._eof, tls_started)
            self._turns.append(turn)
        self._sent, self._received, self._eof = bytearray(), bytearray(), False


def record_sequence(turns: list[Turn], encoding: str = "utf-8") -> str:
    """A sequence file (TOML) that sends what was sent and expects the start of each reply,
    with the half-close and the STARTTLS upgrade where they happened."""
    lines = ["# Recorded by tcptui: run it with `tcptui HOST PORT --run FILE` or the palette."]
    for turn in turns:
        if turn.sent:
            lines += ["", "[[step]]", f"send = {_toml(escape_for_composer(turn.sent, encoding))}"]
        if turn.eof_sent:
            lines += ["", "[[step]]", "half_close = true"]
        if turn.received:
            start = turn.received[:RECORDED_EXPECT_BYTES]
            lines += [
                "",
                "[[step]]",
                f"expect = {_toml(escape_for_composer(start, encoding))}",
                "timeout = 5",
            ]
        if turn.tls_started:
            lines += ["", "[[step]]", "starttls = true"]
    return "\n".join(lines) + "\n"


def _toml(text: str) -> str:
    """A TOML basic string: composer-escaped text is printable, and JSON's escapes are TOML's."""
    return json.dumps(text, ensure_ascii=False)
