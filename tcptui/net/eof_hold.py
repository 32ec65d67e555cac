"""Holding a connection's close on the peer's EOF while the answers to what came before it go.

A server must answer a client that sends its request and then half-closes. The responders
(responders.py) ask for this: at the peer's EOF, when they say it is worth it (a request, not
a flood), the session keeps the connection open until they call `Session.close_after_sent`
once their replies are queued, or EOF_HOLD seconds have passed, whichever comes first.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from tcptui.net.events import EndReason

EOF_HOLD = 10.0
"""Seconds a held close on the peer's EOF waits at most for `close_after_sent`."""


class EofHold:
    """Whether and until when the close on the peer's EOF waits; used by the I/O thread."""

    def __init__(self) -> None:
        self._worth_it: Callable[[], bool] | None = None
        self._deadline: float | None = None

    def ask(self, worth_it: Callable[[], bool]) -> None:
        """Hold the close on the peer's EOF whenever `worth_it()` says so at that moment."""
        self._worth_it = worth_it

    def begin(self) -> bool:
        """At the peer's EOF: True if the close now waits (bounded by EOF_HOLD)."""
        if self._worth_it is None or not self._worth_it():
            return False
        self._deadline = time.monotonic() + EOF_HOLD
        return True

    def seconds_left(self) -> float | None:
        """Seconds before a held close happens anyway; None when no close is held."""
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - time.monotonic())

    def close_reason(self) -> EndReason:
        """A close held after the peer's EOF is still the peer's doing."""
        return EndReason.PEER_CLOSED if self._deadline is not None else EndReason.CLOSED_BY_US
