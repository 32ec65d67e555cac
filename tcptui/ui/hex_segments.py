"""Hex rows as segments: the offset, groups of bytes coloured by class, the ASCII column.

Rows without marks (nearly all) are cut into runs of one byte class by a regex over the row's
class bytes, so a frame of hex costs one segment per run, not per byte; a row with marks (the
cursor, a selection, matches) is painted a byte at a time.
"""

from __future__ import annotations

import functools
import re

from rich.segment import Segment
from rich.style import Style

from tcptui.codec.hexdump import BYTE_CLASSES, BYTES_PER_ROW
from tcptui.ui.byte_marks import MarkKind, Marks
from tcptui.ui.log_glyphs import HEADER_DETAIL, UNICODE_GLYPHS, Glyphs

BYTE_CLASS_STYLES = {
    "null": Style(color="#6c6c6c"),
    "printable": Style(color="#5fd7d7"),
    "whitespace": Style(color="#87d75f"),
    "control": Style(color="#d787ff"),
    "high": Style(color="#ffd75f"),
}
MARK_STYLES: dict[MarkKind, Style] = {
    "read": Style(underline=True, bold=True),
    "match": Style(bgcolor="#5f5f00"),
    "current-match": Style(bgcolor="#d7af00", color="#000000"),
    "selection": Style(bgcolor="#1f5f8f"),
    "cursor": Style(reverse=True, bold=True),
}


def byte_mark_styles(length: int, marks: Marks) -> list[Style | None]:
    styles: list[Style | None] = [None] * length
    for lo, hi, kind in marks:
        for position in range(max(0, lo), min(length, hi)):
            styles[position] = MARK_STYLES[kind]
    return styles


def hex_segments(
    data: bytes,
    offset: int,
    offset_style: Style,
    marks: Marks = (),
    glyphs: Glyphs = UNICODE_GLYPHS,
    row_bytes: int = BYTES_PER_ROW,
) -> list[Segment]:
    """One hex row: offset, groups of eight bytes, the ASCII column; a segment per run.

    Rows without marks (nearly all) are cut into runs of one byte class by a regex over the
    row's class bytes, so a frame of hex costs one segment per run, not per byte.
    """
    if marks:
        return _marked_hex_segments(data, offset, offset_style, marks, glyphs, row_bytes)
    classes = data.translate(_CLASS_OF_BYTE)
    hex_text = data.hex(" ") + " "
    segments = [Segment(f"{offset:08x}  ", offset_style)]
    blank = ""  # unstyled space between the groups and after a short row, one segment
    size = min(8, row_bytes)
    for group in range(0, row_bytes, size):
        end = max(group, min(group + size, len(data)))
        if blank and end > group:
            segments.append(Segment(blank))
            blank = ""
        for run in _RUNS.finditer(classes, group, end):
            start, stop = run.span()
            segments.append(Segment(hex_text[start * 3 : stop * 3], _CLASS_STYLES[classes[start]]))
        blank += "   " * (group + size - end) + (" " if group + size < row_bytes else "")
    if blank:
        segments.append(Segment(blank))
    segments.append(Segment(" " + glyphs.bar, HEADER_DETAIL))
    column = data.decode("latin-1").translate(_ascii_column_table(glyphs.unprintable))
    segments.extend(
        Segment(column[run.start() : run.end()], _CLASS_STYLES[run.group()[0]])
        for run in _RUNS.finditer(classes)
    )
    segments.append(Segment(" " * (row_bytes - len(data)) + glyphs.bar, HEADER_DETAIL))
    return segments


_CLASS_NAMES = tuple(BYTE_CLASS_STYLES)
_CLASS_OF_BYTE = bytes(_CLASS_NAMES.index(BYTE_CLASSES[value]) for value in range(256))
_CLASS_STYLES = tuple(BYTE_CLASS_STYLES.values())
_RUNS = re.compile(rb"(.)\1*", re.DOTALL)


@functools.cache
def _ascii_column_table(unprintable: str) -> dict[int, str]:
    return {value: unprintable for value in range(256) if not 0x20 <= value < 0x7F}


def _marked_hex_segments(
    data: bytes,
    offset: int,
    offset_style: Style,
    marks: Marks,
    glyphs: Glyphs,
    row_bytes: int,
) -> list[Segment]:
    marked = byte_mark_styles(len(data), marks)
    segments = [Segment(f"{offset:08x}  ", offset_style)]
    for position in range(row_bytes):
        if position < len(data):
            value = data[position]
            style = BYTE_CLASS_STYLES[BYTE_CLASSES[value]]
            mark = marked[position]
            if mark is None:
                segments.append(Segment(_HEX[value], style))
            else:
                segments.append(Segment(_HEX[value][:2], style + mark))
                joined = position + 1 < len(data) and marked[position + 1] is mark
                segments.append(Segment(" ", mark if joined and position % 8 != 7 else None))
        else:
            segments.append(Segment("   "))
        if position % 8 == 7 and position + 1 < row_bytes:
            segments.append(Segment(" "))
    segments.append(Segment(" " + glyphs.bar, HEADER_DETAIL))
    segments.extend(
        Segment(
            chr(value) if 0x20 <= value < 0x7F else glyphs.unprintable,
            BYTE_CLASS_STYLES[BYTE_CLASSES[value]] + (mark or Style()),
        )
        for value, mark in zip(data, marked, strict=True)
    )
    segments.append(Segment(" " * (row_bytes - len(data)) + glyphs.bar, HEADER_DETAIL))
    return list(Segment.simplify(segments))


_HEX = tuple(f"{value:02x} " for value in range(256))
