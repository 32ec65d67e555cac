"""The log's byte cursor moves as a hex editor's: Home/End/PgUp/PgDn (and ctrl+Home,
ctrl+End, g, G) move the cursor, not only the view, extend a selection being made, and jump at
once; the cursor starts on the newest chunk when the log takes the focus at the tail."""

from __future__ import annotations

from textual.pilot import Pilot

from tcptui.capture.store import Capture, Direction
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.receive_log import ReceiveLog
from tests.helpers.app_parts import current_capture
from tests.ui.helpers import hex_view_of, make_app, wait_for

SIZE = (150, 44)
CHUNKS = 300
CHUNK = b"0123456789abcdefghij" * 3  # 60 bytes: four hex rows each


async def settled(pilot: Pilot[int], log: ReceiveLog) -> None:
    """Both views measured and at the tail: the text view's first size moves it there, and
    the hex view follows it (the dual layout keeps them together)."""
    text = log.text_view
    await wait_for(pilot, lambda: text.layout_rows.total_rows > 0 and text.following, "text")
    await pilot.pause()


def app_with_chunks() -> TcpTuiApp:
    capture = Capture()
    for index in range(CHUNKS):
        direction = Direction.SENT if index % 2 else Direction.RECEIVED
        capture.append(direction, CHUNK)
    return make_app(None, capture=capture)


async def test_focusing_the_log_at_the_tail_puts_the_cursor_on_the_newest_chunk() -> None:
    app = app_with_chunks()
    async with hex_view_of(app, SIZE) as (pilot, log):
        await settled(pilot, log)
        newest = current_capture(app).chunk(CHUNKS - 1)
        assert log.hex_view.following
        assert log.marks.cursor.offset == newest.offset


async def test_home_and_end_move_the_cursor_to_the_first_and_last_byte_at_once() -> None:
    app = app_with_chunks()
    async with hex_view_of(app, SIZE) as (pilot, log):
        await settled(pilot, log)
        app.animation_level = "full"  # a jump must not animate even then
        view = log.hex_view
        total = current_capture(app).total_bytes
        for keys, offset, top in [
            ("home", 0, True),
            ("end", total - 1, False),
            ("ctrl+home", 0, True),
            ("ctrl+end", total - 1, False),
            ("g", 0, True),
            ("G", total - 1, False),
        ]:
            await pilot.press(keys)
            assert log.marks.cursor.offset == offset, keys
            at_top = view.scroll_y == 0
            assert at_top if top else (view.following and not at_top), (keys, view.scroll_y)


async def test_v_then_end_selects_from_the_cursor_to_the_last_byte() -> None:
    app = app_with_chunks()
    async with hex_view_of(app, SIZE) as (pilot, log):
        await settled(pilot, log)
        await pilot.press("home", "right", "right", "v", "end")
        assert log.marks.cursor.selection() == (2, current_capture(app).total_bytes)
        await pilot.press("v", "home")  # v again ends the selection: Home only moves
        assert log.marks.cursor.selection() is None
        assert log.marks.cursor.offset == 0


async def test_page_down_and_up_move_the_cursor_a_page_keeping_its_column() -> None:
    app = app_with_chunks()
    async with hex_view_of(app, SIZE) as (pilot, log):
        await settled(pilot, log)
        view = log.hex_view
        await pilot.press("home", "right", "right", "right")
        row = view.cursor_row()
        await pilot.press("pagedown")
        height = view.scrollable_content_region.height
        moved = view.cursor_row()
        assert row is not None and moved is not None
        assert height - 1 <= moved - row <= height  # a header row holds no byte: the next
        assert view.scroll_y >= height - 1
        offset = log.marks.cursor.offset
        assert offset is not None and view.cursor_place(offset)[1] == 3
        await pilot.press("pageup")
        assert view.cursor_row() == row and view.scroll_y == 0
