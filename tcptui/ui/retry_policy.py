"""When to reconnect after a connection fails: socat's `retry=N` and `forever`, with back-off."""

from __future__ import annotations

from collections.abc import Callable

from textual.timer import Timer
from textual.widget import Widget

FIRST_DELAY = 0.5
MAX_DELAY = 30.0


class RetryPolicy:
    """Counts attempts and doubles the delay after each failure, up to MAX_DELAY."""

    def __init__(self, limit: int = 0, forever: bool = False) -> None:
        self.limit = limit
        self.forever = forever
        self.attempts = 0
        self.timer: Timer | None = None
        """The next attempt, waiting: owned here so cancelling it is one call."""

    @property
    def enabled(self) -> bool:
        return self.forever or self.limit > 0

    @property
    def pending(self) -> bool:
        return self.timer is not None

    def next_delay(self) -> float | None:
        """The delay before the next attempt, or None when there is to be no other attempt."""
        if not self.enabled or (not self.forever and self.attempts >= self.limit):
            return None
        delay = float(min(MAX_DELAY, FIRST_DELAY * 2**self.attempts))
        self.attempts += 1
        return delay

    def describe(self) -> str:
        limit = "∞" if self.forever else str(self.limit)
        return f"attempt {self.attempts}/{limit}"

    def used_up(self, last_connected: bool) -> str:
        """Why there is no other attempt: a limit reached is not a failure when the last
        connection was made (a server that closes after each reply)."""
        times = f"{self.attempts} time{'' if self.attempts == 1 else 's'}"
        if last_connected:
            return f"reconnected {times}, as --retry {self.limit} allows: not again"
        return f"gave up: the connection failed after reconnecting {times}"

    def schedule(self, owner: Widget, delay: float, attempt: Callable[[], object]) -> None:
        """Run `attempt` in `delay` seconds on `owner`'s timers, unless cancelled first."""
        self.cancel()

        def due() -> None:
            self.timer = None
            attempt()

        self.timer = owner.set_timer(delay, due, name="retry")

    def reset(self) -> None:
        self.cancel()
        self.attempts = 0

    def cancel(self) -> None:
        """No attempt is waiting any more."""
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
