"""One TCP connection's whole life, run in one I/O thread.

The thread owns the socket: it opens the connection (opening.py: resolve, connect, proxy,
TLS, or adopt one a Listener accepted), then moves bytes both ways with a selector until the
connection ends, appending every byte to the Capture and reporting every step as an event
through one callback. Other threads talk to it only through `send`, `half_close` and `close`,
which queue a request and wake the selector through a socketpair, so the thread never sits in
a `recv()` that nobody can interrupt.

Under TLS (a `tls://` target, a listener's TLS, or `start_tls()` for STARTTLS) the exchange
loop reads and writes a `TlsChannel` (tls.py) over the socket, driven by the same selector: it
drains what the TLS layer already holds (`pending()`), since the selector only sees the raw
socket.
"""

from __future__ import annotations

import mmap
import selectors
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum

from tcptui.capture.store import Capture, Direction
from tcptui.net.capture_events import CaptureEvents
from tcptui.net.connect_options import ConnectOptions as ConnectOptions  # re-exported for callers
from tcptui.net.eof_hold import EofHold
from tcptui.net.events import (
    Closed,
    DataReceived,
    DataSent,
    EndReason,
    Event,
    HalfClosed,
    PeerFinished,
    Step,
    end_reason_for,
)
from tcptui.net.file_upload import FileUpload
from tcptui.net.opening import CloseRequested, Connection, Opener, StepFailed
from tcptui.net.outbox import Noted, Outbox, TlsUpgrade
from tcptui.net.target import Target
from tcptui.net.tls import TlsChannel, TlsOptions
from tcptui.net.tls_failures import describe_record_failure, is_handshake_rejection
from tcptui.net.wake_up import WakeUp

RECV_SIZE = 2 << 20
"""Bytes one recv may take. Large, so a flood costs few system calls and GIL hand-offs: while
the UI holds the GIL the kernel buffers, and the next read takes it all at once."""
BACK_TO_BACK_READS = 8
"""Reads without asking the selector while each one fills the buffer (more is surely there)."""
MAX_CHUNK = 256 * 1024


class SessionState(StrEnum):
    IDLE = "idle"
    CONNECTING = "connecting"
    OPEN = "open"
    HALF_CLOSED = "half-closed"
    CLOSED = "closed"


class SessionError(Exception):
    """A request the session cannot carry out in its current state."""


class NotConnectedError(SessionError):
    def __init__(self) -> None:
        super().__init__("not connected: connect first, then send")


class WriteClosedError(SessionError):
    def __init__(self) -> None:
        super().__init__("you already sent EOF (half-close): this connection can only receive")


class AlreadyTlsError(SessionError):
    def __init__(self) -> None:
        super().__init__("this connection already speaks TLS")


