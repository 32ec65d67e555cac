"""TLS sessions against real TLS servers on loopback, with certificates from trustme."""

from __future__ import annotations

import hashlib
import os
import ssl
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tcptui.capture.store import Capture, Direction
from tcptui.cli import parse_args
from tcptui.net.certificates import HostnameMismatchError, check_hostname
from tcptui.net.events import (
    CertificateInfo,
    Closed,
    Connected,
    DataReceived,
    EndReason,
    HalfClosed,
    Step,
    TlsEstablished,
    TlsHandshakeStarted,
)
from tcptui.net.session import AlreadyTlsError, ConnectOptions, SessionState
from tcptui.net.target import Target
from tcptui.net.tls import (
    TlsOptions,
    TlsSetupError,
    TlsVersion,
    build_context,
)
from tests.helpers import (
    MIB,
    SilentServer,
    StartSession,
    StartTlsServer,
    TestPki,
    TlsHalfCloseServer,
    TlsServer,
    make_pki,
    pseudo_random_blocks,
    server_context,
    stream_bytes,
    stream_sha256,
)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def tls_echo(pki: TestPki) -> Iterator[TlsServer]:
    with TlsServer(server_context(pki.server)) as server:
        yield server


def tls_options(tls: TlsOptions) -> ConnectOptions:
    return ConnectOptions(timeout=5.0, tls=tls)


# -- verified connections and what they report ---------------------------------------------------


def test_verified_handshake_reports_version_cipher_and_certificate(
    start_session: StartSession, tls_echo: TlsServer, pki: TestPki
) -> None:
    session, recorder = start_session(tls_echo.target, tls_options(pki.options()))

    established = recorder.wait_for_event(TlsEstablished)

    assert established.verified and established.verify_error == ""
    assert established.version in ("TLSv1.2", "TLSv1.3")
    assert established.cipher
    assert established.handshake_ms > 0
    leaf = established.leaf
    assert leaf is not None and leaf.decoded
    assert leaf.subject.startswith("CN=localhost")
    assert "tcptui test CA" in leaf.issuer
    assert set(leaf.sans) == {"localhost", "127.0.0.1", "::1"}
    expected = hashlib.sha256(
        ssl.PEM_cert_to_DER_cert(pki.server.cert_chain_pems[0].bytes().decode())
    )
    assert leaf.sha256.replace(":", "").lower() == expected.hexdigest()
    assert not leaf.expires_soon()
    kinds = recorder.kinds()
    assert kinds.index(Connected) < kinds.index(TlsHandshakeStarted) < kinds.index(TlsEstablished)
    assert session.state is SessionState.OPEN and session.uses_tls


def test_echo_through_tls_is_byte_exact(
    start_session: StartSession, tls_echo: TlsServer, pki: TestPki, capture: Capture
) -> None:
    payload = bytes(range(256)) * 64 + b"\x00\r\n\x1b[31m"
    session, recorder = start_session(tls_echo.target, tls_options(pki.options()))
    recorder.wait_for_event(TlsEstablished)

    session.send(payload)

    assert recorder.wait_received(len(payload))
    assert stream_bytes(capture, Direction.RECEIVED) == payload
    assert tls_echo.received == payload


@pytest.mark.slow
def test_sixteen_mib_echo_through_tls_keeps_every_byte(
    start_session: StartSession, tls_echo: TlsServer, pki: TestPki, capture: Capture
) -> None:
    size = 16 * MIB
    digest = hashlib.sha256()
    session, recorder = start_session(tls_echo.target, tls_options(pki.options()))
    recorder.wait_for_event(TlsEstablished)

    for block in pseudo_random_blocks(size, seed=6):
        digest.update(block)
        session.send(block)

    assert recorder.wait_received(size, timeout=30), f"got {recorder.received_bytes} of {size}"
    assert recorder.received_bytes == size
    assert stream_sha256(capture, Direction.RECEIVED) == digest.hexdigest()
    assert stream_sha256(capture, Direction.SENT) == digest.hexdigest()


class BurstServer(TlsServer):
    """Sends many small TLS records at once, then only waits: nothing more reaches the socket."""

    RECORDS = 200

    def serve(self, conn: ssl.SSLSocket) -> None:
        for index in range(self.RECORDS):
            conn.sendall(b"record %03d\n" % index)  # one TLS record per call
        conn.recv(1)


