"""Listen mode with --tls: each accepted client does the server's side of a TLS handshake.

A real Listener hands accepted sockets to Sessions that are the TLS server; the clients are
plain Python `ssl` sockets trusting the test CA, so the bytes are checked on both ends.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tcptui.capture.events import EventKind
from tcptui.capture.store import Capture, Direction
from tcptui.cli import parse_args
from tcptui.net.certificates import NO_CLIENT_CERTIFICATE_NOTE
from tcptui.net.events import EndReason, Step, TlsEstablished, TlsHandshakeStarted
from tcptui.net.listener import Listener, ListenerEvent, Listening
from tcptui.net.session import ConnectOptions, Session, SessionState
from tcptui.net.target import Target
from tcptui.net.tls import TlsOptions
from tests.helpers import DEFAULT_TIMEOUT, EventRecorder, TestPki, make_pki, stream_bytes
from tests.helpers.timeline import details, timeline

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB, every byte value


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def server_pem(pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("server") / "server.pem"
    pki.server.private_key_and_cert_chain_pem.write_to_path(str(path))
    return str(path)


@dataclass
class Accepted:
    session: Session
    recorder: EventRecorder
    capture: Capture


@dataclass
class TlsListener:
    """A Listener whose every client becomes a Session that is the TLS server."""

    tls: TlsOptions
    accepted: list[Accepted] = field(default_factory=list)
    condition: threading.Condition = field(default_factory=threading.Condition)
    listening: threading.Event = field(default_factory=threading.Event)
    listener: Listener | None = None

    def start(self) -> int:
        self.listener = Listener("127.0.0.1", 0, self._event, self)
        self.listener.start()
        assert self.listening.wait(DEFAULT_TIMEOUT), "the listener did not start"
        return self.listener.port

    def _event(self, event: ListenerEvent) -> None:
        if isinstance(event, Listening):
            self.listening.set()

    def full(self) -> bool:
        return False

    def refuse(self, peer: str) -> None:
        raise AssertionError(f"{peer} refused: there is no limit here")

    def vanish(self, peer: str, error: str) -> None:
        raise AssertionError(f"{peer} vanished: {error}")

    def admit(self, conn: socket.socket, host: str, port: int, local: str) -> None:
        recorder, capture = EventRecorder(), Capture()
        options = ConnectOptions(timeout=5.0, tls=self.tls)
        session = Session(Target(host, port), capture, recorder, options, accepted=conn)
        with self.condition:
            self.accepted.append(Accepted(session, recorder, capture))
            self.condition.notify_all()
        session.start()

    def client(self, index: int) -> Accepted:
        with self.condition:
            assert self.condition.wait_for(lambda: len(self.accepted) > index, DEFAULT_TIMEOUT), (
                f"client {index} was not accepted"
            )
            return self.accepted[index]

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.stop()
            assert self.listener.join(DEFAULT_TIMEOUT)
        for item in self.accepted:
            item.session.close()
        stuck = [item for item in self.accepted if not item.session.join(1.0)]
        for item in self.accepted:
            item.capture.close()
        assert not stuck, "sessions did not end within a second of close()"


@pytest.fixture
def tls_listener(server_pem: str) -> Iterator[TlsListener]:
    server = TlsListener(TlsOptions(certfile=server_pem, server=True))
    yield server
    server.stop()


def tls_client(pki: TestPki, port: int, **wrap: object) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=pki.cafile)
    raw = socket.create_connection(("127.0.0.1", port), timeout=DEFAULT_TIMEOUT)
    return context.wrap_socket(raw, server_hostname="localhost", **wrap)  # type: ignore[arg-type]


def recv_exactly(conn: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        part = conn.recv(size - len(data))
        assert part, f"the connection ended after {len(data)} of {size} bytes"
        data += part
    return bytes(data)


def test_tls_server_handshakes_and_moves_bytes_both_ways_exactly(
    tls_listener: TlsListener, pki: TestPki
) -> None:
    port = tls_listener.start()
    with tls_client(pki, port) as client:
        server = tls_listener.client(0)
        established = server.recorder.wait_for_event(TlsEstablished)
        assert server.recorder.of_type(TlsHandshakeStarted)[0].server_name == ""
        assert established.version == client.version()
        assert established.cipher == client.cipher()[0]  # type: ignore[index]
        assert established.chain == ()
        assert not established.verified
        assert established.verify_error == NO_CLIENT_CERTIFICATE_NOTE
        assert server.session.state is SessionState.OPEN and server.session.uses_tls

        client.sendall(PAYLOAD)
        assert server.recorder.wait_for(lambda: server.recorder.received_bytes == len(PAYLOAD))
        assert stream_bytes(server.capture, Direction.RECEIVED) == PAYLOAD

        server.session.send(PAYLOAD[::-1])
        assert recv_exactly(client, len(PAYLOAD)) == PAYLOAD[::-1]
        assert server.recorder.wait_for(lambda: server.recorder.sent_bytes == len(PAYLOAD))
        assert stream_bytes(server.capture, Direction.SENT) == PAYLOAD[::-1]


def test_a_tls_client_is_accepted_then_tls_starts_before_its_first_byte(
    tls_listener: TlsListener, pki: TestPki
) -> None:
    port = tls_listener.start()
    with tls_client(pki, port) as client:
        client.sendall(b"hi")
        server = tls_listener.client(0)
        assert server.recorder.wait_received(2)
        version, cipher = client.version(), client.cipher()[0]  # type: ignore[index]

    assert timeline(server.capture)[:3] == [
        EventKind.ACCEPTED,
        EventKind.TLS_STARTED,
        (Direction.RECEIVED, b"hi"),
    ]
    [detail] = details(server.capture, EventKind.TLS_STARTED)
    assert detail.startswith(f"{version} {cipher}, handshake ")


def test_plain_client_fails_with_a_sentence_and_the_listener_keeps_accepting(
    tls_listener: TlsListener, pki: TestPki
) -> None:
    port = tls_listener.start()
    with socket.create_connection(("127.0.0.1", port), timeout=DEFAULT_TIMEOUT) as plain:
        plain.sendall(b"GET / HTTP/1.0\r\n\r\n")
        closed = tls_listener.client(0).recorder.wait_closed()
    assert closed.reason is EndReason.TLS_FAILURE
    assert closed.failed_step is Step.HANDSHAKE
    assert "plain HTTP request, not TLS" in closed.sentence()

    with socket.create_connection(("127.0.0.1", port), timeout=DEFAULT_TIMEOUT) as plain:
        plain.sendall(b"hello, are you there?\r\n")
        closed = tls_listener.client(1).recorder.wait_closed()
    assert closed.reason is EndReason.TLS_FAILURE
    assert "did not speak TLS" in closed.detail, closed

    with tls_client(pki, port) as client:
        server = tls_listener.client(2)
        server.recorder.wait_for_event(TlsEstablished)
        client.sendall(b"still accepting\n")
        assert server.recorder.wait_for(lambda: server.recorder.received_bytes == 16)


def test_close_interrupts_a_client_that_never_starts_the_handshake(
    tls_listener: TlsListener,
) -> None:
    port = tls_listener.start()
    with socket.create_connection(("127.0.0.1", port), timeout=DEFAULT_TIMEOUT):
        server = tls_listener.client(0)
        server.recorder.wait_for_event(TlsHandshakeStarted)
        server.session.close()
        closed = server.recorder.wait_closed(timeout=1.0)
    assert closed.reason is EndReason.CLOSED_BY_US


def test_client_certificate_is_asked_for_and_verified_with_cafile(
    pki: TestPki, server_pem: str, tmp_path: Path
) -> None:
    client_ca = tmp_path / "client-ca.pem"
    pki.client_ca.cert_pem.write_to_path(str(client_ca))
    server = TlsListener(TlsOptions(certfile=server_pem, cafile=str(client_ca), server=True))
    try:
        port = server.start()
        context = ssl.create_default_context(cafile=pki.cafile)
        context.load_cert_chain(pki.client_cert)
        raw = socket.create_connection(("127.0.0.1", port), timeout=DEFAULT_TIMEOUT)
        with context.wrap_socket(raw, server_hostname="localhost") as client:
            client.sendall(b"hi")
            established = server.client(0).recorder.wait_for_event(TlsEstablished)
        assert established.verified and established.verify_error == ""
        assert "tcptui-client@example.test" in " ".join(established.chain[0].sans)
    finally:
        server.stop()


def test_a_connection_we_open_is_never_the_tls_server(capture: Capture, server_pem: str) -> None:
    options = ConnectOptions(tls=TlsOptions(certfile=server_pem, server=True))
    session = Session(Target("127.0.0.1", 1, tls=True), capture, EventRecorder(), options)
    assert not session.options.tls.server


# -- the command line ---------------------------------------------------------------------------


def test_cli_listen_tls_without_a_certificate_is_a_clear_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--listen", "8443", "--tls"])
    assert exit_info.value.code == 2
    assert "--listen --tls serves TLS: give the server's certificate with --cert" in (
        capsys.readouterr().err
    )


def test_cli_listen_tls_makes_server_options_and_loads_the_files_early(
    pki: TestPki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cert, key = tmp_path / "server.crt", tmp_path / "server.key"
    pki.server.cert_chain_pems[0].write_to_path(str(cert))
    pki.server.private_key_pem.write_to_path(str(key))
    config = parse_args(["--listen", "0", "--tls", "--cert", str(cert), "--key", str(key)])
    assert config.listen == "0"
    assert config.options.tls.server and config.options.tls.certfile == str(cert)

    other_key = tmp_path / "other.key"
    pki.untrusted.private_key_pem.write_to_path(str(other_key))
    with pytest.raises(SystemExit):
        parse_args(["--listen", "0", "--tls", "--cert", str(cert), "--key", str(other_key)])
    assert "cannot use the server certificate" in capsys.readouterr().err


def test_cli_client_only_tls_options_are_refused_with_listen_tls(
    server_pem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--listen", "0", "--tls", "--cert", server_pem, "--insecure"])
    assert "for TLS clients" in capsys.readouterr().err


def test_cli_listen_without_tls_is_still_plain(server_pem: str) -> None:
    assert not parse_args(["--listen", "0"]).options.tls.server
