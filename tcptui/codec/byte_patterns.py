"""Byte patterns that responders and sequences look for, and finding them in a stream.

A pattern is written as text with escapes (`PING\\r\\n`), as hex with `??` wildcards
(`de ad ?? ef`), or as a regular expression over bytes (`^GET (\\S+)`). Received bytes arrive
in pieces of any size, so a `StreamMatcher` keeps only a bounded tail of what it has seen: the
last (longest match - 1) bytes for a fixed-length pattern, and a fixed window for a regex. A
match may span reads, and the stream is never scanned twice beyond that tail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from tcptui.codec.errors import CodecError
from tcptui.codec.escapes import parse_escapes

REGEX_WINDOW = 4096
"""The longest a regex match may be: a regex is looked for within this many bytes before new
data, so its cost per read stays bounded however long the connection lasts."""
_HEX_TOKEN = re.compile(r"\?\?|[0-9a-fA-F]{2}")
_HEX_SEPARATORS = re.compile(r"[\s,:]+")
_ANCHORED_LITERAL = re.compile(r"\^[A-Za-z0-9 _:/<>=-]{3}")


class PatternKind(StrEnum):
    TEXT = "text"
    HEX = "hex"
    REGEX = "regex"


@dataclass(frozen=True)
class BytePattern:
    """A compiled pattern. `literal` is set when plain `bytes.find` suffices (the fast path)."""

    kind: PatternKind
    source: str
    regex: re.Pattern[bytes]
    literal: bytes | None
    longest: int
    """The most bytes one match can cover (REGEX_WINDOW for a regex)."""
    finder: re.Pattern[bytes] | None = None
    """For a regex anchored at a line start (`^LOGIN …`): the same without the `^`. Python's
    re skips to a literal prefix fast but tries an anchored pattern at every byte (ten times
    slower), so candidates are found with this and confirmed with `regex`."""

    @property
    def groups(self) -> int:
        return self.regex.groups

    def search(self, data: bytes, start: int = 0) -> re.Match[bytes] | None:
        """The first match in `data` from `start` on (used by `expect` on a whole buffer).

        The bytes before `start` are context only: `^` matches at `start` only after a
        newline, as at a real line start."""
        return self.regex.search(data, start)


def parse_pattern(kind: PatternKind, source: str, encoding: str = "utf-8") -> BytePattern:
    """Compile `source` written as `kind`; a CodecError says what is wrong with it."""
    if kind is PatternKind.TEXT:
        literal = parse_escapes(source, encoding)
        if not literal:
            raise CodecError("the pattern is empty")
        return BytePattern(kind, source, re.compile(re.escape(literal)), literal, len(literal))
    if kind is PatternKind.HEX:
        return _hex_pattern(source)
    return _regex_pattern(source, encoding)


def _hex_pattern(source: str) -> BytePattern:
    parts: list[bytes | None] = []
    for word in _HEX_SEPARATORS.split(source.strip()):
        position = 0
        while position < len(word):
            token = _HEX_TOKEN.match(word, position)
            if token is None:
                shown = word[position : position + 2]
                raise CodecError(f"{shown!r} is neither two hex digits nor the wildcard ??")
            parts.append(None if token.group() == "??" else bytes.fromhex(token.group()))
            position = token.end()
    if not parts:
        raise CodecError("the hex pattern is empty")
    if all(part is None for part in parts):
        raise CodecError("the hex pattern is only wildcards: give at least one byte")
    body = b"".join(b"." if part is None else re.escape(part) for part in parts)
    literal = None if None in parts else b"".join(part for part in parts if part is not None)
    return BytePattern(PatternKind.HEX, source, re.compile(body, re.DOTALL), literal, len(parts))


def _regex_pattern(source: str, encoding: str) -> BytePattern:
    if not source:
        raise CodecError("the regex is empty")
    try:
        raw = source.encode(encoding)
    except UnicodeEncodeError:
        raise CodecError(f"the regex cannot be written in {encoding}") from None
    try:
        regex = re.compile(raw, re.MULTILINE)
    except re.error as exc:
        raise CodecError(f"the regex does not compile: {exc}") from None
    if regex.fullmatch(b"") is not None:
        raise CodecError("the regex matches nothing at all (empty), so it would fire on every read")
    return BytePattern(
        PatternKind.REGEX, source, regex, None, REGEX_WINDOW, _line_start_finder(source, encoding)
    )


def _line_start_finder(source: str, encoding: str) -> re.Pattern[bytes] | None:
    if _ANCHORED_LITERAL.match(source) is None:
        return None
    try:
        return re.compile(source[1:].encode(encoding), re.MULTILINE)
    except re.error:
        return None


class StreamMatcher:
    """Finds a pattern in a stream fed piece by piece, each match once.

    Bytes up to the end of a match are spent: the next match starts after it, as a person
    reading the stream would count them. What is kept between feeds is at most
    `pattern.longest - 1` bytes.
    """

    def __init__(self, pattern: BytePattern) -> None:
        self.pattern = pattern
        self._tail = b""

    def feed(self, data: bytes) -> list[re.Match[bytes]]:
        """Every new match that ends in `data`, in order.

        The seam (kept tail + the start of `data`) is searched for matches that began before
        `data`; then `data` itself, without copying it.
        """
        keep = self.pattern.longest - 1
        matches: list[re.Match[bytes]] = []
        start = 0
        if self._tail:
            tail_length = len(self._tail)
            for match in self._matches(self._tail + data[:keep]):
                if match.start() >= tail_length:
                    break
                if match.end() > tail_length:
                    matches.append(match)
                    start = match.end() - tail_length
        spent = start
        for match in self._matches(data, start):
            matches.append(match)
            spent = match.end()
        if not keep:
            self._tail = b""
        elif spent:
            self._tail = data[max(spent, len(data) - keep) :]
        else:
            self._tail = (self._tail + data[-keep:])[-keep:]
        return matches

    def _matches(self, data: bytes, start: int = 0) -> list[re.Match[bytes]]:
        literal = self.pattern.literal
        if literal is not None and data.find(literal, start) < 0:
            return []
        if self.pattern.finder is not None:
            return self._confirmed(data, start, self.pattern.finder)
        return [
            match
            for match in self.pattern.regex.finditer(data, start)
            if match.end() > match.start()
        ]

    def _confirmed(
        self, data: bytes, start: int, finder: re.Pattern[bytes]
    ) -> list[re.Match[bytes]]:
        """Matches of the anchored regex, tried only where its unanchored finder matches."""
        matches: list[re.Match[bytes]] = []
        position = start
        while (candidate := finder.search(data, position)) is not None:
            match = self.pattern.regex.match(data, candidate.start())
            if match is not None and match.end() > match.start():
                matches.append(match)
                position = match.end()
            else:
                position = candidate.start() + 1
        return matches
