"""An exported script speaks TLS where the session did: after a STARTTLS it upgrades at the same
step with the session's trust, and no byte that went encrypted goes out in plaintext.

The scripts run (with this test's Python) through a wire tap in front of the real server: the
tap keeps what crossed the wire, as an eavesdropper would see it.
"""

from __future__ import annotations

import ast
import py_compile
import selectors
import socket
import ssl
from contextlib import suppress
from pathlib import Path

import pytest

from tcptui.capture.conversation import Turn, conversation
from tcptui.capture.script_export import ScriptKind, ScriptTarget, export_script, render_script
from tcptui.capture.store import Capture
from tcptui.net.events import Connected, TlsEstablished
from tcptui.net.session import ConnectOptions, Session
from tcptui.net.target import Target
from tcptui.net.tls import TlsOptions, TlsVersion
from tests.capture.test_script_export import run_script
from tests.helpers import (
    EventRecorder,
    LoopbackServer,
    StartSession,
    StartTlsServer,
    TestPki,
    TlsServer,
    make_pki,
    server_context,
)
from tests.helpers.servers import HOLD_LIMIT

SECRET = b"AUTH PLAIN c2VjcmV0LXBhc3N3b3Jk\r\n"
"""What went encrypted in the session: long enough never to turn up in ciphertext by chance."""

TLS_HANDSHAKE_RECORD = b"\x16\x03"
"""How a TLS ClientHello starts on the wire (record type 22, version 3.x)."""

STARTTLS_TURNS = [
    Turn(b"HELLO\r\n", b"250 plain\r\n"),
    Turn(b"STARTTLS\r\n", b"220 go ahead\r\n", tls_started=True),
    Turn(SECRET, b"tls:" + SECRET),
]


class WireTap(LoopbackServer):
    """Passes each connection through to `upstream`, keeping (in `received`) the bytes the
    client sent exactly as they crossed the wire."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        super().__init__()
        self.upstream = upstream

    def handle(self, conn: socket.socket) -> None:
        upstream = socket.create_connection(self.upstream, timeout=HOLD_LIMIT)
        with self._condition:
            self._connections.append(upstream)
        try:
            self._relay(conn, upstream)
        finally:
            self._close(upstream)

    def _relay(self, client: socket.socket, server: socket.socket) -> None:
        other = {client: server, server: client}
        with selectors.DefaultSelector() as selector:
            for end in other:
                selector.register(end, selectors.EVENT_READ)
            while selector.get_map():
                events = selector.select(HOLD_LIMIT)
                if not events:
                    return
                for key, _ in events:
                    source = key.fileobj
                    assert isinstance(source, socket.socket)
                    data = source.recv(65536)
                    if data:
                        if source is client:
                            self._record(data)
                        other[source].sendall(data)
                    else:
                        selector.unregister(source)
                        with suppress(OSError):  # the other end may have gone already
                            other[source].shutdown(socket.SHUT_WR)


def record_starttls(server: StartTlsServer, capture: Capture, options: ConnectOptions) -> None:
    """HELLO and STARTTLS in plaintext, then the secret over TLS: a session like SMTP's."""
    recorder = EventRecorder()
    session = Session(server.target, capture, recorder, options)
    session.start()
    try:
        recorder.wait_for_event(Connected)
        session.send(b"HELLO\r\n")
        assert recorder.wait_received(len(b"250 plain\r\n"))
        session.send(b"STARTTLS\r\n")
        assert recorder.wait_received(len(b"250 plain\r\n220 go ahead\r\n"))
        session.start_tls()
        session.send(SECRET)
        assert recorder.wait_received(len(b"250 plain\r\n220 go ahead\r\ntls:" + SECRET))
    finally:
        session.close()
        assert session.join(10)
    assert conversation(capture) == STARTTLS_TURNS


@pytest.fixture
def pki(tmp_path: Path) -> TestPki:
    return make_pki(tmp_path)


