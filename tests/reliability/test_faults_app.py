"""Faults through the real app (Textual pilot): a clear state and message, bytes kept, and a
UI that keeps answering keys whatever the connection does."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tcptui.capture.store import Direction
from tcptui.net.session import SessionState
from tcptui.net.target import Target
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.connection_panel import LifecycleStep
from tcptui.ui.prompt_screen import PromptScreen
from tests.helpers import (
    MIB,
    DribbleServer,
    EchoServer,
    PayloadServer,
    ResetServer,
    SilentServer,
    closed_port,
    full_accept_queue,
    ipv6_loopback_available,
    stream_bytes,
)
from tests.helpers.app_parts import current_capture, current_composer, current_log, current_view
from tests.ui.helpers import all_rows, last_notification, make_app, wait_for, wait_received

from .servers import GreetThenStall

SIZE = (150, 44)
KEY_DEADLINE = 2.0
"""Longest a key press may take to be handled while the connection misbehaves."""
CLOSE_DEADLINE = 2.0
PACE = 0.05


def static_text(app: TcpTuiApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


def step_state(app: TcpTuiApp, step: str) -> str:
    return app.query_one(f"#step-{step}", LifecycleStep).state


def state_is(app: TcpTuiApp, state: SessionState) -> bool:
    return current_view(app).session is not None and current_view(app).session.state is state


async def wait_state(
    app: TcpTuiApp, pilot: Pilot[int], state: SessionState, timeout: float = 10.0
) -> None:
    await wait_for(pilot, lambda: state_is(app, state), f"the session to be {state}", timeout)


async def assert_keys_answered(app: TcpTuiApp, pilot: Pilot[int], text: str) -> None:
    """Typing into the composer works, and each key is handled within KEY_DEADLINE."""
    current_composer(app).input.focus()
    current_composer(app).input.value = ""
    for char in text:
        started = time.monotonic()
        await pilot.press(char)
        assert time.monotonic() - started < KEY_DEADLINE
    assert current_composer(app).input.value == text
    assert f"{len(text) + 1} bytes on Enter" in static_text(app, "#preview")


def received_text(app: TcpTuiApp) -> str:
    """The text view's content rows joined (chunk headers left out)."""
    rows = all_rows(current_log(app).text_view)
    return "".join(row.removeprefix("│ ") for row in rows if row.startswith("│ "))


async def test_peer_reset_mid_stream_is_reported_and_the_bytes_before_it_kept() -> None:
    payload = b"partial answer\r\n" * 100
    go = threading.Event()
    with ResetServer(payload, when=lambda: go.wait(10.0)) as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_received(app, pilot, len(payload), "the payload")
            go.set()
            await wait_state(app, pilot, SessionState.CLOSED)
            assert "reset by the peer" in static_text(app, "#closed-reason")
            assert "reset by the peer" in last_notification(app)
            assert step_state(app, "closed") == "ended"
            assert stream_bytes(current_capture(app), Direction.RECEIVED) == payload
            assert received_text(app).count("partial answer\\r\\n") == 100
            assert current_view(app).title.startswith("✖")


async def test_peer_half_close_ends_cleanly_and_keeps_what_it_sent() -> None:
    with PayloadServer(b"last words\n") as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_state(app, pilot, SessionState.CLOSED)
            assert "the peer sent EOF" in str(app.query_one("#step-data").render())
            assert "The peer closed the connection" in static_text(app, "#closed-reason")
            assert stream_bytes(current_capture(app), Direction.RECEIVED) == b"last words\n"
            await assert_keys_answered(app, pilot, "again")
            await pilot.press("enter")
            assert "Press F2" in static_text(app, "#preview")


async def test_our_half_close_keeps_the_connection_receiving() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_state(app, pilot, SessionState.OPEN)
            await pilot.press(*"ping", "enter")
            await wait_received(app, pilot, 5, "echo")
            await pilot.press("ctrl+d")
            await wait_state(app, pilot, SessionState.CLOSED)
            assert server.received == b"ping\n"
            assert stream_bytes(current_capture(app), Direction.RECEIVED) == b"ping\n"
            assert "The peer closed the connection" in static_text(app, "#closed-reason")


async def test_silent_server_leaves_the_app_responsive_and_disconnect_prompt() -> None:
    with SilentServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_state(app, pilot, SessionState.OPEN)
            await assert_keys_answered(app, pilot, "anyone?")
            await pilot.press("enter")
            await wait_for(
                pilot, lambda: current_capture(app).stream_bytes(Direction.SENT) == 8, "the send"
            )
            started = time.monotonic()
            await pilot.press("f3")
            await wait_state(app, pilot, SessionState.CLOSED, CLOSE_DEADLINE)
            assert time.monotonic() - started < CLOSE_DEADLINE
            assert "Closed by you" in static_text(app, "#closed-reason")
            assert current_capture(app).stream_bytes(Direction.RECEIVED) == 0


