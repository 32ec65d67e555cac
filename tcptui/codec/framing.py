"""Cutting one direction's byte stream into messages, whatever the reads were.

TCP delivers a stream; where one `recv()` ends is an accident of timing. A framer is fed a
direction's bytes in whatever pieces arrived and says where each message ends, as an offset in
that direction's stream. Any split of the same bytes gives the same ends (the tests check it),
and a framer keeps only the few bytes a boundary may span, so it runs over gigabytes.

Groupings, as a person writes them (`--group`, the setting `group`):

- `chunk`: what each read returned (no framer: the capture's chunks are the messages);
- `stream`: a block per run of one direction (no framer either: direction changes cut);
- `line`: after LF, CRLF, or a lone CR;
- `delimiter:HEX`: after each occurrence of the bytes, e.g. `delimiter:00`, `delimiter:0d0a0d0a`;
- `length:SPEC`: a length prefix, `u8`, `u16be`, `u16le`, `u32be`, `u32le`, `u64be`, `u64le`,
  then `+N` for N header bytes before the prefix, then `,inclusive` when the length counts the
  prefix itself (PostgreSQL's messages are `length:u32be+1,inclusive`);
- `fixed:N`: N-byte records.
"""

from __future__ import annotations

import bisect
import operator
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from itertools import accumulate, count

from tcptui.codec.errors import CodecError

CR, LF = 0x0D, 0x0A
_LINE_END = re.compile(rb"\r\n|\r|\n")
_CR_AS_LF = bytes.maketrans(b"\r", b"\n")
_LENGTH_SPEC = re.compile(r"u(8|16|32|64)(be|le)?(?:\+([0-9]+))?(,inclusive)?")
MAX_DELIMITER = 64
MAX_HEADER = 1 << 16
"""Most header bytes before a length prefix: a framer keeps the header of the frame under way."""


class GroupingKind(StrEnum):
    CHUNK = "chunk"
    STREAM = "stream"
    LINE = "line"
    DELIMITER = "delimiter"
    LENGTH = "length"
    FIXED = "fixed"


@dataclass(frozen=True)
class LengthPrefix:
    size: int
    """Bytes of the length field: 1, 2, 4 or 8."""
    big_endian: bool
    header: int = 0
    """Bytes before the length field that belong to the frame (a type byte, say)."""
    inclusive: bool = False
    """The length counts the length field itself; otherwise only what follows it."""

    def frame_size(self, length: int) -> int:
        """The frame's whole size from the length its prefix holds (never less than the
        header and prefix, so a hostile length of 0 still moves on)."""
        body = length - self.size if self.inclusive else length
        return self.header + self.size + max(body, 0)


@dataclass(frozen=True)
class Grouping:
    """How a log groups bytes into blocks: parsed from what a person wrote, shown back as that."""

    kind: GroupingKind
    delimiter: bytes = b""
    prefix: LengthPrefix | None = None
    record_size: int = 0

    @property
    def frames_bytes(self) -> bool:
        """False for chunk and stream, which follow reads and directions, not the bytes."""
        return self.kind not in (GroupingKind.CHUNK, GroupingKind.STREAM)

    def new_framer(self) -> Framer:
        """A framer for one direction's stream; only for groupings that frame bytes."""
        if self.kind is GroupingKind.LINE:
            return LineFramer()
        if self.kind is GroupingKind.DELIMITER:
            return DelimiterFramer(self.delimiter)
        if self.kind is GroupingKind.LENGTH and self.prefix is not None:
            return LengthFramer(self.prefix)
        if self.kind is GroupingKind.FIXED:
            return FixedFramer(self.record_size)
        raise ValueError(f"{self.kind} follows reads, not bytes: it has no framer")

    def __str__(self) -> str:
        if self.kind is GroupingKind.DELIMITER:
            return f"delimiter:{self.delimiter.hex()}"
        if self.kind is GroupingKind.FIXED:
            return f"fixed:{self.record_size}"
        if self.kind is GroupingKind.LENGTH and self.prefix is not None:
            prefix = self.prefix
            text = f"length:u{prefix.size * 8}"
            if prefix.size > 1:
                text += "be" if prefix.big_endian else "le"
            if prefix.header:
                text += f"+{prefix.header}"
            return text + (",inclusive" if prefix.inclusive else "")
        return self.kind.value


