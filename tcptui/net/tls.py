"""TLS for a session: the options, the SSL context, and readable names for what happened.

The session's I/O thread drives the handshake itself (non-blocking, through its selector, so
`close()` can interrupt it); this module only decides *how* to speak TLS and *describes* the
outcome: the negotiated parameters, the server's certificates and, when it fails, a sentence
that names the certificate or protocol problem instead of an OpenSSL error string.

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

Certificates are decoded with the standard library only. `getpeercert()` gives a decoded
dict only for a verified peer, so every certificate is decoded from its DER bytes with
`ssl._ssl._test_decode_cert`: a private CPython helper (it reads a PEM file, hence the
temporary file). If a Python lacks it, the details fall back to the SHA-256 fingerprint alone
and say so. The chain beyond the server's own certificate needs Python 3.13
(`get_verified_chain`); earlier versions show the leaf only.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
import socket
import ssl
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, cast

from tcptui.net.events import CertificateInfo, EndReason, TlsEstablished

INSECURE_NOTE = "not checked: --insecure"
NO_CLIENT_CERTIFICATE_NOTE = "no client certificate: we are the server and asked for none"
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


class HostnameMismatchError(Exception):
    """The verified certificate does not name the host (checked by us when SNI is off)."""


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


# -- describing a handshake that worked ---------------------------------------------------------


def describe_connection(
    sock: ssl.SSLObject, options: TlsOptions, handshake_ms: float, server_name: str
) -> TlsEstablished:
    """Everything worth showing about an established TLS connection.

    As the server (listen mode) the peer's chain is the client's certificate, verified only
    when `cafile` asked for one; otherwise it is empty and the event says so, not "verified".
    """
    cipher = sock.cipher()
    if options.server:
        verified = bool(options.cafile)
        note = NO_CLIENT_CERTIFICATE_NOTE
    else:
        verified = not options.insecure
        note = INSECURE_NOTE
    return TlsEstablished(
        version=sock.version() or "",
        cipher=cipher[0] if cipher else "",
        alpn=sock.selected_alpn_protocol() or "",
        chain=tuple(_describe_chain(sock, verified)),
        verified=verified,
        verify_error="" if verified else note,
        handshake_ms=handshake_ms,
        server_name=server_name,
    )


def _describe_chain(sock: ssl.SSLObject, verified: bool) -> list[CertificateInfo]:
    getter = getattr(sock, "get_verified_chain" if verified else "get_unverified_chain", None)
    chain: list[bytes] = []
    if getter is not None:  # Python 3.13+
        with contextlib.suppress(ssl.SSLError, ValueError):
            chain = [item for item in getter() or () if isinstance(item, bytes)]
    if not chain:
        leaf = sock.getpeercert(binary_form=True)
        chain = [leaf] if leaf else []
    leaf_fields = sock.getpeercert() if verified else None
    return [
        certificate_info(der, leaf_fields if index == 0 and leaf_fields else None)
        for index, der in enumerate(chain)
    ]


def certificate_info(der: bytes, fields: dict[str, Any] | None = None) -> CertificateInfo:
    """Describe one certificate; `fields` is getpeercert()'s dict when we already have it."""
    fingerprint = hashlib.sha256(der).hexdigest().upper()
    sha256 = ":".join(fingerprint[i : i + 2] for i in range(0, len(fingerprint), 2))
    fields = fields or decode_certificate(der)
    if not fields:
        return CertificateInfo("", "", None, None, (), sha256, decoded=False)
    return CertificateInfo(
        subject=format_name(fields.get("subject", ())),
        issuer=format_name(fields.get("issuer", ())),
        not_before=_cert_time(fields.get("notBefore")),
        not_after=_cert_time(fields.get("notAfter")),
        sans=tuple(_san(kind, value) for kind, value in fields.get("subjectAltName", ())),
        sha256=sha256,
    )


def _san(kind: str, value: object) -> str:
    """A subjectAltName as people write it (OpenSSL spells ::1 as 0:0:0:0:0:0:0:1)."""
    text = str(value).strip()
    if kind == "IP Address":
        with contextlib.suppress(ValueError):
            return str(ipaddress.ip_address(text))
    return text


def decode_certificate(der: bytes) -> dict[str, Any]:
    """getpeercert()-style fields from DER via CPython's private decoder; {} if unavailable."""
    decoder = getattr(getattr(ssl, "_ssl", None), "_test_decode_cert", None)
    if decoder is None:
        return {}
    handle, path = tempfile.mkstemp(prefix="tcptui-cert-", suffix=".pem")
    try:
        with os.fdopen(handle, "w", encoding="ascii") as pem:
            pem.write(ssl.DER_cert_to_PEM_cert(der))
        decoded = decoder(path)
    except (OSError, ValueError):
        return {}
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
    return decoded if isinstance(decoded, dict) else {}


