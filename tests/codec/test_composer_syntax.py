"""What the user types becomes exactly the bytes they meant, or an error that points at it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcptui.codec.composer_syntax import LineEnding, Syntax, escape_for_composer, parse_composer
from tcptui.codec.errors import CodecError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET / HTTP/1.0\\r\\n\\r\\n", b"GET / HTTP/1.0\r\n\r\n"),
        ("\\t\\0\\\\\\e[0m", b"\t\x00\\\x1b[0m"),
        ("\\a\\b\\f\\v", b"\a\b\f\v"),
        ("\\x00\\xFF\\x7f", b"\x00\xff\x7f"),
        ("\\u{1F600} \\u{e9}", "😀 é".encode()),
        ("café\nnext line", "café\nnext line".encode()),
        ("", b""),
    ],
)
def test_text_syntax_understands_escapes(text: str, expected: bytes) -> None:
    assert parse_composer(text, Syntax.TEXT) == expected


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("ab\\q", 3, "unknown escape \\\\q \\(column 3\\)"),
        ("abc\\", 4, "lone backslash at the end \\(column 4\\)"),
        ("\\x4", 1, "needs two hex digits"),
        ("ok\\xg0", 3, "needs two hex digits"),
        ("\\u1F600", 1, "needs hex digits in braces"),
        ("\\u{}", 1, "needs hex digits in braces"),
        ("x\\u{110000}", 2, "past the last code point"),
        ("a\\\n", 2, "unknown escape \\\\'\\\\n'"),
    ],
)
def test_bad_text_escapes_name_the_column(text: str, column: int, message: str) -> None:
    with pytest.raises(CodecError, match=message) as error:
        parse_composer(text, Syntax.TEXT)
    assert error.value.column == column


def test_a_character_the_encoding_lacks_is_named_with_its_column() -> None:
    with pytest.raises(CodecError) as error:
        parse_composer("ab\u00e9", Syntax.TEXT, "ascii")
    assert str(error.value) == "'é' (column 3) cannot be encoded in ascii"
    assert error.value.column == 3


def test_an_escaped_character_the_encoding_lacks_points_at_the_escape() -> None:
    with pytest.raises(CodecError, match="column 3") as error:
        parse_composer("ab\\u{263A}", Syntax.TEXT, "latin-1")
    assert error.value.column == 3


def test_text_follows_the_encoding_but_hex_escapes_are_raw_bytes() -> None:
    assert parse_composer("é\\xe9", Syntax.TEXT, "latin-1") == b"\xe9\xe9"
    assert parse_composer("A\\xffB", Syntax.TEXT, "utf-16-le") == b"A\x00\xffB\x00"


def test_a_stateful_encoding_writes_one_byte_order_mark() -> None:
    assert parse_composer("A\\x00B", Syntax.TEXT, "utf-16") == b"\xff\xfeA\x00\x00B\x00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("de ad be ef", b"\xde\xad\xbe\xef"),
        ("deadbeef", b"\xde\xad\xbe\xef"),
        ("0xde,0xad", b"\xde\xad"),
        ("de:ad", b"\xde\xad"),
        ("de\t ad\nbe  ef", b"\xde\xad\xbe\xef"),
    ],
)
def test_hex_syntax_reads_the_usual_spellings(text: str, expected: bytes) -> None:
    assert parse_composer(text, Syntax.HEX) == expected


@pytest.mark.parametrize(("text", "column"), [("de ad b", 7), ("de xx", 4), ("0xde,0xa", 6)])
def test_bad_hex_points_at_the_column(text: str, column: int) -> None:
    with pytest.raises(CodecError, match=f"column {column}") as error:
        parse_composer(text, Syntax.HEX)
    assert error.value.column == column


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("de ad \\", "'\\' (column 7) is not a hex digit"),
        ("de \x1b", "'U+001B' (column 4) is not a hex digit"),
        ("de 'a", '"\'" (column 4) is not a hex digit'),
    ],
)
def test_bad_hex_is_quoted_as_typed_not_as_python_writes_it(text: str, message: str) -> None:
    with pytest.raises(CodecError) as error:
        parse_composer(text, Syntax.HEX)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET / HTTP/1.0{0d 0a 0d 0a}", b"GET / HTTP/1.0\r\n\r\n"),
        ('\\{"a": 1\\}{0a}', b'{"a": 1}\n'),
        ("C:\\\\temp{}", b"C:\\temp"),
        ("{00}é{ff}", b"\x00\xc3\xa9\xff"),
        ("no blocks", b"no blocks"),
    ],
)
def test_mixed_syntax_is_text_with_hex_blocks(text: str, expected: bytes) -> None:
    assert parse_composer(text, Syntax.MIXED) == expected


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("ab{de ad", 3, "'{' \\(column 3\\) is never closed"),
        ("ab}", 3, "'}' \\(column 3\\) closes nothing"),
        ("a\\n", 2, "only escapes"),
        ("tail\\", 5, "only escapes"),
        ("ab{de g0}", 7, "'g' \\(column 7\\) is not a hex digit"),
        ("ab{de a}", 7, "odd number of hex digits in 'a' \\(column 7\\)"),
    ],
)
def test_bad_mixed_input_names_the_column(text: str, column: int, message: str) -> None:
    with pytest.raises(CodecError, match=message) as error:
        parse_composer(text, Syntax.MIXED)
    assert error.value.column == column


def test_mixed_text_outside_blocks_follows_the_encoding() -> None:
    with pytest.raises(CodecError, match="'é' \\(column 7\\) cannot be encoded in ascii"):
        parse_composer("{00} aé", Syntax.MIXED, "ascii")


def test_line_endings_have_bytes_and_labels() -> None:
    assert [(ending.bytes, ending.label) for ending in LineEnding] == [
        (b"", "none"),
        (b"\n", "LF"),
        (b"\r\n", "CRLF"),
        (b"\r", "CR"),
    ]


def test_line_endings_cycle_in_order() -> None:
    assert LineEnding.NONE.next() is LineEnding.LF
    assert LineEnding.LF.next() is LineEnding.CRLF
    assert LineEnding.CRLF.next() is LineEnding.CR
    assert LineEnding.CR.next() is LineEnding.NONE


def test_escaping_keeps_readable_text_readable() -> None:
    data = "héllo 日本 \\ 😀\r\n".encode() + b"\x1b\xff\xe2\x80\x8b"
    assert escape_for_composer(data) == "héllo 日本 \\\\ 😀\\r\\n\\x1b\\xff\\u{200B}"


def test_escaping_for_another_encoding_keeps_only_what_it_gives_back() -> None:
    assert escape_for_composer("é!".encode(), "latin-1") == "\\xc3\\xa9!"
    assert escape_for_composer(b"A\\", "utf-16") == "\\x41\\x5c"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_survive_a_hex_round_trip(data: bytes) -> None:
    assert parse_composer(data.hex(" "), Syntax.HEX) == data
    assert parse_composer(data.hex(), Syntax.HEX) == data


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.text(max_size=60).map(str.encode)))
def test_any_bytes_survive_a_text_round_trip(data: bytes) -> None:
    assert parse_composer(escape_for_composer(data), Syntax.TEXT) == data


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=100), st.sampled_from(["latin-1", "ascii", "cp1252", "utf-16"]))
def test_text_round_trips_in_other_encodings(data: bytes, encoding: str) -> None:
    escaped = escape_for_composer(data, encoding)
    assert parse_composer(escaped, Syntax.TEXT, encoding) == data


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.text(max_size=60).map(str.encode)))
def test_escaped_text_is_safe_to_show(data: bytes) -> None:
    assert all(char.isprintable() for char in escape_for_composer(data))
