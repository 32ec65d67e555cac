"""How the log takes in new bytes: small replies at once, a flood in spaced takes."""

from __future__ import annotations

import time
from functools import partial

import pytest
from textual.geometry import Region
from textual.widget import Widget

from tcptui.capture.store import Capture, Direction
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.data_pacing import (
    DATA_REFRESH_INTERVAL,
    DATA_REFRESH_LONGEST,
    DATA_REFRESH_SHARE,
    FLOOD_TAKE_BYTES,
    STORM_TAKE_SPACING,
    DataPacer,
    take_spacing,
)
from tcptui.ui.discard_screen import DiscardScreen
from tcptui.ui.receive_log import ReceiveLog
from tcptui.ui.session_view import SessionView
from tests.helpers import DribbleServer, EchoServer, OneReadPerByte, PayloadServer
from tests.helpers.app_parts import current_capture, current_log, current_view
from tests.ui.helpers import all_rows, make_app, rendered_rows, timer_delays, wait_for, wait_open


async def test_a_reply_after_a_quiet_spell_is_taken_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_open(app, pilot)
            view = current_view(app)
            timers = timer_delays(view, monkeypatch)

            def shown(text: str) -> bool:
                return any(text in row for row in all_rows(view.receive_log.text_view))

            def quiet() -> bool:
                return view.pacer.next_take <= time.monotonic()

            for number in range(3):
                await wait_for(pilot, quiet, "a quiet spell after the last take")
                text = f"reply {number}"
                current_view(app).send_bytes(text.encode() + b"\n")
                await wait_for(pilot, partial(shown, text), f"{text!r} in the log")
                assert timers == []