def test_a_starttls_script_upgrades_at_the_same_step_and_sends_nothing_after_in_plaintext(
    capture: Capture, tmp_path: Path, pki: TestPki
) -> None:
    with StartTlsServer(server_context(pki.server)) as server:
        record_starttls(server, capture, ConnectOptions(timeout=5.0, tls=pki.options()))
        with WireTap(server.address) as tap:
            script = tmp_path / "replay.py"
            target = ScriptTarget(tap.host, tap.port, cafile=pki.cafile)
            export_script(capture, script, ScriptKind.PYTHON, target)
            result = run_script(script)
            assert result.returncode == 0, result.stdout + result.stderr
            assert result.stdout == "all 3 replies matched\n"
            on_the_wire = tap.received
        assert server.received == SECRET * 2  # the session's, then the script's, both over TLS
    assert server.plain_lines == [b"HELLO\r\n", b"STARTTLS\r\n"] * 2
    plaintext = b"HELLO\r\nSTARTTLS\r\n"
    assert on_the_wire.startswith(plaintext + TLS_HANDSHAKE_RECORD)
    assert SECRET not in on_the_wire


def test_a_starttls_script_verifies_by_default_and_stops_when_tls_cannot_start(
    capture: Capture, tmp_path: Path, pki: TestPki
) -> None:
    """The session trusted the test CA with --cafile; a script told to trust the system's CAs
    only refuses the certificate, says so, and sends nothing more."""
    with StartTlsServer(server_context(pki.server)) as server:
        record_starttls(server, capture, ConnectOptions(timeout=5.0, tls=pki.options()))
        with WireTap(server.address) as tap:
            script = tmp_path / "replay.py"
            export_script(capture, script, ScriptKind.PYTHON, ScriptTarget(tap.host, tap.port))
            result = run_script(script)
            on_the_wire = tap.received
        assert server.received == SECRET  # the session's only
    assert result.returncode == 1
    assert result.stdout.startswith("step 2: TLS did not start, so nothing more is sent: ")
    assert "CERTIFICATE_VERIFY_FAILED" in result.stdout
    assert "Traceback" not in result.stderr
    assert SECRET not in on_the_wire


def test_an_insecure_session_gives_a_script_that_checks_nothing_and_says_so(
    capture: Capture, tmp_path: Path, pki: TestPki
) -> None:
    insecure = ConnectOptions(timeout=5.0, tls=TlsOptions(insecure=True))
    with StartTlsServer(server_context(pki.untrusted)) as server:
        record_starttls(server, capture, insecure)
        script = tmp_path / "replay.py"
        target = ScriptTarget(server.host, server.port, insecure=True)
        export_script(capture, script, ScriptKind.PYTHON, target)
        result = run_script(script)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "INSECURE = True  # the session checked no certificate (--insecure): nor does this script"
        in script.read_text()
    )


def test_the_script_presents_the_session_s_client_certificate(
    capture: Capture, tmp_path: Path, pki: TestPki
) -> None:
    context = server_context(pki.server, client_ca=pki.client_ca)
    options = ConnectOptions(timeout=5.0, tls=pki.options(certfile=pki.client_cert))
    with StartTlsServer(context) as server:
        record_starttls(server, capture, options)
        script = tmp_path / "replay.py"
        target = ScriptTarget(server.host, server.port, cafile=pki.cafile, certfile=pki.client_cert)
        export_script(capture, script, ScriptKind.PYTHON, target)
        result = run_script(script)
        assert server.received == SECRET * 2
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_script_keeps_the_session_s_lowest_tls_version(
    capture: Capture, tmp_path: Path, pki: TestPki
) -> None:
    """The session allowed TLS 1.3 only: its script refuses a server that stops at 1.2."""
    options = ConnectOptions(timeout=5.0, tls=pki.options(min_version=TlsVersion.TLS1_3))
    with StartTlsServer(server_context(pki.server)) as server:
        record_starttls(server, capture, options)
    capped = server_context(pki.server, max_version=ssl.TLSVersion.TLSv1_2)
    with StartTlsServer(capped) as older, WireTap(older.address) as tap:
        script = tmp_path / "replay.py"
        target = ScriptTarget(tap.host, tap.port, cafile=pki.cafile, min_version="1.3")
        export_script(capture, script, ScriptKind.PYTHON, target)
        result = run_script(script)
        on_the_wire = tap.received
    assert settings(script.read_text())["TLS_VERSIONS"] == ("TLSv1_3", None)
    assert result.returncode == 1
    assert result.stdout.startswith("step 2: TLS did not start, so nothing more is sent: ")
    assert SECRET not in on_the_wire


