"""Sending a file: the bytes counted as gone out are the bytes the capture recorded."""

from __future__ import annotations

import socket
from pathlib import Path

from tcptui.capture.store import Capture, Direction
from tcptui.net.events import Connected
from tcptui.net.file_upload import PIECE, FileUpload
from tests.helpers import LoopbackServer, StartSession, pseudo_random_blocks

MIB = 1 << 20


class ResetAfterServer(LoopbackServer):
    """Reads `limit` bytes, then resets the connection in the middle of whatever comes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def handle(self, conn: socket.socket) -> None:
        taken = 0
        while taken < self.limit and (data := conn.recv(65536)):
            taken += len(data)
        self._reset(conn)


def test_bytes_counted_as_sent_are_the_bytes_recorded_when_the_peer_resets(
    start_session: StartSession, capture: Capture, tmp_path: Path
) -> None:
    path = tmp_path / "big.bin"
    with path.open("wb") as out:
        for block in pseudo_random_blocks(64 * MIB, seed=22):
            out.write(block)
    with ResetAfterServer(3 * PIECE + 1000) as server:
        session, recorder = start_session(server.target)
        recorder.wait_for_event(Connected)
        upload = FileUpload(path)
        session.send_file(upload)
        assert upload.finished.wait(30)
        recorder.wait_closed()

    assert upload.error
    recorded = capture.stream_bytes(Direction.SENT)
    assert 0 < upload.sent == recorded < upload.size
    assert upload.read >= upload.sent


def test_a_whole_file_counts_every_byte_once(tmp_path: Path) -> None:
    path = tmp_path / "small.bin"
    path.write_bytes(b"x" * (2 * PIECE + 5))
    upload = FileUpload(path)
    pieces = []
    while piece := upload.next_piece():
        pieces.append(len(piece))
        assert upload.sent == sum(pieces[:-1])
    upload.finish()
    assert upload.sent == upload.read == upload.size == sum(pieces)
