"""Captured bytes leave the app intact: --save streams them, ctrl+s saves, --open reads back."""

from __future__ import annotations

from pathlib import Path

from tcptui.capture.session_file import SessionMeta, save_session
from tcptui.capture.store import Capture, Direction
from tcptui.cli import main, parse_args
from tcptui.launch_config import LaunchConfig
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.save_screen import SaveScreen
from tests.helpers import EchoServer, stream_bytes
from tests.helpers.app_parts import current_capture, current_log, current_view
from tests.ui.helpers import all_rows, make_app, wait_for, wait_open

SIZE = (150, 44)


async def test_save_option_writes_received_bytes_to_the_file_as_they_arrive(
    tmp_path: Path,
) -> None:
    path = tmp_path / "received.bin"
    with EchoServer() as server:
        config = parse_args([f"127.0.0.1:{server.port}", "--save", str(path)])
        app = TcpTuiApp(config)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            await pilot.press(*"one\\x00two", "enter")
            await wait_for(
                pilot,
                lambda: path.exists() and path.read_bytes() == b"one\x00two\n",
                "the echo in the file while connected",
            )
            await pilot.press(*"three", "enter")
            await wait_for(
                pilot,
                lambda: path.read_bytes() == b"one\x00two\nthree\n",
                "the second echo in the file",
            )


async def test_open_shows_a_saved_session_without_any_network(tmp_path: Path) -> None:
    source = Capture()
    source.append(Direction.SENT, b"GET / HTTP/1.0\r\n\r\n")
    source.append(Direction.RECEIVED, b"HTTP/1.0 200 OK\r\n\r\n\x00\xffbody")
    path = tmp_path / "session.tcptui"
    save_session(source, path, SessionMeta(target="example.com:80"))
    app = TcpTuiApp(parse_args(["--open", str(path)]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert current_view(app).session is None
        assert stream_bytes(current_capture(app), Direction.RECEIVED) == stream_bytes(
            source, Direction.RECEIVED
        )
        assert [c.wall_ns for c in current_capture(app).chunks()] == [
            c.wall_ns for c in source.chunks()
        ]
        assert "example.com:80" in app.sub_title
        text = "".join(all_rows(current_log(app).text_view))
        assert "HTTP/1.0 200 OK\\r\\n" in text and "␀\\xffbody" in text


def test_open_of_a_file_that_is_not_a_session_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: object
) -> None:
    path = tmp_path / "not-a-session.txt"
    path.write_text("hello")
    assert main(["--open", str(path)]) == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert err.startswith("tcptui: ") and "Traceback" not in err


async def test_ctrl_s_saves_the_capture_through_the_dialog(tmp_path: Path) -> None:
    capture = Capture()
    capture.append(Direction.RECEIVED, b"abc\x00")
    app = make_app(None, capture=capture)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveScreen), "the save dialog")
        assert isinstance(app.config, LaunchConfig)