def test_starttls_right_after_connecting_is_replayed_as_an_upgrade_before_any_byte(
    capture: Capture, tmp_path: Path, pki: TestPki
) -> None:
    """A plain target upgraded before the first byte (the user forgot tls://): its TLS start
    is a STARTTLS at the very beginning, not a tls:// handshake to leave out."""
    with TlsServer(server_context(pki.server)) as server:
        plain = Target(server.host, server.port)
        recorder = EventRecorder()
        session = Session(plain, capture, recorder, ConnectOptions(tls=pki.options()))
        session.start()
        try:
            recorder.wait_for_event(Connected)
            session.start_tls()
            session.send(SECRET)
            assert recorder.wait_received(len(SECRET))
        finally:
            session.close()
            assert session.join(10)
        assert conversation(capture) == [Turn(b"", b"", tls_started=True), Turn(SECRET, SECRET)]

        with WireTap(server.address) as tap:
            script = tmp_path / "replay.py"
            target = ScriptTarget(tap.host, tap.port, cafile=pki.cafile)
            export_script(capture, script, ScriptKind.PYTHON, target)
            result = run_script(script)
            on_the_wire = tap.received
        assert server.received == SECRET * 2
    assert result.returncode == 0, result.stdout + result.stderr
    assert on_the_wire.startswith(TLS_HANDSHAKE_RECORD) and SECRET not in on_the_wire


def test_a_tls_target_s_handshake_is_no_starttls_and_its_script_still_passes(
    start_session: StartSession, capture: Capture, tmp_path: Path, pki: TestPki
) -> None:
    with TlsServer(server_context(pki.server)) as server:
        session, recorder = start_session(server.target, ConnectOptions(tls=pki.options()))
        recorder.wait_for_event(TlsEstablished)
        session.send(SECRET)
        assert recorder.wait_received(len(SECRET))
        session.close()
        assert session.join(10)
        assert conversation(capture, tls_from_start=True) == [Turn(SECRET, SECRET)]

        script = tmp_path / "replay.py"
        target = ScriptTarget(server.host, server.port, tls=True, cafile=pki.cafile)
        export_script(capture, script, ScriptKind.PYTHON, target)
        result = run_script(script)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "STARTTLS_AFTER_STEP" not in script.read_text()


def settings(script: str) -> dict[str, object]:
    """The script's top-level constants, read back as Python reads them."""
    tree = ast.parse(script)
    return {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id.isupper()
    }


def test_the_pwntools_script_wraps_the_same_socket_at_the_starttls_step(tmp_path: Path) -> None:
    target = ScriptTarget("127.0.0.1", 25, cafile="/etc/ca.pem", alpn=("smtp",))
    script = tmp_path / "replay.pwn.py"
    script.write_text(render_script(ScriptKind.PWNTOOLS, target, STARTTLS_TURNS))
    py_compile.compile(str(script), doraise=True)
    text = script.read_text()
    assert settings(text)["STARTTLS_AFTER_STEP"] == 2
    assert settings(text)["CAFILE"] == "/etc/ca.pem" and settings(text)["ALPN"] == ["smtp"]
    assert "sock=io.sock," in text and "ssl_context=tls_context()," in text
    assert "ssl.create_default_context(cafile=CAFILE)" in text


