"""Random and hostile bytes through every renderer: only printable characters, no byte lost.

`render_text` is fuzzed directly; the text and hex views are fuzzed through the painters the
app uses (`TextPainter`, `HexPainter` over a real Capture), every row of every chunk, at
several widths and encodings. The hostile corpus then goes through the running app.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.strip import Strip

from tcptui.capture.store import Capture, Direction
from tcptui.codec.hexdump import BYTES_PER_ROW, view_row_bytes
from tcptui.codec.safe_text import render_text
from tcptui.ui.byte_marks import Marks
from tcptui.ui.hex_segments import hex_segments
from tcptui.ui.log_glyphs import ASCII_GLYPHS, DIRECTION_STYLES, UNICODE_GLYPHS
from tcptui.ui.row_gutter import NARROW_GUTTER_CELLS, TimeGutter, compact_gutter_cells
from tcptui.ui.transcript_layout import RowRef
from tcptui.ui.transcript_rows import HexPainter, TextPainter
from tcptui.ui.transcript_view import MIN_COMPACT_TEXT
from tests.helpers.app_parts import current_log
from tests.helpers.units import chunk_reader
from tests.reliability.hostile_corpus import CASES, HOSTILE_PAYLOAD
from tests.ui.helpers import all_rows, make_app, rendered_rows

ENCODINGS = ["utf-8", "latin-1", "cp1252", "shift_jis", "utf-16-le", "cp437", "euc-jp"]
HOSTILE_FRAGMENTS = [*CASES.values(), b"\x1b", b"\x9b", b"\xc2\x9b", "\u202e".encode()]

hostile_bytes = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=120).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from(HOSTILE_FRAGMENTS), max_size=6).map(b"".join),
    st.lists(st.one_of(st.binary(max_size=8), st.sampled_from(HOSTILE_FRAGMENTS)), max_size=12).map(
        b"".join
    ),
)


def unprintable(text: str) -> list[str]:
    return [f"U+{ord(char):04X}" for char in text if not char.isprintable()]


def painted_rows(painter: TextPainter | HexPainter, capture: Capture) -> Iterator[Strip]:
    """Every row the painter draws for the capture: each chunk's header and content rows."""
    for index in range(len(capture)):
        yield painter.paint(RowRef(index, -1))
        for row in range(painter.count_rows(index)):
            yield painter.paint(RowRef(index, row))


def capture_of(*chunks: bytes) -> Capture:
    capture = Capture()
    for number, data in enumerate(chunks):
        if data:
            capture.append(Direction(number % 2), data)
    return capture


# -- render_text ------------------------------------------------------------------------------


@settings(max_examples=400)
@given(hostile_bytes, st.sampled_from(ENCODINGS))
def test_render_text_shows_only_printable_pieces_that_account_for_every_byte(
    data: bytes, encoding: str
) -> None:
    pieces = render_text(data, encoding)
    assert sum(piece.source_len for piece in pieces) == len(data)
    for piece in pieces:
        assert not unprintable(piece.text), (piece, data)
        assert piece.text, piece


@settings(max_examples=200)
@given(st.lists(hostile_bytes, min_size=1, max_size=4))
def test_rendering_pieces_of_a_stream_accounts_for_the_whole_stream(parts: list[bytes]) -> None:
    """A chunk cut anywhere (as rows cut it) still accounts for each byte exactly once."""
    total = sum(piece.source_len for part in parts for piece in render_text(part))
    assert total == sum(map(len, parts))


# -- the painters -----------------------------------------------------------------------------


@settings(max_examples=150)
@given(
    st.lists(hostile_bytes, min_size=1, max_size=4),
    st.integers(min_value=1, max_value=140),
    st.sampled_from(ENCODINGS),
)
def test_text_view_rows_are_printable_and_cover_every_byte_once(
    chunks: list[bytes], width: int, encoding: str
) -> None:
    capture = capture_of(*chunks)
    try:
        painter = TextPainter(chunk_reader(capture), width, encoding)
        for strip in painted_rows(painter, capture):
            assert not unprintable(strip.text), strip.text
            assert strip.cell_length == Strip(list(strip)).cell_length  # measured = declared
        for index in range(len(capture)):
            spans = [
                painter.row_span(RowRef(index, row)) for row in range(painter.count_rows(index))
            ]
            covered = [offset for start, end in spans for offset in range(start, end)]
            assert covered == list(range(capture.chunk(index).length))
    finally:
        capture.close()


