"""What the user types in the composer, turned into the exact bytes to send.

MIXED syntax is plain text with `{de ad}` hex blocks. Its only escapes are `\\{`, `\\}` and
`\\\\`, so a backslash meant for TEXT syntax is an error instead of silently sent as is.
"""

from __future__ import annotations

import builtins
import re
from enum import StrEnum

from tcptui.codec.errors import CodecError
from tcptui.codec.escapes import escape_for_composer, parse_escapes
from tcptui.codec.hex_text import parse_hex
from tcptui.codec.text_encoder import ColumnEncoder

__all__ = ["LineEnding", "Syntax", "escape_for_composer", "parse_composer"]


class Syntax(StrEnum):
    TEXT = "text"
    HEX = "hex"
    MIXED = "mixed"


class LineEnding(StrEnum):
    NONE = "none"
    LF = "lf"
    CRLF = "crlf"
    CR = "cr"

    @property
    def bytes(self) -> builtins.bytes:
        return _LINE_ENDING_BYTES[self]

    @property
    def label(self) -> str:
        """Short enough for a status bar."""
        return "none" if self is LineEnding.NONE else self.value.upper()

    def next(self) -> LineEnding:
        """The following choice, wrapping round, for a key that cycles them."""
        members = list(LineEnding)
        return members[(members.index(self) + 1) % len(members)]


_LINE_ENDING_BYTES = {
    LineEnding.NONE: b"",
    LineEnding.LF: b"\n",
    LineEnding.CRLF: b"\r\n",
    LineEnding.CR: b"\r",
}


def parse_composer(text: str, syntax: Syntax, encoding: str = "utf-8") -> builtins.bytes:
    """The bytes to send; a CodecError names the column (1-based) of the first mistake."""
    if syntax is Syntax.HEX:
        return parse_hex(text)
    if syntax is Syntax.TEXT:
        return parse_escapes(text, encoding)
    return _parse_mixed(text, encoding)


_MIXED_SPECIAL = re.compile(r"[\\{}]")
_MIXED_ESCAPED = ("\\", "{", "}")


def _parse_mixed(text: str, encoding: str) -> builtins.bytes:
    out = ColumnEncoder(encoding)
    position = 0
    while (special := _MIXED_SPECIAL.search(text, position)) is not None:
        at = special.start()
        column = at + 1
        out.add_text(text[position:at], position + 1)
        if special.group() == "{":
            close = text.find("}", at)
            if close < 0:
                raise CodecError(f"'{{' (column {column}) is never closed", column)
            out.add_raw(parse_hex(text[at + 1 : close], first_column=column + 1))
            position = close + 1
        elif special.group() == "}":
            raise CodecError(
                f"'}}' (column {column}) closes nothing; write \\}} for a brace", column
            )
        elif text[at + 1 : at + 2] in _MIXED_ESCAPED:
            out.add_text(text[at + 1], column)
            position = at + 2
        else:
            raise CodecError(
                f"backslash (column {column}) only escapes \\, {{ and }} here; "
                "send other bytes as a {hex} block",
                column,
            )
    out.add_text(text[position:], position + 1)
    return out.finish()
