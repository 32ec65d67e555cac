"""`--open` of a session file cut short shows what is intact, read-only, and says what was lost."""

from __future__ import annotations

from pathlib import Path

from tcptui.capture.events import EventKind
from tcptui.capture.session_file import END, SessionMeta, save_session
from tcptui.capture.store import Capture, Direction
from tcptui.cli import main, parse_args
from tcptui.net.events import Step
from tcptui.ui.app import TcpTuiApp
from tests.helpers import stream_bytes
from tests.helpers.app_parts import current_capture, current_log, current_panel, current_view
from tests.ui.helpers import all_rows, last_notification
from tests.ui.test_honest_panels import step_state, step_text

SIZE = (150, 44)
REPLY = b"HTTP/1.0 200 OK\r\n\r\n\x00\xffbody [b]not markup[/b]"


def cut_session(folder: Path, keep_of_the_reply: int) -> Path:
    """A saved exchange cut inside the reply's data, `keep_of_the_reply` bytes into it."""
    source = Capture()
    source.add_event(EventKind.CONNECTED, "127.0.0.1:5000 → 127.0.0.1:80")
    source.append(Direction.SENT, b"GET / HTTP/1.0\r\n\r\n")
    source.append(Direction.RECEIVED, REPLY)
    path = folder / "cut [red]short[b].tcptui"
    save_session(source, path, SessionMeta(target="example.com:80"))
    raw = path.read_bytes()
    reply_starts = len(raw) - END.size - 1 - len(REPLY)
    path.write_bytes(raw[: reply_starts + keep_of_the_reply])
    source.close()
    return path


async def test_open_of_a_cut_file_shows_the_intact_bytes_and_says_what_was_lost(
    tmp_path: Path,
) -> None:
    path = cut_session(tmp_path, keep_of_the_reply=25)
    app = TcpTuiApp(parse_args(["--open", str(path)]))
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        capture = current_capture(app)
        assert current_view(app).session is None
        assert stream_bytes(capture, Direction.SENT) == b"GET / HTTP/1.0\r\n\r\n"
        assert stream_bytes(capture, Direction.RECEIVED) == REPLY[:25]
        assert last_notification(app) == (
            "cut [red]short[b].tcptui: the file is cut short inside chunk 2: the 1 chunk "
            "(18 bytes) before it and the first 25 of its 43 bytes are kept; what followed is "
            "lost, and the end record's checksum could not be checked."
        )
        text = "".join(all_rows(current_log(app).text_view))
        assert "HTTP/1.0 200 OK\\r\\n" in text and "␀\\xffbody" in text
        assert "not markup" not in text
        assert "file cut short here: the chunk above holds 25 of its 43 bytes" in text
        panel = current_panel(app)
        assert step_state(panel, Step.DATA) == "failed"
        assert "2 chunks" in step_text(panel, Step.DATA)
        assert "file cut short" in step_text(panel, Step.DATA)
        assert not current_view(app).composer.display


async def test_open_of_a_whole_file_says_nothing_about_cuts(tmp_path: Path) -> None:
    source = Capture()
    source.append(Direction.RECEIVED, REPLY)
    path = tmp_path / "whole.tcptui"
    save_session(source, path, SessionMeta(target="example.com:80"))
    app = TcpTuiApp(parse_args(["--open", str(path)]))
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "cut short" not in last_notification(app)
        assert step_state(current_panel(app), Step.DATA) == "ended"
        assert "cut short" not in "".join(all_rows(current_log(app).text_view))


def test_open_of_a_file_cut_inside_its_metadata_is_one_sentence(
    tmp_path: Path, capsys: object
) -> None:
    path = tmp_path / "meta.tcptui"
    path.write_bytes(b'TCPTUI-SESSION 2\n{"target": "exa')
    assert main(["--open", str(path)]) == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert err == "tcptui: the file ends inside the metadata line\n"


async def test_a_file_cut_before_its_first_record_opens_empty_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "bare.tcptui"
    path.write_bytes(b'TCPTUI-SESSION 2\n{"target": "example.com:80"}\n')
    app = TcpTuiApp(parse_args(["--open", str(path)]))
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(current_capture(app)) == 0
        assert "the file is cut short after 0 chunks (0 bytes)" in last_notification(app)
        panel = current_panel(app)
        assert step_state(panel, Step.DATA) == "failed"
        assert "none: the file is cut short" in step_text(panel, Step.DATA)
