"""Session files: saved with timing and metadata, opened back identical, never half written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcptui import __version__
from tcptui.capture.export import SaveCancelled, SaveError
from tcptui.capture.session_file import (
    END,
    RECORD,
    CorruptSessionFileError,
    NotASessionFileError,
    SessionFileError,
    SessionMeta,
    TruncatedSessionFileError,
    UnsupportedVersionError,
    open_intact_session,
    open_session,
    save_session,
)
from tcptui.capture.store import Capture, Chunk, Direction
from tests.helpers import MIB, pseudo_random_blocks

META = SessionMeta(
    target="bücher.example:80",
    resolved=("192.0.2.10:80", "[2001:db8::10]:80"),
    remote="192.0.2.10:80",
    local="192.0.2.7:51234",
    started_at="2025-01-02T03:04:05.123456+00:00",
    tls={"version": "TLSv1.3", "cipher": "TLS_AES_128_GCM_SHA256", "alpn": None},
    end_reason="The peer closed the connection",
)
CHUNKS = [
    (Direction.SENT, b"GET / HTTP/1.0\r\n\r\n"),
    (Direction.RECEIVED, b"HTTP/1.0 200 OK\r\n\x00\x1b[31m\xff\xfe"),
    (Direction.RECEIVED, bytes(range(256)) * 40),
    (Direction.SENT, b"\n"),
    (Direction.RECEIVED, b"x"),
]


class SteppingClock:
    """Timestamps that differ in every part, so a lost or swapped field shows."""

    def __init__(self) -> None:
        self.mono = 5_000_000_123
        self.wall = 1_735_787_045_123_456_789

    def __call__(self) -> tuple[int, int]:
        self.mono += 1_234_567
        self.wall += 7_654_321
        return self.mono, self.wall


def build_capture(chunks: list[tuple[Direction, bytes]], spool_threshold: int = 4096) -> Capture:
    capture = Capture(spool_threshold=spool_threshold, clock=SteppingClock())
    for direction, data in chunks:
        capture.append(direction, data)
    return capture


def all_chunks(capture: Capture) -> list[tuple[Chunk, bytes]]:
    return [(chunk, capture.read_chunk(chunk.index)) for chunk in capture.chunks()]


@pytest.fixture
def saved_capture() -> Iterator[Capture]:
    capture = build_capture(CHUNKS)
    yield capture
    capture.close()


@pytest.fixture
def session_path(tmp_path: Path, saved_capture: Capture) -> Path:
    path = tmp_path / "session.tcptui"
    save_session(saved_capture, path, META)
    return path


@pytest.mark.parametrize(
    "chunks",
    [
        [],
        [(Direction.RECEIVED, b"\x00")],
        CHUNKS,
        [(Direction.SENT, bytes(range(256)) * 20_000), (Direction.RECEIVED, b"\r\n" * 3)],
    ],
    ids=["empty", "one-byte", "mixed", "spooled"],
)
def test_save_then_open_gives_identical_chunks_and_timestamps(
    tmp_path: Path, chunks: list[tuple[Direction, bytes]]
) -> None:
    original = build_capture(chunks)
    path = tmp_path / "round-trip.tcptui"

    size = save_session(original, path, META)
    reopened, meta = open_session(path)

    assert size == path.stat().st_size
    assert all_chunks(reopened) == all_chunks(original)
    assert meta == META
    assert reopened.stream_bytes(Direction.SENT) == original.stream_bytes(Direction.SENT)
    original.close()
    reopened.close()


def test_file_layout_is_the_documented_one(session_path: Path, saved_capture: Capture) -> None:
    """A reader written from the module docstring alone must be able to read the file."""
    raw = session_path.read_bytes()
    magic, metadata, records = raw.split(b"\n", 2)
    assert magic == b"TCPTUI-SESSION 2"
    assert json.loads(metadata)["tcptui_version"] == __version__
    assert json.loads(metadata)["resolved"] == list(META.resolved)

    position, crc = 0, 0
    for chunk in saved_capture.chunks():
        kind, mono, wall, length = RECORD.unpack_from(records, position)
        data = records[position + RECORD.size : position + RECORD.size + length]
        assert (kind, mono, wall, data) == (
            chunk.direction,
            chunk.mono_ns,
            chunk.wall_ns,
            saved_capture.read_chunk(chunk.index),
        )
        crc = zlib.crc32(data, crc)
        position += RECORD.size + length
    assert records[position] == 0xFF
    assert END.unpack(records[position + 1 :]) == (
        len(CHUNKS),
        saved_capture.total_bytes,
        crc,
    )


def test_unknown_metadata_keys_are_ignored_and_missing_ones_take_defaults(tmp_path: Path) -> None:
    path = tmp_path / "hand-written.tcptui"
    body = (
        b"\x00"
        + RECORD.pack(0, 1, 2, 3)[1:]
        + b"abc"
        + b"\xff"
        + END.pack(1, 3, zlib.crc32(b"abc"))
    )
    path.write_bytes(b'TCPTUI-SESSION 1\n{"target":"h:1","from_the_future":[1]}\n' + body)

    capture, meta = open_session(path)

    assert meta == SessionMeta(target="h:1", tcptui_version=meta.tcptui_version)
    assert [(c.direction, c.mono_ns, c.wall_ns) for c in capture.chunks()] == [
        (Direction.RECEIVED, 1, 2)
    ]
    assert capture.read(0, 3) == b"abc"
    capture.close()


def test_a_file_that_is_not_a_session_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("GET / HTTP/1.0\n")
    with pytest.raises(NotASessionFileError, match="not a tcptui session file"):
        open_session(path)


def test_a_newer_format_version_is_refused_with_both_versions_named(session_path: Path) -> None:
    raw = session_path.read_bytes()
    session_path.write_bytes(raw.replace(b"TCPTUI-SESSION 2\n", b"TCPTUI-SESSION 7\n", 1))
    with pytest.raises(UnsupportedVersionError, match="version 7.*reads versions 1 to 2"):
        open_session(session_path)


def test_open_session_refuses_every_truncation_with_a_typed_error(tmp_path: Path) -> None:
    small = build_capture([chunk for chunk in CHUNKS if len(chunk[1]) < 100])
    path = tmp_path / "whole.tcptui"
    save_session(small, path, SessionMeta(target="t:1"))
    raw = path.read_bytes()
    header_length = raw.index(b"\n", raw.index(b"\n") + 1) + 1
    cut = tmp_path / "cut.tcptui"
    for length in range(len(raw)):
        cut.write_bytes(raw[:length])
        expected = TruncatedSessionFileError if length >= header_length else SessionFileError
        with pytest.raises(expected):
            open_session(cut)
    small.close()


def test_a_flipped_data_byte_fails_the_checksum(session_path: Path) -> None:
    raw = bytearray(session_path.read_bytes())
    raw[-(END.size + 1) - 1] ^= 0x01  # the last data byte, just before the end record
    session_path.write_bytes(bytes(raw))
    with pytest.raises(CorruptSessionFileError, match="checksum"):
        open_session(session_path)


def test_bytes_after_the_end_record_are_reported(session_path: Path) -> None:
    with session_path.open("ab") as out:
        out.write(b"junk")
    with pytest.raises(CorruptSessionFileError, match="after the end record"):
        open_session(session_path)


def test_a_record_claiming_more_bytes_than_the_file_holds_keeps_only_what_is_there(
    tmp_path: Path,
) -> None:
    path = tmp_path / "liar.tcptui"
    path.write_bytes(b"TCPTUI-SESSION 1\n{}\n" + RECORD.pack(0, 0, 0, 1 << 62) + b"abc")
    with pytest.raises(TruncatedSessionFileError, match="chunk 1: the first 3 of its 4,611,"):
        open_session(path)
    opened, _, cut_short = open_intact_session(path)
    assert opened.read(0, opened.total_bytes) == b"abc"
    assert cut_short is not None and cut_short.partial == 3
    opened.close()


def test_metadata_of_the_wrong_type_is_named(tmp_path: Path) -> None:
    path = tmp_path / "typed.tcptui"
    path.write_bytes(b'TCPTUI-SESSION 1\n{"ended_by_reset":"yes"}\n\xff' + END.pack(0, 0, 0))
    with pytest.raises(CorruptSessionFileError, match="'ended_by_reset' should be a bool"):
        open_session(path)


def test_a_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.tcptui"
    with pytest.raises(SessionFileError, match="nowhere.tcptui"):
        open_session(path)


def test_progress_rises_to_the_total(tmp_path: Path) -> None:
    capture = build_capture([(Direction.RECEIVED, bytes(3 * MIB + 5)), (Direction.SENT, b"ok")])
    reports: list[tuple[int, int]] = []

    save_session(capture, tmp_path / "p.tcptui", META, progress=lambda d, t: reports.append((d, t)))

    done = [report[0] for report in reports]
    assert done == sorted(done)
    assert reports[-1] == (capture.total_bytes, capture.total_bytes)
    assert len(reports) >= 4
    capture.close()


def test_cancelled_save_leaves_no_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    capture = build_capture([(Direction.RECEIVED, bytes(4 * MIB))])
    path = tmp_path / "keep.tcptui"
    path.write_bytes(b"the previous save")
    reports: list[int] = []

    with pytest.raises(SaveCancelled):
        save_session(
            capture,
            path,
            META,
            progress=lambda done, total: reports.append(done),
            cancel=lambda: len(reports) >= 2,
        )

    assert reports == [MIB, 2 * MIB]
    assert path.read_bytes() == b"the previous save"
    assert sorted(os.listdir(tmp_path)) == ["keep.tcptui"]
    capture.close()


def test_save_into_a_missing_folder_fails_with_a_sentence(
    tmp_path: Path, saved_capture: Capture
) -> None:
    path = tmp_path / "no-such-folder" / "s.tcptui"
    with pytest.raises(SaveError, match=r"^The folder .*no-such-folder does not exist\.$"):
        save_session(saved_capture, path, META)
    assert os.listdir(tmp_path) == []


def test_save_into_an_unwritable_folder_fails_cleanly(
    unwritable_dir: Path, saved_capture: Capture
) -> None:
    before = set(os.listdir(unwritable_dir))
    with pytest.raises(SaveError, match="You do not have permission to write"):
        save_session(saved_capture, unwritable_dir / "s.tcptui", META)
    assert set(os.listdir(unwritable_dir)) == before


FILE_SIZE_LIMIT_SCRIPT = """
import os, resource, signal, sys
from tcptui.capture.export import SaveError
from tcptui.capture.session_file import SessionMeta, save_session
from tcptui.capture.store import Capture, Direction

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
capture = Capture(spool_threshold=1 << 40)  # keep the capture itself in memory
capture.append(Direction.RECEIVED, bytes(3 << 20))
try:
    save_session(capture, sys.argv[1], SessionMeta())
