"""Sessions through real proxies on loopback: Dante (SOCKS) and tinyproxy (HTTP CONNECT).

Each proxy runs as a child process with a temporary config on a free port and is ready when a
connect succeeds (polled against a deadline). A missing proxy binary skips with the Debian
package to install (fails under TCPTUI_REQUIRE_TOOLS=1).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcptui.capture.events import EventKind, connection_ends
from tcptui.capture.store import Capture, Direction
from tcptui.cli import parse_args
from tcptui.net.events import (
    Closed,
    Connected,
    DataReceived,
    EndReason,
    ProxyConnected,
    ProxyConnecting,
    Resolving,
    Step,
    TlsEstablished,
)
from tcptui.net.proxy import ProxyKind, ProxyUrlError, parse_proxy_url
from tcptui.net.session import ConnectOptions
from tcptui.net.target import Target
from tests.helpers import (
    EchoServer,
    LoopbackServer,
    SilentServer,
    StartSession,
    TestPki,
    TlsServer,
    closed_port,
    make_pki,
    require_tool,
    server_context,
    stream_bytes,
)
from tests.helpers.timeline import details

READY_TIMEOUT = 10.0
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until 127.0.0.1:port accepts a connection; fail with the proxy's log at the deadline."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the proxy exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            process_wait = min(0.05, max(0.0, deadline - time.monotonic()))
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(process_wait)  # a bounded pause that also notices an early exit
    pytest.fail(f"the proxy did not listen on {port} within {READY_TIMEOUT} s")


def run_proxy(argv: list[str], port: int, log: Path) -> Iterator[str]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            argv, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_listening(port, process, log)
        yield f"127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # its own group: the proxy and its children
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


@pytest.fixture(scope="module")
def socks_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Dante on a free loopback port, no authentication; `HOST:PORT`."""
    danted = require_tool("danted", "dante-server")
    folder = tmp_path_factory.mktemp("dante")
    port = free_port()
    users = "user.privileged: root\nuser.unprivileged: nobody\n" if AS_ROOT else ""
    (folder / "danted.conf").write_text(
        f"logoutput: stderr\ninternal: 127.0.0.1 port = {port}\nexternal: 127.0.0.1\n"
        f"clientmethod: none\nsocksmethod: none\n{users}"
        "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }\n"
        "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }\n"
    )
    argv = [danted, "-f", str(folder / "danted.conf"), "-p", str(folder / "pid"), "-N", "1"]
    yield from run_proxy(argv, port, folder / "danted.log")


