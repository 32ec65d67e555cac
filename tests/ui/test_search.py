"""Searching the capture from the log: matches found off the event loop, n/N move between them."""

from __future__ import annotations

from textual.widgets import Select

from tcptui.capture.search import SearchMode
from tcptui.capture.store import Capture, Direction
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.search_bar import SearchBar
from tests.helpers.app_parts import current_log
from tests.ui.helpers import hex_view_of, make_app, search_log, wait_for

SIZE = (160, 50)
CHUNKS = [b"HTTP/1.1 200 OK\r\n", b"x" * 300 + b"\xde\xad\x00\xef", b"HTTP/1.1 404 Not Found\r\n"]


def app_with_chunks() -> TcpTuiApp:
    capture = Capture()
    app = make_app(None, capture=capture)
    for chunk in CHUNKS:
        capture.append(Direction.RECEIVED, chunk)
    return app


async def test_text_search_puts_the_cursor_on_each_match_in_turn() -> None:
    app = app_with_chunks()
    async with hex_view_of(app, SIZE) as (pilot, log):
        await search_log(pilot, log, "HTTP/1.1")
        second = len(CHUNKS[0]) + len(CHUNKS[1])
        assert list(log.marks.matches.starts) == [0, second]  # type: ignore[union-attr]
        assert log.marks.cursor.offset == 0
        assert app.focused is log.hex_view
        await pilot.press("n")
        assert log.marks.cursor.offset == second
        await pilot.press("n")
        assert log.marks.cursor.offset == 0  # wraps around
        await pilot.press("N")
        assert log.marks.cursor.offset == second
        status = str(log.query_one("#log-status").render())
        assert "2 matches" in status


async def test_hex_search_with_wildcards_and_a_bad_pattern_message() -> None:
    app = app_with_chunks()
    async with app.run_test(size=SIZE) as pilot:
        log = current_log(app)
        log.refresh_data()
        log.text_view.focus()
        await pilot.press("slash")
        log.query_one("#search-mode", Select).value = SearchMode.HEX
        await pilot.press(*"de zz", "enter")
        assert "not a hex byte" in str(log.query_one("#search-error").render())
        bar = log.query_one(SearchBar)
        search_input = bar.query_one("#search-input")
        search_input.value = "de ad ?? ef"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: log.marks.matches is not None and log.marks.matches.complete,
            "the search",
        )
        assert list(log.marks.matches.starts) == [len(CHUNKS[0]) + 300]  # type: ignore[union-attr]
        rows = [log.hex_view.render_line(y) for y in range(log.hex_view.size.height)]
        highlighted = [seg.text for row in rows for seg in row if seg.style and seg.style.bgcolor]
        assert any(text.startswith("de ad") for text in highlighted)


async def test_the_search_bar_is_made_when_first_opened_and_only_once() -> None:
    """Its parts cost 20 ms to mount: a new tab goes without them until a search opens."""
    app = app_with_chunks()
    async with hex_view_of(app, SIZE) as (pilot, log):
        bar = log.query_one(SearchBar)
        assert not bar.children
        await search_log(pilot, log, "HTTP/1.1")
        assert len(log.marks.matches) == 2  # type: ignore[arg-type]
        parts = list(bar.children)
        await pilot.press("slash")
        assert list(bar.children) == parts and app.focused is bar.query_one("#search-input")
