"""Fixtures and settings shared by every test directory."""

from __future__ import annotations

from collections.abc import Iterator

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
