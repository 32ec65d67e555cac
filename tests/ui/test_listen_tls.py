"""`tcptui --listen --tls`: a TLS client's tab shows the handshake; bytes travel encrypted."""

from __future__ import annotations

import asyncio
import socket
import ssl
from pathlib import Path

import pytest

from tcptui.capture.store import Direction
from tcptui.cli import parse_args
from tcptui.net.session import SessionState
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.certificate_panel import CertificatePanel
from tcptui.ui.listener_view import ListenerView
from tests.helpers import DEFAULT_TIMEOUT, TestPki, make_pki, stream_bytes
from tests.ui.helpers import wait_for
from tests.ui.test_listen import open_client_tab, recv_exactly

SIZE = (150, 44)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def server_files(pki: TestPki, folder: Path) -> tuple[str, str]:
    cert, key = folder / "server.crt", folder / "server.key"
    pki.server.cert_chain_pems[0].write_to_path(str(cert))
    pki.server.private_key_pem.write_to_path(str(key))
    return str(cert), str(key)


def tls_client(pki: TestPki, port: int) -> ssl.SSLSocket:
    """Connect and finish the handshake (blocking: run it off the app's event loop)."""
    context = ssl.create_default_context(cafile=pki.cafile)
    raw = socket.create_connection(("127.0.0.1", port), timeout=DEFAULT_TIMEOUT)
    return context.wrap_socket(raw, server_hostname="localhost")


async def test_tls_client_gets_a_tab_that_shows_tls_and_exchanges_decrypted_bytes(
    pki: TestPki, tmp_path: Path
) -> None:
    cert, key = server_files(pki, tmp_path)
    config = parse_args(["--listen", "127.0.0.1:0", "--tls", "--cert", cert, "--key", key])
    app = TcpTuiApp(config)
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        listener = app.query_one(ListenerView)
        await wait_for(pilot, lambda: listener.listener.port != 0, "the listener")
        handshake = asyncio.ensure_future(
            asyncio.to_thread(tls_client, pki, listener.listener.port)
        )
        view = await open_client_tab(pilot, app, listener, 0)
        panel = view.panel.query_one(CertificatePanel)
        await wait_for(pilot, lambda: panel.event is not None, "the TLS panel")
        with await handshake as client:
            assert view.session is not None and view.session.state is SessionState.OPEN
            assert panel.event is not None and panel.event.version == client.version()
            shown = str(panel.render())
            assert "TLS 1.3" in shown and "no client certificate" in shown

            client.sendall(b"hello over TLS\n")
            await wait_for(pilot, lambda: view.capture.total_bytes == 15, "the client's bytes")
            assert stream_bytes(view.capture, Direction.RECEIVED) == b"hello over TLS\n"

            view.composer.input.focus()
            await pilot.press(*"hello client", "enter")
            received = await asyncio.to_thread(recv_exactly, client, 13)
            assert received == b"hello client\n"
            assert stream_bytes(view.capture, Direction.SENT) == b"hello client\n"
