"""Exports: exact raw streams, a hex dump identical to hexdump -Cv, pcap, all written safely."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcptui.capture.export import (
    ExportFormat,
    SaveCancelled,
    SaveError,
    export_capture,
    stream_blocks,
)
from tcptui.capture.store import Capture, Direction
from tests.helpers import MIB, pseudo_random_blocks, require_tool, stream_bytes

MIXED = [
    (Direction.RECEIVED, b"220 smtp.example ESMTP\r\n"),
    (Direction.SENT, b"EHLO me\r\n"),
    (Direction.RECEIVED, bytes(range(256)) * 3 + b"\x00" * 40 + b"tail"),
    (Direction.SENT, b"\x1b[2J\xff"),
    (Direction.RECEIVED, b"250 OK\r\n"),
]


@pytest.fixture
def mixed() -> Iterator[Capture]:
    capture = Capture(spool_threshold=512)
    for direction, data in MIXED:
        capture.append(direction, data)
    yield capture
    capture.close()


@pytest.mark.parametrize(
    ("fmt", "direction"),
    [(ExportFormat.RAW_RECEIVED, Direction.RECEIVED), (ExportFormat.RAW_SENT, Direction.SENT)],
)
def test_raw_export_holds_exactly_one_direction(
    tmp_path: Path, mixed: Capture, fmt: ExportFormat, direction: Direction
) -> None:
    path = tmp_path / "out.bin"
    size = export_capture(mixed, path, fmt)
    assert path.read_bytes() == stream_bytes(mixed, direction)
    assert size == mixed.stream_bytes(direction)


@pytest.mark.parametrize("direction", list(Direction))
def test_hexdump_export_is_what_hexdump_cv_prints_for_the_stream(
    tmp_path: Path, mixed: Capture, direction: Direction
) -> None:
    hexdump = require_tool("hexdump", "bsdextrautils")
    raw = tmp_path / "stream.bin"
    raw.write_bytes(stream_bytes(mixed, direction))
    dump = tmp_path / "stream.hexdump.txt"

    export_capture(mixed, dump, ExportFormat.HEXDUMP, direction=direction)

    expected = subprocess.run([hexdump, "-Cv", str(raw)], capture_output=True, check=True).stdout
    assert dump.read_bytes() == expected


def test_hexdump_export_of_a_multi_mebibyte_stream_matches_hexdump(tmp_path: Path) -> None:
    """Blocks of the export and chunk edges fall mid-row; the rows must still match."""
    hexdump = require_tool("hexdump", "bsdextrautils")
    capture = Capture(spool_dir=str(tmp_path))
    for index, block in enumerate(pseudo_random_blocks(3 * MIB + 7, block=MIB // 3 + 1)):
        capture.append(Direction.RECEIVED, block)
        capture.append(Direction.SENT, b"interleaved %d" % index)
    raw = tmp_path / "stream.bin"
    raw.write_bytes(stream_bytes(capture, Direction.RECEIVED))
    dump = tmp_path / "dump.txt"

    export_capture(capture, dump, ExportFormat.HEXDUMP)

    expected = subprocess.run([hexdump, "-Cv", str(raw)], capture_output=True, check=True).stdout
    assert hashlib.sha256(dump.read_bytes()).digest() == hashlib.sha256(expected).digest()
    capture.close()


def test_hexdump_of_an_empty_stream_is_an_empty_file(tmp_path: Path) -> None:
    capture = Capture()
    capture.append(Direction.SENT, b"only sent")
    path = tmp_path / "empty.txt"
    assert export_capture(capture, path, ExportFormat.HEXDUMP) == 0
    assert path.read_bytes() == b""
    capture.close()


def test_pcap_export_carries_both_directions_in_order(tmp_path: Path, mixed: Capture) -> None:
    tshark = require_tool("tshark", "tshark")
    path = tmp_path / "out.pcap"
    export_capture(mixed, path, ExportFormat.PCAP, local="192.0.2.7:51234", remote="192.0.2.10:25")
    rows = subprocess.run(
        [tshark, "-r", str(path), "-Y", "tcp.len > 0", "-T", "fields"]
        + ["-e", "tcp.srcport", "-e", "tcp.payload"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    segments = [(int(port), bytes.fromhex(payload)) for port, payload in map(str.split, rows)]
    expected_ports = {Direction.RECEIVED: 25, Direction.SENT: 51234}
    assert segments == [(expected_ports[direction], data) for direction, data in MIXED]


def test_many_small_chunks_are_read_in_few_blocks() -> None:
    capture = Capture()
    for index in range(10_000):
        capture.append(Direction.RECEIVED, bytes([index % 256]))
    blocks = list(stream_blocks(capture, Direction.RECEIVED, block=4096))
    assert [len(block) for block in blocks] == [4096, 4096, 1808]
    assert b"".join(blocks) == bytes(index % 256 for index in range(10_000))
    capture.close()


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_cancelled_export_leaves_no_file(tmp_path: Path, fmt: ExportFormat) -> None:
    capture = Capture(spool_dir=str(tmp_path / "spool"))
    (tmp_path / "spool").mkdir()
    capture.append(Direction.RECEIVED, bytes(3 * MIB))
    capture.append(Direction.SENT, bytes(3 * MIB))
    out = tmp_path / "out"
    out.mkdir()
    reports: list[int] = []

    with pytest.raises(SaveCancelled, match="nothing was written"):
        export_capture(
            capture,
            out / "export",
            fmt,
            direction=Direction.SENT,
            progress=lambda done, total: reports.append(done),
            cancel=lambda: bool(reports),
        )

    assert reports == [MIB]
    assert os.listdir(out) == []
    capture.close()


def test_export_into_a_missing_folder_fails_with_a_sentence(tmp_path: Path, mixed: Capture) -> None:
    with pytest.raises(SaveError, match=r"^The folder .*missing does not exist\.$"):
        export_capture(mixed, tmp_path / "missing" / "x.pcap", ExportFormat.PCAP)
    assert os.listdir(tmp_path) == []


def test_export_onto_a_folder_says_to_add_a_file_name(tmp_path: Path, mixed: Capture) -> None:
    (tmp_path / "folder").mkdir()
    with pytest.raises(SaveError, match="is a folder: add a file name"):
        export_capture(mixed, tmp_path / "folder", ExportFormat.RAW_RECEIVED)
    assert os.listdir(tmp_path) == ["folder"]
    assert os.listdir(tmp_path / "folder") == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_exported_file_gets_the_usual_permissions(tmp_path: Path, mixed: Capture) -> None:
    """A temporary file is private (0600); the renamed result must look like any saved file."""
    umask = os.umask(0o022)
    try:
        export_capture(mixed, tmp_path / "out.bin", ExportFormat.RAW_RECEIVED)
    finally:
        os.umask(umask)
    assert (tmp_path / "out.bin").stat().st_mode & 0o777 == 0o644


@pytest.mark.slow
def test_256_mib_raw_export_is_byte_exact(tmp_path: Path) -> None:
    capture = Capture(spool_dir=str(tmp_path))
    digest = hashlib.sha256()
    for block in pseudo_random_blocks(256 * MIB, seed=7, block=16 * MIB):
        capture.append(Direction.RECEIVED, block)
        capture.append(Direction.SENT, b"ack\n")
        digest.update(block)
    path = tmp_path / "big.bin"

    size = export_capture(capture, path, ExportFormat.RAW_RECEIVED)

    assert size == 256 * MIB
    exported = hashlib.sha256()
    with path.open("rb") as src:
        while block := src.read(16 * MIB):
            exported.update(block)
    assert exported.hexdigest() == digest.hexdigest()
    capture.close()


def received_bytes() -> bytes:
    return b"".join(data for direction, data in MIXED if direction is Direction.RECEIVED)


def test_an_export_onto_a_symlink_writes_the_linked_file(mixed: Capture, tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "out.bin"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "out.bin"
    link.symlink_to(real)
    export_capture(mixed, link, ExportFormat.RAW_RECEIVED)
    assert link.is_symlink()
    assert real.read_bytes() == received_bytes()


def test_an_overwritten_file_keeps_its_mode(mixed: Capture, tmp_path: Path) -> None:
    path = tmp_path / "private.bin"
    path.write_bytes(b"old")
    path.chmod(0o600)
    export_capture(mixed, path, ExportFormat.RAW_RECEIVED)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_bytes() == received_bytes()


def test_an_export_into_a_fifo_writes_through_it(mixed: Capture, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # what fits the pipe's buffer waits
    try:
        size = export_capture(mixed, fifo, ExportFormat.RAW_RECEIVED)
        output = os.read(reader, 1 << 16)
    finally:
        os.close(reader)
    assert size == len(received_bytes())
    assert output == received_bytes()
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
def test_an_export_to_a_descriptor_that_is_an_anonymous_pipe_writes_through_it(
    mixed: Capture,
) -> None:
    """`--export /dev/stdout | jq`: the path leads to a pipe whose link target has no file."""
    reader, writer = os.pipe()
    try:
        size = export_capture(mixed, f"/proc/self/fd/{writer}", ExportFormat.RAW_RECEIVED)
        output = os.read(reader, 1 << 16)
    finally:
        os.close(reader)
        os.close(writer)
    assert size == len(received_bytes())
    assert output == received_bytes()


def test_an_export_into_a_fifo_nobody_reads_fails_at_once(mixed: Capture, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(SaveError, match=r"^Nothing is reading .*pipe: start the program"):
        export_capture(mixed, fifo, ExportFormat.RAW_RECEIVED)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_an_export_onto_a_character_device_writes_through(mixed: Capture) -> None:
    size = export_capture(mixed, "/dev/null", ExportFormat.HEXDUMP)
    assert size > len(received_bytes())
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
