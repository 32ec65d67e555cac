"""Connection events sit between the chunks they happened between."""

from __future__ import annotations

import sys
import threading

from tcptui.capture.events import EventKind
from tcptui.capture.store import Capture, Direction


def test_an_event_is_placed_after_the_chunks_stored_before_it() -> None:
    capture = Capture()
    capture.add_event(EventKind.CONNECTED, "127.0.0.1:40000 → 127.0.0.1:80")
    capture.append(Direction.SENT, b"STARTTLS\r\n")
    capture.append(Direction.RECEIVED, b"220 go ahead\r\n")
    started = capture.add_event(EventKind.TLS_STARTED, "TLSv1.3 TLS_AES_256_GCM_SHA384")
    capture.append(Direction.SENT, b"secret")

    assert [event.kind for event in capture.events.events()] == [
        EventKind.CONNECTED,
        EventKind.TLS_STARTED,
    ]
    assert started.index == 1
    assert started.before_chunk == 2
    assert capture.events[0].before_chunk == 0
    assert capture.events.count_before(0) == 1
    assert capture.events.count_before(2) == 2
    assert capture.events.count_before(1) == 1
    assert started.detail == "TLSv1.3 TLS_AES_256_GCM_SHA384"


def test_event_times_come_from_the_capture_clock() -> None:
    ticks = iter([(5, 105), (7, 107)])
    capture = Capture(clock=lambda: next(ticks))
    capture.append(Direction.RECEIVED, b"x")
    event = capture.add_event(EventKind.EOF_RECEIVED)
    assert (event.mono_ns, event.wall_ns, event.detail) == (7, 107, "")


def test_events_from_another_thread_keep_their_order() -> None:
    capture = Capture()
    done = threading.Event()

    def record() -> None:
        for _ in range(1000):
            capture.add_event(EventKind.RESET, "peer reset")
        done.set()

    worker = threading.Thread(target=record)
    worker.start()
    assert done.wait(10)
    worker.join(10)
    assert [event.index for event in capture.events.events()] == list(range(1000))


def test_events_placed_from_two_threads_while_chunks_arrive_stay_in_place_order() -> None:
    """The UI records `reconnected` while an I/O thread appends and records its own: the log
    must stay sorted by place, or readers (bisect, session files) would misplace them."""
    capture = Capture()
    started = threading.Barrier(2)
    rounds = 10_000

    def io_thread() -> None:
        started.wait()
        for _ in range(rounds):
            capture.append(Direction.RECEIVED, b"x")
            capture.add_event(EventKind.EOF_RECEIVED)

    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # hand the GIL over as often as possible: races show up
    try:
        worker = threading.Thread(target=io_thread)
        worker.start()
        started.wait()
        for _ in range(rounds):
            capture.add_event(EventKind.RECONNECTED, "connection 2")
        worker.join(10)
    finally:
        sys.setswitchinterval(switch_interval)
    assert not worker.is_alive()

    places = [event.before_chunk for event in capture.events.events()]
    assert places == sorted(places)
    assert len(places) == 2 * rounds
