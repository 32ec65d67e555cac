"""How a chunk is cut into rows for the text view."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from tcptui.codec.safe_text import render_text
from tcptui.codec.text_rows import count_text_rows, text_row_starts


def rows_of(data: bytes, width: int) -> list[bytes]:
    starts = text_row_starts(data, width)
    ends = [*starts[1:], len(data)] if starts else []
    return [data[start:end] for start, end in zip(starts, ends, strict=True)]


def test_empty_data_has_no_rows() -> None:
    assert text_row_starts(b"", 10) == []
    assert count_text_rows(b"", 10) == 0


def test_a_newline_ends_the_row_it_belongs_to() -> None:
    assert rows_of(b"ab\ncd\n\nef", 10) == [b"ab\n", b"cd\n", b"\n", b"ef"]


def test_long_lines_wrap_at_the_width() -> None:
    assert rows_of(b"abcdefg", 3) == [b"abc", b"def", b"g"]


def test_a_newline_just_past_the_width_gets_its_own_row() -> None:
    assert rows_of(b"abc\nd", 3) == [b"abc", b"\n", b"d"]


def test_wrapping_never_splits_a_valid_utf8_character() -> None:
    assert rows_of("aéb".encode(), 2) == ["aé".encode(), b"b"]
    assert rows_of("a😀b".encode(), 2) == ["a😀".encode(), b"b"]
    assert rows_of("日本".encode(), 1) == ["日".encode(), "本".encode()]


def test_invalid_or_unfinished_sequences_are_cut_at_the_width() -> None:
    assert rows_of(b"a\xe2\x82x", 2) == [b"a\xe2", b"\x82x"]
    assert rows_of(b"a\xe2\x82", 2) == [b"a\xe2", b"\x82"]
    assert rows_of(b"a\xc0\x80", 2) == [b"a\xc0", b"\x80"]


def test_a_long_ascii_chunk_is_counted_without_walking_it() -> None:
    assert count_text_rows(b"x" * 262_144, 80) == 3277
    assert count_text_rows((b"x" * 80 + b"\n") * 1000, 80) == 2000


@pytest.mark.parametrize("width", [0, -1])
def test_the_width_must_be_positive(width: int) -> None:
    with pytest.raises(ValueError, match="width"):
        text_row_starts(b"abc", width)
    with pytest.raises(ValueError, match="width"):
        count_text_rows(b"abc", width)


_PIECES = st.sampled_from(
    [b"\n", b"a", b"bc", "é".encode(), "日".encode(), "😀".encode(), b"\xff", b"\xe2\x82", b"\x80"]
)
_CHUNKS = st.one_of(st.binary(max_size=300), st.lists(_PIECES, max_size=80).map(b"".join))


@settings(max_examples=400, deadline=None)
@given(_CHUNKS, st.integers(min_value=1, max_value=24))
def test_counting_rows_agrees_with_listing_them(data: bytes, width: int) -> None:
    assert count_text_rows(data, width) == len(text_row_starts(data, width))


@settings(max_examples=400, deadline=None)
@given(_CHUNKS, st.integers(min_value=1, max_value=24))
def test_rows_cover_the_chunk_and_end_only_where_allowed(data: bytes, width: int) -> None:
    rows = rows_of(data, width)
    assert b"".join(rows) == data
    for row in rows[:-1]:
        assert b"\n" not in row[:-1]
        assert row.endswith(b"\n") or len(row) == width or _completes_character(row, width)


def _completes_character(row: bytes, width: int) -> bool:
    """Longer than the width only to finish a UTF-8 character that started inside it."""
    starts = range(max(0, width - 3), width)
    return width < len(row) <= width + 3 and any(_is_one_character(row[start:]) for start in starts)


def _is_utf8(raw: bytes, final: bool = True) -> bool:
    """Valid UTF-8; unless `final`, a character cut off at the end does not count."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return not final and exc.reason == "unexpected end of data"
    return True


def _is_one_character(raw: bytes) -> bool:
    try:
        return len(raw.decode("utf-8")) == 1
    except UnicodeDecodeError:
        return False


@given(data=st.binary(max_size=300), width=st.integers(min_value=1, max_value=40))
def test_byte_cut_rows_agree_with_their_count_and_cover_the_data(data: bytes, width: int) -> None:
    starts = text_row_starts(data, width, byte_cut=True)
    assert count_text_rows(data, width, byte_cut=True) == len(starts)
    ends = [*starts[1:], len(data)] if starts else []
    rows = [data[start:end] for start, end in zip(starts, ends, strict=True)]
    assert b"".join(rows) == data
    assert all(0 < len(row) <= width for row in rows)
    assert all(b"\n" not in row[:-1] for row in rows)


# -- rows of cells (UTF-8 text in the text view) ------------------------------------------


def cell_rows(text: str, width: int) -> list[str]:
    data = text.encode()
    starts = text_row_starts(data, width, cells=cell_len)
    assert count_text_rows(data, width, cells=cell_len) == len(starts)
    ends = [*starts[1:], len(data)]
    return [data[start:end].decode() for start, end in zip(starts, ends, strict=True)]


