"""The log's units: blocks and events in the order they happened, numbered once and for good."""

from __future__ import annotations

from tcptui.capture.events import EventKind
from tcptui.capture.log_units import LogUnits
from tcptui.capture.store import Capture, Direction
from tcptui.codec.framing import parse_grouping

RECEIVED, SENT = Direction.RECEIVED, Direction.SENT


def described(units: LogUnits) -> list[str]:
    return [
        str(unit.event.kind) if unit.event else units.read(number).decode()
        for number, unit in enumerate(units.unit(n) for n in range(len(units)))
    ]


def test_events_sit_between_the_blocks_they_came_between() -> None:
    capture = Capture()
    capture.add_event(EventKind.CONNECTED, "a → b")
    capture.append(SENT, b"hi")
    capture.append(SENT, b"!")
    capture.add_event(EventKind.EOF_SENT)
    capture.append(RECEIVED, b"bye")
    capture.add_event(EventKind.CLOSED, "peer")
    units = LogUnits(capture, parse_grouping("stream"))
    units.update()
    assert described(units) == ["connected", "hi!", "eof-sent", "bye", "closed"]
    assert [units.unit(n).message for n in range(len(units))] == [-1, 0, -1, 1, -1]
    assert units.unit_of_message(1) == 3 and units.unit_at(2) == 1 and units.unit_at(3) == 3
    assert units.unit(4).offset == capture.total_bytes and units.read(4) == b""


def test_an_event_after_the_last_byte_keeps_its_number_when_more_bytes_come() -> None:
    capture = Capture()
    capture.append(RECEIVED, b"one ")
    units = LogUnits(capture, parse_grouping("stream"))
    units.update()
    capture.add_event(EventKind.RECONNECTED)
    units.update()
    assert described(units) == ["one ", "reconnected"]
    capture.append(RECEIVED, b"two")
    units.update()
    assert described(units) == ["one ", "reconnected", "two"]


def test_an_event_waits_until_the_index_has_reached_it() -> None:
    capture = Capture()
    for _ in range(4):
        capture.append(RECEIVED, b"ab")
    capture.add_event(EventKind.EOF_RECEIVED)
    units = LogUnits(capture, parse_grouping("chunk"))
    units.update(budget=1)
    assert len(units) == 1 and not units.up_to_date
    while units.update(budget=1):
        pass
    assert described(units) == ["ab", "ab", "ab", "ab", "eof-received"]
    assert units.up_to_date
