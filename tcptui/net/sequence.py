"""Running a sequence of steps over an open connection, in a thread of its own.

Sends go through `Session.send` like typed ones; an expect waits for its pattern in the bytes
received since the sequence started (after the previous expect's match), fed from the Capture
as the I/O thread reports them. The first step that fails stops the run with one sentence
naming it; the connection is left as it is, open for more poking.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tcptui.capture.store import Capture, Direction
from tcptui.codec.automation_rules import (
    ExpectStep,
    HalfCloseStep,
    SendStep,
    StartTlsStep,
    Step,
    WaitStep,
)
from tcptui.net.events import Closed, DataReceived, Event
from tcptui.net.session import Session, SessionError

MAX_PENDING = 1 << 20
"""Received bytes an expect looks through at most (the newest): a flood cannot grow it."""


class RunState(StrEnum):
    RUNNING = "running"
    PASSED = "passed"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True)
class Progress:
    """Where a run is: `done` steps of `total` finished; `sentence` says what happens now."""

    done: int
    total: int
    state: RunState
    sentence: str


class SequenceRun:
    """One run of `steps` on `session`; report progress through `on_progress` (any thread).

    Expects look at what arrived from chunk `first_chunk` on (default: from now on); a run
    started on connecting passes the connection's first chunk, so a greeting that came in
    before the run began is still seen.
    """

    def __init__(
        self,
        steps: Sequence[Step],
        session: Session,
        capture: Capture,
        on_progress: Callable[[Progress], None],
        first_chunk: int | None = None,
    ) -> None:
        self.steps = tuple(steps)
        self.session = session
        self.capture = capture
        self._on_progress = on_progress
        self._next_chunk = len(capture) if first_chunk is None else first_chunk
        self._pending = bytearray()
        self._start = 0
        """Where the next expect looks in `_pending`: the byte before it stays as context, so
        that `^` after an earlier match means a real line start, not where that match ended."""
        self._condition = threading.Condition()
        self._closed = False
        self._stopped = False
        self.result: Progress | None = None
        self._thread = threading.Thread(target=self._run, name="tcptui-sequence", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify_all()

    def join(self, timeout: float | None = None) -> bool:
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def observe(self, event: Event) -> None:
        """Feed it the session's events (the view passes them on from its event tap)."""
        if isinstance(event, DataReceived | Closed):
            with self._condition:
                self._closed = self._closed or isinstance(event, Closed)
                self._condition.notify_all()

    # -- the sequence thread -----------------------------------------------------------------

    def _run(self) -> None:
        total = len(self.steps)
        for done, step in enumerate(self.steps):
            self._report(Progress(done, total, RunState.RUNNING, step.label))
            problem = self._do(step)
            if problem:
                state = RunState.STOPPED if self._stopped else RunState.FAILED
                self._report(Progress(done, total, state, f"{step.label}: {problem}"))
                return
        self._report(Progress(total, total, RunState.PASSED, f"all {total} steps passed"))

    def _report(self, progress: Progress) -> None:
        if progress.state is not RunState.RUNNING:
            self.result = progress
        self._on_progress(progress)

    def _do(self, step: Step) -> str:
        """Carry out one step; a sentence saying why it failed, or "" when it passed."""
        action = step.action
        try:
            if isinstance(action, SendStep):
                self.session.send(action.data)
            elif isinstance(action, StartTlsStep):
                self.session.start_tls()
            elif isinstance(action, HalfCloseStep):
                self.session.half_close()
            elif isinstance(action, WaitStep):
                return self._wait(action.ms / 1000)
            elif isinstance(action, ExpectStep):
                return self._expect(action)
        except SessionError as exc:
            return str(exc)
        return "stopped" if self._stopped else ""

    def _wait(self, seconds: float) -> str:
        """Ends early when stopped or when the connection ends (nothing left to wait for)."""
        with self._condition:
            self._condition.wait_for(lambda: self._stopped or self._closed, seconds)
            if self._stopped:
                return "stopped"
            return "the connection ended" if self._closed else ""

    def _expect(self, step: ExpectStep) -> str:
        deadline = time.monotonic() + step.timeout
        while True:
            self._take_received()
            match = step.pattern.search(bytes(self._pending), self._start)
            if match is not None:
                kept_from = max(match.end() - 1, 0)
                del self._pending[:kept_from]
                self._start = match.end() - kept_from
                return ""
            with self._condition:
                if self._stopped:
                    return "stopped"
                if self._closed and self._next_chunk >= len(self.capture):
                    return "the connection ended before it arrived"
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return f"it did not arrive within {step.timeout:g} s"
                if self._next_chunk >= len(self.capture):
                    self._condition.wait(remaining)

    def _take_received(self) -> None:
        while self._next_chunk < len(self.capture):
            try:
                chunk = self.capture.chunk(self._next_chunk)
                data = (
                    b""
                    if chunk.direction is Direction.SENT
                    else self.capture.read_chunk(chunk.index)
                )
            except ValueError:
                return
            self._next_chunk += 1
            self._pending += data
            if len(self._pending) > MAX_PENDING:
                dropped = len(self._pending) - MAX_PENDING
                del self._pending[:dropped]
                self._start = max(self._start - dropped, 0)
