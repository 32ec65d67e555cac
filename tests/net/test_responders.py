"""Responders against real loopback peers: a server we connect to, and clients of a listener."""

from __future__ import annotations

import random
import re
import socket
import subprocess
import threading
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcptui.capture.store import Capture, Direction
from tcptui.codec.automation_rules import ResponderRule, parse_responders
from tcptui.net.events import Closed, Connected, EndReason
from tcptui.net.responders import BACKLOG_CHECK, REPLY_BACKLOG, Responders
from tcptui.net.session import Session
from tests.helpers import EventRecorder, LoopbackServer
from tests.helpers.tools import require_tool
from tests.helpers.waiting import DEFAULT_TIMEOUT
from tests.net.listen_harness import ListenHarness


def rules(toml_tables: list[dict[str, object]]) -> list[ResponderRule]:
    return parse_responders({"responder": toml_tables})


def sent_chunks(capture: Capture) -> list[tuple[bytes, str]]:
    return [
        (capture.read_chunk(chunk.index), capture.note(chunk.index))
        for chunk in capture.chunks()
        if chunk.direction is Direction.SENT
    ]


class ScriptedServer(LoopbackServer):
    """Sends what the test hands it, one write at a time, and records what it receives."""

    def __init__(self) -> None:
        super().__init__()
        self.conn: socket.socket | None = None
        self.connected = threading.Event()

    def handle(self, conn: socket.socket) -> None:
        self.conn = conn
        self.connected.set()
        while data := conn.recv(65536):
            self._record(data)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


def connect_with(
    server: ScriptedServer, capture: Capture, responder_rules: list[ResponderRule]
) -> tuple[Session, Responders, socket.socket, EventRecorder]:
    responders = Responders(responder_rules, capture)
    recorder = EventRecorder()
    session = Session(server.target, capture, responders.tap(recorder))
    responders.start(session)
    session.start()
    recorder.wait_for_event(Connected)
    assert server.connected.wait(DEFAULT_TIMEOUT)
    assert server.conn is not None
    return session, responders, server.conn, recorder


def wait_received(recorder: EventRecorder, nbytes: int) -> None:
    """Until `nbytes` were received, so the server's next write is a read of its own."""
    assert recorder.wait_for(lambda: recorder.received_bytes >= nbytes)


def test_a_pattern_split_across_reads_is_answered_once(
    server: ScriptedServer, capture: Capture
) -> None:
    session, responders, conn, recorder = connect_with(
        server, capture, rules([{"match": "PING\\r\\n", "reply": "PONG {counter}\\r\\n"}])
    )
    conn.sendall(b"xxPI")
    wait_received(recorder, 4)
    conn.sendall(b"NG\r")
    wait_received(recorder, 7)
    conn.sendall(b"\nPING\r\n")
    assert server.wait_received(len(b"PONG 1\r\nPONG 2\r\n"))
    assert server.received == b"PONG 1\r\nPONG 2\r\n"
    assert recorder.wait_for(lambda: recorder.sent_bytes == len(server.received))
    assert sent_chunks(capture) == [(b"PONG 1\r\n", "↩ rule 1"), (b"PONG 2\r\n", "↩ rule 1")]
    session.close()
    assert session.join(DEFAULT_TIMEOUT) and responders.join(DEFAULT_TIMEOUT)


def test_a_regex_group_fills_the_reply(server: ScriptedServer, capture: Capture) -> None:
    rule = {"name": "get", "regex": "^GET (\\S+) HTTP", "reply": "200 {1}\\n"}
    session, responders, conn, recorder = connect_with(server, capture, rules([rule]))
    conn.sendall(b"GET /ind")
    wait_received(recorder, 8)
    conn.sendall(b"ex.html HTTP/1.0\r\n")
    assert server.wait_received(len(b"200 /index.html\n"))
    assert server.received == b"200 /index.html\n"
    assert recorder.wait_for(lambda: recorder.sent_bytes == len(server.received))
    assert sent_chunks(capture) == [(b"200 /index.html\n", "↩ get")]
    session.close()


def test_hex_wildcards_once_and_delay(server: ScriptedServer, capture: Capture) -> None:
    session, responders, conn, recorder = connect_with(
        server,
        capture,
        rules(
            [
                {"hex": "de ad ?? ef", "reply_hex": "ca fe", "once": True, "name": "magic"},
                {"match": "slow", "reply_mixed": "late{0d 0a}", "delay_ms": 50},
            ]
        ),
    )
    conn.sendall(b"\xde\xad\x01\xef\xde\xad\x02\xefslow")
    assert server.wait_received(len(b"\xca\xfelate\r\n"))
    assert server.received == b"\xca\xfelate\r\n"
    assert responders.fired("magic") == 1
    session.close()


def test_each_listened_client_gets_its_own_responders() -> None:
    harness = ListenHarness(
        responders=tuple(rules([{"match": "hello", "reply": "hi #{counter}\\n"}]))
    )
    port = harness.start()
    try:
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
        for client in clients:
            client.settimeout(DEFAULT_TIMEOUT)
        clients[0].sendall(b"hel")
        harness.wait(
            lambda: (
                (served := harness.book.client(1)) is not None and served.capture.total_bytes == 3
            ),
            "the first client's first read",
        )
        clients[1].sendall(b"hello")
        assert clients[1].recv(100) == b"hi #1\n"
        clients[0].sendall(b"lo hello")
        got = b""
        while len(got) < len(b"hi #1\nhi #2\n"):
            got += clients[0].recv(100)
        assert got == b"hi #1\nhi #2\n"
        for client in clients:
            client.close()
    finally:
        harness.stop()


