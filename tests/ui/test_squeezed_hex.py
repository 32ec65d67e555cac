"""Squeezed hex rows in the log: a run of rows equal to the row above is one `*` row; the
cursor lands on it, selections and copies take every byte, and a big chunk is counted a
slice at a time so measuring never holds the UI for long."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from tcptui.capture.store import Capture, Direction
from tcptui.codec.formats import CopyFormat, format_bytes
from tcptui.ui.hex_segments import MARK_STYLES
from tcptui.ui.receive_log import ReceiveLog
from tcptui.ui.squeezed_hex import SCAN_SLICE
from tcptui.ui.transcript_layout import RowRef
from tcptui.ui.transcript_rows import HexPainter
from tcptui.ui.transcript_view import TranscriptView
from tests.helpers.app_parts import current_capture, current_log
from tests.helpers.units import chunk_reader
from tests.ui.helpers import all_rows, make_app, wait_for

SIZE = (150, 40)
HEAD = b"GET /zeros HTTP/1.1\r\nHost: x\r\n\r\n"  # two rows
STAR_ROW = 4
"""The header, two rows of the request, the first row of zeros, then the `*`."""
ZEROS = bytes(1 << 20)
TAIL = b"the end of it\n"
BLOCK = HEAD + ZEROS + TAIL


async def hex_log_of(pilot: Pilot[int], *chunks: bytes) -> ReceiveLog:
    """The chunks in the log, the hex view alone and focused, measured."""
    capture = current_capture(pilot.app)
    for data in chunks:
        capture.append(Direction.RECEIVED, data)
    log = current_log(pilot.app)
    log.refresh_data()
    await pilot.press("f5", "f5")  # the hex view alone
    log.hex_view.focus()
    await measured(pilot, log.hex_view)
    return log


async def measured(pilot: Pilot[int], view: TranscriptView) -> None:
    await wait_for(
        pilot,
        lambda: (
            not view.layout_rows.pending
            and not view.border_subtitle
            and view.layout_rows.total_rows > 0
        ),
        "the rows measured",
    )


async def test_a_mebibyte_of_zeros_is_one_star_row_between_its_neighbours() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        log = await hex_log_of(pilot, BLOCK)
        rows = [row.rstrip() for row in all_rows(log.hex_view)]
        assert len(HEAD) == 32 and len(rows) == STAR_ROW + 2
        assert rows[STAR_ROW].startswith("*")
        assert f"{len(ZEROS) // 16 - 1:,} more rows as above" in rows[STAR_ROW]
        assert rows[STAR_ROW + 1].startswith(f"{len(HEAD) + len(ZEROS):08x}  74 68 65")
        await pilot.press("s")  # every row again
        await measured(pilot, log.hex_view)
        assert log.hex_view.layout_rows.total_rows == 1 + -(-len(BLOCK) // 16)


async def test_the_cursor_lands_on_the_star_and_steps_over_the_run() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        log = await hex_log_of(pilot, BLOCK)
        view = log.hex_view
        await pilot.press("home", "down", "down", "down")
        assert view.cursor_row() == STAR_ROW
        assert len(HEAD) + 16 <= log.marks.cursor.offset < len(HEAD) + len(ZEROS)
        star = view.strip_for(RowRef(0, STAR_ROW - 1), ((0, 1, "cursor"),))
        assert star.text.startswith("*")
        await pilot.press("right")  # a byte further: still within the run, on the `*`
        assert view.cursor_row() == STAR_ROW
        await pilot.press("down")
        assert view.cursor_row() == STAR_ROW + 1
        assert log.marks.cursor.offset == len(HEAD) + len(ZEROS) + 1  # the column kept
        await pilot.press("up")
        assert view.cursor_row() == STAR_ROW


async def test_a_selection_across_the_star_copies_every_byte() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        log = await hex_log_of(pilot, BLOCK)
        await pilot.press("home", "v", "down", "down", "down", "down")
        start, end = log.marks.cursor.selection() or (0, 0)
        assert start == 0 and end > len(HEAD) + len(ZEROS)
        await pilot.press("c")
        assert app.clipboard == format_bytes(BLOCK[:end], CopyFormat.TEXT)


async def test_a_search_hit_inside_a_run_lights_the_star() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        log = await hex_log_of(pilot, HEAD + b"AAAA" * 4096 + TAIL)
        await pilot.press("slash", *"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "enter")
        await wait_for(
            pilot,
            lambda: log.marks.matches is not None and log.marks.matches.complete,
            "the search",
        )
        log.hex_view.focus()
        await pilot.press("n", "n", "n")  # a match well inside the run
        assert log.hex_view.cursor_row() == STAR_ROW
        view = log.hex_view
        star = view.render_line(STAR_ROW - round(view.scroll_y))
        assert star.text.startswith("*")
        style = next(iter(star)).style
        assert style is not None and style.reverse  # the cursor's mark
        await pilot.press("escape", "home")  # the cursor away: the current match lights the `*`
        star = view.render_line(STAR_ROW - round(view.scroll_y))
        style = next(iter(star)).style
        assert style is not None and style.bgcolor == MARK_STYLES["current-match"].bgcolor


@pytest.mark.parametrize("compact", [False, True])
async def test_squeezed_rows_show_beside_the_text_in_the_dual_view(compact: bool) -> None:
    app = make_app(None)
    async with app.run_test(size=(200, 40)) as pilot:
        current_capture(app).append(Direction.RECEIVED, BLOCK)
        log = current_log(app)
        log.refresh_data()
        if compact:
            log.hex_view.focus()
            await pilot.press("t")
        await measured(pilot, log.hex_view)
        rows = all_rows(log.hex_view)
        assert len(rows) == STAR_ROW + 2 - compact
        assert sum("more rows as above" in row for row in rows) == 1
        content = log.hex_view.scrollable_content_region.width
        assert max(map(len, rows)) <= content


def test_a_big_chunk_is_counted_a_slice_per_call() -> None:
    """The layout measures in budgeted slices: a chunk of 64 MiB (a 1 GiB one would only
    take more calls) is counted a slice of SCAN_SLICE bytes per call, never in one go."""
    capture = Capture(spool_threshold=1 << 20)
    try:
        capture.append(Direction.RECEIVED, HEAD)
        capture.append_pieces(Direction.RECEIVED, (ZEROS for _ in range(64)), 64 * len(ZEROS))
        capture.append(Direction.RECEIVED, TAIL)
        painter = HexPainter(chunk_reader(capture), squeeze=True)
        assert painter.count_rows(1) is None  # a slice counted, the rest to come
        layout = painter.layout()
        calls = 0
        while layout.pending and calls < 1000:
            layout.update(budget=0)  # one count per call
            calls += 1
        assert calls == 1 + 64 * len(ZEROS) // SCAN_SLICE - 1 + 1
        assert layout.total_rows == (1 + 2) + (1 + 2) + (1 + 1)  # HEAD; a row and `*`; TAIL
        assert painter.row_span(RowRef(1, 1)) == (16, 64 * len(ZEROS))
    finally:
        capture.close()


async def test_stream_offsets_keep_the_rows_squeezed() -> None:
    """`o` paints the offsets along the stream: the rows, and the `*`, stay as they were."""
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        log = await hex_log_of(pilot, HEAD, BLOCK)
        before = len(all_rows(log.hex_view))
        await pilot.press("o")
        await measured(pilot, log.hex_view)
        rows = all_rows(log.hex_view)
        assert len(rows) == before
        second = 1 + 2  # the first chunk: a header and two rows
        assert rows[second + 1].startswith(f"{len(HEAD):08x}")
        assert rows[second + STAR_ROW].startswith("*")
