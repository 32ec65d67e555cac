"""The data inspector's readings: known byte patterns, round trips through struct, safe text."""

from __future__ import annotations

import hashlib
import math
import struct
import unicodedata
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tcptui.codec.inspector import (
    DIGEST_LABELS,
    PAST_END,
    WINDOW,
    ascii_text,
    describe_character,
    digest_rows,
    read_varint,
    value_rows,
)

PATTERN = bytes.fromhex("fe dc ba 98 76 54 32 10 01 23 45 67 89 ab cd ef")


def reading(data: bytes, label: str) -> str:
    values = dict(value_rows(data))
    return values[label]


# -- integers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("u8", "254  0xfe"),
        ("i8", "-2  -0x02"),
        ("u16 LE", "56574  0xdcfe"),
        ("u16 BE", "65244  0xfedc"),
        ("i16 LE", "-8962  -0x2302"),
        ("i16 BE", "-292  -0x0124"),
        ("u32 LE", "2562383102  0x98badcfe"),
        ("u32 BE", "4275878552  0xfedcba98"),
        ("i32 LE", "-1732584194  -0x67452302"),
        ("i32 BE", "-19088744  -0x01234568"),
        ("u64 LE", "1167088121787636990  0x1032547698badcfe"),
        ("u64 BE", "18364758544493064720  0xfedcba9876543210"),
        ("i64 LE", "1167088121787636990  0x1032547698badcfe"),
        ("i64 BE", "-81985529216486896  -0x0123456789abcdf0"),
    ],
)
def test_integers_of_every_width_and_endian_in_decimal_and_hex(label: str, expected: str) -> None:
    assert reading(PATTERN, label) == expected


@pytest.mark.parametrize(
    ("size", "labels"),
    [
        (1, ["u8", "i8"]),
        (2, ["u16 LE", "u16 BE", "i16 LE", "i16 BE", "f16 LE", "f16 BE"]),
        (4, ["u32 LE", "i32 BE", "f32 LE", "f32 BE", "IPv4", "time32 LE s"]),
        (6, ["MAC"]),
        (8, ["u64 LE", "u64 BE", "i64 LE", "i64 BE", "f64 LE", "f64 BE", "time64 BE µs"]),
        (16, ["IPv6"]),
    ],
)
def test_a_reading_needing_more_bytes_than_there_are_shows_a_dash(
    size: int, labels: list[str]
) -> None:
    for label in labels:
        assert reading(PATTERN[:size], label) != PAST_END
        assert reading(PATTERN[: size - 1], label) == PAST_END


def test_nothing_at_all_reads_as_dashes_everywhere() -> None:
    assert {value for _, value in value_rows(b"")} == {PAST_END}


INTEGER_FORMATS = [("b", "<", "i8"), ("B", "<", "u8")] + [
    (code, endian, f"{name} {suffix}")
    for code, name in [("h", "i16"), ("H", "u16"), ("i", "i32"), ("I", "u32"), ("q", "i64")]
    + [("Q", "u64")]
    for endian, suffix in (("<", "LE"), (">", "BE"))
]


@pytest.mark.parametrize(("code", "endian", "label"), INTEGER_FORMATS)
@given(data=st.data())
def test_integers_round_trip_through_struct(
    code: str, endian: str, label: str, data: st.DataObject
) -> None:
    size = struct.calcsize(code)
    bits = size * 8
    signed = code.islower()
    low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    value = data.draw(st.integers(low, high))
    decimal, hexadecimal = reading(struct.pack(endian + code, value), label).split("  ")
    assert int(decimal) == value
    assert int(hexadecimal, 16) == value


