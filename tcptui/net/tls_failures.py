"""Why a TLS handshake or record failed, as one sentence instead of an OpenSSL error string."""

from __future__ import annotations

import ssl

from tcptui.net.events import EndReason

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
    if server_side:
        return EndReason.TLS_FAILURE, _reason_sentence(exc, _SERVER_REASONS)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return EndReason.CERTIFICATE_REJECTED, _verify_sentence(exc, name)
    return EndReason.TLS_FAILURE, _reason_sentence(exc, _REASONS)


def _reason_sentence(exc: ssl.SSLError, sentences: dict[str, str]) -> str:
    """OpenSSL's reason told by `sentences` (the client's or, in listen mode, the server's
    side), else in plain words."""
    reason = str(getattr(exc, "reason", "") or "")
    if reason in sentences:
        return sentences[reason]
    if isinstance(exc, ssl.SSLEOFError):
        return sentences["UNEXPECTED_EOF_WHILE_READING"]
    if reason:
        return reason.replace("_", " ").lower()
    return exc.strerror or str(exc)


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
