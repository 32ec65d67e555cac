"""Hex digits as people paste them: `de ad`, `deadbeef`, `0xde,0xad`, `de:ad`."""

from __future__ import annotations

import re

from tcptui.codec.errors import CodecError, quoted

_WORD = re.compile(r"[^\s,:]+")
_HEX_WORD = re.compile(r"(?:0[xX])?((?:[0-9a-fA-F]{2})+)")
_NOT_HEX = re.compile(r"[^0-9a-fA-F]")


def parse_hex(text: str, first_column: int = 1) -> bytes:
    """Bytes from hex words split by whitespace, `,` or `:`; each word holds whole bytes.

    `first_column` is the column of text[0] in the user's line, so errors point into it.
    """
    digits = []
    for word in _WORD.finditer(text):
        match = _HEX_WORD.fullmatch(word.group())
        if match is None:
            raise _word_error(word.group(), first_column + word.start())
        digits.append(match.group(1))
    return bytes.fromhex("".join(digits))


def _word_error(word: str, column: int) -> CodecError:
    has_prefix = word[:2] in ("0x", "0X")
    body = word[2:] if has_prefix else word
    stray = _NOT_HEX.search(body)
    if stray is not None:
        at = column + stray.start() + 2 * has_prefix
        return CodecError(f"{quoted(stray.group())} (column {at}) is not a hex digit", at)
    if not body:
        return CodecError(f"{quoted(word)} (column {column}) has no hex digits after it", column)
    return CodecError(f"odd number of hex digits in {quoted(word)} (column {column})", column)
