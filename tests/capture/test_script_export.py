"""An exported script, run with this test's Python against the real server it was recorded with."""

from __future__ import annotations

import ast
import py_compile
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tcptui.capture.conversation import Turn, conversation, record_sequence
from tcptui.capture.events import EventKind
from tcptui.capture.script_export import ScriptKind, ScriptTarget, export_script, render_script
from tcptui.capture.store import Capture
from tcptui.codec.automation_rules import SendStep, parse_sequence
from tcptui.net.events import Connected
from tcptui.net.session import Session
from tests.helpers import EventRecorder, HalfCloseServer, LoopbackServer

SCRIPT_TIMEOUT = 60


class ShoutServer(LoopbackServer):
    """Greets, then answers each line in capitals: the same conversation every time."""

    def __init__(self, greeting: bytes = b"HELLO\r\n") -> None:
        super().__init__()
        self.greeting = greeting

    def handle(self, conn: socket.socket) -> None:
        conn.sendall(self.greeting)
        while data := conn.recv(65536):
            conn.sendall(data.upper())


def record(server: ShoutServer, capture: Capture) -> None:
    recorder = EventRecorder()
    session = Session(server.target, capture, recorder)
    session.start()
    try:
        recorder.wait_for_event(Connected)
        assert recorder.wait_for(lambda: recorder.received_bytes == 7)
        for number, line in enumerate([b"ping\n", b"\x00binary\xff\n"], 1):
            session.send(line)
            expected = 7 + sum(len(x) for x in [b"ping\n", b"\x00binary\xff\n"][:number])
            assert recorder.wait_for(lambda e=expected: recorder.received_bytes == e)
    finally:
        session.close()
        assert session.join(10)


def run_script(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(path)],
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
        check=False,
    )


def test_the_python_script_replays_and_passes_against_the_same_server(
    capture: Capture, tmp_path: Path
) -> None:
    with ShoutServer() as server:
        record(server, capture)
        script = tmp_path / "replay.py"
        export_script(capture, script, ScriptKind.PYTHON, ScriptTarget(*server.address))
        result = run_script(script)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "all 3 replies matched\n"
    text = script.read_text()
    assert "import ssl" not in text and "import socket" in text


def test_the_python_script_prints_what_differs(capture: Capture, tmp_path: Path) -> None:
    with ShoutServer() as server:
        record(server, capture)
    with ShoutServer(b"HOWDY\r\n") as other:
        script = tmp_path / "replay.py"
        export_script(capture, script, ScriptKind.PYTHON, ScriptTarget(*other.address))
        result = run_script(script)
    assert result.returncode == 1
    assert "step 1: the reply differs" in result.stdout
    assert "expected b'HELLO\\r\\n'" in result.stdout
    assert "got      b'HOWDY\\r\\n'" in result.stdout
    assert "1 of 3 replies differed" in result.stdout


def test_the_pwntools_script_is_valid_python_using_remote_send_recvuntil(
    capture: Capture, tmp_path: Path
) -> None:
    with ShoutServer() as server:
        record(server, capture)
        script = tmp_path / "replay.pwn.py"
        target = ScriptTarget(server.host, server.port, tls=True, server_name="example.test")
        export_script(capture, script, ScriptKind.PWNTOOLS, target)
    py_compile.compile(str(script), doraise=True)
    text = script.read_text()
    assert "from pwn import context, remote" in text
    assert "io.send(message)" in text and "io.recvuntil(expected" in text
    assert "SERVER_NAME = 'example.test'" in text


def test_a_recorded_sequence_reads_back_as_the_same_sends(capture: Capture) -> None:
    with ShoutServer() as server:
        record(server, capture)
    turns = conversation(capture)
    assert turns == [
        Turn(b"", b"HELLO\r\n"),
        Turn(b"ping\n", b"PING\n"),
        Turn(b"\x00binary\xff\n", b"\x00BINARY\xff\n"),
    ]
    steps = parse_sequence(tomllib.loads(record_sequence(turns)))
    assert [s.action.data for s in steps if isinstance(s.action, SendStep)] == [
        b"ping\n",
        b"\x00binary\xff\n",
    ]


