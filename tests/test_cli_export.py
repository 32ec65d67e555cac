"""`tcptui --open FILE --export PATH`: a saved session's messages written with no UI."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from tcptui.capture.events import EventKind
from tcptui.capture.session_file import END, SessionMeta, save_session
from tcptui.capture.store import Capture, Direction
from tests.test_cli_errors import assert_one_sentence, run_tcptui

CHUNKS = [
    (Direction.SENT, b"EHLO me\r\n"),
    (Direction.RECEIVED, b"250 hi\r\n\x1b]0;title\x07"),
    (Direction.RECEIVED, b"more\r\n"),
]


def saved_session(folder: Path) -> Path:
    capture = Capture()
    capture.add_event(EventKind.CONNECTED, "127.0.0.1:5000 to 127.0.0.1:25")
    for direction, data in CHUNKS:
        capture.append(direction, data)
    path = folder / "smtp.tcptui"
    save_session(capture, path, SessionMeta(target="127.0.0.1:25"))
    return path


def test_a_session_exported_as_json_lines_keeps_its_events_and_bytes(tmp_path: Path) -> None:
    session = saved_session(tmp_path)
    result = run_tcptui("--open", str(session), "--export", "out.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("tcptui: wrote ") and result.stderr.count("\n") == 1
    assert result.stderr.endswith(" to out.jsonl (grouping stream).\n")  # the default
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert (lines[0]["event"], lines[0]["detail"]) == (
        "connected",
        "127.0.0.1:5000 to 127.0.0.1:25",
    )
    messages = lines[1:]
    assert [(m["direction"], m["reads"]) for m in messages] == [("sent", 1), ("received", 2)]
    assert [base64.b64decode(m["data"]) for m in messages] == [
        CHUNKS[0][1],
        CHUNKS[1][1] + CHUNKS[2][1],
    ]


def test_group_picks_how_the_export_cuts_messages(tmp_path: Path) -> None:
    session = saved_session(tmp_path)
    result = run_tcptui(
        "--open", str(session), "--export", "/dev/stdout", "--group", "line", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    messages = [json.loads(line) for line in result.stdout.splitlines()][1:]
    assert [(base64.b64decode(m["data"]), m["reads"], m["complete"]) for m in messages] == [
        (b"EHLO me\r\n", 1, True),
        (b"250 hi\r\n", 1, True),
        (b"\x1b]0;title\x07more\r\n", 2, True),
    ]


def test_a_session_exported_as_files_fills_a_new_folder(tmp_path: Path) -> None:
    session = saved_session(tmp_path)
    result = run_tcptui(
        "--open",
        str(session),
        "--export",
        "msgs",
        "--export-format",
        "files",
        "--group",
        "chunk",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "3 messages" in result.stderr
    assert sorted(os.listdir(tmp_path / "msgs")) == [
        "0001-sent.bin",
        "0002-received.bin",
        "0003-received.bin",
    ]
    assert (tmp_path / "msgs" / "0002-received.bin").read_bytes() == CHUNKS[1][1]


def test_a_folder_holding_files_is_refused_in_one_sentence(tmp_path: Path) -> None:
    session = saved_session(tmp_path)
    result = run_tcptui(
        "--open", str(session), "--export", ".", "--export-format", "files", cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"tcptui: {tmp_path} already holds files: name a new or empty folder for the messages.\n"
    )
    assert sorted(os.listdir(tmp_path)) == ["smtp.tcptui"]


def test_export_without_a_saved_session_is_a_usage_error(tmp_path: Path) -> None:
    result = run_tcptui("--export", "out.jsonl", cwd=tmp_path)
    assert_one_sentence(result, "--export writes a saved session's messages: give --open FILE")
    assert os.listdir(tmp_path) == []


def test_an_unwritable_target_is_one_sentence_and_nothing_written(
    tmp_path: Path, unwritable_dir: Path
) -> None:
    session = saved_session(tmp_path)
    before = set(os.listdir(unwritable_dir))
    result = run_tcptui(
        "--open", str(session), "--export", str(unwritable_dir / "x.jsonl"), cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr.startswith("tcptui: You do not have permission to write x.jsonl")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert set(os.listdir(unwritable_dir)) == before


def cut_inside_the_last_chunk(session: Path, keep: int) -> Path:
    """A copy of `session` that ends `keep` bytes into its last chunk's data."""
    raw = session.read_bytes()
    last_chunk_starts = len(raw) - END.size - 1 - len(CHUNKS[-1][1])
    cut = session.with_name("cut.tcptui")
    cut.write_bytes(raw[: last_chunk_starts + keep])
    return cut


def test_a_cut_session_exports_what_is_intact_says_what_was_lost_and_exits_3(
    tmp_path: Path,
) -> None:
    cut = cut_inside_the_last_chunk(saved_session(tmp_path), keep=3)
    result = run_tcptui(
        "--open", str(cut), "--export", "out.jsonl", "--group", "chunk", cwd=tmp_path
    )
    assert result.returncode == 3, result.stderr
    note, written = result.stderr.splitlines()
    assert note == (
        f"tcptui: {cut}: the file is cut short inside chunk 3: the 2 chunks (27 bytes) before "
        "it and the first 3 of its 6 bytes are kept; what followed is lost, and the end "
        "record's checksum could not be checked."
    )
    assert written.startswith("tcptui: wrote ") and "Traceback" not in result.stderr
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [base64.b64decode(line["data"]) for line in lines if "data" in line] == [
        CHUNKS[0][1],
        CHUNKS[1][1],
        CHUNKS[2][1][:3],
    ]
    assert lines[-1]["event"] == "cut-short"


def test_a_cut_session_exported_as_files_holds_the_intact_bytes(tmp_path: Path) -> None:
    cut = cut_inside_the_last_chunk(saved_session(tmp_path), keep=0)
    result = run_tcptui(
        "--open",
        str(cut),
        "--export",
        "msgs",
        "--export-format",
        "files",
        "--group",
        "stream",
        cwd=tmp_path,
    )
    assert result.returncode == 3, result.stderr
    assert "the file is cut short after 2 chunks (27 bytes)" in result.stderr
    assert sorted(os.listdir(tmp_path / "msgs")) == ["0001-sent.bin", "0002-received.bin"]
    assert (tmp_path / "msgs" / "0002-received.bin").read_bytes() == CHUNKS[1][1]


def test_a_session_cut_inside_its_header_exports_nothing_and_exits_2(tmp_path: Path) -> None:
    session = saved_session(tmp_path)
    session.write_bytes(session.read_bytes()[:10])
    result = run_tcptui("--open", str(session), "--export", "out.jsonl", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "tcptui: this is not a tcptui session file (it has no session header)\n"
    assert not (tmp_path / "out.jsonl").exists()
