"""Exports by message: a file per message, or JSON lines, byte-exact under any grouping."""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcptui.capture.events import EventKind
from tcptui.capture.export import SaveCancelled, SaveError
from tcptui.capture.message_export import (
    BASE64_PIECE,
    count_blocks,
    export_json_lines,
    export_message_files,
    walk_blocks,
)
from tcptui.capture.message_index import MessageIndex
from tcptui.capture.store import Capture, Direction
from tcptui.codec.framing import parse_grouping

RECEIVED, SENT = Direction.RECEIVED, Direction.SENT
GROUPINGS = ["chunk", "stream", "line", "delimiter:0d0a", "length:u8", "fixed:3"]
BYTE_GROUPINGS = GROUPINGS[1:]
"""Groupings that follow the bytes, not the reads: any split gives the same messages."""

chunks_strategy = st.lists(
    st.tuples(
        st.sampled_from([RECEIVED, SENT]),
        st.binary(min_size=1, max_size=12).map(lambda raw: bytes(b"a\r\n\x02"[b % 4] for b in raw)),
    ),
    max_size=25,
)


def capture_of(*chunks: tuple[Direction, bytes]) -> Capture:
    capture = Capture()
    for direction, data in chunks:
        capture.append(direction, data)
    return capture


def split_into_bytes(chunks: list[tuple[Direction, bytes]]) -> list[tuple[Direction, bytes]]:
    """The same conversation, every byte its own read."""
    return [(direction, bytes([byte])) for direction, data in chunks for byte in data]


def files_of(folder: Path) -> list[tuple[str, bytes]]:
    return [(path.name, path.read_bytes()) for path in sorted(folder.iterdir())]


