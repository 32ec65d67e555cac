"""Searching a capture: every match found once, across chunk and block edges, at any size."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tcptui.capture import search
from tcptui.capture.message_index import MessageIndex
from tcptui.capture.search import SearchMode, compile_pattern, message_of_hit, search_capture
from tcptui.capture.store import Capture, Direction
from tcptui.codec.errors import CodecError
from tcptui.codec.framing import parse_grouping


def capture_of(chunks: list[bytes]) -> Capture:
    capture = Capture(spool_threshold=64)
    for chunk in chunks:
        capture.append(Direction.RECEIVED, chunk)
    return capture


def all_matches(
    capture: Capture, text: str, mode: SearchMode, block_size: int = search.BLOCK
) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    search_capture(
        capture,
        compile_pattern(text, mode),
        lambda a, b: found.append((a, b)),
        block_size=block_size,
    )
    return found


def expected_literal(data: bytes, needle: bytes) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(re.escape(needle), data)]


@given(
    chunks=st.lists(st.binary(min_size=1, max_size=40), min_size=1, max_size=12),
    needle=st.binary(min_size=1, max_size=4),
    block=st.integers(min_value=1, max_value=33),
)
def test_literal_search_matches_a_plain_scan_whatever_the_block_size(
    chunks: list[bytes], needle: bytes, block: int
) -> None:
    capture = capture_of(chunks)
    try:
        assert all_matches(capture, needle.hex(" "), SearchMode.HEX, block) == expected_literal(
            b"".join(chunks), needle
        )
    finally:
        capture.close()


def test_text_search_finds_matches_that_straddle_chunks() -> None:
    capture = capture_of([b"xxHTT", b"P/1.1 200\r\nHT", b"TP"])
    assert all_matches(capture, "HTTP", SearchMode.TEXT) == [(2, 6), (16, 20)]


def test_hex_wildcards_match_any_byte() -> None:
    capture = capture_of([b"\xde\xad\x00\xef", b"\xde\xad\xff\xef\xde\xad\xef"])
    assert all_matches(capture, "de ad ?? ef", SearchMode.HEX) == [(0, 4), (4, 8)]


def test_regex_search_reports_spans() -> None:
    capture = capture_of([b"HTTP/1.0 404 x", b"x HTTP/1.1 200 ok"])
    found = all_matches(capture, r"HTTP/1\.\d \d{3}", SearchMode.REGEX, block_size=8)
    assert found == [(0, 12), (16, 28)]


def test_search_stops_at_the_limit_and_when_asked() -> None:
    capture = capture_of([b"a" * 1000])
    found: list[tuple[int, int]] = []
    pattern = compile_pattern("a", SearchMode.TEXT)
    assert search_capture(capture, pattern, lambda a, b: found.append((a, b)), limit=10) == 10
    assert search_capture(capture, pattern, lambda a, b: None, should_stop=lambda: True) == 0


@pytest.mark.parametrize(
    ("text", "mode", "column"),
    [
        ("de ax", SearchMode.HEX, 4),
        ("de a", SearchMode.HEX, 4),
        ("(", SearchMode.REGEX, 1),
        ("", SearchMode.TEXT, None),
    ],
)
def test_bad_patterns_are_explained(text: str, mode: SearchMode, column: int | None) -> None:
    with pytest.raises(CodecError) as caught:
        compile_pattern(text, mode)
    assert caught.value.column == column
    assert str(caught.value)


def test_text_that_the_encoding_cannot_hold_is_explained() -> None:
    with pytest.raises(CodecError, match="cannot be encoded in ascii"):
        compile_pattern("café", SearchMode.TEXT, "ascii")


def test_a_hit_names_its_message_under_the_grouping() -> None:
    capture = Capture()
    capture.append(Direction.SENT, b"LIST\r\n")
    for part in (b"one\r\ntw", b"o\r\nthree\r\n"):
        capture.append(Direction.RECEIVED, part)
    index = MessageIndex(capture, parse_grouping("line"))
    hits: list[int] = []
    search_capture(capture, compile_pattern("two", SearchMode.TEXT), lambda s, e: hits.append(s))
    assert message_of_hit(index, hits[0]) is None  # the index has not reached it yet
    index.update()
    place = message_of_hit(index, hits[0])
    assert place is not None
    assert place.sentence() == "message 3 of 4"
    assert (place.block.direction, place.block.reads) == (Direction.RECEIVED, 2)


def test_a_hit_count_still_growing_says_so_and_outside_hits_have_no_message() -> None:
    capture = Capture()
    capture.append(Direction.RECEIVED, b"a\nb\n")
    index = MessageIndex(capture, parse_grouping("line"))
    index.update()
    capture.append(Direction.RECEIVED, b"c\n")
    place = message_of_hit(index, 2)
    assert place is not None and place.sentence() == "message 2 of 2 so far"
    assert message_of_hit(index, -1) is None
    assert message_of_hit(index, 4) is None


def test_under_the_chunk_grouping_a_hit_names_its_read() -> None:
    capture = Capture()
    for part in (b"ab", b"cd", b"ef"):
        capture.append(Direction.RECEIVED, part)
    index = MessageIndex(capture, parse_grouping("chunk"))
    index.update()
    place = message_of_hit(index, 3)
    assert place is not None and place.sentence() == "chunk 2 of 3"
