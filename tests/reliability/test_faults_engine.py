"""Faults at the engine level: every one ends CLOSED, with a clear sentence, bytes kept.

Each test drives a real Session against a real loopback server that misbehaves in one way,
then checks the three things a user relies on: the session ends (and its thread with it), the
Closed event names the cause in words, and every byte that arrived before the fault is in the
capture, exactly.
"""

from __future__ import annotations

import threading
import time

import pytest

from tcptui.capture.store import Capture, Direction
from tcptui.net.events import (
    Closed,
    ConnectAttempt,
    Connected,
    DataReceived,
    EndReason,
    HalfClosed,
    PeerFinished,
    Step,
)
from tcptui.net.session import ConnectOptions, Session, SessionState
from tcptui.net.target import Family, Target
from tests.helpers import (
    MIB,
    DribbleServer,
    EchoServer,
    EventRecorder,
    HalfCloseServer,
    PayloadServer,
    ResetServer,
    SilentServer,
    StartSession,
    closed_port,
    full_accept_queue,
    ipv6_loopback_available,
    stream_bytes,
)
from tests.helpers.waiting import DEFAULT_TIMEOUT

from .servers import GreetThenStall

PACE = 0.05
"""Seconds the dribbling server waits between bytes (pacing, not synchronisation)."""
CLOSE_DEADLINE = 1.0
"""A close the user asked for must end the I/O thread within this."""


def assert_ended(session: Session, closed: Closed, reason: EndReason, words: str) -> None:
    assert session.join(CLOSE_DEADLINE), "the I/O thread is still running"
    assert session.state is SessionState.CLOSED
    assert closed.reason is reason, closed
    assert words in closed.sentence().lower(), closed.sentence()


def test_peer_reset_mid_stream_keeps_every_byte_before_it(
    start_session: StartSession, capture: Capture
) -> None:
    payload = bytes(range(256)) * 1000
    recorder = EventRecorder()
    with ResetServer(payload, when=lambda: recorder.wait_received(len(payload))) as server:
        session, _ = start_session(server.target, recorder=recorder)
        closed = recorder.wait_closed()
    assert_ended(session, closed, EndReason.RESET, "reset by the peer")
    assert stream_bytes(capture, Direction.RECEIVED) == payload


def test_half_close_from_our_side_keeps_receiving_until_the_peer_ends(
    start_session: StartSession, capture: Capture
) -> None:
    with HalfCloseServer(lambda request: b"reply to " + request) as server:
        session, recorder = start_session(server.target)
        recorder.wait_for_event(Connected)
        session.send(b"question")
        session.half_close()
        recorder.wait_for_event(HalfClosed)
        closed = recorder.wait_closed()
    assert_ended(session, closed, EndReason.PEER_CLOSED, "peer closed")
    assert server.received == b"question"
    assert stream_bytes(capture, Direction.RECEIVED) == b"reply to question"
    kinds = recorder.kinds()
    assert kinds.index(HalfClosed) < kinds.index(PeerFinished) < kinds.index(Closed)


def test_half_close_from_the_peer_side_lets_us_keep_sending(
    start_session: StartSession, capture: Capture
) -> None:
    with PayloadServer(b"banner then EOF\n") as server:
        options = ConnectOptions(close_on_peer_eof=False)
        session, recorder = start_session(server.target, options)
        recorder.wait_for_event(PeerFinished)
        assert session.state is SessionState.OPEN
        session.send(b"still talking\n")
        assert server.wait_received(14)
        session.half_close()
        closed = recorder.wait_closed()
    assert_ended(session, closed, EndReason.PEER_CLOSED, "peer closed")
    assert server.received == b"still talking\n"
    assert stream_bytes(capture, Direction.RECEIVED) == b"banner then EOF\n"
    assert stream_bytes(capture, Direction.SENT) == b"still talking\n"


def test_server_that_never_speaks_leaves_the_session_open_and_closable(
    start_session: StartSession, capture: Capture
) -> None:
    with SilentServer() as server:
        session, recorder = start_session(server.target)
        recorder.wait_for_event(Connected)
        session.send(b"hello?\n")
        assert recorder.wait_for(lambda: recorder.sent_bytes == 7)
        assert session.state is SessionState.OPEN
        assert not recorder.of_type(DataReceived)
        session.close()
        closed = recorder.wait_closed()
    assert_ended(session, closed, EndReason.CLOSED_BY_US, "closed by you")
    assert stream_bytes(capture, Direction.SENT) == b"hello?\n"