def json_lines_of(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@settings(max_examples=120, deadline=None)
@given(chunks=chunks_strategy, grouping=st.sampled_from(GROUPINGS), slice_bytes=st.integers(1, 9))
def test_walking_in_slices_gives_the_index_blocks_while_forgetting_them(
    chunks: list[tuple[Direction, bytes]], grouping: str, slice_bytes: int
) -> None:
    capture = capture_of(*chunks)
    index = MessageIndex(capture, parse_grouping(grouping))
    index.update()
    expected = [index.block(number)[:-1] for number in range(len(index))]
    walked = list(walk_blocks(capture, parse_grouping(grouping), slice_bytes=slice_bytes))
    assert [block[:-1] for block in walked] == expected  # all but `missing`, which is live
    assert count_blocks(capture, parse_grouping(grouping)) == len(expected)


@settings(max_examples=60, deadline=None)
@given(chunks=chunks_strategy, grouping=st.sampled_from(BYTE_GROUPINGS))
def test_any_split_into_reads_gives_the_same_message_files(
    tmp_path_factory: pytest.TempPathFactory, chunks: list[tuple[Direction, bytes]], grouping: str
) -> None:
    folder = tmp_path_factory.mktemp("split")
    export_message_files(capture_of(*chunks), folder / "as-read", parse_grouping(grouping))
    export_message_files(
        capture_of(*split_into_bytes(chunks)), folder / "by-byte", parse_grouping(grouping)
    )
    assert files_of(folder / "as-read") == files_of(folder / "by-byte")


@settings(max_examples=60, deadline=None)
@given(chunks=chunks_strategy, grouping=st.sampled_from(GROUPINGS))
def test_message_files_and_json_lines_read_back_to_the_capture(
    tmp_path_factory: pytest.TempPathFactory, chunks: list[tuple[Direction, bytes]], grouping: str
) -> None:
    capture = capture_of(*chunks)
    folder = tmp_path_factory.mktemp("back")
    files, nbytes = export_message_files(capture, folder / "m", parse_grouping(grouping))
    export_json_lines(capture, folder / "m.jsonl", parse_grouping(grouping))

    everything = b"".join(data for _, data in chunks)
    found = files_of(folder / "m")
    assert (len(found), nbytes) == (files, len(everything))
    assert b"".join(data for _, data in found) == everything
    lines = json_lines_of(folder / "m.jsonl")
    assert b"".join(base64.b64decode(str(line["data"])) for line in lines) == everything
    for direction in Direction:
        word = direction.name.lower()
        stream = b"".join(data for d, data in chunks if d is direction)
        assert b"".join(data for name, data in found if name.endswith(f"-{word}.bin")) == stream
    assert [line["index"] for line in lines] == list(range(1, files + 1))


def test_files_are_named_in_order_with_their_direction(tmp_path: Path) -> None:
    capture = capture_of((SENT, b"USER me\r\n"), (RECEIVED, b"331 ok\r\n230 in\r\n"))
    files, nbytes = export_message_files(capture, tmp_path / "ftp", parse_grouping("line"))
    assert (files, nbytes) == (3, capture.total_bytes)
    assert files_of(tmp_path / "ftp") == [
        ("0001-sent.bin", b"USER me\r\n"),
        ("0002-received.bin", b"331 ok\r\n"),
        ("0003-received.bin", b"230 in\r\n"),
    ]


def test_names_widen_together_past_9999_messages(tmp_path: Path) -> None:
    capture = capture_of((RECEIVED, b"x" * 10_001))
    export_message_files(capture, tmp_path / "many", parse_grouping("fixed:1"))
    names = sorted(os.listdir(tmp_path / "many"))
    assert (names[0], names[-1], len(names)) == ("00001-received.bin", "10001-received.bin", 10_001)
    assert all(re.fullmatch(r"[0-9]{5}-received\.bin", name) for name in names)


def test_a_folder_that_holds_files_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SaveError, match="already holds files: name a new or empty folder"):
        export_message_files(capture_of((RECEIVED, b"a\n")), tmp_path, parse_grouping("line"))
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_an_empty_existing_folder_takes_the_messages(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    export_message_files(
        capture_of((RECEIVED, b"a\nb\n")), tmp_path / "out", parse_grouping("line")
    )
    assert files_of(tmp_path / "out") == [
        ("0001-received.bin", b"a\n"),
        ("0002-received.bin", b"b\n"),
    ]
    assert os.listdir(tmp_path) == ["out"]


def test_an_unwritable_place_is_one_sentence_and_leaves_nothing(unwritable_dir: Path) -> None:
    before = set(os.listdir(unwritable_dir))
    capture = capture_of((RECEIVED, b"a\n"))
    with pytest.raises(SaveError) as files_error:
        export_message_files(capture, unwritable_dir / "m", parse_grouping("line"))
    with pytest.raises(SaveError) as lines_error:
        export_json_lines(capture, unwritable_dir / "m.jsonl", parse_grouping("line"))
    for error in (files_error.value, lines_error.value):
        assert str(error).startswith("You do not have permission to write")
        assert str(error).count(".") <= 2 and "\n" not in str(error)
    assert set(os.listdir(unwritable_dir)) == before


def test_cancelling_leaves_no_folder_and_no_staging(tmp_path: Path) -> None:
    capture = capture_of(*((RECEIVED, b"line\n") for _ in range(50)))
    seen: list[int] = []
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done > total // 2:
            cancel.set()

    with pytest.raises(SaveCancelled):
        export_message_files(capture, tmp_path / "m", parse_grouping("line"), progress, cancel)
    assert os.listdir(tmp_path) == []
    assert seen


def test_json_lines_place_events_between_messages_in_time_order(tmp_path: Path) -> None:
    ticks = iter(range(1, 100))

    def clock() -> tuple[int, int]:
        tick = next(ticks)
        return tick * 1_000_000, 1_764_940_000_000_000_000 + tick * 1_000_000

    capture = Capture(clock=clock)
    capture.add_event(EventKind.CONNECTED, "127.0.0.1:5000 → 127.0.0.1:7")
    capture.append(SENT, b"STARTTLS\r\n")
    capture.append(RECEIVED, b"220 go ahead\r\n")
    capture.add_event(EventKind.TLS_STARTED, 'TLSv1.3 "quoted" [b]')
    capture.append(RECEIVED, b"\x16\x03")
    capture.add_event(EventKind.CLOSED, "peer closed")
    export_json_lines(capture, tmp_path / "c.jsonl", parse_grouping("line"))

    lines = json_lines_of(tmp_path / "c.jsonl")
    assert [line.get("event", line.get("index")) for line in lines] == [
        "connected",
        1,
        2,
        "tls-started",
        3,
        "closed",
    ]
    assert lines[0] == {
        "event": "connected",
        "detail": "127.0.0.1:5000 → 127.0.0.1:7",
        "time": "2025-12-05T13:06:40.001000Z",
        "delta": 0.0,
    }
    assert lines[3]["detail"] == 'TLSv1.3 "quoted" [b]'
    assert lines[2] == {
        "index": 2,
        "direction": "received",
        "time": "2025-12-05T13:06:40.003000Z",
        "delta": 0.002,
        "length": 14,
        "reads": 1,
        "complete": True,
        "data": base64.b64encode(b"220 go ahead\r\n").decode(),
    }
    assert (lines[4]["complete"], lines[4]["data"]) == (False, "FgM=")


def test_a_message_bigger_than_a_read_piece_is_encoded_whole(tmp_path: Path) -> None:
    data = bytes(range(256)) * (3 * BASE64_PIECE // 256 + 7)
    capture = Capture(spool_threshold=1 << 16)
    for at in range(0, len(data), 1 << 18):
        capture.append(RECEIVED, data[at : at + (1 << 18)])
    export_json_lines(capture, tmp_path / "big.jsonl", parse_grouping("stream"))
    (line,) = json_lines_of(tmp_path / "big.jsonl")
    assert base64.b64decode(str(line["data"])) == data
    assert (line["length"], line["reads"]) == (len(data), len(range(0, len(data), 1 << 18)))


def test_a_limit_walks_only_the_chunks_there_were_when_an_export_began() -> None:
    capture = capture_of((RECEIVED, b"one\n"), (RECEIVED, b"tw"))
    limited = list(walk_blocks(capture, parse_grouping("line"), limit=1))
    assert [(block.start, block.end, block.complete) for block in limited] == [(0, 4, True)]
    whole = list(walk_blocks(capture, parse_grouping("line")))
    assert [(block.start, block.end, block.complete) for block in whole] == [
        (0, 4, True),
        (4, 6, False),
    ]


def test_cancelling_while_counting_or_inside_a_big_message_stops_at_once(tmp_path: Path) -> None:
    capture = Capture(spool_threshold=1 << 16)
    for _ in range(12):
        capture.append(RECEIVED, bytes(1 << 20))

    def cancel_on_third_look() -> Callable[[], bool]:
        looks: list[int] = []
        return lambda: looks.append(1) or len(looks) >= 3

    seen: list[int] = []
    with pytest.raises(SaveCancelled):  # while counting: one message, 12 MiB of it to index
        export_message_files(
            capture,
            tmp_path / "m",
            parse_grouping("stream"),
            lambda done, total: seen.append(done),
            cancel_on_third_look(),
        )
    assert seen == []
    with pytest.raises(SaveCancelled):  # inside the one message, a piece at a time
        export_json_lines(
            capture,
            tmp_path / "m.jsonl",
            parse_grouping("stream"),
            lambda done, total: seen.append(done),
            cancel_on_third_look(),
        )
    assert seen == [BASE64_PIECE]
    assert os.listdir(tmp_path) == []
