"""The clients of one listener, held cheaply until someone looks at one.

A server on a real network meets scanners and health checks by the hundred; each accepted
client here costs a Session (its I/O thread, whose read buffer takes memory only as it
fills) and a Capture, and nothing of the UI. The UI reads a table of rows from the
`ClientBook` and builds a client's tab only when asked (`ListenClient.attach`), replaying
the lifecycle events it missed. A client that leaves without a byte either way leaves no row
either: it is counted, with the last few addresses. With `--save FILE`, each client's
received bytes go to a file of its own (see capture/listen_save.py), written and flushed by
its I/O thread as they arrive.

Every method of ClientSink runs on the listener's thread, every event on the client's I/O
thread, and the rest on the UI's: one lock guards the book and its clients' hand-over.
"""

from __future__ import annotations

import errno
import itertools
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tcptui.capture.export import SaveError
from tcptui.capture.listen_save import client_save_path
from tcptui.capture.live_save import LiveSaver
from tcptui.capture.store import Capture, Direction
from tcptui.codec.automation_rules import ResponderRule
from tcptui.net.events import Closed, DataReceived, DataSent, Event
from tcptui.net.responders import Responders
from tcptui.net.session import ConnectOptions, Session, SessionState
from tcptui.net.target import Target, format_address

RECENT_SILENT = 5
"""Addresses of clients that left without a byte that the listener tab names."""

EventSink = Callable[[Event], None]


@dataclass(frozen=True)
class ClientRow:
    """What the listener tab's table shows of one client."""

    number: int
    peer: str
    state: SessionState
    bytes_in: int
    bytes_out: int
    age: float
    """Seconds from accept to now, or to the end for a client that has gone."""
    has_tab: bool


@dataclass(frozen=True)
class BookTally:
    """The listener's counters, read together."""

    held: int
    accepted: int
    refused: int
    silent: int
    recent_silent: tuple[str, ...]
    vanished: int
    """Clients gone, or dropped, before they could be taken (reset, out of descriptors)."""
    vanish_reason: str
    """Why the last of them was lost."""
    last_problem: str
    """The last thing the person should hear about (a --save file that cannot be written)."""


class ListenClient:
    """One accepted client: its session and capture, and the tab's hand-over point."""

    def __init__(self, book: ClientBook, number: int, target: Target, local: str) -> None:
        self.book = book
        self.number = number
        self.target = target
        self.peer = format_address((target.host, target.port))
        self.local = local
        self.capture = Capture()
        self.session: Session | None = None
        self.started = time.monotonic()
        self.ended: float | None = None
        self.has_tab = False
        self.saver: LiveSaver | None = None
        self.save_error = ""
        self.responders: Responders | None = None
        """The rules answering this client (`--responders`): a mock server answers every
        client, whether or not anyone looks at it."""
        self._missed: list[Event] = []
        self._sink: EventSink | None = None

    def on_event(self, event: Event) -> None:
        """The session's callback, on its I/O thread."""
        if isinstance(event, DataReceived) and self.book.save_base is not None:
            self._save()
        with self.book.lock:
            if self._sink is not None:
                self._sink(event)
            elif not isinstance(event, DataReceived | DataSent):
                self._missed.append(event)
        if isinstance(event, Closed):
            self.finish_saving()
            self.book.ended(self)
        else:
            self.book.changed()

    def attach(self, sink: EventSink) -> None:
        """A tab shows this client from now on: the events so far first, then each new one."""
        with self.book.lock:
            for event in self._missed:
                sink(event)
            self._sink = sink
            self._missed.clear()
            self.has_tab = True

    def row(self, now: float) -> ClientRow:
        state = self.session.state if self.session is not None else SessionState.CONNECTING
        return ClientRow(
            self.number,
            self.peer,
            state,
            self.capture.stream_bytes(Direction.RECEIVED),
            self.capture.stream_bytes(Direction.SENT),
            (self.ended or now) - self.started,
            self.has_tab,
        )

    def _save(self, *, last_try: bool = False) -> None:
        """Append what arrived to this client's --save file, flushed. Out of descriptors,
        the next bytes try again; only the last try, at the end, tells the person."""
        base = self.book.save_base
        if self.save_error or base is None:
            return
        try:
            if self.saver is None:
                path = client_save_path(base, self.number, self.target.host, self.target.port)
                self.saver = LiveSaver(self.capture, path)
            self.saver.catch_up()
        except SaveError as exc:
            if _out_of_descriptors(exc) and not last_try:
                return
            self.save_error = str(exc)
            self.book.problem(f"client {self.number} ({self.peer}) is not saved: {exc}")
        except ValueError:  # its tab was closed, and the capture with it: nothing left to save
            self.save_error = "the capture is closed"

    def finish_saving(self, last_try: bool = False) -> None:
        """The client has ended: its file gets what it still lacks (made now if the process
        was out of descriptors before), and is closed. Still out of descriptors (the listener
        takes each one freed for the clients waiting to be accepted), it is saved when the
        next client ends (`ClientBook.ended`), or when the listener closes (`last_try`)."""
        if self.book.save_base is not None and self.capture.stream_bytes(Direction.RECEIVED):
            self._save(last_try=last_try)
            if self.saver is None and not self.save_error:
                self.book.save_later(self)
                return
        if self.saver is None:
            return
        try:
            self.saver.close()
        except SaveError as exc:
            self.book.problem(f"client {self.number} ({self.peer}) is not saved: {exc}")
        except ValueError:
            pass  # the capture was closed with its tab; the file has what arrived till then


