"""The user's settings: one TOML file that sets the app's starting state and named connections.

The file is `config.toml` in the config folder, or the file that `TCPTUI_CONFIG` or
`--config FILE` names. It is written by hand, so it is checked as strictly as a compiler would:
an unknown key is more likely a typo than a wish, and a typo silently ignored is a setting the
user believes in but does not have. Every mistake is a SettingsError naming the key (and the
line, where TOML itself could not be read).

This module is plain Python: `--print-config` and a bad file are reported before Textual loads.
Textual-specific checks (is the theme installed, does a binding id exist) belong to the app.

Each setting is declared once, as a field of Settings (or of the tables it holds): its type,
its default, the reader that checks it, and the comment that documents it. Loading, printing
(`--print-config`) and the documented example config (EXAMPLE_CONFIG, shown in the README)
are all driven from those fields.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, TypeVar, cast, get_args

from tcptui.codec.composer_syntax import LineEnding, Syntax
from tcptui.codec.errors import CodecError
from tcptui.codec.formats import CopyFormat
from tcptui.codec.framing import parse_grouping
from tcptui.net.target import Family, Target, TargetError, parse_target
from tcptui.user_files.history import DEFAULT_LIMIT
from tcptui.user_files.paths import config_dir, read_user_file
from tcptui.user_files.setting_values import (
    Quote,
    SettingsError,
    boolean,
    encoding,
    full_key,
    literal,
    non_empty,
    one_of,
    positive_int,
    refuse_unknown,
    setting,
    table,
    table_setting,
    timeout,
    toml_field,
    toml_field_metadata,
    toml_type,
)
from tcptui.user_files.toml_text import (
    TomlTextError,
    decode_toml,
    parse_toml,
    toml_basic_string,
    toml_key,
    toml_string,
)

__all__ = [
    "CONFIG_PATH_VARIABLE",
    "EXAMPLE_CONFIG",
    "Profile",
    "Settings",
    "SettingsError",
    "Timestamps",
    "View",
    "default_config_path",
    "group_spec",
    "load_settings",
    "parse_settings",
    "render_settings",
]

CONFIG_PATH_VARIABLE = "TCPTUI_CONFIG"
CONFIG_FILE_NAME = "config.toml"
DEFAULT_CLIPBOARD_CAP = 4 << 20
"""The same 4 MiB as the UI's copy cap: clipboards choke on more."""
DEFAULT_MAX_CLIENTS = 100
"""Listen mode's limit, as `ncat -lk` (its --max-conns): enough for a test bench, a bound for
a scan."""

View = Literal["dual", "text", "hex"]
Timestamps = Literal["local", "utc", "relative"]


def _view(key: str, value: object) -> View:
    return cast(View, literal(key, value, get_args(View)))


def _timestamps(key: str, value: object) -> Timestamps:
    return cast(Timestamps, literal(key, value, get_args(Timestamps)))


def group_spec(key: str, value: object) -> str:
    """A grouping as written (`stream`, `line`, `length:u16be`…), checked and normalised."""
    spec = non_empty(key, value)
    try:
        return str(parse_grouping(spec))
    except CodecError as exc:
        raise SettingsError(f"{key}: {exc}", key) from None


# -- the fields ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """A named connection, opened with `tcptui @NAME`; unset fields fall back to the settings."""

    target: str = field(
        metadata=toml_field_metadata(
            non_empty,
            "Where to connect, written as on the command line: "
            "`host:port`, `tls://host`, `[::1]:7`.",
        )
    )
    tls: bool = setting(
        False,
        boolean,
        "Speak TLS even though the target has no `tls://` (the same as `--tls`).",
        optional=True,
    )
    timeout: float | None = setting(
        None,
        timeout,
        "Seconds allowed for each connect attempt; unset keeps the command line's (default 10).",
        optional=True,
    )
    family: Family | None = setting(
        None,
        one_of(Family),
        "Resolve to IPv4 or IPv6 addresses only (auto, ipv4, ipv6); unset is auto or -4/-6.",
        optional=True,
    )
    line_ending: LineEnding | None = setting(
        None,
        one_of(LineEnding),
        "What Enter appends for this connection; unset uses the settings' line_ending.",
        optional=True,
    )
    encoding: str | None = setting(
        None,
        encoding,
        "Text encoding for this connection; unset uses the settings' encoding.",
        optional=True,
    )

    def connect_target(self) -> Target:
        """The parsed target, checked once already by load_settings so this does not fail."""
        return parse_target(self.target, tls=self.tls)


