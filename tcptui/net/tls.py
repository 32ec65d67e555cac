"""TLS for a session: the options, the SSL context, and the TLS layer over a socket.

The session's I/O thread drives the handshake itself (non-blocking, through its selector, so
`close()` can interrupt it); this module only decides *how* to speak TLS. What the peer showed
is described in `certificates`, and why a handshake failed in `tls_failures`.

The TLS layer is an `ssl.SSLObject` over memory BIOs (`TlsChannel`), not an `SSLSocket`: the
I/O thread moves the ciphertext itself, so it decides exactly what OpenSSL sees. That matters
for half-close: `SSLSocket.unwrap()` sends close_notify and then at once reads the socket
again, and OpenSSL fails (APPLICATION_DATA_AFTER_CLOSE_NOTIFY), discarding the data, if the
peer's answer is already there, which on a fast peer it is. With memory BIOs that second read
sees only what we fed, which is nothing, so the answer is read normally afterwards.

Verification uses the operating system's trust store through `truststore` when it is
installed (so corporate roots and the macOS/Windows stores work as in a browser), else
`ssl.create_default_context()`. `--cafile` trusts that file alone, as `openssl s_client
-CAfile` and `curl --cacert` do, and `--insecure` checks nothing (the UI marks it).
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import cast

READ_SIZE = 256 * 1024


class TlsVersion(StrEnum):
    """The TLS versions a user may pin with --tls-min / --tls-max."""

    TLS1_2 = "1.2"
    TLS1_3 = "1.3"

    @property
    def ssl_version(self) -> ssl.TLSVersion:
        return {
            TlsVersion.TLS1_2: ssl.TLSVersion.TLSv1_2,
            TlsVersion.TLS1_3: ssl.TLSVersion.TLSv1_3,
        }[self]


@dataclass(frozen=True)
class TlsOptions:
    """How to speak TLS; the defaults verify against the system's trust store."""

    cafile: str | None = None
    """Trust only the CAs in this PEM file (instead of the system's store)."""
    insecure: bool = False
    """Check nothing: no chain, no name. The UI shows a warning while such a connection lives."""
    server_name: str | None = None
    """Send this name in SNI and verify the certificate against it (default: the target's host)."""
    sni: bool = True
    """Send SNI at all; without it the certificate is still checked against the name."""
    alpn: tuple[str, ...] = ()
    """Protocols offered with ALPN, most preferred first (e.g. h2, http/1.1)."""
    min_version: TlsVersion | None = None
    max_version: TlsVersion | None = None
    certfile: str | None = None
    """A client certificate (PEM), for servers that ask for one; may hold the key too."""
    keyfile: str | None = None
    keylog_file: str | None = None
    """Append the session secrets here (NSS key log format) so Wireshark can decrypt the
    capture; when unset, the SSLKEYLOGFILE environment variable is honoured."""
    server: bool = False
    """Listen mode: accepted clients speak TLS to us. We present `certfile`, and ask for a
    client certificate (verified against `cafile`) only when `cafile` is given."""

    def verify_name(self, host: str) -> str:
        """The name the certificate must carry: --sni NAME if given, else the target's host."""
        return self.server_name or host

    def keylog_path(self) -> str | None:
        return self.keylog_file or os.environ.get("SSLKEYLOGFILE") or None


class TlsSetupError(Exception):
    """The TLS options cannot be used (a missing CA file, a key that does not fit …)."""


def build_context(options: TlsOptions) -> ssl.SSLContext:
    """An SSLContext for a client connection, or TlsSetupError saying what is wrong."""
    context = _client_context(options)
    if not options.sni:
        context.check_hostname = False  # no name reaches OpenSSL; we check it after the handshake
    if options.certfile:
        certfile = options.certfile
        _load(
            lambda: context.load_cert_chain(certfile, options.keyfile),
            "the client certificate",
        )
    _apply_common(context, options)
    return context


def build_server_context(options: TlsOptions) -> ssl.SSLContext:
    """An SSLContext for listen mode: our certificate, and a client's only if `cafile` is set."""
    if not options.certfile:
        raise TlsSetupError("a TLS server needs a certificate: give one with --cert")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certfile = options.certfile
    _load(lambda: context.load_cert_chain(certfile, options.keyfile), "the server certificate")
    if options.cafile:
        context.verify_mode = ssl.CERT_REQUIRED
        _load(lambda: context.load_verify_locations(cafile=options.cafile), "the CA file")
    _apply_common(context, options)
    return context


def _client_context(options: TlsOptions) -> ssl.SSLContext:
    if options.insecure:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif options.cafile:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        _load(lambda: context.load_verify_locations(cafile=options.cafile), "the CA file")
    else:
        context = _system_trust_context()
    return context


