"""ASCII-only mode: every character drawn becomes ASCII, for terminals or fonts without Unicode.

A Textual line filter sees each rendered line just before it is written, so borders, marks,
ellipses and any decoded text are all covered in one place. Wide characters become as many
stand-ins as they take cells, so columns stay aligned.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

_STAND_INS = {
    **{chr(code): "+" for code in range(0x2500, 0x2580)},  # other box drawing
    **{chr(code): "#" for code in range(0x2580, 0x25A0)},  # blocks: bars, scrollbars
    **dict.fromkeys("─━┄┅┈┉╌╍═▔▁", "-"),
    **dict.fromkeys("│┃┆┇┊┋╎╏║▎▊▏▕▌▐", "|"),
    **dict.fromkeys("┌┐└┘├┤┬┴┼╭╮╯╰╔╗╚╝╠╣╦╩╬", "+"),
    **dict.fromkeys("◀◁◂←", "<"),
    **dict.fromkeys("▶▷▸→", ">"),
    **dict.fromkeys("●◉◐◑◕■▪", "*"),
    **dict.fromkeys("○◌□", "o"),
    **dict.fromkeys("✖✗✕×", "x"),
    **dict.fromkeys("·•∙", "."),
    **dict.fromkeys("▼▽↓", "v"),
    **dict.fromkeys("▲△↑", "^"),
    "…": "...",
    "⭘": "o",
    "⟲": "@",
    "⚠": "!",
    "µ": "u",
    "—": "-",
    "–": "-",
}
_TABLE = str.maketrans(_STAND_INS)


def to_ascii(text: str) -> str:
    if text.isascii():
        return text
    text = text.translate(_TABLE)
    if text.isascii():
        return text
    return "".join(ch if ch.isascii() else "?" * max(1, cell_len(ch)) for ch in text)


class AsciiOnly(LineFilter):
    """Replace every non-ASCII character of a line with an ASCII stand-in."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            segment if segment.text.isascii() else segment._replace(text=to_ascii(segment.text))
            for segment in segments
        ]
