"""The ctrl+r history search screen, driven with keys on the real app."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from tcptui.ui.app import TcpTuiApp
from tcptui.ui.history_screen import HistorySearchScreen, safe_line
from tcptui.user_files.history import HistoryEntry, HistoryStore
from tests.ui.helpers import make_app, wait_for

SIZE = (100, 30)
SENT = ["USER bob", "PASS hunter2", "user alice", "QUIT", "\x1b[31mred [bold]x[/]"]


def store_with_history(tmp_path: Path) -> HistoryStore:
    store = HistoryStore(tmp_path / "history.jsonl")
    for text in SENT:
        store.add(text)
    return store


def shown_matches(app: TcpTuiApp) -> list[str]:
    options = app.screen.query_one("#history-matches", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def open_search(
    app: TcpTuiApp, store: HistoryStore, chosen: list[HistoryEntry | None]
) -> None:
    app.push_screen(HistorySearchScreen(store), chosen.append)


async def test_typing_filters_and_enter_picks_the_newest_match(tmp_path: Path) -> None:
    app, chosen = make_app(None), list[HistoryEntry | None]()
    async with app.run_test(size=SIZE) as pilot:
        await open_search(app, store_with_history(tmp_path), chosen)
        await wait_for(pilot, lambda: isinstance(app.screen, HistorySearchScreen), "the search")
        assert len(shown_matches(app)) == len(SENT)
        await pilot.press(*"user")
        assert shown_matches(app) == ["user alice", "USER bob"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(chosen), "the choice")
    assert chosen == [HistoryEntry("user alice")]


async def test_down_and_ctrl_r_move_to_older_matches(tmp_path: Path) -> None:
    app, chosen = make_app(None), list[HistoryEntry | None]()
    async with app.run_test(size=SIZE) as pilot:
        await open_search(app, store_with_history(tmp_path), chosen)
        await wait_for(pilot, lambda: isinstance(app.screen, HistorySearchScreen), "the search")
        await pilot.press("ctrl+r", "down", "up", "ctrl+r", "enter")
        await wait_for(pilot, lambda: bool(chosen), "the choice")
    assert chosen == [HistoryEntry("user alice")]


async def test_escape_cancels_and_enter_without_a_match_does_nothing(tmp_path: Path) -> None:
    app, chosen = make_app(None), list[HistoryEntry | None]()
    async with app.run_test(size=SIZE) as pilot:
        await open_search(app, store_with_history(tmp_path), chosen)
        await wait_for(pilot, lambda: isinstance(app.screen, HistorySearchScreen), "the search")
        await pilot.press(*"nothing like it", "enter")
        assert shown_matches(app) == []
        assert isinstance(app.screen, HistorySearchScreen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: bool(chosen), "the dismissal")
    assert chosen == [None]


async def test_entries_are_shown_inert_but_picked_exactly(tmp_path: Path) -> None:
    app, chosen = make_app(None), list[HistoryEntry | None]()
    async with app.run_test(size=SIZE) as pilot:
        await open_search(app, store_with_history(tmp_path), chosen)
        await wait_for(pilot, lambda: isinstance(app.screen, HistorySearchScreen), "the search")
        assert shown_matches(app)[0] == "␛[31mred [bold]x[/]"
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(chosen), "the choice")
    assert chosen == [HistoryEntry(SENT[-1])]


def test_safe_line_marks_real_controls_and_cuts_long_text() -> None:
    line = safe_line("a\tb\u202ec\ud800", limit=100)
    assert line.plain == "a\\tb\\u{202E}c\\xed\\xa0\\x80"
    assert line.spans and all(span.style == "reverse" for span in line.spans)
    assert safe_line("x" * 50, limit=10).plain == "x" * 9 + "…"
