"""The capture keeps every byte exactly, in memory or spooled, under concurrency and at 1 GiB."""

from __future__ import annotations

import hashlib
import random
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcptui.capture.store import Capture, Chunk, Direction
from tests.helpers import MIB, pseudo_random_blocks, stream_bytes, stream_sha256

RECEIVED, SENT = Direction.RECEIVED, Direction.SENT

# A conversation with chunk sizes from 1 byte to 300 KiB, both directions interleaved.
SIZES_AND_DIRECTIONS = [
    (1, SENT),
    (517, RECEIVED),
    (3, RECEIVED),
    (65536, RECEIVED),
    (12, SENT),
    (300_000, RECEIVED),
    (1, RECEIVED),
    (4096, SENT),
    (99_999, RECEIVED),
]
TOTAL = sum(size for size, _ in SIZES_AND_DIRECTIONS)


def conversation() -> list[tuple[Direction, bytes]]:
    blocks = pseudo_random_blocks(TOTAL, seed=11, block=TOTAL)
    data = next(blocks)
    parts, offset = [], 0
    for size, direction in SIZES_AND_DIRECTIONS:
        parts.append((direction, data[offset : offset + size]))
        offset += size
    return parts


@pytest.fixture(
    params=[TOTAL + 1, TOTAL // 2, 0], ids=["in-memory", "crossing-threshold", "fully-spooled"]
)
def filled(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Capture]:
    """A capture holding `conversation()`, kept in memory, spooled halfway, or spooled at once."""
    capture = Capture(spool_threshold=request.param, spool_dir=str(tmp_path))
    for direction, data in conversation():
        capture.append(direction, data)
    yield capture
    capture.close()


def test_spooling_happens_exactly_when_the_threshold_is_passed(tmp_path: Path) -> None:
    capture = Capture(spool_threshold=10, spool_dir=str(tmp_path))
    capture.append(RECEIVED, b"0123456789")
    assert not capture.is_spooled, "reaching the threshold is not passing it"
    capture.append(RECEIVED, b"a")
    assert capture.is_spooled
    assert capture.read(0, 11) == b"0123456789a"
    capture.close()


def test_reads_return_exactly_what_was_appended(filled: Capture) -> None:
    everything = b"".join(data for _, data in conversation())
    rng = random.Random(5)

    assert filled.read(0, TOTAL) == everything
    for _ in range(200):
        offset = rng.randrange(TOTAL)
        length = rng.randrange(1, 400_000)
        assert filled.read(offset, length) == everything[offset : offset + length]
    assert filled.read(TOTAL - 3, 100) == everything[-3:], "reads are clipped to the end"
    assert filled.read(TOTAL, 10) == b""
    assert filled.read(5, 0) == b""


def test_read_chunk_returns_each_chunk_and_slices_of_it(filled: Capture) -> None:
    parts = conversation()

    assert len(filled) == len(parts)
    for index, (direction, data) in enumerate(parts):
        assert filled.chunk(index).direction is direction
        assert filled.read_chunk(index) == data
        assert filled.read_chunk(index, 1) == data[1:]
        assert filled.read_chunk(index, 0, 2) == data[:2]
        assert filled.read_chunk(index, len(data) // 2, 7) == data[len(data) // 2 :][:7]
        assert filled.read_chunk(index, len(data) + 5) == b""


@pytest.mark.parametrize("block", [13, 65536, 1 << 20])
def test_iter_bytes_yields_everything_in_order(filled: Capture, block: int) -> None:
    everything = b"".join(data for _, data in conversation())

    blocks = list(filled.iter_bytes(block))

    assert b"".join(blocks) == everything
    assert all(len(part) <= block for part in blocks)


def test_each_direction_keeps_its_own_stream_offsets_and_counts(filled: Capture) -> None:
    parts = conversation()
    sent = b"".join(data for direction, data in parts if direction is SENT)
    received = b"".join(data for direction, data in parts if direction is RECEIVED)

    assert filled.total_bytes == TOTAL == len(sent) + len(received)
    assert filled.stream_bytes(SENT) == len(sent)
    assert filled.stream_bytes(RECEIVED) == len(received)
    assert filled.chunk_count(SENT) == 3
    assert filled.chunk_count(RECEIVED) == 6
    assert stream_bytes(filled, SENT) == sent
    assert stream_bytes(filled, RECEIVED) == received
    expected_stream_offset = {SENT: 0, RECEIVED: 0}
    expected_offset = 0
    for chunk in filled.chunks():
        assert chunk.offset == expected_offset
        assert chunk.stream_offset == expected_stream_offset[chunk.direction]
        expected_offset = chunk.end
        expected_stream_offset[chunk.direction] += chunk.length


def test_append_returns_the_chunk_as_stored(tmp_path: Path) -> None:
    capture = Capture(spool_dir=str(tmp_path))
    first = capture.append(SENT, b"ping\n")
    second = capture.append(RECEIVED, b"pong\n")

    assert first == capture.chunk(0)
    assert second == capture.chunk(1)
    assert (second.index, second.offset, second.stream_offset, second.length) == (1, 5, 0, 5)
    assert second.mono_ns >= first.mono_ns
    assert second.wall_ns > 0
    assert list(capture.chunks()) == [first, second]
    assert list(capture.chunks(1)) == [second]
    with pytest.raises(IndexError):
        capture.chunk(2)
    capture.close()


def test_chunk_index_at_finds_the_chunk_holding_each_byte(filled: Capture) -> None:
    for chunk in filled.chunks():
        assert filled.chunk_index_at(chunk.offset) == chunk.index
        assert filled.chunk_index_at(chunk.end - 1) == chunk.index
        assert filled.chunk_index_at((chunk.offset + chunk.end) // 2) == chunk.index
    for outside in (-1, TOTAL, TOTAL + 1):
        with pytest.raises(IndexError, match="outside"):
            filled.chunk_index_at(outside)


def test_empty_append_is_refused(capture: Capture) -> None:
    with pytest.raises(ValueError, match="empty"):
        capture.append(RECEIVED, b"")
    assert len(capture) == 0
    assert capture.total_bytes == 0
    assert list(capture.iter_bytes()) == []


@pytest.mark.parametrize("threshold", [1 << 20, 0], ids=["in-memory", "spooled"])
def test_a_closed_capture_refuses_reads_and_appends(tmp_path: Path, threshold: int) -> None:
    capture = Capture(spool_threshold=threshold, spool_dir=str(tmp_path))
    capture.append(RECEIVED, b"kept until close")
    capture.close()

    with pytest.raises(ValueError, match="closed"):
        capture.read(0, 4)
    with pytest.raises(ValueError, match="closed"):
        capture.read_chunk(0)
    with pytest.raises(ValueError, match="closed"):
        capture.append(RECEIVED, b"more")
    capture.close()  # closing twice is harmless


@settings(max_examples=60)
@given(
    chunks=st.lists(
        st.tuples(st.sampled_from(Direction), st.binary(min_size=1, max_size=700)),
        min_size=1,
        max_size=80,
    ),
    threshold=st.integers(0, 8000),
    seed=st.integers(0, 2**32 - 1),
)
def test_concurrent_reads_see_exactly_the_committed_bytes(
    chunks: list[tuple[Direction, bytes]], threshold: int, seed: int
) -> None:
    """One thread appends (crossing the spool threshold) while another reads what is stored."""
    everything = b"".join(data for _, data in chunks)
    capture = Capture(spool_threshold=threshold)
    writer_done = threading.Event()
    failures: list[BaseException] = []
    reads = 0

    def write() -> None:
        try:
            for direction, data in chunks:
                capture.append(direction, data)
        finally:
            writer_done.set()

    def check_once(rng: random.Random) -> None:
        nonlocal reads
        count, committed = len(capture), capture.total_bytes
        if committed:
            offset = rng.randrange(committed)
            length = rng.randrange(1, committed - offset + 1)
            data = capture.read(offset, length)
            assert len(data) >= length, "committed bytes are always readable"
            assert data == everything[offset : offset + len(data)]
        if count:
            chunk: Chunk = capture.chunk(rng.randrange(count))
            assert capture.read_chunk(chunk.index) == everything[chunk.offset : chunk.end]
            assert capture.chunk_index_at(chunk.offset) == chunk.index
        reads += 1

    def read() -> None:
        rng = random.Random(seed)
        try:
            for _ in range(20_000):  # bounded; normally ends when the writer does
                finished = writer_done.is_set()
                check_once(rng)
                if finished:
                    break
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=read), threading.Thread(target=write)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not any(thread.is_alive() for thread in threads)
        if failures:
            raise failures[0]
        assert reads >= 1
        assert b"".join(capture.iter_bytes(997)) == everything
        assert capture.is_spooled == (len(everything) > threshold)
    finally:
        capture.close()


def _vm_rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line in /proc/self/status")


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads VmRSS from /proc")
def test_a_gibibyte_capture_costs_little_memory_and_stays_exact(tmp_path: Path) -> None:
    total = 1 << 30
    pool = next(pseudo_random_blocks(4 * MIB, seed=3, block=4 * MIB))
    sizes = [65536, 262144, 1, 12345, 200_000, 131072, 7]
    capture = Capture(spool_dir=str(tmp_path))
    expected = hashlib.sha256()
    rss_before = _vm_rss_bytes()
    try:
        appended, step = 0, 0
        while appended < total:
            size = min(sizes[step % len(sizes)], total - appended)
            start = (step * 7919) % (len(pool) - size)
            data = pool[start : start + size]
            capture.append(RECEIVED, data)
            expected.update(data)
            appended += size
            step += 1
        rss_after_append = _vm_rss_bytes()
        received_sha = stream_sha256(capture, RECEIVED)
        whole_sha = hashlib.sha256()
        for block in capture.iter_bytes():
            whole_sha.update(block)
        rss_after_read = _vm_rss_bytes()
    finally:
        capture.close()

    assert capture.stream_bytes(RECEIVED) == total
    assert received_sha == whole_sha.hexdigest() == expected.hexdigest()
    limit = 48 * MIB
    assert rss_after_append - rss_before < limit, f"grew {rss_after_append - rss_before} bytes"
    assert rss_after_read - rss_before < limit, f"grew {rss_after_read - rss_before} bytes"


def test_mapped_holds_every_stored_byte_in_place(filled: Capture) -> None:
    expected = b"".join(data for _, data in conversation())
    with filled.mapped() as data:
        assert len(data) == TOTAL
        assert data[:] == expected
    filled.append(RECEIVED, b"later")  # a mapping taken before does not see it, nor break it
    with filled.mapped() as data:
        assert data[TOTAL:] == b"later"


def test_append_accepts_a_buffer_it_does_not_keep(capture: Capture) -> None:
    buffer = bytearray(b"abcdef")
    capture.append(RECEIVED, memoryview(buffer)[:4])
    buffer[:] = b"XXXXXX"  # the I/O thread reuses its receive buffer at once
    assert capture.read(0, 10) == b"abcd"
