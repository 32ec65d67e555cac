"""Several connections in tabs, reconnecting in place, and automatic reconnects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, TabbedContent, TabPane

import tcptui.ui.app
from tcptui.capture.events import EventKind
from tcptui.capture.store import Direction
from tcptui.cli import parse_args
from tcptui.net.session import SessionState
from tcptui.net.target import Target
from tcptui.ui import retry_policy
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.session_view import SessionView
from tests.helpers import EchoServer, PayloadServer, closed_port, stream_bytes
from tests.helpers.app_parts import current_view
from tests.helpers.timeline import details, timeline
from tests.ui.helpers import last_notification, make_app, wait_for, wait_retries_spent

SIZE = (150, 44)


def is_open(view: SessionView) -> bool:
    return view.session is not None and view.session.state is SessionState.OPEN


async def test_two_tabs_talk_to_two_servers_with_their_captures_kept_apart() -> None:
    with EchoServer() as first_server, EchoServer() as second_server:
        app = make_app(first_server.target)
        async with app.run_test(size=SIZE) as pilot:
            first = current_view(app)
            await wait_for(pilot, lambda: is_open(first), "the first connection")
            await pilot.press(*"to first", "enter")
            second = await app.open_tab(second_server.target)
            await wait_for(pilot, lambda: is_open(second), "the second connection")
            assert current_view(app) is second
            await pilot.press(*"to second", "enter")
            assert first_server.wait_received(9) and second_server.wait_received(10)
            await wait_for(
                pilot,
                lambda: second.capture.stream_bytes(Direction.RECEIVED) == 10,
                "the second echo",
            )
            assert first_server.received == b"to first\n"
            assert second_server.received == b"to second\n"
            assert stream_bytes(first.capture, Direction.SENT) == b"to first\n"
            assert stream_bytes(second.capture, Direction.SENT) == b"to second\n"
            first.session.send(b"more\n")  # type: ignore[union-attr]
            await wait_for(pilot, lambda: first.unread, "the unseen-data marker")
            assert first.title.endswith("•")
            await pilot.press("ctrl+pageup")
            assert current_view(app) is first and not first.unread


async def test_closing_a_tab_ends_its_connection_and_thread() -> None:
    """Checked on the tab's own session thread: other tests' threads may still be ending."""
    with EchoServer() as server:
        app = make_app(None)
        async with app.run_test(size=SIZE) as pilot:
            view = await app.open_tab(server.target)
            await wait_for(pilot, lambda: is_open(view), "the connection")
            session = view.session
            assert session is not None and not session.join(0)  # its I/O thread is running
            await pilot.press("ctrl+f4")
            await wait_for(pilot, lambda: view not in app.query(SessionView), "the tab to go")
            assert session.join(1.0)
            assert len(app.query(SessionView)) == 1


async def test_reconnect_keeps_earlier_bytes_and_marks_the_new_connection() -> None:
    with PayloadServer(b"hello\n") as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            view = current_view(app)
            await wait_for(
                pilot,
                lambda: view.session is not None and view.session.state is SessionState.CLOSED,
                "the first close",
            )
            await pilot.press("f2")
            await wait_for(
                pilot,
                lambda: (
                    view.capture.stream_bytes(Direction.RECEIVED) == 12
                    and view.session is not None
                    and view.session.state is SessionState.CLOSED
                ),
                "the second visit",
            )
            assert stream_bytes(view.capture, Direction.RECEIVED) == b"hello\nhello\n"
            one_visit = [EventKind.CONNECTED, (Direction.RECEIVED, b"hello\n")]
            one_visit += [EventKind.EOF_RECEIVED, EventKind.CLOSED]
            assert timeline(view.capture) == [*one_visit, EventKind.RECONNECTED, *one_visit]
            assert details(view.capture, EventKind.RECONNECTED) == [
                f"connection 2 to {server.target}"
            ]
            assert view.capture.note(1) == "", "the event replaces the note"


async def test_auto_reconnect_stops_after_the_limit() -> None:
    target = Target("127.0.0.1", closed_port())
    app = TcpTuiApp(parse_args([str(target), "--retry", "2", "--timeout", "2"]))
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        view = current_view(app)
        await wait_retries_spent(pilot, view, 3, "three refused attempts", timeout=15)
        shown = str(view.panel.query_one("#retry").render())
        assert shown == "gave up: the connection failed after reconnecting 2 times"
        assert view.title.startswith("✖")


async def test_the_disconnect_key_stops_a_waiting_reconnection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(retry_policy, "FIRST_DELAY", retry_policy.MAX_DELAY)  # it must not fire
    target = Target("127.0.0.1", closed_port())
    app = TcpTuiApp(parse_args([str(target), "--forever", "--timeout", "2"]))
    app.animation_level = "none"
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        view = current_view(app)
        await wait_for(pilot, lambda: view.retry.pending, "a reconnection waiting")
        retry_line = view.panel.query_one("#retry")
        assert str(retry_line.render()).startswith("reconnecting in 30 s (attempt 1/∞)")
        await pilot.press("f3")
        assert not view.retry.pending
        assert str(retry_line.render()) == ""
        assert last_notification(app) == "Reconnecting stopped."
        assert view.connections_made == 1


async def test_a_title_change_after_the_tabs_are_gone_is_ignored() -> None:
    """As the app closes, a connection's last event can arrive after the tabs were removed."""
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        view = current_view(app)
        await app.query_one(TabbedContent).remove()
        app.post_message(SessionView.TitleChanged(view))
        await pilot.pause()
    assert app.return_code in (0, None)