def parse_grouping(text: str) -> Grouping:
    """A grouping from `chunk`, `stream`, `line`, `delimiter:HEX`, `length:SPEC` or `fixed:N`."""
    name, _, argument = text.strip().partition(":")
    try:
        kind = GroupingKind(name.lower())
    except ValueError:
        choices = ", ".join(f"'{kind.value}'" for kind in GroupingKind)
        raise CodecError(f"unknown grouping {name!r}: use one of {choices}") from None
    if kind in (GroupingKind.CHUNK, GroupingKind.STREAM, GroupingKind.LINE):
        if argument:
            raise CodecError(f"'{kind.value}' takes no ':…' part")
        return Grouping(kind)
    if kind is GroupingKind.DELIMITER:
        return Grouping(kind, delimiter=_delimiter(argument))
    if kind is GroupingKind.FIXED:
        return Grouping(kind, record_size=_record_size(argument))
    return Grouping(kind, prefix=_length_prefix(argument))


def _delimiter(argument: str) -> bytes:
    try:
        delimiter = bytes.fromhex(argument)
    except ValueError:
        raise CodecError(
            f"delimiter:{argument} is not hex bytes: write e.g. delimiter:00 or delimiter:0d0a"
        ) from None
    if not 0 < len(delimiter) <= MAX_DELIMITER:
        raise CodecError(f"a delimiter is 1 to {MAX_DELIMITER} bytes, e.g. delimiter:0a")
    return delimiter


def _record_size(argument: str) -> int:
    if not argument.isdigit() or not 0 < int(argument) <= 1 << 30:
        raise CodecError(f"fixed:{argument} needs a record size from 1 to 1073741824 bytes")
    return int(argument)


def _length_prefix(argument: str) -> LengthPrefix:
    match = _LENGTH_SPEC.fullmatch(argument.lower())
    if match is None:
        raise CodecError(
            f"length:{argument} is not a length prefix: write e.g. length:u16be, "
            "length:u32le+4 or length:u32be+1,inclusive"
        )
    bits, order, header, inclusive = match.groups()
    size = int(bits) // 8
    if size > 1 and order is None:
        raise CodecError(f"length:{argument} needs a byte order: u{bits}be or u{bits}le")
    if header is not None and int(header) > MAX_HEADER:
        raise CodecError(f"length:{argument}: at most {MAX_HEADER} header bytes before the length")
    return LengthPrefix(size, order != "le", int(header or 0), inclusive is not None)


class Framer(ABC):
    """Fed one direction's bytes in order, in any pieces; reports where messages end."""

    def __init__(self) -> None:
        self.position = 0
        """Bytes fed so far: the offset in this direction's stream where the next piece starts."""
        self.message_start = 0
        """Where the message under way began (equal to `position` between messages)."""

    def feed(self, data: bytes | bytearray | memoryview) -> list[int]:
        """The stream offsets just past each message that `data` completes, in order."""
        piece = bytes(data)
        ends = self._ends_in(piece)
        self.position += len(piece)
        if ends:
            self.message_start = ends[-1]
        return ends

    @property
    def expected_end(self) -> int | None:
        """Where the message under way will end, when its header already says so."""
        return None

    @property
    def end_pending(self) -> bool:
        """True when the next byte decides whether a message ended at `position` (a lone CR):
        the end is then reported at that earlier offset, not inside the next piece."""
        return False

    @abstractmethod
    def _ends_in(self, piece: bytes) -> list[int]:
        """Message ends inside `piece`, which starts at `self.position`."""


class LineFramer(Framer):
    """Lines end after LF, CRLF or a lone CR; a CR at a piece's end waits for the next byte."""

    def __init__(self) -> None:
        super().__init__()
        self._cr_pending = False

    @property
    def end_pending(self) -> bool:
        return self._cr_pending

    def _ends_in(self, piece: bytes) -> list[int]:
        position = self.position
        start = 0
        ends: list[int] = []
        if self._cr_pending and piece:
            self._cr_pending = False
            start = 1 if piece[0] == LF else 0
            ends.append(position + start)
        ends += _line_ends(piece[start:] if start else piece, position + start)
        if ends and piece[-1] == CR and ends[-1] == position + len(piece):
            ends.pop()  # a CR last in the piece may be the first half of a CRLF
            self._cr_pending = True
        return ends