# -- floats ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "label", "expected"),
    [
        (bytes.fromhex("003c"), "f16 LE", "1"),
        (bytes.fromhex("3c00"), "f16 BE", "1"),
        (bytes.fromhex("00c1"), "f16 LE", "-2.5"),
        (bytes.fromhex("7bff"), "f16 BE", "6.55e+04"),
        (bytes.fromhex("7c00"), "f16 BE", "inf"),
        (bytes.fromhex("3dcccccd"), "f32 BE", "0.1"),
        (bytes.fromhex("cdcccc3d"), "f32 LE", "0.1"),
        (bytes.fromhex("80000000"), "f32 BE", "-0"),
        (bytes.fromhex("ff800000"), "f32 BE", "-inf"),
        (bytes.fromhex("7fc00000"), "f32 BE", "nan"),
        (bytes.fromhex("3fb999999999999a"), "f64 BE", "0.1"),
        (bytes.fromhex("9a9999999999b93f"), "f64 LE", "0.1"),
        (bytes.fromhex("400921fb54442d18"), "f64 BE", "3.141592653589793"),
        (bytes.fromhex("0000000000000001"), "f64 BE", "5e-324"),
    ],
)
def test_floats_read_with_the_fewest_digits_that_give_the_same_bits(
    data: bytes, label: str, expected: str
) -> None:
    assert reading(data, label) == expected


@pytest.mark.parametrize("code", ["e", "f", "d"])
@pytest.mark.parametrize(("endian", "suffix"), [("<", "LE"), (">", "BE")])
@given(raw=st.binary(min_size=8, max_size=8))
def test_floats_round_trip_through_struct(code: str, endian: str, suffix: str, raw: bytes) -> None:
    size = struct.calcsize(code)
    data = raw[:size]
    (value,) = struct.unpack(endian + code, data)
    text = reading(data, f"f{size * 8} {suffix}")
    if math.isnan(value):
        assert text == "nan"
    else:
        assert struct.pack(endian + code, float(text)) == data


# -- varints ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "varint", "zigzag"),
    [
        (b"\x00", "0 (1 byte)", "0 (1 byte)"),
        (b"\x01", "1 (1 byte)", "-1 (1 byte)"),
        (b"\x02", "2 (1 byte)", "1 (1 byte)"),
        (b"\x7f", "127 (1 byte)", "-64 (1 byte)"),
        (b"\xac\x02", "300 (2 bytes)", "150 (2 bytes)"),
        (b"\xff" * 9 + b"\x01", f"{2**64 - 1} (10 bytes)", f"{-(2**63)} (10 bytes)"),
        (b"\xfe" + b"\xff" * 8 + b"\x01", f"{2**64 - 2} (10 bytes)", f"{2**63 - 1} (10 bytes)"),
        (b"\x96\x01rest", "150 (2 bytes)", "75 (2 bytes)"),
        (b"\x80\x80", PAST_END, PAST_END),
    ],
)
def test_varints_and_their_zigzag_form_say_how_many_bytes_they_took(
    data: bytes, varint: str, zigzag: str
) -> None:
    assert reading(data, "varint") == varint
    assert reading(data, "zigzag") == zigzag


def test_a_varint_without_a_last_byte_in_ten_is_refused_with_the_reason() -> None:
    assert reading(b"\x80" * 12, "varint") == "not a varint: no last byte among the first 10"


@given(st.integers(0, 2**64 - 1))
def test_varints_round_trip_through_an_encoder(value: int) -> None:
    encoded = bytearray()
    rest = value
    while True:
        byte, rest = rest & 0x7F, rest >> 7
        encoded.append(byte | (0x80 if rest else 0))
        if not rest:
            break
    assert read_varint(bytes(encoded) + b"\x05") == (value, len(encoded))


# -- times -----------------------------------------------------------------------------------

NOV_2023 = 1_700_000_000


