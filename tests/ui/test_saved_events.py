"""A live connection's events go with its capture: saved by ctrl+s, shown again by --open."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from tcptui.capture.events import EventKind
from tcptui.capture.session_file import open_session
from tcptui.capture.store import Direction
from tcptui.cli import parse_args
from tcptui.net.session import SessionState
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.save_screen import SaveScreen
from tests.helpers import EchoServer, PayloadServer
from tests.helpers.app_parts import current_capture, current_view
from tests.helpers.timeline import details, timeline
from tests.ui.helpers import make_app, wait_for, wait_open

SIZE = (150, 44)


async def test_events_of_two_connections_are_saved_and_opened_again(tmp_path: Path) -> None:
    path = tmp_path / "two-visits.tcptui"
    with PayloadServer(b"hello\n") as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            view = current_view(app)

            def closed() -> bool:
                return view.session is not None and view.session.state is SessionState.CLOSED

            await wait_for(pilot, closed, "the first visit to end")
            await pilot.press("f2")
            await wait_for(
                pilot,
                lambda: len(current_capture(app).events) == 7 and closed(),
                "the second visit to end",
            )
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, SaveScreen), "the save dialog")
            app.screen.query_one("#save-path", Input).value = str(path)
            await pilot.press("enter")
            await wait_for(pilot, lambda: not isinstance(app.screen, SaveScreen), "the save")
            live = current_capture(app).events.events()
            live_timeline = timeline(current_capture(app))

    saved, _ = open_session(path)
    assert saved.events.events() == live
    saved.close()
    kinds = [moment for moment in live_timeline if isinstance(moment, EventKind)]
    assert kinds.count(EventKind.RECONNECTED) == 1

    opened = TcpTuiApp(parse_args(["--open", str(path)]))
    async with opened.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert timeline(current_capture(opened)) == live_timeline


async def test_connecting_again_while_connected_closes_the_old_connection_first() -> None:
    """The old connection's `closed` stays before `reconnected`, though it ends on its own
    thread while the new one starts."""
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            view = current_view(app)
            await wait_open(app, pilot)
            await pilot.press(*"ping", "enter")
            capture = current_capture(app)
            await wait_for(pilot, lambda: capture.total_bytes == 10, "the echo")
            await pilot.press("f2")
            await wait_for(
                pilot,
                lambda: (
                    EventKind.RECONNECTED in [e.kind for e in capture.events.events()]
                    and view.session is not None
                    and view.session.state is SessionState.OPEN
                ),
                "the second connection",
            )
            moments = timeline(capture)
            closings = details(capture, EventKind.CLOSED)

    assert moments[:6] == [
        EventKind.CONNECTED,
        (Direction.SENT, b"ping\n"),
        (Direction.RECEIVED, b"ping\n"),
        EventKind.CLOSED,
        EventKind.RECONNECTED,
        EventKind.CONNECTED,
    ]
    assert closings == ["by you"]
