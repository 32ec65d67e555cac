"""The composer changes nothing behind the user's back: hex is sent exactly as typed, an edited
chunk's "no line ending" holds for that message only, history brings a message back as it was
sent, and F8 never drops lines. Checked against what a loopback server received."""

from __future__ import annotations

from textual.widgets import Static

from tcptui.codec.composer_syntax import LineEnding, Syntax
from tcptui.ui.app import TcpTuiApp
from tcptui.user_files.history import HistoryEntry
from tcptui.user_files.paths import history_path
from tests.helpers import EchoServer
from tests.helpers.app_parts import current_composer, current_log
from tests.ui.helpers import make_app, wait_for, wait_open, wait_received

SIZE = (150, 44)


def shown(app: TcpTuiApp, selector: str) -> str:
    return str(current_composer(app).query_one(selector, Static).render())


async def test_hex_enter_sends_exactly_the_bytes_typed_and_the_status_says_so() -> None:
    with EchoServer() as server:
        app = make_app(server.target, line_ending=LineEnding.CRLF)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            current_composer(app).syntax = Syntax.HEX
            await pilot.press(*"de ad be ef")
            assert shown(app, "#preview").startswith("4 bytes on Enter: de ad be ef")
            assert "not added to hex" in shown(app, "#eol")
            await pilot.press("enter")
            current_composer(app).syntax = Syntax.TEXT
            assert shown(app, "#eol") == "CRLF"
            await pilot.press("x", "enter")
            assert server.wait_received(7)
            assert server.received == b"\xde\xad\xbe\xefx\r\n"


async def test_editing_a_chunk_sends_it_without_a_line_ending_once_only() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            await pilot.press(*"ab", "enter")
            await wait_received(app, pilot, 3, "the echo")
            log = current_log(app)
            log.hex_view.scroll_home(animate=False, immediate=True)
            log.hex_view.focus()
            await pilot.pause()
            await pilot.press("e")
            assert current_composer(app).input.value == "ab\\n"
            assert shown(app, "#eol") == "none for this message"
            current_composer(app).input.focus()
            await pilot.press("enter")
            assert server.wait_received(6)
            assert current_composer(app).line_ending is LineEnding.LF
            assert shown(app, "#eol") == "LF"
            await pilot.press("c", "enter")
            assert server.wait_received(8)
            assert server.received == b"ab\nab\nc\n"


async def test_f4_after_editing_a_chunk_moves_on_from_the_ending_shown() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            current_composer(app).load_chunk("x")
            await pilot.press("f4")
            assert current_composer(app).message_line_ending is LineEnding.LF
            assert shown(app, "#eol") == "LF"


async def test_up_brings_a_hex_message_back_as_hex() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            current_composer(app).syntax = Syntax.HEX
            await pilot.press(*"48 49", "enter")
            current_composer(app).syntax = Syntax.TEXT
            await pilot.press(*"ok", "enter")
            assert server.wait_received(5)
            await pilot.press("up", "up")
            assert current_composer(app).input.value == "48 49"
            assert current_composer(app).syntax is Syntax.HEX
            await pilot.press("enter")
            assert server.wait_received(7)
            assert server.received == b"HIok\nHI"


async def test_a_message_recalled_in_another_encoding_is_sent_in_it_once() -> None:
    path = history_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"text": "caf\\u00e9", "syntax": "text", "encoding": "latin-1"}\n')
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            await pilot.press("up")
            assert "latin-1 for this message" in shown(app, "#mode")
            await pilot.press("enter")
            assert server.wait_received(5)
            assert current_composer(app).message_encoding == "utf-8"
            await pilot.press(*"é", "enter")
            assert server.wait_received(8)
            assert server.received == b"caf\xe9\n\xc3\xa9\n"
            assert current_composer(app).history.entries[-1] == HistoryEntry(
                "é", Syntax.TEXT, "utf-8"
            )


async def test_f8_back_keeps_a_one_line_message_and_refuses_to_drop_lines() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        current_composer(app).focus_entry()
        await pilot.press(*"alpha", "f8")
        assert current_composer(app).multiline
        await pilot.press("end", "enter", *"beta", "f8")
        assert current_composer(app).multiline
        assert current_composer(app).editor.text == "alpha\nbeta"
        assert "2 lines" in shown(app, "#preview")
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace", "f8")
        await wait_for(pilot, lambda: not current_composer(app).multiline, "the one-line input")
        assert current_composer(app).input.value == "alpha"