_SHORT_NAMES = {
    "commonName": "CN",
    "organizationName": "O",
    "organizationalUnitName": "OU",
    "countryName": "C",
    "stateOrProvinceName": "ST",
    "localityName": "L",
}


def format_name(name: Any) -> str:
    """`((('organizationName', 'y'),), (('commonName', 'x'),))` as `CN=x, O=y`.

    Most specific first, as RFC 4514 writes names (and `openssl x509 -nameopt RFC2253`).
    """
    parts: list[str] = []
    for rdn in reversed(tuple(name)):
        for key, value in rdn:
            parts.append(f"{_SHORT_NAMES.get(key, key)}={value}")
    return ", ".join(parts)


def _cert_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromtimestamp(ssl.cert_time_to_seconds(text), UTC)
    except (ValueError, OverflowError):
        return None


def check_hostname(fields: dict[str, Any], name: str) -> None:
    """Verify `name` against the certificate's SANs ourselves (only needed without SNI).

    Same rules as OpenSSL's default: DNS names case-insensitively, a `*` only as the whole
    leftmost label, IP addresses by value; the subject's CN is not consulted.
    """
    sans = fields.get("subjectAltName", ())
    try:
        wanted_ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(name)
    except ValueError:
        wanted_ip = None
    for kind, value in sans:
        if wanted_ip is not None and kind == "IP Address":
            with contextlib.suppress(ValueError):
                if ipaddress.ip_address(value.strip()) == wanted_ip:
                    return
        elif wanted_ip is None and kind == "DNS" and _dns_matches(value, name):
            return
    names = ", ".join(str(value) for _, value in sans) or "no names"
    raise HostnameMismatchError(f"the certificate is not valid for {name!r} (it names {names})")


def _dns_matches(pattern: str, name: str) -> bool:
    pattern, name = pattern.lower().rstrip("."), name.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = name.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == name


# -- describing a handshake that failed ---------------------------------------------------------

_VERIFY_CODES = {
    9: "the server's certificate is not valid yet",
    10: "the server's certificate has expired",
    18: "the server's certificate is self-signed and not trusted",
    19: "the chain ends in a self-signed root that is not trusted",
    20: "the certificate was issued by an unknown authority",
    21: "the certificate was issued by an unknown authority",
    2: "the certificate was issued by an unknown authority",
    23: "the server's certificate has been revoked",
    24: "an intermediate certificate is not allowed to issue certificates",
    26: "the certificate is not meant for TLS servers",
}
_UNKNOWN_AUTHORITY = {2, 18, 19, 20, 21}
_NAME_MISMATCH = {62, 64}

_REASONS = {
    "WRONG_VERSION_NUMBER": "the server did not answer with TLS (is this a plain-text port?)",
    "UNSUPPORTED_PROTOCOL": "the server and tcptui share no TLS version (see --tls-min/--tls-max)",
    "TLSV1_ALERT_PROTOCOL_VERSION": (
        "the server and tcptui share no TLS version (see --tls-min/--tls-max)"
    ),
    "NO_PROTOCOLS_AVAILABLE": "no TLS version is allowed by --tls-min/--tls-max",
    "SSLV3_ALERT_HANDSHAKE_FAILURE": (
        "the server refused the handshake (no common cipher, or it wants a client certificate)"
    ),
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": (
        "the server requires a client certificate: give one with --cert and --key"
    ),
    "TLSV1_ALERT_UNKNOWN_CA": "the server does not trust our client certificate's issuer",
    "SSLV3_ALERT_BAD_CERTIFICATE": "the server rejected our client certificate",
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN": "the server rejected our client certificate",
    "TLSV1_ALERT_NO_APPLICATION_PROTOCOL": "the server supports none of the ALPN protocols offered",
    "TLSV1_UNRECOGNIZED_NAME": "the server does not know the name sent in SNI",
    "UNEXPECTED_EOF_WHILE_READING": "the server closed the connection in the middle of TLS",
}
_HANDSHAKE_ALERTS = {
    "TLSV13_ALERT_CERTIFICATE_REQUIRED",
    "TLSV1_ALERT_UNKNOWN_CA",
    "SSLV3_ALERT_BAD_CERTIFICATE",
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
}


