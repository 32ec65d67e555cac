"""The composer's sent messages, kept across runs so yesterday's session can be replayed today.

The file (`history.jsonl` in the data folder) holds one JSON object per line, oldest first:
`{"text": "GET / HTTP/1.0\\r\\n", "syntax": "text", "encoding": "utf-8"}`, where `text` is
exactly what was typed in the composer and `syntax` and `encoding` how it was read, so Up brings a
hex message back as hex. Readers ignore keys they do not know; a line from before those two
fields existed is text syntax in whatever encoding the composer uses.

While tcptui runs it only appends, one write per message, so a crash costs at most that
line and two instances can share the file; when the file reaches twice the cap in lines it is
rewritten atomically, de-duplicated and capped. A line that is not such an object (a torn
write, a hand edit) is skipped.

Messages can hold passwords, so the file is created readable by its owner only. A file that
cannot be read or written is not worth a crash: the store keeps working in memory and records
one warning for the UI to show.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from tcptui.codec.composer_syntax import Syntax
from tcptui.user_paths import write_atomically

DEFAULT_LIMIT = 1000


class HistoryEntry(NamedTuple):
    """A sent message as typed, and how the composer read it (None: the composer's encoding)."""

    text: str
    syntax: Syntax = Syntax.TEXT
    encoding: str | None = None


class HistoryStore:
    """Sent messages, newest last, each kept once; Up/Down walk them like a shell's history."""

    def __init__(self, path: Path, limit: int = DEFAULT_LIMIT) -> None:
        if limit < 1:
            raise ValueError(f"a history must hold at least one message, not {limit}")
        self.path = path
        self.limit = limit
        self._entries: list[HistoryEntry] = []
        self._position = 0
        self._file_lines = 0
        self._ends_mid_line = False
        self._persistent = True
        self._warning: str | None = None
        self._warned = False
        self._load()

    @property
    def entries(self) -> list[HistoryEntry]:
        """A copy, oldest first."""
        return list(self._entries)

    def add(self, text: str, syntax: Syntax = Syntax.TEXT, encoding: str | None = None) -> None:
        """Makes the message the newest entry (moving it if it was there) and saves it.

        Empty text is not kept; either way Up starts again from the newest entry.
        """
        if text:
            entry = HistoryEntry(text, syntax, encoding)
            with contextlib.suppress(ValueError):
                self._entries.remove(entry)
            self._entries.append(entry)
            del self._entries[: -self.limit]
            if self._persistent:
                self._append(entry)
        self._position = len(self._entries)

    def older(self) -> HistoryEntry | None:
        """The entry before the current one, or None when already at the oldest."""
        if self._position == 0:
            return None
        self._position -= 1
        return self._entries[self._position]

    def newer(self) -> HistoryEntry | None:
        """The entry after the current one; past the newest, None (a fresh, empty line)."""
        self._position = min(len(self._entries), self._position + 1)
        return self._entries[self._position] if self._position < len(self._entries) else None

    def search(self, query: str) -> list[HistoryEntry]:
        """Entries containing `query`, ignoring case, newest first; all of them for ""."""
        needle = query.casefold()
        return [entry for entry in reversed(self._entries) if needle in entry.text.casefold()]

    def take_warning(self) -> str | None:
        """The one problem with the file worth telling the user about, handed out only once."""
        warning, self._warning = self._warning, None
        return warning

    def _warn(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            self._warning = message

    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            # Never append to (or compact over) a file whose contents we could not see.
            self._persistent = False
            self._warn(f"History is not loaded or saved: cannot read {self.path} ({_why(exc)}).")
            return
        self._entries = _newest_unique(_entries_in(raw), self.limit)
        self._position = len(self._entries)
        self._file_lines = raw.count(b"\n")
        self._ends_mid_line = bool(raw) and not raw.endswith(b"\n")

    def _append(self, entry: HistoryEntry) -> None:
        line = _line_for(entry)
        if self._ends_mid_line:  # else the new line would be glued to a torn one and lost
            line = "\n" + line
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(descriptor, "ab") as stream:
                stream.write(line.encode("ascii"))
        except OSError as exc:
            self._ends_mid_line = True  # a failed write may have left part of the line
            self._warn(f"History is not saved: cannot write {self.path} ({_why(exc)}).")
            return
        self._ends_mid_line = False
        self._file_lines += line.count("\n")
        if self._file_lines >= 2 * self.limit:
            self._compact()

    def _compact(self) -> None:
        """Rewrites the file from itself, not from memory, to keep other instances' messages."""
        try:
            entries = _newest_unique(_entries_in(self.path.read_bytes()), self.limit)
            write_atomically(self.path, "".join(map(_line_for, entries)))
        except OSError as exc:
            self._warn(f"History could not be tidied: {self.path} ({_why(exc)}).")
            return
        self._file_lines = len(entries)


def _line_for(entry: HistoryEntry) -> str:
    """ASCII-only JSON: any str, lone surrogates included, survives the round trip."""
    record: dict[str, str] = {"text": entry.text, "syntax": entry.syntax.value}
    if entry.encoding is not None:
        record["encoding"] = entry.encoding
    return json.dumps(record) + "\n"


def _entries_in(raw: bytes) -> Iterator[HistoryEntry]:
    for line in raw.split(b"\n"):
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(record, dict) and isinstance(text := record.get("text"), str) and text:
            yield _entry_from(text, record)


_SYNTAX_NAMES = frozenset(syntax.value for syntax in Syntax)


def _entry_from(text: str, record: dict[object, object]) -> HistoryEntry:
    """Fields missing (an older file) or not understood (a hand edit) fall back to text syntax
    and the composer's encoding: the text itself is never lost over them."""
    syntax = record.get("syntax")
    encoding = record.get("encoding")
    return HistoryEntry(
        text,
        Syntax(syntax) if isinstance(syntax, str) and syntax in _SYNTAX_NAMES else Syntax.TEXT,
        encoding if isinstance(encoding, str) and encoding else None,
    )


def _newest_unique(entries: Iterable[HistoryEntry], limit: int) -> list[HistoryEntry]:
    """The last `limit` distinct entries, oldest first, each where it was last sent."""
    newest_first = dict.fromkeys(reversed(list(entries)))
    return list(islice(newest_first, limit))[::-1]


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)
