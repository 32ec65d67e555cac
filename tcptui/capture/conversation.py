"""A capture read as a conversation: what we sent, then what came back, turn by turn.

Recording a sequence and exporting a script both replay a session, so both start here: each
run of sent chunks is one send, and the received chunks up to the next send are the reply it
should get. Bytes received before the first send (a banner) make a turn with nothing sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tcptui.capture.events import EventKind
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


def conversation(capture: Capture, first_chunk: int = 0) -> list[Turn]:
    """The turns of the capture from chunk `first_chunk` on (one connection's start)."""
    turns: list[Turn] = []
    sent = bytearray()
    received = bytearray()
    eof_sent = False
    eofs = [
        event.before_chunk
        for event in capture.events.events()
        if event.kind is EventKind.EOF_SENT and event.before_chunk > first_chunk
    ]
    for chunk in capture.chunks(first_chunk):
        if eofs and eofs[0] <= chunk.index:
            eofs.pop(0)
            eof_sent = True
        data = capture.read(chunk.offset, chunk.length)
        if chunk.direction is Direction.SENT:
            if received or eof_sent:
                turns.append(Turn(bytes(sent), bytes(received), eof_sent))
                sent, received, eof_sent = bytearray(), bytearray(), False
            sent += data
        else:
            received += data
    eof_sent = eof_sent or bool(eofs)
    if sent or received or eof_sent:
        turns.append(Turn(bytes(sent), bytes(received), eof_sent))
    return turns


def record_sequence(turns: list[Turn], encoding: str = "utf-8") -> str:
    """A sequence file (TOML) that sends what was sent and expects the start of each reply."""
    lines = ["# Recorded by tcptui: run it with `tcptui HOST PORT --run FILE` or the palette."]
    for turn in turns:
        if turn.sent:
            lines += ["", "[[step]]", f"send = {_toml(escape_for_composer(turn.sent, encoding))}"]
        if turn.received:
            start = turn.received[:RECORDED_EXPECT_BYTES]
            lines += [
                "",
                "[[step]]",
                f"expect = {_toml(escape_for_composer(start, encoding))}",
                "timeout = 5",
            ]
    return "\n".join(lines) + "\n"


def _toml(text: str) -> str:
    """A TOML basic string: composer-escaped text is printable, and JSON's escapes are TOML's."""
    return json.dumps(text, ensure_ascii=False)