def test_a_match_at_the_end_of_a_flood_is_answered_once_the_rules_catch_up(
    server: ScriptedServer, capture: Capture
) -> None:
    session, responders, conn, recorder = connect_with(
        server, capture, rules([{"match": "NEEDLE-1234", "reply": "found"}])
    )
    flood = random.Random(7).randbytes(24 << 20).replace(b"N", b"n")
    conn.sendall(flood + b"NEEDLE-1234")
    assert server.wait_received(len(b"found"), timeout=60)
    assert server.received == b"found"
    assert responders.matched_bytes == len(flood) + len(b"NEEDLE-1234")
    session.close()


def read_to_eof(sock: socket.socket) -> bytes:
    got = b""
    while part := sock.recv(65536):
        got += part
    return got


def test_a_client_that_half_closes_after_its_request_still_gets_every_reply() -> None:
    harness = ListenHarness(
        responders=tuple(
            rules(
                [
                    {"match": "PING\\r\\n", "reply": "PONG\\r\\n"},
                    {"match": "SLOW", "reply": "late\\r\\n", "delay_ms": 50},
                ]
            )
        )
    )
    port = harness.start()
    try:
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.settimeout(DEFAULT_TIMEOUT)
            client.sendall(b"PING\r\nSLOW")
            client.shutdown(socket.SHUT_WR)
            assert read_to_eof(client) == b"PONG\r\nlate\r\n"
    finally:
        harness.stop()


def test_a_server_that_sends_and_half_closes_is_answered_before_we_close(
    server: ScriptedServer, capture: Capture
) -> None:
    session, responders, conn, recorder = connect_with(
        server, capture, rules([{"match": "HELLO", "reply": "BYE"}])
    )
    conn.sendall(b"HELLO")
    conn.shutdown(socket.SHUT_WR)
    assert server.wait_received(3)
    assert server.received == b"BYE"
    closed = recorder.wait_for_event(Closed)
    assert closed.reason is EndReason.PEER_CLOSED and closed.unsent_bytes == 0
    assert session.join(DEFAULT_TIMEOUT) and responders.join(DEFAULT_TIMEOUT)


def test_a_close_rule_closes_the_connection_once_its_reply_is_out(
    server: ScriptedServer, capture: Capture
) -> None:
    session, responders, conn, recorder = connect_with(
        server, capture, rules([{"name": "bye", "match": "QUIT", "reply": "bye", "close": True}])
    )
    conn.sendall(b"QUIT")
    closed = recorder.wait_for_event(Closed)
    assert closed.reason is EndReason.CLOSED_BY_US and "'bye'" in closed.detail
    assert server.wait_received(3) and server.received == b"bye"
    assert session.join(DEFAULT_TIMEOUT) and responders.join(DEFAULT_TIMEOUT)


def readme_http_mock() -> list[ResponderRule]:
    """The README's responders example, as a user would copy it into mock.toml."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", readme, re.DOTALL)
    (example,) = [block for block in blocks if 'regex = "^GET' in block]
    return parse_responders(tomllib.loads(example))


def test_the_readme_http_mock_answers_a_real_http_client() -> None:
    harness = ListenHarness(responders=tuple(readme_http_mock()))
    port = harness.start()
    try:
        url = f"http://127.0.0.1:{port}/hello.txt"
        with urllib.request.urlopen(url, timeout=DEFAULT_TIMEOUT) as response:
            assert response.status == 200
            body = response.read()
        assert body.startswith(b"you asked for /hello.txt at ")
    finally:
        harness.stop()


def test_replies_to_a_client_that_never_reads_pause_matching_and_lose_nothing() -> None:
    harness = ListenHarness(responders=tuple(rules([{"match": "x", "reply": "{random:4096}"}])))
    port = harness.start()
    requests = 4096
    try:
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.settimeout(DEFAULT_TIMEOUT)
            client.sendall(b"x" * requests)
            harness.wait(lambda: harness.book.client(1) is not None, "the client's admission")
            served = harness.book.client(1)
            assert served is not None and served.session is not None
            assert served.responders is not None
            assert served.responders.paused.wait(DEFAULT_TIMEOUT)
            assert served.session.queued_bytes <= REPLY_BACKLOG + BACKLOG_CHECK
            assert served.responders.fired("rule 1") < requests
            got = 0
            while got < requests * 4096:
                got += len(client.recv(1 << 20))
            assert got == requests * 4096
            assert served.responders.fired("rule 1") == requests
    finally:
        harness.stop()


def test_ncat_piping_a_request_gets_the_reply_as_in_the_qa_report() -> None:
    ncat = require_tool("ncat", "ncat")
    harness = ListenHarness(
        responders=tuple(rules([{"match": "PING\\r\\n", "reply": "PONG\\r\\n"}]))
    )
    port = harness.start()
    try:
        done = subprocess.run(
            [ncat, "127.0.0.1", str(port)],
            input=b"PING\r\n",
            capture_output=True,
            timeout=DEFAULT_TIMEOUT * 3,
            check=False,
        )
        assert done.stdout == b"PONG\r\n", done.stderr
    finally:
        harness.stop()
