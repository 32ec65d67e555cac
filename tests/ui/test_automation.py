"""Responders, sequences and script export in the real app, against real loopback peers."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select

from tcptui.capture.store import Direction
from tcptui.cli import parse_args
from tcptui.net.sequence import RunState
from tcptui.net.session import SessionState
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.automation import SequenceBar
from tcptui.ui.listener_view import ListenerView
from tcptui.ui.prompt_screen import PromptScreen
from tcptui.ui.save_screen import SaveScreen
from tcptui.ui.session_view import SessionView
from tests.helpers import (
    DEFAULT_TIMEOUT,
    EchoServer,
    LoopbackServer,
    StartTlsServer,
    make_pki,
    server_context,
    stream_bytes,
)
from tests.helpers.app_parts import current_capture, current_composer
from tests.ui.helpers import wait_for
from tests.ui.test_listen import open_client_tab, recv_exactly, wait_listening

SIZE = (150, 44)

MOCK = """
[[responder]]
name = "greeting"
regex = "^HELLO (\\\\w+)\\r\\n"
reply = "hi {1}, you are number {counter}\\r\\n"

[[responder]]
hex = "de ad ?? ef"
reply_hex = "ca fe"
once = true
"""


def app_for(argv: list[str]) -> TcpTuiApp:
    app = TcpTuiApp(parse_args(argv))
    app.animation_level = "none"
    return app


async def open_session_view(app: TcpTuiApp, pilot: Pilot[int]) -> SessionView:
    """The app's session view, once its connection is open (so typed lines go out)."""
    view = app.query_one(SessionView)
    await wait_for(
        pilot,
        lambda: view.session is not None and view.session.state is SessionState.OPEN,
        "open",
    )
    return view


async def fill_prompt(app: TcpTuiApp, pilot: Pilot[int], value: str) -> None:
    """Wait for the prompt a palette command opens, put `value` in it and press enter."""
    await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), "the prompt")
    app.screen.query_one(Input).value = value
    await pilot.press("enter")


async def run_end(pilot: Pilot[int], view: SessionView) -> RunState:
    """Wait until the view's sequence run has ended; how it ended."""
    await wait_for(
        pilot,
        lambda: view.automation.run is not None and view.automation.run.result is not None,
        "the run's end",
    )
    assert view.automation.run is not None and view.automation.run.result is not None
    return view.automation.run.result.state


async def test_listen_with_responders_is_a_mock_server(tmp_path: Path) -> None:
    rules = tmp_path / "mock.toml"
    rules.write_text(MOCK)
    app = app_for(["--listen", "127.0.0.1:0", "--responders", str(rules)])
    async with app.run_test(size=SIZE) as pilot:
        listener = app.query_one(ListenerView)
        await wait_for(pilot, lambda: listener.listener.port != 0, "the listener")
        with socket.create_connection(("127.0.0.1", listener.listener.port)) as client:
            client.sendall(b"HELLO al")
            await wait_for(pilot, lambda: listener.book.client(1) is not None, "the client")
            served = listener.book.client(1)
            assert served is not None
            await wait_for(
                pilot, lambda: served.capture.total_bytes == 8, "the first part of the greeting"
            )
            client.sendall(b"ice\r\n\xde\xad\x00\xef\xde\xad\x01\xef")
            expected = b"hi alice, you are number 1\r\n\xca\xfe"
            assert recv_exactly(client, len(expected)) == expected
            await wait_for(
                pilot,
                lambda: stream_bytes(served.capture, Direction.SENT) == expected,
                "the replies in the capture",
            )
            notes = [served.capture.note(c.index) for c in served.capture.chunks()]
            assert "↩ greeting" in notes and "↩ rule 2" in notes
            listener.action_stop()


