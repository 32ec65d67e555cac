"""Snapshots at 80x24 of compact rows (the text view) and of squeezed hex rows, from a saved
session made on a fixed clock so they never drift."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.pilot import Pilot

from tcptui.capture.session_file import OpenedSession, SessionMeta
from tcptui.capture.store import Capture, Direction
from tcptui.codec.composer_syntax import LineEnding
from tcptui.launch_config import LaunchConfig
from tcptui.net.session import ConnectOptions
from tcptui.ui.app import TcpTuiApp
from tcptui.user_files.settings import Settings
from tests.helpers.app_parts import current_log
from tests.ui.test_snapshots import SnapCompare, conversation, fixed_clock

SIZE = (80, 24)


def saved_session_app(chunks: list[tuple[Direction, bytes]], **settings: Any) -> TcpTuiApp:
    """The app showing these chunks as a saved session (--open), with these settings."""
    capture = Capture(clock=fixed_clock())
    for direction, data in chunks:
        capture.append(direction, data)
    config = LaunchConfig(
        None,
        ConnectOptions(),
        LineEnding.LF,
        False,
        open_file="rows.tcptui",
        settings=replace(Settings(), **settings),
    )
    app = TcpTuiApp(config, OpenedSession(capture, SessionMeta(target="demo.example:25")))
    app.animation_level = "none"
    return app


async def measured(pilot: Pilot[Any]) -> None:
    log = current_log(pilot.app)
    log.refresh_data()
    await pilot.pause()
    for view in log.visible_views():
        while view.layout_rows.pending or view.border_subtitle:
            await pilot.pause()


def test_compact_text_rows_take_a_row_a_line(snap_compare: SnapCompare) -> None:
    lines = [
        (Direction.RECEIVED, b"220 demo.example ESMTP ready\r\n"),
        (Direction.SENT, b"EHLO me\r\n"),
        (Direction.RECEIVED, b"250-demo.example\r\n"),
        (Direction.RECEIVED, b"250 8BITMIME\r\n"),
        (Direction.SENT, b"QUIT\r\n"),
        (Direction.RECEIVED, b"221 bye\r\n"),
    ]
    app = saved_session_app(conversation()[:4] + lines, view="text", compact=True, group="chunk")
    assert snap_compare(app, terminal_size=SIZE, run_before=measured)


def test_squeezed_hex_rows_fold_a_run_of_zeros(snap_compare: SnapCompare) -> None:
    chunks = [
        (Direction.SENT, b"GET /zeros HTTP/1.1\r\nHost: x\r\n\r\n"),
        (Direction.RECEIVED, b"HTTP/1.1 200 OK\r\n\r\n" + bytes(1 << 20) + b"\xff" * 40),
        (Direction.RECEIVED, b"A" * 16 * 5 + b"B" * 16 * 2 + b"C" * 7),
    ]
    app = saved_session_app(chunks, view="hex", group="chunk")
    assert snap_compare(app, terminal_size=SIZE, run_before=measured)