class Session:
    """A TCP client connection. Create it, `start()` it, then `send()` and watch the events."""

    def __init__(
        self,
        target: Target,
        capture: Capture,
        on_event: Callable[[Event], None],
        options: ConnectOptions | None = None,
        *,
        accepted: socket.socket | None = None,
        accepted_addresses: tuple[str, str] | None = None,
    ) -> None:
        """`accepted`: a connection a Listener accepted; the session skips resolve and connect.
        `accepted_addresses` (local, peer) are the ones the listener read at accept: a client
        that has reset since makes `getpeername()` fail.

        Only such a connection can be the TLS server (`TlsOptions.server`): a connection we
        open ourselves is always the client, whatever the options say.
        """
        self.target = target
        self._accepted = accepted
        self._accepted_addresses = accepted_addresses
        self.capture = capture
        self.options = options or ConnectOptions()
        if accepted is None and self.options.tls.server:
            self.options = replace(self.options, tls=replace(self.options.tls, server=False))
        self._on_event = on_event
        self._capture_events = CaptureEvents(capture, accepted=accepted is not None)
        self.state = SessionState.IDLE
        self._outbox = Outbox()
        self._outbox_lock = threading.Lock()
        """Held while `send` queues and while the I/O thread ends, so no bytes slip between."""
        self._half_close_requested = False
        self._stop_requested = False
        self._peer_finished = False
        self._eof_hold = EofHold()
        self._close_when_sent: str | None = None
        """Set by `close_after_sent`: the detail of the close once the outbox is empty."""
        self._tls = self.options.tls.server if accepted is not None else target.tls
        """True when the connection speaks TLS from the start, or once STARTTLS is queued."""
        self._read_wants_write = False
        self._write_wants_read = False
        self._recv_buffer: mmap.mmap | None = None
        """Reused by every read of this connection (allocated on the I/O thread's first read):
        a fresh bytes object per recv would cost a page-faulted mmap each time. Anonymous
        memory, not a bytearray (which zeroes the whole buffer at once): a page costs memory
        only once a read has written to it, so a client that sends a line holds one page."""
        self._wake_up = WakeUp()
        self._opener = Opener(
            target,
            self.options,
            capture,
            self._wake_up,
            self._emit,
            stop_requested=lambda: self._stop_requested,
            now_open=self._now_open,
        )
        self._thread = threading.Thread(target=self._run, name=f"tcptui-io {target}", daemon=True)

    # -- requests from other threads ---------------------------------------------------------

    def start(self) -> None:
        self.state = SessionState.CONNECTING
        self._thread.start()

    def send(self, data: bytes, note: str = "") -> None:
        """Queue bytes for the peer; they are recorded in the capture once the kernel has them.

        While the connection is still opening they wait for it, and go first once it is open:
        keys typed in one go (`host⇥port⏎GET /⏎`) reach the composer's Enter before the I/O
        thread has connected, however fast loopback is. If it never opens, the Closed event
        counts them as unsent. `note` goes in the header of each chunk they are recorded as.
        """
        with self._outbox_lock:
            self._check_can_send()
            for start in range(0, len(data), MAX_CHUNK):
                piece = data[start : start + MAX_CHUNK]
                self._outbox.append(Noted(piece, note) if note else piece)
        self._wake_up.wake()

    def _check_can_send(self) -> None:
        if self.state is SessionState.HALF_CLOSED or self._half_close_requested:
            raise WriteClosedError()
        if self.state not in (SessionState.CONNECTING, SessionState.OPEN):
            raise NotConnectedError()

    def send_file(self, upload: FileUpload) -> None:
        """Queue a file: the I/O thread reads and sends it a piece at a time (see FileUpload)."""
        with self._outbox_lock:
            self._check_can_send()
            self._outbox.append(upload)
        self._wake_up.wake()

    def start_tls(self, options: TlsOptions | None = None) -> None:
        """STARTTLS: once everything queued so far has gone out, switch this connection to TLS.

        The handshake runs in the I/O thread like a tls:// one (same events); bytes sent after
        this call wait for it and travel encrypted. A failed handshake ends the connection.
        Call it once the server has said go ahead (SMTP's `220`): anything it sends before its
        side of the handshake would be read as TLS and fail it.
        """
        with self._outbox_lock:
            self._check_can_send()
            if self.state is not SessionState.OPEN:
                raise NotConnectedError()  # the server has not said go ahead yet
            if self._tls:
                raise AlreadyTlsError()
            self._tls = True
            self._outbox.append(TlsUpgrade(options or self.options.tls))
        self._wake_up.wake()

    def half_close(self) -> None:
        """Send EOF after everything queued so far has gone out.

        Under TLS this sends a close_notify alert and then FIN (shutdown of the write side),
        and keeps reading: the peer's TLS layer sees a clean end of our data, and its answer
        still arrives. See `_shut_write` for the one caveat.
        """
        if self.state is not SessionState.OPEN:
            raise NotConnectedError()
        self._half_close_requested = True
        self._wake_up.wake()

    def close(self) -> None:
        """Ask the I/O thread to close now; returns at once. Safe to call more than once."""
        self._stop_requested = True
        self._wake_up.wake()

    def hold_close_on_peer_eof(self, worth_it: Callable[[], bool]) -> None:
        """The peer's EOF closes only after `close_after_sent` (or EOF_HOLD seconds) when
        `worth_it()` says so at that moment: the responders still answer what arrived before
        it, as a server must answer a client that sends its request and then half-closes."""
        self._eof_hold.ask(worth_it)

    def close_after_sent(self, detail: str = "") -> None:
        """Close once everything queued so far has gone out (`detail` says why)."""
        self._close_when_sent = detail
        self._wake_up.wake()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the I/O thread to end; True if it did."""
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def queued_bytes(self) -> int:
        return self._outbox.queued_bytes

    @property
    def uses_tls(self) -> bool:
        """True for a tls:// connection and once STARTTLS was asked for."""
        return self._tls

    @property
    def tls_from_start(self) -> bool:
        """True when TLS began before the first byte (tls://, a TLS listener's client): a
        replay starts with TLS, where after a STARTTLS it starts in plaintext."""
        return self.options.tls.server if self._accepted is not None else self.target.tls

    # -- the I/O thread ----------------------------------------------------------------------

    def _emit(self, event: Event) -> None:
        """Every event: the ones that belong with the bytes go in the capture first."""
        self._capture_events.record(event)
        self._on_event(event)

    def _finish(self, event: Closed) -> None:
        self.state = SessionState.CLOSED
        self._emit(event)

    def _now_open(self) -> None:
        self.state = SessionState.OPEN

    def _run(self) -> None:
        try:
            if self._accepted is not None:
                connection = self._opener.adopt(self._accepted, self._accepted_addresses)
            else:
                connection = self._opener.open()
            self._exchange(connection)
        except CloseRequested:
            self._end_unopened(Closed(EndReason.CLOSED_BY_US))
        except StepFailed as failure:
            self._end_unopened(failure.closed)
        except Exception as exc:  # noqa: BLE001 - the thread must always report its end
            self._end_unopened(Closed(EndReason.NETWORK_ERROR, f"unexpected error: {exc!r}"))
        finally:
            self._wake_up.close()

    def _check_stop(self) -> None:
        if self._stop_requested:
            raise CloseRequested()

    def _exchange(self, sock: Connection) -> None:
        """Move bytes both ways until the end; the socket is closed when this returns."""
        sending: memoryview | None = None
        sent_of_current = 0
        with selectors.DefaultSelector() as selector:
            selector.register(self._wake_up.reader, selectors.EVENT_READ)
            interest = 0
            try:
                while True:
                    if sending is None and self._outbox:
                        sending, sent_of_current = self._outbox.next_to_send(), 0
                    upgrade = self._outbox.upgrade_due() if sending is None else None
                    if upgrade is not None:
                        if interest:
                            selector.unregister(sock)
                            interest = 0
                        assert not isinstance(sock, TlsChannel), "start_tls refuses a 2nd upgrade"
                        sock = self._opener.secure(sock, upgrade.options, starttls=True)
                        continue
                    if (
                        sending is None
                        and not self._outbox
                        and self._half_close_requested
                        and (self.state is SessionState.OPEN)
                    ):
                        self._shut_write(sock)
                        self.state = SessionState.HALF_CLOSED
                        self._emit(HalfClosed())
                        if self._peer_finished:
                            self._finish(Closed(EndReason.PEER_CLOSED))
                            return
                    if sending is None and not self._outbox and self._close_when_sent is not None:
                        self._end_exchange(
                            self._eof_hold.close_reason(), self._close_when_sent, None, 0
                        )
                        return
                    wait = self._eof_hold.seconds_left()
                    if wait == 0.0:
                        self._end_exchange(EndReason.PEER_CLOSED, "", sending, sent_of_current)
                        return
                    interest = _watch(selector, sock, interest, self._wanted(sock, sending))
                    for key, mask in selector.select(wait):
                        if key.fileobj is self._wake_up.reader:
                            self._wake_up.drain()
                            continue
                        if self._can_read(mask) and not self._receive(sock):
                            self._end_exchange(EndReason.PEER_CLOSED, "", sending, sent_of_current)
                            return
                        if isinstance(sock, TlsChannel) and mask & selectors.EVENT_WRITE:
                            sock.flush()
                        if sending is not None and self._can_write(mask):
                            sent_of_current += self._send_some(sock, sending[sent_of_current:])
                            if sent_of_current == len(sending):
                                self._record_sent(sending)
                                sending = None
                    self._check_stop()
            except CloseRequested:
                self._end_exchange(EndReason.CLOSED_BY_US, "", sending, sent_of_current)
            except StepFailed as failure:
                closed = failure.closed
                self._end_exchange(
                    closed.reason, closed.detail, sending, sent_of_current, closed.failed_step
                )
            except ssl.SSLError as exc:
                tls = self.options.tls
                reason, detail = describe_record_failure(
                    exc, tls.verify_name(self.target.host), server_side=tls.server
                )
                step = Step.HANDSHAKE if is_handshake_rejection(exc) else None
                self._end_exchange(reason, detail, sending, sent_of_current, step)
            except OSError as exc:
                detail = exc.strerror or str(exc)
                self._end_exchange(end_reason_for(exc), detail, sending, sent_of_current)
            finally:
                sock.close()

    def _wanted(self, sock: Connection, sending: memoryview | None) -> int:
        """Selector events to wait for. TLS may need to write to read, or read to write."""
        read = not self._peer_finished or self._write_wants_read
        write = (sending is not None and not self._write_wants_read) or self._read_wants_write
        write = write or (isinstance(sock, TlsChannel) and sock.wants_write)
        return (selectors.EVENT_READ if read else 0) | (selectors.EVENT_WRITE if write else 0)

    def _can_read(self, mask: int) -> bool:
        if self._peer_finished:
            return False
        if mask & selectors.EVENT_READ or (mask & selectors.EVENT_WRITE and self._read_wants_write):
            self._read_wants_write = False
            return True
        return False

    def _can_write(self, mask: int) -> bool:
        if mask & selectors.EVENT_WRITE or (mask & selectors.EVENT_READ and self._write_wants_read):
            self._write_wants_read = False
            return True
        return False

    def _shut_write(self, sock: Connection) -> None:
        """Send EOF. Under TLS: a close_notify alert first, then FIN; reading goes on.

        What the TLS layer already holds is read first: OpenSSL's shutdown would otherwise
        find it and fail (see tls.py on why TlsChannel exists).
        """
        if isinstance(sock, TlsChannel):
            if not self._peer_finished:
                self._receive(sock, drain=True)
            sock.shutdown_write()
        else:
            sock.shutdown(socket.SHUT_WR)

    def _end_exchange(
        self,
        reason: EndReason,
        detail: str,
        sending: memoryview | None,
        sent_of_current: int,
        failed_step: Step | None = None,
    ) -> None:
        """Record the part of the current write the kernel took; count the rest as unsent."""
        unsent = self._give_up_outbox(sending, sent_of_current)
        self._record_sent(sending[:sent_of_current] if sending else None)
        self._finish(Closed(reason, detail, failed_step, unsent))

    def _end_unopened(self, closed: Closed) -> None:
        """The end before the exchange began: what `send` queued while opening is unsent."""
        self._finish(replace(closed, unsent_bytes=self._give_up_outbox(None, 0)))

    def _give_up_outbox(self, sending: memoryview | None, sent_of_current: int) -> int:
        """Close the session to `send` and count what it queued that will never go out."""
        with self._outbox_lock:  # from here on `send` refuses, so the count is final
            self.state = SessionState.CLOSED
            unsent = self.queued_bytes + (len(sending) - sent_of_current if sending else 0)
            for item in self._outbox:
                if isinstance(item, FileUpload):
                    item.error = item.error or "the connection ended before the file was sent"
                    item.finish(sent_of_current if sending is not None else None)
        return unsent

    def _receive(self, sock: Connection, *, drain: bool = False) -> bool:
        """Read what is there; False when the peer's EOF ends the connection.

        Under TLS one read returns at most one record, and the rest of a record already
        decrypted is invisible to the selector, so reading goes on while `pending()` says so
        (with `drain`, until nothing at all is left to read).
        """
        if self._recv_buffer is None:
            self._recv_buffer = mmap.mmap(-1, RECV_SIZE)
        view = memoryview(self._recv_buffer)
        reads = 0
        while True:
            try:
                size = sock.recv_into(view)
            except (BlockingIOError, InterruptedError, ssl.SSLWantReadError):
                return True
            except ssl.SSLWantWriteError:
                self._read_wants_write = True
                return True
            if not size:
                break
            self.capture.append(Direction.RECEIVED, view[:size])
            self._emit(DataReceived(size))
            reads += 1
            more_waiting = size == RECV_SIZE and reads < BACK_TO_BACK_READS
            if not (drain or more_waiting or (isinstance(sock, TlsChannel) and sock.pending())):
                return True
        if self._opener.reset_during_handshake is not None:
            raise self._opener.reset_during_handshake
        self._peer_finished = True
        self._emit(PeerFinished())
        if self.state is SessionState.HALF_CLOSED:
            return False
        if self.options.close_on_peer_eof and self._eof_hold.begin():
            return True
        return not self.options.close_on_peer_eof

    def _send_some(self, sock: Connection, data: memoryview) -> int:
        """Bytes the kernel (or the TLS layer) took; 0 when it would block."""
        try:
            return sock.send(data)
        except (BlockingIOError, InterruptedError, ssl.SSLWantWriteError):
            return 0
        except ssl.SSLWantReadError:
            self._write_wants_read = True
            return 0

    def _record_sent(self, data: memoryview | None) -> None:
        note = self._outbox.take_note()
        if data:
            self.capture.append(Direction.SENT, bytes(data), note)
            self._emit(DataSent(len(data)))


def _watch(selector: selectors.BaseSelector, sock: Connection, interest: int, wanted: int) -> int:
    """Make the selector watch `sock` for `wanted` (it watched `interest`); returns `wanted`."""
    if wanted != interest:
        if not wanted:
            selector.unregister(sock)
        elif not interest:
            selector.register(sock, wanted)
        else:
            selector.modify(sock, wanted)
    return wanted
