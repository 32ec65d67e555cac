"""The connection's events are recorded in the capture, each between the right bytes."""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Iterator

import pytest

from tcptui.capture.events import EventKind, connection_ends
from tcptui.capture.store import Capture, Direction
from tcptui.net.events import Connected, EndReason, PeerFinished, TlsEstablished
from tcptui.net.session import ConnectOptions
from tcptui.net.target import Target
from tcptui.net.tls import TlsOptions
from tests.helpers import (
    DEFAULT_TIMEOUT,
    EventRecorder,
    HalfCloseServer,
    PayloadServer,
    ResetServer,
    SilentServer,
    StartSession,
    StartTlsServer,
    TestPki,
    TlsServer,
    closed_port,
    make_pki,
    server_context,
)
from tests.helpers.timeline import details, timeline
from tests.net.listen_harness import ListenHarness

SENT, RECEIVED = Direction.SENT, Direction.RECEIVED


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def test_a_plain_connection_records_connected_then_eof_received_then_closed(
    start_session: StartSession, capture: Capture
) -> None:
    with PayloadServer(b"hello\n") as server:
        _, recorder = start_session(server.target)
        connected = recorder.wait_for_event(Connected)
        recorder.wait_closed()

    assert timeline(capture) == [
        EventKind.CONNECTED,
        (RECEIVED, b"hello\n"),
        EventKind.EOF_RECEIVED,
        EventKind.CLOSED,
    ]
    [detail] = details(capture, EventKind.CONNECTED)
    assert connection_ends(detail) == (connected.local, connected.remote)
    assert detail.endswith(" ms") and " in " in detail
    assert details(capture, EventKind.CLOSED) == ["by the peer"]


def test_eof_sent_sits_between_the_request_and_the_reply(
    start_session: StartSession, capture: Capture
) -> None:
    with HalfCloseServer() as server:
        session, recorder = start_session(server.target)
        recorder.wait_for_event(Connected)
        session.send(b"request")
        session.half_close()
        recorder.wait_closed()

    assert timeline(capture) == [
        EventKind.CONNECTED,
        (SENT, b"request"),
        EventKind.EOF_SENT,
        (RECEIVED, b"got 7 bytes\n"),
        EventKind.EOF_RECEIVED,
        EventKind.CLOSED,
    ]


def test_eof_received_comes_after_the_last_byte_and_we_may_still_send(
    start_session: StartSession, capture: Capture
) -> None:
    with PayloadServer(b"bye") as server:
        options = ConnectOptions(close_on_peer_eof=False)
        session, recorder = start_session(server.target, options)
        recorder.wait_for_event(PeerFinished)
        session.send(b"after")
        assert server.wait_received(5)
        session.close()
        closed = recorder.wait_closed()

    assert closed.reason is EndReason.CLOSED_BY_US
    assert timeline(capture) == [
        EventKind.CONNECTED,
        (RECEIVED, b"bye"),
        EventKind.EOF_RECEIVED,
        (SENT, b"after"),
        EventKind.CLOSED,
    ]
    assert details(capture, EventKind.CLOSED) == ["by you"]


def test_a_peer_reset_is_recorded_after_the_bytes_it_cut_off(
    start_session: StartSession, capture: Capture
) -> None:
    recorder = EventRecorder()
    with ResetServer(b"partial", when=lambda: recorder.wait_received(7)) as server:
        start_session(server.target, recorder=recorder)
        closed = recorder.wait_closed()

    assert closed.reason is EndReason.RESET
    assert timeline(capture) == [EventKind.CONNECTED, (RECEIVED, b"partial"), EventKind.RESET]
    assert details(capture, EventKind.RESET) == [os.strerror(errno.ECONNRESET)]


def test_tls_started_follows_connected_and_names_version_and_cipher(
    start_session: StartSession, capture: Capture, pki: TestPki
) -> None:
    with TlsServer(server_context(pki.server)) as server:
        options = ConnectOptions(timeout=5.0, tls=pki.options())
        session, recorder = start_session(server.target, options)
        established = recorder.wait_for_event(TlsEstablished)
        session.send(b"ping")
        assert recorder.wait_received(4)
        session.close()
        recorder.wait_closed()

    assert timeline(capture) == [
        EventKind.CONNECTED,
        EventKind.TLS_STARTED,
        (SENT, b"ping"),
        (RECEIVED, b"ping"),
        EventKind.CLOSED,
    ]
    [detail] = details(capture, EventKind.TLS_STARTED)
    assert detail.startswith(f"{established.version} {established.cipher}, handshake ")
    assert "STARTTLS" not in detail


