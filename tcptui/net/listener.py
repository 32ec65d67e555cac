"""Listen mode: be the server a client under test connects to.

One thread owns the listening socket through a server's lifecycle (socket → bind → listen →
accept) and hands every accepted connection to a callback; each becomes its own Session. The
accept loop waits on a selector with a wake-up socketpair, so stopping is immediate, and
stopping the listener never touches connections already accepted.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from collections.abc import Callable

from tcptui.net.events import (
    Accepted,
    ListenerBound,
    ListenerEvent,
    ListenerSocketCreated,
    ListenerStopped,
    Listening,
)
from tcptui.net.session import format_address
from tcptui.net.target import TargetError, normalise_host, parse_port

DEFAULT_BACKLOG = 16

__all__ = [
    "Accepted",
    "Listener",
    "ListenerBound",
    "ListenerEvent",
    "ListenerSocketCreated",
    "ListenerStopped",
    "Listening",
    "parse_listen_address",
]


def parse_listen_address(text: str) -> tuple[str, int]:
    """`PORT`, `HOST:PORT` or `[V6]:PORT`; the host defaults to 127.0.0.1 (loopback only).

    Port 0 asks the system for any free port (the listener tab shows which).
    """
    text = text.strip()
    if text.startswith("["):
        host, _, port = text[1:].partition("]:")
    elif text.count(":") == 1:
        host, port = text.split(":")
    elif text.count(":") > 1:
        raise TargetError(f"{text!r}: write an IPv6 address in brackets, e.g. [::1]:8080")
    else:
        host, port = "127.0.0.1", text
    ascii_host, _ = normalise_host(host or "127.0.0.1")
    return ascii_host, 0 if port.strip() == "0" else parse_port(port)


class Listener:
    """Accepts connections on one address until stopped; every step reported as an event."""

    def __init__(
        self,
        host: str,
        port: int,
        on_event: Callable[[ListenerEvent], None],
        on_accept: Callable[[socket.socket], None],
        backlog: int = DEFAULT_BACKLOG,
    ) -> None:
        self.host, self.port, self.backlog = host, port, backlog
        self._on_event = on_event
        self._on_accept = on_accept
        self._stop = threading.Event()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._thread = threading.Thread(
            target=self._run, name=f"tcptui-listen {host}:{port}", daemon=True
        )
        self.accepted = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting; returns at once. Accepted connections are not affected."""
        self._stop.set()
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            with self._open() as listener, selectors.DefaultSelector() as selector:
                selector.register(listener, selectors.EVENT_READ)
                selector.register(self._wake_reader, selectors.EVENT_READ)
                while not self._stop.is_set():
                    for key, _ in selector.select():
                        if key.fileobj is listener:
                            self._accept(listener)
            self._on_event(ListenerStopped())
        except OSError as exc:
            self._on_event(ListenerStopped(exc.strerror or str(exc)))
        finally:
            self._wake_reader.close()
            self._wake_writer.close()

    def _open(self) -> socket.socket:
        info = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)[0]
        family, kind, proto, _, address = info
        listener = socket.socket(family, kind, proto)
        try:
            self._on_event(ListenerSocketCreated(socket.AddressFamily(family).name))
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(address)
            bound = listener.getsockname()
            self.port = bound[1]
            everywhere = str(bound[0]) in ("0.0.0.0", "::")
            self._on_event(ListenerBound(format_address(bound), everywhere))
            listener.listen(self.backlog)
            listener.setblocking(False)
            self._on_event(Listening(self.backlog))
        except OSError:
            listener.close()
            raise
        return listener

    def _accept(self, listener: socket.socket) -> None:
        try:
            conn, peer = listener.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return
        self.accepted += 1
        self._on_event(Accepted(format_address(peer), format_address(conn.getsockname())))
        self._on_accept(conn)
