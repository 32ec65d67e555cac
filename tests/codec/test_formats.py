"""Copy-as formats, and reading each of them back."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcptui.codec.composer_syntax import escape_for_composer
from tcptui.codec.formats import (
    CodecError,
    CopyFormat,
    format_bytes,
    parse_base64,
    parse_c_array,
    parse_escaped,
    parse_hex,
    parse_hexdump,
    parse_python_literal,
)
from tcptui.codec.hexdump import hexdump_c

PARSERS: dict[CopyFormat, Callable[[str], bytes]] = {
    CopyFormat.HEX: parse_hex,
    CopyFormat.HEXDUMP: parse_hexdump,
    CopyFormat.ESCAPED: parse_escaped,
    CopyFormat.PYTHON: parse_python_literal,
    CopyFormat.C_ARRAY: parse_c_array,
    CopyFormat.BASE64: parse_base64,
}
SAMPLE = b"a\\b\r\n\t\x00'\"\xff"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (CopyFormat.HEX, "61 5c 62 0d 0a 09 00 27 22 ff"),
        (CopyFormat.ESCAPED, "a\\\\b\\r\\n\\t\\x00'\"\\xff"),
        (CopyFormat.PYTHON, "b'a\\\\b\\r\\n\\t\\x00\\'\"\\xff'"),
        (CopyFormat.BASE64, "YVxiDQoJACci/w=="),
        (CopyFormat.HEXDUMP, hexdump_c(SAMPLE).decode("ascii")),
    ],
)
def test_each_format_writes_the_expected_text(fmt: CopyFormat, expected: str) -> None:
    assert format_bytes(SAMPLE, fmt) == expected


def test_text_format_keeps_utf8_and_escapes_invalid_bytes() -> None:
    assert format_bytes("café ".encode() + b"\xff", CopyFormat.TEXT) == "café \\xff"


def test_c_array_wraps_at_twelve_bytes_and_states_the_length() -> None:
    assert format_bytes(bytes(range(14)), CopyFormat.C_ARRAY) == (
        "/* 14 bytes */\n"
        "unsigned char data[] = {\n"
        "    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,\n"
        "    0x0c, 0x0d,\n"
        "};\n"
    )


def test_escaped_format_is_also_composer_text_syntax() -> None:
    data = bytes(range(256))
    assert format_bytes(data, CopyFormat.ESCAPED) == escape_for_composer(data, "ascii")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(sorted(PARSERS)))
def test_every_parseable_format_reads_back_the_same_bytes(data: bytes, fmt: CopyFormat) -> None:
    assert PARSERS[fmt](format_bytes(data, fmt)) == data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("de ad be ef", b"\xde\xad\xbe\xef"),
        ("DEADBEEF", b"\xde\xad\xbe\xef"),
        ("0xde,0xad, 0XBE", b"\xde\xad\xbe"),
        ("de:ad:be:ef", b"\xde\xad\xbe\xef"),
        (" de\tad\n be \r\nef ", b"\xde\xad\xbe\xef"),
        ("", b""),
    ],
)
def test_hex_is_read_in_the_usual_spellings(text: str, expected: bytes) -> None:
    assert parse_hex(text) == expected


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("de ad b", 7, "odd number of hex digits in 'b' (column 7)"),
        ("dea", 1, "odd number of hex digits"),
        ("de zz", 4, "'z' (column 4) is not a hex digit"),
        ("0xdg", 4, "'g' (column 4) is not a hex digit"),
        ("de 0x", 4, "'0x' (column 4) has no hex digits"),
        ("de-ad", 3, "'-' (column 3)"),
    ],
)
def test_bad_hex_names_the_column(text: str, column: int, message: str) -> None:
    with pytest.raises(CodecError, match=message.replace("(", r"\(").replace(")", r"\)")) as error:
        parse_hex(text)
    assert error.value.column == column


def test_python_literals_are_read_without_running_code() -> None:
    assert parse_python_literal("b'\\x00ab' b\"c\"") == b"\x00abc"
    for text in ["'text'", "42", "__import__('os').system('true')", "b'a' + b'b'"]:
        with pytest.raises(CodecError, match="bytes literal"):
            parse_python_literal(text)


def test_python_syntax_errors_name_the_column() -> None:
    with pytest.raises(CodecError, match="column") as error:
        parse_python_literal("b'abc")
    assert error.value.column == 1
    with pytest.raises(CodecError, match="bytes literal"):
        parse_python_literal("b'\0'")


def test_base64_ignores_line_breaks_and_points_at_stray_characters() -> None:
    assert parse_base64("aGVs\nbG8=\n") == b"hello"
    with pytest.raises(CodecError, match="'!' \\(column 5\\)") as error:
        parse_base64("aGVs!G8=")
    assert error.value.column == 5
    with pytest.raises(CodecError, match="not base64"):
        parse_base64("aGVsb")


def test_c_arrays_accept_comments_and_any_integer_spelling() -> None:
    text = "// header\nuint8_t x[] = { 0x41, /* B */ 66, 0103, 0,\n 0XfF, };"
    assert parse_c_array(text) == b"ABC\x00\xff"
    assert parse_c_array("1, 2, 3") == b"\x01\x02\x03"


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("{1, 256}", 5, "256 \\(column 5\\) does not fit in a byte"),
        ("{1, 2", 1, "never closed"),
        ("{1; 2}", 3, "';' \\(column 3\\)"),
        ("{09}", 2, "'09' \\(column 2\\) is not a number"),
    ],
)
def test_bad_c_arrays_name_the_column(text: str, column: int, message: str) -> None:
    with pytest.raises(CodecError, match=message) as error:
        parse_c_array(text)
    assert error.value.column == column


def test_hexdump_repeat_marks_are_expanded() -> None:
    squeezed = (
        "00000000  61 62 63 64 65 66 67 68  69 6a 6b 6c 6d 6e 6f 70  |abcdefghijklmnop|\n"
        "*\n"
        "00000040  71                                                |q|\n"
        "00000041\n"
    )
    assert parse_hexdump(squeezed) == b"abcdefghijklmnop" * 4 + b"q"


def test_hexdump_ascii_column_may_contain_bars() -> None:
    assert parse_hexdump("00000000  7c 20 7c  ||  ||\n00000003\n") == b"| |"


def test_hexdump_rows_keep_their_start_offset() -> None:
    assert parse_hexdump(hexdump_c(b"xyz" * 9, start_offset=5).decode("ascii")) == b"xyz" * 9


def test_a_hexdump_with_a_missing_row_is_refused() -> None:
    rows = hexdump_c(bytes(48)).decode("ascii").splitlines()
    with pytest.raises(CodecError, match="line 2: offset 00000020"):
        parse_hexdump("\n".join([rows[0], *rows[2:]]))


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("00000000  41 4g", 14, "'4g' \\(column 14\\) is not a hex byte"),
        ("00000000  41 414", 14, "'414' \\(column 14\\) is not a hex byte"),
        ("0000z000  41", 1, "is not an offset"),
        ("00000000" + " 00" * 17, 58, "more than 16 bytes"),
    ],
)
def test_bad_hexdump_rows_name_line_and_column(text: str, column: int, message: str) -> None:
    with pytest.raises(CodecError, match=f"line 1: .*{message}") as error:
        parse_hexdump(text)
    assert error.value.column == column
