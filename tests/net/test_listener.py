"""Listen mode's engine: a server's lifecycle, accepted clients, the limit and a prompt stop."""

from __future__ import annotations

import socket
import struct
from pathlib import Path

import pytest

from tcptui.capture.listen_save import client_save_path
from tcptui.capture.store import Direction
from tcptui.net.listener import (
    ListenerBound,
    ListenerSocketCreated,
    ListenerStopped,
    Listening,
    parse_listen_address,
)
from tcptui.net.session import SessionState
from tcptui.net.target import TargetError
from tests.helpers import DEFAULT_TIMEOUT, stream_bytes
from tests.net.listen_harness import ListenHarness


def test_listener_reports_each_step_and_starts_a_session_per_client() -> None:
    harness = ListenHarness()
    port = harness.start()
    assert [type(e) for e in harness.events] == [ListenerSocketCreated, ListenerBound, Listening]
    bound = harness.events[1]
    assert isinstance(bound, ListenerBound) and not bound.all_interfaces
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
    try:
        for index, client in enumerate(clients):
            client.sendall(b"client %d" % index)
        harness.wait(
            lambda: [row.bytes_in for row in harness.book.rows()] == [8, 8], "both clients' bytes"
        )
        rows = harness.book.rows()
        assert [row.peer for row in rows] == [f"127.0.0.1:{c.getsockname()[1]}" for c in clients]
        assert all(row.state is SessionState.OPEN for row in rows)
        for index, row in enumerate(rows):
            client_entry = harness.book.client(row.number)
            assert client_entry is not None
            assert stream_bytes(client_entry.capture, Direction.RECEIVED) == b"client %d" % index
        harness.listener.stop()
        assert harness.listener.join(DEFAULT_TIMEOUT)
        last = harness.events[-1]
        assert isinstance(last, ListenerStopped) and not last.error
        second = harness.book.client(rows[1].number)
        assert second is not None and second.session is not None
        second.session.send(b"still open")  # stopping the listener keeps its clients
        clients[1].settimeout(DEFAULT_TIMEOUT)
        assert clients[1].recv(100) == b"still open"
    finally:
        for client in clients:
            client.close()
        harness.stop()


def test_clients_over_the_limit_are_closed_at_once_and_counted() -> None:
    harness = ListenHarness(max_clients=2)
    port = harness.start()
    held = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
    try:
        harness.wait(lambda: harness.book.tally().held == 2, "two held clients")
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", port)) as extra:
                extra.settimeout(DEFAULT_TIMEOUT)
                assert extra.recv(10) == b"", "a client over the limit is closed"
        harness.wait(lambda: harness.book.tally().refused == 3, "three refusals")
        held[0].close()
        harness.wait(lambda: harness.book.tally().held == 1, "a free place")
        with socket.create_connection(("127.0.0.1", port)) as late:
            late.sendall(b"in")
            harness.wait(lambda: any(r.bytes_in == 2 for r in harness.book.rows()), "taken")
        assert harness.book.tally().refused == 3
    finally:
        for client in held:
            client.close()
        harness.stop()


def test_port_in_use_is_a_readable_failure() -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        harness = ListenHarness()
        harness.listener.port = busy.getsockname()[1]
        harness.listener.start()
        assert harness.listener.join(DEFAULT_TIMEOUT)
        last = harness.events[-1]
        assert isinstance(last, ListenerStopped) and "in use" in last.error


def test_each_client_is_saved_to_its_own_file_byte_exact(tmp_path: Path) -> None:
    base = tmp_path / "capture.bin"
    harness = ListenHarness(save_base=str(base))
    port = harness.start()
    payloads = [bytes(range(256)) * 64 + b"client %d\r\n\x00" % n for n in range(3)]
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in payloads]
    try:
        harness.wait(lambda: len(harness.book.rows()) == 3, "three clients")
        for client, payload in zip(clients, payloads, strict=True):
            for start in range(0, len(payload), 1000):
                client.sendall(payload[start : start + 1000])
        harness.wait(
            lambda: [r.bytes_in for r in harness.book.rows()] == [len(p) for p in payloads],
            "every byte",
        )
        for number, (client, payload) in enumerate(zip(clients, payloads, strict=True), 1):
            path = Path(client_save_path(str(base), number, "127.0.0.1", client.getsockname()[1]))
            assert path.name == f"capture.{number}-127.0.0.1-{client.getsockname()[1]}.bin"
            # Flushed while the client is connected: the I/O thread writes a read to the file
            # just after the capture counts it, so the file may trail the count for a moment.
            harness.wait(
                lambda path=path, payload=payload: saved_bytes(path) == payload,
                f"client {number}'s file",
            )
        assert not base.exists()
    finally:
        for client in clients:
            client.close()
        harness.stop()


@pytest.mark.parametrize(
    ("base", "host", "expected"),
    [
        ("capture.bin", "127.0.0.1", "capture.3-127.0.0.1-51234.bin"),
        ("out/dump", "127.0.0.1", "out/dump.3-127.0.0.1-51234"),
        ("capture.bin", "::1", "capture.3-__1-51234.bin"),
        ("capture.bin", "fe80::1%eth0", "capture.3-fe80__1_eth0-51234.bin"),
    ],
)
def test_save_file_names_carry_the_client_number_and_address(
    base: str, host: str, expected: str
) -> None:
    assert client_save_path(base, 3, host, 51234) == expected


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


def test_a_client_that_resets_after_sending_keeps_its_row_and_bytes() -> None:
    harness = ListenHarness()
    port = harness.start()
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(b"last words")
    harness.wait(lambda: [r.bytes_in for r in harness.book.rows()] == [10], "the bytes")
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()
    harness.wait(lambda: harness.book.tally().held == 0, "the reset to end the client")
    (row,) = harness.book.rows()
    assert row.state is SessionState.CLOSED and row.bytes_in == 10
    found = harness.book.client(row.number)
    assert found is not None and stream_bytes(found.capture, Direction.RECEIVED) == b"last words"
    assert harness.book.tally().silent == 0
    harness.stop()


def saved_bytes(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""
