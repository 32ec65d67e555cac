"""Parse how to repeat a message: `10` (ten times now), `10 every 200` (ten times, 200 ms
apart) or `every 500` (every 500 ms until stopped)."""

from __future__ import annotations

import re
from typing import NamedTuple

MAX_COUNT = 1_000_000
MIN_INTERVAL_MS = 1

_SPEC = re.compile(r"^\s*(?:(\d+)\s*)?(?:every\s+(\d+)\s*(?:ms)?\s*)?$", re.IGNORECASE)


class RepeatSpec(NamedTuple):
    times: int
    """How many sends; 0 means until stopped."""
    interval_ms: int
    """Milliseconds between sends; 0 means all at once."""


def parse_repeat(text: str) -> RepeatSpec:
    """Raise ValueError with a sentence saying what is wrong."""
    match = _SPEC.match(text)
    if not match or not (match.group(1) or match.group(2)):
        raise ValueError(
            "write a count (10), a count and an interval (10 every 200), or an interval (every 500)"
        )
    times = int(match.group(1) or 0)
    interval = int(match.group(2) or 0)
    if match.group(1) and not 1 <= times <= MAX_COUNT:
        raise ValueError(f"the count must be between 1 and {MAX_COUNT:,}")
    if match.group(2) and interval < MIN_INTERVAL_MS:
        raise ValueError("the interval must be at least 1 ms")
    return RepeatSpec(times, interval)
