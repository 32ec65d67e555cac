"""A capture as pcap: its chunks as segments, its events as the packets they stand for.

A capture knows what the socket API told us, not what crossed the wire, so the packets are
synthesised (codec/pcap.py); the events say where they go. `connected` (or `accepted`) is the
three-way handshake, between the addresses it names; `EOF sent` and `EOF received` are a FIN
from that side; `reset` is the peer's RST; `closed` and `reconnected` end the connection with
the FINs still missing. A capture without events (an old session file) is one connection from
its first chunk to its end, as the caller describes it. Bytes with no open connection to carry
them (after a close, or from a side that has sent its FIN) get a connection of their own, so
Wireshark never sees data where TCP allows none.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import BinaryIO

from tcptui.capture.events import ConnectionEvent, EventKind, connection_ends
from tcptui.capture.store import Capture, Direction
from tcptui.codec.pcap import Endpoint, PcapWriter, endpoints

BLOCK = 1 << 20
"""Bytes read from the capture at a time."""


def write_pcap(
    capture: Capture,
    count: int,
    out: BinaryIO,
    *,
    local: str,
    remote: str,
    ended_by_reset: bool,
    advance: Callable[[int], None],
) -> None:
    """The first `count` chunks and the events before them; `advance(n)` after n bytes.

    `local`, `remote` ("host:port") and `ended_by_reset` describe a connection its events do
    not: the one of a capture without them, or the last one when it is still open.
    """
    writer = PcapWriter(out, *endpoints(local, remote))
    events = [event for event in capture.events.events() if event.before_chunk <= count]
    taken = 0
    last_ns = time.time_ns()
    for chunk in capture.chunks(0, count):
        while taken < len(events) and events[taken].before_chunk <= chunk.index:
            _apply(writer, events[taken])
            taken += 1
        from_local = chunk.direction is Direction.SENT
        if not writer.is_open or writer.finished(from_local):
            writer.open(chunk.wall_ns)
        for start in range(chunk.offset, chunk.end, BLOCK):
            data = capture.read(start, min(BLOCK, chunk.end - start))
            writer.segment(from_local, data, chunk.wall_ns)
            advance(len(data))
        last_ns = chunk.wall_ns
    for event in events[taken:]:
        _apply(writer, event)
        last_ns = event.wall_ns
    if not count and not events:
        writer.open(last_ns)
    writer.close(last_ns, reset=ended_by_reset)


def _apply(writer: PcapWriter, event: ConnectionEvent) -> None:
    """The packets `event` stands for, if any (a TLS start is invisible at the TCP level)."""
    at = event.wall_ns
    if event.kind in (EventKind.CONNECTED, EventKind.ACCEPTED):
        local_opens = event.kind is EventKind.CONNECTED
        writer.open(at, _ends(event.detail, local_opens), local_opens=local_opens)
    elif event.kind is EventKind.EOF_SENT:
        writer.finish(True, at)
    elif event.kind is EventKind.EOF_RECEIVED:
        writer.finish(False, at)
    elif event.kind is EventKind.RESET:
        writer.close(at, reset=True)
    elif event.kind in (EventKind.CLOSED, EventKind.RECONNECTED):
        writer.close(at)


def _ends(detail: str, local_opens: bool) -> tuple[Endpoint, Endpoint] | None:
    """(local, remote) from a connected or accepted event's detail; None if it names none."""
    ends = connection_ends(detail)
    if ends is None:
        return None
    initiator, responder = ends
    return endpoints(initiator, responder) if local_opens else endpoints(responder, initiator)
