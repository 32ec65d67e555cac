"""A capture read as a conversation: what we sent, then what came back, turn by turn.

Recording a sequence and exporting a script both replay a session, so both start here: each
run of sent chunks is one send, and the received chunks up to the next send are the reply it
should get. Bytes received before the first send (a banner) make a turn with nothing sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tcptui.capture.store import Capture, Direction
from tcptui.codec.escapes import escape_for_composer

RECORDED_EXPECT_BYTES = 64
"""A recorded expect waits for the start of each reply, not all of it: replies often carry a
time or a counter that will differ next time."""


@dataclass(frozen=True)
class Turn:
    sent: bytes
    received: bytes


def conversation(capture: Capture, first_chunk: int = 0) -> list[Turn]:
    """The turns of the capture from chunk `first_chunk` on (one connection's start)."""
    turns: list[Turn] = []
    sent = bytearray()
    received = bytearray()
    for chunk in capture.chunks(first_chunk):
        data = capture.read(chunk.offset, chunk.length)
        if chunk.direction is Direction.SENT:
            if received:
                turns.append(Turn(bytes(sent), bytes(received)))
                sent, received = bytearray(), bytearray()
            sent += data
        else:
            received += data
    if sent or received:
        turns.append(Turn(bytes(sent), bytes(received)))
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
