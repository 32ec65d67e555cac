"""The cyclic garbage collector kept off the app's long-lived objects.

Once the first screen is up the app holds a large, long-lived heap of container objects (the
DOM, styles, caches). Every full collection walks all of it on the event loop, in the middle of
a flood or a fast scroll, and finds almost nothing: widgets and cached rows free themselves.
So collections wait while the first screen is built, then that heap is frozen (the collector
skips frozen objects) and full collections come less often. This is tied to the first screen
rather than done in `cli.main` with the rest of the process tuning: only then does the heap
worth freezing exist, and a test app that never shows a screen must not freeze anything.
"""

from __future__ import annotations

import gc

FULL_COLLECTION_SPACING = 100
"""Collections of the middle generation between two full ones (Python's default is 10). The
unfrozen heap is mostly the views' cached rows, each a Strip with several small caches, and
cyclic garbage is rare there: a full collection rarely finds any."""


class HeapTuning:
    """The app's use of the collector, from its loading to its end."""

    def __init__(self) -> None:
        self._thresholds = gc.get_threshold()
        self._ended = False

    def hold_collections(self) -> None:
        """Before the first screen is built: a collection then would walk all of it."""
        gc.disable()

    def freeze_first_screen(self) -> None:
        """Once the first screen is up: freeze what it built, space out full collections."""
        if self._ended:
            return  # the app ended before its first screen came up: stay thawed
        gc.freeze()
        young, middle, _ = self._thresholds
        gc.set_threshold(young, middle, FULL_COLLECTION_SPACING)
        gc.enable()

    def thaw(self) -> None:
        """Before a tab goes: frozen objects are never collected, and its widgets may be."""
        gc.unfreeze()

    def collect_and_freeze(self) -> None:
        """After a tab went: its widgets (cyclic garbage) collected, the rest frozen again."""
        gc.collect()
        gc.freeze()

    def restore(self) -> None:
        """At the app's end: the collector as it was, also if the first screen never came."""
        self._ended = True
        gc.unfreeze()
        gc.set_threshold(*self._thresholds)
        gc.enable()