def _after_each(data: bytes, first: int) -> list[int]:
    """`first` plus the offset just past each LF in `data`, worked out in C: splitting and
    summing the parts' lengths costs far less than a Python step per line."""
    if b"\n" not in data:
        return []
    ends = list(map(operator.add, accumulate(map(len, data.split(b"\n"))), count(first + 1)))
    ends.pop()
    return ends


def _line_ends(data: bytes, base: int) -> list[int]:
    """`base` plus the offset just past each LF, CRLF or CR in `data` (a CR last counts)."""
    crs = data.count(b"\r")
    crlfs = data.count(b"\r\n") if crs else 0
    if crs == crlfs:
        return _after_each(data, base)
    if crlfs * 16 > crs:
        return [match.end() + base for match in _LINE_END.finditer(data)]
    ends = _after_each(data.translate(_CR_AS_LF), base)
    at = data.find(b"\r\n")
    while at >= 0:  # the CR of a CRLF ends no line of its own: drop the end after it
        del ends[bisect.bisect_left(ends, base + at + 1)]
        at = data.find(b"\r\n", at + 2)
    return ends


class DelimiterFramer(Framer):
    """A message ends after each occurrence of the delimiter, leftmost first, not overlapping."""

    def __init__(self, delimiter: bytes) -> None:
        super().__init__()
        if not delimiter:
            raise ValueError("a delimiter has at least one byte")
        self.delimiter = delimiter
        self._tail = b""
        """The last bytes fed, after the last message end: a delimiter may start in them."""

    def _ends_in(self, piece: bytes) -> list[int]:
        window = self._tail + piece
        base = self.position - len(self._tail)
        ends: list[int] = []
        start = 0
        width = len(self.delimiter)
        while (found := window.find(self.delimiter, start)) >= 0:
            start = found + width
            ends.append(base + start)
        keep = max(len(window) - (width - 1), start)
        self._tail = window[keep:]
        return ends


class FixedFramer(Framer):
    """Records of a fixed size."""

    def __init__(self, record_size: int) -> None:
        super().__init__()
        if record_size < 1:
            raise ValueError("a record has at least one byte")
        self.record_size = record_size

    def _ends_in(self, piece: bytes) -> list[int]:
        size = self.record_size
        first = (self.position // size + 1) * size
        return list(range(first, self.position + len(piece) + 1, size))

    @property
    def expected_end(self) -> int | None:
        return self.message_start + self.record_size


class LengthFramer(Framer):
    """Frames whose header holds their length; only the header bytes are ever kept."""

    def __init__(self, prefix: LengthPrefix) -> None:
        super().__init__()
        self.prefix = prefix
        self._header = bytearray()
        self._frame_end: int | None = None

    @property
    def expected_end(self) -> int | None:
        return self._frame_end

    def _ends_in(self, piece: bytes) -> list[int]:
        ends: list[int] = []
        at = 0
        frame_start = self.message_start
        needed = self.prefix.header + self.prefix.size
        while at < len(piece):
            if self._frame_end is None:
                take = min(needed - len(self._header), len(piece) - at)
                self._header += piece[at : at + take]
                at += take
                if len(self._header) < needed:
                    break
                length = int.from_bytes(
                    self._header[self.prefix.header :],
                    "big" if self.prefix.big_endian else "little",
                )
                self._frame_end = frame_start + self.prefix.frame_size(length)
            if self._frame_end > self.position + len(piece):
                break
            at = self._frame_end - self.position
            ends.append(self._frame_end)
            frame_start = self._frame_end
            self._frame_end = None
            self._header.clear()
        return ends


def split_messages(data: bytes, grouping: Grouping) -> list[bytes]:
    """`data` cut into its messages, the incomplete rest last (for exports and tests)."""
    framer = grouping.new_framer()
    cuts = [0, *framer.feed(data)]
    if cuts[-1] < len(data):
        cuts.append(len(data))
    return [data[start:end] for start, end in zip(cuts, cuts[1:], strict=False)]
