"""The composer puts exactly the intended bytes on the wire: syntaxes, encodings, line endings,
multi-line messages, repeats and resends, checked against what a loopback server received."""

from __future__ import annotations

import pytest
from textual import events
from textual.pilot import Pilot

from tcptui.capture.store import Direction
from tcptui.codec.composer_syntax import LineEnding, Syntax
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.prompt_screen import PromptScreen
from tests.helpers import EchoServer
from tests.helpers.app_parts import current_capture, current_composer, current_log, current_view
from tests.ui.helpers import make_app, wait_for, wait_open, wait_received

SIZE = (150, 44)


async def connected(app: TcpTuiApp, pilot: Pilot[int]) -> None:
    await wait_open(app, pilot)


async def answer_prompt(app: TcpTuiApp, pilot: Pilot[int], text: str) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), "the prompt")
    await pilot.press(*text, "enter")
    await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen), "the prompt to close")


@pytest.mark.parametrize(
    ("eol", "expected"),
    [
        (LineEnding.NONE, b"hi"),
        (LineEnding.LF, b"hi\n"),
        (LineEnding.CRLF, b"hi\r\n"),
        (LineEnding.CR, b"hi\r"),
    ],
)
async def test_each_line_ending_is_appended_exactly(eol: LineEnding, expected: bytes) -> None:
    with EchoServer() as server:
        app = make_app(server.target, line_ending=eol)
        async with app.run_test(size=SIZE) as pilot:
            await connected(app, pilot)
            await pilot.press("h", "i", "enter")
            assert server.wait_received(len(expected))
            assert server.received == expected


@pytest.mark.parametrize(
    ("encoding", "text", "expected"),
    [
        ("utf-8", "café €", b"caf\xc3\xa9 \xe2\x82\xac"),
        ("latin-1", "café \\x80", b"caf\xe9 \x80"),
        ("cp437", "café ░", b"caf\x82 \xb0"),
        ("utf-16-le", "café €", "café €".encode("utf-16-le")),
    ],
)
async def test_text_is_encoded_with_the_chosen_encoding(
    encoding: str, text: str, expected: bytes
) -> None:
    with EchoServer() as server:
        app = make_app(server.target, line_ending=LineEnding.NONE)
        async with app.run_test(size=SIZE) as pilot:
            await connected(app, pilot)
            error = current_composer(app).set_encoding(encoding)
            assert error is None
            current_composer(app).input.value = text
            await pilot.press("enter")
            assert server.wait_received(len(expected))
            assert server.received == expected


async def test_a_character_the_encoding_cannot_hold_is_named_and_not_sent() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await connected(app, pilot)
            current_view(app).action_set_encoding()
            await pilot.press(*["backspace"] * 10)
            await answer_prompt(app, pilot, "ascii")
            await pilot.press(*"né", "enter")
            preview = str(current_composer(app).query_one("#preview").render())
            assert "'é'" in preview and "ascii" in preview
            assert current_capture(app).stream_bytes(Direction.SENT) == 0


async def test_hex_and_mixed_syntaxes_send_the_bytes_they_describe() -> None:
    with EchoServer() as server:
        app = make_app(server.target, line_ending=LineEnding.NONE)
        async with app.run_test(size=SIZE) as pilot:
            await connected(app, pilot)
            await pilot.press("f7")
            assert current_composer(app).syntax is Syntax.HEX
            await pilot.press(*"de ad 0xbe,ef", "enter")
            assert server.wait_received(4)
            await pilot.press(*"de a")
            assert "column" in str(current_composer(app).query_one("#preview").render())
            await pilot.press(*["backspace"] * 4, "f7")
            assert current_composer(app).syntax is Syntax.MIXED
            await pilot.press(*"OK{0d 0a}", "enter")
            assert server.wait_received(8)
            assert server.received == b"\xde\xad\xbe\xefOK\r\n"


async def test_multiline_message_turns_newlines_into_the_line_ending() -> None:
    with EchoServer() as server:
        app = make_app(server.target, line_ending=LineEnding.CRLF)
        async with app.run_test(size=SIZE) as pilot:
            await connected(app, pilot)
            await pilot.press("f8")
            assert current_composer(app).multiline
            await pilot.press(*"GET / HTTP/1.0", "enter", *"Host: x", "enter")
            await pilot.press("f9")
            expected = b"GET / HTTP/1.0\r\nHost: x\r\n\r\n"
            assert server.wait_received(len(expected))
            assert server.received == expected
            assert current_composer(app).editor.text == ""


async def test_repeat_sends_the_message_the_asked_number_of_times() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await connected(app, pilot)
            await pilot.press(*"ping")
            await pilot.press("ctrl+t")
            await answer_prompt(app, pilot, "3")
            assert server.wait_received(15)
            await pilot.press("ctrl+t")
            await answer_prompt(app, pilot, "4 every 5")
            await wait_for(pilot, lambda: len(server.received) >= 35, "four more, 5 ms apart")
            await wait_received(app, pilot, 35, "all echoes")
            assert server.received == b"ping\n" * 7


async def test_a_sent_chunk_can_be_resent_and_edited_from_the_log() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await connected(app, pilot)
            await pilot.press(*"a\\x00b", "enter")
            assert server.wait_received(4)
            await wait_received(app, pilot, 4, "the echo")
            log = current_log(app)
            log.hex_view.focus()
            await pilot.press("home")
            assert log.marks.cursor.offset == 0  # the sent chunk comes first
            await pilot.press("r")
            assert server.wait_received(8)
            assert server.received == b"a\x00b\n" * 2
            await pilot.press("e")
            assert current_composer(app).input.value == "a\\x00b\\n"
            assert current_composer(app).message_line_ending is LineEnding.NONE


async def test_enters_queued_before_the_app_answers_send_the_line_then_an_empty_one() -> None:
    """Keys that arrive together (a paste, tmux send-keys) are handled before the first send
    is: the second Enter must find the composer empty, as the user would, not resend."""
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await connected(app, pilot)
            current_composer(app).input.focus()
            current_composer(app).input.value = "hi"
            await pilot.pause()
            for _ in range(2):
                app.post_message(events.Key("enter", "\r"))
            await wait_for(
                pilot, lambda: current_capture(app).chunk_count(Direction.SENT) == 2, "2 sends"
            )
            assert server.wait_received(len(b"hi\n\n"))
            assert server.received == b"hi\n\n"
            assert current_composer(app).input.value == ""


async def test_keys_that_arrive_together_send_each_line_as_typed() -> None:
    """`hello⏎⏎utf8⏎` in one burst (tmux send-keys) once sent helloutf8 and two empty lines:
    every key reached the input before the composer handled the first Enter."""
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await connected(app, pilot)
            current_composer(app).input.focus()
            await pilot.pause()
            for key, character in [*((c, c) for c in "hi"), ("enter", "\r"), ("enter", "\r")] + [
                *((c, c) for c in "yo"),
                ("enter", "\r"),
            ]:
                app.post_message(events.Key(key, character))
            await wait_for(
                pilot, lambda: current_capture(app).chunk_count(Direction.SENT) == 3, "3 sends"
            )
            assert server.wait_received(len(b"hi\n\nyo\n"))
            assert server.received == b"hi\n\nyo\n"
            assert current_composer(app).input.value == ""
            for _ in range(5):
                await pilot.pause()
            assert current_capture(app).chunk_count(Direction.SENT) == 3  # no Enter acted twice
