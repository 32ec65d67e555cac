"""The data inspector on a small terminal: the view being inspected keeps its rows of bytes
and its cursor in sight; the other stacked view steps aside while there is no room for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tcptui.ui.app import TcpTuiApp
from tcptui.ui.inspector_room import VIEW_KEEPS_ROWS, RowShare, share_rows
from tcptui.ui.receive_log import ReceiveLog
from tcptui.ui.transcript_view import TranscriptView
from tests.helpers.app_parts import current_capture, current_composer, current_log
from tests.ui.helpers import wait_for
from tests.ui.test_snapshots import app_with_capture, settle

SnapCompare = Callable[..., bool]
SMALL = (80, 24)
ViewName = Literal["text", "hex"]


def view_named(log: ReceiveLog, name: ViewName) -> TranscriptView:
    return log.text_view if name == "text" else log.hex_view


def rows_of(view: TranscriptView) -> int:
    """Rows of bytes the view shows on screen."""
    return view.scrollable_content_region.height if view.display else 0


def cursor_in_sight(view: TranscriptView) -> bool:
    row = view.cursor_row()
    top = round(view.scroll_y)
    return row is not None and top <= row < top + rows_of(view)


def inspected_alone(log: ReceiveLog, name: ViewName) -> bool:
    """The named view keeps its rows and its cursor in sight; the other has stepped aside."""
    view = view_named(log, name)
    other = log.hex_view if view is log.text_view else log.text_view
    return rows_of(view) >= VIEW_KEEPS_ROWS and cursor_in_sight(view) and not other.display


async def cursor_in_chunk_5(pilot: Pilot[Any], name: ViewName) -> ReceiveLog:
    """The summary line instead of the panel (as a connection has at 80x24), the named view
    focused with its cursor on byte 0x42 of the all-byte-values chunk."""
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, TcpTuiApp)
    await pilot.press("ctrl+l")
    log = current_log(app)
    view_named(log, name).focus()
    log.marks.cursor.offset = current_capture(app).chunk(4).offset + 0x41
    await pilot.press("right")
    return log


async def open_inspector_on(pilot: Pilot[Any], name: ViewName) -> ReceiveLog:
    log = await cursor_in_chunk_5(pilot, name)
    await pilot.press("i")
    await wait_for(pilot, lambda: inspected_alone(log, name), f"the {name} view alone")
    return log


def test_the_inspector_shares_rows_first_with_the_view_it_reads_for() -> None:
    small = share_rows(14, 6, all_rows=False, stacked_pair=True)  # an 80x24 terminal's log
    assert small == RowShare(inspector=6, other_view_shown=False)
    assert 14 - small.inspector >= VIEW_KEEPS_ROWS + 2
    assert share_rows(30, 6, all_rows=False, stacked_pair=True) == RowShare(8, True)
    assert share_rows(30, 45, all_rows=True, stacked_pair=True) == RowShare(20, False)
    assert share_rows(30, 45, all_rows=True, stacked_pair=False) == RowShare(20, True)
    assert share_rows(40, 45, all_rows=False, stacked_pair=True) == RowShare(20, True)
    assert share_rows(6, 6, all_rows=False, stacked_pair=False).inspector == 3  # one reading


@pytest.mark.parametrize("name", ["text", "hex"])
async def test_at_80x24_the_inspected_view_keeps_its_rows_and_cursor_in_sight(
    name: ViewName,
) -> None:
    app = app_with_capture()
    async with app.run_test(size=SMALL) as pilot:
        log = await cursor_in_chunk_5(pilot, name)
        composer_height = current_composer(app).region.height
        await pilot.press("i")
        await wait_for(pilot, lambda: inspected_alone(log, name), f"the {name} view alone")
        view = view_named(log, name)
        assert app.focused is view
        assert log.inspector.region.y >= view.region.bottom
        assert log.inspector.scrollable_content_region.height >= 3  # readings, not a sliver
        assert log.query_one("#log-status", Static).region.height == 1
        assert current_composer(app).region.height == composer_height


async def test_tab_shows_the_other_view_and_shift_tab_the_first_again() -> None:
    app = app_with_capture()
    async with app.run_test(size=SMALL) as pilot:
        log = await open_inspector_on(pilot, "text")
        assert str(log.inspector.border_title) == "inspector · Tab shows the hex view"
        await pilot.press("tab")
        await wait_for(pilot, lambda: inspected_alone(log, "hex"), "the hex view shown")
        assert app.focused is log.hex_view
        assert str(log.inspector.border_title) == "inspector · shift+Tab shows the text view"
        await pilot.press("shift+tab")
        await wait_for(pilot, lambda: inspected_alone(log, "text"), "the text view back")
        assert app.focused is log.text_view
        await pilot.press("tab", "tab")  # into the inspector: the view it reads for stays
        assert app.focused is log.inspector
        await wait_for(pilot, lambda: inspected_alone(log, "hex"), "the hex view kept")
        await pilot.press("escape")
        assert app.focused is log.hex_view


async def test_the_other_view_comes_back_when_the_inspector_closes_or_the_terminal_grows() -> None:
    app = app_with_capture()
    async with app.run_test(size=SMALL) as pilot:
        log = await cursor_in_chunk_5(pilot, "hex")
        heights = log.text_view.region.height, log.hex_view.region.height
        await pilot.press("i")
        await wait_for(pilot, lambda: inspected_alone(log, "hex"), "the text view aside")
        await pilot.press("i")
        await wait_for(pilot, lambda: log.text_view.display, "the text view back")
        assert not log.inspector.display
        assert (log.text_view.region.height, log.hex_view.region.height) == heights
        assert cursor_in_sight(log.hex_view)
        await pilot.press("i")
        await wait_for(pilot, lambda: inspected_alone(log, "hex"), "the text view aside")
        await pilot.resize_terminal(120, 40)
        await wait_for(
            pilot,
            lambda: min(rows_of(log.text_view), rows_of(log.hex_view)) >= VIEW_KEEPS_ROWS,
            "both views with their rows",
        )
        assert log.inspector.display and cursor_in_sight(log.hex_view)
        assert str(log.inspector.border_title) == "inspector"
        await pilot.resize_terminal(*SMALL)
        await wait_for(pilot, lambda: inspected_alone(log, "hex"), "the text view aside again")


async def test_all_readings_take_more_rows_and_the_other_view_gives_way_until_fewer() -> None:
    app = app_with_capture()
    async with app.run_test(size=(120, 40)) as pilot:
        log = await cursor_in_chunk_5(pilot, "hex")
        await pilot.press("i")
        await wait_for(pilot, lambda: log.inspector.display, "the inspector")
        assert log.text_view.display and rows_of(log.text_view) >= VIEW_KEEPS_ROWS
        short = log.inspector.region.height
        await pilot.press("tab", "m")
        await wait_for(pilot, lambda: inspected_alone(log, "hex"), "the text view aside")
        assert log.inspector.region.height > short
        await pilot.press("end")  # the inspector scrolls to its last reading
        last = log.inspector.option_count - 1
        assert log.inspector.highlighted == last
        top = round(log.inspector.scroll_y)
        assert top <= last < top + log.inspector.scrollable_content_region.height
        await pilot.press("m")
        await wait_for(pilot, lambda: log.text_view.display, "the text view back")
        assert log.inspector.region.height == short


async def test_the_search_bar_under_the_inspector_leaves_the_view_its_rows() -> None:
    app = app_with_capture()
    async with app.run_test(size=SMALL) as pilot:
        log = await open_inspector_on(pilot, "hex")
        readings_shown = log.inspector.region.height
        await pilot.press("slash")
        await wait_for(pilot, lambda: log.query_one("#search-bar").region.height > 0, "search")
        await wait_for(pilot, lambda: inspected_alone(log, "hex"), "the hex view's rows kept")
        assert log.inspector.region.height < readings_shown
        await pilot.press("escape")
        assert app.focused is log.hex_view
        await wait_for(
            pilot, lambda: log.inspector.region.height == readings_shown, "the readings back"
        )
        assert inspected_alone(log, "hex")


async def test_beside_a_wide_log_the_inspector_is_as_high_as_the_views_and_hides_none() -> None:
    app = app_with_capture()
    async with app.run_test(size=(200, 50)) as pilot:
        log = await cursor_in_chunk_5(pilot, "hex")
        await pilot.press("i")
        await wait_for(pilot, lambda: log.inspector.display, "the inspector")
        assert log.inspector.has_class("-beside")
        assert log.text_view.display and log.hex_view.display
        assert log.inspector.region.y == log.hex_view.region.y
        assert log.inspector.region.height >= log.hex_view.region.height


@pytest.mark.parametrize("name", ["text", "hex"])
def test_snapshot_of_the_inspector_on_one_view_at_80x24(
    snap_compare: SnapCompare, name: ViewName
) -> None:
    """Both views stacked at 80x24: the inspected one with its rows, the other aside."""

    async def open_it(pilot: Pilot[Any]) -> None:
        await open_inspector_on(pilot, name)

    assert snap_compare(app_with_capture(), terminal_size=SMALL, run_before=open_it)
