"""Deadline-bounded waiting: tests never sleep to synchronise, they wait for a condition."""

from __future__ import annotations

import threading
from collections.abc import Callable

DEFAULT_TIMEOUT = 10.0
"""Seconds a test waits for something that should happen almost at once; generous for CI."""


def wait_until(
    condition: threading.Condition, predicate: Callable[[], bool], timeout: float
) -> bool:
    """Wait on `condition` until `predicate()` holds or `timeout` passes; True if it held."""
    with condition:
        return condition.wait_for(predicate, timeout)
