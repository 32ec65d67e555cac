"""A real Listener feeding a real ClientBook, watched from a test; and loopback clients."""

from __future__ import annotations

import os
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from tcptui.codec.automation_rules import ResponderRule
from tcptui.net.events import ListenerEvent, Listening
from tcptui.net.listen_clients import ClientBook
from tcptui.net.listener import Listener
from tcptui.net.session import ConnectOptions
from tests.helpers import DEFAULT_TIMEOUT


@dataclass
class ListenHarness:
    """Starts listening on 127.0.0.1; `wait` blocks until the book or the events satisfy."""

    max_clients: int = 100
    save_base: str | None = None
    options: ConnectOptions = ConnectOptions()
    responders: tuple[ResponderRule, ...] = ()
    events: list[ListenerEvent] = field(default_factory=list)
    condition: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self.book = ClientBook(
            self.options,
            self._changed,
            max_clients=self.max_clients,
            save_base=self.save_base,
            responders=self.responders,
        )
        self.listener = Listener("127.0.0.1", 0, self._event, self.book)

    def start(self) -> int:
        self.listener.start()
        self.wait(lambda: any(isinstance(e, Listening) for e in self.events), "listening")
        return self.listener.port

    def _changed(self) -> None:
        with self.condition:
            self.book.changes_taken()
            self.condition.notify_all()

    def _event(self, event: ListenerEvent) -> None:
        with self.condition:
            self.events.append(event)
            self.condition.notify_all()

    def wait(self, predicate: Callable[[], bool], what: str) -> None:
        with self.condition:
            held = self.condition.wait_for(predicate, DEFAULT_TIMEOUT)
        assert held, f"waited in vain for {what}: {self.book.tally()}"

    def stop(self) -> None:
        self.listener.stop()
        assert self.listener.join(DEFAULT_TIMEOUT)
        self.book.close_all()
        for client in self.book.rows():
            found = self.book.client(client.number)
            if found is not None and found.session is not None:
                found.session.close()
        join_io_threads()


def join_io_threads() -> None:
    """Wait for every session's I/O thread to end (each ends right after reporting Closed)."""
    for thread in threading.enumerate():
        if thread.name.startswith("tcptui-io"):
            thread.join(DEFAULT_TIMEOUT)
            assert not thread.is_alive(), f"{thread.name} did not end"


def connect_and_reset(port: int) -> None:
    """What `nmap -sT` does: finish the handshake, then RST (SO_LINGER 0) at once."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=DEFAULT_TIMEOUT)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def connect_and_close(port: int) -> None:
    """A health check: connect, then FIN."""
    socket.create_connection(("127.0.0.1", port), timeout=DEFAULT_TIMEOUT).close()


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")
