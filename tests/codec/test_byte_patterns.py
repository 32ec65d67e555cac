"""Byte patterns and reply templates: parsing, mistakes in one sentence, matching in a stream."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tcptui.codec.automation_rules import RuleError, parse_responders
from tcptui.codec.byte_patterns import REGEX_WINDOW, PatternKind, StreamMatcher, parse_pattern
from tcptui.codec.composer_syntax import Syntax
from tcptui.codec.errors import CodecError
from tcptui.codec.reply_template import FireFacts, parse_reply
from tcptui.user_files.automation_files import (
    MAX_FILE_BYTES,
    AutomationFileError,
    load_responders,
    load_sequence,
)


def fed(kind: PatternKind, source: str, pieces: list[bytes]) -> list[bytes]:
    matcher = StreamMatcher(parse_pattern(kind, source))
    return [match.group() for piece in pieces for match in matcher.feed(piece)]


def test_a_literal_is_found_across_one_byte_reads_once() -> None:
    assert fed(PatternKind.TEXT, "PING\\r\\n", [bytes([b]) for b in b"xPING\r\nPING\r\n"]) == [
        b"PING\r\n",
        b"PING\r\n",
    ]


def test_the_kept_tail_is_bounded_by_the_pattern_length() -> None:
    matcher = StreamMatcher(parse_pattern(PatternKind.TEXT, "ABCD"))
    matcher.feed(os.urandom(1 << 20).replace(b"A", b"B"))
    assert len(matcher._tail) <= 3  # noqa: SLF001 - the bound is the point of this test


def test_hex_wildcards_match_any_byte_and_span_reads() -> None:
    assert fed(PatternKind.HEX, "de ad ?? ef", [b"\x00\xde", b"\xad", b"\x99\xef\xde\xad\x00"]) == [
        b"\xde\xad\x99\xef"
    ]
    assert fed(PatternKind.HEX, "dead??ef", [b"\xde\xad\x01\xef"]) == [b"\xde\xad\x01\xef"]


def test_a_regex_spans_reads_within_its_window() -> None:
    assert fed(PatternKind.REGEX, r"^GET (\S+) ", [b"GET /a", b"bc HTTP\r\n"]) == [b"GET /abc "]
    assert parse_pattern(PatternKind.REGEX, "x").longest == REGEX_WINDOW


@pytest.mark.parametrize(
    ("kind", "source", "sentence"),
    [
        (PatternKind.HEX, "de ad ?", "'?' is neither two hex digits nor the wildcard ??"),
        (PatternKind.HEX, "?? ??", "the hex pattern is only wildcards: give at least one byte"),
        (PatternKind.TEXT, "", "the pattern is empty"),
        (
            PatternKind.REGEX,
            "a*",
            "the regex matches nothing at all (empty), so it would fire on every read",
        ),
        (PatternKind.TEXT, "\\q", "unknown escape \\q (column 1)"),
    ],
)
def test_bad_patterns_are_one_sentence(kind: PatternKind, source: str, sentence: str) -> None:
    with pytest.raises(CodecError) as caught:
        parse_pattern(kind, source)
    assert caught.value.message == sentence


def test_reply_placeholders_are_filled_when_the_rule_fires() -> None:
    template = parse_reply("#{counter} {1} at {time} {random:3}{0}\\r\\n", Syntax.TEXT)
    facts = FireFacts(
        7,
        (b"GET /x", b"/x"),
        now=lambda: datetime(2026, 12, 5, 10, 30, 14, tzinfo=UTC),
        random_bytes=lambda count: b"R" * count,
    )
    assert template.render(facts) == b"#7 /x at 2026-12-05T10:30:14Z RRRGET /x\r\n"
    assert template.highest_group == 1


def test_reply_syntaxes_keep_their_meaning_around_placeholders() -> None:
    assert parse_reply("ca {counter} fe", Syntax.HEX).render(FireFacts(2)) == b"\xca2\xfe"
    assert parse_reply("a{0d 0a}{counter}", Syntax.MIXED).render(FireFacts(3)) == b"a\r\n3"
    with pytest.raises(CodecError):
        parse_reply("{random:0}", Syntax.TEXT)


def test_rules_files_are_checked_like_the_settings(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(AutomationFileError, match="no such file"):
        load_responders(missing)
    with pytest.raises(AutomationFileError, match="is not a regular file"):
        load_sequence(tmp_path)
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(AutomationFileError, match="at most"):
        load_responders(big)
    broken = tmp_path / "broken.toml"
    broken.write_text("[[step]]\nsend = \n")
    with pytest.raises(AutomationFileError, match="line 2"):
        load_sequence(broken)
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'[[step]]\nsend = "\xe9"\n')
    with pytest.raises(AutomationFileError, match="line 2: not UTF-8 text"):
        load_sequence(latin)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('[[step]]\nsend = "x"\nrepeat = 3\n')
    with pytest.raises(AutomationFileError) as caught:
        load_sequence(unknown)
    assert str(caught.value).endswith(
        "step 1: unknown key 'repeat' (known: name, send, send_hex, send_mixed, expect, "
        "expect_hex, expect_regex, wait, starttls, half_close, timeout)"
    )


@pytest.mark.parametrize(
    ("table", "sentence"),
    [
        (
            {"match": "x", "reply": "{random:100000}"},
            "responder 1: reply: {random:100000} must ask for 1 to 4096 bytes",
        ),
        (
            {"name": "g", "regex": "(a)", "reply": "{123}"},
            "responder 1 ('g'): the reply uses {123} but the pattern has 1 group(s)",
        ),
        (
            {"match": "x", "reply": "n={countr}"},
            "responder 1: reply: {countr} is not a placeholder: use {counter}, {time}, "
            "{random:N} or {N}",
        ),
        (
            {"match": "x", "reply_mixed": "{random}{0a}"},
            "responder 1: reply_mixed: {random} is not a placeholder: use {counter}, {time}, "
            "{random:N} or {N}",
        ),
        (
            {"match": "x", "reply": "{time:%H}"},
            "responder 1: reply: {time:%H} is not a placeholder: use {counter}, {time}, "
            "{random:N} or {N}",
        ),
    ],
)
def test_a_placeholder_that_would_go_out_as_literal_text_is_refused_naming_the_rule(
    table: dict[str, object], sentence: str
) -> None:
    with pytest.raises(RuleError) as caught:
        parse_responders({"responder": [table]})
    assert str(caught.value) == sentence


def test_braces_that_are_no_placeholder_keep_their_meaning() -> None:
    assert parse_reply("{cafe}{counter}", Syntax.MIXED).render(FireFacts(1)) == b"\xca\xfe1"
    assert parse_reply('\\u{41}{"a": 1}', Syntax.TEXT).render(FireFacts(1)) == b'A{"a": 1}'