def test_records_already_inside_the_tls_layer_are_read_without_more_traffic(
    start_session: StartSession, pki: TestPki, capture: Capture
) -> None:
    """One socket read can pull in many records; the selector cannot see them (`pending()`)."""
    expected = b"".join(b"record %03d\n" % index for index in range(BurstServer.RECORDS))
    with BurstServer(server_context(pki.server)) as server:
        _, recorder = start_session(server.target, tls_options(pki.options()))

        assert recorder.wait_received(len(expected), timeout=5.0)

    assert stream_bytes(capture, Direction.RECEIVED) == expected


def test_insecure_accepts_an_unknown_ca_and_says_it_did_not_verify(
    start_session: StartSession, pki: TestPki
) -> None:
    with TlsServer(server_context(pki.untrusted)) as server:
        session, recorder = start_session(server.target, tls_options(TlsOptions(insecure=True)))

        established = recorder.wait_for_event(TlsEstablished)
        session.send(b"ping")

        assert recorder.wait_received(4)
    assert not established.verified
    assert "--insecure" in established.verify_error
    assert established.leaf is not None
    assert "somebody else's CA" in established.leaf.issuer


def test_expiring_certificate_is_flagged_within_fourteen_days(
    start_session: StartSession, pki: TestPki
) -> None:
    with TlsServer(server_context(pki.expiring_soon)) as server:
        _, recorder = start_session(server.target, tls_options(pki.options()))

        leaf = recorder.wait_for_event(TlsEstablished).leaf

    assert leaf is not None and leaf.expires_soon() and not leaf.expired()


def test_alpn_result_is_reported(start_session: StartSession, pki: TestPki) -> None:
    with TlsServer(server_context(pki.server, alpn=("http/1.1",))) as server:
        session, recorder = start_session(
            server.target, tls_options(pki.options(alpn=("h2", "http/1.1")))
        )

        established = recorder.wait_for_event(TlsEstablished)
        started = recorder.wait_for_event(TlsHandshakeStarted)
        session.send(b"!")
        assert recorder.wait_received(1)  # the server has noted its side by now

    assert established.alpn == "http/1.1"
    assert started.alpn_offered == ("h2", "http/1.1")
    assert server.negotiated_alpn == ["http/1.1"]


def test_sni_name_is_sent_and_verified(start_session: StartSession, pki: TestPki) -> None:
    with TlsServer(server_context(pki.server)) as server:
        _, recorder = start_session(
            server.target, tls_options(pki.options(server_name="localhost"))
        )

        established = recorder.wait_for_event(TlsEstablished)
        started = recorder.wait_for_event(TlsHandshakeStarted)

    assert started.server_name == "localhost"
    assert established.verified


def test_without_sni_the_name_is_still_checked(start_session: StartSession, pki: TestPki) -> None:
    with TlsServer(server_context(pki.wrong_name)) as server:
        _, recorder = start_session(server.target, tls_options(pki.options(sni=False)))

        closed = recorder.wait_closed()

    assert closed.reason is EndReason.CERTIFICATE_REJECTED
    assert closed.failed_step is Step.HANDSHAKE
    assert "'127.0.0.1'" in closed.detail and "other.example" in closed.detail


def test_tls_version_pinning_is_honoured(start_session: StartSession, pki: TestPki) -> None:
    with TlsServer(server_context(pki.server)) as server:
        _, recorder = start_session(
            server.target, tls_options(pki.options(max_version=TlsVersion.TLS1_2))
        )

        established = recorder.wait_for_event(TlsEstablished)

    assert established.version == "TLSv1.2"


def test_keylog_file_gets_the_session_secrets(
    start_session: StartSession, tls_echo: TlsServer, pki: TestPki, tmp_path: Path
) -> None:
    keylog = tmp_path / "keys.log"
    _, recorder = start_session(tls_echo.target, tls_options(pki.options(keylog_file=str(keylog))))

    started = recorder.wait_for_event(TlsHandshakeStarted)
    recorder.wait_for_event(TlsEstablished)

    assert started.keylog_file == str(keylog)
    lines = keylog.read_text().splitlines()
    assert any(
        line.startswith(("CLIENT_RANDOM ", "CLIENT_HANDSHAKE_TRAFFIC_SECRET ")) for line in lines
    )


