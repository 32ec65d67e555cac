"""Session files keep the connection's events where they happened; older files still open."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from tcptui.capture.events import ConnectionEvent, EventKind
from tcptui.capture.session_file import (
    END,
    EVENT_KIND,
    RECORD,
    CorruptSessionFileError,
    SessionMeta,
    open_session,
    save_session,
)
from tcptui.capture.store import Capture, Chunk, Direction
from tests.capture.test_session_file import SteppingClock


def conversation_with_events() -> Capture:
    """A STARTTLS exchange with an event before, between and after the chunks."""
    capture = Capture(spool_threshold=4096, clock=SteppingClock())
    capture.add_event(EventKind.CONNECTED, "127.0.0.1:40000 → 127.0.0.1:25 in 0.3 ms")
    capture.append(Direction.RECEIVED, b"220 ready\r\n")
    capture.append(Direction.SENT, b"STARTTLS\r\n")
    capture.append(Direction.RECEIVED, b"220 go ahead\r\n")
    capture.add_event(EventKind.TLS_STARTED, "TLSv1.3 TLS_AES_256_GCM_SHA384, after STARTTLS")
    capture.append(Direction.SENT, bytes(range(256)) * 40)
    capture.add_event(EventKind.EOF_SENT)
    capture.add_event(EventKind.EOF_RECEIVED, "ünïcode, \x00 and \x1b[31m kept as they were")
    capture.add_event(EventKind.CLOSED, "the peer closed the connection")
    return capture


def facts(capture: Capture) -> tuple[list[tuple[Chunk, bytes]], list[ConnectionEvent]]:
    chunks = [(chunk, capture.read_chunk(chunk.index)) for chunk in capture.chunks()]
    return chunks, capture.events.events()


def test_events_and_chunks_round_trip_exactly(tmp_path: Path) -> None:
    original = conversation_with_events()
    path = tmp_path / "events.tcptui"
    save_session(original, path, SessionMeta(target="mail:25"))

    reopened, _ = open_session(path)

    assert facts(reopened) == facts(original)
    assert [event.before_chunk for event in reopened.events.events()] == [0, 3, 4, 4, 4]
    original.close()
    reopened.close()


def test_event_records_follow_the_documented_layout(tmp_path: Path) -> None:
    """A reader written from the module docstring alone can find each event and its place."""
    original = conversation_with_events()
    path = tmp_path / "layout.tcptui"
    save_session(original, path, SessionMeta())
    _, _, records = path.read_bytes().split(b"\n", 2)

    position, chunks, found = 0, 0, []
    while records[position] != 0xFF:
        kind, mono, wall, length = RECORD.unpack_from(records, position)
        data = records[position + RECORD.size : position + RECORD.size + length]
        if kind == EVENT_KIND:
            fields = json.loads(data.decode("ascii"))
            assert fields["before_chunk"] == chunks
            found.append((fields["event"], fields["detail"], mono, wall))
        else:
            chunks += 1
        position += RECORD.size + length

    expected = [(e.kind.value, e.detail, e.mono_ns, e.wall_ns) for e in original.events.events()]
    assert found == expected
    assert END.unpack(records[position + 1 :])[:2] == (len(original), original.total_bytes)
    original.close()


def test_a_version_1_file_without_events_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "old.tcptui"
    body = RECORD.pack(0, 1, 2, 3) + b"abc" + b"\xff" + END.pack(1, 3, zlib.crc32(b"abc"))
    path.write_bytes(b'TCPTUI-SESSION 1\n{"target":"h:1"}\n' + body)

    capture, meta = open_session(path)

    assert meta.target == "h:1"
    assert capture.read(0, 3) == b"abc"
    assert len(capture.events) == 0
    capture.close()


def test_a_version_1_file_has_no_event_records(tmp_path: Path) -> None:
    data = b'{"event":"connected","detail":"","before_chunk":0}'
    path = tmp_path / "old-with-event.tcptui"
    body = RECORD.pack(EVENT_KIND, 0, 0, len(data)) + data + b"\xff" + END.pack(0, 0, 0)
    path.write_bytes(b"TCPTUI-SESSION 1\n{}\n" + body)

    with pytest.raises(CorruptSessionFileError, match="record 0 .* unknown kind 2"):
        open_session(path)
