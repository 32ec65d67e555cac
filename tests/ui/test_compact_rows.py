"""Compact rows: direction and time in a gutter on each chunk's first row instead of a header
row, in the text view, the hex view and both side by side; the cursor, selections, search and
the mouse still find their bytes."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from textual.app import SystemCommand
from textual.geometry import Offset
from textual.pilot import Pilot
from textual.selection import Selection
from textual.widgets import Static

from tcptui.capture.events import EventKind
from tcptui.capture.store import Capture, Direction
from tcptui.codec.composer_syntax import LineEnding
from tcptui.launch_config import LaunchConfig
from tcptui.net.session import ConnectOptions
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.log_glyphs import ASCII_GLYPHS, DIRECTION_STYLES
from tcptui.ui.receive_log import ReceiveLog
from tcptui.ui.row_gutter import COMPACT_GUTTER_CELLS, TIME_CELLS, TimeGutter, gutter_time
from tcptui.ui.transcript_layout import RowRef
from tcptui.ui.transcript_rows import HexPainter, TextPainter
from tcptui.ui.transcript_view import TranscriptView
from tcptui.user_files.settings import Settings
from tests.helpers.app_parts import current_capture, current_log
from tests.helpers.units import chunk_reader
from tests.ui.helpers import all_rows, last_notification, make_app, search_log, wait_for

LINES = [b"220 ready\r\n", b"HELO me\r\n", b"250 hello me\r\n", b"QUIT\r\n", b"221 bye\r\n"]
FIRST_ROW = re.compile(r"^[◀▶] \d\d:\d\d:\d\d\.\d{3} [ •] ")


async def log_with_lines(pilot: Pilot[int], note: str = "") -> ReceiveLog:
    """The conversation in the log (each line a chunk of its own), measured."""
    capture = current_capture(pilot.app)
    for number, line in enumerate(LINES):
        direction = Direction.SENT if number % 2 else Direction.RECEIVED
        capture.append(direction, line, note=note if number == 2 else "")
    log = current_log(pilot.app)
    log.refresh_data()
    await wait_for(pilot, lambda: log.text_view.layout_rows.total_rows > 0, "the rows")
    return log


async def press_in_log(pilot: Pilot[int], view: TranscriptView, *keys: str) -> None:
    view.focus()
    await pilot.press(*keys)
    await wait_for(pilot, lambda: not view.layout_rows.pending and not view.border_subtitle, "rows")


def content_rows(view: TranscriptView) -> list[str]:
    return [row.rstrip() for row in all_rows(view)]


async def test_a_line_protocol_takes_one_row_a_line_with_direction_and_time_in_a_gutter() -> None:
    app = make_app(None)
    async with app.run_test(size=(150, 40)) as pilot:
        log = await log_with_lines(pilot)
        view = log.text_view
        assert len(all_rows(view)) == 2 * len(LINES)  # a header row and a line each
        await press_in_log(pilot, view, "t")
        rows = content_rows(view)
        assert len(rows) == len(LINES)
        for row, line, arrow in zip(rows, LINES, "◀▶◀▶◀", strict=True):
            assert FIRST_ROW.match(row), row
            assert row.startswith(arrow)
            assert row[COMPACT_GUTTER_CELLS:] == line.decode().replace("\r\n", "\\r\\n")
        await press_in_log(pilot, view, "t")  # and back
        assert len(all_rows(view)) == 2 * len(LINES)


async def test_compact_hex_rows_have_the_gutter_and_no_header_rows() -> None:
    app = make_app(None)
    async with app.run_test(size=(200, 40)) as pilot:
        log = await log_with_lines(pilot)
        current_capture(app).append(Direction.RECEIVED, bytes(range(40)))
        log.refresh_data()
        await press_in_log(pilot, log.hex_view, "t")
        rows = content_rows(log.hex_view)
        assert len(rows) == len(LINES) + 3  # 40 bytes in three rows of 16
        assert FIRST_ROW.match(rows[-3]) and rows[-3][COMPACT_GUTTER_CELLS:].startswith("00000000")
        assert rows[-2].startswith("│" + " " * (COMPACT_GUTTER_CELLS - 1) + "00000010")
        # side by side, the hex view is widened by the gutter: rows keep 16 bytes, whole
        assert log.hex_view.painter.row_bytes == 16
        content = log.hex_view.scrollable_content_region.width
        assert max(map(len, all_rows(log.hex_view))) <= content


async def test_the_cursor_steps_through_compact_rows_and_the_status_tells_the_header() -> None:
    app = make_app(None)
    async with app.run_test(size=(150, 40)) as pilot:
        log = await log_with_lines(pilot, note="answered by rule 1")
        view = log.hex_view
        await press_in_log(pilot, view, "t", "home")
        assert "•" in content_rows(view)[2][:COMPACT_GUTTER_CELLS]  # the note's mark
        for expected_chunk in range(1, len(LINES)):
            await pilot.press("down")
            offset = log.marks.cursor.offset
            assert offset == current_capture(app).chunk(expected_chunk).offset
            assert view.cursor_row() == expected_chunk  # one row a chunk: no headers between
        await pilot.press("home", "down", "down")
        status = str(log.query_one("#log-status", Static).render())
        assert "14 B" in status and "#3" in status and "answered by rule 1" in status


async def test_selection_and_search_marks_land_on_the_right_bytes_in_compact_rows() -> None:
    app = make_app(None)
    async with app.run_test(size=(150, 40)) as pilot:
        log = await log_with_lines(pilot)
        view = log.text_view
        await press_in_log(pilot, view, "t")
        await search_log(pilot, log, "hello")
        hit = LINES[0] + LINES[1] + b"250 "
        assert log.marks.cursor.offset == len(hit)
        assert view.cursor_row() == 2
        assert all_rows(view)[2].rstrip().endswith("250 hello me\\r\\n")
        await pilot.press("v", "right", "right", "right", "right")
        assert log.marks.cursor.selection() == (len(hit), len(hit) + 5)


async def test_a_mouse_selection_reads_the_rows_as_painted_with_their_gutter() -> None:
    app = make_app(None)
    async with app.run_test(size=(150, 40)) as pilot:
        log = await log_with_lines(pilot)
        view = log.text_view
        await press_in_log(pilot, view, "t")
        selection = Selection.from_offsets(Offset(0, 1), Offset(COMPACT_GUTTER_CELLS + 4, 2))
        copied = view.get_selection(selection)
        assert copied is not None
        first, second = copied[0].split("\n")
        assert FIRST_ROW.match(first) and first.endswith("HELO me\\r\\n")
        assert second.startswith("◀") and second.endswith(" 250 ")  # the end is not included


async def test_the_compact_setting_starts_the_log_compact() -> None:
    settings = replace(Settings(), compact=True)
    app = TcpTuiApp(LaunchConfig(None, ConnectOptions(), LineEnding.LF, False, settings=settings))
    app.animation_level = "none"
    async with app.run_test(size=(150, 40)) as pilot:
        log = await log_with_lines(pilot)
        assert log.compact
        assert len(all_rows(log.text_view)) == len(LINES)
        assert len(all_rows(log.hex_view)) == len(LINES)


def test_ascii_mode_draws_compact_and_squeezed_rows_in_ascii() -> None:
    capture = Capture()
    try:
        capture.append(Direction.RECEIVED, b"hello\n" + bytes(4096), note="rule ✓")
        capture.append(Direction.SENT, b"bye\n")
        reader = chunk_reader(capture, glyphs=ASCII_GLYPHS)
        gutter = TimeGutter(reader, DIRECTION_STYLES)
        painters = [
            TextPainter(reader, 60, gutter=gutter),
            HexPainter(reader, gutter=gutter, squeeze=True),
        ]
        for painter in painters:
            rows = [
                painter.paint(RowRef(index, row)).text
                for index in range(len(capture))
                for row in range(painter.count_rows(index) or 0)
            ]
            assert all(row.isascii() for row in rows), rows
            assert rows[0].startswith("< ") and rows[-1].startswith("> ")
            assert rows[0][COMPACT_GUTTER_CELLS - 2] == "*"  # the note's mark
        assert any(row.startswith("|") for row in rows)  # a continuation row
        assert any(row[COMPACT_GUTTER_CELLS:].startswith("*  ") for row in rows)  # squeezed
    finally:
        capture.close()


async def test_the_palette_toggles_compact_rows_and_squeezing_and_names_their_keys() -> None:
    app = make_app(None)
    async with app.run_test(size=(150, 40)) as pilot:
        log = await log_with_lines(pilot)
        commands = {
            command.title: command
            for command in app.get_system_commands(app.screen)
            if isinstance(command, SystemCommand)
        }
        assert "(t)" in commands["Compact rows"].help
        assert "(s)" in commands["Squeeze repeated hex rows"].help
        commands["Compact rows"].callback()
        await wait_for(pilot, lambda: last_notification(app) == "compact rows", "its note")
        commands["Squeeze repeated hex rows"].callback()
        await wait_for(pilot, lambda: last_notification(app) == "every hex row shown", "its note")
        await wait_for(pilot, lambda: not log.text_view.layout_rows.pending, "the rows")
        assert (log.compact, log.squeeze) == (True, False)
        assert len(all_rows(log.text_view)) == len(LINES)


async def test_an_event_keeps_its_row_among_compact_rows_and_the_cursor_steps_over_it() -> None:
    app = make_app(None)
    async with app.run_test(size=(150, 40)) as pilot:
        capture = current_capture(app)
        capture.append(Direction.RECEIVED, LINES[0])
        capture.add_event(EventKind.EOF_SENT)
        capture.append(Direction.RECEIVED, LINES[2])
        log = current_log(app)
        log.refresh_data()
        view = log.text_view
        await wait_for(pilot, lambda: len(all_rows(view)) == 2 * 2 + 1, "the rows")
        await press_in_log(pilot, view, "t", "home")
        rows = content_rows(view)
        assert len(rows) == 3  # a row a line, and the event's own row
        assert FIRST_ROW.match(rows[0]) and FIRST_ROW.match(rows[2])
        assert "EOF" in rows[1] and not FIRST_ROW.match(rows[1])
        await pilot.press("down")
        assert log.marks.cursor.offset == len(LINES[0])  # over the event, on the next line
        assert view.cursor_row() == 2


@pytest.mark.parametrize(
    ("timestamps", "since_first_ns", "shown"),
    [
        ("utc", 0, "22:13:20.250Z"),
        ("local", 0, "22:13:20.250"),  # the tests run in UTC
        ("relative", 1_500_000, "+0.002"),
        ("relative", 12_345_678_900_000_000, "+12345678.900"),
        ("relative", 123_456_789_000_000_000, "+123456789"),
        ("relative", 10**21, "+100000000000"[:TIME_CELLS]),
    ],
)
def test_the_gutter_time_fits_its_cells_in_every_timestamp_style(
    timestamps: str, since_first_ns: int, shown: str
) -> None:
    wall_ns = 1_700_000_000_250_000_000  # 2023-11-14 22:13:20.25 UTC
    assert gutter_time(wall_ns, since_first_ns, timestamps) == shown
    assert len(shown) <= TIME_CELLS
