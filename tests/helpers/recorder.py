"""A thread-safe recorder of session events, to pass as a Session's `on_event` callback."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from tcptui.net.events import Closed, DataReceived, DataSent, Event
from tcptui.net.session import Session

from .waiting import DEFAULT_TIMEOUT, wait_until

E = TypeVar("E")


class EventRecorder:
    """Collects events from the I/O thread and lets a test wait for them with a deadline."""

    def __init__(self) -> None:
        self._events: list[Event] = []
        self._condition = threading.Condition()

    def __call__(self, event: Event) -> None:
        with self._condition:
            self._events.append(event)
            self._condition.notify_all()

    @property
    def events(self) -> list[Event]:
        with self._condition:
            return list(self._events)

    def kinds(self) -> list[type]:
        return [type(event) for event in self.events]

    def of_type(self, kind: type[E]) -> list[E]:
        return [event for event in self.events if isinstance(event, kind)]

    @property
    def received_bytes(self) -> int:
        return sum(event.nbytes for event in self.of_type(DataReceived))

    @property
    def sent_bytes(self) -> int:
        return sum(event.nbytes for event in self.of_type(DataSent))

    def wait_for(self, predicate: Callable[[], bool], timeout: float = DEFAULT_TIMEOUT) -> bool:
        """True once `predicate()` holds (checked after every event), False at the deadline."""
        return wait_until(self._condition, predicate, timeout)

    def wait_for_event(self, kind: type[E], timeout: float = DEFAULT_TIMEOUT) -> E:
        """The first event of type `kind`; fails the test, listing what came, at the deadline."""
        if not self.wait_for(lambda: bool(self.of_type(kind)), timeout):
            raise AssertionError(f"no {kind.__name__} within {timeout} s; got {self.events}")
        return self.of_type(kind)[0]

    def wait_closed(self, timeout: float = DEFAULT_TIMEOUT) -> Closed:
        """The session's Closed event, which is always its last."""
        return self.wait_for_event(Closed, timeout)

    def wait_received(self, nbytes: int, timeout: float = DEFAULT_TIMEOUT) -> bool:
        """True once at least `nbytes` have been received (or the session closed short of it)."""
        return self.wait_for(lambda: self.received_bytes >= nbytes, timeout)


StartSession = Callable[..., tuple[Session, EventRecorder]]
"""The `start_session` fixture: `start_session(target, options=None, recorder=None)`."""