async def test_run_sequence_shows_progress_and_a_failure_leaves_the_session_open(
    tmp_path: Path,
) -> None:
    steps = tmp_path / "steps.toml"
    steps.write_text(
        '[[step]]\nsend = "one\\n"\n[[step]]\nexpect = "one"\n'
        '[[step]]\nexpect = "never"\ntimeout = 0.2\n[[step]]\nsend = "not sent\\n"\n'
    )
    with EchoServer() as server:
        app = app_for([f"127.0.0.1:{server.port}", "--run", str(steps)])
        async with app.run_test(size=SIZE) as pilot:
            view = app.query_one(SessionView)
            bar = view.query_one(SequenceBar)
            await wait_for(
                pilot,
                lambda: (
                    view.automation.run is not None
                    and view.automation.run.result is not None
                    and bar.display
                ),
                "the run's end",
            )
            assert view.automation.run is not None and view.automation.run.result is not None
            assert view.automation.run.result.state is RunState.FAILED
            shown = str(bar.render())
            assert "sequence 2/4" in shown
            assert "step 3: expect 'never': it did not arrive within 0.2 s" in shown
            assert view.session is not None and view.session.state is SessionState.OPEN
            view.composer.input.focus()
            await pilot.press(*"more", "enter")
            assert server.wait_received(len(b"one\nmore\n"))
            assert server.received == b"one\nmore\n"


class BannerServer(LoopbackServer):
    """Greets at once, as SMTP and FTP servers do, then echoes."""

    def handle(self, conn: socket.socket) -> None:
        conn.sendall(b"220 ready\r\n")
        conn.settimeout(DEFAULT_TIMEOUT)
        while data := conn.recv(65536):
            self._record(data)
            conn.sendall(data)


async def test_run_expects_the_greeting_that_arrived_before_the_sequence_started(
    tmp_path: Path,
) -> None:
    steps = tmp_path / "smtp.toml"
    steps.write_text('[[step]]\nexpect = "220 "\ntimeout = 3\n[[step]]\nsend = "EHLO me\\r\\n"\n')
    with BannerServer() as server:
        app = app_for([f"127.0.0.1:{server.port}", "--run", str(steps)])
        async with app.run_test(size=SIZE) as pilot:
            view = app.query_one(SessionView)
            assert await run_end(pilot, view) is RunState.PASSED
            assert server.wait_received(len(b"EHLO me\r\n"))
            assert server.received == b"EHLO me\r\n"


async def test_a_responder_added_from_the_palette_answers_at_once() -> None:
    with EchoServer() as server:
        app = app_for([f"127.0.0.1:{server.port}"])
        async with app.run_test(size=SIZE) as pilot:
            view = await open_session_view(app, pilot)
            view.automation.ask_rule()
            await fill_prompt(app, pilot, 'match = "ping", reply = "pong", once = true')
            await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen), "closed")
            view.composer.input.focus()
            await pilot.press(*"ping", "enter")
            # The echo server echoes "ping\n", the rule answers "pong", which is echoed too.
            await wait_for(
                pilot,
                lambda: stream_bytes(view.capture, Direction.SENT) == b"ping\npong",
                "the reply",
            )
            await wait_for(
                pilot,
                lambda: stream_bytes(view.capture, Direction.RECEIVED) == b"ping\npong",
                "the echo of the reply",
            )


async def test_a_palette_rule_answers_a_listen_client_served_without_responders() -> None:
    app = app_for(["--listen", "127.0.0.1:0"])
    async with app.run_test(size=SIZE) as pilot:
        listener = await wait_listening(pilot, app)
        with socket.create_connection(("127.0.0.1", listener.listener.port)) as client:
            client.sendall(b"hello\n")
            view = await open_client_tab(pilot, app, listener, 0)
            view.automation.ask_rule()
            await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), "the prompt")
            await pilot.press(*'match = "PING", reply = "PONG"', "enter")
            await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen), "closed")
            client.sendall(b"PING\n")
            assert recv_exactly(client, 4) == b"PONG"
            listener.action_stop()


async def test_a_bad_palette_rule_is_one_sentence_in_the_prompt() -> None:
    app = app_for([])
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(SessionView)
        view.automation.ask_rule()
        await fill_prompt(app, pilot, 'hex = "zz", reply = "x"')
        error = str(app.screen.query_one("#prompt-error").render())
        assert error == ("responder 1: hex: 'zz' is neither two hex digits nor the wildcard ??")


