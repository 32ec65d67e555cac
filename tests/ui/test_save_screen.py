"""The Save / Export dialog: it writes the chosen format, checks the path, and cancels cleanly."""

from __future__ import annotations

import base64
import json
import os
import threading
from pathlib import Path

import pytest
from textual.widgets import Button, Input, Select, Static

from tcptui.capture.script_export import ScriptTarget
from tcptui.capture.session_file import SessionMeta, open_session
from tcptui.capture.store import Capture, Direction
from tcptui.codec.framing import parse_grouping
from tcptui.net.events import Closed, Connected, EndReason, Resolved
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.save_screen import (
    JSON_LINES,
    MESSAGE_FILES,
    SAVED_AS,
    SESSION,
    SaveResult,
    SaveScreen,
    SessionFacts,
    check_folder_path,
    check_save_path,
)
from tests.helpers import DEFAULT_TIMEOUT, MIB, stream_bytes
from tests.ui.helpers import make_app, wait_for

SIZE = (120, 40)
META = SessionMeta(target="example.com:80", remote="192.0.2.10:80", local="192.0.2.7:50123")
CHUNKS = [
    (Direction.SENT, b"GET / HTTP/1.0\r\n\r\n"),
    (Direction.RECEIVED, b"HTTP/1.0 200 OK\r\n\x1b]52;c;aGk=\x07[bold]not markup[/bold]\r\n"),
    (Direction.RECEIVED, bytes(range(256))),
]

Outcome = list[SaveResult | None]


def filled_capture() -> Capture:
    capture = Capture()
    for direction, data in CHUNKS:
        capture.append(direction, data)
    return capture