async def test_dribbling_server_is_shown_byte_by_byte_while_the_ui_answers() -> None:
    payload = b"trickle\x1b\x00!" * 3
    pace = threading.Event()  # never set: each wait is the pause between bytes

    def ack(sent: int) -> bool:
        pace.wait(PACE)
        return True

    with DribbleServer(payload, ack) as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(
                pilot,
                lambda: current_capture(app).stream_bytes(Direction.RECEIVED) > 0,
                "the first byte",
            )
            await assert_keys_answered(app, pilot, "typing")
            await wait_state(app, pilot, SessionState.CLOSED, 10.0 + len(payload) * PACE)
            assert stream_bytes(current_capture(app), Direction.RECEIVED) == payload
            assert current_capture(app).chunk_count(Direction.RECEIVED) > 1
            assert received_text(app) == "trickle␛␀!" * 3
            rows = all_rows(current_log(app).text_view)
            headers = [row for row in rows if row.startswith("◀ received")]
            assert len(headers) == current_capture(app).chunk_count(Direction.RECEIVED)


@pytest.mark.parametrize(
    ("case", "reason", "failed_step"),
    [
        ("refused", "refused", "handshake"),
        ("unresolvable", "could not be resolved", "resolve"),
        ("timeout", "timed out", "handshake"),
    ],
)
async def test_failure_to_connect_is_explained_and_the_app_stays_usable(
    case: str, reason: str, failed_step: str
) -> None:
    async def check(target: Target) -> None:
        app = make_app(target, timeout=0.5)
        async with app.run_test(size=SIZE) as pilot:
            await wait_state(app, pilot, SessionState.CLOSED)
            assert reason in static_text(app, "#closed-reason").lower()
            assert reason in last_notification(app).lower()
            assert step_state(app, failed_step) == "failed"
            assert current_view(app).title.startswith("✖")
            await assert_keys_answered(app, pilot, "hi")
            assert current_capture(app).total_bytes == 0

    if case == "refused":
        await check(Target("127.0.0.1", closed_port()))
    elif case == "unresolvable":
        await check(Target("name.invalid", 80))
    else:
        with full_accept_queue() as (host, port):
            await check(Target(host, port))


@pytest.mark.skipif(not ipv6_loopback_available(), reason="this machine cannot bind ::1")
async def test_ipv6_only_server_round_trip_through_the_app() -> None:
    with EchoServer(host="::1") as server:
        app = make_app(Target("::1", server.port))
        async with app.run_test(size=SIZE) as pilot:
            await wait_state(app, pilot, SessionState.OPEN)
            assert f"[::1]:{server.port}" in str(app.query_one("#step-handshake").render())
            await pilot.press(*"six", "enter")
            await wait_received(app, pilot, 4, "echo")
            assert server.received == b"six\n"


async def choose_file(app: TcpTuiApp, pilot: Pilot[int], path: Path) -> None:
    await pilot.press("ctrl+o")
    await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), "the file prompt")
    app.screen.query_one("#prompt-input", Input).value = str(path)
    await pilot.press("enter")


async def test_large_send_into_a_stalled_peer_keeps_the_ui_responsive_and_disconnect_prompt(
    tmp_path: Path,
) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(bytes(range(256)) * (32 * MIB // 256))
    with GreetThenStall(b"220 hello\r\n") as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_received(app, pilot, 11, "the greeting")
            await choose_file(app, pilot, path)
            await wait_for(
                pilot,
                lambda: (
                    current_view(app).session is not None
                    and current_view(app).session.queued_bytes > 0
                ),
                "the upload to block on full buffers",
            )
            upload = current_view(app).sender.upload
            assert upload is not None and upload.read < upload.size
            await assert_keys_answered(app, pilot, "still here")
            started = time.monotonic()
            await pilot.press("f3")
            await wait_state(app, pilot, SessionState.CLOSED, CLOSE_DEADLINE)
            assert time.monotonic() - started < CLOSE_DEADLINE
            assert "Closed by you" in static_text(app, "#closed-reason")
            await wait_for(
                pilot, lambda: current_view(app).sender.upload is None, "the upload to end"
            )
            assert "File not sent" in [n.title for n in app._notifications]
            assert stream_bytes(current_capture(app), Direction.RECEIVED) == b"220 hello\r\n"
            sent = stream_bytes(current_capture(app), Direction.SENT)
            assert 0 < len(sent) < path.stat().st_size
            assert path.read_bytes().startswith(sent)


@pytest.mark.parametrize("ending", ["peer", "us"])
async def test_a_clean_close_marks_the_tab_closed_not_failed(ending: str) -> None:
    server = PayloadServer(b"bye\n") if ending == "peer" else SilentServer()
    with server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            if ending == "us":
                await wait_state(app, pilot, SessionState.OPEN)
                await pilot.press("f3")
            await wait_state(app, pilot, SessionState.CLOSED)
            assert current_view(app).title.startswith("■"), current_view(app).title