except SaveError as exc:
    print(exc)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_write_failing_halfway_leaves_no_file_and_no_temp(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes writes past 1 MiB fail, as a full disk would, even for root."""
    path = tmp_path / "big.tcptui"
    result = subprocess.run(
        [sys.executable, "-c", FILE_SIZE_LIMIT_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert (
        result.stdout.strip() == "big.tcptui would be larger than this system allows a file to be."
    )
    assert os.listdir(tmp_path) == []


def test_saving_streams_instead_of_holding_the_capture(tmp_path: Path) -> None:
    capture = Capture(spool_dir=str(tmp_path))
    for block in pseudo_random_blocks(32 * MIB, block=8 * MIB):
        capture.append(Direction.RECEIVED, block)
    tracemalloc.start()
    try:
        save_session(capture, tmp_path / "big.tcptui", META)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MIB
    capture.close()


def test_a_big_record_is_opened_a_block_at_a_time(tmp_path: Path) -> None:
    capture = Capture(spool_dir=str(tmp_path))
    capture.append_pieces(Direction.RECEIVED, pseudo_random_blocks(24 * MIB, block=MIB), 24 * MIB)
    capture.append(Direction.SENT, b"after")
    path = tmp_path / "big.tcptui"
    save_session(capture, path, META)
    tracemalloc.start()
    try:
        opened, _ = open_session(path, spool_dir=str(tmp_path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MIB
    assert [chunk.length for chunk in opened.chunks()] == [24 * MIB, 5]
    assert opened.read(0, 24 * MIB) == capture.read(0, 24 * MIB)
    assert opened.read_chunk(1) == b"after"
    capture.close()
    opened.close()


def test_a_huge_record_in_a_sparse_file_is_corrupt_not_out_of_memory(tmp_path: Path) -> None:
    length = 64 * MIB
    path = tmp_path / "sparse.tcptui"
    with path.open("wb") as out:
        out.write(b"TCPTUI-SESSION 1\n{}\n" + RECORD.pack(0, 0, 0, length))
        out.truncate(out.tell() + length + 1 + END.size)
    tracemalloc.start()
    try:
        with pytest.raises(SessionFileError):
            open_session(path, spool_dir=str(tmp_path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MIB


@pytest.mark.parametrize("depth", [40, 5000, 100_000])
def test_deeply_nested_metadata_is_corrupt_with_a_sentence(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.tcptui"
    nested = '{"tls":' + '{"a":' * depth + "1" + "}" * (depth + 1)
    path.write_bytes(
        b"TCPTUI-SESSION 1\n" + nested.encode() + b"\n" + bytes([0xFF]) + END.pack(0, 0, 0)
    )
    with pytest.raises(CorruptSessionFileError, match="nests deeper than 32 levels"):
        open_session(path)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.tcptui"
    os.mkfifo(fifo)
    with pytest.raises(
        SessionFileError, match=r"pipe\.tcptui is a FIFO \(named pipe\), not a session"
    ):
        open_session(fifo)


def test_opening_reports_progress_up_to_the_file_size(tmp_path: Path) -> None:
    capture = Capture(spool_dir=str(tmp_path))
    for block in pseudo_random_blocks(12 * MIB, block=MIB // 4):
        capture.append(Direction.RECEIVED, block)
    path = tmp_path / "s.tcptui"
    size = save_session(capture, path, META)
    seen: list[tuple[int, int]] = []
    opened, _ = open_session(path, progress=lambda done, total: seen.append((done, total)))
    assert len(seen) >= 3
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1][0] == seen[-1][1] >= size - END.size - 1
    capture.close()
    opened.close()


def test_metadata_that_is_null_is_named_as_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "null.tcptui"
    path.write_bytes(b"TCPTUI-SESSION 1\nnull\n" + bytes([0xFF]) + END.pack(0, 0, 0))
    with pytest.raises(CorruptSessionFileError, match="not a JSON object"):
        open_session(path)
