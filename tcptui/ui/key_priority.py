"""Keys before new bytes: a take of new bytes into the log waits while a key is answered.

A take repaints the log, and a key that comes during that repaint, or whose frame the repaint
joins, waits for it: under a storm of tiny reads (a take every 50 ms) one key in ten waited
that way, and a late frame makes Textual skip the next frame slot as well. So a take due within
KEY_FIRST of a key waits until then, the key's frame drawn, but never more than
LONGEST_KEY_WAIT in all: keys held down or pasted do not hold the log back for long.
"""

from __future__ import annotations

import math
import time

from textual import events
from textual.dom import DOMNode

KEY_FIRST = 0.03
"""Seconds after a key during which a take waits: the key's own frame takes a few ms."""
LONGEST_KEY_WAIT = 0.1
"""Most seconds a take waits for keys, from when it first waited."""


class KeyPriority:
    """When the last key arrived, for the work that can wait for its frame."""

    def __init__(self) -> None:
        self._last_key = -math.inf

    def note(self, event: events.Event, now: float | None = None) -> None:
        """The app read `event` (at `now`, time.monotonic()): a key or a paste comes first."""
        if isinstance(event, (events.Key, events.Paste)):
            self._last_key = time.monotonic() if now is None else now

    def wait(self, now: float) -> float:
        """Seconds from `now` that work which can wait should leave to the last key."""
        return max(0.0, self._last_key + KEY_FIRST - now)


class KeyWait:
    """One deferrable job's waiting for keys, bounded by LONGEST_KEY_WAIT."""

    def __init__(self, node: DOMNode) -> None:
        self._node = node
        self._since: float | None = None

    def wait(self, now: float) -> float:
        """Seconds the job should still wait for keys (0: go ahead)."""
        priority = getattr(self._node.app, "key_priority", None)
        wait = priority.wait(now) if isinstance(priority, KeyPriority) else 0.0
        if wait <= 0:
            return 0.0
        if self._since is None:
            self._since = now
        return max(0.0, min(wait, self._since + LONGEST_KEY_WAIT - now))

    def done(self) -> None:
        """The job ran: its next run waits afresh."""
        self._since = None
