"""A capture's events told as the panel of an opened session tells them: only what they say."""

from __future__ import annotations

from collections.abc import Iterator

from tcptui.capture.events import ConnectionEvent, EventKind, EventLog
from tcptui.net.events import Step
from tcptui.ui.connection_story import NO_STORY, connection_story, connections_line

START_NS = 1_700_000_000_000_000_000  # 2023-11-14 22:13:20 UTC
CONNECTED = "127.0.0.1:40312 → 127.0.0.1:4433 in 0.4 ms"
TLS = "TLSv1.3 TLS_AES_256_GCM_SHA384, ALPN h2, handshake 3.1 ms"


def events(*kinds_and_details: tuple[EventKind, str]) -> list[ConnectionEvent]:
    """Events 250 ms apart, as a capture's event log holds them."""
    log = EventLog()
    ticks: Iterator[int] = iter(range(0, 10**12, 250_000_000))
    for kind, detail in kinds_and_details:
        tick = next(ticks)
        log.add(kind, detail, 0, tick, START_NS + tick)
    return log.events()


def test_no_events_tell_nothing() -> None:
    assert connection_story([]) == NO_STORY
    assert connections_line(NO_STORY) == ""


def test_a_tls_connection_closed_by_the_peer_tells_each_step() -> None:
    story = connection_story(
        events(
            (EventKind.CONNECTED, CONNECTED),
            (EventKind.TLS_STARTED, TLS),
            (EventKind.EOF_SENT, ""),
            (EventKind.EOF_RECEIVED, ""),
            (EventKind.CLOSED, "by the peer"),
        )
    )

    assert story.steps == {
        Step.SOCKET: ("ended", "SOCK_STREAM"),
        Step.HANDSHAKE: (
            "ended",
            "connected to 127.0.0.1:4433 from 127.0.0.1:40312 in 0.4 ms at 2023-11-14 22:13:20 UTC",
        ),
        Step.CLOSED: ("ended", "by the peer"),
    }
    assert story.data_notes == ("you sent EOF", "the peer sent EOF")
    assert story.tls == ("TLSv1.3 · TLS_AES_256_GCM_SHA384", "ALPN h2", "handshake 3.1 ms")
    assert story.lasted_ns == 1_000_000_000
    assert story.short == "TLSv1.3 · closed by the peer"
    assert story.connections == 1 and connections_line(story) == ""


def test_after_reconnects_the_last_connection_is_told_and_they_are_counted() -> None:
    story = connection_story(
        events(
            (EventKind.CONNECTED, CONNECTED),
            (EventKind.TLS_STARTED, TLS),
            (EventKind.CLOSED, "by you"),
            (EventKind.RECONNECTED, "connection 2 to 127.0.0.1:4433"),
            (EventKind.CONNECTED, "127.0.0.1:40314 → 127.0.0.1:4433 in 0.2 ms"),
            (EventKind.CLOSED, "by the peer"),
            (EventKind.RECONNECTED, "connection 3 to 127.0.0.1:4433"),
            (EventKind.CONNECTED, "127.0.0.1:40316 → 127.0.0.1:4433 in 0.3 ms"),
        )
    )

    assert "from 127.0.0.1:40316 in 0.3 ms" in story.steps[Step.HANDSHAKE][1]
    assert Step.CLOSED not in story.steps  # the file ends while it was open: no end is made up
    assert story.tls == () and story.lasted_ns is None
    assert story.connections == 3
    assert story.short == "3 connections"
    assert connections_line(story) == "The last of 3 connections (reconnected twice)."


def test_a_reset_is_a_failed_end() -> None:
    story = connection_story(
        events((EventKind.CONNECTED, CONNECTED), (EventKind.RESET, "[Errno 104] reset by peer"))
    )

    assert story.steps[Step.CLOSED] == ("failed", "reset by the peer: [Errno 104] reset by peer")
    assert story.short == "reset by the peer"


def test_an_end_before_any_connection_failed_and_names_no_address() -> None:
    story = connection_story(
        events((EventKind.CLOSED, "the connection was refused: [Errno 111] Connection refused"))
    )

    assert story.steps == {
        Step.CLOSED: ("failed", "the connection was refused: [Errno 111] Connection refused")
    }
    assert story.short == "closed: the connection was refused"


def test_an_accepted_client_is_accepted_not_dialled() -> None:
    story = connection_story(
        events(
            (EventKind.ACCEPTED, "127.0.0.1:50000 → 127.0.0.1:9000"), (EventKind.CLOSED, "by you")
        )
    )

    assert story.steps[Step.SOCKET] == ("ended", "accepted by the listener")
    assert story.steps[Step.HANDSHAKE] == (
        "ended",
        "accepted from 127.0.0.1:50000 on 127.0.0.1:9000",
    )


def test_hostile_details_come_out_inert() -> None:
    hostile = "[@click=app.quit]\x1b]0;owned\x07"
    story = connection_story(
        events(
            (EventKind.CONNECTED, f"{hostile} → 10.0.0.1:1 {hostile}"),
            (EventKind.TLS_STARTED, f"TLSv1.3 {hostile}, ALPN {hostile}\nx"),
            (EventKind.CLOSED, hostile),
        )
    )

    told = [detail for _, detail in story.steps.values()] + [*story.tls, story.short]
    assert all("\x1b" not in line and "\x07" not in line and "\n" not in line for line in told)
    assert "connected to 10.0.0.1:1 from [@click=app.quit]␛]0;owned␇" in told[1]
    assert story.tls[1] == "ALPN [@click=app.quit]␛]0;owned␇\\nx"
    assert story.steps[Step.CLOSED] == ("ended", "[@click=app.quit]␛]0;owned␇")


def test_a_detail_without_two_addresses_is_shown_as_it_is() -> None:
    story = connection_story(events((EventKind.CONNECTED, "somewhere")))

    assert story.steps == {Step.HANDSHAKE: ("ended", "connected: somewhere")}


def test_an_end_recorded_before_the_opening_gives_no_duration() -> None:
    log = EventLog()
    log.add(EventKind.CONNECTED, CONNECTED, 0, 5_000, START_NS)
    log.add(EventKind.CLOSED, "by you", 0, 1_000, START_NS)

    assert connection_story(log.events()).lasted_ns is None
