"""`--save FILE`: the received stream lands in FILE as it arrives, as `nc host port > FILE`."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tcptui.capture.live_save import LiveSaver, SaveError
from tcptui.capture.store import Capture, Direction
from tcptui.net.events import DataReceived, EndReason, Event
from tcptui.net.session import Session
from tests.helpers import (
    MIB,
    DribbleServer,
    EventRecorder,
    PayloadServer,
    pseudo_random_blocks,
    stream_bytes,
)


def test_catch_up_writes_only_new_received_bytes_each_time(tmp_path: Path) -> None:
    capture = Capture(spool_threshold=64)
    path = tmp_path / "live.bin"
    saver = LiveSaver(capture, path)
    assert path.read_bytes() == b""

    capture.append(Direction.RECEIVED, b"220 ready\r\n")
    capture.append(Direction.SENT, b"HELO x\r\n")
    assert saver.catch_up() == 11
    assert path.read_bytes() == b"220 ready\r\n"

    assert saver.catch_up() == 0
    capture.append(Direction.SENT, b"QUIT\r\n")
    capture.append(Direction.RECEIVED, bytes(range(256)))
    capture.append(Direction.RECEIVED, b"221 bye\r\n")
    assert saver.catch_up() == 256 + 9
    assert path.read_bytes() == stream_bytes(capture, Direction.RECEIVED)
    assert saver.bytes_written == capture.stream_bytes(Direction.RECEIVED)

    saver.close()
    saver.close()
    capture.close()


def test_an_existing_file_is_replaced_as_the_shell_redirection_does(tmp_path: Path) -> None:
    path = tmp_path / "old.bin"
    path.write_bytes(b"yesterday's bytes")
    capture = Capture()
    capture.append(Direction.RECEIVED, b"today")
    with LiveSaver(capture, path):
        pass
    assert path.read_bytes() == b"today"
    capture.close()


def test_a_real_connection_is_saved_byte_exact(tmp_path: Path) -> None:
    payload = b"".join(pseudo_random_blocks(3 * MIB + 11, seed=5))
    capture = Capture(spool_dir=str(tmp_path))
    path = tmp_path / "nc.out"
    saver = LiveSaver(capture, path)
    recorder = EventRecorder()

    def on_event(event: Event) -> None:
        if isinstance(event, DataReceived):
            saver.catch_up()  # as the app does for every data message
        recorder(event)

    with PayloadServer(payload) as server:
        session = Session(server.target, capture, on_event)
        session.start()
        assert recorder.wait_closed().reason is EndReason.PEER_CLOSED

    assert path.read_bytes() == payload
    assert saver.bytes_written == len(payload)
    saver.close()
    capture.close()


def test_the_file_keeps_up_while_the_connection_is_open(tmp_path: Path) -> None:
    """After each byte the server sends, the file holds every byte received so far."""
    payload = b"line one\r\n\x00\x1b[31mline two\n"
    capture = Capture()
    path = tmp_path / "live.bin"
    saver = LiveSaver(capture, path)
    recorder = EventRecorder()
    sizes_seen: list[int] = []
    lock = threading.Lock()

    def after_byte(sent: int) -> bool:
        if not recorder.wait_received(sent):
            return False
        with lock:
            saver.catch_up()
            sizes_seen.append(path.stat().st_size)
        return True

    with DribbleServer(payload, ack=after_byte) as server:
        Session(server.target, capture, recorder).start()
        recorder.wait_closed()
    saver.close()

    assert sizes_seen == list(range(1, len(payload) + 1))
    assert path.read_bytes() == payload
    capture.close()


def test_a_missing_folder_is_reported_before_anything_happens(tmp_path: Path) -> None:
    with pytest.raises(SaveError, match=r"^The folder .*nope does not exist\.$"):
        LiveSaver(Capture(), tmp_path / "nope" / "out.bin")
    assert os.listdir(tmp_path) == []


def test_a_folder_given_as_the_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SaveError, match="is a folder: add a file name"):
        LiveSaver(Capture(), tmp_path)


def test_catch_up_after_close_is_an_error(tmp_path: Path) -> None:
    saver = LiveSaver(Capture(), tmp_path / "x.bin")
    saver.close()
    with pytest.raises(ValueError, match="closed"):
        saver.catch_up()
