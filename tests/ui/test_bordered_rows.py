"""The transcript views' rows, built by BorderedRowsCache, are exactly what Textual builds."""

from __future__ import annotations

import pytest
from textual._styles_cache import StylesCache
from textual.geometry import Region
from textual.strip import Strip

from tcptui.capture.store import Capture, Direction
from tcptui.ui.bordered_rows import BorderedRowsCache
from tcptui.ui.transcript_view import TranscriptView
from tests.helpers.app_parts import current_log
from tests.ui.helpers import make_app, wait_for

Rows = list[tuple[int, list[tuple[str, object]]]]


def rows_of(strips: list[Strip]) -> Rows:
    return [(strip.cell_length, [(seg.text, seg.style) for seg in strip]) for strip in strips]


def both_renders(view: TranscriptView, crop: Region) -> tuple[Rows, Rows]:
    """The view's rows through its own cache, then through a plain Textual StylesCache."""
    ours = view._styles_cache
    assert isinstance(ours, BorderedRowsCache)
    ours.clear()
    fast = rows_of(view.render_lines(crop))
    view._styles_cache = StylesCache()
    try:
        textual = rows_of(view.render_lines(crop))
    finally:
        view._styles_cache = ours
    return fast, textual


def mixed_capture() -> Capture:
    capture = Capture()
    capture.append(Direction.RECEIVED, "HTTP/1.1 200 OK\r\nServer: 中文\r\n\r\n".encode())
    capture.append(Direction.SENT, b"GET / HTTP/1.0\r\n\r\n")
    for index in range(40):
        capture.append(Direction.RECEIVED, bytes(range(256)) * 4 + bytes([index]) + b"\x1b[2J")
    return capture


@pytest.fixture
def textual_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each row built by Textual's own StylesCache.render_line appends to this list."""
    calls: list[int] = []
    original = StylesCache.render_line

    def counting(self: StylesCache, styles: object, y: int, *args: object) -> Strip:
        calls.append(y)
        return original(self, styles, y, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(StylesCache, "render_line", counting)
    return calls


@pytest.mark.parametrize(
    ("theme", "ansi_color"), [("textual-dark", False), ("textual-light", False), ("nord", True)]
)
async def test_every_row_matches_textual_in_each_state(
    theme: str, ansi_color: bool, textual_rows: list[int]
) -> None:
    capture = mixed_capture()
    app = make_app(capture=capture)
    async with app.run_test(size=(200, 50)) as pilot:
        app.theme = theme
        app.ansi_color = ansi_color
        log = current_log(app)
        log.refresh_data()
        views = log.visible_views()
        await wait_for(pilot, lambda: all(v.vertical_scrollbar.display for v in views), "bars")
        compared = 0
        for state in ("tail", "focused", "scrolled up", "scrolled right"):
            if state == "focused":
                log.hex_view.focus()
            elif state == "scrolled up":  # the border's subtitle says what arrived unseen
                for view in views:
                    view.scroll_to_byte(3, 0)
                capture.append(Direction.RECEIVED, b"more")
                log.refresh_data()
            elif state == "scrolled right":
                log.text_view.scroll_to(x=7, animate=False, immediate=True, force=True)
            await pilot.pause()
            for view in views:
                width, height = view.outer_size
                for crop in (Region(0, 0, width, height), Region(2, 1, width - 3, height - 2)):
                    textual_rows.clear()
                    fast, textual = both_renders(view, crop)
                    assert fast == textual, (theme, ansi_color, state, view.id, crop)
                    # In our render only the border rows took Textual's way, then all did.
                    borders = {0, height - 1} & set(crop.line_range)
                    assert textual_rows == sorted(borders) + list(crop.line_range)
                    compared += 1
        assert all(view.border_subtitle for view in views)  # the note of unseen bytes
    capture.close()
    assert compared == 4 * 2 * 2


async def test_styles_it_does_not_cover_go_through_textual() -> None:
    capture = mixed_capture()
    app = make_app(capture=capture)
    async with app.run_test(size=(200, 50)) as pilot:
        current_log(app).refresh_data()
        view = current_log(app).text_view
        await pilot.pause()
        width, height = view.outer_size
        for rule, value in [("padding", (0, 1)), ("tint", "red 30%"), ("opacity", 0.5)]:
            setattr(view.styles, rule, value)
            await pilot.pause()
            fast, textual = both_renders(view, Region(0, 0, width, height))
            assert fast == textual, rule
            view.styles.clear_rule(rule)
    capture.close()


async def test_rows_come_cut_where_the_compositor_cuts_them() -> None:
    """Each content row holds its pieces for the cuts the compositor makes at the scroll bar,
    and they are the pieces Textual would cut."""
    capture = mixed_capture()
    app = make_app(capture=capture)
    async with app.run_test(size=(200, 50)) as pilot:
        log = current_log(app)
        log.refresh_data()
        views = log.visible_views()
        await wait_for(pilot, lambda: all(v.vertical_scrollbar.display for v in views), "bars")
        compositor = app.screen._compositor
        checked = 0
        for view in views:
            region, _ = compositor.visible_widgets[view]
            view._styles_cache.clear()
            strips = view.render_lines(Region(0, 0, region.width, region.height))
            for y in range(1, region.height - 1):
                line_cuts = compositor.cuts[region.y + y]
                cuts = [cut - region.x for cut in line_cuts if region.x < cut <= region.right]
                strip = strips[y]
                assert tuple(cuts) in strip._divide_cache, (view.id, y, cuts)
                ours = strip.divide(cuts)
                textual = Strip(list(strip), strip.cell_length).divide(cuts)
                assert [(piece.cell_length, list(piece)) for piece in ours] == [
                    (piece.cell_length, list(piece)) for piece in textual
                ]
                checked += 1
        assert checked == sum(view.outer_size.height - 2 for view in views)
    capture.close()
