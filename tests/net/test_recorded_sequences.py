"""A recorded sequence repeats the connection's STARTTLS and half-close where they happened,
and passes when run against the server it was recorded with."""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Callable
from pathlib import Path

from tcptui.capture.conversation import Turn, conversation, record_sequence
from tcptui.capture.store import Capture
from tcptui.codec.automation_rules import (
    ExpectStep,
    HalfCloseStep,
    SendStep,
    StartTlsStep,
    Step,
    parse_sequence,
)
from tcptui.net.events import Connected, Event
from tcptui.net.sequence import Progress, RunState, SequenceRun
from tcptui.net.session import ConnectOptions, Session
from tcptui.net.target import Target
from tests.helpers import (
    DEFAULT_TIMEOUT,
    EventRecorder,
    StartSession,
    StartTlsServer,
    make_pki,
    server_context,
)


def test_starttls_and_eof_are_recorded_and_the_sequence_replays_them(
    start_session: StartSession, capture: Capture, tmp_path: Path
) -> None:
    pki = make_pki(tmp_path)
    options = ConnectOptions(timeout=5.0, tls=pki.options())
    with StartTlsServer(server_context(pki.server)) as server:
        session, recorder = start_session(server.target, options)
        recorder.wait_for_event(Connected)
        session.send(b"HELLO\r\n")
        assert recorder.wait_received(len(b"250 plain\r\n"))
        session.send(b"STARTTLS\r\n")
        assert recorder.wait_received(len(b"250 plain\r\n220 go ahead\r\n"))
        session.start_tls()
        session.send(b"secret")
        assert recorder.wait_received(len(b"250 plain\r\n220 go ahead\r\ntls:secret"))
        session.half_close()
        recorder.wait_closed()

        turns = conversation(capture)
        assert turns == [
            Turn(b"HELLO\r\n", b"250 plain\r\n"),
            Turn(b"STARTTLS\r\n", b"220 go ahead\r\n", tls_started=True),
            Turn(b"secret", b"tls:secret"),
            Turn(b"", b"", eof_sent=True),
        ]
        steps = parse_sequence(tomllib.loads(record_sequence(turns)))
        assert [type(step.action) for step in steps] == [
            SendStep,
            ExpectStep,
            SendStep,
            ExpectStep,
            StartTlsStep,
            SendStep,
            ExpectStep,
            HalfCloseStep,
        ]

        result = run_sequence(steps, server.target, options)
    assert result.state is RunState.PASSED, result
    assert server.plain_lines == [b"HELLO\r\n", b"STARTTLS\r\n"] * 2


def run_sequence(steps: list[Step], target: Target, options: ConnectOptions) -> Progress:
    """Runs `steps` on a new connection to `target`; the run's final report."""
    capture = Capture()
    recorder = EventRecorder()
    observers: list[Callable[[Event], None]] = []

    def on_event(event: Event) -> None:
        recorder(event)
        for observe in observers:
            observe(event)

    session = Session(target, capture, on_event, options)
    done = threading.Event()
    reports: list[Progress] = []

    def progressed(progress: Progress) -> None:
        reports.append(progress)
        if progress.state is not RunState.RUNNING:
            done.set()

    session.start()
    try:
        recorder.wait_for_event(Connected)
        run = SequenceRun(steps, session, capture, progressed, first_chunk=0)
        observers.append(run.observe)
        run.start()
        assert done.wait(DEFAULT_TIMEOUT), reports
        assert run.join(DEFAULT_TIMEOUT)
    finally:
        session.close()
        assert session.join(DEFAULT_TIMEOUT)
        capture.close()
    return reports[-1]
