"""What the TLS handshake agreed on and who the server claims to be.

Everything in a certificate was written by whoever made it, so names, SANs and issuers are
hostile text: they go into `rich.Text` (never markup) after `safe_text` turns control, bidi
and escape characters into visible glyphs. An unverified connection (--insecure) and a
certificate near its end are marked with classes the stylesheet colours.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual.widgets import Static

from tcptui.codec.safe_text import render_text
from tcptui.net.events import CertificateInfo, TlsEstablished

VERIFIED_STYLE = "bold #5fd75f"
INSECURE_STYLE = "bold reverse #ff5f5f"
EXPIRY_STYLE = "bold #ffaf00"
LABEL_STYLE = "#8a8a8a"
MAX_SANS_SHOWN = 8


def inert(text: str) -> str:
    """Server-supplied text made safe for the screen: every control or odd char visible."""
    return "".join(piece.text for piece in render_text(text.encode("utf-8", "surrogatepass")))


def describe_tls(event: TlsEstablished, now: datetime | None = None) -> Text:
    """The panel's text: parameters, verification verdict, then each certificate."""
    now = now or datetime.now(UTC)
    text = Text()
    version = event.version.replace("TLSv", "TLS ")
    text.append(f"{version} · {inert(event.cipher)}")
    text.append(f" · ALPN {inert(event.alpn)}" if event.alpn else " · no ALPN")
    text.append(f" · {event.handshake_ms:.1f} ms\n")
    if event.verified:
        text.append("✔ verified", style=VERIFIED_STYLE)
        if event.server_name:
            text.append(f" for {inert(event.server_name)}")
    else:
        text.append("⚠ NOT VERIFIED", style=INSECURE_STYLE)
        text.append(f" ({inert(event.verify_error)}): anyone on the path could be the server")
    for index, cert in enumerate(event.chain):
        text.append("\n")
        text.append_text(_describe_certificate(cert, index, now))
    if len(event.chain) == 1:
        text.append("\n(only the server's own certificate is shown)", style=LABEL_STYLE)
    return text


def _describe_certificate(cert: CertificateInfo, index: int, now: datetime) -> Text:
    text = Text()
    text.append("server certificate" if index == 0 else f"chain #{index}", style="bold")
    if not cert.decoded:
        text.append("\n  details unavailable on this Python", style=LABEL_STYLE)
    else:
        _field(text, "subject", inert(cert.subject) or "(empty)")
        _field(text, "issuer", inert(cert.issuer) or "(empty)")
        _field(text, "valid", _validity(cert))
        if cert.expires_soon(now):
            left = _days_left(cert, now)
            warning = "EXPIRED" if cert.expired(now) else f"expires in {left} days"
            text.append(f"  ⚠ {warning}", style=EXPIRY_STYLE)
        if cert.sans:
            shown = ", ".join(inert(name) for name in cert.sans[:MAX_SANS_SHOWN])
            more = len(cert.sans) - MAX_SANS_SHOWN
            _field(text, "names", shown + (f" (+{more} more)" if more > 0 else ""))
    _field(text, "sha256", fingerprint_lines(cert.sha256))
    return text


FINGERPRINT_BYTES_A_LINE = 8
"""`AB:CD:…` in lines of 8 bytes (23 cells): the panel never wraps one inside a byte."""


def fingerprint_lines(sha256: str) -> str:
    """A colon-separated fingerprint cut between bytes, the lines after the first indented
    under it."""
    pairs = sha256.split(":")
    step = FINGERPRINT_BYTES_A_LINE
    lines = [":".join(pairs[start : start + step]) for start in range(0, len(pairs), step)]
    return f"\n{' ' * (2 + LABEL_WIDTH)}".join(lines)


LABEL_WIDTH = 8


def _field(text: Text, label: str, value: str) -> None:
    text.append(f"\n  {label:<{LABEL_WIDTH}}", style=LABEL_STYLE)
    text.append(value)


def _validity(cert: CertificateInfo) -> str:
    start = cert.not_before.date().isoformat() if cert.not_before else "?"
    end = cert.not_after.date().isoformat() if cert.not_after else "?"
    return f"{start} → {end}"


def _days_left(cert: CertificateInfo, now: datetime) -> int:
    return (cert.not_after - now).days if cert.not_after else 0


class CertificatePanel(Static):
    """Shows the last TlsEstablished of a connection; hidden until there is one."""

    DEFAULT_CSS = """
    CertificatePanel { display: none; height: auto; margin: 1 0 0 0; padding: 0 1;
                       border: round $success 60%; }
    CertificatePanel.-shown { display: block; }
    CertificatePanel.-insecure { border: heavy $error; }
    CertificatePanel.-expiring { border: round $warning; }
    """

    def __init__(self) -> None:
        super().__init__(id="certificate-panel")
        self.border_title = "TLS"
        self.event: TlsEstablished | None = None

    def show_tls(self, event: TlsEstablished) -> None:
        self.event = event
        expiring = any(cert.expires_soon() for cert in event.chain)
        self.set_class(True, "-shown")
        self.set_class(not event.verified, "-insecure")
        self.set_class(expiring, "-expiring")
        self.border_title = "TLS · NOT VERIFIED" if not event.verified else "TLS"
        self.update(describe_tls(event))

    def show_rejected(self, cert: CertificateInfo, why: str) -> None:
        """The certificate the handshake refused, with why: what `openssl s_client` shows."""
        self.event = None
        self.set_class(True, "-shown")
        self.set_class(True, "-insecure")
        self.border_title = "TLS · certificate REJECTED"
        text = Text()
        text.append("✖ rejected", style=INSECURE_STYLE)
        text.append(f": {inert(why)}\n")
        text.append_text(_describe_certificate(cert, 0, datetime.now(UTC)))
        self.update(text)

    def clear(self) -> None:
        """A new connection: nothing is known about its TLS yet."""
        if self.event is None and not self.has_class("-shown"):
            return  # nothing shown: updating would cost a layout of the screen for nothing
        self.event = None
        self.remove_class("-shown", "-insecure", "-expiring")
        self.border_title = "TLS"
        self.update("")
