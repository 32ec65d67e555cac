"""Responders: rules that answer one connection's received bytes, in a thread of their own.

The I/O thread only wakes this thread (through the event tap) and goes back to the socket:
matching never delays reading, and it never runs on the UI thread. This thread reads the new
received chunks from the Capture, in order, feeds each rule's StreamMatcher (which keeps a
bounded tail, so a match may span reads and nothing is scanned twice), and sends the replies
through `Session.send` with a note naming the rule, so each one is an ordinary sent chunk
marked with the rule that fired. Delayed replies wait in a queue of due times in the same
thread.

A peer that sends its request and then EOF is still answered: the session holds its close on
that EOF until this thread has matched every byte received before it and queued the replies
(delayed ones too), and then closes once they have gone out. A rule with `close` closes the
connection once its reply has gone out (an HTTP/1.0 mock's end of the response).

Replies wait in the session's outbox until the peer reads them. A peer that never reads would
let that grow without end, so matching pauses while more than REPLY_BACKLOG bytes wait there
and goes on when they drain: received bytes are all kept in the capture meanwhile, and each
is answered once the peer reads again.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tcptui.capture.store import Capture, Direction
from tcptui.codec.automation_rules import ResponderRule
from tcptui.codec.byte_patterns import StreamMatcher
from tcptui.codec.reply_template import FireFacts
from tcptui.codec.safe_text import safe_label
from tcptui.net.events import Closed, DataReceived, DataSent, Event, PeerFinished
from tcptui.net.session import Session, SessionError

SLICE = 64 * 1024
"""Bytes matched between two hand-overs of the GIL. The matching calls hold it throughout; in
bigger slices a flood's I/O thread waits for it (up to the 5 ms switch interval each time)."""
FLOOD_BACKLOG = 1 << 20
"""Received bytes not yet matched beyond which a still-growing stream counts as a flood."""
FLOOD_SHARE = 0.05
"""The share of the time matching may take under a flood: the I/O thread, which needs the
GIL and a core to keep up with the network, gets the rest. The rules catch up once it ends."""
REPLY_BACKLOG = 1 << 20
"""Unsent bytes in the session's outbox beyond which matching pauses until the peer reads."""
BACKLOG_CHECK = 64 * 1024
"""Reply bytes queued between two looks at the outbox (a look walks through all of it)."""


@dataclass
class _Armed:
    """A rule with its own matcher and count, for one connection."""

    rule: ResponderRule
    matcher: StreamMatcher
    fired: int = 0
    note: str = field(default="")

    @classmethod
    def of(cls, rule: ResponderRule) -> _Armed:
        return cls(rule, StreamMatcher(rule.pattern), note=f"↩ {safe_label(rule.name)}")

    @property
    def spent(self) -> bool:
        return self.rule.once and self.fired > 0


