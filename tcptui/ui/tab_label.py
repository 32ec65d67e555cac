"""How a connection tab names itself: a state dot and the peer, in its label and summary.

Computed from the tab's facts each time, never kept, so a label cannot lag the connection.
"""

from __future__ import annotations

from tcptui.capture.session_file import SessionMeta
from tcptui.codec.safe_text import safe_label
from tcptui.net.events import EndReason
from tcptui.net.session import SessionState
from tcptui.net.target import Target

QUIET_ENDINGS = {EndReason.CLOSED_BY_US, EndReason.PEER_CLOSED}
"""Endings that are no failure: the dot shows closed, not ✖, and nothing is notified."""

STATE_DOTS = {
    SessionState.IDLE: "○",
    SessionState.CONNECTING: "◐",
    SessionState.OPEN: "●",
    SessionState.HALF_CLOSED: "◑",
    SessionState.CLOSED: "■",
}


def state_dot(
    state: SessionState, last_end: EndReason | None, opened_meta: SessionMeta | None
) -> str:
    """The tab's state at a glance: ▤ for a saved session, ✖ for a connection that failed."""
    if opened_meta is not None:
        return "▤"
    failed = last_end is not None and last_end not in QUIET_ENDINGS
    return "✖" if failed and state is SessionState.CLOSED else STATE_DOTS[state]


def peer_label(target: Target | None, opened_meta: SessionMeta | None) -> str:
    """Who the tab talks to, safe to show (a saved file's target is anyone's text)."""
    if opened_meta is not None:
        return safe_label(opened_meta.target or "saved session")
    return safe_label(str(target)) if target is not None else "new connection"