def test_starttls_marks_where_plaintext_ends(
    start_session: StartSession, capture: Capture, pki: TestPki
) -> None:
    with StartTlsServer(server_context(pki.server)) as server:
        options = ConnectOptions(timeout=5.0, tls=pki.options())
        session, recorder = start_session(server.target, options)
        recorder.wait_for_event(Connected)
        session.send(b"HELLO\r\n")
        assert recorder.wait_received(len(b"250 plain\r\n"))
        session.send(b"STARTTLS\r\n")
        assert recorder.wait_received(len(b"250 plain\r\n220 go ahead\r\n"))
        session.start_tls()
        session.send(b"secret")
        assert recorder.wait_received(len(b"250 plain\r\n220 go ahead\r\ntls:secret"))

    assert timeline(capture)[:7] == [
        EventKind.CONNECTED,
        (SENT, b"HELLO\r\n"),
        (RECEIVED, b"250 plain\r\n"),
        (SENT, b"STARTTLS\r\n"),
        (RECEIVED, b"220 go ahead\r\n"),
        EventKind.TLS_STARTED,
        (SENT, b"secret"),
    ]
    [detail] = details(capture, EventKind.TLS_STARTED)
    assert detail.endswith("after STARTTLS: plaintext ends here")


def test_a_handshake_that_times_out_is_closed_with_the_reason(
    start_session: StartSession, capture: Capture, pki: TestPki
) -> None:
    with SilentServer() as server:
        tls_target = Target(server.target.host, server.target.port, tls=True)
        options = ConnectOptions(timeout=0.5, tls=TlsOptions(insecure=True))
        _, recorder = start_session(tls_target, options)
        closed = recorder.wait_closed()

    assert closed.reason is EndReason.TIMED_OUT
    assert timeline(capture) == [EventKind.CONNECTED, EventKind.CLOSED]
    [detail] = details(capture, EventKind.CLOSED)
    assert detail.startswith("timed out: during the TLS handshake")


def test_a_refused_connection_records_only_why_it_closed(
    start_session: StartSession, capture: Capture
) -> None:
    _, recorder = start_session(Target("127.0.0.1", closed_port()))
    recorder.wait_closed()

    assert timeline(capture) == [EventKind.CLOSED]
    assert details(capture, EventKind.CLOSED)[0].startswith(EndReason.REFUSED.value)


@pytest.fixture
def listening() -> Iterator[ListenHarness]:
    harness = ListenHarness()
    harness.start()
    yield harness
    harness.stop()


def test_a_listen_client_records_where_it_was_accepted_from(listening: ListenHarness) -> None:
    with socket.create_connection(("127.0.0.1", listening.listener.port)) as client:
        client.sendall(b"hi")
        client_address = client.getsockname()
        listening.wait(lambda: [row.bytes_in for row in listening.book.rows()] == [2], "hi")
    listening.wait(lambda: listening.book.tally().held == 0, "the client's end")
    [row] = listening.book.rows()
    entry = listening.book.client(row.number)
    assert entry is not None and entry.session is not None
    assert entry.session.join(DEFAULT_TIMEOUT)

    assert timeline(entry.capture) == [
        EventKind.ACCEPTED,
        (RECEIVED, b"hi"),
        EventKind.EOF_RECEIVED,
        EventKind.CLOSED,
    ]
    [detail] = details(entry.capture, EventKind.ACCEPTED)
    peer = f"{client_address[0]}:{client_address[1]}"
    assert connection_ends(detail) == (peer, f"127.0.0.1:{listening.listener.port}")


def test_the_closed_event_counts_bytes_left_unsent(
    start_session: StartSession, capture: Capture
) -> None:
    with SilentServer(rcvbuf=4096) as server:
        session, recorder = start_session(server.target)
        recorder.wait_for_event(Connected)
        session.send(b"x" * (8 << 20))
        session.close()
        closed = recorder.wait_closed()

    assert closed.unsent_bytes > 0
    [detail] = details(capture, EventKind.CLOSED)
    assert detail == f"by you ({closed.unsent_bytes:,} bytes not sent)"
