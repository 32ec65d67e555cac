"""Sequences against a real loopback echo server: order, a failed expect stops, the session
stays usable."""

from __future__ import annotations

import threading
from collections.abc import Callable

from tcptui.capture.store import Capture, Direction
from tcptui.codec.automation_rules import parse_sequence
from tcptui.net.events import Connected, Event
from tcptui.net.sequence import Progress, RunState, SequenceRun
from tcptui.net.session import Session, SessionState
from tests.helpers import EchoServer, EventRecorder
from tests.helpers.waiting import DEFAULT_TIMEOUT


class Watch:
    """Collects a run's progress reports; the test waits for the final one."""

    def __init__(self) -> None:
        self.reports: list[Progress] = []
        self.done = threading.Event()

    def __call__(self, progress: Progress) -> None:
        self.reports.append(progress)
        if progress.state is not RunState.RUNNING:
            self.done.set()


def run_on_echo(
    steps: list[dict[str, object]], capture: Capture, *, until_done: bool = True
) -> tuple[Session, SequenceRun, Watch, EventRecorder, EchoServer]:
    server = EchoServer().start()
    recorder = EventRecorder()
    holder: list[Callable[[Event], None]] = []

    def on_event(event: Event) -> None:
        recorder(event)
        for observer in holder:
            observer(event)

    session = Session(server.target, capture, on_event)
    session.start()
    recorder.wait_for_event(Connected)
    watch = Watch()
    run = SequenceRun(parse_sequence({"step": steps}), session, capture, watch)
    holder.append(run.observe)
    run.start()
    assert not until_done or watch.done.wait(DEFAULT_TIMEOUT)
    return session, run, watch, recorder, server


def test_steps_run_in_order_and_pass(capture: Capture) -> None:
    session, run, watch, recorder, server = run_on_echo(
        [
            {"send": "one\\n"},
            {"expect": "one"},
            {"wait": 5},
            {"send_hex": "74 77 6f 0a"},
            {"expect_regex": "t(w)o", "timeout": 5},
            {"send_mixed": "three{0a}"},
            {"expect_hex": "74 68 ?? 65"},
        ],
        capture,
    )
    try:
        assert run.result == Progress(7, 7, RunState.PASSED, "all 7 steps passed")
        assert [report.done for report in watch.reports] == list(range(8))
        assert server.wait_received(len(b"one\ntwo\nthree\n"))
        assert server.received == b"one\ntwo\nthree\n"
    finally:
        session.close()
        server.stop()


def test_a_failed_expect_stops_the_run_and_the_session_stays_open(capture: Capture) -> None:
    session, run, watch, recorder, server = run_on_echo(
        [
            {"send": "hello\\n"},
            {"expect": "goodbye", "timeout": 0.3, "name": "farewell"},
            {"send": "never\\n"},
        ],
        capture,
    )
    try:
        assert run.result is not None
        assert run.result.state is RunState.FAILED
        assert run.result.done == 1
        assert run.result.sentence == (
            "step 2 ('farewell'): expect 'goodbye': it did not arrive within 0.3 s"
        )
        assert session.state is SessionState.OPEN
        session.send(b"still here\n")
        assert server.wait_received(len(b"hello\nstill here\n"))
        assert server.received == b"hello\nstill here\n"
        assert recorder.wait_for(
            lambda: capture.stream_bytes(Direction.RECEIVED) == len(b"hello\nstill here\n")
        )
    finally:
        session.close()
        server.stop()


def test_closing_the_connection_ends_a_wait_step_at_once(capture: Capture) -> None:
    session, run, watch, recorder, server = run_on_echo(
        [{"wait": 3_600_000}, {"send": "never\\n"}], capture, until_done=False
    )
    try:
        session.close()
        assert watch.done.wait(DEFAULT_TIMEOUT)
        assert run.result == Progress(0, 2, RunState.FAILED, "step 1: wait: the connection ended")
    finally:
        server.stop()


def test_expect_regex_caret_after_an_earlier_match_means_a_real_line_start(
    capture: Capture,
) -> None:
    session, run, watch, recorder, server = run_on_echo(
        [
            {"send": "HTTP/1.1 200 OK\\r\\nnext\\n"},
            {"expect": "HTTP/1.1 "},
            {"expect_regex": "^200", "timeout": 0.3},
        ],
        capture,
    )
    try:
        assert run.result is not None and run.result.state is RunState.FAILED
        assert run.result.sentence == "step 3: expect_regex '^200': it did not arrive within 0.3 s"
    finally:
        session.close()
        server.stop()


def test_expect_regex_caret_matches_right_after_a_match_that_ended_a_line(
    capture: Capture,
) -> None:
    session, run, watch, recorder, server = run_on_echo(
        [
            {"send": "first\\nsecond\\n"},
            {"expect": "first\\n"},
            {"expect_regex": "^second$"},
        ],
        capture,
    )
    try:
        assert run.result == Progress(3, 3, RunState.PASSED, "all 3 steps passed")
    finally:
        session.close()
        server.stop()
