"""Fixtures for the reliability suite: sessions that end with the test, no real clipboard."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tcptui.capture.store import Capture
from tcptui.net.session import ConnectOptions, Session
from tcptui.net.target import Target
from tests.helpers import EventRecorder

StartSession = Callable[..., tuple[Session, EventRecorder]]
SESSION_END_TIMEOUT = 2.0


@pytest.fixture
def start_session(capture: Capture) -> Iterator[StartSession]:
    """`start_session(target, options=None, recorder=None)` → a started (Session, recorder).

    At teardown every session is closed and must end within SESSION_END_TIMEOUT.
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
    stuck = [str(session.target) for session in sessions if not session.join(SESSION_END_TIMEOUT)]
    assert not stuck, f"sessions still running after close(): {stuck}"


@pytest.fixture(autouse=True)
def no_system_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Copying in app tests lands in `app.clipboard` (the OSC 52 fallback), never a real one."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
