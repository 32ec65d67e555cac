"""Reconnecting after a connection fails, as socat's `retry=N` and `forever` do.

The policy (retry_policy.py) says when; this says so in the panel, dials again on the tab's
timer, and stops when asked. A close we asked for is never retried, nor an accepted client:
its address is an ephemeral port, with nothing to dial.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tcptui.net.events import Closed, EndReason
from tcptui.net.target import Family, Target
from tcptui.ui.key_hints import key_for

if TYPE_CHECKING:
    from tcptui.ui.session_view import SessionView


class Reconnecting:
    """One tab's reconnections, around its RetryPolicy (`view.retry`)."""

    def __init__(self, view: SessionView) -> None:
        self._view = view

    def start_over(self) -> None:
        """A connection the user asked for: its failures get the whole count again."""
        self._view.retry.reset()
        self._view.panel.show_retry("")

    def stop(self) -> bool:
        """Cancel a reconnection that waits; False if none did."""
        view = self._view
        if not view.retry.pending:
            return False
        view.retry.cancel()
        view.panel.show_retry("")
        view.notify("Reconnecting stopped.")
        return True

    def after(self, event: Closed, target: Target | None) -> None:
        """After a failure, try again with a growing delay, or say why not."""
        view, retry = self._view, self._view.retry
        if event.reason is EndReason.CLOSED_BY_US or target is None or view.accepted_client:
            return
        delay = retry.next_delay()
        if delay is None:
            if retry.enabled:
                view.panel.show_retry(retry.used_up(event.failed_step is None))
            return
        family = view.panel.family
        stop = key_for(view, "session.disconnect")
        view.panel.show_retry(f"reconnecting in {delay:g} s ({retry.describe()}) · {stop} stops")
        retry.schedule(view, delay, lambda: self._now(target, family))

    def _now(self, target: Target, family: Family) -> None:
        self._view.panel.show_retry(f"reconnecting ({self._view.retry.describe()})")
        self._view.connect(target, family, from_retry=True)
