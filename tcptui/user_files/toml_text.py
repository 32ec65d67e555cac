"""Writing TOML strings, for the files tcptui writes (settings, snippets) and its messages.

tomllib only reads; the little writing tcptui needs is here, once.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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
