"""Resources stay bounded: memory under floods and huge lines, threads and file descriptors
back to where they were after many connections. Linux only (/proc)."""

from __future__ import annotations

import os
import random
import sys
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.strip import Strip
from textual.widgets import Input

from tcptui.capture.store import Capture, Direction
from tcptui.codec.text_rows import SHAPE_SAMPLE
from tcptui.net.events import Closed, Connected, DataReceived, EndReason, Event
from tcptui.net.session import Session, SessionState
from tcptui.ui import transcript_view
from tcptui.ui.byte_marks import Marks
from tcptui.ui.transcript_layout import RowRef
from tcptui.ui.transcript_rows import TextPainter
from tests.helpers import MIB, EchoServer, EventRecorder, PayloadServer, StreamServer, stream_sha256
from tests.helpers.app_parts import current_capture, current_log, current_view
from tests.helpers.units import chunk_reader
from tests.reliability.hostile_corpus import HUGE_LINE_SIZE, huge_line
from tests.ui.helpers import make_app, wait_for

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc/self for memory and descriptors"
)

FLOOD_RSS_LIMIT = 48 * MIB
HUGE_LINE_RSS_LIMIT = 96 * MIB
"""The 10 MiB line itself, read into the painter's chunk cache a chunk at a time, plus the
row-start lists of a few chunks: well under this."""
SIZE = (150, 44)
CHUNK_CHECK_LIMIT = 12 * MIB
"""A 2 MiB chunk, two translated copies of it and the list of its row starts."""
CHUNK_KEPT_LIMIT = 3 * MIB
"""The 2 MiB chunk, kept to paint it, and its row starts (0.7 MiB)."""


def rss() -> int:
    """Resident set size of this process, in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def open_fds() -> int:
    """Descriptors open now; a baseline may hold a transient one, so tests compare with <=."""
    return len(os.listdir("/proc/self/fd"))


def io_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name.startswith("tcptui-io")]


class MemoryWatch:
    """A session's event callback that tracks the process's peak RSS while data arrives."""

    def __init__(self) -> None:
        self.baseline = self.peak = rss()
        self.received = 0
        self.closed = threading.Event()
        self.ending: Closed | None = None

    def __call__(self, event: Event) -> None:
        if isinstance(event, DataReceived):
            self.received += event.nbytes
            self.peak = max(self.peak, rss())
        elif isinstance(event, Closed):
            self.ending = event
            self.closed.set()

    @property
    def growth(self) -> int:
        return self.peak - self.baseline


@pytest.mark.slow
def test_a_1_gib_flood_through_a_session_keeps_memory_flat(tmp_path: Path) -> None:
    total = 1024 * MIB
    capture = Capture(spool_dir=str(tmp_path))
    watch = MemoryWatch()
    with StreamServer(total, seed=3) as server:
        session = Session(server.target, capture, watch)
        session.start()
        assert watch.closed.wait(240), f"only {watch.received:,} bytes after 240 s"
        assert session.join(2.0)
    try:
        assert watch.ending is not None and watch.ending.reason is EndReason.PEER_CLOSED
        assert capture.stream_bytes(Direction.RECEIVED) == total == watch.received
        assert capture.is_spooled
        assert watch.growth < FLOOD_RSS_LIMIT, f"RSS grew {watch.growth / MIB:.1f} MiB"
        assert stream_sha256(capture, Direction.RECEIVED) == server.sha256
    finally:
        capture.close()


def binary_chunk_starting_like_short_lines(size: int) -> bytes:
    """Random bytes whose first KiB (the sample a row shape is judged from) holds many
    newlines: judged rows that end at newlines, then checked row by row, not cut fixed."""
    rng = random.Random(7)
    head = bytearray(rng.randbytes(SHAPE_SAMPLE))
    head[::32] = b"\n" * len(head[::32])
    return bytes(head) + rng.randbytes(size - SHAPE_SAMPLE)


def test_measuring_a_binary_chunks_rows_keeps_nothing_per_byte() -> None:
    """Checking that the rows fit once took 20 bytes of memory per byte of a binary chunk
    (a list of the bytes that paint wide): 40 MiB of peak RSS for one 2 MiB recv. The row
    starts kept for painting took 40 bytes a row."""
    data = binary_chunk_starting_like_short_lines(2 * MIB)
    capture = Capture()
    capture.append(Direction.RECEIVED, data)
    painter = TextPainter(chunk_reader(capture), 100)
    tracemalloc.start()
    try:
        rows = painter.count_rows(0)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert painter.shape_of(0).cut != "fixed"
    assert peak < CHUNK_CHECK_LIMIT, f"counting rows peaked at {peak / MIB:.1f} MiB"
    assert kept < CHUNK_KEPT_LIMIT, f"counting rows kept {kept / MIB:.1f} MiB"
    widest = max(
        painter.paint(RowRef(0, row)).cell_length for row in range(0, rows, max(1, rows // 500))
    )
    assert widest <= painter.row_cells


class CountingTextPainter(TextPainter):
    """The app's text painter, counting the rows it paints."""

    painted = 0

    def paint(self, ref: RowRef, marks: Marks = ()) -> Strip:
        CountingTextPainter.painted += 1
        return super().paint(ref, marks)


