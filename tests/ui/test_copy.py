"""Selecting bytes with the keyboard and copying them, in every format, to the clipboard."""

from __future__ import annotations

import pytest
from textual.geometry import Offset
from textual.selection import Selection

from tcptui.capture.store import Capture, Direction
from tcptui.codec.formats import CopyFormat, format_bytes
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.copy_screen import FORMAT_LABELS, CopyScreen
from tcptui.ui.copying import DEFAULT_COPY_CAP
from tests.helpers.app_parts import current_log, current_view
from tests.ui.helpers import last_notification, make_app, wait_for

SIZE = (160, 50)
FIRST = bytes.fromhex("deadbeef") + b"\x00\x01\x1b[31mred\r\n" + bytes(range(0x80, 0x90))
SECOND = b"GET / HTTP/1.0\r\n\r\n"
THIRD = "héllo wörld\n".encode()


def app_with_chunks() -> TcpTuiApp:
    capture = Capture()
    app = make_app(None, capture=capture)
    capture.append(Direction.RECEIVED, FIRST)
    capture.append(Direction.SENT, SECOND)
    capture.append(Direction.RECEIVED, THIRD)
    return app


async def focus_hex_view(app: TcpTuiApp, pilot: object) -> None:
    log = current_log(app)
    log.refresh_data()
    log.hex_view.focus()
    await pilot.press("home")  # type: ignore[attr-defined]
    assert log.marks.cursor.offset == 0


async def test_keyboard_selection_is_copied_in_the_default_text_format() -> None:
    app = app_with_chunks()
    async with app.run_test(size=SIZE) as pilot:
        await focus_hex_view(app, pilot)
        await pilot.press("v", "right", "right", "right", "c")
        assert current_log(app).marks.cursor.selection() == (0, 4)
        assert app.clipboard == format_bytes(FIRST[:4], CopyFormat.TEXT)
        assert "Copied 4 bytes" in last_notification(app)


@pytest.mark.parametrize("fmt", list(CopyFormat))
async def test_copy_as_picker_copies_the_selection_in_each_format(fmt: CopyFormat) -> None:
    app = app_with_chunks()
    async with app.run_test(size=SIZE) as pilot:
        await focus_hex_view(app, pilot)
        await pilot.press("shift+right", "shift+right", "shift+down")  # 19 bytes, two rows
        selection = current_log(app).marks.cursor.selection()
        assert selection == (0, 19)
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, CopyScreen), "the picker")
        for _ in range(list(FORMAT_LABELS).index(fmt)):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, CopyScreen), "the copy")
        assert app.clipboard == format_bytes(FIRST[:19], fmt)


async def test_selection_across_chunks_copies_bytes_in_capture_order() -> None:
    app = app_with_chunks()
    async with app.run_test(size=SIZE) as pilot:
        await focus_hex_view(app, pilot)
        await pilot.press("right_square_bracket")  # the start of the second chunk
        assert current_log(app).marks.cursor.offset == len(FIRST)
        await pilot.press("left", "v", "right", "right", "right")
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, CopyScreen), "the picker")
        await pilot.press("down", "enter")  # hex
        await wait_for(pilot, lambda: not isinstance(app.screen, CopyScreen), "the copy")
        assert app.clipboard == (FIRST[-1:] + SECOND[:3]).hex(" ")


async def test_copy_without_a_selection_takes_the_chunk_under_the_cursor() -> None:
    app = app_with_chunks()
    async with app.run_test(size=SIZE) as pilot:
        await focus_hex_view(app, pilot)
        await pilot.press("ctrl+down", "ctrl+down", "c")
        assert app.clipboard == THIRD.decode()


async def test_copy_everything_received_skips_sent_bytes() -> None:
    app = app_with_chunks()
    async with app.run_test(size=SIZE) as pilot:
        await focus_hex_view(app, pilot)
        current_view(app).action_copy("received", CopyFormat.BASE64)
        await pilot.pause()
        assert app.clipboard == format_bytes(FIRST + THIRD, CopyFormat.BASE64)


async def test_copy_larger_than_the_cap_is_refused_with_advice() -> None:
    capture = Capture()
    app = make_app(None, capture=capture)
    capture.append(Direction.RECEIVED, b"x" * (DEFAULT_COPY_CAP + 1))
    async with app.run_test(size=SIZE) as pilot:
        current_log(app).refresh_data()
        current_log(app).hex_view.focus()
        await pilot.press("c")
        assert app.clipboard == ""
        message = last_notification(app)
        assert "save to a file" in message


async def test_mouse_selection_returns_the_painted_text_of_the_rows() -> None:
    app = app_with_chunks()
    async with app.run_test(size=SIZE) as pilot:
        await focus_hex_view(app, pilot)
        view = current_log(app).hex_view
        text, ending = view.get_selection(Selection(Offset(0, 1), Offset(21, 1))) or ("", "")
        assert text == "00000000  de ad be ef"
        assert ending == "\n"
        whole, _ = view.get_selection(Selection(None, None)) or ("", "")
        assert whole.count("\n") == view.layout_rows.total_rows - 1


async def test_dragging_the_mouse_selects_the_painted_text_under_it() -> None:
    """Textual finds the text under the mouse from offsets `render_line` tags rows with."""
    app = app_with_chunks()
    async with app.run_test(size=SIZE) as pilot:
        await focus_hex_view(app, pilot)
        view = current_log(app).hex_view
        region = view.content_region
        start = Offset(region.x, region.y + 1)
        await pilot.mouse_down(offset=start)
        await pilot.hover(offset=start + Offset(21, 0))
        await pilot.mouse_up(offset=start + Offset(21, 0))
        assert view.text_selection is not None
        text, _ = view.get_selection(view.text_selection) or ("", "")
        assert text.startswith("00000000  de ad be e")
