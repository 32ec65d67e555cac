"""Paint transcript rows as Strips: block headers, event rows, safe text rows and hex rows.

Every character painted here comes from `tcptui.codec`, which maps each received byte to a
visible, printable glyph first (DESIGN.md fact 1). Segments are built directly: no markup.
Where a text row is cut is decided from the bytes in `codec.text_rows`; painters keep the cut
rows of the units they paint and check that they fit (`text_row_fit`).
"""

from __future__ import annotations

import bisect
import codecs
import functools
import re
from array import array
from collections.abc import Hashable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.strip import Strip

from tcptui.capture.log_units import LogUnit
from tcptui.codec.hex_squeeze import RowSpan
from tcptui.codec.hexdump import BYTE_CLASSES, BYTES_PER_ROW, view_row_cells
from tcptui.codec.safe_text import ascii_only, render_text
from tcptui.codec.text_rows import (
    SHAPE_SAMPLE,
    RowShape,
    character_around,
    count_text_rows,
    fixed_row_count,
    fixed_row_span,
    row_shape,
    text_row_starts,
)
from tcptui.ui.byte_marks import MarkKind
from tcptui.ui.log_glyphs import (
    ASCII_GLYPHS,
    DIRECTION_STYLES,
    HEADER_DETAIL,
    UNICODE_GLYPHS,
    Glyphs,
)
from tcptui.ui.row_gutter import BarGutter, RowGutter
from tcptui.ui.squeezed_hex import SqueezedBlocks, star_row
from tcptui.ui.text_row_fit import RowFit, piece_cells
from tcptui.ui.transcript_layout import RowRef, TranscriptLayout
from tcptui.ui.unit_reader import UnitReader

PIECE_STYLES = {
    "text": Style(),
    "escape": Style(color="#d787ff", dim=False),
    "invalid": Style(color="#ff5f5f", reverse=False, bold=True),
    "special": Style(color="#ff87af", underline=True),
}
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
Marks = tuple[tuple[int, int, MarkKind], ...]
GUTTER_WIDTH = 2
HEX_WIDTH = view_row_cells(BYTES_PER_ROW)
"""A full `hexdump -C` row: the widest hex row."""
_CHUNK_CACHE_SIZE = 4
"""Whole units whose rows are kept: a block can be megabytes, so only a few."""


class RowPainter:
    """What both views share: a header row per unit, then content rows painted by a subclass
    (an event is its header alone)."""

    row_cells: int
    """The most cells a row of this painter takes: headers are kept within it too."""

    def __init__(self, reader: UnitReader, gutter: RowGutter) -> None:
        self.reader = reader
        self.gutter = gutter

    def header_rows_of(self, index: int) -> int:
        """Rows above unit `index`'s bytes: its header, or none for a block in compact rows
        (row_gutter); an event is its header row."""
        if self.reader.unit(index).event is not None:
            return 1
        return self.gutter.header_rows

    def layout(self) -> TranscriptLayout:
        """Rows to measure this painter's units in, unmeasured yet."""
        return TranscriptLayout(
            self.reader.units, self.count_rows, self.forget, self.header_rows_of
        )

    def count_rows(self, index: int) -> int | None:
        raise NotImplementedError

    def row_span(self, ref: RowRef) -> tuple[int, int]:
        raise NotImplementedError

    def row_key(self, ref: RowRef) -> Hashable:
        """What row `ref` paints besides its place: the bytes it shows (None for a header)."""
        return None if ref.row < 0 else self.row_span(ref)

    def paint_row(self, unit: LogUnit, start: int, data: bytes, marks: Marks, row: int) -> Strip:
        raise NotImplementedError

    def forget(self, index: int) -> None:
        """Unit `index` grew: drop what was kept of it, here and in the reader."""
        self.reader.forget(index)

    def paint(self, ref: RowRef, marks: Marks = ()) -> Strip:
        if ref.row < 0:
            return self.reader.header(ref.unit, self.row_cells)
        unit = self.reader.unit(ref.unit)
        start, end = self.row_span(ref)
        data = self.reader.part(ref.unit, start, end)
        return self.paint_row(unit, start, data, marks, ref.row)


