"""One setting: how its field is declared, read, written and documented, and the readers.

A setting is a dataclass field whose metadata (a TomlField) holds its reader, its writer and
its doc. A reader takes the key's full name (`profiles.web.timeout`) and the value tomllib
gave, and either returns the value the app uses or raises a SettingsError whose one sentence
names the key, what it must be and what the file holds instead.
"""

from __future__ import annotations

import codecs
import math
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar, cast

from tcptui.user_files.toml_text import toml_key, toml_string

MAX_TIMEOUT = 3600.0
"""The longest connect timeout `--timeout` accepts; a profile may not ask for more."""

Value = TypeVar("Value")
Choice = TypeVar("Choice", bound=StrEnum)
Reader = Callable[[str, object], Value]
"""Checks the value of one key (given by its full name) and returns it as the app uses it."""
Quote = Callable[[str], str]
"""How a string is written: toml_string when printing, "…" in the example config."""
Writer = Callable[[str, Any, Quote], list[str]]
"""The TOML lines of one key and its value."""


# -- declaring a field ------------------------------------------------------------------------


def value_line(key: str, value: object, quote: Quote) -> list[str]:
    """The writer of a plain value: `key = value`."""
    if isinstance(value, bool):
        return [f"{key} = {'true' if value else 'false'}"]
    if isinstance(value, int | float):
        return [f"{key} = {value!r}"]
    return [f"{key} = {quote(str(value))}"]


@dataclass(frozen=True)
class TomlField:
    """How one field is read from the file, written back, and documented in the example."""

    read: Reader[Any]
    doc: str
    """What the key means; the example config prints a top-level key's doc as its comment."""
    write: Writer = value_line
    optional: bool = False
    """Written only when set (not at its default), since unset means "use something else"."""
    example: str = ""
    """Commented-out lines the example config shows after the default, to uncomment."""

    @property
    def writes_table(self) -> bool:
        return self.write is not value_line


def toml_field_metadata(
    read: Reader[Any],
    doc: str,
    *,
    write: Writer = value_line,
    optional: bool = False,
    example: str = "",
) -> dict[str, TomlField]:
    """A field's metadata: how the settings file reads, writes and documents it."""
    return {"toml": TomlField(read, doc, write, optional, example)}


def setting(
    default: Value,
    read: Reader[Value],
    doc: str,
    *,
    write: Writer = value_line,
    optional: bool = False,
    example: str = "",
) -> Value:
    """A field with `default` whose value in the file `read` checks (see TomlField)."""
    metadata = toml_field_metadata(read, doc, write=write, optional=optional, example=example)
    return field(default=default, metadata=metadata)


def table_setting(
    read: Reader[Mapping[str, Value]], doc: str, *, write: Writer, example: str
) -> Mapping[str, Value]:
    """A field holding a table of named entries, empty by default."""
    return field(
        default_factory=no_entries,
        metadata=toml_field_metadata(read, doc, write=write, example=example),
    )


def no_entries() -> Mapping[str, Any]:
    """An empty table; read-only, as every table of the settings is."""
    return MappingProxyType({})


def toml_field(each: Field[Any]) -> TomlField:
    """What `setting` declared for the field `each`."""
    return cast(TomlField, each.metadata["toml"])


# -- reading one value -----------------------------------------------------------------------


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
