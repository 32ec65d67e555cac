"""Responder rules and sequence steps, checked from their TOML tables before anything runs.

The files are written by hand, so they are read as strictly as the settings: an unknown key,
two patterns in one rule, or a pattern that does not compile is a RuleError naming the rule
or step (by number, and by its `name` if it has one), one sentence, before any byte moves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

from tcptui.codec.byte_patterns import BytePattern, PatternKind, parse_pattern
from tcptui.codec.composer_syntax import Syntax, parse_composer
from tcptui.codec.errors import CodecError
from tcptui.codec.reply_template import ReplyTemplate, parse_reply

MAX_DELAY_MS = 3_600_000
MAX_TIMEOUT = 3600.0
DEFAULT_TIMEOUT = 5.0
_MATCH_KEYS = {"match": PatternKind.TEXT, "hex": PatternKind.HEX, "regex": PatternKind.REGEX}
_REPLY_KEYS = {"reply": Syntax.TEXT, "reply_hex": Syntax.HEX, "reply_mixed": Syntax.MIXED}
_RESPONDER_KEYS = ("name", *_MATCH_KEYS, *_REPLY_KEYS, "delay_ms", "once", "close")
_SEND_KEYS = {"send": Syntax.TEXT, "send_hex": Syntax.HEX, "send_mixed": Syntax.MIXED}
_EXPECT_KEYS = {
    "expect": PatternKind.TEXT,
    "expect_hex": PatternKind.HEX,
    "expect_regex": PatternKind.REGEX,
}
_ACTION_KEYS = (*_SEND_KEYS, *_EXPECT_KEYS, "wait", "starttls", "half_close")
_STEP_KEYS = ("name", *_ACTION_KEYS, "timeout")


class RuleError(ValueError):
    """A rule or step that cannot be used; `str()` is one sentence naming it."""


@dataclass(frozen=True)
class ResponderRule:
    """When `pattern` turns up in the received stream, send `reply` (after `delay_ms`)."""

    name: str
    pattern: BytePattern
    reply: ReplyTemplate
    delay_ms: int = 0
    once: bool = False
    close: bool = False
    """Close the connection once this reply has gone out (an HTTP/1.0 response's end)."""


@dataclass(frozen=True)
class SendStep:
    data: bytes


@dataclass(frozen=True)
class ExpectStep:
    pattern: BytePattern
    timeout: float = DEFAULT_TIMEOUT


@dataclass(frozen=True)
class WaitStep:
    ms: int


@dataclass(frozen=True)
class StartTlsStep:
    pass


@dataclass(frozen=True)
class HalfCloseStep:
    pass


Action: TypeAlias = SendStep | ExpectStep | WaitStep | StartTlsStep | HalfCloseStep


@dataclass(frozen=True)
class Step:
    """One step of a sequence; `label` names it in progress and failure sentences."""

    label: str
    action: Action


def parse_responders(
    document: Mapping[str, object], encoding: str = "utf-8"
) -> list[ResponderRule]:
    """The rules of a responders file (`[[responder]]` tables), in order."""
    tables = _array_of_tables(document, "responder")
    return [_responder(number, table, encoding) for number, table in enumerate(tables, 1)]


def parse_sequence(document: Mapping[str, object], encoding: str = "utf-8") -> list[Step]:
    """The steps of a sequence file (`[[step]]` tables), in order."""
    tables = _array_of_tables(document, "step")
    return [_step(number, table, encoding) for number, table in enumerate(tables, 1)]


def responder_label(number: int, table: Mapping[str, object]) -> str:
    name = table.get("name")
    return f"responder {number} ({name!r})" if isinstance(name, str) else f"responder {number}"


def _array_of_tables(document: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    unknown = [name for name in document if name != key]
    if unknown:
        raise RuleError(f"unknown key {unknown[0]!r}: the file holds only [[{key}]] tables")
    tables = document.get(key)
    if tables is None:
        raise RuleError(f"the file has no [[{key}]] table")
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise RuleError(f"{key} must be written as [[{key}]] tables")
    return tables


def _responder(number: int, table: Mapping[str, object], encoding: str) -> ResponderRule:
    label = responder_label(number, table)
    _refuse_unknown(label, table, _RESPONDER_KEYS)
    match_key = _exactly_one(label, table, tuple(_MATCH_KEYS), "a pattern")
    reply_key = _exactly_one(label, table, tuple(_REPLY_KEYS), "a reply")
    pattern = _pattern(label, match_key, table[match_key], _MATCH_KEYS[match_key], encoding)
    try:
        reply = parse_reply(_string(label, reply_key, table[reply_key]), _REPLY_KEYS[reply_key])
    except CodecError as exc:
        raise RuleError(f"{label}: {reply_key}: {exc.message}") from None
    if reply.highest_group > pattern.groups:
        raise RuleError(
            f"{label}: the reply uses {{{reply.highest_group}}} but the pattern has "
            f"{pattern.groups} group(s)"
        )
    delay = table.get("delay_ms", 0)
    if not (isinstance(delay, int) and not isinstance(delay, bool) and 0 <= delay <= MAX_DELAY_MS):
        raise RuleError(f"{label}: delay_ms must be a whole number from 0 to {MAX_DELAY_MS}")
    once, close = (_flag(label, key, table.get(key, False)) for key in ("once", "close"))
    name = table.get("name", f"rule {number}")
    return ResponderRule(_string(label, "name", name), pattern, reply, delay, once, close)


def _step(number: int, table: Mapping[str, object], encoding: str) -> Step:
    name = table.get("name")
    base = f"step {number}" + (f" ({name!r})" if isinstance(name, str) else "")
    _refuse_unknown(base, table, _STEP_KEYS)
    key = _exactly_one(base, table, _ACTION_KEYS, "an action")
    value = table[key]
    if "timeout" in table and key not in _EXPECT_KEYS:
        raise RuleError(f"{base}: timeout belongs to an expect step")
    label = f"{base}: {key} {_short(value)}" if isinstance(value, str) else f"{base}: {key}"
    return Step(label, _action(base, key, value, table, encoding))


def _action(
    base: str, key: str, value: object, table: Mapping[str, object], encoding: str
) -> Action:
    if key in _SEND_KEYS:
        try:
            data = parse_composer(_string(base, key, value), _SEND_KEYS[key], encoding)
        except CodecError as exc:
            raise RuleError(f"{base}: {key}: {exc.message}") from None
        if not data:
            raise RuleError(f"{base}: {key} is empty")
        return SendStep(data)
    if key in _EXPECT_KEYS:
        pattern = _pattern(base, key, value, _EXPECT_KEYS[key], encoding)
        return ExpectStep(pattern, _timeout(base, table.get("timeout", DEFAULT_TIMEOUT)))
    if key == "wait":
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_DELAY_MS:
            return WaitStep(value)
        raise RuleError(f"{base}: wait must be a whole number of ms from 0 to {MAX_DELAY_MS}")
    if value is not True:
        raise RuleError(f"{base}: write {key} = true")
    return StartTlsStep() if key == "starttls" else HalfCloseStep()


def _pattern(label: str, key: str, value: object, kind: PatternKind, encoding: str) -> BytePattern:
    try:
        return parse_pattern(kind, _string(label, key, value), encoding)
    except CodecError as exc:
        raise RuleError(f"{label}: {key}: {exc.message}") from None


def _timeout(label: str, value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
        if math.isfinite(seconds) and 0 < seconds <= MAX_TIMEOUT:
            return seconds
    raise RuleError(f"{label}: timeout must be seconds above 0 and at most {MAX_TIMEOUT:g}")


def _refuse_unknown(label: str, table: Mapping[str, object], known: tuple[str, ...]) -> None:
    for key in table:
        if key not in known:
            raise RuleError(f"{label}: unknown key {key!r} (known: {', '.join(known)})")


def _exactly_one(label: str, table: Mapping[str, object], keys: tuple[str, ...], what: str) -> str:
    present = [key for key in keys if key in table]
    if len(present) != 1:
        given = " and ".join(present) if present else "none"
        raise RuleError(f"{label} needs exactly one of {', '.join(keys)} as {what} ({given})")
    return present[0]


def _flag(label: str, key: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise RuleError(f"{label}: {key} must be true or false")


def _string(label: str, key: str, value: object) -> str:
    if isinstance(value, str):
        return value
    raise RuleError(f"{label}: {key} must be a string")


def _short(text: str, limit: int = 40) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
