"""An HTTP CONNECT tunnel, asked for by hand so that nothing the target sends is lost.

python-socks reads the proxy's reply with one `recv()` and drops whatever came with it; a
proxy often sends the target's first bytes (an SMTP or SSH banner) in the same segment as its
`200`. Here the reply's header lines are read up to the blank line, and every byte after it
is handed back as the target's data, to be recorded as received.
"""

from __future__ import annotations

import base64
import socket
import time
from dataclasses import dataclass

MAX_REPLY_HEADER = 64 * 1024
"""The longest reply header accepted: a proxy's is a few hundred bytes."""
SHOWN_REASON = 200
"""Characters of the proxy's status line shown in an error at most."""


class ConnectRefused(Exception):
    """The proxy answered, but not with a tunnel; the message quotes its status line."""


@dataclass(frozen=True)
class Tunnel:
    sock: socket.socket
    """Blocking, connected to the target through the proxy."""
    early: bytes
    """What the target sent that arrived with the proxy's reply."""


def request_tunnel(
    proxy: tuple[str, int],
    host: str,
    port: int,
    timeout: float,
    credentials: tuple[str, str] | None = None,
) -> Tunnel:
    """Connect to `proxy` and ask for `host:port`, all within `timeout` seconds.

    Raises ConnectRefused for any answer but 2xx, TimeoutError, or another OSError.
    """
    deadline = time.monotonic() + timeout
    sock = socket.create_connection(proxy, timeout=timeout)
    try:
        sock.sendall(connect_request(host, port, credentials))
        early = _read_reply(sock, deadline)
    except BaseException:
        sock.close()
        raise
    sock.settimeout(None)
    return Tunnel(sock, early)


def connect_request(host: str, port: int, credentials: tuple[str, str] | None) -> bytes:
    name = f"[{host}]" if ":" in host else host
    lines = [f"CONNECT {name}:{port} HTTP/1.1", f"Host: {name}:{port}"]
    if credentials is not None:
        token = base64.b64encode(":".join(credentials).encode("utf-8")).decode("ascii")
        lines.append(f"Proxy-Authorization: Basic {token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def _read_reply(sock: socket.socket, deadline: float) -> bytes:
    """Reads header lines up to the blank one; returns the bytes after it."""
    buffer = bytearray()
    start = 0
    status: bytes | None = None
    while True:
        newline = buffer.find(b"\n", start)
        if newline < 0:
            if len(buffer) > MAX_REPLY_HEADER:
                raise ConnectRefused(f"a reply header longer than {MAX_REPLY_HEADER:,} bytes")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the proxy did not finish its reply in time")
            sock.settimeout(remaining)
            data = sock.recv(65536)
            if not data:
                raise ConnectRefused(
                    "nothing: it closed the connection"
                    if not buffer
                    else "a reply cut short: it closed the connection"
                )
            buffer += data
            continue
        line = bytes(buffer[start:newline]).rstrip(b"\r")
        start = newline + 1
        if status is None:
            status = line
            _check_status(status)
        elif not line:
            return bytes(buffer[start:])


def _is_success(code: bytes) -> bool:
    return len(code) == 3 and code.isdigit() and code.startswith(b"2")


def _check_status(line: bytes) -> None:
    """`HTTP/1.x 2xx …` opens the tunnel; anything else is quoted back, made printable."""
    parts = line.split(None, 2)
    if len(parts) >= 2 and parts[0].startswith(b"HTTP/") and _is_success(parts[1]):
        return
    shown = "".join(
        char if char.isprintable() else "\ufffd"
        for char in line[:SHOWN_REASON].decode("utf-8", "replace")
    )
    raise ConnectRefused(" ".join(shown.split(None, 1)[1:]) or repr(shown))
