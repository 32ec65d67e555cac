"""The user's settings: one TOML file that sets the app's starting state and named connections.

The file is `config.toml` in the config folder, or the file that `TCPTUI_CONFIG` or
`--config FILE` names. It is written by hand, so it is checked as strictly as a compiler would:
an unknown key is more likely a typo than a wish, and a typo silently ignored is a setting the
user believes in but does not have. Every mistake is a SettingsError naming the key (and the
line, where TOML itself could not be read).

This module is plain Python: `--print-config` and a bad file are reported before Textual loads.
Textual-specific checks (is the theme installed, does a binding id exist) belong to the app.
"""

from __future__ import annotations

import codecs
import math
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, TypeVar, cast, get_args

from tcptui.codec.composer_syntax import LineEnding, Syntax
from tcptui.codec.formats import CopyFormat
from tcptui.history import DEFAULT_LIMIT
from tcptui.net.target import Family, Target, TargetError, parse_target
from tcptui.snippets import toml_string
from tcptui.user_paths import config_dir, read_user_file

__all__ = [
    "CONFIG_PATH_VARIABLE",
    "EXAMPLE_CONFIG",
    "Profile",
    "Settings",
    "SettingsError",
    "Timestamps",
    "View",
    "default_config_path",
    "load_settings",
    "parse_settings",
    "render_settings",
]

CONFIG_PATH_VARIABLE = "TCPTUI_CONFIG"
CONFIG_FILE_NAME = "config.toml"
DEFAULT_CLIPBOARD_CAP = 4 << 20
DEFAULT_MAX_CLIENTS = 100
"""Listen mode's limit, as `ncat -lk` (its --max-conns): enough for a test bench, a bound for
a scan."""
"""The same 4 MiB as the UI's copy cap: clipboards choke on more."""
MAX_TIMEOUT = 3600.0
"""The longest connect timeout `--timeout` accepts; a profile may not ask for more."""

View = Literal["dual", "text", "hex"]
Timestamps = Literal["local", "utc", "relative"]
Choice = TypeVar("Choice", bound=StrEnum)
Value = TypeVar("Value")


