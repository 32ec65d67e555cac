"""Hostile received bytes as inert, visible text.

A terminal obeys what reaches it, so every byte from a server is mapped to a glyph or an escape
before it becomes screen text: no control, format, bidi or separator character gets through,
and no byte is dropped (each piece says how many input bytes it stands for). A backslash byte
is shown as `\\`, as the escaped-string copy format writes it, so `\r` always means the CR
byte, even where colour does not tell escapes from text (--ascii, monochrome).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from itertools import accumulate, compress, repeat
from operator import add, floordiv, gt
from typing import Literal, NamedTuple

PieceKind = Literal["text", "escape", "invalid", "special"]


class Piece(NamedTuple):
    """A run of output of one kind, and how many input bytes it accounts for."""

    text: str
    kind: PieceKind
    source_len: int


_CONTROL_GLYPHS: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)} | {
    0x09: "\\t",
    0x0A: "\\n",
    0x0D: "\\r",
    0x7F: "\u2421",
    0x5C: "\\\\",
}

# Surrogate escapes (U+DC80..U+DCFF) are how 'surrogateescape' hands back undecodable bytes.
_UTF8_TOKENS = re.compile(
    r"(?P<text>[\x20-\x5b\x5d-\x7e]+)"
    r"|(?P<escape>[\x00-\x1f\x5c\x7f]+)"
    r"|(?P<invalid>[\udc80-\udcff]+)"
    r"|(?P<other>[^\x00-\x7f\udc80-\udcff]+)"
)


class _PieceList:
    """Collects pieces, merging neighbours of one kind so a row has few styled segments."""

    def __init__(self) -> None:
        self.pieces: list[Piece] = []
        self._kind: PieceKind = "text"
        self._texts: list[str] = []
        self._source_len = 0

    def add(self, kind: PieceKind, text: str, source_len: int) -> None:
        if kind != self._kind:
            self._flush()
            self._kind = kind
        self._texts.append(text)
        self._source_len += source_len

    def result(self) -> list[Piece]:
        self._flush()
        return self.pieces

    def _flush(self) -> None:
        if self._texts:
            self.pieces.append(Piece("".join(self._texts), self._kind, self._source_len))
            self._texts = []
            self._source_len = 0


def render_text(data: bytes, encoding: str = "utf-8") -> list[Piece]:
    """Maps received bytes to printable pieces; an unknown encoding raises LookupError."""
    pieces = _PieceList()
    if codecs.lookup(encoding).name == "utf-8":
        _render_utf8(data, pieces)
    else:
        _render_decoded(data, encoding, pieces)
    return pieces.result()


def _render_utf8(data: bytes, pieces: _PieceList) -> None:
    """The common case, done in runs with C-speed string operations."""
    add = pieces.add
    for text, escape, invalid, other in _UTF8_TOKENS.findall(
        data.decode("utf-8", "surrogateescape")
    ):
        if text:
            add("text", text, len(text))
        elif escape:
            add("escape", escape.translate(_CONTROL_GLYPHS), len(escape))
        elif invalid:
            raw = invalid.encode("utf-8", "surrogateescape")
            add("invalid", _hex_escapes(raw), len(raw))
        elif other.isprintable():
            add("text", other, len(other.encode("utf-8")))
        else:
            for char in other:
                add(*_render_char(char), len(char.encode("utf-8")))


def _render_decoded(data: bytes, encoding: str, pieces: _PieceList) -> None:
    """Any other codec, one decoded unit at a time so each piece knows its source bytes."""
    position = 0
    for chars, used in _decoded_units(data, encoding):
        if chars is None:
            pieces.add("invalid", _hex_escapes(data[position : position + 1]), 1)
        elif not chars:  # a BOM or shift sequence: shown, since no byte may vanish
            pieces.add("escape", _hex_escapes(data[position : position + used]), used)
        else:
            for index, char in enumerate(chars):
                pieces.add(*_render_char(char), used if index == 0 else 0)
        position += used


def _decoded_units(data: bytes, encoding: str) -> Iterator[tuple[str | None, int]]:
    """Yields (characters, bytes used); None stands for one byte that cannot be decoded."""
    decoder = codecs.getincrementaldecoder(encoding)()
    start = position = 0
    while start < len(data):
        final = position == len(data)
        try:
            chars = decoder.decode(data[position : position + 1], final)
        except UnicodeError:  # UTF-16 raises the base class for a missing BOM
            yield None, 1
            decoder.reset()
            start = position = start + 1
            continue
        position += not final
        used = position - start - (0 if final else len(decoder.getstate()[0]))
        if chars or used:
            yield chars, used
            start += used


@lru_cache(maxsize=4096)
def _render_char(char: str) -> tuple[PieceKind, str]:
    """isprintable() is False for categories Cc, Cf, Cs, Co, Cn, Zl, Zp and non-space Zs."""
    code = ord(char)
    if code in _CONTROL_GLYPHS:
        return "escape", _CONTROL_GLYPHS[code]
    if char.isprintable():
        return "text", char
    return "special", f"\\u{{{code:04X}}}"


def _hex_escapes(raw: bytes) -> str:
    return "\\x" + raw.hex(" ").replace(" ", "\\x")


CellWidth = Callable[[str], int]
"""How many cells printable text takes on screen (a combining mark alone: 0)."""


def text_row_starts(
    data: bytes, width: int, byte_cut: bool = False, cells: CellWidth | None = None
) -> list[int]:
    """Row starts for the text view: a row ends after a newline or `width` bytes.

    `byte_cut` (for binary chunks) cuts rows at exactly `width` bytes instead of moving the
    cut past a UTF-8 character: rows then follow from line lengths alone, without a walk.
    With `cells` (UTF-8 text), a row of non-ASCII text holds `width` cells instead: Cyrillic
    takes two bytes a cell, Devanagari three, and a row never starts with a combining mark.
    So does a row with tabs, backslashes or lone CRs in it, shown as `\\t`, `\\\\` and `\\r`
    in two cells each.
    Each line is cut on its own, whatever comes before or after it.
    """
    _check_width(width)
    lines, sizes, offsets = _split_lines(data)
    starts: list[int] = []
    done = 0
    for index in _lines_past_a_row(data, lines, sizes, width, byte_cut, cells):
        starts += offsets[done:index]
        starts += _line_row_starts(data, offsets[index], offsets[index + 1], width, byte_cut, cells)
        done = index + 1
    starts += offsets[done : len(sizes)]
    return starts


def count_text_rows(
    data: bytes, width: int, byte_cut: bool = False, cells: CellWidth | None = None
) -> int:
    """Same as len(text_row_starts(...)), without listing the rows of ASCII lines that no tab,
    backslash or lone CR widens: those are counted from line lengths alone."""
    _check_width(width)
    widened = cells is not None and not byte_cut and _has_wide_bytes(data)
    if data.isascii() and not widened:
        return _ascii_rows(data.split(b"\n"), width)
    return len(text_row_starts(data, width, byte_cut, cells))


def _split_lines(data: bytes) -> tuple[list[bytes], list[int], list[int]]:
    """The lines of `data` (without their LF), their sizes (with it) and where each starts,
    and where the last ends; no empty line after a final LF."""
    lines = data.split(b"\n")
    sizes = list(map(add, map(len, lines), repeat(1)))
    sizes[-1] -= 1  # the last line has no LF
    if not sizes[-1]:
        sizes.pop()
        lines.pop()
    return lines, sizes, list(accumulate(sizes, initial=0))


def _lines_past_a_row(
    data: bytes,
    lines: list[bytes],
    sizes: list[int],
    width: int,
    byte_cut: bool,
    cells: CellWidth | None,
) -> Iterator[int]:
    """The lines that may take more than one row, found from their sizes added up in C: those
    longer than `width` bytes, or with `cells`, longer if each tab, backslash and CR took two
    cells (a printable character takes no more cells than bytes). Any other line is one row."""
    widened = cells is not None and not byte_cut
    if max(sizes, default=0) * (1 + widened) <= width:
        return iter(())  # even if every byte took two cells
    costs = sizes
    if widened:
        for wide in _WIDE_BYTES:
            if wide in data:
                costs = list(map(add, costs, map(bytes.count, lines, repeat(wide))))
    return compress(range(len(sizes)), map(gt, costs, repeat(width)))


def _line_row_starts(
    data: bytes, begin: int, end: int, width: int, byte_cut: bool, cells: CellWidth | None
) -> Sequence[int]:
    """Row starts of the line data[begin:end] (with its LF, if any)."""
    line = data[begin:end]
    if byte_cut or (line.isascii() and (cells is None or not _has_wide_bytes(line))):
        return range(begin, end, width)
    if line.isascii():
        return [begin + start for start in _widened_row_starts(line, width)]
    starts = []
    while begin < end:
        starts.append(begin)
        begin = _row_end(data, begin, width, cells)
    return starts


_WIDE_BYTES = (b"\t", b"\r", b"\\")
"""ASCII bytes painted in two cells: `\\t`, `\\r` (unless a LF follows) and `\\\\`."""


def _has_wide_bytes(data: bytes) -> bool:
    """Tabs, backslashes or lone CRs (`in` first: a fiftieth of the search's cost)."""
    return b"\t" in data or b"\\" in data or (b"\r" in data and _LONE_CR.search(data) is not None)


_LONE_CR = re.compile(rb"\r(?!\n)")
"""A CR painted `\\r` in two cells. A row cut in bytes paints its `\\r\\n` two cells wider
than its bytes: the text view leaves room for that."""


def _ascii_rows(lines: list[bytes], width: int) -> int:
    """Rows of ASCII data split at its newlines, where every cut falls at `width` bytes: a line
    of L bytes and its newline takes ceil((L + 1) / width) rows, added up in C (2-5x faster
    than walking the long lines; the text view measures a whole capture again at each new
    width)."""
    ended: int = sum(map(floordiv, map(add, map(len, lines[:-1]), repeat(width)), repeat(width)))
    return ended + -(-len(lines[-1]) // width)  # after the last newline: none if empty


def _check_width(width: int) -> None:
    if width < 1:
        raise ValueError(f"row width must be at least 1, not {width}")


def _row_end(data: bytes, start: int, width: int, cells: CellWidth | None = None) -> int:
    limit = start + width
    newline = data.find(b"\n", start, limit)
    end = newline + 1 if newline >= 0 else min(limit, len(data))
    if cells is not None:
        if newline < 0 and end < len(data) and not data[start : end + 1].isascii():
            return _cells_row_end(data, start, width, cells)  # +1: a mark after the cut
        row = data[start:end]
        if any(wide in row for wide in _WIDE_BYTES) and not _fits_however_wide(row, width):
            return _cells_row_end(data, start, width, cells)
    if newline >= 0 or limit >= len(data):
        return end
    return _past_cut_character(data, start, limit)


def _fits_however_wide(row: bytes, width: int) -> bool:
    """Whether a row fits even if each tab, backslash and CR in it takes two cells. A printable
    character takes no more cells than bytes; others (escapes such as `\\u{200D}`) may
    make a short line wider, as before: text rows are sized for them (see row_shape)."""
    return len(row) + sum(map(row.count, _WIDE_BYTES)) <= width


def _widened_row_starts(line: bytes, width: int) -> list[int]:
    """Row starts of an ASCII line (with its LF, if any) where tabs, backslashes and CRs that no
    LF follows take two cells, as painted (`\\t`, `\\\\`, `\\r`). Each of those gets a
    non-ASCII byte before it, so a row is found with a few calls in C, not a step per byte."""
    marked = line.replace(b"\t", b"\x80\t").replace(b"\r", b"\x80\r").replace(b"\\", b"\x80\\")
    marked = marked.replace(b"\x80\r\n", b"\r\n")
    starts = []
    position = marks = 0
    while position < len(marked):
        starts.append(position - marks)
        cut = position + width - (marked[position + width - 1 : position + width] == b"\x80")
        cut = cut if cut > position else position + 2
        marks += marked.count(b"\x80", position, cut)
        position = cut
    return starts


def _cells_row_end(data: bytes, start: int, width: int, cells: CellWidth) -> int:
    """The end of a row of at most `width` cells from `start` (at least one character).

    Each character counts the cells it is painted in: its own, or its escape's (`\\t`,
    `\\u{200D}`). A row is looked for in a window of four bytes a cell (the most a character
    takes), and a wider one only where marks of no width pile up. Rows with bytes that are
    not UTF-8 are cut in bytes as before: binary behind a text-like start would otherwise
    be walked a character at a time (35 times slower, measured).
    """
    span = 4 * width
    costs = _cost_table(cells)
    while True:
        window_end = min(len(data), start + span)
        newline = data.find(b"\n", start, window_end)
        # The window ends after a newline or a whole character.
        end_of_line = newline >= 0
        window_end = newline + 1 if end_of_line else _past_cut_character(data, start, window_end)
        try:
            text = data[start:window_end].decode("utf-8")
        except UnicodeDecodeError:
            return _row_end(data, start, width)  # in bytes, as without cells
        if (
            (end_of_line or window_end == len(data))
            and ("\t" in text or "\r" in text or "\\" in text)
            and _rest_fits(text, width, cells)
        ):
            return window_end  # the rest of a line with tabs
        if len(text) > width:
            head = text[:width].encode("utf-8")
            if len(head) <= 2 * width and _fills_row(text, width, cells):
                return start + len(head)
        used = 0
        position = start
        for char in text:
            cost = costs.get(char)
            if cost is None:
                cost = costs[char] = _char_cost(char, cells)
            if used + cost[0] > width and position > start:
                return position
            used += cost[0]
            position += cost[1]
        if position == len(data) or end_of_line or span >= _MOST_BYTES_A_CELL * width:
            return position  # a pile of marks from a hostile server ends the row anyway
        span *= 4


def _rest_fits(text: str, width: int, cells: CellWidth) -> bool:
    """Whether the rest of a line, printable but for tabs, backslashes and line breaks (painted
    `\\t` and such, in two cells), fits the row: lines with tabs whose bytes outnumber their
    cells (CJK) are measured at once."""
    if len(text) > width:
        return False
    plain = text.replace("\t", "").replace("\r", "").replace("\n", "").replace("\\", "")
    return plain.isprintable() and cells(plain) + 2 * (len(text) - len(plain)) <= width


def _fills_row(text: str, width: int, cells: CellWidth) -> bool:
    """Whether the first `width` characters are printable, take a cell each (no backslash, in
    two), and the next is no mark to keep with them: most rows of two-byte text (Latin, Greek,
    Cyrillic, Hebrew, Arabic), cut without a walk."""
    head = text[:width]
    after = text[width]
    return (
        head.isprintable()
        and "\\" not in head
        and cells(head) == width
        and not (after.isprintable() and cells(after) == 0)
    )


_MOST_BYTES_A_CELL = 16
"""A row holds at most this many bytes a cell: marks of no width may pile up on a letter,
but not without end (one row of a megabyte of them would be painted, and sent to the
terminal, whole)."""

_COST_TABLES: dict[CellWidth, dict[str, tuple[int, int]]] = {}
_MOST_COSTS = 1 << 16
"""Characters a cost table keeps: a server sending every code point cannot make it huge.
A cost depends on the character alone, so forgetting them changes no row."""


def _cost_table(cells: CellWidth) -> dict[str, tuple[int, int]]:
    table = _COST_TABLES.get(cells)
    if table is None or len(table) > _MOST_COSTS:
        table = _COST_TABLES[cells] = {}
    return table


def _char_cost(char: str, cells: CellWidth) -> tuple[int, int]:
    """The cells `render_text` paints a (valid) character in, and its UTF-8 bytes."""
    code = ord(char)
    if code == 0xFE0F:
        painted = 1  # emoji presentation: the character before it takes two cells, not one
    elif code >= 0x10000 and char.isprintable():
        # Emoji and CJK take two cells; the few other printable characters out there are
        # counted as two as well. Measuring each one made rows of random ones 40x slower.
        painted = 2
    else:
        kind, text = _render_char(char)
        painted = cells(text) if kind == "text" and code >= 0x80 else len(text)
    return painted, _utf8_size(code)


def _utf8_size(code: int) -> int:
    """Bytes of a character decoded with 'surrogateescape' (an undecodable byte is one)."""
    if code < 0x80 or 0xDC80 <= code <= 0xDCFF:
        return 1
    if code < 0x800:
        return 2
    return 3 if code < 0x10000 else 4


def _past_cut_character(data: bytes, start: int, end: int) -> int:
    """Moves `end` past a valid UTF-8 character it would cut, so wide text stays readable."""
    for lead in range(end - 1, max(start, end - 3) - 1, -1):
        byte = data[lead]
        if byte < 0x80:
            return end
        if byte >= 0xC0:
            stop = lead + _utf8_length(byte)
            if end < stop <= len(data) and _is_utf8(data[lead:stop]):
                return stop
            return end
    return end


def _utf8_length(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_ASCII_FOR_GLYPH = {
    ord(glyph): ("\\e" if code == 0x1B else f"\\x{code:02x}")
    for code, glyph in _CONTROL_GLYPHS.items()
    if len(glyph) == 1
}


def ascii_only(pieces: list[Piece]) -> list[Piece]:
    """The same pieces in plain ASCII, for terminals without Unicode: control pictures become
    `\\xNN` (`\\e` for ESC) and any other non-ASCII character `\\u{XXXX}`."""
    converted = []
    for piece in pieces:
        text = piece.text.translate(_ASCII_FOR_GLYPH)
        if not text.isascii():
            text = "".join(ch if ch.isascii() else f"\\u{{{ord(ch):04X}}}" for ch in text)
        converted.append(Piece(text, piece.kind, piece.source_len))
    return converted


def safe_label(text: str) -> str:
    """Text from outside (a session file, a server's name) made safe for a title or label:
    every control, format or invisible character shown as an escape, never sent raw. A
    backslash stays single: a label is text, not bytes whose `\\r` could be mistaken for a CR
    (a typed `\\` in an error message quoting it must read as typed)."""
    return "\\".join(
        "".join(piece.text for piece in render_text(part.encode("utf-8", "surrogateescape")))
        for part in text.split("\\")
    )
