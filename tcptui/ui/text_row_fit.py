"""Whether text rows, cut from a chunk, fit the view once painted.

A row shape is judged from a chunk's first bytes (see `codec.text_rows.row_shape`), and a
sample can hide a run of escapes further on: `\\xNN` paints a byte in four cells, `\\u{0085}`
one byte of a one-byte encoding in eight. Before a shape is used, its rows are checked here.
Checking costs little: most rows are cleared by a bound found with `translate` and `find` in
C, and only a row that might not fit is painted to be sure.
"""

from __future__ import annotations

import bisect
import functools
import operator
from collections.abc import Iterator

from rich.cells import cell_len

from tcptui.codec.safe_text import Piece, ascii_only, render_text

CONTROLS = bytes(set(range(0x20)) - set(b"\t\r\n")) + b"\x7f"
"""Controls painted as one picture each (␀, ␛, ␡); tab, CR and LF take two cells."""
_PRINTABLE = bytes(range(0x20, 0x7F)).replace(b"\\", b"")
"""ASCII painted in one cell each: a backslash is painted `\\\\`, in two."""


def piece_cells(piece: Piece) -> int:
    """Escapes and control pictures take a cell a character; only text may hold wide ones."""
    text = piece.text
    return len(text) if piece.kind != "text" or text.isascii() else cell_len(text)


class RowFit:
    """Checks rows for a view `wrap` cells wide, in one encoding and set of glyphs."""

    def __init__(self, wrap: int, encoding: str, ascii_glyphs: bool, cut_in_cells: bool) -> None:
        self.wrap = wrap
        self.encoding = encoding
        self.ascii_glyphs = ascii_glyphs
        self.cut_in_cells = cut_in_cells
        self.most_cells = most_cells_a_byte(encoding, ascii_glyphs)
        self._ascii_based = decodes_ascii_as_ascii(encoding)
        self._one_cell = _PRINTABLE if self._ascii_based else b""
        if self._ascii_based and not ascii_glyphs:
            self._one_cell += CONTROLS
        narrow = self._one_cell + b"\n"
        self._wide_marks = bytes(byte not in narrow for byte in range(256))
        """A table marking with a 1 the bytes that may paint in more than a cell (but LF)."""

    def is_cut_exactly(self, data: bytes) -> bool:
        """Rows of this chunk are cut by what they paint, with no need of a check: valid
        UTF-8 text cut in cells, or printable ASCII and LFs (a cell a byte)."""
        if self._ascii_based and not data.translate(None, _PRINTABLE + b"\n"):
            return True
        return self.cut_in_cells and is_plain_utf8(data)

    def rows_fit(self, data: bytes, starts: list[int]) -> bool:
        """Whether each row (from each start to the next) fits: by its bound, else painted.

        Rows are at most two bytes narrower than the view, so in an ASCII-based encoding a
        row fits unless it holds bytes that may paint wide: only rows whose count of them
        (found in C) says they might not fit are painted. Nothing is kept per byte: a list of
        a binary chunk's wide bytes took 20 bytes of memory for every byte received.
        """
        ends = [*starts[1:], len(data)]
        if not self._ascii_based or max(map(operator.sub, ends, starts)) > self.wrap - 2:
            return all(
                self.most_cells_of(line) <= self.wrap or self.painted_cells(line) <= self.wrap
                for line in map(data.__getitem__, map(slice, starts, ends))
            )
        wide = data.translate(None, self._one_cell + b"\n")
        if not wide.translate(None, b"\r") and len(wide) == data.count(b"\r\n"):
            return True  # a cell a byte, and line ends (LF, CR LF: room is left for them)
        marked = data.translate(self._wide_marks)
        if len(wide) < len(starts):
            rows = self._rows_holding_wide_bytes(marked, starts, ends)
        else:
            rows = zip(starts, ends, strict=True)
        return not any(
            end - start + 1 + (self.most_cells - 1) * marked.count(1, start, end) > self.wrap
            and self.painted_cells(data[start:end]) > self.wrap
            for start, end in rows
        )  # +1: a row's LF takes two cells

    @staticmethod
    def _rows_holding_wide_bytes(
        marked: bytes, starts: list[int], ends: list[int]
    ) -> Iterator[tuple[int, int]]:
        """The rows where `marked` holds a 1, each once: a few rows of text with a bad byte
        are found without walking every row."""
        row = 0
        position = marked.find(1)
        while position >= 0:
            row = bisect.bisect_right(starts, position, row) - 1
            yield starts[row], ends[row]
            position = marked.find(1, ends[row])

    def most_cells_of(self, row: bytes) -> int:
        """The most cells a row may paint in: a cell a byte for those always painted in one,
        two for a tab or a line break, the encoding's most for any other byte (for all in an
        encoding such as UTF-16, where a byte is no character of its own)."""
        if not self._ascii_based:
            return self.most_cells * len(row)
        heavy = row.translate(None, self._one_cell)
        if not heavy:
            return len(row)
        others = len(heavy.translate(None, b"\t\r\n"))
        return len(row) + len(heavy) - others + (self.most_cells - 1) * others

    def painted_cells(self, data: bytes) -> int:
        """Cells a row of these bytes takes when painted, without its gutter."""
        pieces = render_text(data, self.encoding)
        if self.ascii_glyphs:
            pieces = ascii_only(pieces)
        return sum(map(piece_cells, pieces))


@functools.cache
def most_cells_a_byte(encoding: str, ascii_glyphs: bool) -> int:
    """The most cells one byte may paint in: four (`\\xNN`) in UTF-8, eight in a one-byte
    encoding that shows a byte as `\\u{0085}`. Longer characters take fewer a byte."""
    most = 4
    for value in range(256):
        pieces = render_text(bytes([value]), encoding)
        if ascii_glyphs:
            pieces = ascii_only(pieces)
        most = max(most, sum(map(piece_cells, pieces)))
    return most


@functools.cache
def decodes_ascii_as_ascii(encoding: str) -> bool:
    """Whether ASCII bytes read as the same characters (not in UTF-16, for one)."""
    ascii_bytes = bytes(range(0x80))
    try:
        return ascii_bytes.decode(encoding) == ascii_bytes.decode("ascii")
    except UnicodeDecodeError:
        return False


def is_plain_utf8(data: bytes) -> bool:
    """Valid UTF-8 without controls but tab, CR and LF, all printable: a whole chunk, so a
    character cut at its end does not pass (unlike a sample's). Line breaks are taken out
    with `replace` and controls found with `translate`, the cheapest ways in C: every chunk
    of text is checked so."""
    if len(data.translate(None, CONTROLS)) != len(data):
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    plain = text.replace("\n", "").replace("\r", "").replace("\t", "")
    return text.isascii() or plain.isprintable()
