"""Paint transcript rows as Strips: block headers, event rows, safe text rows and hex rows.

Every character painted here comes from `tcptui.codec`, which maps each received byte to a
visible, printable glyph first (DESIGN.md fact 1). Segments are built directly: no markup.
Where a text row is cut is decided from the bytes in `codec.text_rows`; painters keep the cut
rows of the units they paint and check that they fit (`text_row_fit`).
"""

from __future__ import annotations

import bisect
import codecs
from array import array
from typing import NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from tcptui.capture.log_units import LogUnit
from tcptui.codec.hex_squeeze import RowSpan
from tcptui.codec.hexdump import BYTES_PER_ROW, view_row_cells
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
from tcptui.ui.byte_marks import Marks
from tcptui.ui.hex_segments import MARK_STYLES, hex_segments
from tcptui.ui.log_glyphs import (
    ASCII_GLYPHS,
    DIRECTION_STYLES,
)
from tcptui.ui.recent_cache import RecentCache
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
GUTTER_WIDTH = 2
HEX_WIDTH = view_row_cells(BYTES_PER_ROW)
"""A full `hexdump -C` row: the widest hex row."""
RowKey = tuple[int, int] | RowSpan | None
"""The bytes a row shows, as `row_key` gives them: a `*` row's span says it is squeezed."""
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

    def row_key(self, ref: RowRef) -> RowKey:
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
        self._starts: RecentCache[int, array[int]] = RecentCache(_CHUNK_CACHE_SIZE)
        self._shapes: RecentCache[int, RowShape] = RecentCache(1024)
        ascii_glyphs = reader.glyphs is ASCII_GLYPHS
        self._fit = RowFit(self.wrap, encoding, ascii_glyphs, self._cells is not None)
        self._grown: _Grown | None = None
        """The last unit that grew, as it was cut before."""

    def forget(self, index: int) -> None:
        """Unit `index` grew: what was cut of it before its last line is kept to go on from
        (see `_grown_shape`)."""
        super().forget(index)
        starts, shape = self._starts.get(index), self._shapes.get(index)
        self._grown = None
        if starts is not None and shape is not None and len(starts):
            self._grown = _Grown(index, shape, starts)
        self._starts.discard(index)
        self._shapes.discard(index)

    def shape_of(self, index: int) -> RowShape:
        """How unit `index` is cut into rows: judged from its first bytes, then checked."""
        shape = self._shapes.get(index)
        if shape is None:
            shape = self._grown_shape(index) or self._fitting_shape(index)
            self._shapes[index] = shape
        return shape

    def _grown_shape(self, index: int) -> RowShape | None:
        """The shape of a unit that grew, checked on its new bytes alone, its rows cut again
        from its old last line on; None to judge it whole again.

        Each line is cut on its own (text_rows), so the rows of the lines that had ended stay
        as they were: a storm of tiny reads growing a block of a megabyte re-cut the whole
        block at each take, 25 ms of cutting and as much of checking.
        """
        grown = self._grown
        if grown is None or grown.unit != index:
            return None
        self._grown = None
        data = self.reader.data(index)
        # The line the old last row is part of: it may have grown, and is cut again whole.
        line_start = data.rfind(b"\n", 0, grown.starts[-1]) + 1
        if grown.shape.cut == "fixed" or line_start < SHAPE_SAMPLE:
            return None  # the first bytes, which judged the shape, may have changed
        tail = data[line_start:]
        tail_starts = self._cut(tail, grown.shape)
        if not (self._fit.is_cut_exactly(tail) or self._fit.rows_fit(tail, tail_starts)):
            return None  # the new bytes need narrower rows: the whole unit is cut anew
        kept = grown.starts[: bisect.bisect_left(grown.starts, line_start)]
        kept.extend(line_start + start for start in tail_starts)
        self._starts[index] = kept
        return grown.shape

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


class _Grown(NamedTuple):
    unit: int
    shape: RowShape
    starts: array[int]


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

    def row_key(self, ref: RowRef) -> RowKey:
        """A `*` row also paints how many rows it stands for."""
        if ref.row >= 0 and self.squeezed is not None and self.squeezed.may_squeeze(ref.unit):
            return self.squeezed.span(ref.unit, ref.row)
        return super().row_key(ref)

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
