"""Parse what a person types as a target into a `Target`, with a clear message for bad input.

Accepted forms: `HOST PORT`, `HOST:PORT`, `[V6]:PORT`, `V6 PORT`, `tcp://HOST:PORT`,
`tls://HOST:PORT` (port 443 when omitted). Ports may be service names (`http`), resolved by the
system's services database. Host names are IDNA-encoded so `bücher.example` works.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from enum import StrEnum

SCHEMES = {"tcp": False, "tls": True}
DEFAULT_TLS_PORT = 443
_MAX_HOST_LENGTH = 253
_MAX_LABEL_LENGTH = 63
_NUMBER = re.compile(r"-?[0-9]+")


class Family(StrEnum):
    """Which addresses of a name to try."""

    AUTO = "auto"
    IPV4 = "ipv4"
    IPV6 = "ipv6"

    @property
    def address_family(self) -> int:
        return {
            Family.AUTO: socket.AF_UNSPEC,
            Family.IPV4: socket.AF_INET,
            Family.IPV6: socket.AF_INET6,
        }[self]


def format_address(sockaddr: tuple[object, ...]) -> str:
    """A socket address as people write it: `host:port`, `[v6]:port`."""
    host, port = sockaddr[0], sockaddr[1]
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


class TargetError(ValueError):
    """A target the user typed cannot be used; the message says why in plain words."""


@dataclass(frozen=True)
class Target:
    """Where to connect: `host` is ASCII (an IP literal or an IDNA-encoded name)."""

    host: str
    port: int
    tls: bool = False
    display_host: str = ""

    @property
    def is_ipv6_literal(self) -> bool:
        return ":" in self.host

    def __str__(self) -> str:
        host = self.display_host or self.host
        shown = f"[{host}]" if self.is_ipv6_literal else host
        scheme = "tls://" if self.tls else ""
        return f"{scheme}{shown}:{self.port}"


def parse_port(text: str) -> int:
    """A number in 1–65535 or a TCP service name known to the system (`http`, `smtp`)."""
    text = text.strip()
    if not text:
        raise TargetError("the port is missing")
    if _NUMBER.fullmatch(text):
        port = int(text)
        if not 1 <= port <= 65535:
            raise TargetError(f"port {text} is out of range (1–65535)")
        return port
    try:
        return socket.getservbyname(text, "tcp")
    except (OSError, UnicodeError, ValueError):
        raise TargetError(f"{text!r} is neither a port number nor a known service name") from None


def normalise_host(text: str) -> tuple[str, str]:
    """Return (ascii_host, display_host), checking shape and IDNA-encoding names."""
    host = text.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host:
        raise TargetError("the host is missing: give a name or address, e.g. example.com")
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        address = None
    if address is not None:
        return host, host
    if ":" in host:
        raise TargetError(f"{text!r} is not a valid IPv6 address")
    if any(ch.isspace() or not ch.isprintable() for ch in host) or "/" in host or "@" in host:
        raise TargetError(f"{text!r} is not a valid host name")
    name = host.rstrip(".")
    try:
        ascii_host = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise TargetError(f"{text!r} is not a valid host name (IDNA encoding failed)") from None
    labels = ascii_host.split(".")
    if len(ascii_host) > _MAX_HOST_LENGTH or any(
        not 0 < len(label) <= _MAX_LABEL_LENGTH for label in labels
    ):
        raise TargetError(f"{text!r} is not a valid host name (bad length or empty label)")
    return ascii_host, host


def _split_scheme(text: str) -> tuple[bool | None, str]:
    if "://" not in text:
        return None, text
    scheme, rest = text.split("://", 1)
    if scheme.lower() not in SCHEMES:
        known = ", ".join(f"{name}://" for name in SCHEMES)
        raise TargetError(f"unknown scheme {scheme!r}: use {known}")
    return SCHEMES[scheme.lower()], rest.rstrip("/")


def _split_host_port(text: str) -> tuple[str, str | None]:
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise TargetError(f"{text!r}: missing ']' after the IPv6 address")
        host, rest = text[: end + 1], text[end + 1 :]
        if not rest:
            return host, None
        if not rest.startswith(":"):
            raise TargetError(f"{text!r}: expected ':PORT' after ']'")
        return host, rest[1:]
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, port
    return text, None


def parse_target(text: str, port: str | None = None, *, tls: bool = False) -> Target:
    """Parse one or two command-line words into a Target.

    `port` is the second word, if the user gave one; a port both inside `text` and in `port`
    is ambiguous and refused.
    """
    scheme_tls, rest = _split_scheme(text.strip())
    host_text, port_text = _split_host_port(rest)
    if port_text is not None and port is not None:
        raise TargetError(f"two ports given: {port_text!r} in {text!r} and {port!r}")
    port_text = port if port_text is None else port_text
    use_tls = tls or bool(scheme_tls)
    ascii_host, display_host = normalise_host(host_text)  # no host: say so, not "no port"
    if port_text is None:
        if not use_tls:
            raise TargetError(f"no port in {text!r}: try '{text} 80' or '{text}:80'")
        port_text = str(DEFAULT_TLS_PORT)
    return Target(ascii_host, parse_port(port_text), use_tls, display_host)
