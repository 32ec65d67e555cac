"""What a session was asked to send, in order: bytes, bytes with a note, files and STARTTLS.

Other threads add to it under the session's lock; the I/O thread takes from its head. A file
gives its next piece each time (see FileUpload), and a STARTTLS request stops the sending
until the I/O thread has made the handshake: bytes queued after it travel encrypted.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

from tcptui.net.file_upload import FileUpload
from tcptui.net.tls import TlsOptions


@dataclass(frozen=True)
class TlsUpgrade:
    """A STARTTLS request in the outbox: bytes queued before it go plain, after it encrypted."""

    options: TlsOptions


@dataclass(frozen=True)
class Noted:
    """Bytes to send whose chunk gets a note in the capture (which responder sent them)."""

    data: bytes
    note: str

    def __len__(self) -> int:
        return len(self.data)


Outgoing: TypeAlias = bytes | FileUpload | TlsUpgrade | Noted


class Outbox:
    """The queue of what is still to go out on one connection."""

    def __init__(self) -> None:
        self._items: deque[Outgoing] = deque()
        self.note = ""
        """The note of the bytes `next_to_send` gave last, for their chunk in the capture."""

    def append(self, item: Outgoing) -> None:
        self._items.append(item)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __iter__(self) -> Iterator[Outgoing]:
        return iter(tuple(self._items))

    @property
    def queued_bytes(self) -> int:
        return sum(len(part) for part in self if not isinstance(part, TlsUpgrade))

    def take_note(self) -> str:
        """The note of the bytes just written, which goes with their chunk only."""
        note, self.note = self.note, ""
        return note

    def upgrade_due(self) -> TlsUpgrade | None:
        """The STARTTLS request at the head of the outbox, taken off it; None if not there."""
        if self._items and isinstance(self._items[0], TlsUpgrade):
            upgrade = self._items.popleft()
            assert isinstance(upgrade, TlsUpgrade)
            return upgrade
        return None

    def next_to_send(self) -> memoryview | None:
        """The next bytes from the outbox; a file at its head gives its next piece."""
        while self._items:
            head = self._items[0]
            if isinstance(head, TlsUpgrade):
                return None
            if isinstance(head, Noted):
                self._items.popleft()
                self.note = head.note
                return memoryview(head.data)
            if not isinstance(head, FileUpload):
                self._items.popleft()
                return memoryview(head)
            piece = head.next_piece()
            if piece:
                return memoryview(piece)
            self._items.popleft()
            head.finish()
        return None