def test_a_row_of_two_byte_letters_holds_as_many_letters_as_cells() -> None:
    line = "Съешь же ещё этих мягких французских булок"  # 42 letters, 77 bytes
    assert cell_rows(line + "\n", 44) == [line + "\n"]  # the newline is painted `\n`
    assert cell_rows(line + "\n", 42) == [line, "\n"]
    assert cell_rows(line, 21) == [line[:21], line[21:]]


def test_a_row_never_starts_with_a_combining_mark() -> None:
    assert cell_rows("cafe\u0301s", 4) == ["cafe\u0301", "s"]
    assert cell_rows("Кафе\u0301s", 4) == ["Кафе\u0301", "s"]
    line = "हिन्दी: नमस्ते दुनिया"  # 13 cells in 57 bytes: vowel signs take no cell
    assert cell_rows(line, 13) == [line]
    for width in range(2, 13):
        for row in cell_rows(line, width)[1:]:
            assert cell_len(row[0]) > 0, (width, row)


def test_marks_piled_on_a_letter_still_end_the_row_at_some_point() -> None:
    zalgo = "a" + "\u0301" * 10_000  # 20 001 bytes, one cell
    starts = text_row_starts(zalgo.encode(), 10, cells=cell_len)
    assert len(starts) > 1
    widest = max(end - start for start, end in zip(starts, starts[1:], strict=False))
    assert widest <= 16 * 10 + 3  # and the rest of a character it would cut


def test_rows_with_bytes_that_are_not_utf8_are_cut_in_bytes() -> None:
    """Binary behind a text-like start would otherwise be walked a character at a time."""
    data = "é".encode() * 3 + b"\xff\xfe" + "é".encode() * 3
    # In cells the first row would be ééé (6 bytes); in bytes it is éé, as without cells.
    assert text_row_starts(data, 4, cells=cell_len)[:3] == text_row_starts(data, 4)[:3] == [0, 4, 8]


def test_wide_characters_count_two_cells_and_a_row_holds_at_least_one() -> None:
    assert cell_rows("日本語です", 4) == ["日本", "語で", "す"]
    assert cell_rows("日本", 1) == ["日", "本"]
    assert cell_rows("ab日c", 3) == ["ab", "日c"]


def test_tabs_take_two_cells_in_ascii_text_too() -> None:
    """A line of fewer bytes than the width can still be wider than it when painted."""
    tsv = b"1\t2\t3\t4\t5\n"  # 10 bytes, painted `1\t2\t3\t4\t5\n`: 15 cells
    assert text_row_starts(tsv, 12) == [0]  # in bytes (ASCII mode): one row
    assert text_row_starts(tsv, 12, cells=cell_len) == [0, 8]
    assert count_text_rows(tsv * 3, 12, cells=cell_len) == 6
    indented = b"\t\tif (x) {\n"  # 12 bytes, 16 cells with its `\n`
    assert text_row_starts(indented, 16, cells=cell_len) == [0]
    assert text_row_starts(b"\t" * 40, 20, cells=cell_len) == [0, 10, 20, 30]


def test_backslashes_take_two_cells_as_painted() -> None:
    """A backslash byte is painted `\\\\`: a row of them holds half the width."""
    path = b"C:\\Windows\\System32\n"  # 20 bytes: a row of 22 cells, as rows count a LF
    assert text_row_starts(path, 22, cells=cell_len) == [0]
    assert text_row_starts(path, 21, cells=cell_len) == [0, 19]  # `C:\\Windows\\System32`
    assert text_row_starts(b"\\" * 40, 20, cells=cell_len) == [0, 10, 20, 30]
    assert count_text_rows(b"\\" * 40, 20, cells=cell_len) == 4
    assert text_row_starts("ж\\".encode() * 10, 9, cells=cell_len) == [0, 9, 18, 27]


def test_a_crlf_line_end_is_not_widened_but_a_lone_cr_is() -> None:
    http = b"HTTP/1.1 200 OK\r\n"  # 17 bytes: a row of 17 keeps it whole, painted in 19 cells
    assert text_row_starts(http, 17, cells=cell_len) == [0]
    assert text_row_starts(http, 16, cells=cell_len) == [0, 16]  # cut between CR and LF
    progress = b"10%\r20%\r30%\r40%\r"  # 16 bytes, each `\r` two cells
    assert text_row_starts(progress, 16, cells=cell_len) == [0, 13]  # `10%\r20%\r30%\r4`


def test_short_tab_separated_lines_are_counted_without_a_walk() -> None:
    """Lines under half the width cannot outgrow a row: a big TSV capture costs a few scans."""
    tsv = b"id\tname\tport\n" * 50_000
    assert count_text_rows(tsv, 40, cells=cell_len) == 50_000
    assert count_text_rows(tsv, 20, cells=cell_len) == 50_000  # 14 bytes, 17 cells


def test_characters_shown_as_escapes_count_the_cells_of_their_escape() -> None:
    tabs = "ж\t".encode() * 10  # `\t`: two cells
    assert text_row_starts(tabs, 9, cells=cell_len) == [0, 9, 18, 27]
    joiners = "\u200d".encode() * 8  # painted \u{200D}: eight cells
    assert text_row_starts(b"a" + joiners, 9, cells=cell_len)[:4] == [0, 4, 7, 10]


