"""A least-recently-used cache that frees what it drops at once.

Textual's LRUCache links its entries in a list of lists; an entry dropped from it can be left
in a reference cycle, freed only by a full pass of the garbage collector. The painters drop
big values (a block's bytes, the row starts of a block that grew, a screenful of rows) at each
take of new bytes: under a storm that left tens of MiB waiting for the collector.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, KeysView
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class RecentCache(Generic[Key, Value]):
    """At most `size` values, the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._values: OrderedDict[Key, Value] = OrderedDict()

    def get(self, key: Key) -> Value | None:
        value = self._values.get(key)
        if value is not None:
            self._values.move_to_end(key)
        return value

    def __setitem__(self, key: Key, value: Value) -> None:
        self._values[key] = value
        self._values.move_to_end(key)
        if len(self._values) > self._size:
            self._values.popitem(last=False)

    def discard(self, key: Key) -> None:
        self._values.pop(key, None)

    def keys(self) -> KeysView[Key]:
        return self._values.keys()

    def clear(self) -> None:
        self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
