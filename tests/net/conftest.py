"""A factory that starts sessions with a recorder and makes sure they end with the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tcptui.capture.store import Capture
from tcptui.net.session import ConnectOptions, Session
from tcptui.net.target import Target
from tests.helpers import EventRecorder

StartSession = Callable[..., tuple[Session, EventRecorder]]


@pytest.fixture
def start_session(capture: Capture) -> Iterator[StartSession]:
    """`start_session(target, options=None, recorder=None)` → a started (Session, recorder).

    Every session shares the test's `capture`; at teardown each is closed and must end
    within a second, which every test thereby also checks.
    """
    sessions: list[Session] = []

    def start(
        target: Target,
        options: ConnectOptions | None = None,
        recorder: EventRecorder | None = None,
    ) -> tuple[Session, EventRecorder]:
        recorder = recorder or EventRecorder()
        session = Session(target, capture, recorder, options)
        sessions.append(session)
        session.start()
        return session, recorder

    yield start
    for session in sessions:
        session.close()
    stuck = [str(session.target) for session in sessions if not session.join(1.0)]
    assert not stuck, f"sessions still running after close(): {stuck}"
