"""Fixtures and settings shared by every test directory."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tcptui.capture.store import Capture

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
