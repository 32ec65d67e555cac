"""Messages from the I/O thread to the app, tagged with the connection they came from.

A cancelled connection's thread can still post late (DESIGN.md fact 3), so the app ignores any
message whose `connection_id` is not the current one.
"""

from __future__ import annotations

import threading

from textual.message import Message
from textual.message_pump import MessagePump

from tcptui.net.events import DataReceived, DataSent, Event


class SessionEvent(Message):
    """A lifecycle step (resolved, connected, closed …) of connection `connection_id`."""

    def __init__(self, connection_id: int, event: Event) -> None:
        super().__init__()
        self.connection_id = connection_id
        self.event = event


class DataAvailable(Message):
    """New bytes are in the capture. At most one is ever waiting, however fast bytes arrive."""

    def __init__(self, connection_id: int) -> None:
        super().__init__()
        self.connection_id = connection_id

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DataAvailable) and message.connection_id == self.connection_id


class EventBridge:
    """The engine's callback: turns engine events into messages for `target`, from any thread.

    Data events are coalesced: while one DataAvailable waits to be handled, further bytes post
    nothing, so a flood costs the UI one message per frame rather than one per recv().
    """

    def __init__(self, target: MessagePump, connection_id: int) -> None:
        self.target = target
        self.connection_id = connection_id
        self._lock = threading.Lock()
        self._data_pending = False

    def __call__(self, event: Event) -> None:
        if isinstance(event, DataReceived | DataSent):
            with self._lock:
                if self._data_pending:
                    return
                self._data_pending = True
            self.target.post_message(DataAvailable(self.connection_id))
        else:
            self.target.post_message(SessionEvent(self.connection_id, event))

    def data_taken(self) -> None:
        """Call before reading the capture: later bytes will post a new DataAvailable."""
        with self._lock:
            self._data_pending = False
