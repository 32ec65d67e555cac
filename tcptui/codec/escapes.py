"""The backslash-escape text syntax, in both directions.

Named escapes and `\\u{…}` stand for characters (encoded like the text around them);
`\\xHH` stands for one raw byte, whatever the encoding.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tcptui.codec.errors import CodecError
from tcptui.codec.text_encoder import ColumnEncoder

_NAMED = {
    "r": "\r",
    "n": "\n",
    "t": "\t",
    "0": "\0",
    "\\": "\\",
    "e": "\x1b",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}
_WRITTEN_NAMED = {"\\": "\\\\", "\r": "\\r", "\n": "\\n", "\t": "\\t"}
_HEX_PAIR = re.compile(r"[0-9a-fA-F]{2}")
_CODE_POINT = re.compile(r"\{([0-9a-fA-F]{1,6})\}")
_PLAIN_ASCII = re.compile(r"[\x20-\x5b\x5d-\x7e]+")
_EVERY_PLAIN_ASCII = "".join(map(chr, range(0x20, 0x7F))).replace("\\", "")


def parse_escapes(text: str, encoding: str = "utf-8", first_column: int = 1) -> bytes:
    """Bytes for text with `\\r \\n \\t \\0 \\\\ \\e \\a \\b \\f \\v \\xHH \\u{…}` escapes."""
    out = ColumnEncoder(encoding)
    position = 0
    while (slash := text.find("\\", position)) >= 0:
        out.add_text(text[position:slash], first_column + position)
        position = _read_escape(text, slash, out, first_column)
    out.add_text(text[position:], first_column + position)
    return out.finish()


def _read_escape(text: str, slash: int, out: ColumnEncoder, first_column: int) -> int:
    """Adds the escape starting at `slash` and returns the index just past it."""
    column = first_column + slash
    letter = text[slash + 1 : slash + 2]
    if not letter:
        raise CodecError(f"lone backslash at the end (column {column}); write \\\\ for one", column)
    if letter in _NAMED:
        out.add_text(_NAMED[letter], column)
        return slash + 2
    if letter == "x":
        pair = _HEX_PAIR.match(text, slash + 2)
        if pair is None:
            raise CodecError(f"\\x (column {column}) needs two hex digits, as in \\x0a", column)
        out.add_raw(bytes.fromhex(pair.group()))
        return pair.end()
    if letter == "u":
        return _read_code_point(text, slash, out, column)
    shown = letter if letter.isprintable() else repr(letter)
    raise CodecError(f"unknown escape \\{shown} (column {column})", column)


def _read_code_point(text: str, slash: int, out: ColumnEncoder, column: int) -> int:
    braces = _CODE_POINT.match(text, slash + 2)
    if braces is None:
        raise CodecError(
            f"\\u (column {column}) needs hex digits in braces, as in \\u{{1F600}}", column
        )
    code = int(braces.group(1), 16)
    if code > 0x10FFFF:
        raise CodecError(f"\\u{{{code:X}}} (column {column}) is past the last code point", column)
    out.add_text(chr(code), column)
    return braces.end()


def escape_for_composer(data: bytes, encoding: str = "utf-8") -> str:
    """Escaped text that parse_escapes(…, encoding) turns back into exactly `data`.

    A character stays readable only if `encoding` gives back its very bytes; the rest are
    written as `\\xHH`, so resending an edited chunk never changes bytes behind the user's back.
    """
    text = data.decode("utf-8", "surrogateescape")
    ascii_is_kept = _encodes_to(_EVERY_PLAIN_ASCII, encoding, _EVERY_PLAIN_ASCII.encode("ascii"))
    parts = []
    position = 0
    while position < len(text):
        plain = _PLAIN_ASCII.match(text, position) if ascii_is_kept else None
        if plain is not None:
            parts.append(plain.group())
            position = plain.end()
        else:
            parts.append(_escape_char(text[position], encoding))
            position += 1
    return "".join(parts)


@lru_cache(maxsize=4096)
def _escape_char(char: str, encoding: str) -> str:
    raw = char.encode("utf-8", "surrogateescape")
    if _encodes_to(char, encoding, raw):
        if char in _WRITTEN_NAMED:
            return _WRITTEN_NAMED[char]
        if char.isprintable():
            return char
        if ord(char) >= 0x80:
            return f"\\u{{{ord(char):04X}}}"
    return "\\x" + raw.hex(" ").replace(" ", "\\x")


def _encodes_to(text: str, encoding: str, raw: bytes) -> bool:
    try:
        return text.encode(encoding) == raw
    except UnicodeEncodeError:
        return False
