"""History and snippets wired into the app, end to end against a loopback server."""

from __future__ import annotations

from tcptui.codec.composer_syntax import Syntax
from tcptui.ui.history_screen import HistorySearchScreen
from tcptui.ui.snippet_screens import SaveSnippetScreen
from tcptui.user_files.paths import history_path, snippets_path
from tcptui.user_files.snippets import Snippet, load_snippets, save_snippet
from tests.helpers import EchoServer
from tests.helpers.app_parts import current_composer, current_view
from tests.ui.helpers import last_notification, make_app, wait_for, wait_open

SIZE = (140, 40)


async def test_history_survives_a_restart_and_ctrl_r_finds_it() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            await pilot.press(*"USER bob", "enter", *"QUIT", "enter")
            assert server.wait_received(14)
        app = make_app(None)
        async with app.run_test(size=SIZE) as pilot:
            current_composer(app).input.focus()
            await pilot.press("up")
            assert current_composer(app).input.value == "QUIT"
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: isinstance(app.screen, HistorySearchScreen), "search")
            await pilot.press(*"user", "enter")
            await wait_for(
                pilot, lambda: current_composer(app).input.value == "USER bob", "the pick"
            )


async def test_snippet_saved_from_the_composer_is_sent_with_shift_f1() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            await pilot.press(*"hi\\x00")
            current_view(app).action_save_snippet()
            await wait_for(pilot, lambda: isinstance(app.screen, SaveSnippetScreen), "save")
            await pilot.press(*"greet", "enter")
            await wait_for(pilot, lambda: "Saved snippet" in last_notification(app), "saved")
            assert load_snippets(snippets_path())[0].name == "greet"
            await pilot.press("f13")
            assert server.wait_received(4)
            save_snippet(snippets_path(), Snippet("two", "de ad", Syntax.HEX))
            await pilot.press("f14")
            assert server.wait_received(6)
            assert server.received == b"hi\x00\n" + b"\xde\xad"  # hex: no line ending


async def test_a_damaged_history_is_said_once_at_startup_and_kept_aside() -> None:
    path = history_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'{"text": "USER bob"}\n\x00\xff not json [/]\n')
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "history file was damaged" in last_notification(app), "it")
        assert (
            current_composer(app).history.take_warning() is None
        )  # handed out once, already shown
        current_composer(app).input.focus()
        await pilot.press("up")
        assert current_composer(app).input.value == "USER bob"
    assert len(list(path.parent.glob("history.jsonl.corrupt-*"))) == 1