@pytest.mark.parametrize("kind", list(ScriptKind))
def test_a_tls_target_s_script_verifies_with_the_session_trust(kind: ScriptKind) -> None:
    """pwntools' own `ssl=True` checks no certificate: the script gives it a checking context."""
    target = ScriptTarget("h", 1, tls=True, cafile="ca.pem")
    text = render_script(kind, target, [Turn(b"a", b"b")])
    assert settings(text)["CAFILE"] == "ca.pem" and settings(text)["INSECURE"] is False
    assert "ssl.create_default_context(cafile=CAFILE)" in text
    assert "ssl=True, sni=SERVER_NAME)" not in text


@pytest.mark.parametrize("kind", list(ScriptKind))
def test_a_half_close_is_replayed_only_while_the_connection_is_plain(kind: ScriptKind) -> None:
    before = [Turn(b"STARTTLS\r\n", b"220\r\n", eof_sent=True, tls_started=True)]
    after = [Turn(b"STARTTLS\r\n", b"220\r\n", tls_started=True), Turn(b"x", b"y", eof_sent=True)]
    target = ScriptTarget("h", 1)
    assert settings(render_script(kind, target, before))["EOF_AFTER_STEP"] == 1
    assert settings(render_script(kind, target, after))["EOF_AFTER_STEP"] is None


@pytest.mark.parametrize("kind", list(ScriptKind))
@pytest.mark.parametrize("tls", [False, True])
def test_a_tls_start_the_script_cannot_make_ends_its_steps_there(
    kind: ScriptKind, tls: bool
) -> None:
    """A second upgrade (or one on a tls:// connection) cannot be replayed: the steps stop at
    it rather than send the rest with less protection than the session had."""
    turns = [
        Turn(b"one", b"1", tls_started=not tls),
        Turn(b"two", b"2", tls_started=True),
        Turn(SECRET, b"3"),
    ]
    script = render_script(kind, ScriptTarget("h", 1, tls=tls), turns)
    assert settings(script)["STEPS"] == [(b"one", b"1"), (b"two", b"2")]
    assert "# The session started TLS again after the last step" in script
    assert SECRET.decode() not in script


@pytest.mark.parametrize("kind", list(ScriptKind))
def test_hostile_tls_settings_stay_literals(kind: ScriptKind) -> None:
    hostile = 'x"""\n\\N{y}\x1b]0;t\x07'
    target = ScriptTarget(
        hostile,
        1,
        server_name=hostile,
        cafile=hostile,
        alpn=(hostile,),
        certfile=hostile,
        keyfile=hostile,
    )
    script = render_script(kind, target, STARTTLS_TURNS)
    values = settings(script)
    assert values["CAFILE"] == hostile and values["ALPN"] == [hostile]
    assert values["CERTFILE"] == hostile and values["KEYFILE"] == hostile
    assert values["SERVER_NAME"] == hostile
    assert "\x1b" not in script


@pytest.mark.parametrize(
    ("kind", "name"), [(ScriptKind.PYTHON, "python"), (ScriptKind.PWNTOOLS, "pwntools")]
)
def test_a_plain_connection_s_script_is_the_same_as_before_scripts_spoke_tls(
    kind: ScriptKind, name: str
) -> None:
    """The files hold what tcptui wrote before STARTTLS was replayed: no TLS part may leak in."""
    turns = [
        Turn(b"", b"HELLO\r\n"),
        Turn(b"ping\n", b"PING\n"),
        Turn(b"\x00bye\xff", b"", eof_sent=True),
    ]
    target = ScriptTarget("127.0.0.1", 7, server_name="example.test")
    before = (Path(__file__).parent / "plain_scripts" / f"{name}.txt").read_text()
    assert render_script(kind, target, turns) == before
