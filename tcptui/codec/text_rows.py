"""Where the text view cuts a chunk of received bytes into rows.

A chunk's row shape is judged from its first bytes (plain text, mostly text, binary); its rows
are then found in bytes, or for UTF-8 text in the cells `safe_text` paints them in. All of it
is pure bytes arithmetic: how wide printable text is on screen comes in as a function, so
the same rows are cut whatever draws them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from itertools import accumulate, compress, repeat
from operator import add, floordiv, gt
from typing import Literal, NamedTuple

from tcptui.codec.safe_text import render_char


class RowShape(NamedTuple):
    """How a chunk's text rows are cut: `width` bytes a row at most, and

    - text: whole characters, a row ends after each newline (plain text);
    - bytes: exact bytes, a row ends after each newline (mostly printable, some binary);
    - fixed: exactly `width` bytes a row, newlines shown as `\\n` inside (binary). Rows then
      follow from the length alone: a flood of binary costs nothing per byte to measure.
    """

    width: int
    cut: Literal["text", "bytes", "fixed"]


SHAPE_SAMPLE = 1024
"""How many of a chunk's first bytes its row shape is judged from."""
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]")


def row_shape(data: bytes, width: int) -> RowShape:
    """How to cut a chunk that starts with `data` into text rows that fit `width` cells.

    Plain text is about a cell a byte. Otherwise a byte may take four cells (`\\xNN`), so the
    row shrinks in proportion to how many such bytes the chunk has, never below width / 4;
    in mostly-text data only what is shown as an escape counts, not valid characters.
    Mostly printable data with a few bad bytes keeps whole characters; other data with short
    lines still ends rows at newlines; binary gets fixed rows. All is judged from the
    chunk's first bytes: under a flood every chunk is measured on arrival, and a sample costs
    the same whatever the chunk's size.
    """
    sample = data[:SHAPE_SAMPLE]
    if is_plain_text(sample):
        return RowShape(max(4, width - 2), "text")
    invalid = sample.decode("utf-8", "replace").count("\ufffd")
    if invalid * 20 <= len(sample):
        escaped = _escaped_bytes(sample.decode("utf-8", "surrogateescape"))
        return RowShape(_row_for(width, len(sample), escaped), "text")
    row = _row_for(width, len(sample), len(sample.translate(None, _ONE_CELL_BYTES)))
    if sample.count(b"\n") * row * 4 >= len(sample):  # short lines: keep them as rows
        return RowShape(row, "bytes")
    # Fixed rows fit the worst case (four cells a byte): binary never scrolls sideways.
    return RowShape(max(2, width // 4), "fixed")


def _row_for(width: int, sample_len: int, special: int) -> int:
    """Bytes a row of `width` cells can hold when `special` bytes of the sample may take four
    cells each and the rest one."""
    estimate = width * sample_len // (sample_len + 3 * special) - 2
    return max(2, width // 4, estimate)


def _escaped_bytes(text: str) -> int:
    """Bytes of mostly-text `text` that may be shown as escapes (up to four cells a byte).

    Printable characters take at most a cell a byte (a 3-byte CJK character takes two), so
    runs outside printable ASCII count only when not printable: bad bytes, controls, format
    characters.
    """
    plain = text.translate(_LINE_BREAKS)
    line_breaks = len(text) - len(plain)  # tab, CR, LF: a byte each, shown as `\n` and such
    return (
        line_breaks
        + plain.count("\\")
        + sum(
            len(run.encode("utf-8", "surrogateescape"))
            for run in _OUTSIDE_ASCII.findall(plain)
            if not run.isprintable()
        )
    )


_ONE_CELL_BYTES = bytes(range(0x20, 0x7F)).replace(b"\\", b"")  # a backslash is shown `\\`
_OUTSIDE_ASCII = re.compile(r"[^\x20-\x7e]+")


def is_plain_text(data: bytes) -> bool:
    """Valid UTF-8 without control bytes other than tab, CR and LF: about a cell a byte.

    A character cut off at the very end (a sample's edge) does not count against it.
    """
    if _CONTROL_BYTES.search(data):
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason != "unexpected end of data" or exc.start < len(data) - 3:
            return False
        text = data[: exc.start].decode("utf-8")
    return text.isascii() or text.translate(_LINE_BREAKS).isprintable()


_LINE_BREAKS = dict.fromkeys(map(ord, "\t\r\n"))


def fixed_row_count(length: int, width: int) -> int:
    """Rows of `width` bytes (the last may be shorter) that hold `length` bytes."""
    return -(-length // width)


def fixed_row_span(length: int, row: int, width: int) -> tuple[int, int]:
    """The byte range that row `row` of fixed `width`-byte rows shows."""
    start = row * width
    return start, min(length, start + width)


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
    """Tabs, backslashes or lone CRs (`in` first: far cheaper than the search)."""
    return b"\t" in data or b"\\" in data or (b"\r" in data and _LONE_CR.search(data) is not None)


_LONE_CR = re.compile(rb"\r(?!\n)")
"""A CR painted `\\r` in two cells. A row cut in bytes paints its `\\r\\n` two cells wider
than its bytes: the text view leaves room for that."""


def _ascii_rows(lines: list[bytes], width: int) -> int:
    """Rows of ASCII data split at its newlines, where every cut falls at `width` bytes: a line
    of L bytes and its newline takes ceil((L + 1) / width) rows, added up in C rather than
    by walking the long lines: the text view measures a whole capture again at each new
    width."""
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
    be walked a character at a time, far slower than cutting it in bytes.
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
        # counted as two as well: measuring each one made rows of random ones crawl.
        painted = 2
    else:
        kind, text = render_char(char)
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


def character_around(data: bytes, edge: int) -> tuple[int, int]:
    """The valid UTF-8 character that `edge` cuts, as (start, end); (edge, edge) if none: a
    mark's edge moved out to it paints the character whole, not as escapes of its parts."""
    if not 0 < edge < len(data) or data[edge] & 0xC0 != 0x80:
        return edge, edge
    for lead in range(edge - 1, max(-1, edge - 4), -1):
        if data[lead] & 0xC0 != 0x80:
            for end in range(edge + 1, min(len(data), lead + 4) + 1):
                if _is_utf8(data[lead:end]):
                    return lead, end
            break
    return edge, edge


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
