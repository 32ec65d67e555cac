"""The socket lifecycle against real loopback servers: every ending, every byte, no hangs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcptui.capture.store import Capture, Direction
from tcptui.net.events import (
    Closed,
    ConnectAttempt,
    Connected,
    DataReceived,
    DataSent,
    EndReason,
    HalfClosed,
    PeerFinished,
    Resolved,
    Resolving,
    SocketCreated,
    Step,
)
from tcptui.net.proxy import parse_proxy_url
from tcptui.net.session import (
    MAX_CHUNK,
    ConnectOptions,
    NotConnectedError,
    Session,
    SessionState,
    WriteClosedError,
)
from tcptui.net.target import Family, Target
from tests.helpers import (
    MIB,
    DribbleServer,
    EchoServer,
    EventRecorder,
    GatedConnectProxy,
    HalfCloseServer,
    PayloadServer,
    ResetServer,
    SilentServer,
    StartSession,
    StreamServer,
    closed_port,
    full_accept_queue,
    ipv6_loopback_available,
    stream_bytes,
    stream_sha256,
)

LIFECYCLE_START = [Resolving, Resolved, SocketCreated, ConnectAttempt, Connected]


def test_echo_round_trip_reports_each_step_in_order(
    start_session: StartSession, capture: Capture
) -> None:
    with EchoServer() as server:
        session, recorder = start_session(server.target)
        recorder.wait_for_event(Connected)
        state_when_connected = session.state
        session.send(b"hello\r\n")
        assert recorder.wait_received(7)
        session.close()
        closed = recorder.wait_closed()

    kinds = recorder.kinds()
    assert kinds[:5] == LIFECYCLE_START
    assert kinds[5] is DataSent, "the send is reported before its echo comes back"
    assert set(kinds[6:-1]) == {DataReceived}
    assert kinds[-1] is Closed
    assert recorder.of_type(Resolving) == [Resolving("127.0.0.1", server.port)]
    assert recorder.of_type(Resolved)[0].addresses == (f"127.0.0.1:{server.port}",)
    assert recorder.of_type(SocketCreated) == [SocketCreated("AF_INET")]
    attempt = recorder.of_type(ConnectAttempt)[0]
    assert attempt.ok and attempt.address == f"127.0.0.1:{server.port}"
    connected = recorder.of_type(Connected)[0]
    assert connected.remote == f"127.0.0.1:{server.port}"
    assert connected.local.startswith("127.0.0.1:")
    assert closed == Closed(EndReason.CLOSED_BY_US)
    assert (state_when_connected, session.state) == (SessionState.OPEN, SessionState.CLOSED)
    assert stream_bytes(capture, Direction.SENT) == b"hello\r\n"
    assert stream_bytes(capture, Direction.RECEIVED) == b"hello\r\n"
    assert server.received == b"hello\r\n"


@pytest.mark.slow
def test_large_transfer_is_captured_exactly(start_session: StartSession, capture: Capture) -> None:
    nbytes = 256 * MIB
    with StreamServer(nbytes, seed=2024) as server:
        _, recorder = start_session(server.target)
        closed = recorder.wait_closed(timeout=120)
        assert server.finished.wait(10)

    assert closed == Closed(EndReason.PEER_CLOSED)
    assert capture.stream_bytes(Direction.RECEIVED) == nbytes == recorder.received_bytes
    assert capture.is_spooled
    assert stream_sha256(capture, Direction.RECEIVED) == server.sha256


def test_dribbled_bytes_arrive_exactly_one_segment_at_a_time(
    start_session: StartSession, capture: Capture
) -> None:
    payload = b"one\x00byte\xffat a time\r\n"
    recorder = EventRecorder()
    with DribbleServer(payload, ack=recorder.wait_received) as server:
        start_session(server.target, recorder=recorder)
        closed = recorder.wait_closed()

    assert closed.reason is EndReason.PEER_CLOSED
    assert stream_bytes(capture, Direction.RECEIVED) == payload
    assert capture.chunk_count(Direction.RECEIVED) == len(payload)
    assert [event.nbytes for event in recorder.of_type(DataReceived)] == [1] * len(payload)


def test_ipv6_loopback_round_trip(start_session: StartSession, capture: Capture) -> None:
    if not ipv6_loopback_available():
        pytest.skip("this machine cannot bind ::1")
    with EchoServer(host="::1") as server:
        session, recorder = start_session(server.target)
        connected = recorder.wait_for_event(Connected)
        session.send(b"over six\n")
        assert recorder.wait_received(9)

    assert recorder.of_type(Resolved)[0].addresses == (f"[::1]:{server.port}",)
    assert recorder.of_type(SocketCreated) == [SocketCreated("AF_INET6")]
    assert connected.remote == f"[::1]:{server.port}"
    assert connected.local.startswith("[::1]:")
    assert stream_bytes(capture, Direction.RECEIVED) == b"over six\n"


def test_refused_connection_fails_at_the_handshake(start_session: StartSession) -> None:
    _, recorder = start_session(Target("127.0.0.1", closed_port()))
    closed = recorder.wait_closed()

    assert closed.reason is EndReason.REFUSED
    assert closed.failed_step is Step.HANDSHAKE
    assert "refused" in closed.detail.lower()
    attempt = recorder.of_type(ConnectAttempt)[0]
    assert not attempt.ok
    assert Connected not in recorder.kinds()


def test_unknown_host_fails_at_resolve(start_session: StartSession) -> None:
    _, recorder = start_session(Target("nonexistent.invalid", 80))
    closed = recorder.wait_closed(timeout=60)  # a resolver without network may retry a while

    assert closed.reason is EndReason.DNS_FAILURE
    assert closed.failed_step is Step.RESOLVE
    assert "nonexistent.invalid" in closed.detail
    assert recorder.kinds() == [Resolving, Closed]


def test_connect_to_a_full_accept_queue_times_out(start_session: StartSession) -> None:
    with full_accept_queue() as (host, port):
        _, recorder = start_session(Target(host, port), ConnectOptions(timeout=0.5))
        closed = recorder.wait_closed()

    assert closed.reason is EndReason.TIMED_OUT
    assert closed.failed_step is Step.HANDSHAKE
    assert "0.5 s" in closed.detail
    attempt = recorder.of_type(ConnectAttempt)[0]
    assert not attempt.ok
    assert attempt.duration_ms >= 450


def test_close_during_a_hanging_connect_ends_within_a_second(
    start_session: StartSession,
) -> None:
    with full_accept_queue() as (host, port):
        session, recorder = start_session(Target(host, port), ConnectOptions(timeout=30))
        recorder.wait_for_event(SocketCreated)
        assert session.state is SessionState.CONNECTING
        session.close()
        assert session.join(1.0)

    assert recorder.events[-1] == Closed(EndReason.CLOSED_BY_US)
    assert Connected not in recorder.kinds()


def test_peer_reset_is_reported_and_bytes_kept(
    start_session: StartSession, capture: Capture
) -> None:
    payload = b"last words before the reset\n" * 100
    recorder = EventRecorder()

    def client_has_payload() -> bool:
        return recorder.wait_received(len(payload))

    with ResetServer(payload, when=client_has_payload) as server:
        start_session(server.target, recorder=recorder)
        closed = recorder.wait_closed()

    assert closed.reason is EndReason.RESET
    assert closed.failed_step is None
    assert PeerFinished not in recorder.kinds()
    assert stream_bytes(capture, Direction.RECEIVED) == payload


def test_reset_right_behind_the_data_keeps_the_data_even_during_the_handshake(
    tmp_path: Path,
) -> None:
    """A server that accepts, sends and resets at once: the RST often lands before our
    connect() has been seen to complete, and must not be mistaken for a failed handshake
    (which would drop the bytes that came first). Repeated so that race is hit every run."""
    payload = bytes(range(256)) * 40
    with ResetServer(payload) as server:
        for attempt in range(20):
            capture = Capture(spool_dir=str(tmp_path))
            recorder = EventRecorder()
            session = Session(server.target, capture, recorder)
            session.start()
            closed = recorder.wait_closed()
            assert session.join(1.0)
            received = stream_bytes(capture, Direction.RECEIVED)
            capture.close()

            assert closed.reason is EndReason.RESET, f"attempt {attempt}: {closed}"
            assert closed.failed_step is None, f"attempt {attempt}: {recorder.events}"
            assert received == payload, f"attempt {attempt}"
            assert recorder.kinds()[:5] == LIFECYCLE_START


def test_peer_eof_is_reported_as_peer_closed(start_session: StartSession, capture: Capture) -> None:
    with PayloadServer(b"goodbye\n") as server:
        session, recorder = start_session(server.target)
        closed = recorder.wait_closed()

    assert closed == Closed(EndReason.PEER_CLOSED)
    assert recorder.kinds()[-3:] == [DataReceived, PeerFinished, Closed]
    assert session.state is SessionState.CLOSED
    assert stream_bytes(capture, Direction.RECEIVED) == b"goodbye\n"


def test_without_close_on_peer_eof_we_can_still_send_after_the_peer_finished(
    start_session: StartSession, capture: Capture
) -> None:
    with PayloadServer(b"your turn\n") as server:
        session, recorder = start_session(server.target, ConnectOptions(close_on_peer_eof=False))
        recorder.wait_for_event(PeerFinished)
        assert session.state is SessionState.OPEN
        session.send(b"still here\n")
        assert server.wait_received(11)
        session.half_close()
        closed = recorder.wait_closed()

    assert closed.reason is EndReason.PEER_CLOSED
    assert server.received == b"still here\n"
    assert stream_bytes(capture, Direction.RECEIVED) == b"your turn\n"
    assert recorder.kinds()[-2:] == [HalfClosed, Closed]


@pytest.mark.parametrize("close_on_peer_eof", [True, False])
def test_half_close_round_trip_captures_the_reply(
    start_session: StartSession, capture: Capture, close_on_peer_eof: bool
) -> None:
    with HalfCloseServer(reply=lambda request: request.upper()) as server:
        session, recorder = start_session(
            server.target, ConnectOptions(close_on_peer_eof=close_on_peer_eof)
        )
        recorder.wait_for_event(Connected)
        session.send(b"shout this\n")
        session.half_close()
        closed = recorder.wait_closed()

    assert closed.reason is EndReason.PEER_CLOSED
    assert stream_bytes(capture, Direction.SENT) == b"shout this\n"
    assert stream_bytes(capture, Direction.RECEIVED) == b"SHOUT THIS\n"
    kinds = recorder.kinds()
    assert kinds.index(DataSent) < kinds.index(HalfClosed) < kinds.index(DataReceived)
    assert kinds[-2:] == [PeerFinished, Closed]


def test_close_while_waiting_for_data_ends_within_a_second(
    start_session: StartSession,
) -> None:
    with EchoServer() as server:
        session, recorder = start_session(server.target)
        recorder.wait_for_event(Connected)
        session.close()
        assert session.join(1.0)

    assert recorder.events[-1] == Closed(EndReason.CLOSED_BY_US)
    assert session.state is SessionState.CLOSED


def through(proxy: GatedConnectProxy) -> ConnectOptions:
    return ConnectOptions(timeout=30, proxy=parse_proxy_url(proxy.url))


def test_bytes_sent_while_connecting_go_out_first_once_open(
    start_session: StartSession, capture: Capture
) -> None:
    with GatedConnectProxy() as proxy:
        session, recorder = start_session(Target("target.example", 7), through(proxy))
        assert proxy.wait_request()
        session.send(b"typed ahead\n")
        assert session.state is SessionState.CONNECTING
        proxy.open_gate()
        recorder.wait_for_event(Connected)
        session.send(b"then this\n")
        assert proxy.wait_received(len(b"typed ahead\nthen this\n"))
        assert proxy.received == b"typed ahead\nthen this\n"
        assert recorder.wait_for(lambda: recorder.sent_bytes == len(proxy.received))
    assert stream_bytes(capture, Direction.SENT) == b"typed ahead\nthen this\n"


def test_bytes_sent_while_connecting_are_counted_unsent_when_it_never_opens(
    start_session: StartSession, capture: Capture
) -> None:
    with GatedConnectProxy(reply=b"HTTP/1.1 403 Forbidden\r\n\r\n") as proxy:
        session, recorder = start_session(Target("target.example", 7), through(proxy))
        assert proxy.wait_request()
        session.send(b"never sent")
        proxy.open_gate()
        closed = recorder.wait_closed()
    assert closed.failed_step is Step.HANDSHAKE
    assert closed.unsent_bytes == len(b"never sent")
    assert capture.chunk_count(Direction.SENT) == 0
    with pytest.raises(NotConnectedError):
        session.send(b"too late")


def test_bytes_sent_while_connecting_are_counted_unsent_when_closed_first(
    start_session: StartSession,
) -> None:
    with full_accept_queue() as (host, port):
        session, recorder = start_session(Target(host, port), ConnectOptions(timeout=30))
        recorder.wait_for_event(SocketCreated)
        session.send(b"too early")
        session.close()
        assert recorder.wait_closed() == Closed(EndReason.CLOSED_BY_US, unsent_bytes=9)


def test_half_close_and_starttls_wait_for_an_open_connection(
    start_session: StartSession,
) -> None:
    with full_accept_queue() as (host, port):
        session, recorder = start_session(Target(host, port), ConnectOptions(timeout=30))
        recorder.wait_for_event(SocketCreated)
        with pytest.raises(NotConnectedError, match="connect first"):
            session.half_close()
        with pytest.raises(NotConnectedError, match="connect first"):
            session.start_tls()


def test_send_after_the_session_closed_is_refused(start_session: StartSession) -> None:
    with PayloadServer(b"bye") as server:
        session, recorder = start_session(server.target)
        recorder.wait_closed()

    with pytest.raises(NotConnectedError):
        session.send(b"too late")


def test_send_after_half_close_is_refused(start_session: StartSession) -> None:
    with EchoServer() as server:
        session, recorder = start_session(server.target)
        recorder.wait_for_event(Connected)
        session.half_close()
        with pytest.raises(WriteClosedError, match="EOF"):
            session.send(b"after EOF")
        recorder.wait_for_event(HalfClosed)
        with pytest.raises(WriteClosedError):
            session.send(b"after EOF")
        closed = recorder.wait_closed()

    assert closed.reason is EndReason.PEER_CLOSED
    assert recorder.sent_bytes == 0


def test_close_during_a_blocked_big_send_is_prompt_and_counts_unsent_bytes(
    start_session: StartSession, capture: Capture
) -> None:
    total = 16 * MIB  # far beyond what the socket buffers on both ends can hold
    with SilentServer() as server:
        session, recorder = start_session(server.target)
        recorder.wait_for_event(Connected)
        session.send(bytes(total))
        assert recorder.wait_for(lambda: recorder.sent_bytes >= MAX_CHUNK)
        session.close()
        assert session.join(1.0)

    closed = recorder.events[-1]
    assert isinstance(closed, Closed)
    assert closed.reason is EndReason.CLOSED_BY_US
    assert closed.unsent_bytes > 0
    assert capture.stream_bytes(Direction.SENT) + closed.unsent_bytes == total
    assert recorder.sent_bytes == capture.stream_bytes(Direction.SENT)


def test_peer_eof_during_a_blocked_send_accounts_for_every_byte(
    start_session: StartSession, capture: Capture
) -> None:
    total = 16 * MIB
    with SilentServer(hang_up_after=MIB + 12345) as server:
        session, recorder = start_session(server.target)
        recorder.wait_for_event(Connected)
        session.send(bytes(total))
        closed = recorder.wait_closed()

    assert closed.reason is EndReason.PEER_CLOSED
    assert closed.unsent_bytes > 0
    assert capture.stream_bytes(Direction.SENT) >= MIB + 12345
    assert capture.stream_bytes(Direction.SENT) + closed.unsent_bytes == total
    assert recorder.sent_bytes == capture.stream_bytes(Direction.SENT)


def test_sends_racing_the_peers_eof_are_either_refused_or_accounted_for(
    tmp_path: Path,
) -> None:
    """Keep queueing big sends while the peer's EOF closes the session under us: every byte
    `send` accepted must end up sent or counted as unsent, never silently dropped. Each big
    send takes a while to queue, so the close often lands mid-send; repeated to hit that."""
    piece = bytes(8 * MIB)
    with SilentServer(hang_up_after=MIB) as server:
        for attempt in range(40):
            capture = Capture(spool_dir=str(tmp_path))
            recorder = EventRecorder()
            session = Session(server.target, capture, recorder)
            session.start()
            recorder.wait_for_event(Connected)
            accepted = 0
            for _ in range(16):  # bounded: the peer hangs up after 1 MiB whatever we do
                try:
                    session.send(piece)
                except NotConnectedError:
                    break
                accepted += len(piece)
            closed = recorder.wait_closed()
            assert session.join(1.0)
            sent = capture.stream_bytes(Direction.SENT)
            capture.close()

            assert closed.reason is EndReason.PEER_CLOSED, f"attempt {attempt}: {closed}"
            assert sent >= MIB
            assert sent + closed.unsent_bytes == accepted, f"attempt {attempt}"


def test_nodelay_and_keepalive_sessions_connect_and_echo(
    start_session: StartSession, capture: Capture
) -> None:
    with EchoServer() as server:
        session, recorder = start_session(
            server.target, ConnectOptions(nodelay=True, keepalive=True)
        )
        recorder.wait_for_event(Connected)
        for line in (b"a\n", b"b\n", b"c\n"):
            session.send(line)
        assert recorder.wait_received(6)

    assert stream_bytes(capture, Direction.RECEIVED) == b"a\nb\nc\n"


def test_ipv4_family_resolves_localhost_to_ipv4_only(
    start_session: StartSession, capture: Capture
) -> None:
    with EchoServer() as server:
        session, recorder = start_session(
            Target("localhost", server.port), ConnectOptions(family=Family.IPV4)
        )
        recorder.wait_for_event(Connected)
        session.send(b"v4\n")
        assert recorder.wait_received(3)

    addresses = recorder.of_type(Resolved)[0].addresses
    assert addresses
    assert all(address.startswith("127.") and "[" not in address for address in addresses)
    assert set(recorder.of_type(SocketCreated)) == {SocketCreated("AF_INET")}
