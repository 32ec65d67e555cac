"""Painters' readers over a capture's chunks, for tests that paint rows without an app."""

from __future__ import annotations

from tcptui.capture.log_units import LogUnits
from tcptui.capture.store import Capture
from tcptui.codec.framing import Grouping, GroupingKind
from tcptui.ui.log_glyphs import UNICODE_GLYPHS, Glyphs
from tcptui.ui.unit_reader import UnitReader


def chunk_reader(
    capture: Capture, timestamps: str = "local", glyphs: Glyphs = UNICODE_GLYPHS
) -> UnitReader:
    """A reader whose units are the capture's chunks as stored now (the `chunk` grouping)."""
    units = LogUnits(capture, Grouping(GroupingKind.CHUNK))
    units.update()
    return UnitReader(units, timestamps, glyphs)
