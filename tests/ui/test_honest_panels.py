"""Every kind of tab shows what is true of it: an accepted client was accepted, not dialled; a
saved session shows the file's facts and sends nothing; a failed handshake reached no data."""

from __future__ import annotations

import hashlib
import socket
import ssl
from pathlib import Path

import pytest
from textual.widgets import Static

from tcptui.capture.session_file import SessionMeta, save_session
from tcptui.capture.store import Capture, Direction
from tcptui.cli import parse_args
from tcptui.codec.composer_syntax import LineEnding
from tcptui.launch_config import LaunchConfig
from tcptui.net.events import Step
from tcptui.net.session import ConnectOptions, SessionState
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.certificate_panel import CertificatePanel
from tcptui.ui.connection_panel import ConnectionPanel, LifecycleStep
from tcptui.ui.session_view import SessionView
from tests.helpers import TestPki, TlsServer, make_pki, server_context
from tests.ui.helpers import wait_for
from tests.ui.test_listen import listen_app, open_client_tab, wait_listening

SIZE = (150, 44)


def step_text(panel: ConnectionPanel, step: Step) -> str:
    return str(panel.query_one(f"#step-{step.value}", LifecycleStep).render())


def step_state(panel: ConnectionPanel, step: Step) -> str:
    return panel.query_one(f"#step-{step.value}", LifecycleStep).state


async def test_an_accepted_client_says_accepted_and_offers_no_connect() -> None:
    app = listen_app()
    async with app.run_test(size=SIZE) as pilot:
        listener = await wait_listening(pilot, app)
        with socket.create_connection(("127.0.0.1", listener.listener.port)) as client:
            view = await open_client_tab(pilot, app, listener, 0)
            await wait_for(
                pilot,
                lambda: "accepted from" in step_text(view.panel, Step.HANDSHAKE),
                "the client's handshake step",
            )
            peer = f"127.0.0.1:{client.getsockname()[1]}"
            handshake = step_text(view.panel, Step.HANDSHAKE)
            assert f"accepted from {peer}" in handshake
            assert "answered" not in handshake
            assert view.panel.has_class("-no-form")
            assert view.check_action("connect", ()) is False
            assert not any(command.title == "Connect" for command in view.system_commands())
            assert "connects" not in view.receive_log.text_view.empty_hint
            assert peer not in [str(target) for target in app.state.recent]


async def test_open_shows_what_the_file_knows_and_offers_nothing_that_sends(
    tmp_path: Path,
) -> None:
    source = Capture()
    source.append(Direction.SENT, b"GET / HTTP/1.0\r\n\r\n")
    source.append(Direction.RECEIVED, b"HTTP/1.0 200 OK\r\n\r\n")
    path = tmp_path / "session.tcptui"
    meta = SessionMeta(
        target="example.com:80",
        resolved=("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
        remote="93.184.215.14:80",
        local="192.0.2.7:51234",
        started_at="2026-01-02T03:04:05+00:00",
        tls={"version": "TLSv1.3", "cipher": "TLS_AES_128_GCM_SHA256", "verified": True},
        end_reason="The peer closed the connection",
    )
    save_session(source, path, meta)
    app = TcpTuiApp(parse_args(["--open", str(path)]))
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.query_one(SessionView)
        panel = view.panel
        assert "2 addresses: 93.184.215.14" in step_text(panel, Step.RESOLVE)
        handshake = step_text(panel, Step.HANDSHAKE)
        assert "93.184.215.14:80 from 192.0.2.7:51234 at 2026-01-02 03:04:05 UTC" in handshake
        assert "2 chunks" in step_text(panel, Step.DATA)
        assert "The peer closed the connection" in step_text(panel, Step.CLOSED)
        assert "TLSv1.3 · TLS_AES_128_GCM_SHA256" in str(
            panel.query_one("#saved-tls", Static).render()
        )
        assert "example.com:80" in str(panel.border_title)
        assert panel.has_class("-no-form")
        assert not view.composer.display
        for action in ("connect", "half_close", "send", "send_file", "repeat"):
            assert view.check_action(action, ()) is False, action
        offered = {b.action for _, b, enabled, _ in app.screen.active_bindings.values() if enabled}
        assert "connect" not in offered and "half_close" not in offered
        await pilot.press("f2", "ctrl+d")
        assert view.session is None


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_pki(tmp_path_factory.mktemp("pki"))


async def test_a_rejected_certificate_leaves_the_data_step_never_reached(pki: TestPki) -> None:
    with TlsServer(server_context(pki.untrusted)) as server:
        options = ConnectOptions(timeout=5.0, tls=pki.options())
        app = TcpTuiApp(LaunchConfig(server.target, options, LineEnding.LF, False))
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            view = app.query_one(SessionView)
            await wait_for(
                pilot,
                lambda: view.session is not None and view.session.state is SessionState.CLOSED,
                "the rejection",
            )
            await pilot.pause()
            assert step_state(view.panel, Step.HANDSHAKE) == "failed"
            assert step_state(view.panel, Step.DATA) == "pending"
            assert "never reached" in step_text(view.panel, Step.DATA)
            shown = view.panel.query_one(CertificatePanel)
            assert shown.display and "REJECTED" in str(shown.border_title)
            text = str(shown.render())
            der = ssl.PEM_cert_to_DER_cert(pki.untrusted.cert_chain_pems[0].bytes().decode())
            digest = hashlib.sha256(der).hexdigest().upper()
            assert digest == "".join(text.split("sha256", 1)[1].split()).replace(":", "")
            for label in ("subject", "issuer", "valid"):
                assert f"\n  {label}" in text
            assert "somebody else's CA" in text