def test_sslkeylogfile_environment_variable_is_honoured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSLKEYLOGFILE", str(tmp_path / "env.log"))

    assert TlsOptions().keylog_path() == str(tmp_path / "env.log")
    assert TlsOptions(keylog_file="mine.log").keylog_path() == "mine.log"


# -- failures: one readable sentence, failed at the handshake -----------------------------------


@pytest.mark.parametrize(
    ("cert_name", "words"),
    [
        ("expired", "has expired"),
        ("untrusted", "unknown authority"),
        ("wrong_name", "not valid for the name '127.0.0.1'"),
    ],
)
def test_bad_certificates_end_with_a_sentence_naming_the_problem(
    start_session: StartSession, pki: TestPki, cert_name: str, words: str
) -> None:
    with TlsServer(server_context(getattr(pki, cert_name))) as server:
        _, recorder = start_session(server.target, tls_options(pki.options()))

        closed = recorder.wait_closed()

    assert closed.reason is EndReason.CERTIFICATE_REJECTED
    assert closed.failed_step is Step.HANDSHAKE
    assert words in closed.detail
    assert "Traceback" not in closed.sentence() and "_ssl.c" not in closed.sentence()
    assert not recorder.of_type(TlsEstablished)


def test_default_trust_is_the_system_store_which_does_not_know_the_test_ca(
    start_session: StartSession, tls_echo: TlsServer
) -> None:
    _, recorder = start_session(tls_echo.target, tls_options(TlsOptions()))

    closed = recorder.wait_closed()

    assert closed.reason is EndReason.CERTIFICATE_REJECTED
    assert "unknown authority" in closed.detail and "--cafile" in closed.detail


def test_plain_text_server_is_named_as_not_speaking_tls(
    start_session: StartSession, pki: TestPki
) -> None:
    from tests.helpers import PayloadServer

    with PayloadServer(b"220 plain old SMTP here\r\n" * 20) as server:
        _, recorder = start_session(
            Target(server.host, server.port, tls=True), tls_options(pki.options())
        )

        closed = recorder.wait_closed()

    assert closed.reason is EndReason.TLS_FAILURE
    assert closed.failed_step is Step.HANDSHAKE
    assert "did not answer with TLS" in closed.detail


class GarbageAfterHandshakeServer(TlsServer):
    """Completes the handshake, sends one good record, then plain bytes beside TLS."""

    def serve(self, conn: ssl.SSLSocket) -> None:
        conn.sendall(b"welcome\n")
        os.write(conn.fileno(), b"220 plain text where a TLS record belongs\r\n" * 4)
        self._hold()


def test_garbage_after_the_handshake_is_a_record_error_not_a_failed_handshake(
    start_session: StartSession, pki: TestPki, capture: Capture
) -> None:
    with GarbageAfterHandshakeServer(server_context(pki.server)) as server:
        _, recorder = start_session(server.target, tls_options(pki.options()))
        recorder.wait_for_event(TlsEstablished)
        closed = recorder.wait_closed()

    assert closed.reason is EndReason.TLS_RECORD_ERROR
    assert closed.failed_step is None
    assert (
        closed.detail
        == "the server sent bytes that are not a valid TLS record (after the handshake)"
    )
    assert stream_bytes(capture, Direction.RECEIVED) == b"welcome\n"


def test_protocol_version_mismatch_is_named(start_session: StartSession, pki: TestPki) -> None:
    context = server_context(pki.server, max_version=ssl.TLSVersion.TLSv1_2)
    with TlsServer(context) as server:
        _, recorder = start_session(
            server.target, tls_options(pki.options(min_version=TlsVersion.TLS1_3))
        )

        closed = recorder.wait_closed()

    assert closed.reason is EndReason.TLS_FAILURE
    assert closed.failed_step is Step.HANDSHAKE
    assert "no TLS version" in closed.detail


@pytest.mark.parametrize("version", [TlsVersion.TLS1_2, TlsVersion.TLS1_3])
def test_missing_client_certificate_fails_clearly(
    start_session: StartSession, pki: TestPki, version: TlsVersion
) -> None:
    context = server_context(pki.server, client_ca=pki.client_ca)
    with TlsServer(context) as server:
        _, recorder = start_session(server.target, tls_options(pki.options(max_version=version)))

        closed = recorder.wait_closed()

    assert closed.reason is EndReason.TLS_FAILURE
    assert closed.failed_step is Step.HANDSHAKE
    assert "client certificate" in closed.detail