HOSTILE_TEXT = [
    'a"""b',
    "a'''b",
    "a\\N{x}b",
    "a\\",
    "line\nbreak",
    "nul\x00byte",
    "{host}{{}}",
    "\u202eevil",
    "bad\udc80surrogate",
]


@pytest.mark.parametrize("kind", list(ScriptKind))
@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_a_script_for_a_hostile_host_and_payload_compiles_and_keeps_them(
    kind: ScriptKind, text: str
) -> None:
    target = ScriptTarget(text, 7, tls=True, server_name=text)
    payload = text.encode("utf-8", "surrogateescape") + b'"""\\N{x}\r\n\x1b]0;t\x07'
    script = render_script(kind, target, [Turn(payload, payload[::-1]), Turn(b"", payload)])
    tree = ast.parse(script)
    values = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert values["HOST"] == text and values["SERVER_NAME"] == text
    assert values["STEPS"] == [(payload, payload[::-1]), (b"", payload)]
    assert ast.get_docstring(tree) is not None and text not in ast.get_docstring(tree)
    script.encode("utf-8")


def record_half_close(server: HalfCloseServer, capture: Capture) -> None:
    """A request, then EOF (ctrl+d), then the reply the server sends only after it."""
    recorder = EventRecorder()
    session = Session(server.target, capture, recorder)
    session.start()
    try:
        recorder.wait_for_event(Connected)
        session.send(b"request")
        session.half_close()
        recorder.wait_closed()
    finally:
        session.close()
        assert session.join(10)


def test_the_eof_we_sent_is_a_turn_fact_and_the_script_sends_it_again(
    capture: Capture, tmp_path: Path
) -> None:
    with HalfCloseServer() as server:
        record_half_close(server, capture)
        assert conversation(capture) == [Turn(b"request", b"got 7 bytes\n", eof_sent=True)]
        script = tmp_path / "half-close.py"
        export_script(capture, script, ScriptKind.PYTHON, ScriptTarget(*server.address))
        result = run_script(script)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "all 1 replies matched\n"


def test_an_eof_before_any_byte_belongs_to_its_own_connection_only(capture: Capture) -> None:
    """ctrl+d at once on the second connection: the script half-closes; the first
    connection's EOF, recorded at the same place, is not this connection's."""
    with HalfCloseServer() as server:
        record_half_close(server, capture)
        first_chunk = len(capture)
        capture.add_event(EventKind.RECONNECTED, "connection 2")
        recorder = EventRecorder()
        session = Session(server.target, capture, recorder)
        session.start()
        recorder.wait_for_event(Connected)
        session.half_close()
        recorder.wait_closed()
        assert session.join(10)

    assert conversation(capture, first_chunk) == [Turn(b"", b"got 0 bytes\n", eof_sent=True)]
    assert conversation(capture)[0] == Turn(b"request", b"got 7 bytes\n", eof_sent=True)


def test_the_pwntools_script_half_closes_after_the_same_step(
    capture: Capture, tmp_path: Path
) -> None:
    with HalfCloseServer() as server:
        record_half_close(server, capture)
    script = tmp_path / "half-close-pwn.py"
    export_script(capture, script, ScriptKind.PWNTOOLS, ScriptTarget("127.0.0.1", 7))
    py_compile.compile(str(script), doraise=True)
    text = script.read_text()
    assert "EOF_AFTER_STEP = 1 " in text and 'io.shutdown("send")' in text


def test_without_an_eof_or_over_tls_the_script_never_half_closes() -> None:
    eof_turns = [Turn(b"request", b"reply", eof_sent=True)]
    for kind in ScriptKind:
        assert "EOF_AFTER_STEP = None " in render_script(
            kind, ScriptTarget("h", 1), [Turn(b"a", b"b")]
        )
        assert "EOF_AFTER_STEP = None " in render_script(
            kind, ScriptTarget("h", 1, tls=True), eof_turns
        )