async def test_ctrl_s_exports_a_python_script_that_passes(tmp_path: Path) -> None:
    with EchoServer() as server:
        app = app_for([f"127.0.0.1:{server.port}"])
        async with app.run_test(size=SIZE) as pilot:
            view = await open_session_view(app, pilot)
            view.composer.input.focus()
            await pilot.press(*"hello", "enter")
            await wait_for(pilot, lambda: view.capture.total_bytes == 12, "the echo")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, SaveScreen), "the dialog")
            script = tmp_path / "replay.py"
            app.screen.query_one("#save-format", Select).value = "PYTHON"
            app.screen.query_one("#save-path", Input).value = str(script)
            await pilot.pause()
            await pilot.click("#save-start")
            await wait_for(pilot, lambda: script.exists(), "the script")
        result = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "all 1 replies matched\n"


async def test_ctrl_s_after_starttls_exports_a_script_that_upgrades_with_the_session_trust(
    tmp_path: Path,
) -> None:
    """ctrl+g upgraded the connection, trusting --cafile: the exported script upgrades at the
    same step, trusting the same file, and the server reads the secret over TLS both times."""
    pki = make_pki(tmp_path)
    with StartTlsServer(server_context(pki.server)) as server:
        argv = [f"127.0.0.1:{server.port}", "--eol", "crlf", "--cafile", pki.cafile]
        app = app_for(argv)
        async with app.run_test(size=SIZE) as pilot:
            await open_session_view(app, pilot)
            capture = current_capture(app)
            current_composer(app).input.focus()
            await pilot.press(*"STARTTLS", "enter")
            go_ahead = len(b"STARTTLS\r\n220 go ahead\r\n")
            await wait_for(pilot, lambda: capture.total_bytes == go_ahead, "the go-ahead")
            await pilot.press("ctrl+g")
            await pilot.press(*"secret", "enter")
            echoed = go_ahead + len(b"secret\r\ntls:secret\r\n")
            await wait_for(pilot, lambda: capture.total_bytes == echoed, "the TLS echo")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, SaveScreen), "the dialog")
            script = tmp_path / "replay.py"
            app.screen.query_one("#save-format", Select).value = "PYTHON"
            app.screen.query_one("#save-path", Input).value = str(script)
            await pilot.pause()
            await pilot.click("#save-start")
            await wait_for(pilot, lambda: script.exists(), "the script")
        result = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False
        )
        assert server.received == b"secret\r\n" * 2
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "all 2 replies matched\n"
    assert server.plain_lines == [b"STARTTLS\r\n"] * 2
    assert f"CAFILE = {pki.cafile!r}" in script.read_text()


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        (
            '[[responder]]\nregex = "(unclosed"\nreply = "x"\n',
            "responder 1: regex: the regex does not compile: missing ), unterminated subpattern "
            "at position 0",
        ),
        (
            '[[responder]]\nname = "echo"\nmatch = "a"\nreply = "{2}"\n',
            "responder 1 ('echo'): the reply uses {2} but the pattern has 0 group(s)",
        ),
        (
            '[[responder]]\nmatch = "a"\nhex = "61"\nreply = "b"\n',
            "responder 1 needs exactly one of match, hex, regex as a pattern (match and hex)",
        ),
    ],
)
def test_a_bad_rules_file_is_one_sentence_and_exit_2(
    tmp_path: Path, body: str, sentence: str
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(body)
    result = subprocess.run(
        [sys.executable, "-m", "tcptui", "--listen", "0", "--responders", str(rules)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == f"tcptui: error: {rules}: {sentence}"


async def test_record_sequence_writes_what_was_sent_and_it_runs_again(tmp_path: Path) -> None:
    recorded = tmp_path / "recorded.toml"
    with EchoServer() as server:
        app = app_for([f"127.0.0.1:{server.port}"])
        async with app.run_test(size=SIZE) as pilot:
            view = await open_session_view(app, pilot)
            view.composer.input.focus()
            await pilot.press(*"first", "enter")
            await wait_for(pilot, lambda: view.capture.total_bytes == 12, "the echo")
            view.automation.ask_record()
            await fill_prompt(app, pilot, str(recorded))
            await wait_for(pilot, recorded.exists, "the recorded file")
            assert recorded.read_text().endswith(
                '[[step]]\nsend = "first\\\\n"\n\n[[step]]\nexpect = "first\\\\n"\ntimeout = 5\n'
            )
            view.automation.ask_run()
            await fill_prompt(app, pilot, str(recorded))
            assert await run_end(pilot, view) is RunState.PASSED
            assert server.wait_received(len(b"first\nfirst\n"))


async def test_record_sequence_never_writes_over_an_existing_file(tmp_path: Path) -> None:
    handwritten = tmp_path / "smtp.toml"
    handwritten.write_text('[[step]]\nexpect = "220 "\n')
    with EchoServer() as server:
        app = app_for([f"127.0.0.1:{server.port}"])
        async with app.run_test(size=SIZE) as pilot:
            view = await open_session_view(app, pilot)
            view.automation.ask_record()
            await fill_prompt(app, pilot, str(handwritten))
            await pilot.pause()
            assert isinstance(app.screen, PromptScreen), "the prompt stays open to pick another"
            assert "already exists" in str(app.screen.query_one("#prompt-error").render())
            assert handwritten.read_text() == '[[step]]\nexpect = "220 "\n'


async def test_answer_this_chunk_fills_the_pattern_from_the_chunk_under_the_cursor() -> None:
    with EchoServer() as server:
        app = app_for([f"127.0.0.1:{server.port}"])
        async with app.run_test(size=SIZE) as pilot:
            view = await open_session_view(app, pilot)
            view.composer.input.focus()
            await pilot.press(*"a\\x00[b]", "enter")
            await wait_for(pilot, lambda: view.capture.total_bytes == 12, "the echo")
            log = view.receive_log
            log.hex_view.scroll_home(animate=False, immediate=True)
            log.hex_view.focus()
            await pilot.pause()
            view.action_answer_chunk()
            await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), "the prompt")
            prompt = app.screen.query_one(Input)
            assert prompt.value == 'match = "a\\\\x00[b]\\\\n", reply = '
            await pilot.press(*'"seen"', "enter")
            await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen), "closed")
            view.composer.input.focus()
            await pilot.press(*"a\\x00[b]", "enter")
            await wait_for(
                pilot,
                lambda: stream_bytes(view.capture, Direction.SENT) == b"a\x00[b]\n" * 2 + b"seen",
                "the rule's answer to the second echo",
            )