def test_client_certificate_is_presented_when_given(
    start_session: StartSession, pki: TestPki
) -> None:
    context = server_context(pki.server, client_ca=pki.client_ca)
    with TlsServer(context) as server:
        session, recorder = start_session(
            server.target, tls_options(pki.options(certfile=pki.client_cert))
        )
        recorder.wait_for_event(TlsEstablished)

        session.send(b"who am i")

        assert recorder.wait_received(8)
    assert server.received == b"who am i"
    assert "tcptui-client@example.test" in repr(server.client_subjects)


def test_close_interrupts_a_hanging_tls_handshake(
    start_session: StartSession, pki: TestPki
) -> None:
    with SilentServer() as server:
        session, recorder = start_session(
            Target(server.host, server.port, tls=True),
            ConnectOptions(timeout=30.0, tls=pki.options()),
        )
        recorder.wait_for_event(TlsHandshakeStarted)
        started = time.monotonic()

        session.close()

        assert session.join(1.0)
    assert time.monotonic() - started < 1.0
    assert recorder.wait_closed() == Closed(EndReason.CLOSED_BY_US)


def test_silent_server_times_out_during_the_tls_handshake(
    start_session: StartSession, pki: TestPki
) -> None:
    with SilentServer() as server:
        _, recorder = start_session(
            Target(server.host, server.port, tls=True),
            ConnectOptions(timeout=0.3, tls=pki.options()),
        )

        closed = recorder.wait_closed()

    assert closed.reason is EndReason.TIMED_OUT
    assert closed.failed_step is Step.HANDSHAKE


def test_unusable_ca_file_is_reported_before_connecting(tmp_path: Path) -> None:
    with pytest.raises(TlsSetupError, match="CA file"):
        build_context(TlsOptions(cafile=str(tmp_path / "missing.pem")))


# -- half-close and STARTTLS ---------------------------------------------------------------------


def test_half_close_sends_close_notify_and_the_answer_still_arrives(
    start_session: StartSession, pki: TestPki, capture: Capture
) -> None:
    """Under TLS, EOF is close_notify then FIN; the server sees a clean end of our data."""
    with TlsHalfCloseServer(server_context(pki.server)) as server:
        session, recorder = start_session(
            server.target,
            replace(tls_options(pki.options()), close_on_peer_eof=False),
        )
        recorder.wait_for_event(TlsEstablished)
        session.send(b"x" * 1000)
        session.half_close()

        closed = recorder.wait_closed()

    assert recorder.of_type(HalfClosed)
    assert stream_bytes(capture, Direction.RECEIVED) == b"got 1000 bytes\n"
    assert closed.reason is EndReason.PEER_CLOSED
    assert server.handshake_errors == []


def test_starttls_upgrades_the_connection_in_place(
    start_session: StartSession, pki: TestPki, capture: Capture
) -> None:
    with StartTlsServer(server_context(pki.server)) as server:
        session, recorder = start_session(server.target, tls_options(pki.options()))
        recorder.wait_for_event(Connected)
        session.send(b"HELLO\r\n")
        session.send(b"STARTTLS\r\n")
        assert recorder.wait_received(len(b"250 plain\r\n220 go ahead\r\n"))

        session.start_tls()
        session.send(b"secret")

        established = recorder.wait_for_event(TlsEstablished)
        assert recorder.wait_received(len(b"250 plain\r\n220 go ahead\r\ntls:secret"))
        with pytest.raises(AlreadyTlsError):
            session.start_tls()
    started = recorder.wait_for_event(TlsHandshakeStarted)
    assert started.starttls and established.verified
    assert server.plain_lines == [b"HELLO\r\n", b"STARTTLS\r\n"]
    assert stream_bytes(capture, Direction.RECEIVED) == b"250 plain\r\n220 go ahead\r\ntls:secret"


