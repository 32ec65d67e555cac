"""Hex dump rows, and a `hexdump -Cv` writer fast enough for whole captures.

The writer fills fixed-width rows column by column: one strided slice assignment moves a column
for thousands of rows at once, so Python does a few dozen operations per 32 KiB instead of a few
per row.
"""

from __future__ import annotations

import binascii
import sys
from array import array
from collections.abc import Iterator
from functools import cache
from typing import BinaryIO, Literal

BYTES_PER_ROW = 16
VIEW_ROW_BYTES = (16, 8, 4)
"""Bytes a row of the hex view may hold, widest first: a full `hexdump -C` row where it fits,
else 8-byte rows (as `xxd -c 8`), else 4: a row is never cut by the view's edge."""

ByteClass = Literal["null", "printable", "whitespace", "control", "high"]


def _classify(byte: int) -> ByteClass:
    if byte == 0:
        return "null"
    if 0x21 <= byte <= 0x7E:
        return "printable"
    if byte in b" \t\n\v\f\r":
        return "whitespace"
    if byte < 0x80:
        return "control"
    return "high"


BYTE_CLASSES: tuple[ByteClass, ...] = tuple(_classify(byte) for byte in range(256))


def byte_class(byte: int) -> ByteClass:
    """The colour class of a byte, as hexyl and socat users expect to see it."""
    return BYTE_CLASSES[byte]


_ASCII_COLUMN = bytes(byte if 0x20 <= byte <= 0x7E else 0x2E for byte in range(256))
_HEX_WIDTH = 3 * BYTES_PER_ROW  # "xx " per byte, plus one extra space between the halves, less one


def hex_row(data: bytes, offset: int) -> tuple[str, str, str]:
    """One row as (offset, hex, ascii); hex is padded to 48 so short rows line up, ascii is not."""
    if len(data) > BYTES_PER_ROW:
        raise ValueError(f"a hex row holds at most {BYTES_PER_ROW} bytes, not {len(data)}")
    half = BYTES_PER_ROW // 2
    hex_column = data[:half].hex(" ")
    if len(data) > half:
        hex_column += "  " + data[half:].hex(" ")
    ascii_column = data.translate(_ASCII_COLUMN).decode("ascii")
    return f"{offset:08x}", hex_column.ljust(_HEX_WIDTH), ascii_column


def view_row_cells(row_bytes: int) -> int:
    """Cells of a hex view row holding `row_bytes`: the offset and two spaces, `xx ` a byte
    with one more space after each group of eight, a space, then the ASCII column between
    two bars. 78 for 16 bytes, as `hexdump -C` prints it."""
    return 10 + 3 * row_bytes + (row_bytes - 1) // 8 + 1 + row_bytes + 2


def view_row_bytes(cells: int) -> int:
    """The most bytes a hex view row may hold in `cells` columns (4 when none fits)."""
    return next((size for size in VIEW_ROW_BYTES if view_row_cells(size) <= cells), 4)


def hexdump_c(data: bytes, start_offset: int = 0) -> bytes:
    """Exactly what `hexdump -Cv` prints for `data` found at `start_offset` in a file."""
    full = len(data) - len(data) % BYTES_PER_ROW
    blocks = list(_full_rows(memoryview(data)[:full], start_offset))
    blocks.append(_ending(data[full:], start_offset + full))
    return b"".join(blocks)


def write_hexdump_c(src: BinaryIO, dst: BinaryIO, block: int = 1 << 20) -> int:
    """Streams `hexdump -Cv` output of `src` to `dst` and returns the number of bytes dumped."""
    if block < 1:
        raise ValueError(f"block size must be at least 1, not {block}")
    offset = 0
    carry = b""
    while chunk := src.read(block):
        data = carry + chunk
        full = len(data) - len(data) % BYTES_PER_ROW
        for rows in _full_rows(memoryview(data)[:full], offset):
            dst.write(rows)
        offset += full
        carry = data[full:]
    dst.write(_ending(carry, offset))
    return offset + len(carry)


def _ending(tail: bytes, offset: int) -> bytes:
    """The last, short row and the closing offset line (absent only for an empty file)."""
    end = offset + len(tail)
    if not end:
        return b""
    last = ""
    if tail:
        offset_column, hex_column, ascii_column = hex_row(tail, offset)
        last = f"{offset_column}  {hex_column}  |{ascii_column}|\n"
    return f"{last}{end:08x}\n".encode("ascii")


# 2048 rows (32 KiB in, 160 KiB out) keep the strided copies inside the CPU cache.
_SLICE_ROWS = 2048
_LOW_ROWS = 1 << 16  # rows that share an offset's upper digits (the low four cycle 0000..ffff)


@cache
def _low_digit_table() -> bytes:
    """'0000' '0001' … 'ffff': hex digits 2-5 of every row offset, made at the first export
    rather than at import, where it would slow every start for a table few runs need."""
    counts = array("H", range(_LOW_ROWS))
    if sys.byteorder == "little":
        counts.byteswap()
    return binascii.hexlify(counts.tobytes())


_HEX_COLUMNS = tuple(3 * i + (i >= BYTES_PER_ROW // 2) for i in range(BYTES_PER_ROW))
_ROW_TAIL = b"  " + b" " * _HEX_WIDTH + b"  |" + b" " * BYTES_PER_ROW + b"|\n"


def _full_rows(data: memoryview, offset: int) -> Iterator[bytes | bytearray]:
    """Formats whole rows in slices that never straddle a change of the upper offset digits."""
    position = 0
    while position < len(data):
        low = (offset >> 4) % _LOW_ROWS
        rows = min(_SLICE_ROWS, _LOW_ROWS - low, (len(data) - position) // BYTES_PER_ROW)
        stop = position + rows * BYTES_PER_ROW
        yield _format_rows(bytes(data[position:stop]), offset)
        offset += stop - position
        position = stop


def _format_rows(block: bytes, offset: int) -> bytearray:
    """Rows for `block` (whole rows; offsets share all but their low five hex digits)."""
    rows = len(block) // BYTES_PER_ROW
    low = (offset >> 4) % _LOW_ROWS
    upper = b"%03x" % (offset >> 20)
    row = upper + b"0000" + b"%x" % (offset & 0xF) + _ROW_TAIL
    width = len(row)
    out = bytearray(row) * rows

    low_digits = _low_digit_table()[4 * low : 4 * (low + rows)]
    for digit in range(4):
        out[len(upper) + digit :: width] = low_digits[digit::4]

    hex_start = len(upper) + 7
    hexed = binascii.hexlify(block)
    for index, column in enumerate(_HEX_COLUMNS):
        out[hex_start + column :: width] = hexed[2 * index :: 2 * BYTES_PER_ROW]
        out[hex_start + column + 1 :: width] = hexed[2 * index + 1 :: 2 * BYTES_PER_ROW]

    ascii_start = hex_start + _HEX_WIDTH + 3
    shown = block.translate(_ASCII_COLUMN)
    for index in range(BYTES_PER_ROW):
        out[ascii_start + index :: width] = shown[index::BYTES_PER_ROW]
    return out
