"""How one tab takes new bytes into its log: replies at once, a storm or a flood in spaced takes.

Under a flood, showing new bytes competes with the keys and with the I/O thread (which needs
the GIL to keep up with the network), so takes are spaced by what the last one cost. A storm
of tiny reads (a byte at a time, thousands a second) would otherwise cost a take and a repaint
per read: its takes are spaced too, by a fixed short time. The `--save` file is caught up at
each take, so others can read it live.
"""

from __future__ import annotations

import contextlib
import math
import time
from typing import TYPE_CHECKING

from textual.timer import Timer

from tcptui.capture.export import SaveError
from tcptui.ui.key_priority import KeyWait

if TYPE_CHECKING:
    from tcptui.ui.session_view import SessionView

FLOOD_TAKE_BYTES = 256 * 1024
"""A take of new bytes into the log this big means a flood: the next take waits (below).
Smaller takes (typing, replies, banners) are shown as soon as they arrive, at most one per
STORM_TAKE_SPACING."""
STORM_TAKE_SPACING = 0.05
"""Least seconds from a small take that came close on the last one to the next: bytes that
trickle in (a storm of one-byte reads) are shown about twenty times a second rather than once
per read. Each take repaints the log, and a key that comes during that repaint waits for it.
A take after a quiet spell spaces nothing: a reply to what was just sent shows at once."""
DATA_REFRESH_INTERVAL = 0.25
"""Least seconds between two takes under a flood: the log repaints at most four times a second,
and less when a repaint is slow (a big terminal): see DATA_REFRESH_SHARE. Keys still repaint at
once. More frequent takes cost the ingest of a flood more than they show the reader."""
DATA_REFRESH_SHARE = 0.1
"""Under a flood, the share of the UI thread's time that showing new bytes may take. The rest
stays free for keys and for the I/O thread, which needs the GIL to keep up with the network."""
DATA_REFRESH_LONGEST = 0.5
"""Most seconds between two takes under a flood: the log shows new bytes at least twice a
second. A take's cost is measured up to its frame, and the first frame of a connection also
lays out the whole screen: by its share alone, the next take would come far too late."""


def take_spacing(taken: int, cost: float, since_last: float = math.inf) -> float:
    """Seconds from a take of `taken` new bytes that cost `cost` seconds, `since_last` seconds
    after the take before it, to the next take."""
    if taken < FLOOD_TAKE_BYTES:
        return STORM_TAKE_SPACING if since_last < STORM_TAKE_SPACING else 0.0
    return min(DATA_REFRESH_LONGEST, max(DATA_REFRESH_INTERVAL, cost / DATA_REFRESH_SHARE))


class DataPacer:
    """Spaces the takes of one tab's new bytes and catches its live save up with them."""

    def __init__(self, view: SessionView) -> None:
        self._view = view
        self.next_take = 0.0
        """When the next take may run (time.monotonic()); sooner ones wait for a timer."""
        self.timer: Timer | None = None
        self._last_take = -math.inf
        self._bytes_taken = view.capture.total_bytes
        self._keys = KeyWait(view)

    def schedule(self) -> None:
        """Take what arrived now, or once the spacing since the last take has passed and the
        last key has been answered (key_priority)."""
        if self.timer is not None or self._view.bridge is None:
            return
        now = time.monotonic()
        wait = max(self.next_take - now, self._keys.wait(now))
        if wait > 0:
            self.timer = self._view.set_timer(wait, self._timed_take)
        else:
            self.take()

    def _timed_take(self) -> None:
        """The wait is over, unless the last take's cost has lengthened it meanwhile."""
        self.timer = None
        self.schedule()

    def take(self) -> None:
        """Show what arrived. Until this runs the bridge posts nothing more (it coalesces)."""
        view = self._view
        bridge = view.bridge
        if bridge is None:
            return
        started = time.monotonic()
        self._keys.done()
        taken = view.capture.total_bytes - self._bytes_taken
        self._bytes_taken += taken
        self.next_take = started + take_spacing(taken, 0.0, started - self._last_take)
        self._last_take = started
        if taken >= FLOOD_TAKE_BYTES:
            view.call_after_refresh(self._shown, started, taken)
        bridge.data_taken()
        if view.receive_log.refresh_data(catch_up=False):
            view.call_after_refresh(self.schedule)  # the rest, at the pace of takes
        self.catch_up_live_save()
        if not view.unread and not view.has_focus_within:
            view.unread = True
            view.retitle()

    def _shown(self, started: float, taken: int) -> None:
        """Space the next take by what this one cost, measured up to its frame being drawn."""
        self.next_take = started + take_spacing(taken, time.monotonic() - started)

    def stop(self) -> None:
        """No take runs any more: the tab is shutting down."""
        if self.timer is not None:
            self.timer.stop()
            self.timer = None

    def catch_up_live_save(self) -> None:
        """--save: append what arrived to the file, flushed, so others can read it live."""
        view = self._view
        if view.live_saver is None:
            return
        try:
            view.live_saver.catch_up()
        except SaveError as exc:
            view.live_saver = None
            view.notify(f"{exc} Live saving (--save) stopped.", title="Save", severity="error")

    def close_live_save(self) -> None:
        """The last bytes go to the --save file, which is then closed."""
        view = self._view
        if view.live_saver is not None:
            self.catch_up_live_save()
            with contextlib.suppress(SaveError):
                view.live_saver.close()
            view.live_saver = None