class ClientBook:
    """Every client of one listener; the listener's ClientSink and the listener tab's model."""

    def __init__(
        self,
        options: ConnectOptions,
        on_change: Callable[[], None],
        *,
        max_clients: int,
        save_base: str | None = None,
        responders: Sequence[ResponderRule] = (),
    ) -> None:
        self.options = options
        self.responder_rules = tuple(responders)
        self.max_clients = max_clients
        self.save_base = save_base
        self.lock = threading.Lock()
        self._on_change = on_change
        self._change_pending = False
        self._clients: dict[int, ListenClient] = {}
        self._numbers = itertools.count(1)
        self._held = 0
        self._accepted = 0
        self._refused = 0
        self._silent = 0
        self._recent_silent: deque[str] = deque(maxlen=RECENT_SILENT)
        self._vanished = 0
        self._vanish_reason = ""
        self._last_problem = ""
        self._closing = False
        self._unsaved: list[ListenClient] = []
        """Clients that ended while no descriptor was free for their --save file."""

    # -- the listener's thread (ClientSink) --------------------------------------------------

    def full(self) -> bool:
        return self._held >= self.max_clients

    def admit(self, conn: socket.socket, host: str, port: int, local: str) -> None:
        """Start a session on `conn`; OSError if the process cannot give it what it needs."""
        client = ListenClient(self, next(self._numbers), Target(host, port), local)
        on_event: EventSink = client.on_event
        if self.responder_rules:
            client.responders = Responders(self.responder_rules, client.capture)
            on_event = client.responders.tap(on_event)
        try:
            client.session = Session(
                client.target,
                client.capture,
                on_event,
                self.options,
                accepted=conn,
                accepted_addresses=(local, client.peer),
            )
        except OSError:
            client.capture.close()
            raise
        if client.responders is not None:  # first, so the client's EOF waits for its answers
            try:
                client.responders.start(client.session)
            except RuntimeError as exc:  # the client is served all the same; say it is not answered
                client.responders = None
                self.problem(f"client {client.number} ({client.peer}) is not answered: {exc}")
        with self.lock:
            self._clients[client.number] = client
            self._held += 1
            self._accepted += 1
        try:
            client.session.start()
        except RuntimeError as exc:  # the system has no thread to give
            with self.lock:
                self._clients.pop(client.number, None)
                self._held -= 1
            if client.responders is not None:
                client.responders.stop()
            client.capture.close()
            raise OSError(errno.EAGAIN, f"cannot start a thread: {exc}") from None
        self.changed()

    def refuse(self, peer: str) -> None:
        with self.lock:
            self._refused += 1
        self.changed()

    def vanish(self, peer: str, error: str) -> None:
        with self.lock:
            self._vanished += 1
            self._vanish_reason = error
        self.changed()

    # -- the clients' I/O threads ------------------------------------------------------------

    def ended(self, client: ListenClient) -> None:
        """A client's session ended. One that moved no byte and has no tab leaves no row.
        Its descriptors are free now: the files of clients that ended without one are made
        first, before it counts as gone."""
        self._save_waiting()
        client.ended = time.monotonic()
        with self.lock:
            self._held -= 1
            quiet = not client.has_tab and client.capture.total_bytes == 0
            if quiet and self._clients.pop(client.number, None) is not None:
                self._silent += 1
                self._recent_silent.append(client.peer)
            drop = quiet or (self._closing and not client.has_tab)
            drop = drop and client not in self._unsaved  # its file is still to be made
        if drop:
            client.capture.close()
        self.changed()

    def save_later(self, client: ListenClient) -> None:
        """`client` ended when its file could not be made (no descriptor free): try again
        when another client ends, and at the latest when the listener closes."""
        with self.lock:
            self._unsaved.append(client)

    def _save_waiting(self, last_try: bool = False) -> None:
        with self.lock:
            waiting, self._unsaved = self._unsaved, []
        for client in waiting:
            client.finish_saving(last_try)

    def problem(self, sentence: str) -> None:
        with self.lock:
            self._last_problem = sentence
        self.changed()

    def changed(self) -> None:
        """Tell the UI once; nothing more until it has read the book (`changes_taken`)."""
        with self.lock:
            if self._change_pending:
                return
            self._change_pending = True
        self._on_change()

    # -- the UI ------------------------------------------------------------------------------

    def changes_taken(self) -> None:
        """Call before reading: later changes will call on_change again."""
        with self.lock:
            self._change_pending = False

    def rows(self) -> list[ClientRow]:
        now = time.monotonic()
        with self.lock:
            clients = list(self._clients.values())
        return [client.row(now) for client in clients]

    def tally(self) -> BookTally:
        with self.lock:
            return BookTally(
                self._held,
                self._accepted,
                self._refused,
                self._silent,
                tuple(self._recent_silent),
                self._vanished,
                self._vanish_reason,
                self._last_problem,
            )

    def client(self, number: int) -> ListenClient | None:
        with self.lock:
            return self._clients.get(number)

    def forget(self, client: ListenClient) -> None:
        """Its tab was closed: its row goes too (the tab's view closed its session and capture)."""
        with self.lock:
            self._clients.pop(client.number, None)
        self.changed()

    def close_all(self) -> int:
        """End every client without a tab (the listener tab is closing); how many were open."""
        self._save_waiting(last_try=True)
        with self.lock:
            self._closing = True
            untabbed = [client for client in self._clients.values() if not client.has_tab]
            for client in untabbed:
                self._clients.pop(client.number)
        open_ones = 0
        for client in untabbed:
            if client.ended is None and client.session is not None:
                open_ones += 1
                client.session.close()
            else:
                client.capture.close()
        return open_ones


def _out_of_descriptors(exc: SaveError) -> bool:
    cause = exc.__cause__
    return isinstance(cause, OSError) and cause.errno in (errno.EMFILE, errno.ENFILE)
