"""The certificate panel: what a TLS connection shows, and that server text stays inert."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from rich.text import Text
from textual.app import App, ComposeResult

from tcptui.capture.store import Capture, Direction
from tcptui.codec.composer_syntax import LineEnding
from tcptui.launch_config import LaunchConfig
from tcptui.net.events import CertificateInfo, TlsEstablished
from tcptui.net.session import ConnectOptions, Session
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.certificate_panel import CertificatePanel, describe_tls
from tests.helpers import (
    EventRecorder,
    StartTlsServer,
    TestPki,
    TlsServer,
    make_pki,
    server_context,
    stream_bytes,
)
from tests.helpers.app_parts import current_capture, current_panel, current_view
from tests.ui.helpers import wait_for, wait_open

NOW = datetime(2030, 6, 1, tzinfo=UTC)


class PanelHost(App[None]):
    def compose(self) -> ComposeResult:
        yield CertificatePanel()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def tls_echo(pki: TestPki) -> Iterator[TlsServer]:
    with TlsServer(server_context(pki.server)) as server:
        yield server


def real_handshake(server: TlsServer, options: ConnectOptions) -> TlsEstablished:
    """The TlsEstablished a real session reports against `server`."""
    recorder = EventRecorder()
    capture = Capture()
    session = Session(server.target, capture, recorder, options)
    session.start()
    try:
        return recorder.wait_for_event(TlsEstablished)
    finally:
        session.close()
        session.join(1.0)
        capture.close()


def certificate(**changes: object) -> CertificateInfo:
    base = CertificateInfo(
        subject="CN=example.test",
        issuer="CN=Test CA",
        not_before=NOW - timedelta(days=30),
        not_after=NOW + timedelta(days=300),
        sans=("example.test",),
        sha256="AB:CD",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def established(cert: CertificateInfo, *, verified: bool = True) -> TlsEstablished:
    return TlsEstablished(
        "TLSv1.3",
        "TLS_AES_128_GCM_SHA256",
        "h2",
        (cert,),
        verified,
        "" if verified else "not checked: --insecure",
        1.5,
    )


async def test_panel_shows_the_subject_and_verified_for_a_real_connection(
    tls_echo: TlsServer, pki: TestPki
) -> None:
    event = real_handshake(tls_echo, ConnectOptions(timeout=5.0, tls=pki.options()))
    app = PanelHost()
    async with app.run_test() as pilot:
        panel = app.query_one(CertificatePanel)
        assert not panel.display

        panel.show_tls(event)
        await pilot.pause()

        shown = panel.content
        assert isinstance(shown, Text)
        assert "CN=localhost" in shown.plain and "✔ verified" in shown.plain
        assert panel.display and not panel.has_class("-insecure")


async def test_insecure_connection_is_marked_while_shown(tls_echo: TlsServer) -> None:
    from tcptui.net.tls import TlsOptions

    event = real_handshake(tls_echo, ConnectOptions(timeout=5.0, tls=TlsOptions(insecure=True)))
    app = PanelHost()
    async with app.run_test() as pilot:
        panel = app.query_one(CertificatePanel)
        panel.show_tls(event)
        await pilot.pause()

        assert panel.has_class("-insecure")
        assert "NOT VERIFIED" in str(panel.border_title)
        assert "NOT VERIFIED" in describe_tls(event).plain

        panel.clear()
        await pilot.pause()
        assert not panel.has_class("-insecure") and not panel.display


def test_expiry_within_fourteen_days_is_warned_and_styled() -> None:
    text = describe_tls(established(certificate(not_after=NOW + timedelta(days=5))), NOW)

    assert "expires in 4 days" in text.plain or "expires in 5 days" in text.plain
    warning_at = text.plain.index("⚠ expires")
    assert any(
        span.start <= warning_at < span.end and "ffaf00" in str(span.style) for span in text.spans
    )
    assert (
        "EXPIRED"
        in describe_tls(established(certificate(not_after=NOW - timedelta(days=1))), NOW).plain
    )
    assert "⚠" not in describe_tls(established(certificate()), NOW).plain


def test_hostile_certificate_text_stays_inert() -> None:
    hostile = certificate(
        subject="CN=[bold red]evil[/]\x1b]52;c;cGF3bmVk\x07\u202e",
        sans=("a\x1b[2Jb", "[link=http://x]y[/link]"),
    )

    text = describe_tls(established(hostile), NOW)

    assert "\x1b" not in text.plain and "\x07" not in text.plain and "\u202e" not in text.plain
    assert "[bold red]evil[/]" in text.plain  # markup shown literally, never interpreted
    assert "[link=http://x]y[/link]" in text.plain
    assert all("link" not in str(span.style) for span in text.spans)


async def test_tls_target_shows_the_certificate_panel_in_the_app(
    tls_echo: TlsServer, pki: TestPki
) -> None:
    options = ConnectOptions(timeout=5.0, tls=pki.options())
    app = TcpTuiApp(LaunchConfig(tls_echo.target, options, LineEnding.LF, False))
    app.animation_level = "none"
    async with app.run_test() as pilot:
        assert current_panel(app).query(CertificatePanel), (
            "no CertificatePanel in the connection panel"
        )

        def shown_event() -> TlsEstablished | None:
            panels = current_panel(app).query(CertificatePanel)
            return panels.first().event if panels else None

        await wait_for(pilot, lambda: shown_event() is not None, "the TLS details")

        shown = current_panel(app).query_one(CertificatePanel).content
        assert isinstance(shown, Text)
        assert "CN=localhost" in shown.plain and "✔ verified" in shown.plain


async def test_starttls_from_the_keyboard_upgrades_the_connection_in_place(pki: TestPki) -> None:
    with StartTlsServer(server_context(pki.server)) as server:
        options = ConnectOptions(timeout=5.0, tls=pki.options())
        app = TcpTuiApp(LaunchConfig(server.target, options, LineEnding.CRLF, False))
        app.animation_level = "none"
        async with app.run_test(size=(150, 44)) as pilot:
            await wait_open(app, pilot)
            await pilot.press(*"STARTTLS", "enter")
            await wait_for(
                pilot, lambda: current_capture(app).total_bytes >= 10 + 14, "220 go ahead"
            )
            await pilot.press("ctrl+g")
            await pilot.press(*"secret", "enter")
            await wait_for(
                pilot,
                lambda: stream_bytes(current_capture(app), Direction.RECEIVED).endswith(
                    b"tls:secret\r\n"
                ),
                "the encrypted echo",
            )
            assert current_view(app).session is not None and current_view(app).session.uses_tls
            assert server.plain_lines == [b"STARTTLS\r\n"]
            assert current_panel(app).query_one(CertificatePanel).display
