"""An opened session's panel tells its connection's story as the live panel told it, from the
events its file kept: the addresses, TLS, the EOFs, how it ended, how many connections."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tcptui.capture.events import EventKind, connection_ends
from tcptui.capture.session_file import END, RECORD
from tcptui.capture.store import Direction
from tcptui.cli import parse_args
from tcptui.codec.composer_syntax import LineEnding
from tcptui.launch_config import LaunchConfig
from tcptui.net.events import Step
from tcptui.net.session import ConnectOptions, SessionState
from tcptui.net.target import Target
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.connection_panel import ConnectionPanel, LifecycleStep
from tcptui.ui.save_screen import SaveScreen
from tests.helpers import (
    PayloadServer,
    ResetServer,
    StartTlsServer,
    TestPki,
    TlsHalfCloseServer,
    make_pki,
    server_context,
    stream_bytes,
)
from tests.helpers.app_parts import current_capture, current_panel, current_view
from tests.helpers.timeline import details
from tests.ui.helpers import make_app, wait_for, wait_open

SIZE = (150, 44)
NARROW = (100, 30)
"""Too narrow for the panel beside whole hex rows: the summary line shows instead."""


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def step_text(panel: ConnectionPanel, step: Step) -> str:
    return str(panel.query_one(f"#step-{step.value}", LifecycleStep).render())


def step_state(panel: ConnectionPanel, step: Step) -> str:
    return panel.query_one(f"#step-{step.value}", LifecycleStep).state


def static_text(panel: ConnectionPanel, selector: str) -> str:
    return str(panel.query_one(selector, Static).render())


def summary_text(app: TcpTuiApp) -> str:
    return str(app.query_one("#connection-summary").render())


def tls_app(target: Target, options: ConnectOptions) -> TcpTuiApp:
    app = TcpTuiApp(LaunchConfig(target, options, LineEnding.CRLF, False))
    app.animation_level = "none"
    return app


def opened(path: Path) -> TcpTuiApp:
    app = TcpTuiApp(parse_args(["--open", str(path)]))
    app.animation_level = "none"
    return app


async def wait_closed(pilot: Pilot[int], app: TcpTuiApp) -> None:
    def closed() -> bool:
        session = current_view(app).session
        return session is not None and session.state is SessionState.CLOSED

    await wait_for(pilot, closed, "the connection to end")


async def save_through_dialog(pilot: Pilot[int], app: TcpTuiApp, path: Path) -> None:
    """ctrl+s, the path, enter: the file the user gets, metadata and events included."""
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, SaveScreen), "the save dialog")
    app.screen.query_one("#save-path", Input).value = str(path)
    await pilot.press("enter")
    await wait_for(pilot, lambda: not isinstance(app.screen, SaveScreen), "the save")


def connected_ends(app: TcpTuiApp) -> tuple[str, str]:
    """(local, remote) of the tab's last connection, as the live capture recorded them."""
    events = current_capture(app).events.events()
    ends = connection_ends([e.detail for e in events if e.kind is EventKind.CONNECTED][-1])
    assert ends is not None
    return ends


