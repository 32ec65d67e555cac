"""UI tests show times of day: pin the time zone so what they render is the same everywhere."""

from __future__ import annotations

import os
import time

import pytest

os.environ["TZ"] = "UTC"
if hasattr(time, "tzset"):
    time.tzset()


@pytest.fixture(autouse=True)
def no_system_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    """UI tests read what was copied from `app.clipboard`, which the OSC 52 fallback sets:
    hide any X or Wayland display so pyperclip finds no system clipboard."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