@settings(max_examples=150)
@given(st.lists(hostile_bytes, min_size=1, max_size=4), st.booleans())
def test_hex_view_rows_are_printable_and_show_every_byte(
    chunks: list[bytes], stream_offsets: bool
) -> None:
    capture = capture_of(*chunks)
    try:
        painter = HexPainter(chunk_reader(capture), stream_offsets)
        for strip in painted_rows(painter, capture):
            assert not unprintable(strip.text), strip.text
            assert strip.cell_length == Strip(list(strip)).cell_length  # measured = declared
        for index in range(len(capture)):
            data = capture.read_chunk(index)
            rows = [
                painter.paint(RowRef(index, row)).text for row in range(painter.count_rows(index))
            ]
            shown = "".join(row[10 : 10 + 3 * BYTES_PER_ROW + 1] for row in rows)
            assert bytes.fromhex(shown.replace(" ", "")) == data
    finally:
        capture.close()


@settings(max_examples=300)
@given(st.binary(min_size=1, max_size=BYTES_PER_ROW), st.booleans())
def test_an_unmarked_hex_row_paints_as_a_marked_row_with_no_marks(
    data: bytes, ascii_glyphs: bool
) -> None:
    """Rows without marks take a run-by-run fast path; a mark that covers nothing must not
    change a cell or a colour, so the per-byte path with an empty mark is the reference."""
    glyphs = ASCII_GLYPHS if ascii_glyphs else UNICODE_GLYPHS
    style = DIRECTION_STYLES[Direction.RECEIVED]
    fast = Strip(hex_segments(data, 0x1230, style, (), glyphs))
    per_byte = Strip(hex_segments(data, 0x1230, style, ((0, 0, "match"),), glyphs))
    assert fast.text == per_byte.text
    assert list(fast.simplify()) == list(per_byte.simplify())


@settings(max_examples=300)
@given(
    st.lists(hostile_bytes, min_size=1, max_size=4),
    st.integers(min_value=20, max_value=250),
    st.sampled_from(ENCODINGS),
    st.booleans(),
    st.booleans(),
)
def test_no_text_row_is_painted_wider_than_its_view(
    chunks: list[bytes], view_width: int, encoding: str, ascii_glyphs: bool, compact: bool
) -> None:
    """At any width from 20 to 250 columns, for any bytes: a row shape judged from a chunk's
    first bytes must never paint a row wider than the view (a sideways scroll bar). Compact
    rows' wider gutter is taken from the width the rows are cut for."""
    capture = capture_of(*chunks)
    glyphs = ASCII_GLYPHS if ascii_glyphs else UNICODE_GLYPHS
    content = view_width - 4  # the border and the vertical scroll bar
    try:
        reader = chunk_reader(capture, glyphs=glyphs)
        if compact:  # the time gives way in a narrow view, as the view decides
            cells = compact_gutter_cells(content, MIN_COMPACT_TEXT)
            gutter = TimeGutter(reader, DIRECTION_STYLES, cells == NARROW_GUTTER_CELLS)
            painter = TextPainter(reader, content - cells, encoding, gutter)
        else:
            painter = TextPainter(reader, content - 2, encoding)
        for strip in painted_rows(painter, capture):
            if "received" in strip.text or "sent" in strip.text:
                continue  # a header: cut by the view, as a title is
            assert strip.cell_length <= content, (view_width, encoding, strip.text)
    finally:
        capture.close()


@settings(max_examples=200)
@given(
    hostile_bytes,
    st.integers(min_value=20, max_value=250),
    st.booleans(),
    st.data(),
)
def test_the_cursor_or_a_selection_never_widens_a_text_row(
    data: bytes, view_width: int, ascii_glyphs: bool, draw: st.DataObject
) -> None:
    """A mark edge inside a UTF-8 character would paint its bytes as escapes, wider."""
    capture = capture_of(data or b"x")
    glyphs = ASCII_GLYPHS if ascii_glyphs else UNICODE_GLYPHS
    content = view_width - 4
    try:
        painter = TextPainter(chunk_reader(capture, glyphs=glyphs), content - 2)
        for row in range(painter.count_rows(0)):
            start, end = painter.row_span(RowRef(0, row))
            lo = draw.draw(st.integers(min_value=0, max_value=end - start - 1))  # clipped to
            hi = draw.draw(st.integers(min_value=lo + 1, max_value=end - start))  # the row
            marks: Marks = ((lo, hi, "selection"), (lo, lo + 1, "cursor"))
            assert painter.paint(RowRef(0, row), marks).cell_length <= content, marks
    finally:
        capture.close()


