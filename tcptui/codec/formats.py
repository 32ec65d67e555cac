"""Copy-as formats for a selection of bytes, and parsers that read them back."""

from __future__ import annotations

import ast
import base64
import binascii
import re
from collections.abc import Callable
from enum import StrEnum

from tcptui.codec.errors import CodecError, quoted
from tcptui.codec.escapes import parse_escapes
from tcptui.codec.hex_text import parse_hex
from tcptui.codec.hexdump import BYTES_PER_ROW, hexdump_c

__all__ = [
    "CodecError",
    "CopyFormat",
    "format_bytes",
    "parse_base64",
    "parse_c_array",
    "parse_escaped",
    "parse_hex",
    "parse_hexdump",
    "parse_python_literal",
]


class CopyFormat(StrEnum):
    """Every format but TEXT (meant for reading) has a parser that gives the bytes back."""

    TEXT = "text"
    HEX = "hex"
    HEXDUMP = "hexdump"
    ESCAPED = "escaped"
    PYTHON = "python"
    C_ARRAY = "c"
    BASE64 = "base64"


def format_bytes(data: bytes, fmt: CopyFormat) -> str:
    """`data` as clipboard text in the chosen format."""
    return _FORMATTERS[fmt](data)


_ESCAPED_NAMES = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x5C: "\\\\"}
_ESCAPED_TABLE = {
    code: _ESCAPED_NAMES.get(code, f"\\x{code:02x}")
    for code in range(256)
    if not 0x20 <= code <= 0x7E or code == 0x5C
}
_C_BYTES = [f"0x{byte:02x}" for byte in range(256)]
_C_PER_LINE = 12


def _escaped(data: bytes) -> str:
    return data.decode("latin-1").translate(_ESCAPED_TABLE)


def _c_array(data: bytes) -> str:
    lines = [
        "    " + ", ".join(map(_C_BYTES.__getitem__, data[start : start + _C_PER_LINE]))
        for start in range(0, len(data), _C_PER_LINE)
    ]
    body = "".join(line + ",\n" for line in lines)
    return f"/* {len(data)} bytes */\nunsigned char data[] = {{\n{body}}};\n"


_FORMATTERS: dict[CopyFormat, Callable[[bytes], str]] = {
    CopyFormat.TEXT: lambda data: data.decode("utf-8", "backslashreplace"),
    CopyFormat.HEX: lambda data: data.hex(" "),
    CopyFormat.HEXDUMP: lambda data: hexdump_c(data).decode("ascii"),
    CopyFormat.ESCAPED: _escaped,
    CopyFormat.PYTHON: lambda data: repr(bytes(data)),
    CopyFormat.C_ARRAY: _c_array,
    CopyFormat.BASE64: lambda data: base64.b64encode(data).decode("ascii"),
}


def parse_escaped(text: str) -> bytes:
    """Reads ESCAPED text (and the composer's other escapes); characters become UTF-8."""
    return parse_escapes(text, "utf-8")