class TextPainter(RowPainter):
    """Text rows: a chunk's bytes decoded, wrapped after each newline and when a row is full.

    Rows of UTF-8 text hold the view's width in cells as painted (`\\t` takes two); in ASCII
    mode and other encodings rows are cut by bytes. A row of binary bytes can paint four cells
    a byte (`\\xNN`, eight for `\\u{0085}` in a one-byte encoding), so chunks that are not
    plain text wrap at a fraction of the width. A row shape judged from a chunk's first bytes
    is checked against every row of the chunk before it is used: no painted row is ever wider
    than the view.
    """

    gutter_width = GUTTER_WIDTH

    def __init__(
        self,
        reader: UnitReader,
        width: int,
        encoding: str = "utf-8",
        gutter: RowGutter | None = None,
    ) -> None:
        super().__init__(reader, gutter or BarGutter(reader.glyphs.gutter, DIRECTION_STYLES))
        self.wrap = max(8, width)
        self.row_cells = self.wrap + self.gutter.cells
        self.encoding = encoding
        # Rows of UTF-8 text hold a width of cells. Not in ASCII mode: there every non-ASCII
        # character is shown as an escape of eight cells or more, so rows stay in bytes.
        utf8 = self._utf8 = codecs.lookup(encoding).name == "utf-8"
        self._cells = cell_len if utf8 and reader.glyphs is not ASCII_GLYPHS else None
        self._starts: LRUCache[int, array[int]] = LRUCache(_CHUNK_CACHE_SIZE)
        self._shapes: LRUCache[int, RowShape] = LRUCache(1024)
        ascii_glyphs = reader.glyphs is ASCII_GLYPHS
        self._fit = RowFit(self.wrap, encoding, ascii_glyphs, self._cells is not None)

    def forget(self, index: int) -> None:
        super().forget(index)
        self._starts.discard(index)
        self._shapes.discard(index)

    def shape_of(self, index: int) -> RowShape:
        """How unit `index` is cut into rows: judged from its first bytes, then checked."""
        shape = self._shapes.get(index)
        if shape is None:
            shape = self._fitting_shape(index)
            self._shapes[index] = shape
        return shape

    def _fitting_shape(self, index: int) -> RowShape:
        """The sample's shape if every row it cuts fits the view, else rows of fewer bytes.

        Fixed rows of `wrap // most cells a byte` always fit, so binary is never walked. Other
        chunks are plain text (cut by cells, exactly) or are checked row by row: a sample can
        hide a run of escapes further on. Failing that, rows of half the width (tabs, CRs
        painted in two cells), then the worst case, both still ending at newlines.
        """
        width, cut = row_shape(self.reader.part(index, 0, SHAPE_SAMPLE), self.wrap)
        safe_width = max(1, self.wrap // self._fit.most_cells)
        if cut == "fixed":
            return RowShape(min(width, safe_width), "fixed")
        data = self.reader.data(index)
        if self._fit.is_cut_exactly(data):
            return RowShape(width, cut)
        for candidate in (RowShape(width, cut), RowShape(max(1, self.wrap // 2), "bytes")):
            starts = self._cut(data, candidate)
            if self._fit.rows_fit(data, starts):
                self._keep_starts(index, starts)
                return candidate
        return RowShape(safe_width, "bytes")

    def _cut(self, data: bytes, shape: RowShape) -> list[int]:
        return text_row_starts(data, shape.width, shape.cut == "bytes", self._cells)

    def count_rows(self, index: int) -> int:
        """Binary chunks are counted from their length; others are read (and not kept).

        ASCII without tabs is counted from line lengths in C. Other text is cut into rows to
        count them, and the rows are kept: under a flood the chunk just measured is the one
        painted next, and cutting long lines of non-ASCII text is costly. An event has no
        rows beyond its header."""
        unit = self.reader.unit(index)
        if unit.event is not None:
            return 0
        width, cut = self.shape_of(index)
        if cut == "fixed":
            return fixed_row_count(unit.length, width)
        checked = self._starts.get(index)
        if checked is not None:
            return len(checked)
        data = self.reader.data(index)  # read already, to judge its shape
        if data.isascii() and b"\t" not in data:
            return count_text_rows(data, width, cut == "bytes", self._cells)
        starts = self._keep_starts(index, text_row_starts(data, width, cut == "bytes", self._cells))
        return len(starts)

    def row_span(self, ref: RowRef) -> tuple[int, int]:
        """The byte range of the unit that a text row shows."""
        width, cut = self.shape_of(ref.unit)
        if cut == "fixed":
            return fixed_row_span(self.reader.unit(ref.unit).length, ref.row, width)
        starts = self._row_starts(ref.unit)
        start = starts[ref.row]
        end = starts[ref.row + 1] if ref.row + 1 < len(starts) else len(self.reader.data(ref.unit))
        return start, end

    def _row_starts(self, unit: int) -> array[int]:
        starts = self._starts.get(unit)
        if starts is None:
            width, cut = self.shape_of(unit)
            data = self.reader.data(unit)
            starts = self._keep_starts(
                unit, text_row_starts(data, width, cut == "bytes", self._cells)
            )
        return starts

    def _keep_starts(self, unit: int, starts: list[int]) -> array[int]:
        """Kept as machine integers: a binary block cut at newlines has a row every few dozen
        bytes, and a list of Python ints took 40 bytes per row (3.4 MiB for a 2 MiB recv)."""
        kept = self._starts[unit] = array("q", starts)
        return kept

    def row_of_byte(self, unit: int, offset: int) -> int:
        width, cut = self.shape_of(unit)
        if cut == "fixed":
            return offset // width
        starts = self._row_starts(unit)
        return max(0, bisect.bisect_right(starts, offset) - 1)

    def paint_row(self, unit: LogUnit, start: int, data: bytes, marks: Marks, row: int) -> Strip:
        glyphs = self.reader.glyphs
        segments = list(self.gutter.lead(unit, row))
        cells = self.gutter.cells
        if marks and self._utf8:
            marks = whole_characters(data, marks)
        parts = split_by_marks(len(data), marks) if marks else [((0, len(data)), None)]
        for (lo, hi), mark in parts:
            pieces = render_text(data[lo:hi], self.encoding)
            if glyphs is ASCII_GLYPHS:
                pieces = ascii_only(pieces)
            if mark is None:
                segments.extend(Segment(piece.text, PIECE_STYLES[piece.kind]) for piece in pieces)
            else:
                segments.extend(
                    Segment(piece.text, PIECE_STYLES[piece.kind] + mark) for piece in pieces
                )
            cells += sum(map(piece_cells, pieces))
        return Strip(segments, cells)


def whole_characters(data: bytes, marks: Marks) -> Marks:
    """Marks widened to whole UTF-8 characters. A mark edge inside a character (the cursor on
    its second byte) would paint each part as `\\xNN` escapes: a row of CJK text ten cells
    wider than the view. The cursor lights the whole character instead."""
    return tuple(
        (character_around(data, lo)[0], character_around(data, hi)[1], kind)
        for lo, hi, kind in marks
    )


class HexPainter(RowPainter):
    """Hex rows: offset, `row_bytes` bytes in groups of 8, and an ASCII column, coloured by
    class. A full `hexdump -C` row of 16 bytes where the view is wide enough, else fewer
    bytes a row (see `view_row_bytes`), so a row is always whole. With `squeeze`, a run of
    rows equal to the row above is one `*` row (squeezed_hex)."""

    gutter_width = 0

    def __init__(
        self,
        reader: UnitReader,
        stream_offsets: bool = False,
        row_bytes: int = BYTES_PER_ROW,
        gutter: RowGutter | None = None,
        squeeze: bool = False,
    ) -> None:
        super().__init__(reader, gutter or RowGutter())
        self.stream_offsets = stream_offsets
        self.row_bytes = row_bytes
        self.row_cells = view_row_cells(row_bytes) + self.gutter.cells
        self.squeezed = (
            SqueezedBlocks(lambda index: reader.unit(index).length, reader.units.read, row_bytes)
            if squeeze
            else None
        )

    def count_rows(self, index: int) -> int | None:
        """Rows of unit `index`; None while its squeezed rows are still being counted."""
        if self.squeezed is not None:
            return self.squeezed.rows(index)
        return fixed_row_count(self.reader.unit(index).length, self.row_bytes)

    def row_span(self, ref: RowRef) -> tuple[int, int]:
        if self.squeezed is not None:
            return self.squeezed.span(ref.unit, ref.row)[:2]
        length = self.reader.unit(ref.unit).length
        return fixed_row_span(length, ref.row, self.row_bytes)

    def row_key(self, ref: RowRef) -> Hashable:
        """A `*` row also paints how many rows it stands for."""
        if ref.row >= 0 and self.squeezed is not None and self.squeezed.may_squeeze(ref.unit):
            return self.squeezed.span(ref.unit, ref.row)
        return super().row_key(ref)

    def is_squeezed(self, ref: RowRef) -> bool:
        """Whether row `ref` is a `*` row (of many rows' bytes; see squeezed_hex.star_marks)."""
        squeezed = self.squeezed
        return (
            squeezed is not None
            and squeezed.may_squeeze(ref.unit)
            and squeezed.span(ref.unit, ref.row).squeezed
        )

    def row_of_byte(self, unit: int, offset: int) -> int:
        if self.squeezed is not None:
            return self.squeezed.shown_row(unit, offset)
        return offset // self.row_bytes

    def paint(self, ref: RowRef, marks: Marks = ()) -> Strip:
        if ref.row < 0 or self.squeezed is None or not self.squeezed.may_squeeze(ref.unit):
            return super().paint(ref, marks)
        span = self.squeezed.span(ref.unit, ref.row)
        if span.squeezed:  # painted from its numbers: a run may be a gigabyte
            return self._paint_star(ref, span, marks)
        data = self.reader.part(ref.unit, span.start, span.end)
        return self.paint_row(self.reader.unit(ref.unit), span.start, data, marks, ref.row)

    def _paint_star(self, ref: RowRef, span: RowSpan, marks: Marks) -> Strip:
        unit = self.reader.unit(ref.unit)
        style = DIRECTION_STYLES[unit.direction]
        if marks:
            style += MARK_STYLES[marks[-1][2]]
        cells = self.row_cells - self.gutter.cells
        star = star_row(span, self.row_bytes, style, cells, self.reader.glyphs.separator)
        lead = self.gutter.lead(unit, ref.row)
        return Strip.join([Strip(lead, self.gutter.cells), star]) if lead else star

    def paint_row(self, unit: LogUnit, start: int, data: bytes, marks: Marks, row: int) -> Strip:
        base = unit.stream_offset if self.stream_offsets else 0
        offset_style = DIRECTION_STYLES[unit.direction]
        segments = hex_segments(
            data, base + start, offset_style, marks, self.reader.glyphs, self.row_bytes
        )
        # Every character after the offset takes one cell: no need to measure the row.
        offset_cells = len(segments[0].text)
        cells = offset_cells + self.row_cells - len("00000000  ")
        lead = self.gutter.lead(unit, row)
        return Strip([*lead, *segments], cells) if lead else Strip(segments, cells)


def split_by_marks(length: int, marks: Marks) -> list[tuple[tuple[int, int], Style]]:
    """Cut [0, length) where marks begin and end; each part takes the style of its top mark."""
    cuts = sorted({0, length, *(lo for lo, _, _ in marks), *(hi for _, hi, _ in marks)})
    parts = []
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        style = Style()
        for mark_lo, mark_hi, kind in marks:
            if mark_lo <= lo and hi <= mark_hi:
                style = MARK_STYLES[kind]
        parts.append(((lo, hi), style))
    return parts


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
