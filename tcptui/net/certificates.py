"""What a TLS peer showed: the negotiated parameters and its certificates, decoded for people.

Certificates are decoded with the standard library only. `getpeercert()` gives a decoded dict
only for a verified peer, so every certificate is decoded from its DER bytes with
`ssl._ssl._test_decode_cert`: a private CPython helper (it reads a PEM file, hence the
temporary file), used here alone. If a Python lacks it, the details fall back to the SHA-256
fingerprint alone and say so. The chain beyond the peer's own certificate needs Python 3.13
(`get_verified_chain`); earlier versions show the leaf only.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
import ssl
import tempfile
from datetime import UTC, datetime
from typing import Any

from tcptui.net.events import CertificateInfo, TlsEstablished
from tcptui.net.tls import TlsOptions

INSECURE_NOTE = "not checked: --insecure"
NO_CLIENT_CERTIFICATE_NOTE = "no client certificate: we are the server and asked for none"


class HostnameMismatchError(Exception):
    """The verified certificate does not name the host (checked by us when SNI is off)."""


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