@pytest.fixture(scope="module")
def http_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """tinyproxy on a free loopback port, with Basic auth user `me`, password `s3cret`."""
    tinyproxy = require_tool("tinyproxy", "tinyproxy")
    folder = tmp_path_factory.mktemp("tinyproxy")
    port = free_port()
    users = "User nobody\nGroup nogroup\n" if AS_ROOT else ""
    (folder / "tinyproxy.conf").write_text(
        f"Port {port}\nListen 127.0.0.1\nTimeout 60\nAllow 127.0.0.1\nMaxClients 20\n"
        f"LogLevel Info\nBasicAuth me s3cret\n{users}"
    )
    argv = [tinyproxy, "-d", "-c", str(folder / "tinyproxy.conf")]
    yield from run_proxy(argv, port, folder / "tinyproxy.log")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def local_dns_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolving "localhost" in this process fails: a connection that works was resolved by
    the proxy (python-socks runs in this process, so a local lookup would be caught)."""
    real = socket.getaddrinfo

    def refuse_localhost(host: object, *args: object, **kwargs: object) -> object:
        if host == "localhost":
            raise socket.gaierror(socket.EAI_NONAME, "resolved locally: not allowed here")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", refuse_localhost)


def via(url: str, **changes: object) -> ConnectOptions:
    return ConnectOptions(timeout=5.0, proxy=parse_proxy_url(url), **changes)  # type: ignore[arg-type]


# -- through real proxies -------------------------------------------------------------------------


@pytest.mark.usefixtures("local_dns_forbidden")
@pytest.mark.parametrize("scheme", ["socks5", "http"])
def test_proxy_resolves_the_name_and_carries_bytes_both_ways(
    start_session: StartSession,
    socks_proxy: str,
    http_proxy: str,
    capture: Capture,
    scheme: str,
) -> None:
    url = f"socks5://{socks_proxy}" if scheme == "socks5" else f"http://me:s3cret@{http_proxy}"
    with EchoServer() as server:
        session, recorder = start_session(Target("localhost", server.port), via(url))
        connected = recorder.wait_for_event(ProxyConnected)
        recorder.wait_for_event(Connected)

        session.send(b"through the tunnel\n")

        assert recorder.wait_received(19)
    assert stream_bytes(capture, Direction.RECEIVED) == b"through the tunnel\n"
    connecting = recorder.wait_for_event(ProxyConnecting)
    assert connecting.remote_dns and connecting.target == f"localhost:{server.port}"
    assert "s3cret" not in connecting.proxy
    assert connected.duration_ms > 0
    assert not recorder.of_type(Resolving)  # nothing was resolved here
    kinds = recorder.kinds()
    assert kinds.index(ProxyConnecting) < kinds.index(ProxyConnected) < kinds.index(Connected)


def test_the_capture_says_the_connection_went_through_the_proxy_without_its_password(
    start_session: StartSession, http_proxy: str, capture: Capture
) -> None:
    with EchoServer() as server:
        _, recorder = start_session(server.target, via(f"http://me:s3cret@{http_proxy}"))
        tunnel = recorder.wait_for_event(ProxyConnected)
        connected = recorder.wait_for_event(Connected)

    [detail] = details(capture, EventKind.CONNECTED)
    assert connection_ends(detail) == (connected.local, connected.remote)
    assert f" through proxy {tunnel.proxy} to {tunnel.target}, in " in detail
    assert "s3cret" not in detail


@pytest.mark.parametrize("scheme", ["socks5", "http"])
def test_tls_goes_through_the_tunnel(
    start_session: StartSession, socks_proxy: str, http_proxy: str, pki: TestPki, scheme: str
) -> None:
    url = f"socks5://{socks_proxy}" if scheme == "socks5" else f"http://me:s3cret@{http_proxy}"
    with TlsServer(server_context(pki.server)) as server:
        session, recorder = start_session(
            Target("localhost", server.port, tls=True), via(url, tls=pki.options())
        )
        established = recorder.wait_for_event(TlsEstablished)
        session.send(b"hello over tls")

        assert recorder.wait_received(14)
    assert established.verified
    kinds = recorder.kinds()
    assert kinds.index(ProxyConnected) < kinds.index(TlsEstablished)
    assert server.received == b"hello over tls"


def test_wrong_proxy_password_is_a_proxy_failure(
    start_session: StartSession, http_proxy: str
) -> None:
    with EchoServer() as server:
        _, recorder = start_session(
            Target("127.0.0.1", server.port), via(f"http://me:wrong@{http_proxy}")
        )

        closed = recorder.wait_closed()

    assert closed.reason is EndReason.PROXY_FAILURE
    assert closed.failed_step is Step.HANDSHAKE
    assert "Unauthorized" in closed.detail and "wrong" not in closed.detail


def test_proxy_that_cannot_reach_the_target_says_so(
    start_session: StartSession, socks_proxy: str
) -> None:
    _, recorder = start_session(Target("127.0.0.1", closed_port()), via(f"socks5://{socks_proxy}"))

    closed = recorder.wait_closed()

    assert closed.reason is EndReason.PROXY_FAILURE
    assert closed.failed_step is Step.HANDSHAKE
    assert socks_proxy in closed.detail


def test_unreachable_proxy_is_refused(start_session: StartSession) -> None:
    port = closed_port()
    _, recorder = start_session(Target("127.0.0.1", 9), via(f"socks5://127.0.0.1:{port}"))

    closed = recorder.wait_closed()

    assert closed.reason is EndReason.REFUSED
    assert f"127.0.0.1:{port}" in closed.detail


def test_close_interrupts_a_silent_proxy_at_once(start_session: StartSession) -> None:
    """A proxy that accepts and never answers: close() still ends the session in a moment."""
    with SilentServer() as proxy:
        session, recorder = start_session(
            Target("localhost", 80),
            ConnectOptions(timeout=30.0, proxy=parse_proxy_url(f"socks5://127.0.0.1:{proxy.port}")),
        )
        recorder.wait_for_event(ProxyConnecting)
        assert proxy.wait_accepted()
        started = time.monotonic()

        session.close()

        assert session.join(1.0)
    assert time.monotonic() - started < 1.0
    assert recorder.wait_closed() == Closed(EndReason.CLOSED_BY_US)


class BannerConnectProxy(LoopbackServer):
    """An HTTP CONNECT proxy whose target speaks first: `200` and the banner in one segment,
    then it echoes. It records the request it was sent."""

    BANNER = b"220 smtp.example ESMTP ready\r\n"

    def __init__(self, reply: bytes = b"HTTP/1.1 200 Connection established\r\n\r\n") -> None:
        super().__init__()
        self.reply = reply

    def handle(self, conn: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            data = conn.recv(4096)
            if not data:
                return
            request += data
        self._record(request)
        conn.sendall(self.reply + self.BANNER)
        while data := conn.recv(65536):
            conn.sendall(data)


def test_target_bytes_in_the_connect_replys_segment_are_kept(
    start_session: StartSession, capture: Capture
) -> None:
    with BannerConnectProxy() as proxy:
        session, recorder = start_session(
            Target("mail.example", 25), via(f"http://me:pw@127.0.0.1:{proxy.port}")
        )
        assert recorder.wait_received(len(BannerConnectProxy.BANNER))
        session.send(b"EHLO me\r\n")
        assert recorder.wait_received(len(BannerConnectProxy.BANNER) + 9)
        request = proxy.received
    assert stream_bytes(capture, Direction.RECEIVED) == BannerConnectProxy.BANNER + b"EHLO me\r\n"
    assert request.startswith(b"CONNECT mail.example:25 HTTP/1.1\r\n")
    assert b"Proxy-Authorization: Basic bWU6cHc=\r\n" in request
    kinds = recorder.kinds()
    assert kinds.index(Connected) < kinds.index(DataReceived)


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (b"HTTP/1.1 403 Forbidden\x1b[2J\r\n\r\n", "answered: 403 Forbidden\ufffd[2J"),
        (b"SSH-2.0-OpenSSH\r\n\r\n", "answered: 'SSH-2.0-OpenSSH'"),
        (b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 20_000, "reply header longer than 65,536"),
    ],
    ids=["refused with controls", "not http", "endless header"],
)
def test_a_connect_proxy_that_refuses_is_quoted_safely(
    start_session: StartSession, reply: bytes, words: str
) -> None:
    with BannerConnectProxy(reply) as proxy:
        _, recorder = start_session(Target("h", 1), via(f"http://127.0.0.1:{proxy.port}"))
        closed = recorder.wait_closed()
    assert closed.reason is EndReason.PROXY_FAILURE
    assert words in closed.detail


# -- parsing ------------------------------------------------------------------------------------


def test_proxy_urls_are_parsed_with_credentials_hidden_from_display() -> None:
    config = parse_proxy_url("socks5://al%40ice:p%3Ass@[::1]:1080")

    assert (config.kind, config.host, config.port) == (ProxyKind.SOCKS5, "::1", 1080)
    assert (config.username, config.password) == ("al@ice", "p:ss")
    assert config.remote_dns
    assert config.display == "socks5://al@ice@[::1]:1080"


def test_socks4_resolves_locally_and_socks4a_remotely() -> None:
    assert not parse_proxy_url("socks4://h:1080").remote_dns
    assert parse_proxy_url("socks4a://h:1080").remote_dns
    assert parse_proxy_url("http://h:3128").kind is ProxyKind.HTTP


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://h:21", "unknown proxy scheme"),
        ("socks5://h", "no proxy port"),
        ("socks5://:1080", "no proxy host"),
        ("socks5://h:99999", "not a number"),
        ("http://h:3128/path", "no path"),
    ],
)
def test_bad_proxy_urls_are_explained(url: str, words: str) -> None:
    with pytest.raises(ProxyUrlError, match=words):
        parse_proxy_url(url)


def test_cli_takes_a_proxy() -> None:
    config = parse_args(["tls://example.com", "--proxy", "socks5://127.0.0.1:1080"])

    assert config.options.proxy == parse_proxy_url("socks5://127.0.0.1:1080")


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["h:1", "--proxy", "gopher://x:1"], "unknown proxy scheme"),
        (["--listen", "8080", "--proxy", "socks5://x:1"], "--proxy is for outgoing"),
    ],
)
def test_cli_refuses_bad_proxy_use(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parse_args(argv)

    assert words in capsys.readouterr().err


def test_a_proxy_url_with_an_unclosed_bracket_is_a_sentence() -> None:
    with pytest.raises(ProxyUrlError, match=r"'http://\[::1:1080' is not a proxy URL"):
        parse_proxy_url("http://[::1:1080")
