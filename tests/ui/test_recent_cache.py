"""The painters' cache drops the least recently used value first, and frees what it drops at
once: under a storm it drops a block's bytes and row starts at every take."""

from __future__ import annotations

import gc
import weakref

from tcptui.ui.recent_cache import RecentCache


class Value:
    """A value a weak reference can watch."""


def test_the_least_recently_used_value_is_dropped_first() -> None:
    cache: RecentCache[int, str] = RecentCache(2)
    cache[1] = "one"
    cache[2] = "two"
    assert cache.get(1) == "one"  # now 2 is the least recently used
    cache[3] = "three"
    assert cache.get(2) is None
    assert (cache.get(1), cache.get(3), len(cache)) == ("one", "three", 2)
    cache.discard(1)
    cache.discard(99)  # not there: nothing happens
    assert list(cache.keys()) == [3]
    cache.clear()
    assert len(cache) == 0


def test_a_dropped_value_is_freed_without_the_garbage_collector() -> None:
    """Textual's LRUCache could leave a dropped entry in a reference cycle: a block's bytes
    (a megabyte) then waited for a full collection, tens of MiB under a storm."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        cache: RecentCache[int, Value] = RecentCache(1)
        watched = []
        for key in range(3):
            value = Value()
            watched.append(weakref.ref(value))
            cache[key] = value
            del value
        cache.discard(2)  # the only one: dropped alone, as a grown block's rows are
        assert [ref() is None for ref in watched] == [True, True, True]
    finally:
        if enabled:
            gc.enable()