_SERVER_REASONS = {
    "WRONG_VERSION_NUMBER": "the client did not speak TLS (is it a plain-text client?)",
    "HTTP_REQUEST": "the client sent a plain HTTP request, not TLS (try https://)",
    "HTTPS_PROXY_REQUEST": "the client sent a plain HTTP CONNECT request, not TLS",
    "UNKNOWN_PROTOCOL": "the client did not speak TLS (is it a plain-text client?)",
    "RECORD_LAYER_FAILURE": "the client did not speak TLS (is it a plain-text client?)",
    "PACKET_LENGTH_TOO_LONG": "the client did not speak TLS (is it a plain-text client?)",
    "UNSUPPORTED_PROTOCOL": "the client and tcptui share no TLS version (see --tls-min/--tls-max)",
    "NO_SHARED_CIPHER": "the client and tcptui share no cipher",
    "NO_PROTOCOLS_AVAILABLE": "no TLS version is allowed by --tls-min/--tls-max",
    "TLSV1_ALERT_UNKNOWN_CA": "the client does not trust our certificate's issuer",
    "SSLV3_ALERT_BAD_CERTIFICATE": "the client rejected our certificate",
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN": "the client rejected our certificate",
    "PEER_DID_NOT_RETURN_A_CERTIFICATE": "the client sent no certificate; --cafile asks for one",
    "CERTIFICATE_VERIFY_FAILED": "the client's certificate was not issued by a CA in --cafile",
    "NO_APPLICATION_PROTOCOL": "the client offered none of the ALPN protocols we accept",
    "UNEXPECTED_EOF_WHILE_READING": "the client closed the connection in the middle of TLS",
}


def describe_failure(
    exc: ssl.SSLError, name: str, *, server_side: bool = False
) -> tuple[EndReason, str]:
    """A TLS error as (reason, sentence): the certificate or protocol problem in plain words."""
    reason = str(getattr(exc, "reason", "") or "")
    if server_side:
        return _describe_server_failure(exc, reason)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return EndReason.CERTIFICATE_REJECTED, _verify_sentence(exc, name)
    if reason in _REASONS:
        return EndReason.TLS_FAILURE, _REASONS[reason]
    if isinstance(exc, ssl.SSLEOFError):
        return EndReason.TLS_FAILURE, _REASONS["UNEXPECTED_EOF_WHILE_READING"]
    if reason:
        return EndReason.TLS_FAILURE, reason.replace("_", " ").lower()
    return EndReason.TLS_FAILURE, exc.strerror or str(exc)


def _describe_server_failure(exc: ssl.SSLError, reason: str) -> tuple[EndReason, str]:
    """Listen mode: the same failures, told from the server's side (the peer is a client)."""
    if reason in _SERVER_REASONS:
        return EndReason.TLS_FAILURE, _SERVER_REASONS[reason]
    if isinstance(exc, ssl.SSLEOFError):
        return EndReason.TLS_FAILURE, _SERVER_REASONS["UNEXPECTED_EOF_WHILE_READING"]
    if reason:
        return EndReason.TLS_FAILURE, reason.replace("_", " ").lower()
    return EndReason.TLS_FAILURE, exc.strerror or str(exc)


_RECORD_DAMAGE = {
    "WRONG_VERSION_NUMBER",
    "RECORD_LAYER_FAILURE",
    "PACKET_LENGTH_TOO_LONG",
    "UNKNOWN_PROTOCOL",
    "DECRYPTION_FAILED_OR_BAD_RECORD_MAC",
    "BAD_RECORD_MAC",
    "RECORD_LENGTH_MISMATCH",
    "UNEXPECTED_RECORD",
}


def describe_record_failure(
    exc: ssl.SSLError, name: str, *, server_side: bool = False
) -> tuple[EndReason, str]:
    """A TLS error once the handshake is done: the records that followed were bad, so the
    handshake's own wording ("the server did not answer with TLS") would mislead. A
    handshake rejection that TLS 1.3 delivers on the first read keeps its handshake words."""
    if is_handshake_rejection(exc):
        return describe_failure(exc, name, server_side=server_side)
    reason = str(getattr(exc, "reason", "") or "")
    peer = "client" if server_side else "server"
    if reason in _RECORD_DAMAGE:
        detail = f"the {peer} sent bytes that are not a valid TLS record"
    elif reason:
        detail = reason.replace("_", " ").lower()
    else:
        detail = exc.strerror or str(exc)
    return EndReason.TLS_RECORD_ERROR, f"{detail} (after the handshake)"


def is_handshake_rejection(exc: ssl.SSLError) -> bool:
    """True for alerts that reject the handshake but may arrive after it seemed done.

    In TLS 1.3 the client finishes first, so a server that refuses our client certificate
    says so in an alert that reaches us on the first read.
    """
    return str(getattr(exc, "reason", "")) in _HANDSHAKE_ALERTS


def _verify_sentence(exc: ssl.SSLCertVerificationError, name: str) -> str:
    code = getattr(exc, "verify_code", None)
    message = str(getattr(exc, "verify_message", "") or exc.reason or exc)
    if code in _NAME_MISMATCH:
        return f"the certificate is not valid for the name {name!r}"
    sentence = _VERIFY_CODES.get(code) if isinstance(code, int) else None
    if sentence is None:
        return message
    if code in _UNKNOWN_AUTHORITY:
        sentence += f" ({message}); trust its CA with --cafile, or use --insecure"
    return sentence