class Responders:
    """Answers the received bytes of one connection; start it before the session starts."""

    def __init__(self, rules: Iterable[ResponderRule], capture: Capture) -> None:
        self.capture = capture
        self._armed = [_Armed.of(rule) for rule in rules]
        self._next_chunk = len(capture)
        """Chunks before this one belong to an earlier connection in the same capture."""
        self._condition = threading.Condition()
        self._woken = False
        self._ending = False
        self._delayed: list[tuple[float, int, bytes, _Armed]] = []
        self._order = itertools.count()
        self._session: Session | None = None
        self._peer_finished = False
        self._queued_since_check = 0
        self.paused = threading.Event()
        """Set while matching waits for the peer to read the replies already queued."""
        self._closing = False
        """A reply asked to close the connection, or the peer's EOF was answered: no more."""
        self.matched_bytes = 0
        self._received_before = 0
        self._unmatched_base = capture.stream_bytes(Direction.RECEIVED)
        """Received bytes never to be matched (an earlier connection's, or skipped with no rules
        armed): the backlog is what arrived beyond these and `matched_bytes`."""
        """Received bytes fed to the rules so far (a flood can run ahead of them)."""
        self._thread = threading.Thread(target=self._run, name="tcptui-responders", daemon=True)

    @property
    def rules(self) -> list[ResponderRule]:
        with self._condition:
            return [armed.rule for armed in self._armed]

    def fired(self, name: str) -> int:
        """How many times the rule called `name` has fired on this connection."""
        with self._condition:
            return sum(armed.fired for armed in self._armed if armed.rule.name == name)

    def start(self, session: Session) -> None:
        """Answer through `session`; start it before the session, so that the peer's EOF
        waits for the answers to what came before it."""
        self._session = session
        self._thread.start()
        session.hold_close_on_peer_eof(self._little_left_to_match)

    def _little_left_to_match(self) -> bool:
        """Whether holding the close on the peer's EOF is worth it: a request is answered
        before the close; after a flood, a wait for gigabytes to be matched is not."""
        received = self.capture.stream_bytes(Direction.RECEIVED)
        return received - self._unmatched_base - self.matched_bytes <= FLOOD_BACKLOG

    def add(self, rule: ResponderRule) -> None:
        """A rule added while connected: it answers what arrives from now on."""
        with self._condition:
            self._armed.append(_Armed.of(rule))

    def tap(self, on_event: Callable[[Event], None]) -> Callable[[Event], None]:
        """`on_event` with this responder woken by received data and stopped by the end."""

        def observe(event: Event) -> None:
            if isinstance(event, DataReceived):
                self.wake()
            elif isinstance(event, DataSent):
                with self._condition:
                    if self.paused.is_set():
                        self._condition.notify()
            elif isinstance(event, PeerFinished):
                with self._condition:
                    self._peer_finished = True
                    self._woken = True
                    self._condition.notify()
            elif isinstance(event, Closed):
                self.stop()
            on_event(event)

        return observe

    def wake(self) -> None:
        with self._condition:
            self._woken = True
            self._condition.notify()

    def stop(self) -> None:
        """Answer nothing more; replies still waiting for their delay are dropped."""
        with self._condition:
            self._ending = True
            self._condition.notify()

    def join(self, timeout: float | None = None) -> bool:
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    # -- the responder thread ----------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(self._has_work, self._until_next_due())
                if self._ending:
                    return
                self._woken = False
                peer_finished = self._peer_finished
            self._send_due()
            self._match_new_chunks()
            if peer_finished and self._holds_close() and self._all_answered():
                self._close_after_replies("")

    def _holds_close(self) -> bool:
        """The session waits for us to close on the peer's EOF (unless told to stay open)."""
        assert self._session is not None, "started with a session"
        return not self._closing and self._session.options.close_on_peer_eof

    def _all_answered(self) -> bool:
        """Every received byte matched and every reply queued (the peer sends no more)."""
        with self._condition:
            return self._next_chunk >= len(self.capture) and not self._delayed

    def _close_after_replies(self, detail: str) -> None:
        assert self._session is not None, "started with a session"
        self._closing = True
        self._session.close_after_sent(detail)

    def _has_work(self) -> bool:
        due = bool(self._delayed) and self._delayed[0][0] <= time.monotonic()
        return self._woken or self._ending or due

    def _until_next_due(self) -> float | None:
        if not self._delayed:
            return None
        return max(0.0, self._delayed[0][0] - time.monotonic())

    def _match_new_chunks(self) -> None:
        with self._condition:
            if not self._armed:  # nothing to answer: skip the bytes rather than read them
                self._next_chunk = len(self.capture)
                received = self.capture.stream_bytes(Direction.RECEIVED)
                self._unmatched_base = received - self.matched_bytes
        while self._next_chunk < len(self.capture) and not (self._ending or self._closing):
            index = self._next_chunk
            self._next_chunk += 1
            try:
                chunk = self.capture.chunk(index)
                if chunk.direction is not Direction.RECEIVED:
                    continue
                data = self.capture.read(chunk.offset, chunk.length)
            except ValueError:  # the capture was closed with the tab
                return
            for start in range(0, len(data), SLICE):
                started = time.perf_counter()
                self.matched_bytes += min(SLICE, len(data) - start)
                self._answer(data[start : start + SLICE])
                self._yield_to_reading(time.perf_counter() - started)
                self._send_due()  # a delayed reply falls due while a backlog is matched

    def _yield_to_reading(self, cost: float) -> None:
        """Reading comes first. Under a flood (a backlog that is still growing), rest so that
        matching takes at most FLOOD_SHARE of the time; otherwise just hand the GIL over."""
        received = self.capture.stream_bytes(Direction.RECEIVED)
        growing, self._received_before = received > self._received_before, received
        backlog = received - self._unmatched_base - self.matched_bytes
        if growing and backlog > FLOOD_BACKLOG:
            with self._condition:
                self._condition.wait_for(lambda: self._ending, cost / FLOOD_SHARE - cost)
        else:
            time.sleep(0)

    def _answer(self, data: bytes) -> None:
        with self._condition:
            armed_rules = list(self._armed)
        for armed in armed_rules:
            if armed.spent or self._closing:
                continue
            for match in armed.matcher.feed(data):
                with self._condition:
                    armed.fired += 1
                facts = FireFacts(armed.fired, (match.group(0), *match.groups()))
                self._reply(armed, armed.rule.reply.render(facts))
                if armed.spent or armed.rule.close:
                    break

    def _reply(self, armed: _Armed, data: bytes) -> None:
        if armed.rule.delay_ms:
            due = time.monotonic() + armed.rule.delay_ms / 1000
            with self._condition:
                heapq.heappush(self._delayed, (due, next(self._order), data, armed))
        else:
            self._deliver(data, armed)

    def _send_due(self) -> None:
        while True:
            with self._condition:
                if not self._delayed or self._delayed[0][0] > time.monotonic():
                    return
                _, _, data, armed = heapq.heappop(self._delayed)
            self._deliver(data, armed)

    def _deliver(self, data: bytes, armed: _Armed) -> None:
        assert self._session is not None, "started with a session"
        if self._closing:
            return
        self._wait_for_room(len(data))
        # The connection may have ended or been half-closed meanwhile: nothing to answer then.
        with contextlib.suppress(SessionError):
            self._session.send(data, armed.note)
        if armed.rule.close:
            self._close_after_replies(f"responder {armed.rule.name!r} closed it after its reply")

    def _wait_for_room(self, size: int) -> None:
        """Pause while the peer leaves too many replies unread (woken by each DataSent)."""
        assert self._session is not None, "started with a session"
        self._queued_since_check += size
        if self._queued_since_check < BACKLOG_CHECK:
            return
        self._queued_since_check = 0
        session = self._session

        def room() -> bool:
            return self._ending or session.queued_bytes <= REPLY_BACKLOG

        with self._condition:
            if room():
                return
            self.paused.set()
            self._condition.wait_for(room)
            self.paused.clear()
