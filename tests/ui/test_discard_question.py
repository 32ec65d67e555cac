"""No single key throws a capture away: closing a tab or quitting while bytes were never saved
asks once (save, discard, cancel), unless the settings say not to."""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Select

from tcptui.capture.export import ExportFormat
from tcptui.capture.session_file import open_session
from tcptui.capture.store import Capture, Direction
from tcptui.cli import parse_args
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.discard_screen import DiscardScreen
from tcptui.ui.listener_view import ListenerView
from tcptui.ui.save_screen import SaveScreen
from tcptui.ui.session_view import SessionView
from tcptui.user_files.settings import Settings
from tests.helpers.app_parts import current_view
from tests.ui.helpers import make_app, wait_for

SIZE = (150, 44)
PAYLOAD = b"captured and never saved\n"


def app_with_bytes(confirm_discard: bool = True, sent: bytes = b"") -> TcpTuiApp:
    capture = Capture()
    capture.append(Direction.RECEIVED, PAYLOAD)
    if sent:
        capture.append(Direction.SENT, sent)
    app = make_app(None, capture=capture)
    app.config = replace(app.config, settings=Settings(confirm_discard=confirm_discard))
    return app


async def asked(app: TcpTuiApp, pilot: Pilot[int]) -> str:
    await wait_for(pilot, lambda: isinstance(app.screen, DiscardScreen), "the question")
    return str(app.screen.query_one("#discard-question").render())


async def test_closing_a_tab_with_unsaved_bytes_asks_and_cancel_keeps_it() -> None:
    app = app_with_bytes()
    async with app.run_test(size=SIZE) as pilot:
        view = current_view(app)
        await pilot.press("ctrl+f4")
        question = await asked(app, pilot)
        assert f"{len(PAYLOAD)} bytes never saved" in question
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, DiscardScreen), "the answer")
        assert current_view(app) is view and view.capture.total_bytes == len(PAYLOAD)
        await pilot.press("alt+w")
        await asked(app, pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: view not in app.query(SessionView), "the tab to close")


async def test_save_from_the_question_saves_then_closes_the_tab(tmp_path: Path) -> None:
    path = tmp_path / "kept.tcptui"
    app = app_with_bytes()
    async with app.run_test(size=SIZE) as pilot:
        view = current_view(app)
        await pilot.press("ctrl+f4")
        await asked(app, pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveScreen), "the save dialog")
        app.screen.query_one("#save-path", Input).value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: view not in app.query(SessionView), "the tab to close")
    capture, _ = open_session(str(path))
    assert capture.read(0, capture.total_bytes) == PAYLOAD
    capture.close()


async def test_quitting_with_unsaved_bytes_asks_once_and_discard_quits() -> None:
    app = app_with_bytes()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        assert "quitting throws them away" in await asked(app, pilot)
        await pilot.press("ctrl+q")  # a second ctrl+q does not stack a second question
        await pilot.press("c")
        await wait_for(pilot, lambda: not isinstance(app.screen, DiscardScreen), "the answer")
        assert app.is_running
        await pilot.press("ctrl+q")
        await asked(app, pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: not app.is_running, "the app to quit")


async def test_a_saved_capture_closes_without_a_question(tmp_path: Path) -> None:
    app = app_with_bytes()
    async with app.run_test(size=SIZE) as pilot:
        view = current_view(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveScreen), "the save dialog")
        app.screen.query_one("#save-path", Input).value = str(tmp_path / "saved.tcptui")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, SaveScreen), "the save")
        await pilot.press("ctrl+f4")
        await wait_for(pilot, lambda: view not in app.query(SessionView), "the tab to close")


async def test_the_question_can_be_turned_off_in_the_settings() -> None:
    app = app_with_bytes(confirm_discard=False)
    async with app.run_test(size=SIZE) as pilot:
        view = current_view(app)
        await pilot.press("ctrl+f4")
        await wait_for(pilot, lambda: view not in app.query(SessionView), "the tab to close")


async def test_quitting_asks_for_the_bytes_of_clients_a_listener_holds_without_a_tab() -> None:
    app = TcpTuiApp(parse_args(["--listen", "127.0.0.1:0"]))
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        listener = app.query_one(ListenerView)
        await wait_for(pilot, lambda: listener.listener.port != 0, "the listener")
        with socket.create_connection(("127.0.0.1", listener.listener.port)) as client:
            client.sendall(PAYLOAD)
            await wait_for(
                pilot,
                lambda: sum(row.bytes_in for row in listener.book.rows()) == len(PAYLOAD),
                "the client's bytes",
            )
            await pilot.press("ctrl+q")
            question = await asked(app, pilot)
            assert f"{len(PAYLOAD)} bytes never saved" in question
            assert "open its tab" in question
            assert not app.screen.query("#discard-save")  # nothing the save dialog could write
            await pilot.press("d")
            await wait_for(pilot, lambda: not app.is_running, "the app to quit")


async def test_an_export_of_one_direction_does_not_count_as_saved(tmp_path: Path) -> None:
    app = app_with_bytes(sent=b"typed, and in no received-bytes file\n")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveScreen), "the save dialog")
        app.screen.query_one("#save-format", Select).value = ExportFormat.RAW_RECEIVED.name
        app.screen.query_one("#save-path", Input).value = str(tmp_path / "received.bin")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, SaveScreen), "the export")
        assert (tmp_path / "received.bin").read_bytes() == PAYLOAD
        await pilot.press("ctrl+f4")
        await asked(app, pilot)


async def test_with_save_the_received_bytes_are_kept_but_sent_ones_are_asked_about(
    tmp_path: Path,
) -> None:
    config = replace(make_app(None).config, save=str(tmp_path / "live.bin"))
    app = TcpTuiApp(config)
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        view = current_view(app)
        view.capture.append(Direction.RECEIVED, PAYLOAD)
        assert view.unsaved_bytes == 0  # --save writes what is received
        view.capture.append(Direction.SENT, b"typed\n")
        await pilot.press("ctrl+f4")
        assert "6 bytes never saved" in await asked(app, pilot)
