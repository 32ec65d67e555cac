"""Naming a snippet and picking one, driven with keys on the real app."""

from __future__ import annotations

from textual.widgets import Label, OptionList, Static

from tcptui.codec.composer_syntax import LineEnding, Syntax
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.snippet_screens import SaveSnippetScreen, SnippetPickerScreen, snippet_keys
from tcptui.user_files.snippets import Snippet
from tests.ui.helpers import make_app, wait_for

SIZE = (120, 30)
SNIPPETS = [
    Snippet("login", "USER bob\\r\\n", Syntax.TEXT, LineEnding.CRLF),
    Snippet("ping", "de ad be ef", Syntax.HEX),
    Snippet("\x1b]0;pwned\x07[b]x", "\x1b[2J", Syntax.TEXT, LineEnding.NONE),
]


def status(app: TcpTuiApp) -> str:
    return str(app.screen.query_one("#snippet-name-status", Static).render())


def picker_rows(app: TcpTuiApp) -> list[str]:
    options = app.screen.query_one("#snippet-list", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_save_screen_says_a_name_will_replace_and_returns_it_trimmed() -> None:
    app, chosen = make_app(None), list[str | None]()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SaveSnippetScreen("USER bob\\r\\n", ["login", "ping"]), chosen.append)
        await wait_for(pilot, lambda: isinstance(app.screen, SaveSnippetScreen), "the screen")
        await pilot.press(*"log")
        assert status(app) == "New snippet, sent with shift+F3."
        await pilot.press(*"in ")
        assert status(app) == "Replaces the snippet login."
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(chosen), "the name")
    assert chosen == ["login"]


async def test_save_screen_refuses_a_blank_name_and_escape_cancels() -> None:
    app, chosen = make_app(None), list[str | None]()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SaveSnippetScreen("x", []), chosen.append)
        await wait_for(pilot, lambda: isinstance(app.screen, SaveSnippetScreen), "the screen")
        await pilot.press("space", "enter")
        assert status(app) == "A snippet needs a name."
        assert isinstance(app.screen, SaveSnippetScreen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: bool(chosen), "the dismissal")
    assert chosen == [None]


async def test_picker_lists_keys_names_and_inert_previews_and_enter_picks() -> None:
    app, chosen = make_app(None), list[Snippet | None]()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SnippetPickerScreen(SNIPPETS), chosen.append)
        await wait_for(pilot, lambda: isinstance(app.screen, SnippetPickerScreen), "the picker")
        rows = picker_rows(app)
        assert rows[0].split() == ["shift+F1", "login", "USER", "bob\\r\\n", "text", "·", "CRLF"]
        assert rows[1].endswith("hex · no line ending")
        assert rows[2].startswith("shift+F3   ␛]0;pwned␇[b]x  ␛[2J")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: bool(chosen), "the choice")
    assert chosen == [SNIPPETS[1]]


async def test_empty_picker_explains_how_to_save_and_escape_cancels() -> None:
    app, chosen = make_app(None), list[Snippet | None]()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SnippetPickerScreen([]), chosen.append)
        await wait_for(pilot, lambda: isinstance(app.screen, SnippetPickerScreen), "the picker")
        hint = str(app.screen.query_one("#snippet-picker-hint", Label).render())
        assert "Save composer as snippet" in hint
        await pilot.press("enter", "escape")
        await wait_for(pilot, lambda: bool(chosen), "the dismissal")
    assert chosen == [None]


def test_snippet_keys_cover_both_names_terminals_use_for_shift_f_keys() -> None:
    assert snippet_keys(0) == "shift+f1,f13"
    assert snippet_keys(11) == "shift+f12,f24"