async def test_an_opened_tls_session_tells_its_addresses_tls_eofs_and_end(
    tmp_path: Path, pki: TestPki
) -> None:
    path = tmp_path / "tls.tcptui"
    context = server_context(pki.server, alpn=("h2",))
    with TlsHalfCloseServer(context) as server:
        app = tls_app(server.target, ConnectOptions(timeout=5.0, tls=pki.options(alpn=("h2",))))
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            await pilot.press(*"hello", "enter", "ctrl+d")
            await wait_closed(pilot, app)
            assert stream_bytes(current_capture(app), Direction.RECEIVED).endswith(b"got 7 bytes\n")
            local, remote = connected_ends(app)
            await save_through_dialog(pilot, app, path)

    app = opened(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = current_panel(app)
        assert f"connected to {remote} from {local} in " in step_text(panel, Step.HANDSHAKE)
        assert "you sent EOF · the peer sent EOF" in step_text(panel, Step.DATA)
        assert step_text(panel, Step.CLOSED).endswith("by the peer")
        assert step_state(panel, Step.CLOSED) == "ended"
        tls = static_text(panel, "#saved-tls")
        assert tls.startswith("TLSv1.3 · TLS_") and "\nALPN h2\nhandshake " in tls
        assert "\nverified" in tls
        assert static_text(panel, "#saved-connections") == ""

    app = opened(path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        assert f"▤ {server.target} · TLSv1.3 · closed by the peer" in summary_text(app)


async def test_an_opened_starttls_session_says_where_tls_began(
    tmp_path: Path, pki: TestPki
) -> None:
    path = tmp_path / "starttls.tcptui"
    with StartTlsServer(server_context(pki.server)) as server:
        app = tls_app(server.target, ConnectOptions(timeout=5.0, tls=pki.options()))
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            await pilot.press(*"STARTTLS", "enter")
            capture = current_capture(app)
            await wait_for(pilot, lambda: capture.total_bytes >= 10 + 14, "220 go ahead")
            await pilot.press("ctrl+g", *"secret", "enter")
            await wait_for(
                pilot,
                lambda: stream_bytes(capture, Direction.RECEIVED).endswith(b"tls:secret\r\n"),
                "the encrypted echo",
            )
            await pilot.press("f3")
            await wait_closed(pilot, app)
            await save_through_dialog(pilot, app, path)

    app = opened(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = current_panel(app)
        assert "after STARTTLS: plaintext ends here" in static_text(panel, "#saved-tls")
        assert step_text(panel, Step.CLOSED).endswith("by you")


async def test_an_opened_session_of_two_connections_tells_the_last_and_counts_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "two.tcptui"
    with PayloadServer(b"hello\n") as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_closed(pilot, app)
            await pilot.press("f2")
            capture = current_capture(app)
            await wait_for(
                pilot,
                lambda: [e.kind for e in capture.events.events()].count(EventKind.CLOSED) == 2,
                "the second connection to end",
            )
            local, remote = connected_ends(app)
            await save_through_dialog(pilot, app, path)

    app = opened(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = current_panel(app)
        assert f"to {remote} from {local} in " in step_text(panel, Step.HANDSHAKE)
        shown = static_text(panel, "#saved-connections")
        assert shown == "The last of 2 connections (reconnected once)."
        assert "age 00:0" in static_text(panel, "#stats")


async def test_an_opened_session_that_was_reset_shows_a_failed_end(tmp_path: Path) -> None:
    path = tmp_path / "reset.tcptui"
    with ResetServer(b"bye") as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_closed(pilot, app)
            (reason,) = details(current_capture(app), EventKind.RESET)
            await save_through_dialog(pilot, app, path)

    app = opened(path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        assert f"▤ {server.target} · reset by the peer  in 3 B" in summary_text(app)
        await pilot.press("ctrl+l")
        panel = current_panel(app)
        assert step_text(panel, Step.CLOSED).endswith("closed    reset by the peer: " + reason)
        assert step_state(panel, Step.CLOSED) == "failed"


async def test_a_version_1_file_shows_its_metadata_as_before(tmp_path: Path) -> None:
    path = tmp_path / "old.tcptui"
    meta = b'{"target":"h:1","remote":"192.0.2.1:1","local":"192.0.2.7:5","end_reason":"Gone"}'
    body = RECORD.pack(0, 1, 2, 3) + b"abc" + b"\xff" + END.pack(1, 3, zlib.crc32(b"abc"))
    path.write_bytes(b"TCPTUI-SESSION 1\n" + meta + b"\n" + body)

    app = opened(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = current_panel(app)
        assert step_text(panel, Step.HANDSHAKE).endswith("192.0.2.1:1 from 192.0.2.7:5")
        assert step_text(panel, Step.CLOSED).endswith("Gone")
        assert "EOF" not in step_text(panel, Step.DATA)
        assert static_text(panel, "#saved-tls") == ""
        assert static_text(panel, "#saved-connections") == ""
        assert "age —" in static_text(panel, "#stats")