def test_dribbling_server_delivers_every_byte_as_its_own_chunk(
    start_session: StartSession, capture: Capture
) -> None:
    payload = b"slow\x00\x1b[31m\xff\r\n" * 2
    recorder = EventRecorder()
    pace = threading.Event()  # never set: each wait is the 50 ms pause between bytes

    def ack(sent: int) -> bool:
        taken = recorder.wait_received(sent)
        pace.wait(PACE)
        return taken

    with DribbleServer(payload, ack) as server:
        session, _ = start_session(server.target, recorder=recorder)
        closed = recorder.wait_closed(timeout=DEFAULT_TIMEOUT + len(payload) * PACE)
    assert_ended(session, closed, EndReason.PEER_CLOSED, "peer closed")
    assert stream_bytes(capture, Direction.RECEIVED) == payload
    assert [event.nbytes for event in recorder.of_type(DataReceived)] == [1] * len(payload)
    assert capture.chunk_count(Direction.RECEIVED) == len(payload)


def test_connect_timeout_fails_at_the_handshake_within_the_limit(
    start_session: StartSession, capture: Capture
) -> None:
    with full_accept_queue() as (host, port):
        started = time.monotonic()
        session, recorder = start_session(Target(host, port), ConnectOptions(timeout=0.5))
        closed = recorder.wait_closed()
        elapsed = time.monotonic() - started
    assert_ended(session, closed, EndReason.TIMED_OUT, "timed out")
    assert closed.failed_step is Step.HANDSHAKE
    assert 0.4 <= elapsed < 0.5 + DEFAULT_TIMEOUT
    assert capture.total_bytes == 0


def test_unresolvable_name_fails_at_resolve_naming_the_host(start_session: StartSession) -> None:
    session, recorder = start_session(Target("name.invalid", 80))
    closed = recorder.wait_closed()
    assert_ended(session, closed, EndReason.DNS_FAILURE, "could not be resolved")
    assert closed.failed_step is Step.RESOLVE
    assert "name.invalid" in closed.sentence()
    assert not recorder.of_type(ConnectAttempt)


def test_refused_connection_fails_at_the_handshake(start_session: StartSession) -> None:
    session, recorder = start_session(Target("127.0.0.1", closed_port()))
    closed = recorder.wait_closed()
    assert_ended(session, closed, EndReason.REFUSED, "refused")
    assert closed.failed_step is Step.HANDSHAKE
    assert [attempt.ok for attempt in recorder.of_type(ConnectAttempt)] == [False]


@pytest.mark.skipif(not ipv6_loopback_available(), reason="this machine cannot bind ::1")
def test_ipv6_only_server_works_over_ipv6_and_fails_clearly_when_ipv4_is_forced(
    start_session: StartSession, capture: Capture
) -> None:
    with EchoServer(host="::1") as server:
        session, recorder = start_session(Target("::1", server.port))
        assert recorder.wait_for_event(Connected).remote == f"[::1]:{server.port}"
        session.send(b"over v6\n")
        assert recorder.wait_received(8)
        session.close()
        assert_ended(session, recorder.wait_closed(), EndReason.CLOSED_BY_US, "closed by you")

        forced, forced_recorder = start_session(
            Target("::1", server.port), ConnectOptions(family=Family.IPV4)
        )
        closed = forced_recorder.wait_closed()
    assert_ended(forced, closed, EndReason.DNS_FAILURE, "could not be resolved")
    assert stream_bytes(capture, Direction.RECEIVED) == b"over v6\n"


def test_network_vanishing_during_a_large_send_keeps_the_greeting_and_counts_unsent(
    start_session: StartSession, capture: Capture
) -> None:
    total = 32 * MIB
    vanish = threading.Event()
    with GreetThenStall(b"220 welcome\r\n", reset_when=vanish) as server:
        session, recorder = start_session(server.target)
        assert recorder.wait_received(13)
        session.send(bytes(total))
        assert recorder.wait_for(lambda: recorder.sent_bytes > 0)
        assert session.queued_bytes > 0, "the send should be stuck behind full buffers"
        vanish.set()
        closed = recorder.wait_closed()
    assert_ended(session, closed, EndReason.RESET, "reset by the peer")
    assert stream_bytes(capture, Direction.RECEIVED) == b"220 welcome\r\n"
    assert closed.unsent_bytes > 0
    assert capture.stream_bytes(Direction.SENT) + closed.unsent_bytes == total


def test_close_during_a_stuck_large_send_is_prompt(
    start_session: StartSession, capture: Capture
) -> None:
    total = 32 * MIB
    with SilentServer() as server:
        session, recorder = start_session(server.target)
        recorder.wait_for_event(Connected)
        session.send(bytes(total))
        assert recorder.wait_for(lambda: recorder.sent_bytes > 0)
        started = time.monotonic()
        session.close()
        closed = recorder.wait_closed()
        assert time.monotonic() - started < CLOSE_DEADLINE
    assert_ended(session, closed, EndReason.CLOSED_BY_US, "closed by you")
    assert capture.stream_bytes(Direction.SENT) + closed.unsent_bytes == total