@pytest.mark.parametrize("glyphs", [ASCII_GLYPHS, UNICODE_GLYPHS])
def test_backslashes_painted_in_two_cells_never_widen_a_row(glyphs: object) -> None:
    """Found by the test above: with ASCII glyphs, rows cut in bytes took a backslash for one
    cell, so nine spaces and three backslashes (15 cells) made a row of a 14-cell view."""
    capture = capture_of(b"         " + b"\\" * 3)
    try:
        painter = TextPainter(chunk_reader(capture, glyphs=glyphs), 14)
        widths = [
            painter.paint(RowRef(0, row), ()).cell_length for row in range(painter.count_rows(0))
        ]
        assert max(widths) <= 14 + painter.gutter_width
    finally:
        capture.close()


@settings(max_examples=200)
@given(
    st.lists(st.binary(min_size=1, max_size=300), min_size=1, max_size=3),
    st.integers(min_value=60, max_value=250),
    st.booleans(),
)
def test_hex_rows_are_whole_at_every_width_from_60_columns(
    chunks: list[bytes], view_width: int, compact: bool
) -> None:
    content = view_width - 4
    capture = capture_of(*chunks)
    try:
        reader = chunk_reader(capture)
        gutter = TimeGutter(reader, DIRECTION_STYLES) if compact else None
        row_bytes = view_row_bytes(content - (gutter.cells if gutter else 0))
        painter = HexPainter(reader, row_bytes=row_bytes, gutter=gutter)
        for index in range(len(capture)):
            rows = [painter.paint(RowRef(index, row)) for row in range(painter.count_rows(index))]
            assert all(row.cell_length <= content for row in rows)
            assert all(row.text.endswith("│") for row in rows)  # the ASCII column is whole
            data = capture.read_chunk(index)
            for number, row in enumerate(rows):
                shown = data[number * row_bytes :][:row_bytes]
                column = "".join(chr(value) if 32 <= value < 127 else "·" for value in shown)
                assert row.text.endswith(f"│{column.ljust(row_bytes)}│")
    finally:
        capture.close()


