"""The log views skip Textual's ANSI-to-truecolor filter only where it would change nothing."""

from __future__ import annotations

from dataclasses import replace

from textual.filter import ANSIToTruecolor
from textual.geometry import Offset, Region
from textual.strip import Strip
from textual.theme import BUILTIN_THEMES

from tcptui.capture.store import Capture, Direction
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.transcript_view import TranscriptView
from tests.helpers.app_parts import current_log
from tests.reliability.hostile_corpus import HOSTILE_PAYLOAD
from tests.ui.helpers import hex_view_of, make_app, search_log

SIZE = (160, 50)


def app_with_every_kind_of_row() -> TcpTuiApp:
    capture = Capture()
    app = make_app(None, capture=capture)
    capture.append(Direction.SENT, b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
    capture.add_note("connection 2")
    capture.append(Direction.RECEIVED, bytes(range(256)) * 2)
    capture.append(Direction.RECEIVED, HOSTILE_PAYLOAD)
    capture.append(
        Direction.RECEIVED, "naïve café ☃ \u202e\u200b\xff\xfe".encode("utf-8", "replace")
    )
    return app


def cells(strip: Strip) -> list[tuple[str, object]]:
    return [(char, segment.style) for segment in strip for char in segment.text]


async def test_rows_are_the_same_with_the_filter_so_it_is_skipped() -> None:
    app = app_with_every_kind_of_row()
    async with hex_view_of(app, SIZE) as (pilot, log):
        await search_log(pilot, log, "HTTP")  # match marks, and the cursor on one
        await pilot.press("escape", "shift+right", "shift+right", "shift+right")  # a selection
        text = log.text_view.content_region  # and a mouse selection in the other view
        await pilot.mouse_down(offset=Offset(text.x, text.y + 1))
        await pilot.hover(offset=Offset(text.x + 30, text.y + 3))
        await pilot.mouse_up(offset=Offset(text.x + 30, text.y + 3))
        assert log.text_view.text_selection is not None
        [ansi] = [f for f in app.get_line_filters() if isinstance(f, ANSIToTruecolor)]
        checked = 0
        for view in log.query(TranscriptView):
            assert ansi not in view.get_line_filters()
            for top in range(0, view.virtual_size.height, view.size.height):
                view.scroll_to(y=top, animate=False, immediate=True)
                await pilot.pause()
                background = view.background_colors[1]
                for row in view.render_lines(Region(0, 0, *view.size)):
                    assert cells(row.apply_filter(ansi, background)) == cells(row)
                    checked += 1
        assert checked > 100


async def test_a_theme_of_ansi_colours_keeps_the_filter() -> None:
    """ANSI colours in the CSS, drawn in truecolor (not the terminal's own palette)."""
    app = app_with_every_kind_of_row()
    async with app.run_test(size=SIZE) as pilot:
        current_log(app).refresh_data()
        app.register_theme(replace(BUILTIN_THEMES["ansi-dark"], name="ansi-colours", ansi=False))
        app.theme = "ansi-colours"
        await pilot.pause()
        assert any(isinstance(f, ANSIToTruecolor) for f in app.get_line_filters())
        for view in current_log(app).query(TranscriptView):
            assert list(view.get_line_filters()) == list(app.get_line_filters())