class SettingsError(Exception):
    """The settings file cannot be read or holds a mistake; the message names the key or line."""

    def __init__(self, message: str, key: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.line = line


@dataclass(frozen=True)
class Profile:
    """A named connection, opened with `tcptui @NAME`; unset fields fall back to the settings."""

    target: str
    """Where to connect, written as on the command line: `host:port`, `tls://host`, `[::1]:7`."""
    tls: bool = False
    """Speak TLS even though the target has no `tls://` (the same as `--tls`)."""
    timeout: float | None = None
    """Seconds allowed for each connect attempt; None keeps the command line's (default 10)."""
    family: Family | None = None
    """Resolve to IPv4 or IPv6 addresses only (auto, ipv4, ipv6); None is auto or -4/-6."""
    line_ending: LineEnding | None = None
    """What Enter appends for this connection; None uses the settings' line_ending."""
    encoding: str | None = None
    """Text encoding for this connection; None uses the settings' encoding."""

    def connect_target(self) -> Target:
        """The parsed target, checked once already by load_settings so this does not fail."""
        return parse_target(self.target, tls=self.tls)


@dataclass(frozen=True)
class ListenSettings:
    """Listen mode's settings: the `[listen]` table."""

    max_clients: int = DEFAULT_MAX_CLIENTS
    """Clients held at once; a client over the limit is closed at once and counted (ncat's
    --max-conns, whose default this is too)."""


@dataclass(frozen=True)
class Settings:
    """The app's starting state; the command line overrides it, the UI changes it per tab."""

    line_ending: LineEnding = LineEnding.LF
    """What Enter appends to a message: none, lf, crlf or cr (lf, as nc does)."""
    encoding: str = "utf-8"
    """How the composer turns typed text into bytes and the text view decodes received bytes."""
    syntax: Syntax = Syntax.TEXT
    """How the composer reads what you type: text with escapes, hex, or mixed."""
    view: View = "dual"
    """Which views of the receive log are shown: both side by side, text only, or hex only."""
    copy_format: CopyFormat = CopyFormat.TEXT
    """The format `c` copies in: text, hex, hexdump, escaped, python, c or base64."""
    timestamps: Timestamps = "local"
    """How chunk headers show time: local wall clock, UTC, or time since the connection opened."""
    theme: str = "textual-dark"
    """A Textual theme name; the app checks it against the themes it has."""
    clipboard_cap: int = DEFAULT_CLIPBOARD_CAP
    """The most bytes one copy may take; larger selections are better saved to a file."""
    history_size: int = DEFAULT_LIMIT
    """How many sent messages the composer's history keeps across runs."""
    ascii_only: bool = False
    """Draw with ASCII only, for terminals or fonts without box drawing and control pictures."""
    confirm_discard: bool = True
    """Ask (save, discard or cancel) before closing a tab or quitting drops bytes never saved."""
    keymap: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Binding id to keys, e.g. `"session.connect" = "f2,ctrl+o"`, applied with App.set_keymap."""
    profiles: Mapping[str, Profile] = field(default_factory=lambda: MappingProxyType({}))
    """Named connections from `[profiles.NAME]` tables, opened with `tcptui @NAME`."""
    responders: str = ""
    """A TOML file of [[responder]] rules answering received data (as `--responders FILE`)."""
    listen: ListenSettings = ListenSettings()
    """Listen mode (`tcptui --listen`): the `[listen]` table."""

    def profile(self, name: str) -> Profile:
        """The profile `name`, or a SettingsError that lists the names there are."""
        try:
            return self.profiles[name]
        except KeyError:
            known = ", ".join(sorted(self.profiles)) or "none are defined"
            raise SettingsError(
                f"no profile named {name!r} (profiles: {known})", key=f"profiles.{name}"
            ) from None


def default_config_path() -> Path:
    """`TCPTUI_CONFIG` if set (empty counts as unset), else config.toml in the config folder."""
    value = os.environ.get(CONFIG_PATH_VARIABLE, "")
    return Path(value).expanduser() if value else config_dir() / CONFIG_FILE_NAME


def load_settings(path: Path | None = None) -> Settings:
    """The settings from `path` (given by `--config`), else from default_config_path().

    A missing default file means the defaults: most people never write one. A file the user
    named (by `--config` or `TCPTUI_CONFIG`) must exist, since a typo in its name would
    otherwise silently drop every setting in it.
    """
    named = path is not None or bool(os.environ.get(CONFIG_PATH_VARIABLE))
    chosen = path if path is not None else default_config_path()
    try:
        raw = read_user_file(chosen)
    except FileNotFoundError:
        if named:
            raise SettingsError(f"{chosen}: no such settings file") from None
        return Settings()
    except OSError as exc:
        raise SettingsError(f"cannot read {chosen}: {exc.strerror or exc}") from exc
    return parse_settings(_decoded(raw, chosen), str(chosen))


def parse_settings(text: str, source: str = CONFIG_FILE_NAME) -> Settings:
    """Settings from TOML `text`; `source` names the file in error messages."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _located(exc, text, source) from exc
    try:
        return _settings_from(document)
    except SettingsError as exc:
        raise SettingsError(f"{source}: {exc}", exc.key, exc.line) from exc


def render_settings(settings: Settings) -> str:
    """The settings as TOML that parse_settings reads back equal, every value written out."""
    lines = [
        "# tcptui's effective settings (tcptui --print-config)",
        f"line_ending = {toml_string(settings.line_ending)}",
        f"encoding = {toml_string(settings.encoding)}",
        f"syntax = {toml_string(settings.syntax)}",
        f"view = {toml_string(settings.view)}",
        f"copy_format = {toml_string(settings.copy_format)}",
        f"timestamps = {toml_string(settings.timestamps)}",
        f"theme = {toml_string(settings.theme)}",
        f"clipboard_cap = {settings.clipboard_cap}",
        f"history_size = {settings.history_size}",
        f"ascii_only = {'true' if settings.ascii_only else 'false'}",
        f"confirm_discard = {'true' if settings.confirm_discard else 'false'}",
        *([f"responders = {toml_string(settings.responders)}"] if settings.responders else []),
        "",
        "[listen]",
        f"max_clients = {settings.listen.max_clients}",
        "",
        "[keymap]",
        *(f"{_toml_key(name)} = {toml_string(keys)}" for name, keys in settings.keymap.items()),
    ]
    for name, profile in settings.profiles.items():
        lines += ["", f"[profiles.{_toml_key(name)}]", *_profile_lines(profile)]
    return "\n".join(lines) + "\n"


# -- reading a document --------------------------------------------------------------------


_SETTING_KEYS = tuple(each.name for each in fields(Settings))
_PROFILE_KEYS = tuple(each.name for each in fields(Profile))


def _settings_from(document: dict[str, Any]) -> Settings:
    _refuse_unknown(document, _SETTING_KEYS, "")
    default = Settings()
    return Settings(
        line_ending=_read(document, "line_ending", _line_ending, default.line_ending),
        encoding=_read(document, "encoding", _encoding, default.encoding),
        syntax=_read(document, "syntax", _syntax, default.syntax),
        view=_read(document, "view", _view, default.view),
        copy_format=_read(document, "copy_format", _copy_format, default.copy_format),
        timestamps=_read(document, "timestamps", _timestamps, default.timestamps),
        theme=_read(document, "theme", _name, default.theme),
        clipboard_cap=_read(document, "clipboard_cap", _positive_int, default.clipboard_cap),
        history_size=_read(document, "history_size", _positive_int, default.history_size),
        ascii_only=_read(document, "ascii_only", _boolean, default.ascii_only),
        confirm_discard=_read(document, "confirm_discard", _boolean, default.confirm_discard),
        keymap=_read(document, "keymap", _keymap, default.keymap),
        profiles=_read(document, "profiles", _profiles, default.profiles),
        responders=_read(document, "responders", _name, default.responders),
        listen=_read(document, "listen", _listen, default.listen),
    )


def _listen(name: str, value: object) -> ListenSettings:
    table = _table(name, value)
    _refuse_unknown(table, ("max_clients",), name)
    default = ListenSettings()
    return ListenSettings(
        _read(table, "max_clients", _positive_int, default.max_clients, name),
    )


def _read(
    table: Mapping[str, object],
    key: str,
    reader: Callable[[str, object], Value],
    default: Value,
    prefix: str = "",
) -> Value:
    """`reader`'s checked value for `key`, or `default` when the table does not set it.

    `prefix` is the table's own name (`profiles.web`), so an error names the key in full.
    """
    if key not in table:
        return default
    return reader(f"{prefix}.{key}" if prefix else key, table[key])


def _keymap(name: str, value: object) -> Mapping[str, str]:
    table = _table(name, value)
    keymap: dict[str, str] = {}
    for binding_id, keys in table.items():
        key = f"{name}.{_toml_key(binding_id)}"
        if not binding_id.strip():
            raise SettingsError(f"{key}: a binding id cannot be empty", key)
        if not isinstance(keys, str):
            raise SettingsError(
                f'{key} must be a string of keys such as "f2,ctrl+o", not {_toml_type(keys)}', key
            )
        parts = [part.strip() for part in keys.split(",")]
        if not all(parts) or any(re.search(r"\s", part) for part in parts):
            raise SettingsError(
                f"{key}: {keys!r} is not a list of keys: write them comma-separated, "
                'e.g. "f2,ctrl+o"',
                key,
            )
        keymap[binding_id] = ",".join(parts)
    return MappingProxyType(keymap)


def _profiles(name: str, value: object) -> Mapping[str, Profile]:
    profiles: dict[str, Profile] = {}
    for profile_name, body in _table(name, value).items():
        key = f"{name}.{_toml_key(profile_name)}"
        if not profile_name.strip():
            raise SettingsError(f"{name}: a profile name cannot be empty", key)
        profiles[profile_name] = _profile(key, _table(key, body))
    return MappingProxyType(profiles)


def _profile(prefix: str, table: dict[str, object]) -> Profile:
    _refuse_unknown(table, _PROFILE_KEYS, prefix)
    if "target" not in table:
        raise SettingsError(f'{prefix} needs a target, e.g. target = "example.com:80"', prefix)
    target = _read(table, "target", _name, "", prefix)
    tls = _read(table, "tls", _boolean, False, prefix)
    try:
        parse_target(target, tls=tls)
    except TargetError as exc:
        key = f"{prefix}.target"
        raise SettingsError(f"{key}: {target!r} is not a target: {exc}", key) from None
    return Profile(
        target,
        tls,
        timeout=_read(table, "timeout", _timeout, None, prefix),
        family=_read(table, "family", _family, None, prefix),
        line_ending=_read(table, "line_ending", _line_ending, None, prefix),
        encoding=_read(table, "encoding", _encoding, None, prefix),
    )


def _refuse_unknown(table: Mapping[str, object], known: tuple[str, ...], prefix: str) -> None:
    for key in table:
        if key not in known:
            where = f"{prefix}.{_toml_key(key)}" if prefix else _toml_key(key)
            raise SettingsError(f"unknown key {where} (known: {', '.join(known)})", where)


# -- one value each --------------------------------------------------------------------------


def _line_ending(key: str, value: object) -> LineEnding:
    return _choice(key, value, LineEnding)


def _syntax(key: str, value: object) -> Syntax:
    return _choice(key, value, Syntax)


def _copy_format(key: str, value: object) -> CopyFormat:
    return _choice(key, value, CopyFormat)


def _family(key: str, value: object) -> Family:
    return _choice(key, value, Family)


def _view(key: str, value: object) -> View:
    return cast(View, _literal(key, value, get_args(View)))


def _timestamps(key: str, value: object) -> Timestamps:
    return cast(Timestamps, _literal(key, value, get_args(Timestamps)))


def _choice(key: str, value: object, kind: type[Choice]) -> Choice:
    options = [member.value for member in kind]
    if isinstance(value, str) and value in options:
        return kind(value)
    raise SettingsError(f"{key} must be one of {', '.join(options)}, not {_shown(value)}", key)


def _literal(key: str, value: object, options: tuple[str, ...]) -> str:
    if isinstance(value, str) and value in options:
        return value
    raise SettingsError(f"{key} must be one of {', '.join(options)}, not {_shown(value)}", key)


def _encoding(key: str, value: object) -> str:
    """The codec's own name, so `UTF8` and `utf-8` make equal settings.

    The codec must turn any text into bytes and any bytes into text (with replacements):
    base64 and rot13 are codecs but not text encodings, and `undefined` or `punycode` fail
    on the first byte a server sends.
    """
    name = _name(key, value)
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


def _name(key: str, value: object) -> str:
    if isinstance(value, str) and value.strip():
        return value
    raise SettingsError(f"{key} must be a non-empty string, not {_shown(value)}", key)


def _positive_int(key: str, value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise SettingsError(f"{key} must be a whole number above 0, not {_shown(value)}", key)


def _boolean(key: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise SettingsError(f"{key} must be true or false, not {_shown(value)}", key)


def _timeout(key: str, value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
        if math.isfinite(seconds) and 0 < seconds <= MAX_TIMEOUT:
            return seconds
    raise SettingsError(
        f"{key} must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}, "
        f"not {_shown(value)}",
        key,
    )


def _table(key: str, value: object) -> dict[str, object]:
    if isinstance(value, dict):
        return cast(dict[str, object], value)
    raise SettingsError(f"{key} must be a table ([{key}]), not {_toml_type(value)}", key)


def _shown(value: object) -> str:
    """A value as the user wrote it in TOML, with its type when it is not a string."""
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return _toml_type(value)


def _toml_type(value: object) -> str:
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


# -- reading and writing TOML text -----------------------------------------------------------


def _decoded(raw: bytes, path: Path) -> str:
    """UTF-8 text; a byte order mark, which some editors write, is dropped (TOML allows none)."""
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SettingsError(f"{path}, line {line}: not UTF-8 text", line=line) from exc


_TOML_WHERE = re.compile(
    r"(?P<reason>.*) \((?:at line (?P<line>\d+), column (?P<column>\d+)|at end of document)\)$"
)


def _located(exc: tomllib.TOMLDecodeError, text: str, source: str) -> SettingsError:
    """tomllib puts the place in its message only; it becomes the error's `line` here."""
    where = _TOML_WHERE.match(str(exc))
    if where is None:
        return SettingsError(f"{source}: {exc}")
    if where["line"] is None:
        line = text.rstrip("\n").count("\n") + 1
        return SettingsError(f"{source}, line {line} (end of file): {where['reason']}", line=line)
    line = int(where["line"])
    return SettingsError(
        f"{source}, line {line}, column {where['column']}: {where['reason']}", line=line
    )


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(name: str) -> str:
    """A bare key where TOML allows one; `session.connect` needs quotes to stay one key."""
    return name if _BARE_KEY.fullmatch(name) else toml_string(name)


def _profile_lines(profile: Profile) -> Iterator[str]:
    yield f"target = {toml_string(profile.target)}"
    if profile.tls:
        yield "tls = true"
    if profile.timeout is not None:
        yield f"timeout = {profile.timeout!r}"
    if profile.family is not None:
        yield f"family = {toml_string(profile.family)}"
    if profile.line_ending is not None:
        yield f"line_ending = {toml_string(profile.line_ending)}"
    if profile.encoding is not None:
        yield f"encoding = {toml_string(profile.encoding)}"


EXAMPLE_CONFIG = """\
# tcptui settings: config.toml in tcptui's config folder, or the file named by
# TCPTUI_CONFIG or --config FILE. Every setting is optional; the values below are the
# defaults. `tcptui --print-config` prints the settings in effect. Options given on the
# command line win over this file.

# What Enter appends to a message: "none", "lf", "crlf" or "cr" (F4 cycles it).
line_ending = "lf"

# The text encoding of the composer and the text view: any Python text codec,
# such as "utf-8", "latin-1" or "cp437".
encoding = "utf-8"

# How the composer reads what you type (F7 cycles it): "text" (with escapes such as
# \\r \\n \\x00), "hex" (de ad be ef) or "mixed" (GET /{0d 0a}).
syntax = "text"

# Which views of the receive log to show (F5 cycles them): "dual", "text" or "hex".
view = "dual"

# The format `c` copies in (F6 picks another): "text", "hex", "hexdump", "escaped",
# "python", "c" or "base64".
copy_format = "text"

# How chunk headers show time: "local", "utc", or "relative" to the connection's start.
timestamps = "local"

# A Textual theme, for example "textual-dark", "textual-light", "nord" or "gruvbox".
theme = "textual-dark"

# The most bytes one copy may take (4 MiB); for more, save to a file with ctrl+s.
clipboard_cap = 4194304

# How many sent messages the history keeps across runs (Up/Down, ctrl+r).
history_size = 1000

# Draw with ASCII characters only, for terminals or fonts without box drawing.
ascii_only = false

# Ask (save, discard or cancel) before closing a tab or quitting would drop captured
# bytes that were never saved.
confirm_discard = true

# A file of [[responder]] rules that answer received data on every connection
# (the same as --responders FILE); the README shows the format.
# responders = "~/mock.toml"

# Listen mode (tcptui --listen): how many clients are held at once; a client over the
# limit is closed at once and counted (--max-clients overrides it).
[listen]
max_clients = 100

# Keys: map a binding id to one key or to several, comma-separated; the README lists
# the ids (session.connect, composer.send, log.copy, ...). Uncomment a line to use it.
[keymap]
# "session.connect" = "f2,ctrl+o"
# "app.quit" = "ctrl+q,f10"

# Connection profiles: `tcptui @NAME` opens [profiles.NAME]. The target is written as on
# the command line; tls, timeout, family (auto, ipv4, ipv6), line_ending and encoding are
# optional and replace the settings above for that connection only.
# [profiles.web]
# target = "example.com:80"
# line_ending = "crlf"
#
# [profiles.mail]
# target = "tls://mail.example.com:465"
# timeout = 5.0
# family = "ipv4"
# encoding = "latin-1"
"""
"""A commented config.toml that documents every setting at its default (the README shows it)."""
