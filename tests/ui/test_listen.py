"""Listen mode in the app: clients are rows of the listener tab; Enter opens one's tab."""

from __future__ import annotations

import socket
import struct
import threading
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from tcptui.capture.store import Direction
from tcptui.cli import main, parse_args
from tcptui.net.session import SessionState
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.client_table import ClientTable
from tcptui.ui.discard_screen import DiscardScreen
from tcptui.ui.help_screen import HelpScreen
from tcptui.ui.listener_view import ListenerView
from tcptui.ui.session_view import SessionView
from tests.helpers import DEFAULT_TIMEOUT, stream_bytes
from tests.helpers.app_parts import current_view
from tests.net.listen_harness import join_io_threads
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


def listen_app(*extra: str) -> TcpTuiApp:
    app = TcpTuiApp(parse_args(["--listen", "127.0.0.1:0", *extra]))
    app.animation_level = "none"
    return app


async def wait_listening(pilot: Pilot[int], app: TcpTuiApp) -> ListenerView:
    listener = app.query_one(ListenerView)
    await wait_for(
        pilot,
        lambda: (
            listener.listener.port != 0
            and "waiting" in str(listener.query_one("#listener-steps").render())
        ),
        "the listener",
    )
    return listener


async def open_client_tab(
    pilot: Pilot[int], app: TcpTuiApp, listener: ListenerView, row: int
) -> SessionView:
    """Show the listener tab, put the table's cursor on `row` and press Enter."""
    app.query_one(TabbedContent).active = listener.parent.id  # type: ignore[union-attr]
    table = listener.query_one(ClientTable)
    await wait_for(pilot, lambda: table.row_count > row, f"row {row} of the client table")
    table.focus()
    table.move_cursor(row=row)
    await pilot.press("enter")
    number = int(table.coordinate_to_cell_key((row, 0)).row_key.value or 0)
    await wait_for(
        pilot,
        lambda: any(
            v.listen_client is not None and v.listen_client.number == number
            for v in app.query(SessionView)
        ),
        f"client {number}'s tab",
    )
    view = next(v for v in app.query(SessionView) if v.listen_client is not None)
    for candidate in app.query(SessionView):
        if candidate.listen_client is not None and candidate.listen_client.number == number:
            view = candidate
    await wait_for(pilot, lambda: current_view(app) is view, "the client's tab on show")
    return view


async def test_clients_are_rows_and_enter_opens_a_tab_that_exchanges_bytes(
    tmp_path: Path,
) -> None:
    base = tmp_path / "saved" / "capture.bin"
    base.parent.mkdir()
    app = listen_app("--save", str(base))
    async with app.run_test(size=SIZE) as pilot:
        listener = await wait_listening(pilot, app)
        port = listener.listener.port
        with (
            socket.create_connection(("127.0.0.1", port)) as first,
            socket.create_connection(("127.0.0.1", port)) as second,
        ):
            first.sendall(b"from first\n")
            second.sendall(b"from [b]second[/b]\n")
            table = listener.query_one(ClientTable)
            await wait_for(pilot, lambda: table.row_count == 2, "two rows")
            assert not app.query(SessionView), "no tab is built before it is asked for"
            await wait_for(
                pilot,
                lambda: [r.bytes_in for r in listener.book.rows()] == [11, 19],
                "both clients' bytes",
            )
            second_view = await open_client_tab(pilot, app, listener, 1)
            assert second_view.session is not None
            assert second_view.session.state is SessionState.OPEN
            assert stream_bytes(second_view.capture, Direction.RECEIVED) == b"from [b]second[/b]\n"
            assert second_view.session_facts.meta().remote == (
                f"127.0.0.1:{second.getsockname()[1]}"
            )
            second_view.composer.input.focus()
            await pilot.press(*"hello second", "enter")
            assert recv_exactly(second, 13) == b"hello second\n"
            second.sendall(b"more\n")
            total = 19 + 13 + 5
            await wait_for(pilot, lambda: second_view.capture.total_bytes == total, "more bytes")
            assert len(app.query(SessionView)) == 1, "the other client still has no tab"
            listener.action_stop()
            await wait_for(pilot, lambda: listener.stopped, "the listener to stop")
            second_view.session.send(b"still here\n")
            assert recv_exactly(second, 11) == b"still here\n"
            saved = {p.name: p.read_bytes() for p in base.parent.iterdir()}
            assert saved == {
                f"capture.1-127.0.0.1-{first.getsockname()[1]}.bin": b"from first\n",
                f"capture.2-127.0.0.1-{second.getsockname()[1]}.bin": b"from [b]second[/b]\nmore\n",
            }