class GatedCapture(Capture):
    """A real Capture whose reads after the first wait for `gate`: a test can act mid-save."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.reads = 0

    def read(self, offset: int, length: int) -> bytes:
        self.reads += 1
        if self.reads > 1:
            self.gate.wait(DEFAULT_TIMEOUT)
        return super().read(offset, length)


def open_dialog(app: TcpTuiApp, capture: Capture, path: Path | str) -> tuple[SaveScreen, Outcome]:
    outcome: Outcome = []
    screen = SaveScreen(capture, META, str(path))
    app.push_screen(screen, outcome.append)
    return screen, outcome


def message_of(screen: SaveScreen) -> str:
    return str(screen.query_one("#save-message", Static).render())


async def test_enter_saves_a_session_file_that_opens_identical(tmp_path: Path) -> None:
    capture = filled_capture()
    path = tmp_path / "session.tcptui"
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        _, outcome = open_dialog(app, capture, path)
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(outcome), "the dialog to close")

    assert outcome == [SaveResult(str(path), path.stat().st_size, SAVED_AS[SESSION], True)]
    reopened, meta = open_session(path)
    assert meta == META
    assert [(c.direction, c.wall_ns) for c in reopened.chunks()] == [
        (c.direction, c.wall_ns) for c in capture.chunks()
    ]
    assert stream_bytes(reopened, Direction.RECEIVED) == stream_bytes(capture, Direction.RECEIVED)


@pytest.mark.parametrize(("key", "suffix"), [("RAW_RECEIVED", ".bin"), ("RAW_SENT", ".sent.bin")])
async def test_choosing_a_raw_format_writes_that_stream_and_renames_the_suffix(
    tmp_path: Path, key: str, suffix: str
) -> None:
    capture = filled_capture()
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        screen, outcome = open_dialog(app, capture, tmp_path / "capture.tcptui")
        await pilot.pause()
        screen.query_one("#save-format", Select).value = key
        await pilot.pause()
        assert screen.query_one("#save-path", Input).value == str(tmp_path / f"capture{suffix}")
        await pilot.click("#save-start")
        await wait_for(pilot, lambda: bool(outcome), "the dialog to close")

    direction = Direction.SENT if key == "RAW_SENT" else Direction.RECEIVED
    assert (tmp_path / f"capture{suffix}").read_bytes() == stream_bytes(capture, direction)


async def test_empty_and_impossible_paths_are_explained_without_closing(tmp_path: Path) -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        screen, outcome = open_dialog(app, filled_capture(), "")
        await pilot.pause()
        await pilot.press("enter")
        assert message_of(screen) == "Type the name of the file to save to."

        screen.query_one("#save-path", Input).value = str(tmp_path / "[red]gone[/red]" / "x")
        await pilot.press("enter")
        await pilot.pause()
        assert message_of(screen) == f"The folder {tmp_path / '[red]gone[/red]'} does not exist."
        assert screen.query_one("#save-message").has_class("-error")
        assert outcome == []
        assert os.listdir(tmp_path) == []


async def test_an_existing_file_is_only_replaced_after_confirming(tmp_path: Path) -> None:
    path = tmp_path / "old.tcptui"
    path.write_bytes(b"keep me until confirmed")
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        screen, outcome = open_dialog(app, filled_capture(), path)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "old.tcptui already exists" in message_of(screen)
        assert str(screen.query_one("#save-start", Button).label) == "Overwrite"
        assert path.read_bytes() == b"keep me until confirmed"

        await pilot.click("#save-start")
        await wait_for(pilot, lambda: bool(outcome), "the dialog to close")

    assert path.read_bytes().startswith(b"TCPTUI-SESSION 2\n")


async def test_a_refused_write_is_a_sentence_in_the_dialog_and_leaves_nothing(
    unwritable_dir: Path,
) -> None:
    """Root passes `os.access` checks everywhere, so the failure may come from the save itself."""
    before = set(os.listdir(unwritable_dir))
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        screen, outcome = open_dialog(app, filled_capture(), unwritable_dir / "s.tcptui")
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "permission" in message_of(screen), "the error to be shown")
        assert message_of(screen).startswith("You do not have permission to write")
        assert "Traceback" not in message_of(screen)
        assert outcome == []
    assert set(os.listdir(unwritable_dir)) == before


async def test_escape_while_saving_cancels_and_leaves_no_file(tmp_path: Path) -> None:
    capture = GatedCapture()
    capture.append(Direction.RECEIVED, bytes(3 * MIB))
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        screen, outcome = open_dialog(app, capture, tmp_path / "big.bin")
        await pilot.pause()
        screen.query_one("#save-format", Select).value = "RAW_RECEIVED"
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.bytes_done == MIB, "the first mebibyte")
        await pilot.press("escape")
        assert screen.cancel_event.is_set()
        capture.gate.set()
        await wait_for(pilot, lambda: bool(outcome), "the dialog to close")

    assert outcome == [None]
    assert os.listdir(tmp_path) == []


async def test_escape_when_idle_closes_with_nothing_saved(tmp_path: Path) -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        _, outcome = open_dialog(app, filled_capture(), tmp_path / "x.tcptui")
        await pilot.pause()
        await pilot.press("escape")
        await wait_for(pilot, lambda: bool(outcome), "the dialog to close")
    assert outcome == [None]
    assert os.listdir(tmp_path) == []


def test_path_checks_name_the_problem(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    assert check_save_path("  ").problem == "Type the name of the file to save to."
    assert check_save_path(str(tmp_path)).problem == f"{tmp_path} is a folder: add a file name."
    assert check_save_path(str(tmp_path / "file" / "x")).problem == (
        f"{tmp_path / 'file'} is not a folder."
    )
    assert check_save_path(str(tmp_path / "file")).exists
    assert check_save_path(str(tmp_path / "new")) == check_save_path(str(tmp_path / "new"))
    assert not check_save_path(str(tmp_path / "new")).problem


def test_session_facts_gather_what_the_connection_reported() -> None:
    facts = SessionFacts("example.com:80")
    facts.observe(Resolved(("192.0.2.10:80", "[2001:db8::1]:80"), 1.5))
    facts.observe(Connected("192.0.2.7:50123", "192.0.2.10:80", 3.0))
    facts.observe(Closed(EndReason.RESET))

    meta = facts.meta()

    assert (meta.target, meta.local, meta.remote) == (
        "example.com:80",
        "192.0.2.7:50123",
        "192.0.2.10:80",
    )
    assert meta.resolved == ("192.0.2.10:80", "[2001:db8::1]:80")
    assert meta.ended_by_reset
    assert meta.end_reason == "The connection was reset by the peer"
    assert meta.started_at


async def test_choosing_json_lines_writes_each_message_under_the_tab_grouping(
    tmp_path: Path,
) -> None:
    capture = filled_capture()
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        outcome: Outcome = []
        screen = SaveScreen(
            capture, META, str(tmp_path / "capture.tcptui"), grouping=parse_grouping("line")
        )
        app.push_screen(screen, outcome.append)
        await pilot.pause()
        screen.query_one("#save-format", Select).value = JSON_LINES
        await pilot.pause()
        path = tmp_path / "capture.jsonl"
        assert screen.query_one("#save-path", Input).value == str(path)
        await pilot.click("#save-start")
        await wait_for(pilot, lambda: bool(outcome), "the dialog to close")

    lines = [json.loads(line) for line in path.read_text().splitlines()]
    data = [base64.b64decode(line["data"]) for line in lines]
    assert data[:3] == [b"GET / HTTP/1.0\r\n", b"\r\n", b"HTTP/1.0 200 OK\r\n"]
    assert b"".join(data) == b"".join(chunk for _, chunk in CHUNKS)
    assert outcome == [SaveResult(str(path), path.stat().st_size, SAVED_AS[JSON_LINES], True)]


async def test_message_files_go_to_a_new_folder_and_a_full_one_is_refused(
    tmp_path: Path,
) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        screen, outcome = open_dialog(app, filled_capture(), full)
        await pilot.pause()
        screen.query_one("#save-format", Select).value = MESSAGE_FILES
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert message_of(screen) == f"{full} already holds files: name a new or empty folder."
        assert outcome == []

        screen.query_one("#save-path", Input).value = str(tmp_path / "messages")
        await pilot.click("#save-start")
        await wait_for(pilot, lambda: bool(outcome), "the dialog to close")

    assert sorted(os.listdir(tmp_path / "messages")) == [
        "0001-sent.bin",
        "0002-received.bin",
        "0003-received.bin",
    ]
    assert os.listdir(full) == ["keep.txt"]
    result = outcome[0]
    assert result is not None and result.keeps_every_byte
    assert result.sentence() == (
        f"Saved {sum(len(data) for _, data in CHUNKS)} bytes to messages in {tmp_path}: "
        "3 messages as the grouping chunk cuts them, a file each, named in order with its "
        "direction."
    )


async def test_a_written_script_is_announced_as_saved_not_as_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "replay.py"
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        outcome: Outcome = []
        screen = SaveScreen(
            filled_capture(), META, str(path), script_target=ScriptTarget("127.0.0.1", 7)
        )
        app.push_screen(screen, outcome.append)
        await pilot.pause()
        screen.query_one("#save-format", Select).value = "PYTHON"
        await pilot.pause()
        await pilot.click("#save-start")
        await wait_for(pilot, lambda: bool(outcome), "the dialog to close")
    assert outcome == [SaveResult(str(path), path.stat().st_size, SAVED_AS["PYTHON"])]


def test_folder_checks_name_the_problem(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    (tmp_path / "empty").mkdir()
    assert check_folder_path(" ").problem == "Type the name of the folder to write the messages to."
    assert check_folder_path(str(tmp_path / "file")).problem == (
        f"{tmp_path / 'file'} is a file: name a new or empty folder."
    )
    assert check_folder_path(str(tmp_path)).problem == (
        f"{tmp_path} already holds files: name a new or empty folder."
    )
    assert check_folder_path(str(tmp_path / "gone" / "m")).problem == (
        f"The folder {tmp_path / 'gone'} does not exist."
    )
    assert check_folder_path(str(tmp_path / "empty")).problem == ""
    assert check_folder_path(str(tmp_path / "new")).problem == ""


async def test_escape_while_writing_message_files_leaves_no_folder(tmp_path: Path) -> None:
    capture = GatedCapture()
    capture.append(Direction.RECEIVED, bytes(3 * MIB))
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        outcome: Outcome = []
        screen = SaveScreen(capture, META, str(tmp_path / "m"), grouping=parse_grouping("stream"))
        app.push_screen(screen, outcome.append)
        await pilot.pause()
        screen.query_one("#save-format", Select).value = MESSAGE_FILES
        await pilot.pause()
        await pilot.press("enter")
        # Counted (3 MiB), then the first mebibyte written: the next read waits for the gate.
        await wait_for(pilot, lambda: screen.bytes_done == 4 * MIB, "the first mebibyte")
        await pilot.press("escape")
        capture.gate.set()
        await wait_for(pilot, lambda: bool(outcome), "the dialog to close")

    assert outcome == [None]
    assert os.listdir(tmp_path) == []
