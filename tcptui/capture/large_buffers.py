"""Give memory back after a flood: large byte buffers come from mmap, not the heap.

Every recv() and every chunk read for the screen makes a 256 KiB bytes object. glibc raises
its mmap threshold after the first such buffer is freed and then serves them from per-thread
heaps, which keep the freed memory: the process would hold tens of MiB after a gigabyte
flood. Pinning the threshold keeps buffers of 128 KiB and more in mmap, freed at once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_MMAP_THRESHOLD = -3
THRESHOLD = 128 * 1024


def pin_mmap_threshold() -> bool:
    """True if glibc took the setting; elsewhere (macOS, Windows, musl) it does nothing."""
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(M_MMAP_THRESHOLD, THRESHOLD))
    except (OSError, AttributeError):
        return False
