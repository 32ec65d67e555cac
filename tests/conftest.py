"""Fixtures and settings shared by every test directory."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tcptui.capture.store import Capture
from tcptui.net.session import ConnectOptions, Session
from tcptui.net.target import Target
from tests.helpers import EventRecorder, StartSession

settings.register_profile("tcptui", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("tcptui")


@pytest.fixture
def capture() -> Iterator[Capture]:
    """An empty Capture, closed (spool file released) after the test."""
    store = Capture()
    yield store
    store.close()


@pytest.fixture
def unwritable_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder this process cannot create files in: chmod 0o500, or /sys when we are root."""
    if sys.platform == "win32" or os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o500)
        yield folder
        folder.chmod(0o700)
        return
    folder = Path("/sys")
    try:
        os.close(os.open(folder / "tcptui-probe", os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    except PermissionError:
        yield folder
        return
    except OSError as exc:
        pytest.skip(f"running as root and {folder} is not usable as a refusing folder: {exc}")
    os.unlink(folder / "tcptui-probe")
    pytest.skip(f"running as root, and even {folder} accepts new files")


@pytest.fixture(autouse=True)
def user_files_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real history or snippets."""
    monkeypatch.setenv("TCPTUI_DATA_DIR", str(tmp_path / "user-data"))
    monkeypatch.setenv("TCPTUI_CONFIG_DIR", str(tmp_path / "user-config"))
    monkeypatch.delenv("TCPTUI_CONFIG", raising=False)


SESSION_END_TIMEOUT = 2.0
"""Seconds a closed session may take to end at teardown (generous for a loaded machine; the
"stops within a second" promise has its own tests)."""


@pytest.fixture
def start_session(capture: Capture) -> Iterator[StartSession]:
    """`start_session(target, options=None, recorder=None)` → a started (Session, recorder).

    Every session shares the test's `capture`; at teardown each is closed and must end
    within SESSION_END_TIMEOUT, which every test thereby also checks.
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
    """Copying in tests lands in `app.clipboard` (the OSC 52 fallback), never a real
    clipboard: hide any X or Wayland display so pyperclip finds none. Tests that want the
    real one (tests/test_clipboard.py) set DISPLAY themselves."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
