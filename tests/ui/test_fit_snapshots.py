"""The main screen at the sizes people open terminals at, 80×24 to 200×60: each view, with the
panel and with its summary line, ending on a chunk of all 256 byte values; and at each size
every painted hex row parsed to check it is whole (all its bytes, its whole ASCII column)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from textual.pilot import Pilot

from tcptui.capture.store import Capture, Direction
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.transcript_view import TranscriptView
from tests.helpers.app_parts import current_capture, current_log
from tests.ui.helpers import make_app, rendered_rows
from tests.ui.test_snapshots import SnapCompare, fixed_clock, settle

SIZES = [(80, 24), (100, 30), (120, 30), (160, 45), (200, 60)]
VIEWS = {"dual": [], "text": ["f5"], "hex": ["f5", "f5"]}
HEX_ROW = re.compile(r"(?P<offset>[0-9a-f]{8})  (?P<hex>[0-9a-f ]+?) +│(?P<ascii>.*)│")


def app_ending_on_every_byte_value() -> TcpTuiApp:
    capture = Capture(clock=fixed_clock())
    app = make_app(None, capture=capture)
    for direction, data in [
        (Direction.RECEIVED, b"220 demo.example ESMTP ready\r\n"),
        (Direction.SENT, b"EHLO me\r\n"),
        (Direction.RECEIVED, "naïve café — 日本語 😀 \x1b[31m[bold]x[/]\r\n".encode() + b"\xff\n"),
        (Direction.RECEIVED, bytes(range(256))),
    ]:
        capture.append(direction, data)
    return app


@pytest.mark.parametrize("panel", ["panel", "summary"])
@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_fit_snapshot(
    snap_compare: SnapCompare, size: tuple[int, int], view: str, panel: str
) -> None:
    keys = [*VIEWS[view], *(["ctrl+l"] if panel == "summary" else [])]

    async def arrange(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        pilot.app.clear_notifications()  # "hex view" toasts would hide the rows
        await pilot.pause()

    assert snap_compare(app_ending_on_every_byte_value(), terminal_size=size, run_before=arrange)


def assert_whole_hex_rows(view: TranscriptView, capture: Capture) -> int:
    """Every painted row of the hex view: its bytes and ASCII column whole and matching the
    chunk at its offset, inside the view. Returns the rows checked."""
    rows = [row.rstrip() for row in rendered_rows(view)]
    width = view.scrollable_content_region.width
    row_bytes = view.painter.row_bytes  # type: ignore[union-attr]
    chunk = None
    checked = 0
    for y, row in enumerate(rows):
        ref = view.layout_rows.locate(round(view.scroll_y) + y)
        if ref is None or ref.row < 0:
            continue
        chunk = capture.read_chunk(ref.unit)
        match = HEX_ROW.fullmatch(row)
        assert match is not None, row
        assert len(row) <= width, row
        offset = int(match["offset"], 16)
        data = chunk[offset : offset + row_bytes]
        assert bytes.fromhex(match["hex"]) == data, row
        column = "".join(chr(value) if 32 <= value < 127 else "·" for value in data)
        assert match["ascii"] == column.ljust(row_bytes), row
        checked += 1
    return checked


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_every_painted_hex_row_is_whole(size: tuple[int, int]) -> None:
    app = app_ending_on_every_byte_value()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        log = current_log(app)
        for keys in ([], ["ctrl+l"], ["f5", "f5"], ["ctrl+l"]):  # dual, hex: panel or not
            await pilot.press(*keys)
            await pilot.pause()
            assert assert_whole_hex_rows(log.hex_view, current_capture(app)) >= 3, (size, keys)
            assert not log.hex_view.show_horizontal_scrollbar
