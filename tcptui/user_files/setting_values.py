"""Reading one value of the settings file: each reader checks a TOML value and returns it typed.

A reader takes the key's full name (`profiles.web.timeout`) and the value tomllib gave, and
either returns the value the app uses or raises a SettingsError whose one sentence names the
key, what it must be and what the file holds instead.
"""

from __future__ import annotations

import codecs
import math
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TypeVar, cast

from tcptui.user_files.toml_text import toml_key, toml_string

MAX_TIMEOUT = 3600.0
"""The longest connect timeout `--timeout` accepts; a profile may not ask for more."""

Value = TypeVar("Value")
Choice = TypeVar("Choice", bound=StrEnum)
Reader = Callable[[str, object], Value]
"""Checks the value of one key (given by its full name) and returns it as the app uses it."""


class SettingsError(Exception):
    """The settings file cannot be read or holds a mistake; the message names the key or line."""

    def __init__(self, message: str, key: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.line = line


def full_key(prefix: str, key: str) -> str:
    """`key` inside the table `prefix` (`profiles.web`), as an error message names it."""
    return f"{prefix}.{key}" if prefix else key


def refuse_unknown(table: Mapping[str, object], known: tuple[str, ...], prefix: str) -> None:
    """An unknown key is more likely a typo than a wish: refuse it, listing the known ones."""
    for key in table:
        if key not in known:
            where = full_key(prefix, toml_key(key))
            raise SettingsError(f"unknown key {where} (known: {', '.join(known)})", where)


def one_of(kind: type[Choice]) -> Reader[Choice]:
    """A reader of one of `kind`'s values, written as the value itself (`"crlf"`)."""

    def read(key: str, value: object) -> Choice:
        return kind(literal(key, value, tuple(member.value for member in kind)))

    return read


def literal(key: str, value: object, options: tuple[str, ...]) -> str:
    if isinstance(value, str) and value in options:
        return value
    raise SettingsError(f"{key} must be one of {', '.join(options)}, not {shown(value)}", key)


def encoding(key: str, value: object) -> str:
    """The codec's own name, so `UTF8` and `utf-8` make equal settings.

    The codec must turn any text into bytes and any bytes into text (with replacements):
    base64 and rot13 are codecs but not text encodings, and `undefined` or `punycode` fail
    on the first byte a server sends.
    """
    name = non_empty(key, value)
    try:
        info = codecs.lookup(name)
        "a\u20ac".encode(info.name, "replace")
        b"a\xff\x00\n".decode(info.name, "replace")
    except (LookupError, ValueError):
        raise SettingsError(
            f"{key}: {name!r} is not a text encoding tcptui can use (try utf-8, latin-1, cp437)",
            key,
        ) from None
    return info.name


def non_empty(key: str, value: object) -> str:
    if isinstance(value, str) and value.strip():
        return value
    raise SettingsError(f"{key} must be a non-empty string, not {shown(value)}", key)


def positive_int(key: str, value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise SettingsError(f"{key} must be a whole number above 0, not {shown(value)}", key)


def boolean(key: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise SettingsError(f"{key} must be true or false, not {shown(value)}", key)


def timeout(key: str, value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
        if math.isfinite(seconds) and 0 < seconds <= MAX_TIMEOUT:
            return seconds
    raise SettingsError(
        f"{key} must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}, "
        f"not {shown(value)}",
        key,
    )


def table(key: str, value: object) -> dict[str, object]:
    if isinstance(value, dict):
        return cast(dict[str, object], value)
    raise SettingsError(f"{key} must be a table ([{key}]), not {toml_type(value)}", key)


def shown(value: object) -> str:
    """A value as the user wrote it in TOML, with its type when it is not a string."""
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return toml_type(value)


def toml_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"