def parse_python_literal(text: str) -> bytes:
    """Reads a Python bytes literal without ever executing code."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        where = f" (column {error.offset})" if error.offset else ""
        raise CodecError(f"not a Python bytes literal: {error.msg}{where}", error.offset) from None
    except (ValueError, MemoryError, RecursionError):
        raise CodecError("not a Python bytes literal") from None
    body = tree.body
    if not (isinstance(body, ast.Constant) and isinstance(body.value, bytes)):
        column = body.col_offset + 1
        raise CodecError(f"expected a bytes literal like b'...' (column {column})", column)
    return body.value


_BASE64_STRAY = re.compile(r"[^A-Za-z0-9+/=\s]")


def parse_base64(text: str) -> bytes:
    """Reads standard base64; whitespace and line breaks are ignored."""
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as error:
        stray = _BASE64_STRAY.search(text)
        if stray is not None:
            column = stray.start() + 1
            raise CodecError(
                f"{quoted(stray.group())} (column {column}) is not base64", column
            ) from None
        raise CodecError(f"not base64: {error}") from None


_C_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
_C_TOKEN = re.compile(r"(?P<gap>[\s,]+)|(?P<number>[0-9][0-9a-zA-Z]*)|(?P<stray>.)", re.DOTALL)


def parse_c_array(text: str) -> bytes:
    """Reads the numbers of a C initializer (the `{…}` part, or a bare list of numbers)."""
    code = _C_COMMENT.sub(lambda comment: re.sub(r"[^\n]", " ", comment.group()), text)
    start, end = 0, len(code)
    opening = code.find("{")
    if opening >= 0:
        start, end = opening + 1, code.find("}", opening)
        if end < 0:
            raise CodecError(f"'{{' (column {opening + 1}) is never closed", opening + 1)
    out = bytearray()
    for token in _C_TOKEN.finditer(code, start, end):
        column = token.start() + 1
        if token.lastgroup == "stray":
            raise CodecError(
                f"{quoted(token.group())} (column {column}) is not part of a number", column
            )
        if token.lastgroup == "number":
            out.append(_c_byte(token.group(), column))
    return bytes(out)


_C_NUMBER = re.compile(r"0[xX](?P<hex>[0-9a-fA-F]+)|0(?P<octal>[0-7]*)|(?P<decimal>[1-9][0-9]*)")
_C_BASES = {"hex": 16, "octal": 8, "decimal": 10}


def _c_byte(literal: str, column: int) -> int:
    number = _C_NUMBER.fullmatch(literal)
    if number is None or number.lastgroup is None:
        raise CodecError(f"{quoted(literal)} (column {column}) is not a number", column)
    value = int(number.group(number.lastgroup) or "0", _C_BASES[number.lastgroup])
    if value > 0xFF:
        raise CodecError(f"{literal} (column {column}) does not fit in a byte", column)
    return value


_HEXDUMP_WORD = re.compile(r"\S+")


def parse_hexdump(text: str) -> bytes:
    """Reads `hexdump -C` output: offset, hex bytes, an ignored |ascii| column, `*` repeats.

    Offsets are checked, so a row lost while pasting is an error rather than missing bytes.
    """
    out = bytearray()
    first_offset: int | None = None
    repeating = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() == "*":
            repeating = bool(out)
            continue
        words = list(_HEXDUMP_WORD.finditer(line.partition("|")[0]))
        if not words:
            continue
        offset = _hexdump_number(words[0], number)
        if first_offset is None:
            first_offset = offset
        if repeating:
            _repeat_last_row(out, offset - first_offset, number)
            repeating = False
        if offset != first_offset + len(out):
            raise CodecError(f"line {number}: offset {offset:08x} does not follow the row before")
        if len(words) > BYTES_PER_ROW + 1:
            column = words[BYTES_PER_ROW + 1].start() + 1
            raise CodecError(f"line {number}: more than 16 bytes (column {column})", column)
        out += bytes(_hexdump_byte(word, number) for word in words[1:])
    return bytes(out)


def _repeat_last_row(out: bytearray, end: int, line: int) -> None:
    """Expands hexdump's `*`: the previous row repeats until the next offset."""
    row = out[-BYTES_PER_ROW:]
    missing = end - len(out)
    if missing < 0 or missing % BYTES_PER_ROW:
        raise CodecError(f"line {line}: offset does not fit the repeated rows marked '*'")
    out += row * (missing // BYTES_PER_ROW)


_HEX_NUMBER = re.compile(r"[0-9a-fA-F]+")


def _hexdump_number(word: re.Match[str], line: int) -> int:
    if _HEX_NUMBER.fullmatch(word.group()) is None:
        column = word.start() + 1
        raise CodecError(
            f"line {line}: {quoted(word.group())} (column {column}) is not an offset", column
        )
    return int(word.group(), 16)


def _hexdump_byte(word: re.Match[str], line: int) -> int:
    if len(word.group()) != 2 or _HEX_NUMBER.fullmatch(word.group()) is None:
        column = word.start() + 1
        raise CodecError(
            f"line {line}: {quoted(word.group())} (column {column}) is not a hex byte", column
        )
    return int(word.group(), 16)
