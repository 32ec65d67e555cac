"""Hostile received bytes as inert, visible text.

A terminal obeys what reaches it, so every byte from a server is mapped to a glyph or an escape
before it becomes screen text: no control, format, bidi or separator character gets through,
and no byte is dropped (each piece says how many input bytes it stands for). A backslash byte
is shown as `\\`, as the escaped-string copy format writes it, so `\r` always means the CR
byte, even where colour does not tell escapes from text (--ascii, monochrome).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Literal, NamedTuple

PieceKind = Literal["text", "escape", "invalid", "special"]


class Piece(NamedTuple):
    """A run of output of one kind, and how many input bytes it accounts for."""

    text: str
    kind: PieceKind
    source_len: int


_CONTROL_GLYPHS: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)} | {
    0x09: "\\t",
    0x0A: "\\n",
    0x0D: "\\r",
    0x7F: "\u2421",
    0x5C: "\\\\",
}

# Surrogate escapes (U+DC80..U+DCFF) are how 'surrogateescape' hands back undecodable bytes.
_UTF8_TOKENS = re.compile(
    r"(?P<text>[\x20-\x5b\x5d-\x7e]+)"
    r"|(?P<escape>[\x00-\x1f\x5c\x7f]+)"
    r"|(?P<invalid>[\udc80-\udcff]+)"
    r"|(?P<other>[^\x00-\x7f\udc80-\udcff]+)"
)


class _PieceList:
    """Collects pieces, merging neighbours of one kind so a row has few styled segments."""

    def __init__(self) -> None:
        self.pieces: list[Piece] = []
        self._kind: PieceKind = "text"
        self._texts: list[str] = []
        self._source_len = 0

    def add(self, kind: PieceKind, text: str, source_len: int) -> None:
        if kind != self._kind:
            self._flush()
            self._kind = kind
        self._texts.append(text)
        self._source_len += source_len

    def result(self) -> list[Piece]:
        self._flush()
        return self.pieces

    def _flush(self) -> None:
        if self._texts:
            self.pieces.append(Piece("".join(self._texts), self._kind, self._source_len))
            self._texts = []
            self._source_len = 0


def render_text(data: bytes, encoding: str = "utf-8") -> list[Piece]:
    """Maps received bytes to printable pieces; an unknown encoding raises LookupError."""
    pieces = _PieceList()
    if codecs.lookup(encoding).name == "utf-8":
        _render_utf8(data, pieces)
    else:
        _render_decoded(data, encoding, pieces)
    return pieces.result()


def _render_utf8(data: bytes, pieces: _PieceList) -> None:
    """The common case, done in runs with C-speed string operations."""
    add = pieces.add
    for text, escape, invalid, other in _UTF8_TOKENS.findall(
        data.decode("utf-8", "surrogateescape")
    ):
        if text:
            add("text", text, len(text))
        elif escape:
            add("escape", escape.translate(_CONTROL_GLYPHS), len(escape))
        elif invalid:
            raw = invalid.encode("utf-8", "surrogateescape")
            add("invalid", _hex_escapes(raw), len(raw))
        elif other.isprintable():
            add("text", other, len(other.encode("utf-8")))
        else:
            for char in other:
                add(*render_char(char), len(char.encode("utf-8")))


def _render_decoded(data: bytes, encoding: str, pieces: _PieceList) -> None:
    """Any other codec, one decoded unit at a time so each piece knows its source bytes."""
    position = 0
    for chars, used in _decoded_units(data, encoding):
        if chars is None:
            pieces.add("invalid", _hex_escapes(data[position : position + 1]), 1)
        elif not chars:  # a BOM or shift sequence: shown, since no byte may vanish
            pieces.add("escape", _hex_escapes(data[position : position + used]), used)
        else:
            for index, char in enumerate(chars):
                pieces.add(*render_char(char), used if index == 0 else 0)
        position += used


def _decoded_units(data: bytes, encoding: str) -> Iterator[tuple[str | None, int]]:
    """Yields (characters, bytes used); None stands for one byte that cannot be decoded."""
    decoder = codecs.getincrementaldecoder(encoding)()
    start = position = 0
    while start < len(data):
        final = position == len(data)
        try:
            chars = decoder.decode(data[position : position + 1], final)
        except UnicodeError:  # UTF-16 raises the base class for a missing BOM
            yield None, 1
            decoder.reset()
            start = position = start + 1
            continue
        position += not final
        used = position - start - (0 if final else len(decoder.getstate()[0]))
        if chars or used:
            yield chars, used
            start += used


@lru_cache(maxsize=4096)
def render_char(char: str) -> tuple[PieceKind, str]:
    """How one decoded character is shown, as text or as an escape (text rows are cut by the
    cells of what this paints). isprintable() is False for categories Cc, Cf, Cs, Co, Cn, Zl,
    Zp and non-space Zs."""
    code = ord(char)
    if code in _CONTROL_GLYPHS:
        return "escape", _CONTROL_GLYPHS[code]
    if char.isprintable():
        return "text", char
    return "special", f"\\u{{{code:04X}}}"


def _hex_escapes(raw: bytes) -> str:
    return "\\x" + raw.hex(" ").replace(" ", "\\x")


_ASCII_FOR_GLYPH = {
    ord(glyph): ("\\e" if code == 0x1B else f"\\x{code:02x}")
    for code, glyph in _CONTROL_GLYPHS.items()
    if len(glyph) == 1
}


def ascii_only(pieces: list[Piece]) -> list[Piece]:
    """The same pieces in plain ASCII, for terminals without Unicode: control pictures become
    `\\xNN` (`\\e` for ESC) and any other non-ASCII character `\\u{XXXX}`."""
    converted = []
    for piece in pieces:
        text = piece.text.translate(_ASCII_FOR_GLYPH)
        if not text.isascii():
            text = "".join(ch if ch.isascii() else f"\\u{{{ord(ch):04X}}}" for ch in text)
        converted.append(Piece(text, piece.kind, piece.source_len))
    return converted


def safe_label(text: str) -> str:
    """Text from outside (a session file, a server's name) made safe for a title or label:
    every control, format or invisible character shown as an escape, never sent raw. A
    backslash stays single: a label is text, not bytes whose `\\r` could be mistaken for a CR
    (a typed `\\` in an error message quoting it must read as typed)."""
    return "\\".join(
        "".join(piece.text for piece in render_text(_label_bytes(part)))
        for part in text.split("\\")
    )


def _label_bytes(text: str) -> bytes:
    """A label's UTF-8 bytes: a byte that was not UTF-8 (Python's surrogate escape, as in a
    file name) becomes that byte again; any other lone surrogate (a JSON `\\ud800`, a script's
    string) becomes bytes that are not UTF-8 either, and so shows as escapes too."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")
