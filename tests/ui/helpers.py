"""Driving the real app in tests: build it, wait for what it shows, read its rendered rows."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from textual.pilot import Pilot
from textual.timer import Timer

from tcptui.capture.store import Capture, Direction
from tcptui.codec.composer_syntax import LineEnding
from tcptui.launch_config import LaunchConfig
from tcptui.net.proxy import parse_proxy_url
from tcptui.net.session import ConnectOptions, SessionState
from tcptui.net.target import Target
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.receive_log import ReceiveLog
from tcptui.ui.session_view import SessionView
from tcptui.ui.transcript_view import TranscriptView
from tcptui.user_files.settings import Settings
from tests.helpers import DEFAULT_TIMEOUT
from tests.helpers.app_parts import current_capture, current_log, current_view

POLL_INTERVAL = 0.01


def make_app(
    target: Target | None = None,
    *,
    line_ending: LineEnding = LineEnding.LF,
    demo: bool = False,
    timeout: float = 5.0,
    capture: Capture | None = None,
    group: str = "chunk",
    proxy: str | None = None,
) -> TcpTuiApp:
    """The app as `tcptui` builds it; `capture` holds bytes for its first tab to show. Its log
    is grouped by `group`: `chunk` (a header per read) unless a test asks for another, as most
    tests here pin chunk headers; the app's own default (`stream`) is tested where grouping
    is (test_grouping.py). `proxy` is a URL, as `--proxy` takes it."""
    options = ConnectOptions(timeout=timeout, proxy=parse_proxy_url(proxy) if proxy else None)
    settings = Settings(group=group)
    config = LaunchConfig(target, options, line_ending, demo, settings=settings)
    app = TcpTuiApp(config, capture=capture)
    app.animation_level = "none"
    return app


async def wait_for(
    pilot: Pilot[int], predicate: Callable[[], bool], what: str, timeout: float = DEFAULT_TIMEOUT
) -> None:
    """Let the app process messages until `predicate()` holds; fail with `what` at the deadline.

    The I/O thread posts to the app from outside the event loop, so this polls the predicate
    between short yields to the loop; the deadline bounds it.
    """
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await pilot.pause()
        await asyncio.sleep(POLL_INTERVAL)
    await pilot.pause()


@asynccontextmanager
async def hex_view_of(
    app: TcpTuiApp, size: tuple[int, int]
) -> AsyncIterator[tuple[Pilot[int], ReceiveLog]]:
    """Run `app` with its capture taken into the log and the hex view focused."""
    async with app.run_test(size=size) as pilot:
        log = current_log(app)
        log.refresh_data()
        log.hex_view.focus()
        yield pilot, log


async def search_log(pilot: Pilot[int], log: ReceiveLog, pattern: str) -> None:
    """Search the log for `pattern` from the keyboard (/, the pattern, enter) and wait for
    every match to be found."""
    await pilot.press("slash", *pattern, "enter")
    await wait_for(
        pilot, lambda: log.marks.matches is not None and log.marks.matches.complete, "the search"
    )


def rendered_rows(view: TranscriptView) -> list[str]:
    """The text of every visible row of a transcript view, as painted."""
    height = view.scrollable_content_region.height
    return ["".join(segment.text for segment in view.render_line(y)) for y in range(height)]


def all_rows(view: TranscriptView) -> list[str]:
    """The text of every row of the whole transcript (not only the visible part)."""
    layout = view.layout_rows
    return [
        "".join(segment.text for segment in view.strip_for(ref))
        for ref in (layout.locate(y) for y in range(layout.total_rows))
        if ref is not None
    ]


def last_notification(app: TcpTuiApp) -> str:
    """The message of the newest notification the app showed ("" if none)."""
    messages = [str(notification.message) for notification in app._notifications]
    return messages[-1] if messages else ""


async def wait_open(app: TcpTuiApp, pilot: Pilot[int]) -> None:
    """Wait until the current tab's connection is open."""
    await wait_for(
        pilot,
        lambda: (
            current_view(app).session is not None
            and current_view(app).session.state is SessionState.OPEN
        ),
        "the connection to open",
    )


async def wait_received(app: TcpTuiApp, pilot: Pilot[int], nbytes: int, what: str) -> None:
    """Wait until the current tab has captured exactly `nbytes` received bytes."""
    await wait_for(
        pilot, lambda: current_capture(app).stream_bytes(Direction.RECEIVED) == nbytes, what
    )


async def wait_retries_spent(
    pilot: Pilot[int], view: SessionView, connections: int, what: str, timeout: float
) -> None:
    """Wait until `view` has made `connections` connections and closed with no retry pending."""
    await wait_for(
        pilot,
        lambda: (
            view.connections_made == connections
            and view.session is not None
            and view.session.state is SessionState.CLOSED
            and not view.retry.pending
        ),
        what,
        timeout=timeout,
    )


def timer_delays(view: SessionView, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays of the timers `view` sets from now on (they still run)."""
    delays: list[float] = []
    set_timer = view.set_timer

    def note_timer(delay: float, callback: Callable[[], None]) -> Timer:
        delays.append(delay)
        return set_timer(delay, callback)

    monkeypatch.setattr(view, "set_timer", note_timer)
    return delays