async def test_a_storm_of_one_byte_reads_is_taken_in_spaced_takes_and_shown_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server sending a byte per segment (a slow device, a telnet echo) gave the log a take
    and a repaint for every read, each one a frame that keys waited behind. The takes now come
    at most one per STORM_TAKE_SPACING, and every byte still reaches the log."""
    payload = b"".join(b"storm line %03d\n" % number for number in range(60))
    pacing = OneReadPerByte()
    takes: list[float] = []
    take = DataPacer.take

    def note_take(pacer: DataPacer) -> None:
        takes.append(time.monotonic())
        take(pacer)

    monkeypatch.setattr(DataPacer, "take", note_take)
    with DribbleServer(payload, pacing) as server:
        app = make_app(server.target, group="stream")
        async with app.run_test(size=(160, 40)) as pilot:
            pacing.watch(current_capture(app))
            started = time.monotonic()
            log = current_log(app).text_view
            last = "storm line 059"
            await wait_for(pilot, lambda: any(last in row for row in all_rows(log)), last)
            elapsed = time.monotonic() - started
            reads = current_capture(app).chunk_count(Direction.RECEIVED)
            assert reads == len(payload)
            assert len(takes) <= 2 * (1 + elapsed / STORM_TAKE_SPACING) < reads
            shown = "".join(all_rows(log))
            assert all(f"storm line {number:03d}" in shown for number in range(60))


def test_floods_and_storms_space_the_takes_and_a_slow_frame_spaces_a_flood_more() -> None:
    assert take_spacing(FLOOD_TAKE_BYTES - 1, cost=0.5) == 0.0  # after a quiet spell
    assert take_spacing(FLOOD_TAKE_BYTES - 1, 0.0, since_last=STORM_TAKE_SPACING) == 0.0
    assert take_spacing(1, 0.0, since_last=STORM_TAKE_SPACING / 10) == STORM_TAKE_SPACING
    assert take_spacing(FLOOD_TAKE_BYTES, cost=0.001) == DATA_REFRESH_INTERVAL
    assert take_spacing(10 * FLOOD_TAKE_BYTES, cost=0.04) == 0.04 / DATA_REFRESH_SHARE
    assert take_spacing(10 * FLOOD_TAKE_BYTES, cost=0.2) == DATA_REFRESH_LONGEST


def app_with_early_lines(count: int) -> TcpTuiApp:
    capture = Capture()
    app = make_app(None, capture=capture)
    capture.append(Direction.RECEIVED, b"an early line\n" * count)
    return app


async def test_taking_data_into_a_scrolling_view_lays_nothing_out_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """New rows under a view that already scrolls, and the stats ticking, need new scrollbar
    extents and a repaint, not a layout of the whole screen: that is a slow frame for every take."""
    app = app_with_early_lines(300)
    async with app.run_test(size=(160, 40)) as pilot:
        log = current_log(app)
        log.refresh_data()
        await pilot.pause()
        view = log.text_view
        assert view.show_vertical_scrollbar and view.following
        layouts: list[str] = []
        refresh = Widget.refresh

        def note_layouts(widget: Widget, *regions: Region, **flags: bool) -> Widget:
            if flags.get("layout"):
                layouts.append(type(widget).__name__)
            return refresh(widget, *regions, **flags)

        monkeypatch.setattr(Widget, "refresh", note_layouts)
        for take in range(3):
            current_capture(app).append(Direction.RECEIVED, f"take {take}\n".encode() * 200)
            log.refresh_data()
            current_view(app).panel.update_stats()
            await pilot.pause()
        assert layouts == []
        assert view.vertical_scrollbar.window_virtual_size == view.layout_rows.total_rows
        assert view.scroll_y == view.max_scroll_y
        assert "take 2" in all_rows(view)[-1]


async def test_the_cursor_in_chunks_a_view_has_not_measured_yet_is_measured_and_shown() -> None:
    """Under a flood the hex view measures chunks from their length at once while the text
    view reads them within a time budget: the shared cursor can sit in a chunk the text view
    has not reached. Focusing the text view then crashed (IndexError in first_row)."""
    app = app_with_early_lines(10)
    async with app.run_test(size=(160, 40)) as pilot:
        log = current_log(app)
        log.refresh_data()
        await pilot.pause()
        for number in range(30):
            current_capture(app).append(Direction.RECEIVED, f"late line {number}\n".encode() * 40)
        log.units.update()  # a take groups them, then each view measures them on its own
        log.hex_view.refresh_data()
        await pilot.pause()  # the hex view follows the tail, and the text view with it
        text = log.text_view
        assert log.hex_view.layout_rows.measured_units == 31
        assert text.layout_rows.measured_units == 1
        log.marks.cursor.offset = current_capture(app).chunk(25).offset + 5
        text.focus()
        await pilot.pause()
        assert text.layout_rows.measured_units >= 26
        row = text.layout_rows.first_row(25) + 1  # the cursor is in the chunk's first row
        assert text.scroll_y <= row < text.scroll_y + text.scrollable_content_region.height
        assert any("late line 24" in line for line in rendered_rows(text))  # chunk 25 holds it
        await pilot.press("up", "up", "down")  # moving by rows from there works too
        assert current_capture(app).chunk_index_at(log.marks.cursor.offset or 0) in (24, 25)


async def test_a_take_left_for_later_does_nothing_once_its_tab_is_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found in tmux: after a flood the log goes on taking in what it left for later, a slice
    each frame, through `call_after_refresh(pacer.schedule)`. Textual runs such a callback
    even when its widget is being removed, and closing the tab raised NoMatches. Here the
    leftover callbacks are run by hand after the close, as Textual would: they must not reach
    the log's views any more."""
    payload = b"a flooded line of text\n" * 200_000
    with PayloadServer(payload) as server:
        app = make_app(server.target)
        async with app.run_test(size=(160, 40)) as pilot:
            view = current_view(app)  # the first tab, connecting
            await wait_for(pilot, lambda: view.capture.total_bytes == len(payload), "the flood")
            await pilot.press("ctrl+f4")
            await wait_for(pilot, lambda: isinstance(app.screen, DiscardScreen), "the question")
            await pilot.press("d")  # discard the flood
            await wait_for(pilot, lambda: view not in app.query(SessionView), "the tab to go")
            takes: list[ReceiveLog] = []
            refresh_data = ReceiveLog.refresh_data

            def note_take(log: ReceiveLog, catch_up: bool = True) -> bool:
                takes.append(log)
                return refresh_data(log, catch_up)

            monkeypatch.setattr(ReceiveLog, "refresh_data", note_take)
            view.pacer.schedule()  # left by call_after_refresh
            view.pacer.take()  # what a take timer left running would end in
            await pilot.pause()
            assert takes == []
            assert view.pacer.timer is None
            assert len(app.query(SessionView)) == 1
