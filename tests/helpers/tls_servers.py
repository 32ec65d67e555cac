"""TLS peers for tests: a throw-away PKI made with trustme, and loopback TLS servers.

The servers are LoopbackServer subclasses, so they start, stop and report errors the same way.
A handshake the client refuses (or that the server refuses) is expected in many tests: it is
kept in `handshake_errors` for the test to assert on, not reported as a server failure.
"""

from __future__ import annotations

import datetime
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tcptui.net.target import Target
from tcptui.net.tls import TlsOptions

from .servers import HOLD_LIMIT, LoopbackServer

if TYPE_CHECKING:
    import trustme

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class TestPki:
    """A CA the client trusts (via `cafile`), certificates it issued, and some it did not."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    ca: trustme.CA
    cafile: str
    server: trustme.LeafCert
    """For localhost, 127.0.0.1 and ::1: what a good server presents."""
    expired: trustme.LeafCert
    expiring_soon: trustme.LeafCert
    """Valid, but for five more days only."""
    wrong_name: trustme.LeafCert
    """Valid and trusted, but for other.example only."""
    untrusted: trustme.LeafCert
    """For localhost, issued by a CA the client does not know."""
    client_ca: trustme.CA
    client_cert: str
    """PEM with the client certificate and its key (issued by `client_ca`)."""

    def options(self, **changes: object) -> TlsOptions:
        """TlsOptions that trust this PKI's CA, with any other field changed."""
        return TlsOptions(cafile=self.cafile, **changes)  # type: ignore[arg-type]


def make_pki(folder: Path) -> TestPki:
    """Issue everything once (a few ms each, ECDSA keys); files go to `folder`."""
    import trustme

    now = datetime.datetime.now(datetime.UTC)
    ca = trustme.CA(organization_name="tcptui test CA")
    other_ca = trustme.CA(organization_name="somebody else's CA")
    client_ca = trustme.CA(organization_name="tcptui client CA")
    cafile = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    client = client_ca.issue_cert("tcptui-client@example.test")
    client_cert = folder / "client.pem"
    client.private_key_and_cert_chain_pem.write_to_path(str(client_cert))
    return TestPki(
        ca=ca,
        cafile=str(cafile),
        server=ca.issue_cert(*LOOPBACK_NAMES, common_name="localhost"),
        expired=ca.issue_cert(
            *LOOPBACK_NAMES,
            not_before=now - datetime.timedelta(days=30),
            not_after=now - datetime.timedelta(days=1),
        ),
        expiring_soon=ca.issue_cert(*LOOPBACK_NAMES, not_after=now + datetime.timedelta(days=5)),
        wrong_name=ca.issue_cert("other.example"),
        untrusted=other_ca.issue_cert(*LOOPBACK_NAMES),
        client_ca=client_ca,
        client_cert=str(client_cert),
    )


def server_context(
    cert: trustme.LeafCert,
    *,
    client_ca: trustme.CA | None = None,
    alpn: tuple[str, ...] = (),
    max_version: ssl.TLSVersion | None = None,
) -> ssl.SSLContext:
    """A server-side context presenting `cert`; with `client_ca` it demands a client cert."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    if client_ca is not None:
        context.verify_mode = ssl.CERT_REQUIRED
        client_ca.configure_trust(context)
    if alpn:
        context.set_alpn_protocols(list(alpn))
    if max_version is not None:
        context.maximum_version = max_version
    return context


class TlsServer(LoopbackServer):
    """Wraps each connection in TLS, then calls `serve(tls_conn)`; echoes by default."""

    def __init__(self, context: ssl.SSLContext, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self.context = context
        self.handshake_errors: list[ssl.SSLError] = []
        self.negotiated_alpn: list[str | None] = []
        self.client_subjects: list[object] = []

    @property
    def target(self) -> Target:
        return Target(self.host, self.port, tls=True)

    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(HOLD_LIMIT)
        tls_conn = wrap_tracked(self, conn, self.context)
        try:
            tls_conn.do_handshake()
        except (ssl.SSLError, ConnectionResetError, BrokenPipeError) as exc:
            self._note_failure(exc)
            tls_conn.close()
            return
        try:
            with self._condition:
                self.negotiated_alpn.append(tls_conn.selected_alpn_protocol())
                self.client_subjects.append(tls_conn.getpeercert())
            self.serve(tls_conn)
        except AttributeError:  # stop() shut the connection down: SSLSocket drops its TLS state
            pass
        except ssl.SSLError as exc:  # TLS 1.3: a refused client cert surfaces on first read
            self._note_failure(exc)
        finally:
            tls_conn.close()

    def _note_failure(self, exc: OSError) -> None:
        with self._condition:
            if isinstance(exc, ssl.SSLError):
                self.handshake_errors.append(exc)
            self._condition.notify_all()

    def serve(self, conn: ssl.SSLSocket) -> None:
        while data := conn.recv(65536):
            self._record(data)
            conn.sendall(data)


class TlsHalfCloseServer(TlsServer):
    """Reads until the client's EOF (close_notify), answers `got N bytes`, then closes."""

    def serve(self, conn: ssl.SSLSocket) -> None:
        total = 0
        while data := conn.recv(65536):
            self._record(data)
            total += len(data)
        conn.sendall(b"got %d bytes\n" % total)


class StartTlsServer(LoopbackServer):
    """Speaks plain lines: `HELLO` gets `250 plain`; after `STARTTLS` it switches to TLS and
    echoes. Like SMTP and friends, it answers `220 go ahead` before the TLS handshake."""

    def __init__(self, context: ssl.SSLContext, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self.context = context
        self.plain_lines: list[bytes] = []
        self.handshake_errors: list[ssl.SSLError] = []

    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(HOLD_LIMIT)
        reader = conn.makefile("rb", buffering=0)
        while line := reader.readline():
            self.plain_lines.append(line)
            if line == b"STARTTLS\r\n":
                conn.sendall(b"220 go ahead\r\n")
                break
            conn.sendall(b"250 plain\r\n")
        else:
            return
        tls_conn = wrap_tracked(self, conn, self.context)
        with tls_conn:
            try:
                tls_conn.do_handshake()
            except ssl.SSLError as exc:  # the client refused our certificate: tests expect it
                self.handshake_errors.append(exc)
                return
            while data := tls_conn.recv(65536):
                self._record(data)
                tls_conn.sendall(b"tls:" + data)


def wrap_tracked(
    server: LoopbackServer, conn: socket.socket, context: ssl.SSLContext
) -> ssl.SSLSocket:
    """Wrap `conn` (server side, handshake not yet done) and let `server.stop()` reach the
    TLS socket: wrapping detaches `conn`, so shutting `conn` down would no longer wake a
    handler blocked in a read."""
    tls_conn = context.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
    with server._condition:
        server._connections.append(tls_conn)
    return tls_conn