def test_failed_starttls_handshake_ends_the_connection_at_the_handshake(
    start_session: StartSession, pki: TestPki
) -> None:
    with StartTlsServer(server_context(pki.untrusted)) as server:
        session, recorder = start_session(server.target, tls_options(pki.options()))
        recorder.wait_for_event(Connected)
        session.send(b"STARTTLS\r\n")
        assert recorder.wait_received(len(b"220 go ahead\r\n"))
        session.start_tls()

        closed = recorder.wait_closed()

    assert closed.reason is EndReason.CERTIFICATE_REJECTED
    assert closed.failed_step is Step.HANDSHAKE
    assert recorder.received_bytes == len(b"220 go ahead\r\n")
    assert recorder.of_type(DataReceived)


# -- pure helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sans", "name", "ok"),
    [
        ((("DNS", "example.com"),), "EXAMPLE.com", True),
        ((("DNS", "*.example.com"),), "www.example.com", True),
        ((("DNS", "*.example.com"),), "a.b.example.com", False),
        ((("DNS", "*.example.com"),), "example.com", False),
        ((("IP Address", "127.0.0.1"),), "127.0.0.1", True),
        ((("DNS", "127.0.0.1"),), "127.0.0.1", False),
        ((("IP Address", "0:0:0:0:0:0:0:1"),), "::1", True),
    ],
)
def test_hostname_check_follows_openssl_rules(
    sans: tuple[tuple[str, str], ...], name: str, ok: bool
) -> None:
    fields = {"subjectAltName": sans}
    if ok:
        check_hostname(fields, name)
    else:
        with pytest.raises(HostnameMismatchError):
            check_hostname(fields, name)


def test_certificate_info_flags_expiry() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2030, 1, 1, tzinfo=UTC)
    info = CertificateInfo("CN=a", "CN=b", None, now + timedelta(days=13), (), "00")
    assert info.expires_soon(now) and not info.expired(now)
    later = replace(info, not_after=now + timedelta(days=15))
    assert not later.expires_soon(now)


# -- the command line ----------------------------------------------------------------------------


def test_cli_builds_tls_options(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("")  # existence is all parse_args needs; loading is checked separately
    config = parse_args(
        [
            "example.com:8443",
            "--tls",
            "--sni",
            "api.example.com",
            "--alpn",
            "h2,http/1.1",
            "--tls-min",
            "1.2",
            "--tls-max",
            "1.3",
            "--keylog",
            str(tmp_path / "keys.log"),
        ]
    )

    assert config.target is not None and config.target.tls
    tls = config.options.tls
    assert tls.server_name == "api.example.com"
    assert tls.alpn == ("h2", "http/1.1")
    assert (tls.min_version, tls.max_version) == (TlsVersion.TLS1_2, TlsVersion.TLS1_3)
    assert tls.keylog_file == str(tmp_path / "keys.log")
    assert tls.sni and not tls.insecure


def test_cli_tls_scheme_and_insecure(pki: TestPki) -> None:
    config = parse_args(["tls://localhost", "--insecure", "--no-sni"])

    assert config.target == Target("localhost", 443, True, "localhost")
    assert config.options.tls.insecure and not config.options.tls.sni


def test_cli_accepts_a_client_certificate(pki: TestPki) -> None:
    config = parse_args(["tls://localhost:1", "--cafile", pki.cafile, "--cert", pki.client_cert])

    assert config.options.tls.certfile == pki.client_cert
    assert config.options.tls.cafile == pki.cafile


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["tls://h:1", "--insecure", "--cafile", "x.pem"], "--insecure"),
        (["tls://h:1", "--sni", "a", "--no-sni"], "not allowed with"),
        (["tls://h:1", "--key", "k.pem"], "--key needs --cert"),
        (["tls://h:1", "--tls-min", "1.3", "--tls-max", "1.2"], "--tls-min"),
        (["tls://h:1", "--tls-min", "1.1"], "invalid choice"),
        (["tls://h:1", "--cafile", "/nonexistent/ca.pem"], "CA file"),
        (["tls://h:1", "--alpn", ","], "--alpn"),
    ],
)
def test_cli_refuses_contradictory_tls_options(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_args(argv)

    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_starttls_is_refused_before_connecting(pki: TestPki, capture: Capture) -> None:
    from tcptui.net.session import NotConnectedError, Session

    session = Session(Target("127.0.0.1", 1), capture, lambda event: None)
    with pytest.raises(NotConnectedError):
        session.start_tls(pki.options())