@pytest.fixture
def counting_painter(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[CountingTextPainter]]:
    monkeypatch.setattr(transcript_view, "TextPainter", CountingTextPainter)
    CountingTextPainter.painted = 0
    yield CountingTextPainter


async def test_a_10_mib_line_costs_bounded_memory_and_paints_only_what_is_shown(
    counting_painter: type[CountingTextPainter],
) -> None:
    payload = huge_line()
    baseline = rss()
    with PayloadServer(payload) as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(
                pilot,
                lambda: (
                    current_view(app).session is not None
                    and current_view(app).session.state is SessionState.CLOSED
                ),
                "the 10 MiB line and the close",
                timeout=60,
            )
            assert current_capture(app).stream_bytes(Direction.RECEIVED) == HUGE_LINE_SIZE
            view = current_log(app).text_view
            await wait_for(  # under load the close can come before the rows are all measured
                pilot,
                lambda: current_log(app).units.up_to_date and not view.layout_rows.pending,
                "the rows measured",
                timeout=60,
            )
            view.focus()
            await pilot.press("home")
            await pilot.press("f5")  # text view alone: a new width, so every row is new
            await wait_for(pilot, lambda: not current_log(app).hex_view.display, "text view only")
            height = view.scrollable_content_region.height
            assert view.scroll_y == 0
            assert view.layout_rows.total_rows > 100 * height
            counting_painter.painted = 0
            await pilot.press("end")
            await wait_for(pilot, lambda: view.scroll_y == view.max_scroll_y, "the end")
            await pilot.pause()
            painted = counting_painter.painted

            def last_rows() -> list[str]:
                return [view.row_text(view.layout_rows.total_rows - n) for n in (3, 2, 1)]

            await wait_for(pilot, lambda: "closed" in last_rows()[-1], "the closed row")
            tail = last_rows()
            growth = rss() - baseline
    assert 0 < painted <= 4 * height, f"painted {painted} rows for a {height}-row view"
    last, *events = tail
    assert last.startswith("│ ") and last.endswith(payload[-1:].decode()), tail
    assert ["EOF received" in events[0], "closed" in events[1]] == [True, True], tail
    assert growth < HUGE_LINE_RSS_LIMIT, f"RSS grew {growth / MIB:.1f} MiB"


def test_100_engine_connections_leave_no_thread_or_descriptor_behind() -> None:
    fds, threads = open_fds(), threading.active_count()
    with EchoServer() as server:
        for cycle in range(100):
            capture = Capture()
            recorder = EventRecorder()
            session = Session(server.target, capture, recorder)
            session.start()
            recorder.wait_for_event(Connected)
            session.send(b"cycle %d\n" % cycle)
            assert recorder.wait_received(len(b"cycle %d\n" % cycle))
            session.close()
            assert recorder.wait_closed().reason is EndReason.CLOSED_BY_US
            assert session.join(1.0)
            capture.close()
        assert server.wait_accepted(100)
    assert not io_threads()
    assert threading.active_count() <= threads
    assert open_fds() <= fds


async def test_20_app_connections_with_f2_and_f3_leave_no_thread_or_descriptor_behind() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        fds, threads = open_fds(), threading.active_count()
        with EchoServer() as server:
            app.query_one("#host", Input).value = "127.0.0.1"
            app.query_one("#port", Input).value = str(server.port)
            sessions = []
            for cycle in range(20):
                await pilot.press("f2")
                await wait_for(
                    pilot,
                    lambda: (
                        current_view(app).session is not None
                        and current_view(app).session.state is SessionState.OPEN
                    ),
                    f"connection {cycle + 1}",
                )
                sessions.append(current_view(app).session)
                await pilot.press("f3")
                await wait_for(
                    pilot,
                    lambda: (
                        current_view(app).session is not None
                        and current_view(app).session.state is SessionState.CLOSED
                    ),
                    f"disconnect {cycle + 1}",
                )
            assert server.wait_accepted(20)
        assert all(session is not None and session.join(1.0) for session in sessions)
        await wait_for(
            pilot,
            lambda: open_fds() <= fds and threading.active_count() <= threads,
            f"descriptors back to {fds} and threads back to {threads}",
        )
        assert not io_threads()
        assert current_view(app).connections_made == 20
