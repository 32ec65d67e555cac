"""Side by side, the hex view shows whole rows and the text view takes the rest of the width;
narrower, the views are stacked; alone, a view takes all of it."""

from __future__ import annotations

import pytest

from tcptui.capture.store import Capture, Direction
from tcptui.ui.receive_log import HEX_VIEW_WIDTH, STACK_BELOW_WIDTH
from tcptui.ui.transcript_rows import HEX_WIDTH
from tests.helpers.app_parts import current_composer, current_log
from tests.ui.helpers import make_app, rendered_rows

PANEL_WIDTH = 46  # the connection panel beside the log


@pytest.mark.parametrize("columns", [PANEL_WIDTH + STACK_BELOW_WIDTH, 200, 260])
async def test_side_by_side_the_hex_view_shows_whole_rows(columns: int) -> None:
    capture = Capture()
    app = make_app(capture=capture)
    capture.append(Direction.RECEIVED, bytes(range(256)))
    async with app.run_test(size=(columns, 40)) as pilot:
        log = current_log(app)
        log.refresh_data()
        await pilot.pause()
        assert log.size.width == columns - PANEL_WIDTH
        text, hex_view = log.text_view, log.hex_view
        assert text.region.y == hex_view.region.y  # side by side
        assert hex_view.outer_size.width == HEX_VIEW_WIDTH
        assert hex_view.scrollable_content_region.width >= HEX_WIDTH
        assert text.outer_size.width == log.size.width - HEX_VIEW_WIDTH
        rows = rendered_rows(hex_view)
        assert rows[1] == (
            "00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  │················│"
        )
        assert rows[8].startswith("00000070  70 71") and rows[8].endswith("│pqrstuvwxyz{|}~·│")


async def test_narrower_the_views_are_stacked_and_alone_a_view_is_full_width() -> None:
    capture = Capture()
    app = make_app(capture=capture)
    capture.append(Direction.RECEIVED, bytes(range(256)))
    async with app.run_test(size=(PANEL_WIDTH + STACK_BELOW_WIDTH - 1, 40)) as pilot:
        log = current_log(app)
        log.refresh_data()
        await pilot.pause()
        text, hex_view = log.text_view, log.hex_view
        assert hex_view.region.y > text.region.y  # stacked
        assert text.outer_size.width == hex_view.outer_size.width == log.size.width
    async with make_app().run_test(size=(200, 40)) as pilot:
        log = current_log(pilot.app)
        for layout in ("text", "hex"):
            log.set_layout(layout)
            await pilot.pause()
            (view,) = log.visible_views()
            assert view.outer_size.width == log.size.width


async def test_on_an_80_column_terminal_ctrl_l_gives_the_log_the_whole_width() -> None:
    """Before any connection the panel holds the form, so it shows even at 80 columns;
    ctrl+l leaves its one-line summary and whole 8-byte hex rows across the width."""
    capture = Capture()
    app = make_app(capture=capture)
    capture.append(Direction.RECEIVED, bytes(range(256)))
    async with app.run_test(size=(80, 24)) as pilot:
        log = current_log(app)
        log.refresh_data()
        await pilot.pause()
        assert log.size.width == 80 - PANEL_WIDTH
        assert app.focused is not None and app.focused.id == "host"
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not app.query_one("#connection-panel").display
        assert app.query_one("#connection-summary").display
        assert log.size.width == 80
        assert app.focused is current_composer(app).input  # not left on a hidden field
        assert log.text_view.outer_size.width == 80  # stacked, the full width
        row = rendered_rows(log.hex_view)[1]
        assert row.rstrip() == "000000e0  e0 e1 e2 e3 e4 e5 e6 e7  │········│"
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert app.query_one("#connection-panel").display
        assert not app.query_one("#connection-summary").display
        assert log.size.width == 80 - PANEL_WIDTH
