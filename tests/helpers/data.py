"""Cheap deterministic payloads and ways to read one direction of a capture back."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator

from tcptui.capture.store import Capture, Direction

MIB = 1 << 20


def pseudo_random_blocks(nbytes: int, seed: int = 0, block: int = MIB) -> Iterator[bytes]:
    """`nbytes` of seeded pseudo-random bytes, `block` at a time (about 1 GB/s to make)."""
    rng = random.Random(seed)
    remaining = nbytes
    while remaining > 0:
        size = min(block, remaining)
        yield rng.randbytes(size)
        remaining -= size


def stream_chunks(capture: Capture, direction: Direction) -> Iterator[bytes]:
    """The bytes of every chunk that went in `direction`, in order."""
    for chunk in capture.chunks():
        if chunk.direction is direction:
            yield capture.read_chunk(chunk.index)


def stream_bytes(capture: Capture, direction: Direction) -> bytes:
    """One direction of a small capture as a single bytes object."""
    return b"".join(stream_chunks(capture, direction))


def stream_sha256(capture: Capture, direction: Direction) -> str:
    """The sha256 of one direction of a capture of any size, read a chunk at a time."""
    digest = hashlib.sha256()
    for data in stream_chunks(capture, direction):
        digest.update(data)
    return digest.hexdigest()
