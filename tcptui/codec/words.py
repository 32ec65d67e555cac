"""Counts in sentences, so no message says "1 bytes" or "1 characters"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str = "") -> str:
    """`1 byte`, `2 bytes`, `1,024 bytes`; `plural` for nouns that do not just take an s."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
