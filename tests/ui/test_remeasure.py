"""A new width for a big capture: the text view measures it again in slices between frames,
showing the rows for the old width until the new ones are all known, so the UI stays live
(a resize over 256 MiB of text froze it for 0.7-2 s).

What happens while it measures is recorded at each slice: the pilot's pauses wait for the
CPU to go idle, which may be after the last slice."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import pytest
from textual.pilot import Pilot

from tcptui.capture.store import Capture, Direction
from tcptui.ui import transcript_view
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.search_bar import SearchBar
from tcptui.ui.transcript_layout import HEADER_ROWS, TranscriptLayout
from tcptui.ui.transcript_rows import HexPainter, TextPainter
from tcptui.ui.transcript_view import REMEASURING_NOTE, TranscriptView
from tests.helpers.app_parts import current_capture, current_log
from tests.ui.helpers import make_app, wait_for

CHUNKS = 240
LINE = b"GET /a/long/path?with=a&query=string HTTP/1.1 and more text to wrap at any width " * 3
SIZE = (200, 50)
Slice = tuple[int, TextPainter | HexPainter, str]  # (view's wrap, painter measured, subtitle)


@pytest.fixture(autouse=True)
def _small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """A slice measures at least one chunk: with no time for more, every chunk is a slice."""
    monkeypatch.setattr(transcript_view, "REMEASURE_SLICE", 0.0)


def record_slices(
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[list[Slice], dict[int, Callable[[], object]]]:
    """Each slice of the text view, as seen when it starts; a hook put in the second list
    at n runs once, at the nth slice recorded."""
    seen: list[Slice] = []
    at_slice: dict[int, Callable[[], object]] = {}
    original = TranscriptView._remeasure_slice

    def measuring(
        view: TranscriptView,
        painter: TextPainter | HexPainter,
        layout: TranscriptLayout,
        until: int,
    ) -> None:
        if view.id == "text-view":
            assert isinstance(view.painter, TextPainter)
            seen.append((view.painter.wrap, painter, str(view.border_subtitle)))
            hook = at_slice.pop(len(seen), None)
            if hook is not None:
                hook()
        original(view, painter, layout, until)

    monkeypatch.setattr(TranscriptView, "_remeasure_slice", measuring)
    return seen, at_slice


def app_with_text() -> TcpTuiApp:
    capture = Capture()
    app = make_app(capture=capture)
    for index in range(CHUNKS):
        capture.append(Direction.RECEIVED, b"%04d " % index + LINE + b"\n")
    return app


def fresh_total(view: TranscriptView) -> int:
    """Rows of the whole capture measured from scratch at the view's width."""
    painter = TextPainter(view.painter.reader, view.scrollable_content_region.width - 2)
    assert view.units.total_bytes == view.capture.total_bytes
    return sum(HEADER_ROWS + painter.count_rows(i) for i in range(len(view.units)))


async def text_only(pilot: Pilot[int], seen: list[Slice]) -> TranscriptView:
    log = current_log(pilot.app)  # type: ignore[attr-defined]
    log.set_layout("text")  # the text view gets wider: measured in slices too
    view: TranscriptView = log.text_view
    await wait_for(pilot, lambda: bool(seen) and view._remeasuring is None, "the first rows")
    seen.clear()
    return view