def _apply_common(context: ssl.SSLContext, options: TlsOptions) -> None:
    """What a client and a server context share: versions, ALPN and the key log."""
    if options.min_version is not None:
        context.minimum_version = options.min_version.ssl_version
    if options.max_version is not None:
        context.maximum_version = options.max_version.ssl_version
    if options.alpn:
        context.set_alpn_protocols(list(options.alpn))
    keylog = options.keylog_path()
    if keylog:
        _load(lambda: setattr(context, "keylog_filename", keylog), "the key log file")


def _system_trust_context() -> ssl.SSLContext:
    try:
        import truststore
    except ImportError:
        return ssl.create_default_context()
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _load(action: Callable[[], object], what: str) -> None:
    try:
        action()
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        detail = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
        name = getattr(exc, "filename", None)
        where = f" ({name})" if name else ""
        raise TlsSetupError(f"cannot use {what}{where}: {detail}") from None


# -- the TLS layer over a non-blocking socket -------------------------------------------------


class TlsChannel:
    """TLS over a non-blocking socket, shaped like the socket calls the session makes.

    `recv`, `send` and `do_handshake` raise `ssl.SSLWantReadError` when they need bytes the
    socket does not have yet, and `SSLWantWriteError` when ciphertext is stuck waiting for room
    in the socket; the caller waits on its selector (this object has a `fileno`) and retries.
    `pending()` counts bytes inside the TLS layer the selector cannot see: after a read, keep
    reading while it is non-zero. `wants_write` says ciphertext still waits to go out (a
    TLS 1.3 key update answer, or the tail of the last send): call `flush()` when writable.
    """

    def __init__(
        self,
        sock: socket.socket,
        context: ssl.SSLContext,
        server_hostname: str | None,
        *,
        server_side: bool = False,
        early: bytes = b"",
    ) -> None:
        """`early`: ciphertext that already arrived (with an HTTP proxy's reply)."""
        self.sock = sock
        self._incoming = ssl.MemoryBIO()
        if early:
            self._incoming.write(early)
        self._outgoing = ssl.MemoryBIO()
        self.tls = context.wrap_bio(
            self._incoming, self._outgoing, server_side, server_hostname=server_hostname
        )
        self._unsent = b""
        self._fin_pending = False

    def fileno(self) -> int:
        return self.sock.fileno()

    def close(self) -> None:
        self.sock.close()

    @property
    def wants_write(self) -> bool:
        return bool(self._unsent or self._outgoing.pending or self._fin_pending)

    def pending(self) -> int:
        return self.tls.pending() + self._incoming.pending

    def flush(self) -> bool:
        """Send the ciphertext waiting to go; True when none is left (FIN follows if asked)."""
        while self._unsent or self._outgoing.pending:
            if not self._unsent:
                self._unsent = self._outgoing.read()
            try:
                sent = self.sock.send(self._unsent)
            except (BlockingIOError, InterruptedError):
                return False
            self._unsent = self._unsent[sent:]
        if self._fin_pending:
            self._fin_pending = False
            self.sock.shutdown(socket.SHUT_WR)
        return True

    def _fill(self) -> None:
        """Feed what the socket has to the TLS layer; SSLWantReadError if it has nothing."""
        try:
            data = self.sock.recv(READ_SIZE)
        except (BlockingIOError, InterruptedError):
            raise ssl.SSLWantReadError("the socket has no data yet") from None
        if data:
            self._incoming.write(data)
        else:
            self._incoming.write_eof()

    def do_handshake(self) -> None:
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                if not self.flush():
                    raise ssl.SSLWantWriteError("the socket is full") from None
                self._fill()
        if not self.flush():
            raise ssl.SSLWantWriteError("the socket is full")

    def recv_into(self, buffer: memoryview) -> int:
        """Plaintext into `buffer`; 0 at the end (close_notify, or the socket's EOF without one)."""
        while True:
            try:
                size = cast(int, self.tls.read(len(buffer), buffer))  # typeshed: bytes
            except ssl.SSLWantReadError:
                self.flush()
                self._fill()
                continue
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return 0
            self.flush()
            return size

    def send(self, data: memoryview | bytes) -> int:
        """Take all of `data` (returns its length), or nothing (0) while ciphertext waits."""
        if not self.flush():
            return 0
        written = self.tls.write(data)
        self.flush()
        return written

    def shutdown_write(self) -> None:
        """close_notify, then FIN once it is out. Read everything waiting before calling this.

        `unwrap()` raises SSLWantReadError as it waits for the peer's close_notify: that is
        the half-close we want, so it is not an error.
        """
        with contextlib.suppress(ssl.SSLWantReadError):
            self.tls.unwrap()
        self._fin_pending = True
        self.flush()