async def test_an_activation_handled_after_its_tab_was_closed_is_ignored() -> None:
    """Found in tmux under a flood: ctrl+n then ctrl+w closed the new tab before the app had
    handled its activation, and the handler found no view in the removed pane (NoMatches).
    The composer's after-mount update could likewise run on its removed children (CI)."""
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        view = await app.open_tab()  # its activation is now queued, not yet handled
        await app.query_one(TabbedContent).remove_pane(view.parent.id or "")  # type: ignore[union-attr]
        await pilot.pause()
        assert len(app.query(SessionView)) == 1


class SecondTabAtOnce(TcpTuiApp):
    """Opens a second tab right after the first, while the first's activation is on its way."""

    CSS_PATH = str(Path(tcptui.ui.app.__file__).with_name("app.tcss"))  # not beside this file
    second: SessionView | None = None

    async def open_tab(self, *args: Any, **kwargs: Any) -> SessionView:
        view = await super().open_tab(*args, **kwargs)
        if self.second is None:
            self.second = view  # not None: the next call opens no third tab
            self.second = await super().open_tab()
        return view


async def test_a_tab_opened_while_the_first_is_still_being_shown_stays_shown() -> None:
    app = SecondTabAtOnce(parse_args([]))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(5):  # let every message already posted arrive
            await pilot.pause()
        assert app.query_one(TabbedContent).active == app.second.parent.id  # type: ignore[union-attr]
        assert current_view(app) is app.second


async def test_a_late_focus_message_from_a_tab_left_behind_does_not_bring_it_back() -> None:
    """A pane's `Focused` message can arrive after another tab was shown (the first tab's form
    took the focus while the second was opening): it must not show the first tab again."""
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        tabs = app.query_one(TabbedContent)
        first = tabs.active_pane
        assert first is not None
        view = await app.open_tab()
        await wait_for(pilot, lambda: view.has_focus_within, "the new tab's focus")
        first.post_message(TabPane.Focused(first))
        await pilot.pause()
        await pilot.pause()
        assert tabs.active_pane is view.parent
        first.query_one("#host", Input).focus()  # a real move into the first tab shows it
        await wait_for(pilot, lambda: tabs.active_pane is first, "the first tab")
