"""Listen mode in the app: each accepted client gets its own tab and exchanges bytes."""

from __future__ import annotations

import socket

from textual.widgets import TabbedContent

from tcptui.capture.store import Direction
from tcptui.cli import parse_args
from tcptui.net.session import SessionState
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.listener_view import ListenerView
from tcptui.ui.session_view import SessionView
from tests.helpers import DEFAULT_TIMEOUT, stream_bytes
from tests.ui.helpers import wait_for

SIZE = (150, 44)


def recv_exactly(conn: socket.socket, size: int) -> bytes:
    conn.settimeout(DEFAULT_TIMEOUT)
    data = b""
    while len(data) < size:
        part = conn.recv(size - len(data))
        assert part, "the app closed the connection early"
        data += part
    return data


async def test_listener_tab_accepts_two_clients_each_in_its_own_tab() -> None:
    app = TcpTuiApp(parse_args(["--listen", "127.0.0.1:0"]))
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        listener = app.query_one(ListenerView)
        await wait_for(
            pilot,
            lambda: (
                listener.listener.port != 0
                and "waiting" in str(listener.query_one("#listener-steps").render())
            ),
            "the listener",
        )
        port = listener.listener.port
        with (
            socket.create_connection(("127.0.0.1", port)) as first,
            socket.create_connection(("127.0.0.1", port)) as second,
        ):
            await wait_for(pilot, lambda: len(app.query(SessionView)) == 2, "two client tabs")
            views = list(app.query(SessionView))
            await wait_for(
                pilot,
                lambda: all(
                    v.session is not None and v.session.state is SessionState.OPEN for v in views
                ),
                "open",
            )
            by_peer = {v.session_facts.meta().remote: v for v in views}
            first_view = by_peer[f"127.0.0.1:{first.getsockname()[1]}"]
            second_view = by_peer[f"127.0.0.1:{second.getsockname()[1]}"]
            first.sendall(b"from first\n")
            second.sendall(b"from second\n")
            await wait_for(
                pilot,
                lambda: (
                    first_view.capture.total_bytes == 11 and second_view.capture.total_bytes == 12
                ),
                "both clients' bytes",
            )
            assert stream_bytes(first_view.capture, Direction.RECEIVED) == b"from first\n"
            assert stream_bytes(second_view.capture, Direction.RECEIVED) == b"from second\n"
            app.query_one(TabbedContent).active = second_view.parent.id  # type: ignore[union-attr]
            await wait_for(pilot, lambda: app.current is second_view, "the second client's tab")
            second_view.composer.input.focus()
            await pilot.press(*"hello second", "enter")
            assert recv_exactly(second, 13) == b"hello second\n"
            assert first_view.session is not None
            first_view.session.send(b"hello first\n")
            assert recv_exactly(first, 12) == b"hello first\n"
            listener.action_stop()
            await wait_for(pilot, lambda: listener.stopped, "the listener to stop")
            second_view.session.send(b"still here\n")  # type: ignore[union-attr]
            assert recv_exactly(second, 11) == b"still here\n"
