"""Framing: messages cut from a direction's stream, the same whatever the reads were."""

from __future__ import annotations

import random
import re
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcptui.codec.errors import CodecError
from tcptui.codec.framing import (
    Grouping,
    GroupingKind,
    LengthPrefix,
    parse_grouping,
    split_messages,
)


def ends_fed_in(data: bytes, grouping: Grouping, cuts: list[int]) -> list[int]:
    """The message ends when `data` is fed in the pieces that `cuts` mark."""
    framer = grouping.new_framer()
    ends: list[int] = []
    bounds = [0, *sorted(set(cuts)), len(data)]
    for start, stop in zip(bounds, bounds[1:], strict=False):
        ends += framer.feed(data[start:stop])
    assert framer.position == len(data)
    return ends


@pytest.mark.parametrize(
    ("text", "grouping"),
    [
        ("chunk", Grouping(GroupingKind.CHUNK)),
        ("stream", Grouping(GroupingKind.STREAM)),
        ("line", Grouping(GroupingKind.LINE)),
        ("delimiter:00", Grouping(GroupingKind.DELIMITER, delimiter=b"\0")),
        ("delimiter:0d0a0d0a", Grouping(GroupingKind.DELIMITER, delimiter=b"\r\n\r\n")),
        ("fixed:188", Grouping(GroupingKind.FIXED, record_size=188)),
        ("length:u8", Grouping(GroupingKind.LENGTH, prefix=LengthPrefix(1, True))),
        ("length:u16be", Grouping(GroupingKind.LENGTH, prefix=LengthPrefix(2, True))),
        ("length:u32le+4", Grouping(GroupingKind.LENGTH, prefix=LengthPrefix(4, False, 4))),
        (
            "length:u32be+1,inclusive",
            Grouping(GroupingKind.LENGTH, prefix=LengthPrefix(4, True, 1, True)),
        ),
        ("length:u64le", Grouping(GroupingKind.LENGTH, prefix=LengthPrefix(8, False))),
    ],
)
def test_groupings_parse_and_read_back_as_written(text: str, grouping: Grouping) -> None:
    assert parse_grouping(text) == grouping
    assert str(grouping) == text


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("words", "unknown grouping 'words'"),
        ("line:0a", "takes no"),
        ("delimiter:zz", "not hex bytes"),
        ("delimiter:", "1 to 64 bytes"),
        ("fixed:0", "record size from 1"),
        ("fixed:-3", "record size from 1"),
        ("length:u16", "needs a byte order"),
        ("length:u24be", "not a length prefix"),
        ("length:u16be+99999999", "header bytes"),
    ],
)
def test_a_bad_grouping_is_one_sentence(text: str, says: str) -> None:
    with pytest.raises(CodecError, match=says):
        parse_grouping(text)


def test_lines_end_after_lf_crlf_and_a_lone_cr() -> None:
    data = b"one\r\ntwo\nthree\rfour"
    assert split_messages(data, parse_grouping("line")) == [
        b"one\r\n",
        b"two\n",
        b"three\r",
        b"four",
    ]


def test_three_lines_sent_a_byte_at_a_time_are_three_whole_lines() -> None:
    data = b"HELO x\r\nMAIL FROM:<a@b>\r\nQUIT\r\n"
    ends = ends_fed_in(data, parse_grouping("line"), list(range(1, len(data))))
    assert ends == [8, 25, 31]


def test_a_cr_at_the_end_of_a_read_waits_for_the_next_byte() -> None:
    framer = parse_grouping("line").new_framer()
    assert framer.feed(b"a\r") == []
    assert framer.feed(b"\nb\r") == [3]
    assert framer.feed(b"c") == [5]
    assert framer.message_start == 5


def test_delimiters_split_after_each_occurrence_even_across_reads() -> None:
    grouping = parse_grouping("delimiter:0d0a0d0a")
    data = b"GET / HTTP/1.0\r\n\r\nHTTP/1.0 200 OK\r\nA: b\r\n\r\nbody"
    assert split_messages(data, grouping) == [
        b"GET / HTTP/1.0\r\n\r\n",
        b"HTTP/1.0 200 OK\r\nA: b\r\n\r\n",
        b"body",
    ]
    assert ends_fed_in(data, grouping, [15, 16, 17, 40]) == [18, 43]


def test_delimiter_occurrences_do_not_overlap() -> None:
    assert split_messages(b"aaaaa", parse_grouping("delimiter:6161")) == [b"aa", b"aa", b"a"]


def test_length_prefixed_frames_and_an_incomplete_last_one() -> None:
    grouping = parse_grouping("length:u16be")
    data = b"\x00\x03abc\x00\x00\x00\x05hel"
    framer = grouping.new_framer()
    assert framer.feed(data) == [5, 7]
    assert framer.message_start == 7
    assert framer.expected_end == 14  # shown as incomplete until the rest arrives
    assert framer.feed(b"lo") == [14]
    assert framer.expected_end is None