@dataclass(frozen=True)
class ListenSettings:
    """Listen mode's settings: the `[listen]` table."""

    max_clients: int = setting(
        DEFAULT_MAX_CLIENTS,
        positive_int,
        "Clients held at once; a client over the limit is closed at once and counted\n"
        "(ncat's --max-conns, whose default this is too).",
    )


def _keymap(name: str, value: object) -> Mapping[str, str]:
    keymap: dict[str, str] = {}
    for binding_id, keys in table(name, value).items():
        key = f"{name}.{toml_key(binding_id)}"
        if not binding_id.strip():
            raise SettingsError(f"{key}: a binding id cannot be empty", key)
        if not isinstance(keys, str):
            raise SettingsError(
                f'{key} must be a string of keys such as "f2,ctrl+o", not {toml_type(keys)}', key
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


def _keymap_lines(key: str, keymap: Mapping[str, str], quote: Quote) -> list[str]:
    entries = (f"{toml_key(name, quote)} = {quote(keys)}" for name, keys in keymap.items())
    return [f"[{key}]", *entries]


def _profiles(name: str, value: object) -> Mapping[str, Profile]:
    profiles: dict[str, Profile] = {}
    for profile_name, body in table(name, value).items():
        key = f"{name}.{toml_key(profile_name)}"
        if not profile_name.strip():
            raise SettingsError(f"{name}: a profile name cannot be empty", key)
        profiles[profile_name] = _profile(key, table(key, body))
    return MappingProxyType(profiles)


def _profile(prefix: str, body: dict[str, object]) -> Profile:
    """A profile; its target (with its tls) is checked first, as the key the others qualify."""
    refuse_unknown(body, _keys(Profile), prefix)
    if "target" not in body:
        raise SettingsError(f'{prefix} needs a target, e.g. target = "example.com:80"', prefix)
    target = non_empty(f"{prefix}.target", body["target"])
    tls = boolean(f"{prefix}.tls", body["tls"]) if "tls" in body else False
    try:
        parse_target(target, tls=tls)
    except TargetError as exc:
        key = f"{prefix}.target"
        raise SettingsError(f"{key}: {target!r} is not a target: {exc}", key) from None
    return _from_table(Profile, body, prefix)


def _profiles_lines(key: str, profiles: Mapping[str, Profile], quote: Quote) -> list[str]:
    lines: list[str] = []
    for name, profile in profiles.items():
        lines += ["", f"[{key}.{toml_key(name, quote)}]", *_field_lines(profile, quote)]
    return lines[1:]


def _listen(name: str, value: object) -> ListenSettings:
    return _checked(ListenSettings, table(name, value), name)


def _table_lines(key: str, record: ListenSettings, quote: Quote) -> list[str]:
    return [f"[{key}]", *_field_lines(record, quote)]


@dataclass(frozen=True)
class Settings:
    """The app's starting state; the command line overrides it, the UI changes it per tab.

    The fields are in the order the printed and the example config show them.
    """

    line_ending: LineEnding = setting(
        LineEnding.LF,
        one_of(LineEnding),
        'What Enter appends to a message: "none", "lf", "crlf" or "cr" (F4 cycles it).',
    )
    encoding: str = setting(
        "utf-8",
        encoding,
        "The text encoding of the composer and the text view: any Python text codec,\n"
        'such as "utf-8", "latin-1" or "cp437".',
    )
    syntax: Syntax = setting(
        Syntax.TEXT,
        one_of(Syntax),
        'How the composer reads what you type (F7 cycles it): "text" (with escapes such as\n'
        '\\r \\n \\x00), "hex" (de ad be ef) or "mixed" (GET /{0d 0a}).',
    )
    view: View = setting(
        "dual",
        _view,
        'Which views of the receive log to show (F5 cycles them): "dual", "text" or "hex".',
    )
    compact: bool = setting(
        False,
        boolean,
        "Compact rows: each block's direction and time in a gutter on its first row instead\n"
        "of a header row, so a line protocol takes one row a line (t in the log toggles it).",
    )
    squeeze: bool = setting(
        True,
        boolean,
        "Squeeze repeated hex rows: rows equal to the row above show as one `*` row, as\n"
        "hexdump -C does, so a run of zeros takes two rows (s in the log toggles it).",
    )
    copy_format: CopyFormat = setting(
        CopyFormat.TEXT,
        one_of(CopyFormat),
        'The format `c` copies in (F6 picks another): "text", "hex", "hexdump", "escaped",\n'
        '"python", "c" or "base64".',
    )
    group: str = setting(
        "stream",
        group_spec,
        'How the log groups bytes into blocks (`m` in the log changes it per tab): "stream"\n'
        '(a block per run of one direction, whatever the reads), "chunk" (each read),\n'
        '"line", "delimiter:HEX" (e.g. "delimiter:00"), "length:SPEC" (a length prefix, e.g.\n'
        '"length:u16be", "length:u32le+4") or "fixed:N" (N-byte records).',
    )
    timestamps: Timestamps = setting(
        "local",
        _timestamps,
        'How block headers show time: "local", "utc", or "relative" to the connection\'s start.',
    )
    theme: str = setting(
        "textual-dark",
        non_empty,
        'A Textual theme, for example "textual-dark", "textual-light", "nord" or "gruvbox".',
    )
    clipboard_cap: int = setting(
        DEFAULT_CLIPBOARD_CAP,
        positive_int,
        "The most bytes one copy may take (4 MiB); for more, save to a file with ctrl+s.",
    )
    history_size: int = setting(
        DEFAULT_LIMIT,
        positive_int,
        "How many sent messages the history keeps across runs (Up/Down, ctrl+r).",
    )
    ascii_only: bool = setting(
        False,
        boolean,
        "Draw with ASCII characters only, for terminals or fonts without box drawing.",
    )
    confirm_discard: bool = setting(
        True,
        boolean,
        "Ask (save, discard or cancel) before closing a tab or quitting would drop captured\n"
        "bytes that were never saved.",
    )
    responders: str = setting(
        "",
        non_empty,
        "A file of [[responder]] rules that answer received data on every connection\n"
        "(the same as --responders FILE); the README shows the format.",
        optional=True,
        example='# responders = "~/mock.toml"',
    )
    listen: ListenSettings = setting(
        ListenSettings(),
        _listen,
        "Listen mode (tcptui --listen): how many clients are held at once; a client over the\n"
        "limit is closed at once and counted (--max-clients overrides it).",
        write=_table_lines,
    )
    keymap: Mapping[str, str] = table_setting(
        _keymap,
        "Keys: map a binding id to one key or to several, comma-separated; the README lists\n"
        "the ids (session.connect, composer.send, log.copy, ...). Uncomment a line to use it.",
        write=_keymap_lines,
        example='# "session.connect" = "f2,ctrl+o"\n# "app.quit" = "ctrl+q,f10"',
    )
    profiles: Mapping[str, Profile] = table_setting(
        _profiles,
        "Connection profiles: `tcptui @NAME` opens [profiles.NAME]. The target is written as on\n"
        "the command line; tls, timeout, family (auto, ipv4, ipv6), line_ending and encoding are\n"
        "optional and replace the settings above for that connection only.",
        write=_profiles_lines,
        example=(
            "# [profiles.web]\n"
            '# target = "example.com:80"\n'
            '# line_ending = "crlf"\n'
            "#\n"
            "# [profiles.mail]\n"
            '# target = "tls://mail.example.com:465"\n'
            "# timeout = 5.0\n"
            '# family = "ipv4"\n'
            '# encoding = "latin-1"'
        ),
    )

    def profile(self, name: str) -> Profile:
        """The profile `name`, or a SettingsError that lists the names there are."""
        try:
            return self.profiles[name]
        except KeyError:
            known = ", ".join(sorted(self.profiles)) or "none are defined"
            raise SettingsError(
                f"no profile named {name!r} (profiles: {known})", key=f"profiles.{name}"
            ) from None


Record = TypeVar("Record", Settings, ListenSettings, Profile)


# -- loading ---------------------------------------------------------------------------------


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
    try:
        text = decode_toml(raw, chosen)
    except TomlTextError as exc:
        raise SettingsError(str(exc), line=exc.line) from exc
    return parse_settings(text, str(chosen))


def parse_settings(text: str, source: str = CONFIG_FILE_NAME) -> Settings:
    """Settings from TOML `text`; `source` names the file in error messages."""
    try:
        document = parse_toml(text, source)
    except TomlTextError as exc:
        raise SettingsError(str(exc), line=exc.line) from exc
    try:
        return _checked(Settings, document, "")
    except SettingsError as exc:
        raise SettingsError(f"{source}: {exc}", exc.key, exc.line) from exc


def _keys(kind: type[Record]) -> tuple[str, ...]:
    return tuple(each.name for each in fields(kind))


def _checked(kind: type[Record], document: Mapping[str, object], prefix: str) -> Record:
    refuse_unknown(document, _keys(kind), prefix)
    return _from_table(kind, document, prefix)


def _from_table(kind: type[Record], document: Mapping[str, object], prefix: str) -> Record:
    """A `kind` from a table whose keys are all known; a key not set keeps its default."""
    return kind(
        **{
            each.name: toml_field(each).read(full_key(prefix, each.name), document[each.name])
            for each in fields(kind)
            if each.name in document
        }
    )


# -- writing ---------------------------------------------------------------------------------


def render_settings(settings: Settings) -> str:
    """The settings as TOML that parse_settings reads back equal, every value written out."""
    lines = ["# tcptui's effective settings (tcptui --print-config)"]
    lines += _field_lines(settings, toml_string)
    return "\n".join(lines) + "\n"


def _field_lines(record: Record, quote: Quote) -> list[str]:
    """The fields' TOML lines, each table after a blank line."""
    lines: list[str] = []
    for each in fields(record):
        written = _written(record, each, quote)
        if written and toml_field(each).writes_table:
            lines.append("")
        lines += written
    return lines


def _written(record: Record, each: Field[Any], quote: Quote) -> list[str]:
    how = toml_field(each)
    value = getattr(record, each.name)
    if how.optional and value == each.default:
        return []
    return how.write(each.name, value, quote)


def _example_config() -> str:
    """Every setting at its default under its doc as a comment, then its commented example."""
    lines = [
        "# tcptui settings: config.toml in tcptui's config folder, or the file named by",
        "# TCPTUI_CONFIG or --config FILE. Every setting is optional; the values below are the",
        "# defaults. `tcptui --print-config` prints the settings in effect. Options given on the",
        "# command line win over this file.",
    ]
    defaults = Settings()
    for each in fields(defaults):
        how = toml_field(each)
        lines += ["", *(f"# {line}" for line in how.doc.splitlines())]
        lines += _written(defaults, each, toml_basic_string)
        lines += how.example.splitlines()
    return "\n".join(lines) + "\n"


EXAMPLE_CONFIG = _example_config()
"""A commented config.toml that documents every setting at its default (the README shows it)."""