async def test_stop_sequence_in_the_palette_ends_a_waiting_run_and_keeps_the_connection(
    tmp_path: Path,
) -> None:
    steps = tmp_path / "slow.toml"
    steps.write_text('[[step]]\nwait = 3600000\n[[step]]\nsend = "never\\n"\n')
    with EchoServer() as server:
        app = app_for([f"127.0.0.1:{server.port}", "--run", str(steps)])
        async with app.run_test(size=SIZE) as pilot:
            view = app.query_one(SessionView)
            await wait_for(pilot, lambda: view.automation.run is not None, "the run's start")
            (stop,) = [c for c in view.system_commands() if c.title == "Stop sequence"]
            stop.callback()
            assert await run_end(pilot, view) is RunState.STOPPED
            await wait_for(
                pilot, lambda: "stopped" in str(view.query_one(SequenceBar).render()), "the bar"
            )
            assert view.session is not None and view.session.state is SessionState.OPEN
            assert server.received == b""


async def test_run_sequence_from_the_palette_sees_the_greeting_of_a_quiet_connection(
    tmp_path: Path,
) -> None:
    steps = tmp_path / "smtp.toml"
    steps.write_text('[[step]]\nexpect = "220 "\ntimeout = 3\n[[step]]\nsend = "EHLO me\\r\\n"\n')
    with BannerServer() as server:
        app = app_for([f"127.0.0.1:{server.port}"])
        async with app.run_test(size=SIZE) as pilot:
            view = app.query_one(SessionView)
            await wait_for(
                pilot,
                lambda: stream_bytes(view.capture, Direction.RECEIVED) == b"220 ready\r\n",
                "the greeting",
            )
            view.automation.ask_run()
            await fill_prompt(app, pilot, str(steps))
            assert await run_end(pilot, view) is RunState.PASSED
            assert server.wait_received(len(b"EHLO me\r\n"))