def test_postgres_messages_with_a_type_byte_and_an_inclusive_length() -> None:
    grouping = parse_grouping("length:u32be+1,inclusive")
    ready = b"Z" + struct.pack(">I", 5) + b"I"
    row = b"D" + struct.pack(">I", 4 + 6) + b"\x00\x01ab\x00\x00"
    assert split_messages(ready + row, grouping) == [ready, row]


def test_a_hostile_length_never_stalls_or_goes_backwards() -> None:
    inclusive_zero = parse_grouping("length:u32be,inclusive")
    assert split_messages(b"\0\0\0\0\0\0\0\0", inclusive_zero) == [b"\0\0\0\0", b"\0\0\0\0"]
    huge = parse_grouping("length:u64le").new_framer()
    assert huge.feed(b"\xff" * 8 + b"x" * 100) == []
    assert huge.expected_end == 8 + (1 << 64) - 1


def test_fixed_records() -> None:
    assert split_messages(b"abcdefg", parse_grouping("fixed:3")) == [b"abc", b"def", b"g"]


def test_chunk_and_stream_follow_reads_not_bytes() -> None:
    assert not parse_grouping("chunk").frames_bytes
    assert parse_grouping("fixed:2").frames_bytes
    with pytest.raises(ValueError, match="no framer"):
        parse_grouping("stream").new_framer()


GROUPINGS = [
    "line",
    "delimiter:00",
    "delimiter:0d0a",
    "delimiter:616161",
    "fixed:1",
    "fixed:7",
    "length:u8",
    "length:u16le",
    "length:u16be+3",
    "length:u32be+1,inclusive",
]
SMALL_BYTES = st.binary(max_size=300).map(
    lambda data: bytes(b % 4 if b < 128 else (b"\r\n\0a"[b % 4]) for b in data)
)


@settings(max_examples=200, deadline=None)
@given(
    data=SMALL_BYTES,
    cuts=st.lists(st.integers(0, 300), max_size=40),
    which=st.sampled_from(GROUPINGS),
)
def test_any_split_of_the_same_bytes_gives_the_same_messages(
    data: bytes, cuts: list[int], which: str
) -> None:
    grouping = parse_grouping(which)
    whole = grouping.new_framer().feed(data)
    assert ends_fed_in(data, grouping, [cut for cut in cuts if cut <= len(data)]) == whole


@settings(max_examples=200, deadline=None)
@given(data=SMALL_BYTES, which=st.sampled_from(GROUPINGS))
def test_messages_are_the_bytes_in_order_and_each_is_whole(data: bytes, which: str) -> None:
    grouping = parse_grouping(which)
    messages = split_messages(data, grouping)
    assert b"".join(messages) == data
    assert all(messages)
    if grouping.kind is GroupingKind.DELIMITER:
        assert all(message.endswith(grouping.delimiter) for message in messages[:-1])
    if grouping.kind is GroupingKind.LINE:
        assert all(message[-1:] in (b"\n", b"\r") for message in messages[:-1])
        assert all(b"\n" not in message[:-1] for message in messages)


@given(lengths=st.lists(st.binary(max_size=40), max_size=20))
def test_length_frames_round_trip_through_struct(lengths: list[bytes]) -> None:
    data = b"".join(struct.pack("<H", len(body)) + body for body in lengths)
    assert split_messages(data, parse_grouping("length:u16le")) == [
        struct.pack("<H", len(body)) + body for body in lengths
    ]


@settings(max_examples=300, deadline=None)
@given(
    data=st.lists(st.sampled_from([b"\r", b"\n", b"\r\n", b"x", b"yz"]), max_size=60).map(b"".join),
    cuts=st.lists(st.integers(0, 120), max_size=6),
)
def test_line_ends_match_a_byte_by_byte_reading_of_lf_crlf_and_cr(
    data: bytes, cuts: list[int]
) -> None:
    expected = []
    for at, byte in enumerate(data):
        if byte == 0x0A or (byte == 0x0D and data[at + 1 : at + 2] != b"\n" and at + 1 < len(data)):
            expected.append(at + 1)
    assert ends_fed_in(data, parse_grouping("line"), [c for c in cuts if c <= len(data)]) == (
        expected
    )


@pytest.mark.parametrize("seed", range(4))
def test_line_ends_in_binary_with_scattered_crs_and_crlfs_match_the_regex_reading(
    seed: int,
) -> None:
    data = random.Random(seed).randbytes(1 << 18)
    assert data.count(b"\r") > 16 * data.count(b"\r\n") > 0
    expected = [match.end() for match in re.finditer(rb"\r\n|\r|\n", data)]
    if data.endswith(b"\r"):
        expected.pop()
    assert ends_fed_in(data, parse_grouping("line"), [1000, 77_777]) == expected
