"""Search a capture for text, a hex pattern with `??` wildcards, or a regular expression.

The capture is searched in place (a spooled gigabyte is mapped, not read into memory) a block
at a time, with enough overlap between blocks that no match straddling a block edge is missed
or reported twice, and a check between blocks so a search can be stopped. Literal
patterns use `bytes.find`, which runs at memory speed; wildcards and regexes use `re`.
"""

from __future__ import annotations

import mmap
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from tcptui.capture.message_index import Block, MessageIndex
from tcptui.capture.store import Capture
from tcptui.codec.errors import CodecError
from tcptui.codec.framing import GroupingKind

BLOCK = 8 << 20
REGEX_OVERLAP = 64 << 10
"""Longest regex match guaranteed to be found across a block edge."""


class SearchMode(StrEnum):
    TEXT = "text"
    HEX = "hex"
    REGEX = "regex"


@dataclass(frozen=True)
class Pattern:
    """A compiled search: a literal to `find`, or a regex."""

    description: str
    literal: bytes | None = None
    regex: re.Pattern[bytes] | None = None

    @property
    def overlap(self) -> int:
        return len(self.literal) - 1 if self.literal is not None else REGEX_OVERLAP


def compile_pattern(text: str, mode: SearchMode, encoding: str = "utf-8") -> Pattern:
    """Turn what the user typed into a Pattern; a CodecError says what is wrong with it."""
    if not text:
        raise CodecError("type something to search for")
    if mode is SearchMode.TEXT:
        try:
            literal = text.encode(encoding)
        except UnicodeEncodeError as exc:
            raise CodecError(
                f"{text[exc.start]!r} cannot be encoded in {encoding}", exc.start + 1
            ) from None
        return Pattern(f"text {text!r}", literal=literal)
    if mode is SearchMode.HEX:
        return _hex_pattern(text)
    try:
        regex = re.compile(text.encode("utf-8", "surrogateescape"), re.DOTALL)
    except re.error as exc:
        raise CodecError(
            f"bad regular expression: {exc.msg}", None if exc.pos is None else exc.pos + 1
        ) from None
    except (OverflowError, RecursionError, UnicodeEncodeError) as exc:
        raise CodecError(f"the regular expression cannot be used: {exc}") from None
    return Pattern(f"regex /{text}/", regex=regex)


def _hex_pattern(text: str) -> Pattern:
    parts: list[bytes] = []
    wildcard = False
    column = 1
    for word in re.split(r"(\s+)", text):
        if word.isspace() or not word:
            column += len(word)
            continue
        for position in range(0, len(word), 2):
            pair = word[position : position + 2]
            if pair == "??":
                parts.append(b".")
                wildcard = True
            elif len(pair) == 2 and all(ch in "0123456789abcdefABCDEF" for ch in pair):
                parts.append(re.escape(bytes.fromhex(pair)))
            else:
                raise CodecError(
                    f"{pair!r} at column {column + position} is not a hex byte or ??",
                    column + position,
                )
        column += len(word)
    if not parts:
        raise CodecError("type hex bytes to search for, e.g. de ad ?? ef")
    description = f"hex {text.strip()}"
    if wildcard:
        return Pattern(description, regex=re.compile(b"".join(parts), re.DOTALL))
    return Pattern(description, literal=bytes.fromhex(text))


def search_capture(
    capture: Capture,
    pattern: Pattern,
    on_match: Callable[[int, int], None],
    should_stop: Callable[[], bool] = lambda: False,
    limit: int = 1_000_000,
    block_size: int = BLOCK,
) -> int:
    """Call `on_match(start, end)` for each match in capture order; return how many.

    Matches do not overlap each other (like `re.finditer`). Stops early when `should_stop()`
    turns true or after `limit` matches.
    """
    found = 0
    resume_at = 0  # capture offset where the next match may start
    offset = 0
    with capture.mapped() as data:
        end = len(data)
        while offset < end and found < limit and not should_stop():
            stop = min(offset + block_size + pattern.overlap, end)
            # Matches starting in the overlap tail belong to the next block (unless it is the last).
            start_limit = stop if stop >= end else offset + block_size
            for start, match_end in _matches(data, pattern, max(offset, resume_at), stop):
                if start >= start_limit or found >= limit:
                    break
                on_match(start, match_end)
                found += 1
                resume_at = max(match_end, start + 1)
            _forget(data, offset, block_size)
            offset += block_size
    return found


def _matches(
    data: bytes | mmap.mmap, pattern: Pattern, start: int, stop: int
) -> Iterator[tuple[int, int]]:
    """Matches lying wholly in data[start:stop], found in place (no copy of the block)."""
    if pattern.literal is not None:
        needle = pattern.literal
        position = data.find(needle, start, stop)
        while position >= 0:
            yield position, position + len(needle)
            position = data.find(needle, position + len(needle), stop)
        return
    assert pattern.regex is not None
    for match in pattern.regex.finditer(data, start, stop):
        yield match.span()


def _forget(data: bytes | mmap.mmap, offset: int, length: int) -> None:
    """Unmap a searched block's pages from the process (the kernel's page cache keeps them),
    so searching a gigabyte does not grow the resident set by a gigabyte."""
    advise = getattr(mmap, "MADV_DONTNEED", None)
    if isinstance(data, mmap.mmap) and advise is not None and offset % mmap.PAGESIZE == 0:
        data.madvise(advise, offset, min(length, len(data) - offset))


@dataclass(frozen=True)
class HitMessage:
    """The message a search hit lies in, as the log numbers them (from 1)."""

    number: int
    count: int
    """Messages indexed so far; more may follow while the index catches up or bytes arrive."""
    final_count: bool
    block: Block
    noun: str = "message"
    """What the grouping's blocks are: `chunk` under the chunk grouping (they are reads)."""

    def sentence(self) -> str:
        """`message 3 of 12`, or `message 3 of 12 so far` while the count may still grow."""
        text = f"{self.noun} {self.number:,} of {self.count:,}"
        return text if self.final_count else text + " so far"


def message_of_hit(index: MessageIndex, offset: int) -> HitMessage | None:
    """Which message of `index` holds the hit starting at capture offset `offset`; None while
    the index has not reached that offset (or the offset lies outside the capture)."""
    if not 0 <= offset < index.indexed_bytes:
        return None
    number = index.block_index_at(offset)
    try:
        block = index.block(number)
    except IndexError:
        return None
    noun = "chunk" if index.grouping.kind is GroupingKind.CHUNK else "message"
    return HitMessage(number + 1, len(index), index.up_to_date, block, noun)
