"""A responder's reply: composer syntax with a few placeholders filled in when it fires.

`{counter}` is how many times the rule has fired (1, 2, …), `{time}` the UTC time as
`2026-12-05T10:30:14Z`, `{random:N}` N random bytes, and `{N}` the bytes of the match's
regex group N (`{0}` the whole match). The rest is parsed once, when the rule is loaded, with
the composer's syntaxes, so a mistake is found then rather than when the rule first fires. In
mixed syntax a hex block of decimal digits only (`{12}`) means a group: write `{ 12}`.

Anything else in braces that looks like a placeholder (`{countr}`, `{random}`, `{time:%H}`)
is refused when the rule is loaded rather than sent as literal text; so is a number out of
range (`{random:100000}`, and a group the pattern lacks, checked by the rule). Mixed syntax's
hex blocks (`{ca fe}`) and `\\u{…}` code points keep their meaning.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tcptui.codec.composer_syntax import Syntax, parse_composer
from tcptui.codec.errors import CodecError

MAX_RANDOM = 4096
MAX_GROUP_DIGITS = 4
_PLACEHOLDER = re.compile(r"(?<!\\u)\{(?:(counter)|(time)|random:(\d+)|(\d+))\}")
_LOOKALIKE = re.compile(r"(?<!\\u)\{([A-Za-z_][\w-]*(?::[^{}]*)?)\}")
"""Braces holding a word (maybe with `:…`): a misspelt or unknown placeholder."""
_HEX_BLOCK = re.compile(r"[0-9a-fA-F\s]+")
_KNOWN = "{counter}, {time}, {random:N} or {N}"


@dataclass(frozen=True)
class Placeholder:
    """One `{…}` to fill in: `name` is counter, time, random or group, `number` its N."""

    name: str
    number: int = 0


@dataclass(frozen=True)
class FireFacts:
    """What a reply may refer to, gathered when its rule fires."""

    counter: int
    groups: Sequence[bytes | None] = ()
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    random_bytes: Callable[[int], bytes] = os.urandom


@dataclass(frozen=True)
class ReplyTemplate:
    parts: tuple[bytes | Placeholder, ...]

    @property
    def highest_group(self) -> int:
        """The largest group number used, -1 when none is: checked against the pattern."""
        numbers = [p.number for p in self.parts if isinstance(p, Placeholder) and p.name == "group"]
        return max(numbers, default=-1)

    def render(self, facts: FireFacts) -> bytes:
        out = bytearray()
        for part in self.parts:
            if isinstance(part, bytes):
                out += part
            elif part.name == "counter":
                out += str(facts.counter).encode("ascii")
            elif part.name == "time":
                out += facts.now().strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
            elif part.name == "random":
                out += facts.random_bytes(part.number)
            elif part.number < len(facts.groups):
                out += facts.groups[part.number] or b""
        return bytes(out)


def parse_reply(text: str, syntax: Syntax, encoding: str = "utf-8") -> ReplyTemplate:
    """A template from `text`; a CodecError names what is wrong with it."""
    parts: list[bytes | Placeholder] = []
    position = 0
    for found in _PLACEHOLDER.finditer(text):
        parts.append(_literal(text[position : found.start()], syntax, encoding))
        parts.append(_placeholder(found))
        position = found.end()
    parts.append(_literal(text[position:], syntax, encoding))
    kept = tuple(part for part in parts if part != b"")
    if not kept:
        raise CodecError("the reply is empty")
    return ReplyTemplate(kept)


def _literal(text: str, syntax: Syntax, encoding: str) -> bytes:
    for found in _LOOKALIKE.finditer(text):
        if not (syntax is Syntax.MIXED and _HEX_BLOCK.fullmatch(found.group(1))):
            raise CodecError(f"{_shown(found.group())} is not a placeholder: use {_KNOWN}")
    return parse_composer(text, syntax, encoding) if text else b""


def _placeholder(found: re.Match[str]) -> Placeholder:
    counter, time, random, group = found.groups()
    if counter:
        return Placeholder("counter")
    if time:
        return Placeholder("time")
    if random is not None:
        if len(random) > len(str(MAX_RANDOM)) or not 1 <= int(random) <= MAX_RANDOM:
            raise CodecError(f"{_shown(found.group())} must ask for 1 to {MAX_RANDOM} bytes")
        return Placeholder("random", int(random))
    if len(group) > MAX_GROUP_DIGITS:
        raise CodecError(f"{_shown(found.group())} is no group a pattern can have")
    return Placeholder("group", int(group))


def _shown(braced: str, limit: int = 24) -> str:
    return braced if len(braced) <= limit else braced[: limit - 2] + "…}"