@settings(max_examples=150)
@given(
    st.lists(
        st.lists(st.sampled_from([bytes(16), b"\x1b[2J" * 4, bytes(range(16))]), max_size=30).map(
            b"".join
        )
        | hostile_bytes,
        min_size=1,
        max_size=4,
    ),
    st.integers(min_value=60, max_value=250),
    st.booleans(),
)
def test_squeezed_hex_rows_are_printable_fit_and_stand_for_every_byte(
    chunks: list[bytes], view_width: int, compact: bool
) -> None:
    content = view_width - 4
    capture = capture_of(*chunks)
    try:
        reader = chunk_reader(capture)
        gutter = TimeGutter(reader, DIRECTION_STYLES) if compact else None
        row_bytes = view_row_bytes(content - (gutter.cells if gutter else 0))
        painter = HexPainter(reader, row_bytes=row_bytes, gutter=gutter, squeeze=True)
        skip = gutter.cells if gutter else 0
        for index in range(len(capture)):
            rows = painter.count_rows(index)
            assert rows is not None  # short chunks are counted in one call
            data = capture.read_chunk(index)
            spans = [painter.row_span(RowRef(index, row)) for row in range(rows)]
            assert [at for start, end in spans for at in range(start, end)] == list(
                range(len(data))
            )
            for row, (start, end) in enumerate(spans):
                strip = painter.paint(RowRef(index, row))
                assert not unprintable(strip.text) and strip.cell_length <= content
                text = strip.text[skip:]
                if text.startswith("*"):
                    assert data[start:end] == data[start - row_bytes : start] * (
                        (end - start) // row_bytes
                    )
                else:
                    assert text.endswith("│")
                    shown = text[10 : 10 + 3 * row_bytes + (row_bytes - 1) // 8]
                    assert bytes.fromhex(shown.replace(" ", "")) == data[start:end]
    finally:
        capture.close()


def test_every_byte_value_paints_printable_in_every_encoding() -> None:
    capture = capture_of(bytes(range(256)) * 3, HOSTILE_PAYLOAD)
    try:
        for encoding in ENCODINGS:
            painter = TextPainter(chunk_reader(capture), 60, encoding)
            for strip in painted_rows(painter, capture):
                assert not unprintable(strip.text), (encoding, strip.text)
    finally:
        capture.close()


# -- through the running app ------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1", "shift_jis", "utf-16-le"])
async def test_hostile_corpus_renders_printable_in_the_app(encoding: str) -> None:
    """Every corpus case as its own chunk, painted by the app's views (all rows and on screen)."""
    capture = capture_of(*(data for data in CASES.values() for data in (data, b"reply\n")))
    app = make_app(None, capture=capture)
    async with app.run_test(size=(150, 50)) as pilot:
        current_log(app).refresh_data()
        current_log(app).set_encoding(encoding)
        await pilot.pause()
        for view in (current_log(app).text_view, current_log(app).hex_view):
            rows = all_rows(view)
            assert sum("received" in row for row in rows) == len(CASES)
            for row in rows + rendered_rows(view):
                assert not unprintable(row), (encoding, row)
        await pilot.press("f5")  # text view alone, wider: painted again at another width
        await pilot.pause()
        for row in all_rows(current_log(app).text_view):
            assert not unprintable(row), (encoding, row)


@pytest.mark.parametrize("char", ["\u200b", "\u202e", "\ufeff"])
def test_text_rows_of_invisible_characters_fit_the_view(char: str) -> None:
    capture = capture_of((char * 100).encode())
    try:
        painter = TextPainter(chunk_reader(capture), 80)
        widths = [painter.paint(RowRef(0, row)).cell_length for row in range(painter.count_rows(0))]
        assert max(widths) <= 80 + TextPainter.gutter_width, widths
    finally:
        capture.close()


def random_chunks(count: int, seed: int) -> list[bytes]:
    """Text, binary and text with escapes mixed, as a real conversation with a device."""
    rng = random.Random(seed)
    fragments = [*HOSTILE_FRAGMENTS, b"\t", b"\r\n", b"\xff", "日本語".encode(), b"ok "]
    chunks = []
    for number in range(count):
        kind = number % 3
        if kind == 0:
            chunks.append(rng.randbytes(rng.randint(1, 400)))
        elif kind == 1:
            text = " ".join("word" * rng.randint(1, 9) for _ in range(rng.randint(1, 40)))
            chunks.append(text.encode() + b"\n")
        else:
            chunks.append(b"".join(rng.choice(fragments) for _ in range(rng.randint(1, 60))))
    return chunks


@pytest.mark.parametrize("compact", [False, True])
async def test_1500_random_chunks_never_scroll_the_text_view_sideways(compact: bool) -> None:
    """Binary and text chunks at every width the log may get: no horizontal scroll bar, and
    no row of the whole transcript wider than the view (the user never asked for no wrap),
    with compact rows' gutter too."""
    capture = capture_of(*random_chunks(1500, seed=24))
    app = make_app(None, capture=capture)
    async with app.run_test(size=(250, 40)) as pilot:
        log = current_log(app)
        log.refresh_data()
        await pilot.press("ctrl+l", "f5")  # no panel, the text view alone: the whole width
        view = log.text_view
        if compact:
            log.set_row_options(compact=True, squeeze=True)
        for columns in range(250, 19, -23):
            await pilot.resize_terminal(columns, 40)
            await pilot.pause()
            while view.layout_rows.pending or view.border_subtitle:
                await pilot.pause()  # measured in slices for the new width
            content = view.scrollable_content_region.width
            assert view.layout_rows.content_row(0) == (0 if compact else 1)
            assert not view.show_horizontal_scrollbar, columns
            assert view.virtual_size.width <= content, columns
            layout = view.layout_rows
            widths = {
                view.strip_for(ref).cell_length
                for ref in map(layout.locate, range(layout.total_rows))
                if ref is not None and ref.row >= 0
            }
            assert max(widths) <= content, (columns, max(widths))