@contextlib.asynccontextmanager
async def measured_text_view(
    monkeypatch: pytest.MonkeyPatch, focus: bool = False
) -> AsyncIterator[tuple[Pilot[int], TranscriptView, list[Slice], dict[int, Callable[[], object]]]]:
    """The app with the text view alone, measured (and focused); its slices recorded."""
    app = app_with_text()
    seen, at_slice = record_slices(monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        view = await text_only(pilot, seen)
        if focus:
            view.focus()
            await pilot.pause()
        yield pilot, view, seen, at_slice


async def resize_while_measuring(
    pilot: Pilot[int],
    view: TranscriptView,
    at_slice: dict[int, Callable[[], object]],
    size: tuple[int, int],
) -> None:
    """Narrow the terminal to 150 columns, resize it to `size` at the fifth slice of the
    measuring that starts, and wait until the view measures no more."""
    resizes: list[asyncio.Task[None]] = []
    at_slice[5] = lambda: resizes.append(
        asyncio.get_running_loop().create_task(pilot.resize_terminal(*size))
    )
    await pilot.resize_terminal(150, 50)
    await wait_for(pilot, lambda: bool(resizes) and resizes[0].done(), "the second resize")
    await wait_for(pilot, lambda: view._remeasuring is None, "the measuring to end")


async def narrow_and_measure(pilot: Pilot[int], view: TranscriptView, seen: list[Slice]) -> None:
    """Narrow the terminal to 150 columns and wait for the text view's new rows."""
    await pilot.resize_terminal(150, 50)
    await wait_for(pilot, lambda: len(seen) > 5 and view._remeasuring is None, "the new rows")


async def test_a_resize_keeps_the_old_rows_until_the_new_ones_are_measured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys_while_measuring: list[bool] = []
    open_search = SearchBar.open

    def opening(bar: SearchBar) -> None:
        keys_while_measuring.append(current_log(app).text_view._remeasuring is not None)
        open_search(bar)

    monkeypatch.setattr(SearchBar, "open", opening)
    app = app_with_text()
    seen, at_slice = record_slices(monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        view = await text_only(pilot, seen)
        at_slice[5] = lambda: app.simulate_key("slash")
        view.focus()
        top_chunk = CHUNKS // 2
        view.following = False
        view.scroll_to(y=view.layout_rows.first_row(top_chunk), animate=False, immediate=True)
        await pilot.pause()
        old_wrap = view.painter.wrap

        await narrow_and_measure(pilot, view, seen)
        assert len(seen) >= CHUNKS // 2  # measured in slices
        assert {(wrap, subtitle) for wrap, _, subtitle in seen} == {(old_wrap, REMEASURING_NOTE)}
        assert keys_while_measuring == [True]  # a key between two slices was handled then

        assert view.painter.wrap == view.scrollable_content_region.width - 2 < old_wrap
        assert view.layout_rows.total_rows == fresh_total(view)
        top = view.layout_rows.locate(round(view.scroll_y))
        assert top is not None and top.unit == top_chunk
        assert view.border_subtitle != REMEASURING_NOTE


async def test_a_second_resize_replaces_the_measuring_under_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with measured_text_view(monkeypatch) as (pilot, view, seen, at_slice):
        await resize_while_measuring(pilot, view, at_slice, (170, 50))
        painters = [painter for _, painter, _ in seen]
        first, last = painters[0], painters[-1]
        assert first is not last
        switch = painters.index(last)
        assert set(painters[:switch]) == {first} and set(painters[switch:]) == {last}
        assert view.painter is last
        assert view.painter.wrap == view.scrollable_content_region.width - 2
        assert view.layout_rows.total_rows == fresh_total(view)


async def test_bytes_that_arrive_while_it_measures_are_measured_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = app_with_text()

    def more_bytes() -> None:
        for index in range(20):
            current_capture(app).append(Direction.RECEIVED, b"late %02d " % index + LINE)
        current_log(app).refresh_data()

    seen, at_slice = record_slices(monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        view = await text_only(pilot, seen)
        at_slice[5] = more_bytes
        await narrow_and_measure(pilot, view, seen)
        assert len(seen) >= CHUNKS // 2
        assert len(view.capture) == CHUNKS + 20
        assert view.layout_rows.total_rows == fresh_total(view)
        assert view.following
        assert view.scroll_y == view.max_scroll_y  # the tail is in view


async def test_a_cursor_moved_while_it_measures_stays_on_screen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with measured_text_view(monkeypatch, focus=True) as (pilot, view, seen, at_slice):
        view.following = False
        view.scroll_to(y=0, animate=False, immediate=True)
        view.marks.cursor.offset = 0
        await pilot.pause()
        at_slice[5] = lambda: view.action_move_chunks(150)  # the view scrolls to show it
        await narrow_and_measure(pilot, view, seen)
        row = view.cursor_row()
        assert row is not None and view.scroll_y > 0
        assert view.scroll_y <= row < view.scroll_y + view.scrollable_content_region.height


async def test_the_other_view_stays_where_it_was_moved_while_the_text_view_measured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = app_with_text()
    seen, at_slice = record_slices(monkeypatch)
    hex_rows: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        log = current_log(app)
        text, hex_view = log.text_view, log.hex_view
        log.refresh_data()  # the hex view takes in what the capture holds
        await wait_for(pilot, lambda: text._sized and text._remeasuring is None, "the rows")
        seen.clear()
        hex_view.focus()
        hex_view.scroll_to(y=0, animate=False, immediate=True)
        await pilot.pause()

        # Scrolled as a person would (the text view follows it), then read a few slices on.
        at_slice[3] = lambda: hex_view.scroll_to(y=400, animate=False, immediate=True)
        at_slice[12] = lambda: hex_rows.append(hex_view.scroll_y)
        await pilot.resize_terminal(170, 50)
        await wait_for(pilot, lambda: len(seen) > 12 and text._remeasuring is None, "new rows")
        await pilot.pause()
        assert hex_rows[0] > 0
        assert hex_view.scroll_y == hex_rows[0]


async def test_going_back_to_the_width_on_screen_stops_the_measuring(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with measured_text_view(monkeypatch) as (pilot, view, seen, at_slice):
        on_screen = view.painter
        await resize_while_measuring(pilot, view, at_slice, SIZE)
        assert len(seen) < 10
        assert view.painter is on_screen
        assert view.border_subtitle != REMEASURING_NOTE


async def test_a_focused_view_following_the_tail_keeps_it_whatever_its_cursor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with measured_text_view(monkeypatch, focus=True) as (pilot, view, seen, _):
        view.marks.cursor.offset = 0  # far above the tail
        view.action_follow()
        await pilot.pause()
        assert view.following
        await narrow_and_measure(pilot, view, seen)
        assert view.following
        assert view.scroll_y == view.max_scroll_y > 0


async def test_a_flood_before_the_first_frame_is_shown_at_the_view_s_width_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Bytes keep coming while the first width is measured: the rows are shown at that width
    at once and the rest is measured a slice per frame. (The view measured again in slices
    that never caught up with the flood, painting meanwhile with an 8-column painter: a CJK
    flood froze it for seconds.)"""
    app = app_with_text()
    flood: list[int] = []
    count_rows = TextPainter.count_rows

    def counting(painter: TextPainter, index: int) -> int:
        if len(flood) < 40:  # each chunk measured brings another, for a while
            flood.append(index)
            current_capture(app).append(
                Direction.RECEIVED, b"flood %02d " % len(flood) + LINE + b"\n"
            )
        return count_rows(painter, index)

    painted: list[tuple[int, bool]] = []
    painted_line = TranscriptView._painted_line

    def painting(view: TranscriptView, y: int) -> object:
        if view.id == "text-view" and view._sized and isinstance(view.painter, TextPainter):
            painted.append((view.painter.wrap, view._remeasuring is None))
        return painted_line(view, y)

    monkeypatch.setattr(TextPainter, "count_rows", counting)
    monkeypatch.setattr(TranscriptView, "_painted_line", painting)
    async with app.run_test(size=SIZE) as pilot:
        view = current_log(app).text_view
        await wait_for(
            pilot,
            lambda: (
                len(flood) == 40
                and not current_log(app).refresh_data()  # the takes a session would make
                and not view.layout_rows.pending
            ),
            "the flood measured",
        )
        width = view.scrollable_content_region.width - TextPainter.gutter_width
        assert painted and set(painted) == {(width, True)}
        assert view.layout_rows.total_rows == fresh_total(view)
        assert view.scroll_y == view.max_scroll_y  # following the tail
