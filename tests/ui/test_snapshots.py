"""Snapshots of the main screens, with a capture made on a fixed clock so they never drift."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tcptui.capture.store import Capture, Direction
from tcptui.ui.app import TcpTuiApp
from tests.helpers.app_parts import current_log
from tests.ui.helpers import make_app

SnapCompare = Callable[..., bool]
SIZE = (150, 44)
START_NS = 1_700_000_000_000_000_000  # 2023-11-14 22:13:20 UTC


def fixed_clock() -> Callable[[], tuple[int, int]]:
    """Each chunk arrives 1.5 ms after the one before."""
    ticks: Iterator[int] = iter(range(0, 10**15, 1_500_000))

    def clock() -> tuple[int, int]:
        tick = next(ticks)
        return tick, START_NS + tick

    return clock


def conversation() -> list[tuple[Direction, bytes]]:
    return [
        (Direction.RECEIVED, b"220 demo.example ESMTP ready\r\n"),
        (Direction.SENT, b"EHLO me\r\n"),
        (Direction.RECEIVED, b"250-demo.example\r\n250-SIZE 1000\r\n250 8BITMIME\r\n"),
        (Direction.SENT, b"DATA\r\n"),
        (Direction.RECEIVED, bytes(range(256))),
        (Direction.RECEIVED, "naïve café — 日本語 😀 \x1b[31m[bold]x[/]\r\n".encode() + b"\xff\n"),
    ]


def app_with_capture() -> TcpTuiApp:
    capture = Capture(clock=fixed_clock())
    app = make_app(None, capture=capture)
    for direction, data in conversation():
        capture.append(direction, data)
    return app


async def settle(pilot: Pilot[Any]) -> None:
    for widget in pilot.app.query(Input):
        widget.cursor_blink = False
    current_log(pilot.app).refresh_data()
    await pilot.pause()


def test_empty_app_shows_the_connection_form(snap_compare: SnapCompare) -> None:
    assert snap_compare(make_app(None), terminal_size=SIZE, run_before=settle)


def test_dual_view_of_a_conversation_with_all_byte_values(snap_compare: SnapCompare) -> None:
    assert snap_compare(app_with_capture(), terminal_size=SIZE, run_before=settle)


def test_text_view_alone(snap_compare: SnapCompare) -> None:
    assert snap_compare(app_with_capture(), terminal_size=SIZE, run_before=settle, press=["f5"])


def test_hex_view_alone(snap_compare: SnapCompare) -> None:
    assert snap_compare(
        app_with_capture(), terminal_size=SIZE, run_before=settle, press=["f5", "f5"]
    )


def test_narrow_terminal_stacks_the_views(snap_compare: SnapCompare) -> None:
    assert snap_compare(app_with_capture(), terminal_size=(100, 44), run_before=settle)


def test_wide_terminal_puts_whole_hex_rows_beside_the_text(snap_compare: SnapCompare) -> None:
    assert snap_compare(app_with_capture(), terminal_size=(200, 44), run_before=settle)


def test_quitting_with_unsaved_bytes_asks_first(snap_compare: SnapCompare) -> None:
    assert snap_compare(app_with_capture(), terminal_size=SIZE, run_before=settle, press=["ctrl+q"])
