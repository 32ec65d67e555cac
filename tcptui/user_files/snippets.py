"""Named messages saved for reuse, in a TOML file (`snippets.toml` in the config folder).

The file is meant to be read and edited by hand, so its mistakes are reported by line, key and
value rather than skipped:

    [[snippet]]
    name = "login"
    text = 'USER bob\\r\\n'     # composer syntax, exactly as typed in the composer
    syntax = "text"            # text | hex | mixed (default text)
    line_ending = "crlf"       # none | lf | crlf | cr (default: the composer's current one)

The order of the file is the order shown; the UI puts the first twelve on shift+F1 … shift+F12.
Saving a new snippet appends it and keeps the rest of the file as written; replacing one
rewrites the file, which drops hand-written comments.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from tcptui.codec.composer_syntax import LineEnding, Syntax
from tcptui.user_files.paths import read_user_file, write_atomically
from tcptui.user_files.toml_text import TomlTextError, decode_toml, parse_toml, toml_string

Choice = TypeVar("Choice", bound=StrEnum)

KEYS = ("name", "text", "syntax", "line_ending")
FILE_HEADER = """\
# tcptui snippets: named messages, sent from the command palette or with shift+F1 … shift+F12.
# text is in composer syntax; syntax is text, hex or mixed; line_ending (optional) is none, lf,
# crlf or cr and replaces the composer's own line ending for this snippet.

"""


class SnippetFileError(Exception):
    """The snippets file cannot be read, understood or written; the message says where."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Snippet:
    """A message kept under a name, with the syntax it was typed in, to send again later."""

    name: str
    text: str
    syntax: Syntax = Syntax.TEXT
    line_ending: LineEnding | None = None
    """None sends the composer's line ending of the moment."""

    def line_ending_or(self, default: LineEnding) -> LineEnding:
        """The ending to send with: the snippet's own, else the composer's `default`."""
        return self.line_ending if self.line_ending is not None else default

    @property
    def is_multiline(self) -> bool:
        """Saved from the multi-line editor: each newline becomes the line ending on send."""
        return "\n" in self.text


_parsed: dict[Path, tuple[str, tuple[Snippet, ...]]] = {}
"""The last parse of each file, with the text it came from."""


def load_snippets(path: Path) -> list[Snippet]:
    """The snippets in file order; none when the file does not exist yet.

    Each snippet key asks for them, so the file is parsed again only when its text changed:
    reading a file of at most 1 MiB is cheap, but parsing ten thousand snippets on every key
    froze the UI. Comparing the text, not the file's times, cannot miss an edit made within the
    file system's timestamp granularity.
    """
    text = _read(path)
    cached = _parsed.get(path)
    if cached is not None and cached[0] == text:
        return list(cached[1])
    snippets = _parse(text, path)
    _parsed[path] = (text, tuple(snippets))
    return snippets


def save_snippet(path: Path, snippet: Snippet) -> None:
    """Adds `snippet` at the end, or replaces the one of the same name where it stands.

    The file is replaced atomically. Raises SnippetFileError when the snippet has no name or
    cannot be stored, or the file cannot be read, parsed or written; a broken file is never
    overwritten.
    """
    if not snippet.name.strip():
        raise SnippetFileError("a snippet needs a name")
    original = _read(path)
    snippets = _parse(original, path)
    names = [each.name for each in snippets]
    try:
        table = _table(snippet)
    except ValueError as exc:
        raise SnippetFileError(f"snippet {_quoted(snippet.name)}: {exc}") from exc
    if snippet.name in names:
        snippets[names.index(snippet.name)] = snippet
        text = FILE_HEADER + dump_snippets(snippets)
    elif original.strip():
        text = original + ("\n" if original.endswith("\n") else "\n\n") + table
    else:
        text = FILE_HEADER + table
    try:
        write_atomically(path, text)
    except OSError as exc:
        raise SnippetFileError(f"cannot write {path}: {exc.strerror or exc}") from exc


def dump_snippets(snippets: Sequence[Snippet]) -> str:
    """TOML text that load_snippets reads back as `snippets`; ValueError for lone surrogates."""
    return "\n".join(map(_table, snippets))


def _table(snippet: Snippet) -> str:
    lines = [
        "[[snippet]]",
        f"name = {toml_string(snippet.name)}",
        f"text = {toml_string(snippet.text)}",
        f'syntax = "{snippet.syntax.value}"',
    ]
    if snippet.line_ending is not None:
        lines.append(f'line_ending = "{snippet.line_ending.value}"')
    return "\n".join(lines) + "\n"


def _read(path: Path) -> str:
    try:
        raw = read_user_file(path)
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise SnippetFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        return decode_toml(raw, path)
    except TomlTextError as exc:
        raise SnippetFileError(str(exc), exc.line) from exc


def _parse(text: str, path: Path) -> list[Snippet]:
    try:
        document = parse_toml(text, path)
    except TomlTextError as exc:
        raise SnippetFileError(str(exc), exc.line) from exc
    return _snippets_in(document, path)


def _snippets_in(document: dict[str, Any], path: Path) -> list[Snippet]:
    for key in document:
        if key != "snippet":
            raise SnippetFileError(f"{path}: unknown key {_quoted(key)}; write [[snippet]] tables")
    tables = document.get("snippet", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise SnippetFileError(f"{path}: snippet must be a list of tables, written [[snippet]]")
    snippets: list[Snippet] = []
    for number, table in enumerate(tables, start=1):
        try:
            snippet = _snippet_from(table, number)
        except ValueError as exc:
            raise SnippetFileError(f"{path}: {exc}") from exc
        if any(each.name == snippet.name for each in snippets):
            raise SnippetFileError(f"{path}: snippet {_quoted(snippet.name)} appears twice")
        snippets.append(snippet)
    return snippets


def _snippet_from(table: dict[str, Any], number: int) -> Snippet:
    """One [[snippet]] table; ValueError names the snippet, the key and what is wrong."""
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"snippet {number} needs a name (a non-empty string)")
    label = f"snippet {_quoted(name)}"
    for key, value in table.items():
        if key not in KEYS:
            raise ValueError(f"{label}: unknown key {_quoted(key)} (known: {', '.join(KEYS)})")
        if not isinstance(value, str):
            raise ValueError(f"{label}: {key} must be a string, not {_toml_type(value)}")
    if "text" not in table:
        raise ValueError(f"{label}: text is missing")
    return Snippet(
        name=name,
        text=table["text"],
        syntax=_choice(Syntax, table.get("syntax", Syntax.TEXT.value), label, "syntax"),
        line_ending=(
            _choice(LineEnding, table["line_ending"], label, "line_ending")
            if "line_ending" in table
            else None
        ),
    )


def _choice(kind: type[Choice], value: str, label: str, key: str) -> Choice:
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise ValueError(f"{label}: unknown {key} {_quoted(value)} (known: {known})") from None


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", list: "an array"}
    return names.get(type(value), "a table" if isinstance(value, dict) else "a date or time")


def _quoted(text: str) -> str:
    """Quoted with escapes, so a name holding quotes or controls cannot blur the message."""
    return json.dumps(text, ensure_ascii=False)