async def test_scanners_leave_a_count_and_the_app_keeps_listening() -> None:
    app = listen_app()
    async with app.run_test(size=SIZE) as pilot:
        listener = await wait_listening(pilot, app)
        port = listener.listener.port
        threads = threading.active_count()
        for _ in range(50):
            scanner = socket.create_connection(("127.0.0.1", port))
            scanner.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            scanner.close()
            socket.create_connection(("127.0.0.1", port)).close()
        await wait_for(
            pilot,
            lambda: (lambda t: t.held == 0 and t.silent + t.vanished == 100)(listener.book.tally()),
            "the scans counted",
        )
        silent = listener.book.tally().silent
        tally = listener.query_one("#listener-tally")
        counted = f"{silent} left without a byte, the last from 127.0.0.1:"
        await wait_for(pilot, lambda: counted in str(tally.render()), "the count on show")
        assert listener.query_one(ClientTable).row_count == 0
        assert not app.query(SessionView)
        join_io_threads()
        assert threading.active_count() == threads, "no thread left behind by the scans"
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(b"real\n")
            view = await open_client_tab(pilot, app, listener, 0)
            await wait_for(pilot, lambda: view.capture.total_bytes == 5, "a real client's bytes")


async def test_closing_a_client_tab_frees_its_capture_and_row() -> None:
    app = listen_app()
    async with app.run_test(size=SIZE) as pilot:
        listener = await wait_listening(pilot, app)
        with socket.create_connection(("127.0.0.1", listener.listener.port)) as client:
            client.sendall(b"bye\n")
            view = await open_client_tab(pilot, app, listener, 0)
            capture = view.capture
            await pilot.press("ctrl+f4")
            await wait_for(pilot, lambda: isinstance(app.screen, DiscardScreen), "the question")
            await pilot.press("d")  # its 4 bytes were never saved
            await wait_for(pilot, lambda: not app.query(SessionView), "the tab to close")
            assert capture.closed
            client.settimeout(DEFAULT_TIMEOUT)
            assert client.recv(10) == b"", "closing the tab closed the connection"
            await wait_for(pilot, lambda: listener.book.rows() == [], "the row to go")
            table = listener.query_one(ClientTable)
            await wait_for(pilot, lambda: table.row_count == 0, "the table to follow")


async def test_help_opens_with_a_hundred_and_fifty_clients_connected() -> None:
    app = listen_app("--max-clients", "200")
    async with app.run_test(size=SIZE) as pilot:
        listener = await wait_listening(pilot, app)
        clients = [
            socket.create_connection(("127.0.0.1", listener.listener.port)) for _ in range(150)
        ]
        try:
            for number, client in enumerate(clients):
                client.sendall(b"line %d\n" % number)
            table = listener.query_one(ClientTable)
            await wait_for(pilot, lambda: table.row_count == 150, "150 rows")
            await pilot.press("f1")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
            assert not app.query(SessionView)
        finally:
            for client in clients:
                client.close()


def test_listen_save_into_a_missing_folder_is_refused_before_listening(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere" / "capture.bin"
    assert main(["--listen", "127.0.0.1:0", "--save", str(missing)]) == 2
    assert capsys.readouterr().err == (
        f"tcptui: {missing.parent}: no such folder for the --save files\n"
    )


async def test_clients_over_the_limit_are_refused_and_the_count_is_shown() -> None:
    app = listen_app("--max-clients", "1")
    async with app.run_test(size=SIZE) as pilot:
        listener = await wait_listening(pilot, app)
        port = listener.listener.port
        with socket.create_connection(("127.0.0.1", port)) as held:
            held.sendall(b"first\n")
            await wait_for(pilot, lambda: listener.book.tally().held == 1, "one held client")
            for _ in range(3):
                with socket.create_connection(("127.0.0.1", port)) as extra:
                    extra.settimeout(DEFAULT_TIMEOUT)
                    assert extra.recv(10) == b""
            tally = listener.query_one("#listener-tally")
            await wait_for(
                pilot,
                lambda: (
                    "1 of at most 1 clients connected" in str(tally.render())
                    and "refused 3 over the limit" in str(tally.render())
                ),
                "the refusals on show",
            )
