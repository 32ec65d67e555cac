"""Shared test helpers: loopback servers, an event recorder and deadline-bounded waits.

Engine tests use them now; UI tests drive the app against the same servers.
"""

from .data import MIB, pseudo_random_blocks, stream_bytes, stream_chunks, stream_sha256
from .recorder import EventRecorder, StartSession
from .servers import (
    DribbleServer,
    EchoServer,
    GatedConnectProxy,
    HalfCloseServer,
    LoopbackServer,
    OneReadPerByte,
    PayloadServer,
    ResetServer,
    SilentServer,
    StreamServer,
    closed_port,
    full_accept_queue,
    ipv6_loopback_available,
)
from .tls_servers import (
    StartTlsServer,
    TestPki,
    TlsHalfCloseServer,
    TlsServer,
    make_pki,
    server_context,
)
from .tools import REQUIRE_TOOLS, require_tool
from .waiting import DEFAULT_TIMEOUT, wait_until

__all__ = [
    "DEFAULT_TIMEOUT",
    "REQUIRE_TOOLS",
    "MIB",
    "DribbleServer",
    "OneReadPerByte",
    "EchoServer",
    "EventRecorder",
    "GatedConnectProxy",
    "HalfCloseServer",
    "LoopbackServer",
    "PayloadServer",
    "ResetServer",
    "SilentServer",
    "StartSession",
    "StartTlsServer",
    "StreamServer",
    "TestPki",
    "TlsHalfCloseServer",
    "TlsServer",
    "closed_port",
    "full_accept_queue",
    "ipv6_loopback_available",
    "make_pki",
    "pseudo_random_blocks",
    "require_tool",
    "server_context",
    "stream_bytes",
    "stream_chunks",
    "stream_sha256",
    "wait_until",
]
