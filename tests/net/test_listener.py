"""Listen mode's engine: a server's lifecycle, accepted connections, and a prompt stop."""

from __future__ import annotations

import socket
import threading

import pytest

from tcptui.net.listener import (
    Accepted,
    Listener,
    ListenerBound,
    ListenerEvent,
    ListenerSocketCreated,
    ListenerStopped,
    Listening,
    parse_listen_address,
)
from tcptui.net.target import TargetError
from tests.helpers import DEFAULT_TIMEOUT


class Recorder:
    def __init__(self) -> None:
        self.events: list[ListenerEvent] = []
        self.sockets: list[socket.socket] = []
        self.condition = threading.Condition()

    def event(self, event: ListenerEvent) -> None:
        with self.condition:
            self.events.append(event)
            self.condition.notify_all()

    def accept(self, conn: socket.socket) -> None:
        with self.condition:
            self.sockets.append(conn)
            self.condition.notify_all()

    def wait(self, predicate: object) -> None:
        with self.condition:
            assert self.condition.wait_for(predicate, DEFAULT_TIMEOUT), self.events  # type: ignore[arg-type]


def test_listener_reports_each_step_and_hands_over_every_client() -> None:
    recorder = Recorder()
    listener = Listener("127.0.0.1", 0, recorder.event, recorder.accept)
    listener.start()
    recorder.wait(lambda: any(isinstance(e, Listening) for e in recorder.events))
    assert [type(e) for e in recorder.events] == [ListenerSocketCreated, ListenerBound, Listening]
    bound = recorder.events[1]
    assert isinstance(bound, ListenerBound) and not bound.all_interfaces
    clients = [socket.create_connection(("127.0.0.1", listener.port)) for _ in range(2)]
    recorder.wait(lambda: len(recorder.sockets) == 2)
    for index, (client, server_side) in enumerate(zip(clients, recorder.sockets, strict=True)):
        client.sendall(b"client %d" % index)
        assert server_side.recv(100) == b"client %d" % index
    peers = [e.peer for e in recorder.events if isinstance(e, Accepted)]
    assert peers == [f"127.0.0.1:{c.getsockname()[1]}" for c in clients]
    listener.stop()
    assert listener.join(1.0)
    assert isinstance(recorder.events[-1], ListenerStopped) and not recorder.events[-1].error
    recorder.sockets[0].sendall(b"still open")  # stopping the listener keeps clients
    assert clients[0].recv(100) == b"still open"
    for conn in clients + recorder.sockets:
        conn.close()


def test_port_in_use_is_a_readable_failure() -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        recorder = Recorder()
        listener = Listener("127.0.0.1", busy.getsockname()[1], recorder.event, recorder.accept)
        listener.start()
        assert listener.join(DEFAULT_TIMEOUT)
        last = recorder.events[-1]
        assert isinstance(last, ListenerStopped) and "in use" in last.error


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8080", ("127.0.0.1", 8080)),
        ("0.0.0.0:80", ("0.0.0.0", 80)),
        ("[::1]:7", ("::1", 7)),
        ("localhost:http", ("localhost", 80)),
    ],
)
def test_listen_addresses_default_to_loopback(text: str, expected: tuple[str, int]) -> None:
    assert parse_listen_address(text) == expected


@pytest.mark.parametrize("text", ["", "99999", "::1:80", "host:"])
def test_bad_listen_addresses_are_explained(text: str) -> None:
    with pytest.raises(TargetError):
        parse_listen_address(text)
