"""Hex rows for the UI, and a `hexdump -Cv` clone for export."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcptui.codec.hexdump import (
    BYTE_CLASSES,
    BYTES_PER_ROW,
    byte_class,
    hex_row,
    hexdump_c,
    write_hexdump_c,
)
from tests.helpers import REQUIRE_TOOLS

needs_hexdump = pytest.mark.skipif(
    shutil.which("hexdump") is None and not REQUIRE_TOOLS,
    reason="hexdump not installed (bsdextrautils)",
)


def real_hexdump(path: Path, skip: int = 0) -> bytes:
    command = ["hexdump", "-Cv", *(["-s", str(skip)] if skip else []), str(path)]
    return subprocess.run(command, capture_output=True, check=True).stdout


@pytest.mark.parametrize(
    ("byte", "expected"),
    [
        (0x00, "null"),
        (0x21, "printable"),
        (0x41, "printable"),
        (0x7E, "printable"),
        (0x20, "whitespace"),
        (0x09, "whitespace"),
        (0x0A, "whitespace"),
        (0x0B, "whitespace"),
        (0x0C, "whitespace"),
        (0x0D, "whitespace"),
        (0x01, "control"),
        (0x1B, "control"),
        (0x7F, "control"),
        (0x80, "high"),
        (0xFF, "high"),
    ],
)
def test_bytes_are_classed_for_colouring(byte: int, expected: str) -> None:
    assert byte_class(byte) == expected


def test_the_class_table_covers_every_byte() -> None:
    assert len(BYTE_CLASSES) == 256
    assert [byte_class(byte) for byte in range(256)] == list(BYTE_CLASSES)


def test_a_full_row_has_two_groups_of_eight() -> None:
    assert hex_row(b"GET / HTTP/1.1\r\n", 0x10) == (
        "00000010",
        "47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a",
        "GET / HTTP/1.1..",
    )


def test_a_short_row_is_padded_so_columns_line_up() -> None:
    offset, hex_column, ascii_column = hex_row(b"\x00\xffz", 0x1_0000_0000)
    assert offset == "100000000"
    assert hex_column == "00 ff 7a".ljust(48)
    assert ascii_column == "..z"


def test_a_row_holds_at_most_sixteen_bytes() -> None:
    with pytest.raises(ValueError, match="16"):
        hex_row(bytes(BYTES_PER_ROW + 1), 0)


def test_hexdump_c_layout_for_twenty_bytes() -> None:
    assert hexdump_c(b"Hello, world!\x00\x01\x7f\x80\xff\n\tz") == (
        b"00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 00 01 7f  |Hello, world!...|\n"
        b"00000010  80 ff 0a 09 7a                                    |....z|\n"
        b"00000015\n"
    )


def test_hexdump_c_of_nothing_is_nothing() -> None:
    assert hexdump_c(b"") == b""


def test_hexdump_c_skipped_to_the_end_prints_only_the_offset() -> None:
    assert hexdump_c(b"", start_offset=3) == b"00000003\n"


def test_offsets_past_four_gib_grow_a_digit_like_hexdump() -> None:
    assert hexdump_c(bytes(40), start_offset=0xFFFF_FFE8) == (
        b"ffffffe8  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n"
        b"fffffff8  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n"
        b"100000008  00 00 00 00 00 00 00 00                           |........|\n"
        b"100000010\n"
    )


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=600), st.integers(min_value=0, max_value=1 << 40))
def test_hexdump_c_rows_are_hex_rows(data: bytes, start: int) -> None:
    lines = hexdump_c(data, start).decode("ascii").splitlines()
    rows = [data[i : i + BYTES_PER_ROW] for i in range(0, len(data), BYTES_PER_ROW)]
    expected = [
        "{}  {}  |{}|".format(*hex_row(row, start + index * BYTES_PER_ROW))
        for index, row in enumerate(rows)
    ]
    assert lines[:-1] == expected
    assert lines[-1:] == ([f"{start + len(data):08x}"] if start + len(data) else [])


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=2000), st.integers(min_value=1, max_value=100))
def test_streaming_matches_one_shot_for_any_read_size(data: bytes, block: int) -> None:
    out = io.BytesIO()
    assert write_hexdump_c(io.BytesIO(data), out, block=block) == len(data)
    assert out.getvalue() == hexdump_c(data)


def test_streaming_rejects_an_empty_block_size() -> None:
    with pytest.raises(ValueError, match="block"):
        write_hexdump_c(io.BytesIO(b"x"), io.BytesIO(), block=0)


@needs_hexdump
@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 32, 100, 70_001])
def test_hexdump_c_is_byte_identical_to_hexdump(tmp_path: Path, size: int) -> None:
    data = bytes((i * 7 + i // 251) % 256 for i in range(size))
    path = tmp_path / "data.bin"
    path.write_bytes(data)
    assert hexdump_c(data) == real_hexdump(path)


@needs_hexdump
@pytest.mark.parametrize("skip", [1, 5, 16, (1 << 20) - 40])
def test_start_offset_matches_hexdump_skip(tmp_path: Path, skip: int) -> None:
    data = bytes(range(256)) * 2
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(skip) + data)
    assert hexdump_c(data, start_offset=skip) == real_hexdump(path, skip)


@needs_hexdump
def test_streamed_dump_of_a_large_file_is_byte_identical_to_hexdump(tmp_path: Path) -> None:
    data = bytes(range(256)) * 4097 + b"tail"
    path = tmp_path / "data.bin"
    path.write_bytes(data)
    out = io.BytesIO()
    with path.open("rb") as src:
        assert write_hexdump_c(src, out, block=100_003) == len(data)
    assert out.getvalue() == real_hexdump(path)
