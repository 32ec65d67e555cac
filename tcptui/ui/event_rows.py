"""A connection event as one row of the log, between the bytes that came before and after it.

"── connected 127.0.0.1:40312 → 127.0.0.1:8080 in 0.4 ms ──": the engine's detail (addresses,
TLS version and cipher, a reason) is untrusted text, so it is painted as segments, never
markup, with every control character shown as an escape (DESIGN.md facts 1 and 11).
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from tcptui.capture.events import ARROW, ConnectionEvent, EventKind
from tcptui.codec.safe_text import ascii_only, render_text

EVENT_LABELS = {
    EventKind.CONNECTED: "connected",
    EventKind.ACCEPTED: "accepted",
    EventKind.TLS_STARTED: "TLS started",
    EventKind.EOF_SENT: "EOF sent",
    EventKind.EOF_RECEIVED: "EOF received",
    EventKind.RESET: "reset by peer",
    EventKind.CLOSED: "closed",
    EventKind.RECONNECTED: "reconnected",
    EventKind.CUT_SHORT: "file cut short",
}
EVENT_STYLE = Style(color="#d7d7af", bold=True)
EVENT_DETAIL_STYLE = Style(color="#afaf87")
EVENT_TIME_STYLE = Style(color="#8a8a8a")


def paint_event(
    event: ConnectionEvent, when: str, ascii_glyphs: bool = False, width: int | None = None
) -> Strip:
    """The event's row, cut to `width` cells: a row never widens the view."""
    rule = "--" if ascii_glyphs else "──"
    segments = [
        Segment(f"{rule} {EVENT_LABELS[event.kind]}", EVENT_STYLE),
        Segment(_safe(_detail(event), ascii_glyphs), EVENT_DETAIL_STYLE),
        Segment(f" {rule}", EVENT_STYLE),
        Segment(f"  {when}", EVENT_TIME_STYLE),
    ]
    strip = Strip(segments)
    return strip if width is None or strip.cell_length <= width else strip.crop(0, width)


def _detail(event: ConnectionEvent) -> str:
    """What follows the label: `closed (by you)`, `TLS started TLSv1.3, …`."""
    if not event.detail:
        return ""
    if event.kind in (EventKind.CLOSED, EventKind.RESET):
        return f" ({event.detail})"
    return f" {event.detail}"


def _safe(text: str, ascii_glyphs: bool) -> str:
    """`text` with control bytes as visible escapes (and only ASCII in ASCII mode, where the
    arrow between two addresses is `->`)."""
    if ascii_glyphs:
        text = text.replace(ARROW, " -> ")
    pieces = render_text(text.encode("utf-8", "surrogateescape"))
    if ascii_glyphs:
        pieces = ascii_only(pieces)
    return "".join(piece.text for piece in pieces)
