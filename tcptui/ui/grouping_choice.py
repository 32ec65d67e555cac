"""A tab's grouping: which blocks its log draws (chunk, stream, line, …), and changing it.

A new grouping over a big capture is worked out in slices between frames, as the width
re-measure is: the old blocks stay on screen and keep taking new data until the new index has
caught up, then both views show the new blocks with the cursor on the same byte.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual.timer import Timer

from tcptui.capture.log_units import LogUnits
from tcptui.codec.errors import CodecError
from tcptui.codec.framing import Grouping, parse_grouping
from tcptui.ui.prompt_screen import PromptScreen

if TYPE_CHECKING:
    from tcptui.ui.receive_log import ReceiveLog

INDEX_SLICE = 0.02
"""Seconds of indexing a new grouping before frames and keys get their turn."""
INDEX_PAUSE = 0.005
"""Seconds between two slices."""
INDEX_STEP_BYTES = 256 << 10
"""Bytes indexed between two looks at the clock."""
GROUPING_HINT = "stream, chunk, line, delimiter:0d0a, length:u16be, fixed:16"
BUILDING_NOTE = "grouping the capture anew…"


def grouping_error(text: str) -> str | None:
    """Why `text` is not a grouping, in one sentence; None if it is one."""
    try:
        parse_grouping(text)
    except CodecError as exc:
        return f"{exc}."
    return None


class GroupingChoice:
    """The grouping one receive log shows, and the index being built for a new one."""

    def __init__(self, log: ReceiveLog, units: LogUnits) -> None:
        self._log = log
        self.units = units
        """The units on screen: new data goes into these."""
        self.building: LogUnits | None = None
        """The units of a grouping asked for, while they are indexed."""
        self._timer: Timer | None = None

    @property
    def grouping(self) -> Grouping:
        """The grouping asked for last (shown once built)."""
        return (self.building or self.units).grouping

    def ask(self) -> None:
        """Prompt for a grouping spec; a bad one is refused with the reason."""
        self._log.app.push_screen(
            PromptScreen(
                "Group the log's bytes by (chunk, stream, line, delimiter:HEX, length:SPEC, "
                "fixed:N)",
                str(self.grouping),
                GROUPING_HINT,
                grouping_error,
            ),
            self._chosen,
        )

    def _chosen(self, text: str | None) -> None:
        if text:
            self.choose(parse_grouping(text))
            self._log.notify(f"Grouping: {self.grouping}", timeout=2, markup=False)

    def choose(self, grouping: Grouping) -> None:
        """Show the log grouped by `grouping`, indexed in slices if the capture is big."""
        if grouping == self.grouping:
            return
        self._stop()
        if grouping == self.units.grouping:
            self._show_building()
            return
        self.building = LogUnits(self.units.capture, grouping)
        self._show_building()
        self._index_slice()

    def _index_slice(self) -> None:
        self._timer = None
        building = self.building
        if building is None or building.capture.closed:
            return  # the tab is closing
        deadline = time.perf_counter() + INDEX_SLICE
        while building.update(INDEX_STEP_BYTES):
            if time.perf_counter() > deadline:
                self._timer = self._log.set_timer(INDEX_PAUSE, self._index_slice)
                return
        self.building = None
        self.units = building
        for view in (self._log.text_view, self._log.hex_view):
            view.show_units(building)
        self._show_building()

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.building = None

    def _show_building(self) -> None:
        self._log.show_status()

    def status(self) -> str:
        """What the log's status line says of the grouping: only while one is indexed."""
        return BUILDING_NOTE if self.building is not None else ""
