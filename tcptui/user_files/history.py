"""The composer's sent messages, kept across runs so yesterday's session can be replayed today.

The file (`history.jsonl` in the data folder) holds one JSON object per line, oldest first:
`{"text": "GET / HTTP/1.0\\r\\n", "syntax": "text", "encoding": "utf-8"}`, where `text` is
exactly what was typed in the composer and `syntax` and `encoding` how it was read, so Up brings a
hex message back as hex. Readers ignore keys they do not know, and lines holding other JSON; a
line from before `syntax` and `encoding` existed is text syntax in the composer's encoding.
While tcptui runs it only appends, one write per message, so a crash costs at most that line and
two instances can share the file; when the file reaches twice the cap in lines it is rewritten
atomically, de-duplicated and capped.

Only the end of the file is read, as much as the cap can use: a history of a million lines
(100 MB) costs startup what one of a thousand does. A file holding lines that are not JSON at
all (random bytes, another program's data) is damaged: it is kept aside as
`history.jsonl.corrupt-<time>`, the messages readable in it carried over to a fresh file, and
the user told once, so tcptui never cuts down a file it does not understand.

Messages can hold passwords, so the file is created readable by its owner only. A file that
cannot be read or written is not worth a crash: the store keeps working in memory and records
one warning for the UI to show.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from tcptui.codec.composer_syntax import Syntax
from tcptui.user_files.paths import describe_file_type, keep_aside, write_atomically

DEFAULT_LIMIT = 1000
TAIL_BLOCK = 1 << 16
"""Bytes read at a time, backwards from the end of the file."""
MAX_TAIL = 32 << 20
"""The most of the file's end that is read, however long its lines are."""


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
            tail = _read_tail(self.path, self.limit)
        except FileNotFoundError:
            return
        except OSError as exc:
            # Never append to (or compact over) a file whose contents we could not see.
            self._persistent = False
            self._warn(f"History is not loaded or saved: cannot read {self.path} ({_why(exc)}).")
            return
        self._entries = _newest_unique(tail.entries, self.limit)
        self._position = len(self._entries)
        self._file_lines = tail.line_count
        self._ends_mid_line = tail.ends_mid_line
        if tail.damaged:
            self._start_afresh()

    def _start_afresh(self) -> None:
        """Keep a damaged file aside and begin a new one with the messages read from it."""
        try:
            kept = keep_aside(self.path)
        except OSError as exc:
            self._persistent = False
            self._warn(
                f"History is not saved: {self.path} is damaged and could not be kept aside "
                f"({_why(exc)})."
            )
            return
        self._file_lines, self._ends_mid_line = 0, False
        if self._entries:
            try:
                write_atomically(self.path, "".join(map(_line_for, self._entries)))
            except OSError as exc:
                self._warn(f"History is not saved: cannot write {self.path} ({_why(exc)}).")
                self._persistent = False
                return
            self._file_lines = len(self._entries)
        self._warn(
            f"The history file was damaged: it is kept as {kept.name}, and the "
            f"{len(self._entries)} messages readable in it start a new one."
        )

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
            tail = _read_tail(self.path, self.limit)
            if tail.damaged:
                self._warn(f"History was not tidied: {self.path} holds lines that are not JSON.")
                return
            entries = _newest_unique(tail.entries, self.limit)
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


class _Tail:
    """What the complete lines at the end of a history file hold, oldest first."""

    def __init__(self, lines: list[bytes], line_count: int, ends_mid_line: bool) -> None:
        self.entries: list[HistoryEntry] = []
        self.damaged = False
        """Some line is not JSON at all (other JSON is another program's record, ignored)."""
        for line in lines:
            try:
                record = json.loads(line)
            except (ValueError, RecursionError):
                self.damaged = self.damaged or bool(line.strip())
                continue
            if isinstance(record, dict) and isinstance(text := record.get("text"), str) and text:
                self.entries.append(_entry_from(text, record))
        self.line_count = line_count
        """Lines in the whole file, or at least this many when only its end was read."""
        self.ends_mid_line = ends_mid_line


def _read_tail(path: Path, limit: int) -> _Tail:
    """The last lines of the file: enough for `limit` entries after a compaction's worth of
    duplicates (twice the limit, and two more), but never more than MAX_TAIL bytes.

    The file is opened non-blocking and must be a regular file: a FIFO would hang startup.
    A torn last line (a crash in mid-write) is left out and is not damage.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"it is {describe_file_type(info.st_mode)}")
        wanted = 2 * limit + 2
        blocks: list[bytes] = []
        newlines = 0
        start = info.st_size
        while start > 0 and newlines <= wanted and info.st_size - start < MAX_TAIL:
            size = min(TAIL_BLOCK, start)
            start -= size
            block = os.pread(descriptor, size, start)
            blocks.append(block)
            newlines += block.count(b"\n")
    finally:
        os.close(descriptor)
    raw = b"".join(reversed(blocks))
    lines = raw.split(b"\n")
    torn = lines.pop()  # after the last newline: empty, or a line cut short
    if start > 0:
        lines = lines[1:]  # the first piece may begin mid-line
        lines = lines[-wanted:]
        line_count = max(len(lines), 2 * limit)
    else:
        line_count = len(lines)
    return _Tail(lines, line_count, bool(torn))


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
