"""A capture read back as people read it: runs of bytes in each direction, and the events
between them, in order."""

from __future__ import annotations

from tcptui.capture.events import EventKind
from tcptui.capture.store import Capture, Direction

Moment = tuple[Direction, bytes] | EventKind
"""Bytes that moved one way (neighbouring chunks joined: where a recv() ends is chance), or
an event."""


def timeline(capture: Capture) -> list[Moment]:
    moments: list[Moment] = []
    events = capture.events.events()
    taken = 0
    for chunk in capture.chunks():
        while taken < len(events) and events[taken].before_chunk <= chunk.index:
            moments.append(events[taken].kind)
            taken += 1
        data = capture.read_chunk(chunk.index)
        last = moments[-1] if moments else None
        if isinstance(last, tuple) and last[0] is chunk.direction:
            moments[-1] = (chunk.direction, last[1] + data)
        else:
            moments.append((chunk.direction, data))
    moments.extend(event.kind for event in events[taken:])
    return moments


def details(capture: Capture, kind: EventKind) -> list[str]:
    """The detail of every event of `kind`, in order."""
    return [event.detail for event in capture.events.events() if event.kind is kind]