_TEXT_PIECES = st.sampled_from(
    [
        b"\n",
        b"a",
        "\u0416".encode(),  # Cyrillic: 2 bytes, 1 cell
        "\u0915\u093f".encode(),  # Devanagari letter + vowel sign: 6 bytes, 1 cell
        "\u0301".encode(),  # a combining accent on its own
        "\u65e5".encode(),  # CJK: 3 bytes, 2 cells
        "\U0001f600".encode(),  # emoji: 4 bytes, 2 cells
        b"\xff",
        b"\xe2\x82",
        b"\t",  # `\t`: two cells
        b"\\",  # `\\`: two cells
        b"\r",
        b"\r\n",
        b"x" * 7,
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TEXT_PIECES, max_size=80).map(b"".join), st.integers(min_value=1, max_value=24))
def test_rows_of_cells_cover_the_chunk_and_fit_the_width_as_painted(
    data: bytes, width: int
) -> None:
    starts = text_row_starts(data, width, cells=cell_len)
    assert count_text_rows(data, width, cells=cell_len) == len(starts)
    ends = [*starts[1:], len(data)] if starts else []
    rows = [data[start:end] for start, end in zip(starts, ends, strict=True)]
    # No cut splits a valid character: the rows decode to what the whole chunk does.
    decoded = [row.decode("utf-8", "surrogateescape") for row in rows]
    assert "".join(decoded) == data.decode("utf-8", "surrogateescape")
    for start, row, text in zip(starts, rows, decoded, strict=True):
        assert row
        assert b"\n" not in row[:-1]
        widened = b"\t" in row or b"\\" in row or b"\r" in row.replace(b"\r\n", b"")
        if len(row) <= width and (row.endswith(b"\n") or row is rows[-1]) and not widened:
            continue  # a line or a tail no longer than the width in bytes: one row, as before
        if not _is_utf8(data[start : start + 16 * width], final=start + 16 * width >= len(data)):
            continue  # bytes that are not UTF-8 nearby: the row is cut in bytes (see below)
        painted = sum(cell_len(piece.text) for piece in render_text(row))
        # A row fits as painted, or is one character (with its marks) too wide to share one.
        visible = [
            char
            for char in text
            if cell_len(render_text(char.encode("utf-8", "surrogateescape"))[0].text)
        ]
        # ASCII rows cut in bytes may paint a final `\r\n` two cells wider: room is kept.
        room = width + 2 if row.isascii() else width
        assert painted <= room or len(visible) <= 1, (row, width, painted)


_ASCII_CHUNKS = st.lists(
    st.sampled_from([b"\n", b"a", b"bc", b"\t", b"\\", b"\r", b"\r\n", b"\x1b", b"x" * 30])
)


@settings(max_examples=300, deadline=None)
@given(_ASCII_CHUNKS.map(b"".join), st.integers(min_value=1, max_value=40))
def test_ascii_rows_are_counted_as_they_are_listed_in_every_mode(data: bytes, width: int) -> None:
    """ASCII chunks are counted from line lengths alone, not walked."""
    for byte_cut, cells in ((False, None), (True, None), (False, cell_len)):
        starts = text_row_starts(data, width, byte_cut, cells)
        assert count_text_rows(data, width, byte_cut, cells) == len(starts)


@settings(max_examples=300, deadline=None)
@given(_ASCII_CHUNKS.map(b"".join), st.integers(min_value=1, max_value=40))
@example(b"abc\r\n", 4)  # `abc\r`, then `\n`: the CR is not lone, its LF is in the next row
@example(b"ab\t\tc", 3)
def test_ascii_lines_are_cut_alike_in_ascii_and_in_other_text(data: bytes, width: int) -> None:
    """ASCII chunks are cut a line at a time, ASCII lines in other text a row at a time."""
    for other in ("é\n", "é\t\n", "日本\n"):
        assert_lines_cut_alone(other.encode(), data, width)
        assert_lines_cut_alone(data + b"\n", other.encode(), width)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_TEXT_PIECES, max_size=40).map(b"".join),
    st.lists(_TEXT_PIECES, max_size=40).map(b"".join),
    st.integers(min_value=1, max_value=24),
)
@example(b"\t", "é".encode(), 3)  # the next line's first byte once made `\t\n` two rows
def test_a_line_is_cut_alike_whatever_line_follows(first: bytes, second: bytes, width: int) -> None:
    assert_lines_cut_alone(first + b"\n", second, width)


def assert_lines_cut_alone(first: bytes, second: bytes, width: int) -> None:
    """`first` ends with a newline: its rows, then those of `second`, as if each came alone.
    (So a chunk could be measured in parts split after a newline.)"""
    together = text_row_starts(first + second, width, cells=cell_len)
    alone = text_row_starts(first, width, cells=cell_len)
    assert together == [
        *alone,
        *(len(first) + start for start in text_row_starts(second, width, cells=cell_len)),
    ]
    assert count_text_rows(first + second, width, cells=cell_len) == len(together)
