"""The connection in one line, for terminals too narrow for the panel beside the log.

Beside a log narrower than a whole hex row the panel would cost the bytes their columns, so
below FULL_PANEL_FROM_COLUMNS the panel gives way to this line (state, peer, bytes each way,
age) above the log; ctrl+l still shows or hides the full panel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from rich.text import Text
from textual.widget import Widget

from tcptui.ui.connection_panel import PANEL_WIDTH, human_bytes
from tcptui.ui.receive_log import HEX_VIEW_WIDTH

FULL_PANEL_FROM_COLUMNS = PANEL_WIDTH + HEX_VIEW_WIDTH
"""The narrowest terminal where the log beside the full panel still shows whole 16-byte hex
rows (128 columns)."""
SUMMARY_INTERVAL = 0.5
"""Seconds between two refreshes of the counts and the age, as the panel's stats."""
LABEL_STYLE = "#8a8a8a"


class SummaryFacts(NamedTuple):
    """What the line shows; `peer` and `story` are already safe text (see safe_label)."""

    dot: str
    peer: str
    received: int
    sent: int
    age: str
    story: str = ""
    """A saved session's connection in short (see connection_story): `TLSv1.3 · closed by
    the peer`; a live tab's dot and counts tell its own."""


def shows_full_panel(columns: int, choice: bool | None, connected: bool) -> bool:
    """Whether the full panel is shown: the user's choice (ctrl+l) if any; else on a wide
    terminal, or while nothing was ever connected (the panel holds the form to connect)."""
    if choice is not None:
        return choice
    return columns >= FULL_PANEL_FROM_COLUMNS or not connected


def describe(facts: SummaryFacts) -> Text:
    """`● host:port  in 1.2 KiB · out 30 B · age 00:12  ctrl+l panel`, never markup."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{facts.dot} ", style="bold")
    text.append(facts.peer, style="bold")
    if facts.story:
        text.append(f" · {facts.story}")
    text.append("  in ", style=LABEL_STYLE)
    text.append(human_bytes(facts.received))
    text.append(" · out ", style=LABEL_STYLE)
    text.append(human_bytes(facts.sent))
    text.append(" · age ", style=LABEL_STYLE)
    text.append(facts.age)
    text.append("  ctrl+l panel", style=LABEL_STYLE)
    return text


class ConnectionSummary(Widget):
    """One line about the connection, refreshed twice a second while it shows."""

    DEFAULT_CSS = """
    ConnectionSummary { height: 1; padding: 0 1; background: $boost; display: none; }
    """

    def __init__(self, facts: Callable[[], SummaryFacts]) -> None:
        super().__init__(id="connection-summary")
        self._facts: Callable[[], SummaryFacts] | None = facts

    def show(self, shown: bool) -> None:
        """Show the line, refreshed twice a second, or hide it."""
        self.display = shown
        self.auto_refresh = SUMMARY_INTERVAL if shown else None

    def render(self) -> Text:
        return describe(self._facts()) if self._facts is not None else Text()

    def on_unmount(self) -> None:
        """Let go of the tab: a closed tab older than the heap's freeze stayed in memory
        while this line held its method (a test pins that the tab is collected)."""
        self._facts = None
