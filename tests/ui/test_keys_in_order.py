"""Keys that arrive together (a paste, SSH batching, tmux send-keys) act in the order typed, in
every text field: editing keys (Backspace, arrows) and priority keys (Tab, F9) included."""

from __future__ import annotations

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tcptui.capture.store import Capture, Direction
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.prompt_screen import PromptScreen
from tests.helpers import EchoServer
from tests.helpers.app_parts import current_capture, current_composer, current_log, current_view
from tests.ui.helpers import make_app, wait_for, wait_open

SIZE = (150, 44)
Keys = list[tuple[str, str | None]]
KEY_NAMES = {"\t": "tab", "\r": "enter", " ": "space", "/": "slash", "\b": "backspace"}


def burst(*parts: str) -> Keys:
    """Keys from text, where a part in angle brackets is a key name: `<left>`."""
    keys: Keys = []
    for part in parts:
        if part.startswith("<") and part.endswith(">"):
            keys.append((part[1:-1], None))
            continue
        for char in part:
            name = KEY_NAMES.get(char, char)
            printable = char if char.isprintable() else ("\r" if char == "\r" else None)
            keys.append((name, printable))
    return keys


def send_burst(app: TcpTuiApp, keys: Keys) -> None:
    """All at once, before the app handles the first: as the terminal driver posts them."""
    for key, character in keys:
        app.post_message(events.Key(key, character))


async def settled(pilot: Pilot[int]) -> None:
    for _ in range(6):
        await pilot.pause()


async def test_backspaces_in_a_burst_delete_before_the_keys_behind_them_are_typed() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            current_composer(app).input.focus()
            send_burst(app, burst("abc"))
            await settled(pilot)
            send_burst(app, burst("<backspace>", "<backspace>", "xy", "\r"))
            await wait_for(
                pilot, lambda: current_capture(app).chunk_count(Direction.SENT) == 1, "a send"
            )
            assert server.wait_received(len(b"axy\n"))
            assert server.received == b"axy\n"


async def test_left_then_a_letter_in_a_burst_inserts_before_the_last_character() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        current_composer(app).input.focus()
        send_burst(app, burst("abc"))
        await settled(pilot)
        send_burst(app, burst("<left>", "x"))
        await wait_for(
            pilot, lambda: len(current_composer(app).input.value) == 4, "four characters"
        )
        assert current_composer(app).input.value == "abxc"


async def test_a_refused_port_then_backspaces_and_a_new_port_are_applied_in_order() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#host", Input).value = "127.0.0.1"
        port = app.query_one("#port", Input)
        port.focus()
        await pilot.pause()
        send_burst(app, burst("70000\r", *["<backspace>"] * 5, "ab\r"))
        await wait_for(pilot, lambda: "'ab'" in str(app.query_one("#form-error").render()), "ab")
        assert port.value == "ab"
        assert current_view(app).session is None


async def test_a_backspace_before_tab_edits_the_field_it_was_typed_in() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "host"
        send_burst(app, burst("localhostt", "<backspace>", "\t", "80"))
        await wait_for(pilot, lambda: app.query_one("#port", Input).value == "80", "the port")
        assert app.query_one("#host", Input).value == "localhost"


async def test_f9_behind_typed_lines_sends_them_from_the_multiline_editor() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            current_composer(app).multiline = True
            await pilot.pause()
            send_burst(app, burst("GET /\rHost: x", "<backspace>", "y", "<f9>"))
            expected = b"GET /\nHost: y\n"
            await wait_for(
                pilot, lambda: current_capture(app).chunk_count(Direction.SENT) == 1, "a send"
            )
            assert server.wait_received(len(expected))
            assert server.received == expected


async def test_the_search_bar_applies_a_burst_in_order() -> None:
    capture = Capture()
    capture.append(Direction.RECEIVED, b"abd abc\n")
    app = make_app(None, capture=capture)
    async with app.run_test(size=SIZE) as pilot:
        current_log(app).text_view.focus()
        await pilot.press("slash")
        await wait_for(pilot, lambda: app.focused is not None, "the search field")
        assert app.focused is not None and app.focused.id == "search-input"
        send_burst(app, burst("abc", "<backspace>", "d", "\r"))
        await settled(pilot)
        field = app.query_one("#search-input", Input)
        await wait_for(pilot, lambda: len(field.value) == 3, "three characters")
        assert field.value == "abd"


async def test_a_dialog_field_applies_a_burst_in_order() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        current_view(app).action_set_encoding()
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), "the prompt")
        field = app.screen.query_one("#prompt-input", Input)
        field.value = ""
        send_burst(app, burst("latin-2", "<backspace>", "1", "\r"))
        await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen), "the answer")
        assert current_composer(app).encoding == "iso8859-1"


async def test_keys_behind_a_refused_enter_keep_their_order_across_a_tab() -> None:
    """The refused Enter gives its keys back to the field; the Tab among them moves on at its
    turn, and the port, Enter and message behind it follow the focus in order."""
    with EchoServer() as server:
        app = make_app(None)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.focused is not None and app.focused.id == "host"
            send_burst(app, burst("127.0.0.1\r\t", str(server.port), "\rhi\r"))
            await wait_for(
                pilot, lambda: current_capture(app).chunk_count(Direction.SENT) == 1, "a send"
            )
            assert server.wait_received(len(b"hi\n"))
            assert server.received == b"hi\n"
            assert app.query_one("#host", Input).value == "127.0.0.1"
            assert app.query_one("#port", Input).value == str(server.port)


async def test_keys_typed_behind_the_enter_that_closes_a_dialog_go_to_the_field_beneath() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        host = app.query_one("#host", Input)
        await wait_for(pilot, lambda: app.focused is host, "the host field")
        host.value = ""
        current_view(app).action_set_encoding()
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), "the prompt")
        field = app.screen.query_one("#prompt-input", Input)
        field.value = ""
        send_burst(app, burst("latin-1\rxyz", "<backspace>", "w"))
        await wait_for(pilot, lambda: host.value == "xyw", "the keys behind the Enter")
        assert current_composer(app).encoding == "iso8859-1"
        assert field.value == "latin-1"


async def test_keys_behind_an_enter_that_a_dialog_refuses_are_typed_in_its_field() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        current_view(app).action_set_encoding()
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), "the prompt")
        field = app.screen.query_one("#prompt-input", Input)
        field.value = ""
        send_burst(app, burst("nonsense\r", "<backspace>", "<backspace>", "-8"))
        await wait_for(pilot, lambda: field.value == "nonsen-8", "the keys behind the Enter")
        assert isinstance(app.screen, PromptScreen)
        error = app.screen.query_one("#prompt-error", Static)
        assert "nonsense" in str(error.render())
