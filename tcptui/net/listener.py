"""Listen mode: be the server a client under test connects to.

One thread owns the listening socket through a server's lifecycle (socket → bind → listen →
accept) and hands every accepted connection, with its addresses, to a `ClientSink`. The
addresses are read here, once, the moment the socket is accepted: a client that has already
reset makes `getpeername()` fail later, anywhere. Whatever one client does (reset before or
after accept, a socket call failing) is that client's affair, never the listener's; running
out of file descriptors pauses accepting for a moment and says so. The accept loop waits on a
selector with a wake-up socketpair, so stopping is immediate, and stopping the listener never
touches connections already accepted.
"""

from __future__ import annotations

import errno
import os
import selectors
import socket
import threading
from collections.abc import Callable
from typing import Protocol

from tcptui.net.events import (
    AcceptPaused,
    AcceptResumed,
    ListenerBound,
    ListenerEvent,
    ListenerSocketCreated,
    ListenerStopped,
    Listening,
)
from tcptui.net.target import TargetError, format_address, normalise_host, parse_port
from tcptui.net.wake_up import WakeUp

DEFAULT_BACKLOG = 1024
"""The kernel queues this many finished handshakes: 200 clients within a second fit."""
ACCEPTS_PER_WAKE = 64
"""Accepts in a row before asking the selector again (and checking for a stop)."""
PAUSE_SECONDS = 0.5
"""How long accepting rests when the process is out of descriptors: clients that end free
theirs, and the waiting clients stay queued in the kernel meanwhile."""
_OUT_OF_RESOURCES = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
_GONE_BEFORE_ACCEPT = {errno.ECONNABORTED, errno.ECONNRESET, errno.EPROTO, errno.ENOTCONN}

__all__ = [
    "AcceptPaused",
    "AcceptResumed",
    "ClientSink",
    "Listener",
    "ListenerBound",
    "ListenerEvent",
    "ListenerSocketCreated",
    "ListenerStopped",
    "Listening",
    "parse_listen_address",
]


class ClientSink(Protocol):
    """Where accepted connections go; every method is called on the listener's thread."""

    def full(self) -> bool:
        """True when no more clients may be held (the --max-clients limit)."""

    def admit(self, conn: socket.socket, host: str, port: int, local: str) -> None:
        """Take `conn` over; an OSError (out of descriptors, say) is reported, conn closed."""

    def refuse(self, peer: str) -> None:
        """`peer` was closed at once: the limit was reached."""

    def vanish(self, peer: str, error: str) -> None:
        """A client was gone before it could be taken over (`peer` may be empty)."""


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
        sink: ClientSink,
        backlog: int = DEFAULT_BACKLOG,
    ) -> None:
        self.host, self.port, self.backlog = host, port, backlog
        self._on_event = on_event
        self._sink = sink
        self._stop = threading.Event()
        self._wake_up = WakeUp()
        self._thread = threading.Thread(
            target=self._run, name=f"tcptui-listen {host}:{port}", daemon=True
        )
        self._paused = False

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting; returns at once. Accepted connections are not affected."""
        self._stop.set()
        self._wake_up.wake()

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            with selectors.DefaultSelector() as selector, self._open() as listener:
                selector.register(self._wake_up.reader, selectors.EVENT_READ)
                selector.register(listener, selectors.EVENT_READ)
                while not self._stop.is_set():
                    ready = selector.select(PAUSE_SECONDS if self._paused else None)
                    if self._paused and not ready:
                        self._paused = False
                        selector.register(listener, selectors.EVENT_READ)
                        self._on_event(AcceptResumed())
                    elif any(key.fileobj is listener for key, _ in ready):
                        self._accept_waiting(listener, selector)
            self._on_event(ListenerStopped())
        except OSError as exc:
            self._on_event(ListenerStopped(exc.strerror or str(exc)))
        except Exception as exc:  # noqa: BLE001 - the thread must always report its end
            self._on_event(ListenerStopped(f"unexpected error: {exc!r}"))
        finally:
            self._wake_up.close()

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

    def _accept_waiting(self, listener: socket.socket, selector: selectors.BaseSelector) -> None:
        """Accept the clients queued in the kernel, a bounded number at a time."""
        for _ in range(ACCEPTS_PER_WAKE):
            try:
                conn, peer_address = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                if exc.errno in _OUT_OF_RESOURCES:
                    self._pause(listener, selector, exc)
                    return
                if exc.errno in _GONE_BEFORE_ACCEPT:
                    self._sink.vanish("", _describe(exc))
                    continue
                raise
            exhausted = self._take(conn, str(peer_address[0]), int(peer_address[1]))
            if exhausted is not None:
                self._pause(listener, selector, exhausted)
                return
            if self._stop.is_set():
                return

    def _take(self, conn: socket.socket, host: str, port: int) -> OSError | None:
        """One accepted socket: refused over the limit, else handed to the sink.

        Returns the error when taking it over ran out of descriptors (accepting should rest).
        """
        peer = format_address((host, port))
        if self._sink.full():
            conn.close()
            self._sink.refuse(peer)
            return None
        try:
            local = format_address(conn.getsockname())
        except OSError as exc:
            conn.close()
            self._sink.vanish(peer, _describe(exc))
            return None
        try:
            self._sink.admit(conn, host, port, local)
        except OSError as exc:
            conn.close()
            self._sink.vanish(peer, _describe(exc))
            return exc if exc.errno in _OUT_OF_RESOURCES else None
        return None

    def _pause(
        self, listener: socket.socket, selector: selectors.BaseSelector, exc: OSError
    ) -> None:
        """Out of descriptors: stop watching the listening socket for PAUSE_SECONDS."""
        self._paused = True
        selector.unregister(listener)
        self._on_event(AcceptPaused(_describe(exc), PAUSE_SECONDS))


def _describe(exc: OSError) -> str:
    if exc.errno is not None:
        return os.strerror(exc.errno)
    return str(exc)
