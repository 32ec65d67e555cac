"""How the log marks who sent what: direction colours, and the glyphs it draws with (with
ASCII stand-ins for `--ascii`)."""

from __future__ import annotations

from typing import NamedTuple

from rich.style import Style

from tcptui.capture.store import Direction

DIRECTION_STYLES = {
    Direction.RECEIVED: Style(color="#4fc1ff"),
    Direction.SENT: Style(color="#ffb454"),
}


class Glyphs(NamedTuple):
    """The non-ASCII characters the log draws with, and their ASCII-only stand-ins."""

    received: str
    sent: str
    gutter: str
    separator: str
    bar: str
    unprintable: str
    micro: str

    def arrow(self, direction: Direction) -> str:
        return self.received if direction is Direction.RECEIVED else self.sent


UNICODE_GLYPHS = Glyphs("◀ received", "▶ sent", "│ ", " · ", "│", "·", "µ")
ASCII_GLYPHS = Glyphs("<< received", ">> sent", "| ", " | ", "|", ".", "u")
HEADER_DETAIL = Style(color="#8a8a8a")
NOTE_STYLE = Style(color="#ffd75f", bold=True)
