"""What a capture's connection events tell of its connection, for an opened session's panel.

A live tab's panel learns the lifecycle from its I/O thread; a session opened with --open has
only the events its file kept (capture/events.py). This turns them into what the panel and the
summary line show of the file's last connection, the one its metadata describes too: the
steps an event attests (connected, EOF each way, closed or reset), the TLS facts, how long it
lasted and how many connections the capture holds. What no event says is left unsaid (the
metadata or "not recorded" speaks for it). Every detail comes from a file: it is returned as
plain text with each control character shown as an escape, for Content/Text, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from tcptui.capture.events import ARROW, ConnectionEvent, EventKind, connection_ends
from tcptui.codec.safe_text import safe_label
from tcptui.codec.words import counted
from tcptui.net.events import Step

StepShown = tuple[str, str]
"""A step's state (a key of connection_panel.MARKS) and its detail."""

OPENINGS = (EventKind.CONNECTED, EventKind.ACCEPTED)
ENDINGS = (EventKind.CLOSED, EventKind.RESET)
EOF_NOTES = {EventKind.EOF_SENT: "you sent EOF", EventKind.EOF_RECEIVED: "the peer sent EOF"}
"""The live panel's words for a half-close each way."""


class ConnectionStory(NamedTuple):
    steps: dict[Step, StepShown]
    """Only the steps an event attests; the others are the metadata's to tell."""
    data_notes: tuple[str, ...]
    """What happened to the byte stream beyond its chunks: the EOFs, in the order sent."""
    tls: tuple[str, ...]
    """The lines of the last connection's `TLS started` (version and cipher, ALPN, …)."""
    connections: int
    """How many connections the capture holds; 0 when no event says."""
    lasted_ns: int | None
    """From the connection's opening to its end, when the file holds both (in order)."""
    short: str
    """The story in a few words for the one-line summary: `TLSv1.3 · closed by the peer`."""


NO_STORY = ConnectionStory({}, (), (), 0, None, "")
"""A file without events (format 1, or nothing happened): the panel shows what it shows."""


def connection_story(events: Sequence[ConnectionEvent]) -> ConnectionStory:
    """The story of the last connection in `events` (a capture's, in order)."""
    if not events:
        return NO_STORY
    starts = [number for number, event in enumerate(events) if event.kind is EventKind.RECONNECTED]
    reconnects = len(starts)
    last = events[starts[-1] + 1 :] if starts else events
    opening = next((event for event in last if event.kind in OPENINGS), None)
    ending = next((event for event in last if event.kind in ENDINGS), None)
    tls = next((event for event in last if event.kind is EventKind.TLS_STARTED), None)
    steps = _opening_steps(opening) if opening is not None else {}
    if ending is not None:
        steps[Step.CLOSED] = _closed_step(ending, opened=opening is not None)
    tls_lines = _tls_lines(tls.detail) if tls is not None else ()
    lasted = None
    if opening is not None and ending is not None and ending.mono_ns >= opening.mono_ns:
        lasted = ending.mono_ns - opening.mono_ns
    short = [_short_tls(tls_lines), _short_ending(ending)]
    if reconnects:
        short.append(counted(reconnects + 1, "connection"))
    return ConnectionStory(
        steps,
        tuple(EOF_NOTES[event.kind] for event in last if event.kind in EOF_NOTES),
        tls_lines,
        reconnects + 1,
        lasted,
        " · ".join(part for part in short if part),
    )


def connections_line(story: ConnectionStory) -> str:
    """Which connection the steps tell of, when the capture holds more than one."""
    if story.connections < 2:
        return ""
    again = story.connections - 1
    times = "once" if again == 1 else "twice" if again == 2 else f"{again:,} times"
    return f"The last of {story.connections:,} connections (reconnected {times})."


def _opening_steps(event: ConnectionEvent) -> dict[Step, StepShown]:
    """The socket and handshake steps of a `connected` (we dialled) or `accepted` (a client
    came to our listener) event; a detail without its two addresses is shown as it is."""
    ends = connection_ends(event.detail)
    if event.kind is EventKind.ACCEPTED:
        shown = f"accepted from {safe_label(ends[0])} on {safe_label(ends[1])}" if ends else ""
        return {
            Step.SOCKET: ("ended", "accepted by the listener"),
            Step.HANDSHAKE: ("ended", shown or f"accepted: {safe_label(event.detail)}"),
        }
    if ends is None:
        return {Step.HANDSHAKE: ("ended", f"connected: {safe_label(event.detail)}")}
    local, remote = ends
    took = event.detail.partition(ARROW)[2].partition(" ")[2]
    shown = f"connected to {safe_label(remote)} from {safe_label(local)}"
    if took:
        shown += f" {safe_label(took)}"
    return {
        Step.SOCKET: ("ended", "SOCK_STREAM"),
        Step.HANDSHAKE: ("ended", f"{shown} at {_moment(event.wall_ns)}"),
    }


def _moment(wall_ns: int) -> str:
    """The wall-clock time an event was recorded (any i64 a file holds is a valid date)."""
    return datetime.fromtimestamp(wall_ns / 1e9, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _closed_step(event: ConnectionEvent, *, opened: bool) -> StepShown:
    """`by the peer`, `timed out: …`; a reset, or an end before any connection, failed."""
    if event.kind is EventKind.RESET:
        return "failed", f"reset by the peer{_colon(event.detail)}"
    return ("ended" if opened else "failed"), safe_label(event.detail) or "no reason recorded"


def _tls_lines(detail: str) -> tuple[str, ...]:
    """`TLSv1.3 · TLS_AES_256_GCM_SHA384`, `ALPN h2`, `handshake 3.1 ms`, …: the parts of a
    `TLS started` detail (see net/capture_events.py) one a line, as the panel shows TLS."""
    first, *rest = detail.split(", ")
    version, _, cipher = first.partition(" ")
    head = f"{version} · {cipher}" if cipher else version
    return tuple(safe_label(part) for part in (head, *rest))


def _short_tls(lines: tuple[str, ...]) -> str:
    """The protocol version, the first word of `TLS started`'s detail."""
    return lines[0].split(" ", 1)[0] if lines else ""


def _short_ending(event: ConnectionEvent | None) -> str:
    """`closed by you`, `reset by the peer`, `closed: timed out`: the detail up to its colon."""
    if event is None:
        return ""
    if event.kind is EventKind.RESET:
        return "reset by the peer"
    reason = safe_label(event.detail.split(":", 1)[0].strip())
    if not reason:
        return "closed"
    return f"closed {reason}" if reason.startswith("by ") else f"closed: {reason}"


def _colon(detail: str) -> str:
    return f": {safe_label(detail)}" if detail else ""
