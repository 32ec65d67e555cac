"""Snapshots of the main screens, with a capture made on a fixed clock so they never drift."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tcptui.capture.events import EventKind
from tcptui.capture.session_file import SessionMeta, save_session
from tcptui.capture.store import Capture, Direction
from tcptui.cli import parse_args
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


def opened_tls_session(folder: Path) -> TcpTuiApp:
    """`tcptui --open` of a TLS session as a live tab saves one (its events and metadata),
    made on the fixed clock with fixed addresses so the picture never drifts."""
    capture = Capture(clock=fixed_clock())
    capture.add_event(EventKind.CONNECTED, "127.0.0.1:40312 → 127.0.0.1:4433 in 0.4 ms")
    capture.add_event(
        EventKind.TLS_STARTED, "TLSv1.3 TLS_AES_256_GCM_SHA384, ALPN h2, handshake 3.1 ms"
    )
    capture.append(Direction.SENT, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    capture.append(Direction.RECEIVED, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    capture.add_event(EventKind.EOF_RECEIVED)
    capture.add_event(EventKind.CLOSED, "by the peer")
    meta = SessionMeta(
        target="tls://localhost:4433",
        resolved=("127.0.0.1",),
        remote="127.0.0.1:4433",
        local="127.0.0.1:40312",
        started_at="2023-11-14T22:13:20+00:00",
        tls={
            "version": "TLSv1.3",
            "cipher": "TLS_AES_256_GCM_SHA384",
            "alpn": "h2",
            "verified": True,
            "certificate": {"subject": "CN=localhost", "issuer": "O=tcptui test CA"},
        },
        end_reason="The peer closed the connection",
    )
    path = folder / "tls.tcptui"
    save_session(capture, path, meta)
    capture.close()
    app = TcpTuiApp(parse_args(["--open", str(path)]))
    app.animation_level = "none"
    return app


def test_an_opened_tls_session_tells_its_story_in_the_panel(
    snap_compare: SnapCompare, tmp_path: Path
) -> None:
    app = opened_tls_session(tmp_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settle, press=["ctrl+l"])


def test_an_opened_tls_session_tells_its_story_in_short_on_the_summary_line(
    snap_compare: SnapCompare, tmp_path: Path
) -> None:
    app = opened_tls_session(tmp_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settle)
