"""How text rows are cut: text by characters, short-lined binary at newlines, binary in fixed
rows that always fit the view. Checked on real chunks in a real Capture."""

from __future__ import annotations

import random

import pytest

from tcptui.capture.store import Capture, Direction
from tcptui.codec.text_rows import RowShape, count_text_rows, row_shape
from tcptui.net.demo_server import UTF8
from tcptui.ui.log_glyphs import ASCII_GLYPHS, UNICODE_GLYPHS
from tcptui.ui.transcript_layout import RowRef
from tcptui.ui.transcript_rows import TextPainter
from tests.helpers.units import chunk_reader

VIEW_WIDTH = 97
RANDOM = random.Random(9).randbytes(300_000)


@pytest.mark.parametrize(
    ("data", "cut"),
    [
        (b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n" * 50, "text"),
        ("naïve café, 日本語のテキスト\n".encode() * 100, "text"),
        (b"\x1b[31mred\x1b[0m\x07\x00\xff\r\n" * 200, "bytes"),
        (RANDOM, "fixed"),
        (bytes(range(256)) * 4, "fixed"),
    ],
)
def test_each_kind_of_chunk_gets_its_cut(data: bytes, cut: str) -> None:
    assert row_shape(data, VIEW_WIDTH).cut == cut


def test_fixed_rows_fit_the_worst_case_of_four_cells_a_byte() -> None:
    assert row_shape(RANDOM, VIEW_WIDTH) == RowShape(VIEW_WIDTH // 4, "fixed")


@pytest.mark.parametrize(
    "data",
    [
        RANDOM,
        b"\x1b[1mx\x00\xfe\n" * 5000,
        b"line\n" * 9000,
        (b"\t\tx = " + b"y" * 80 + b"\t# tab-indented code\n") * 500,  # `\t`: two cells
        (b"\t".join([b"field"] * 40) + b"\n") * 200,  # long tab-separated lines
        (b"10%\r20%\r" * 30 + b"\n") * 100,  # progress shown with lone CRs
        "\tпривет\tмир\t".encode() * 200,
    ],
    ids=["binary", "escapes", "lines", "indented", "tsv", "progress", "cyrillic-tabs"],
)
def test_rows_cover_the_chunk_exactly_once_and_agree_with_their_count(data: bytes) -> None:
    capture = Capture(spool_threshold=1024)
    try:
        capture.append(Direction.RECEIVED, data)
        painter = TextPainter(chunk_reader(capture), VIEW_WIDTH)
        rows = painter.count_rows(0)
        spans = [painter.row_span(RowRef(0, row)) for row in range(rows)]
        assert spans[0][0] == 0 and spans[-1][1] == len(data)
        assert all(end == start for (_, end), (start, _) in zip(spans, spans[1:], strict=False))
        assert all(start < end for start, end in spans)
        for offset in (0, 1, len(data) // 3, len(data) - 1):
            start, end = spans[painter.row_of_byte(0, offset)]
            assert start <= offset < end
        cells = max(len(painter.paint(RowRef(0, row)).text) for row in range(min(rows, 500)))
        assert cells <= VIEW_WIDTH + 2  # the gutter: rows never need sideways scrolling
    finally:
        capture.close()


def test_multilingual_text_with_a_bad_byte_keeps_nearly_whole_rows_that_fit() -> None:
    """Valid non-ASCII characters take at most a cell a byte: only the bad byte is an escape."""
    data = "naïve café, 日本語のテキスト, emoji 😀 — ok\n".encode() * 30 + b"\xff tail\n"
    shape = row_shape(data, VIEW_WIDTH)
    assert shape.cut == "text"
    assert shape.width >= VIEW_WIDTH - 10
    capture = Capture()
    try:
        capture.append(Direction.RECEIVED, data)
        painter = TextPainter(chunk_reader(capture), VIEW_WIDTH)
        rows = [painter.paint(RowRef(0, row)) for row in range(painter.count_rows(0))]
        assert max(row.cell_length for row in rows) <= VIEW_WIDTH + TextPainter.gutter_width
    finally:
        capture.close()


@pytest.mark.parametrize("ascii_only", [False, True])
def test_each_line_of_the_demos_multilingual_text_is_one_row_that_fits(ascii_only: bool) -> None:
    """Rows of UTF-8 text hold a width of cells, not bytes: Cyrillic, Arabic and Hebrew take
    two bytes a cell and Devanagari nearly three (its vowel signs take none), so in bytes
    these lines wrapped at a half or a third of the view, one between a letter and its
    vowel sign. In ASCII mode every such character is an escape: rows stay in bytes."""
    capture = Capture()
    try:
        capture.append(Direction.RECEIVED, UTF8)
        glyphs = ASCII_GLYPHS if ascii_only else UNICODE_GLYPHS
        painter = TextPainter(chunk_reader(capture, glyphs=glyphs), 60)
        rows = [painter.paint(RowRef(0, row)) for row in range(painter.count_rows(0))]
        texts = [row.text for row in rows]
        if ascii_only:
            width, _ = painter.shape_of(0)
            assert len(rows) == count_text_rows(UTF8, width)  # in bytes
            return
        assert len(rows) == UTF8.count(b"\n") + (not UTF8.endswith(b"\n"))
        assert any("हिन्दी: नमस्ते दुनिया\\n" in text for text in texts)
        assert max(row.cell_length for row in rows) <= 60 + TextPainter.gutter_width
    finally:
        capture.close()


def test_text_that_is_not_ascii_is_cut_once_to_count_and_to_paint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under a flood the chunk just measured is the one painted next, and cutting long CJK
    lines into rows is costly: it is done once."""
    from tcptui.ui import transcript_rows

    cuts: list[str] = []
    cut, count = transcript_rows.text_row_starts, transcript_rows.count_text_rows

    def counted_cut(data: bytes, *args: object) -> list[int]:
        cuts.append("cut")
        return cut(data, *args)  # type: ignore[arg-type]

    def counted_count(data: bytes, *args: object) -> int:
        cuts.append("count")
        return count(data, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(transcript_rows, "text_row_starts", counted_cut)
    monkeypatch.setattr(transcript_rows, "count_text_rows", counted_count)
    capture = Capture()
    try:
        capture.append(Direction.RECEIVED, ("日本語のテキスト" * 40 + "\n").encode() * 50)
        painter = TextPainter(chunk_reader(capture), VIEW_WIDTH)
        rows = painter.count_rows(0)
        spans = [painter.row_span(RowRef(0, row)) for row in range(rows)]
        assert cuts == ["cut"]
        assert spans[-1][1] == capture.chunk(0).length
    finally:
        capture.close()
