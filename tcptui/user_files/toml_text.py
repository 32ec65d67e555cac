"""TOML text for the user's files: reading it with the place of a mistake, writing strings.

tomllib reads, but says where a mistake is only inside its message and knows nothing of
encodings; it writes nothing. What the settings and snippets files need beyond it is here, once.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from typing import Any

_BASIC_ESCAPES = {0x22: '\\"', 0x5C: "\\\\", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n"} | {
    0x0C: "\\f",
    0x0D: "\\r",
}


def toml_string(value: str) -> str:
    """A TOML string for `value`: a literal '…' when that reads as typed, else an escaped "…".

    Every invisible character (controls, bidi marks, separators) is written as an escape, so
    the file shows what it holds when printed to a terminal.
    """
    if value.isprintable() and "'" not in value:
        return f"'{value}'"
    return toml_basic_string(value)


def toml_basic_string(value: str) -> str:
    """`value` as an escaped "…" string, the quoting people write by hand."""
    return '"' + "".join(map(_basic_char, value)) + '"'


def _basic_char(char: str) -> str:
    code = ord(char)
    if code in _BASIC_ESCAPES:
        return _BASIC_ESCAPES[code]
    if char.isprintable():
        return char
    if 0xD800 <= code <= 0xDFFF:
        raise ValueError(f"a lone surrogate (U+{code:04X}) cannot be written to a TOML file")
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(name: str, quote: Callable[[str], str] = toml_string) -> str:
    """A bare key where TOML allows one; `session.connect` needs quotes to stay one key."""
    return name if _BARE_KEY.fullmatch(name) else quote(name)


class TomlTextError(ValueError):
    """Text that is not TOML; the message names the source and the place, `line` the line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def decode_toml(raw: bytes, source: object) -> str:
    """UTF-8 text; a byte order mark, which some editors write, is dropped (TOML allows none)."""
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise TomlTextError(f"{source}, line {line}: not UTF-8 text", line) from exc


_TOML_WHERE = re.compile(
    r"(?P<reason>.*) \((?:at line (?P<line>\d+), column (?P<column>\d+)|at end of document)\)$"
)


def parse_toml(text: str, source: object) -> dict[str, Any]:
    """The TOML document in `text`; a TomlTextError naming `source` and the line if it is not."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _located(exc, text, source) from exc


def _located(exc: tomllib.TOMLDecodeError, text: str, source: object) -> TomlTextError:
    """tomllib puts the place in its message only; it becomes the error's `line` here."""
    where = _TOML_WHERE.match(str(exc))
    if where is None:
        return TomlTextError(f"{source}: {exc}")
    if where["line"] is None:
        line = text.rstrip("\n").count("\n") + 1
        return TomlTextError(f"{source}, line {line} (end of file): {where['reason']}", line)
    line = int(where["line"])
    return TomlTextError(
        f"{source}, line {line}, column {where['column']}: {where['reason']}", line
    )
