"""The painted scroll bar draws exactly what Textual's ScrollBar draws, cell by cell."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.filter import LineFilter
from textual.geometry import Offset, Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from tcptui.capture.store import Capture, Direction
from tcptui.ui.ascii_filter import AsciiOnly
from tcptui.ui.painted_scrollbar import PaintedScrollBar, PaintedScrollBars
from tests.helpers.app_parts import current_log
from tests.ui.helpers import make_app, wait_for

Cells = list[list[tuple[str, Style | None]]]


def cells(strips: list[Strip]) -> Cells:
    return [
        [(char, segment.style) for segment in strip for char in segment.text] for strip in strips
    ]


def both_renders(bar: ScrollBar, crop: Region) -> tuple[Cells, Cells]:
    assert isinstance(bar, PaintedScrollBar)
    bar._styles_cache.clear()  # Textual's path caches rows; render them afresh
    return cells(bar.render_lines(crop)), cells(ScrollBar.render_lines(bar, crop))


class Canvas(ScrollView, PaintedScrollBars):
    """A view that scrolls both ways, with painted bars as the transcript views have."""

    DEFAULT_CSS = "Canvas { scrollbar-size: 2 2; }"


class CanvasApp(App[None]):
    def __init__(self, ascii_only: bool) -> None:
        super().__init__()
        self._ascii_only = [AsciiOnly()] if ascii_only else []

    def get_line_filters(self) -> Sequence[LineFilter]:
        return [*super().get_line_filters(), *self._ascii_only]

    def compose(self) -> ComposeResult:
        yield Canvas()


@pytest.mark.parametrize("ascii_only", [False, True])
async def test_both_bars_match_textual_at_every_position_and_state(ascii_only: bool) -> None:
    app = CanvasApp(ascii_only)
    async with app.run_test(size=(60, 20)) as pilot:
        canvas = app.query_one(Canvas)
        canvas.virtual_size = Size(1000, 5000)
        await pilot.pause()
        bars = [canvas.vertical_scrollbar, canvas.horizontal_scrollbar]
        assert all(bar.display for bar in bars)
        compared = 0
        for x, y in [(0, 0), (3, 7), (400, 2500), (123, 4321), (940, 4982), (1000, 5000)]:
            canvas.scroll_to(x, y, animate=False, immediate=True)
            await pilot.pause()
            for bar in bars:
                for state in ("plain", "hover", "grabbed"):
                    bar.mouse_over = state == "hover"
                    bar.grabbed = Offset(0, 0) if state == "grabbed" else None
                    width, height = bar.size
                    for crop in (Region(0, 0, width, height), Region(1, 1, width - 1, height - 1)):
                        painted, textual = both_renders(bar, crop)
                        assert painted == textual, (x, y, bar.vertical, state, crop)
                        compared += 1
        assert compared == 6 * 2 * 3 * 2


async def test_transcript_views_paint_their_bars_like_textual() -> None:
    capture = Capture()
    for index in range(64):
        capture.append(Direction.RECEIVED, bytes(range(256)) * 64 + bytes([index]))
    app = make_app(capture=capture)
    async with app.run_test(size=(120, 40)) as pilot:
        current_log(app).refresh_data()
        views = current_log(app).visible_views()
        await wait_for(
            pilot, lambda: all(view.vertical_scrollbar.display for view in views), "scroll bars"
        )
        for chunk in (0, 31, 63):
            for view in views:
                view.scroll_to_byte(chunk, 100)
            await pilot.pause()
            for view in views:
                bar = view.vertical_scrollbar
                width, height = bar.size
                painted, textual = both_renders(bar, Region(0, 0, width, height))
                assert painted == textual
                assert len(painted) == height
    capture.close()


async def test_clicking_the_track_and_dragging_the_thumb_still_scroll() -> None:
    app = CanvasApp(ascii_only=False)
    async with app.run_test(size=(60, 20)) as pilot:
        canvas = app.query_one(Canvas)
        canvas.virtual_size = Size(1000, 5000)
        await pilot.pause()
        bar = canvas.vertical_scrollbar
        assert canvas.scroll_y == 0
        await pilot.click(bar, offset=(0, bar.size.height - 2))  # the track below the thumb
        await pilot.pause()
        assert canvas.scroll_y > 0
        after_click = canvas.scroll_y
        await pilot.mouse_down(bar, offset=(0, 4))  # somewhere on the thumb or near it: grab
        await pilot.hover(bar, offset=(0, bar.size.height - 1))
        await pilot.mouse_up(bar, offset=(0, bar.size.height - 1))
        await pilot.pause()
        assert canvas.scroll_y != after_click