@pytest.mark.parametrize(
    ("data", "label", "expected"),
    [
        (struct.pack("<I", NOV_2023), "time32 LE s", "2023-11-14 22:13:20 UTC"),
        (struct.pack(">I", NOV_2023), "time32 BE s", "2023-11-14 22:13:20 UTC"),
        (struct.pack(">I", 1234), "time32 BE ms", "1970-01-01 00:00:01.234 UTC"),
        (struct.pack("<I", 1), "time32 LE µs", "1970-01-01 00:00:00.000001 UTC"),
        (struct.pack("<Q", NOV_2023), "time64 LE s", "2023-11-14 22:13:20 UTC"),
        (struct.pack(">Q", NOV_2023 * 1000 + 7), "time64 BE ms", "2023-11-14 22:13:20.007 UTC"),
        (struct.pack("<Q", NOV_2023 * 10**6 + 5), "time64 LE µs", "2023-11-14 22:13:20.000005 UTC"),
        (struct.pack(">Q", 4_102_444_799), "time64 BE s", "2099-12-31 23:59:59 UTC"),
        (struct.pack(">Q", 4_102_444_800), "time64 BE s", "not in 1970–2100"),
        (struct.pack(">Q", NOV_2023 * 10**6), "time64 BE ms", "not in 1970–2100"),
        (struct.pack("<I", 0), "time32 LE s", "1970-01-01 00:00:00 UTC"),
        (struct.pack("<I", 2**32 - 1), "time32 LE s", "not in 1970–2100"),
    ],
)
def test_integers_read_as_unix_times_when_in_1970_to_2100(
    data: bytes, label: str, expected: str
) -> None:
    assert reading(data, label) == expected


# -- addresses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "label", "expected"),
    [
        (bytes([127, 0, 0, 1]), "IPv4", "127.0.0.1"),
        (bytes([192, 168, 1, 254, 9]), "IPv4", "192.168.1.254"),
        (bytes(15) + b"\x01", "IPv6", "::1"),
        (bytes.fromhex("20010db8000000000000000000000001"), "IPv6", "2001:db8::1"),
        (bytes(10) + b"\xff\xff\x0a\x00\x00\x01", "IPv6", "::ffff:10.0.0.1"),
        (bytes.fromhex("deadbeef0001"), "MAC", "de:ad:be:ef:00:01"),
    ],
)
def test_addresses(data: bytes, label: str, expected: str) -> None:
    assert reading(data, label) == expected


# -- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"A", "'A' U+0041 (1 byte) LATIN CAPITAL LETTER A"),
        (b" x", "' ' U+0020 (1 byte) SPACE"),
        ("é".encode(), "'é' U+00E9 (2 bytes) LATIN SMALL LETTER E WITH ACUTE"),
        ("€".encode(), "'€' U+20AC (3 bytes) EURO SIGN"),
        ("😀".encode(), "'😀' U+1F600 (4 bytes) GRINNING FACE"),
        (b"\x1b[31m", "'␛' U+001B (1 byte) control"),
        (b"\x7f", "'␡' U+007F (1 byte) control"),
        ("\x85".encode(), "U+0085 (2 bytes) control"),
        ("\u202e".encode(), "U+202E (3 bytes) RIGHT-TO-LEFT OVERRIDE"),
        ("\u200b".encode(), "U+200B (3 bytes) ZERO WIDTH SPACE"),
        ("\u2028".encode(), "U+2028 (3 bytes) LINE SEPARATOR"),
        ("\u0301".encode(), "'◌\u0301' U+0301 (2 bytes) COMBINING ACUTE ACCENT"),
        ("\ue000".encode(), "U+E000 (3 bytes) unnamed"),
        (b"\x80", "not a start: a continuation byte (10xxxxxx)"),
        (b"\xc0\x80", "not UTF-8: 0xc0 never occurs in UTF-8"),
        (b"\xff", "not UTF-8: 0xff never occurs in UTF-8"),
        (b"\xe2\x82A", "not UTF-8: byte 3 of 3 is not a continuation byte"),
        (b"\xe0\x80\x80", "not UTF-8: an overlong form"),
        (b"\xed\xa0\x80", "not UTF-8: a surrogate (U+D800–U+DFFF) encoded"),
        (b"\xf4\x90\x80\x80", "not UTF-8: above U+10FFFF"),
        (b"\xe2\x82", PAST_END),
    ],
)
def test_the_utf8_character_starting_here_or_why_there_is_none(data: bytes, expected: str) -> None:
    assert reading(data, "UTF-8") == expected


