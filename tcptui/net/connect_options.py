"""How a session opens and keeps its connection: the choices a person makes before connecting."""

from __future__ import annotations

from dataclasses import dataclass

from tcptui.net.proxy import ProxyConfig
from tcptui.net.target import Family
from tcptui.net.tls import TlsOptions


@dataclass(frozen=True)
class ConnectOptions:
    family: Family = Family.AUTO
    timeout: float = 10.0
    """Seconds allowed for each connect attempt."""
    nodelay: bool = False
    """Set TCP_NODELAY: small writes leave at once instead of waiting for Nagle's algorithm."""
    keepalive: bool = False
    """Set SO_KEEPALIVE so a dead peer is noticed on an idle connection."""
    close_on_peer_eof: bool = True
    """Close as soon as the peer sends EOF, as nc does; off keeps our sending side open."""
    tls: TlsOptions = TlsOptions()
    """How to speak TLS for a tls:// target or after `start_tls()`."""
    proxy: ProxyConfig | None = None
    """Reach the target through this SOCKS or HTTP CONNECT proxy (it resolves the name)."""
