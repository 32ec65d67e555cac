"""A session file cut short (a copy stopped, a disk filled, a save killed) opens with every
record that is whole, byte-exact and in order, plus a sentence saying what was lost."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tcptui.capture.events import ConnectionEvent, EventKind
from tcptui.capture.session_file import (
    END,
    EVENT_KIND,
    RECORD,
    CorruptSessionFileError,
    CutShort,
    NotASessionFileError,
    SessionFileError,
    SessionMeta,
    TruncatedSessionFileError,
    open_intact_session,
    open_session,
    save_session,
)
from tcptui.capture.store import Capture, Direction
from tests.capture.test_session_file import SteppingClock
from tests.helpers import DEFAULT_TIMEOUT, MIB, pseudo_random_blocks

ROOT = Path(__file__).resolve().parents[2]
META = SessionMeta(target="cut.example:7")


def small_capture() -> Capture:
    """Events before, between and after chunks of both directions, one of them bigger."""
    capture = Capture(clock=SteppingClock())
    capture.add_event(EventKind.CONNECTED, "127.0.0.1:1 → 127.0.0.1:2")
    capture.append(Direction.SENT, b"EHLO x\r\n")
    capture.append(Direction.RECEIVED, b"250 ok\r\n\x00\x1b[31m")
    capture.add_event(EventKind.TLS_STARTED, "TLSv1.3")
    capture.append(Direction.RECEIVED, bytes(range(256)))
    capture.append(Direction.SENT, b"q")
    capture.add_event(EventKind.CLOSED, "closed by you")
    return capture


@dataclass(frozen=True)
class Span:
    """One record of a saved file: its kind and where its data starts and ends."""

    kind: int
    data_start: int
    data_end: int


def record_spans(raw: bytes) -> tuple[int, list[Span]]:
    """Where the records start, and each record whose header is whole (the last one's data
    may end past the end of a cut file), read with the documented layout alone."""
    position = raw.index(b"\n", raw.index(b"\n") + 1) + 1
    first = position
    spans = []
    while position + RECORD.size <= len(raw) and raw[position] != 0xFF:
        kind, _, _, length = RECORD.unpack_from(raw, position)
        spans.append(Span(kind, position + RECORD.size, position + RECORD.size + length))
        position += RECORD.size + length
    return first, spans


def event_fields(event: ConnectionEvent) -> tuple[object, ...]:
    return (event.kind, event.detail, event.before_chunk, event.mono_ns, event.wall_ns)


def expected_at(original: Capture, spans: list[Span], cut: int) -> tuple[list[bytes], int, int]:
    """What a file cut at `cut` should keep: the data of each chunk (whole ones, then the
    part of the one the cut falls in), how many chunks are whole, how many events are."""
    chunks: list[bytes] = []
    whole = events = 0
    for span in spans:
        if span.data_end <= cut:
            if span.kind == EVENT_KIND:
                events += 1
            else:
                chunks.append(original.read_chunk(whole))
                whole += 1
        else:
            if span.kind != EVENT_KIND and cut > span.data_start:
                chunks.append(original.read_chunk(whole)[: cut - span.data_start])
            break
    return chunks, whole, events


def assert_opens_with_what_is_before(original: Capture, raw: bytes, cut: int, path: Path) -> None:
    first, spans = record_spans(raw)
    path.write_bytes(raw[:cut])
    opened, meta, lost = open_intact_session(path)
    try:
        chunks, whole, events = expected_at(original, spans, cut)
        assert meta == META
        assert lost is not None and lost.chunks == whole
        assert f"{whole:,} chunk" in lost.sentence() or f"chunk {whole + 1:,}" in lost.sentence()
        assert [opened.read_chunk(chunk.index) for chunk in opened.chunks()] == chunks
        assert [(c.direction, c.mono_ns, c.wall_ns) for c in opened.chunks()] == [
            (c.direction, c.mono_ns, c.wall_ns) for c in original.chunks(0, len(chunks))
        ]
        kept = opened.events.events()
        assert [event_fields(e) for e in kept[:-1]] == [
            event_fields(e) for e in original.events.events()[:events]
        ]
        assert kept[-1].kind is EventKind.CUT_SHORT
        assert kept[-1].before_chunk == len(chunks)
        assert lost.partial == (len(chunks) - whole and len(chunks[-1]))
    finally:
        opened.close()


def test_a_file_cut_at_any_byte_after_its_header_opens_with_every_whole_record(
    tmp_path: Path,
) -> None:
    original = small_capture()
    whole = tmp_path / "whole.tcptui"
    save_session(original, whole, META)
    raw = whole.read_bytes()
    first, spans = record_spans(raw)
    end_record = spans[-1].data_end
    for cut in range(first, end_record + 1):
        assert_opens_with_what_is_before(original, raw, cut, tmp_path / "cut.tcptui")
    original.close()


def test_a_file_cut_inside_its_end_record_keeps_every_chunk_but_says_it_is_unchecked(
    tmp_path: Path,
) -> None:
    original = small_capture()
    path = tmp_path / "s.tcptui"
    save_session(original, path, META)
    raw = path.read_bytes()
    for cut in range(len(raw) - END.size, len(raw)):
        path.write_bytes(raw[:cut])
        opened, _, lost = open_intact_session(path)
        assert lost == CutShort(4, original.total_bytes, in_end_record=True)
        assert lost.sentence() == (
            "the file is cut short inside its end record: every one of its 4 chunks and "
            f"{original.total_bytes:,} bytes is here, but their checksum could not be checked"
        )
        assert [opened.read_chunk(c.index) for c in opened.chunks()] == [
            original.read_chunk(c.index) for c in original.chunks()
        ]
        assert [e.kind for e in opened.events.events()][-2:] == [
            EventKind.CLOSED,
            EventKind.CUT_SHORT,
        ]
        opened.close()
    original.close()


def test_a_whole_file_has_no_note_and_no_extra_event(tmp_path: Path) -> None:
    original = small_capture()
    path = tmp_path / "s.tcptui"
    save_session(original, path, META)
    opened, _, lost = open_intact_session(path)
    assert lost is None
    assert [event_fields(e) for e in opened.events.events()] == [
        event_fields(e) for e in original.events.events()
    ]
    opened.close()
    original.close()


def test_the_chunk_a_file_ends_inside_keeps_its_bytes_and_says_how_many_are_missing(
    tmp_path: Path,
) -> None:
    original = small_capture()
    path = tmp_path / "s.tcptui"
    save_session(original, path, META)
    raw = path.read_bytes()
    _, spans = record_spans(raw)
    third_chunk = spans[4]  # CONNECTED, chunk, chunk, TLS_STARTED, then the 256-byte chunk
    path.write_bytes(raw[: third_chunk.data_start + 100])

    opened, _, lost = open_intact_session(path)

    assert lost == CutShort(2, 22, partial=100, declared=256)
    assert lost.sentence() == (
        "the file is cut short inside chunk 3: the 2 chunks (22 bytes) before it and the first "
        "100 of its 256 bytes are kept; what followed is lost, and the end record's checksum "
        "could not be checked"
    )
    assert opened.read_chunk(2) == bytes(range(100))
    marker = opened.events.events()[-1]
    assert (marker.kind, marker.before_chunk) == (EventKind.CUT_SHORT, 3)
    assert (
        marker.detail == "here: the chunk above holds 100 of its 256 bytes; what followed is lost"
    )
    opened.close()
    original.close()


def test_open_session_still_refuses_a_cut_file_with_the_same_sentence(tmp_path: Path) -> None:
    original = small_capture()
    path = tmp_path / "s.tcptui"
    save_session(original, path, META)
    path.write_bytes(path.read_bytes()[: -END.size - 1])
    with pytest.raises(
        TruncatedSessionFileError,
        match=r"^the file is cut short after 4 chunks \(279 bytes\): what followed is lost",
    ):
        open_session(path)
    original.close()


def test_a_file_cut_inside_its_header_or_metadata_is_still_refused(tmp_path: Path) -> None:
    original = small_capture()
    path = tmp_path / "s.tcptui"
    save_session(original, path, META)
    raw = path.read_bytes()
    first, _ = record_spans(raw)
    for cut in range(first):
        path.write_bytes(raw[:cut])
        expected = NotASessionFileError if cut < len(b"TCPTUI-SESSION") else SessionFileError
        with pytest.raises(expected) as refused:
            open_intact_session(path)
        assert str(refused.value) and "\n" not in str(refused.value)
    original.close()


def flip_the_last_chunk_byte(raw: bytes) -> bytes:
    _, spans = record_spans(raw)
    where = [span for span in spans if span.kind != EVENT_KIND][-1].data_end - 1
    return raw[:where] + bytes([raw[where] ^ 1]) + raw[where + 1 :]


@pytest.mark.parametrize(
    ("damage", "sentence"),
    [
        (flip_the_last_chunk_byte, "checksum"),
        (lambda raw: raw + b"junk", "stray bytes after the end record"),
        (lambda raw: raw[: -END.size - 1] + b"\x07\x00", "unknown kind 7"),
        (lambda raw: raw[: -END.size - 1] + RECORD.pack(0, 0, 0, 0), "holds no bytes"),
        (lambda raw: raw[: -END.size - 1] + RECORD.pack(EVENT_KIND, 0, 0, 1 << 20), "at most"),
    ],
    ids=["crc", "stray", "unknown-kind-in-a-cut-header", "empty-chunk", "huge-event"],
)
def test_a_file_that_is_wrong_rather_than_cut_is_still_refused(
    tmp_path: Path, damage: Callable[[bytes], bytes], sentence: str
) -> None:
    original = small_capture()
    path = tmp_path / "s.tcptui"
    save_session(original, path, META)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(CorruptSessionFileError, match=sentence):
        open_intact_session(path)
    original.close()


def big_capture() -> Capture:
    """4 MiB in 64 KiB chunks, an event every 16 of them, then one 3 MiB chunk."""
    capture = Capture(clock=SteppingClock())
    for number, block in enumerate(pseudo_random_blocks(4 * MIB, seed=7, block=64 << 10)):
        if number % 16 == 0:
            capture.add_event(EventKind.RECONNECTED, f"connection {number // 16 + 1}")
        capture.append(Direction(number % 2), block)
    capture.append_pieces(Direction.RECEIVED, pseudo_random_blocks(3 * MIB, seed=8), 3 * MIB)
    return capture


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=100_000))
@example(80_000)  # inside the 3 MiB chunk, read a block at a time into the spool
@example(100_000)  # just before the end record
def test_a_big_file_cut_anywhere_opens_with_every_whole_record(
    big_saved: tuple[Capture, bytes, Path], where: int
) -> None:
    """`where` is the place of the cut, in thousandths of a percent of the records."""
    original, raw, folder = big_saved
    first, spans = record_spans(raw)
    cut = first + (spans[-1].data_end - first) * where // 100_000
    assert_opens_with_what_is_before(original, raw, cut, folder / "cut.tcptui")


@pytest.fixture(scope="module")
def big_saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Capture, bytes, Path]:
    folder = tmp_path_factory.mktemp("big")
    capture = big_capture()
    save_session(capture, folder / "whole.tcptui", META)
    return capture, (folder / "whole.tcptui").read_bytes(), folder


def test_a_big_chunk_cut_in_half_is_opened_a_block_at_a_time(tmp_path: Path) -> None:
    capture = Capture(spool_dir=str(tmp_path))
    capture.append_pieces(Direction.RECEIVED, pseudo_random_blocks(24 * MIB, block=MIB), 24 * MIB)
    path = tmp_path / "big.tcptui"
    save_session(capture, path, META)
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 2)
    tracemalloc.start()
    try:
        opened, _, lost = open_intact_session(path, spool_dir=str(tmp_path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MIB
    assert lost is not None and lost.declared == 24 * MIB
    assert opened.read(0, opened.total_bytes) == capture.read(0, lost.partial)
    capture.close()
    opened.close()


def test_a_big_record_a_cut_file_does_not_store_is_refused_at_once(tmp_path: Path) -> None:
    """A sparse file and no end record: nothing vouches for the record's terabyte."""
    path = tmp_path / "sparse.tcptui"
    with path.open("wb") as out:
        out.write(b"TCPTUI-SESSION 2\n{}\n" + RECORD.pack(0, 0, 0, 1 << 40))
        try:
            out.truncate(out.tell() + (1 << 39))  # half of it: cut short, as far as it says
        except OSError:
            pytest.skip("this file system cannot hold a sparse 512 GB file")
    with pytest.raises(CorruptSessionFileError, match="more bytes than the file stores on disk"):
        open_intact_session(path, spool_dir=str(tmp_path))


KILLED_SAVE = """
import sys
from tcptui.capture.session_file import SessionMeta, save_session
from tests.capture.test_session_cut_short import META, big_capture

def progress(done, total):
    if done >= 2 << 20:
        print("halfway", flush=True)
        sys.stdin.read()  # until killed

save_session(big_capture(), sys.argv[1], META, progress=progress)
"""


def test_the_file_a_save_killed_halfway_leaves_opens_with_what_it_wrote(tmp_path: Path) -> None:
    """kill -9 during ctrl+s leaves the temporary file beside the target: it can be opened."""
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_SAVE, str(tmp_path / "big.tcptui")],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 6 * DEFAULT_TIMEOUT)
        assert ready and child.stdout.readline() == b"halfway\n"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(DEFAULT_TIMEOUT)
        for stream in (child.stdin, child.stdout):
            assert stream is not None
            stream.close()
    (left,) = tmp_path.glob(".big.tcptui.*.tmp")
    assert not (tmp_path / "big.tcptui").exists()
    raw = left.read_bytes()
    assert len(raw) > 2 * MIB
    original = big_capture()
    assert_opens_with_what_is_before(original, raw, len(raw), left)
    original.close()