@pytest.mark.parametrize(
    ("data", "label", "expected"),
    [
        (b"A\x00", "UTF-16 LE", "'A' U+0041 (2 bytes) LATIN CAPITAL LETTER A"),
        (b"\x00A", "UTF-16 BE", "'A' U+0041 (2 bytes) LATIN CAPITAL LETTER A"),
        ("😀".encode("utf-16-le"), "UTF-16 LE", "'😀' U+1F600 (4 bytes) GRINNING FACE"),
        ("😀".encode("utf-16-be"), "UTF-16 BE", "'😀' U+1F600 (4 bytes) GRINNING FACE"),
        (b"\x00\xdc", "UTF-16 LE", "not a start: a low surrogate (the second half of a pair)"),
        (b"\xd8\x3d\x00A", "UTF-16 BE", "not UTF-16: a high surrogate without its low half"),
        (b"\x3d\xd8", "UTF-16 LE", PAST_END),
        (b"A", "UTF-16 LE", PAST_END),
    ],
)
def test_the_utf16_character_in_both_endians(data: bytes, label: str, expected: str) -> None:
    assert reading(data, label) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [(b"\x00", "0000 0000"), (b"\xa5", "1010 0101"), (b"\xff\x00", "1111 1111")],
)
def test_the_bits_of_the_byte(data: bytes, expected: str) -> None:
    assert reading(data, "bits") == expected


UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


@given(st.binary(max_size=WINDOW))
def test_no_reading_holds_a_character_that_could_act_on_a_terminal_or_hide(data: bytes) -> None:
    for _, value in value_rows(data):
        assert not {unicodedata.category(char) for char in value} & UNSAFE_CATEGORIES, value


@given(st.characters())
def test_a_described_character_is_shown_only_when_safe(char: str) -> None:
    text = describe_character(char, 1)
    assert not {unicodedata.category(ch) for ch in text} & UNSAFE_CATEGORIES
    assert f"U+{ord(char):04X}" in text


@given(st.binary(max_size=WINDOW))
def test_ascii_mode_readings_are_plain_ascii(data: bytes) -> None:
    for label, value in value_rows(data):
        assert ascii_text(label).isascii()
        assert ascii_text(value).isascii()


# -- a selection's checksums -----------------------------------------------------------------


def test_checksums_of_known_vectors() -> None:
    rows = dict(digest_rows([b"1234", b"56789"]))
    assert rows["length"] == "9 bytes (0x9)"
    assert rows["CRC-32"] == "cbf43926"
    assert dict(digest_rows([b"Wikipedia"]))["Adler-32"] == "11e60398"
    abc = dict(digest_rows([b"abc"]))
    assert abc["MD5"] == "900150983cd24fb0d6963f7d28e17f72"
    assert abc["SHA-1"] == "a9993e364706816aba3e25717850c26c9cd0d89d"
    assert abc["SHA-256"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert [label for label, _ in digest_rows([])] == ["length", *DIGEST_LABELS]


@given(st.binary(max_size=300), st.lists(st.integers(0, 300), max_size=5))
def test_checksums_do_not_depend_on_how_the_bytes_are_cut(data: bytes, cuts: list[int]) -> None:
    edges = [0, *sorted(cut % (len(data) + 1) for cut in cuts), len(data)]
    blocks = [data[start:end] for start, end in zip(edges, edges[1:], strict=False)]
    rows = dict(digest_rows(blocks))
    assert rows["CRC-32"] == f"{zlib.crc32(data):08x}"
    assert rows["Adler-32"] == f"{zlib.adler32(data):08x}"
    assert rows["SHA-256"] == hashlib.sha256(data).hexdigest()
    assert rows["length"].startswith(f"{len(data)} bytes")
