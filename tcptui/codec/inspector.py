"""The data inspector's readings: what a few bytes may mean, every common way at once.

People poking at a binary protocol look for the length, the counter or the timestamp; a hex
editor answers with a data inspector, and without one they paste bytes into a Python prompt.
Each reading is a (label, value) row of plain text. Characters decoded from the bytes never
appear raw when they could act on a terminal or hide: controls, format and bidi characters are
named, not shown. A reading that needs more bytes than there are shows PAST_END.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import struct
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Literal, NamedTuple

WINDOW = 16
"""The most bytes one reading takes: an IPv6 address (a varint takes up to 10)."""
PAST_END = "—"
VARINT_MOST_BYTES = 10
"""A 64-bit value takes at most 10 bytes as a protobuf varint."""
DIGEST_LABELS = ("CRC-32", "Adler-32", "MD5", "SHA-1", "SHA-256")

Endian = Literal["little", "big"]
ENDIANS: tuple[tuple[str, Endian], ...] = (("LE", "little"), ("BE", "big"))
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_YEAR_2100_SECONDS = 4_102_444_800
_TIME_UNITS = (("s", 1), ("ms", 1_000), ("µs", 1_000_000))
_FLOAT_FORMATS = ((2, "e"), (4, "f"), (8, "d"))


class Row(NamedTuple):
    """One reading: what it is ("u32 LE") and what the bytes say read that way."""

    label: str
    value: str


def value_rows(data: bytes) -> list[Row]:
    """Every reading of the bytes starting at `data[0]` (pass up to WINDOW bytes)."""
    return [
        *_integer_rows(data),
        *_float_rows(data),
        *_varint_rows(data),
        *_time_rows(data),
        *_address_rows(data),
        *_text_rows(data),
    ]


def length_row(length: int) -> Row:
    return Row("length", f"{length} bytes (0x{length:x})")


def digest_rows(blocks: Iterable[bytes]) -> list[Row]:
    """Length and checksums of a selection, fed a block at a time so it is never held whole."""
    length, crc, adler = 0, 0, 1
    hashes = [
        ("MD5", hashlib.md5(usedforsecurity=False)),
        ("SHA-1", hashlib.sha1(usedforsecurity=False)),
        ("SHA-256", hashlib.sha256()),
    ]
    for block in blocks:
        length += len(block)
        crc = zlib.crc32(block, crc)
        adler = zlib.adler32(block, adler)
        for _, digest in hashes:
            digest.update(block)
    return [
        length_row(length),
        Row("CRC-32", f"{crc:08x}"),
        Row("Adler-32", f"{adler:08x}"),
        *(Row(name, digest.hexdigest()) for name, digest in hashes),
    ]


# -- numbers ---------------------------------------------------------------------------------


def _integer_rows(data: bytes) -> Iterator[Row]:
    for size in (1, 2, 4, 8):
        for signed in (False, True):
            name = f"{'i' if signed else 'u'}{size * 8}"
            if size == 1:
                yield Row(name, _integer_text(data, size, "little", signed))
                continue
            for suffix, endian in ENDIANS:
                yield Row(f"{name} {suffix}", _integer_text(data, size, endian, signed))


def _integer_text(data: bytes, size: int, endian: Endian, signed: bool) -> str:
    if len(data) < size:
        return PAST_END
    value = int.from_bytes(data[:size], endian, signed=signed)
    sign = "-" if value < 0 else ""
    return f"{value}  {sign}0x{abs(value):0{size * 2}x}"


def _float_rows(data: bytes) -> Iterator[Row]:
    for size, code in _FLOAT_FORMATS:
        for suffix, endian in ENDIANS:
            layout = ("<" if endian == "little" else ">") + code
            text = PAST_END
            if len(data) >= size:
                text = _shortest_float_text(struct.unpack(layout, data[:size])[0], layout)
            yield Row(f"f{size * 8} {suffix}", text)


def _shortest_float_text(value: float, layout: str) -> str:
    """The fewest digits that read back as the same f16/f32/f64: 0.1 as f32 is "0.1", not
    0.10000000149011612 (the double nearest to it)."""
    if not math.isfinite(value):
        return repr(value)
    exact = struct.pack(layout, value)
    for precision in range(1, 17):
        text = f"{value:.{precision}g}"
        try:
            if struct.pack(layout, float(text)) == exact:
                return text
        except (OverflowError, struct.error):
            continue  # rounded past the format's largest value
    return repr(value)


def read_varint(data: bytes) -> tuple[int, int] | str:
    """An unsigned LEB128 / protobuf varint at `data[0]`: (value, bytes used), or why not."""
    value = 0
    for index, byte in enumerate(data[:VARINT_MOST_BYTES]):
        value |= (byte & 0x7F) << (7 * index)
        if byte < 0x80:
            return value, index + 1
    if len(data) >= VARINT_MOST_BYTES:
        return f"not a varint: no last byte among the first {VARINT_MOST_BYTES}"
    return PAST_END


def _varint_rows(data: bytes) -> Iterator[Row]:
    found = read_varint(data)
    if isinstance(found, str):
        yield Row("varint", found)
        yield Row("zigzag", found)
        return
    value, used = found
    count = f"({used} byte{'s' if used > 1 else ''})"
    yield Row("varint", f"{value} {count}")
    yield Row("zigzag", f"{(value >> 1) ^ -(value & 1)} {count}")


def _time_rows(data: bytes) -> Iterator[Row]:
    for size in (4, 8):
        for suffix, endian in ENDIANS:
            for unit, per_second in _TIME_UNITS:
                label = f"time{size * 8} {suffix} {unit}"
                if len(data) < size:
                    yield Row(label, PAST_END)
                    continue
                value = int.from_bytes(data[:size], endian)
                yield Row(label, _unix_time_text(value, per_second))


def _unix_time_text(value: int, per_second: int) -> str:
    """`value` Unix seconds (or ms, µs) as a UTC date and time, if in 1970–2100."""
    if value >= _YEAR_2100_SECONDS * per_second:
        return "not in 1970–2100"
    seconds, fraction = divmod(value, per_second)
    moment = _EPOCH + timedelta(seconds=seconds)
    digits = len(str(per_second)) - 1
    decimals = f".{fraction:0{digits}d}" if digits else ""
    return f"{moment:%Y-%m-%d %H:%M:%S}{decimals} UTC"


def _address_rows(data: bytes) -> Iterator[Row]:
    yield Row("IPv4", str(ipaddress.IPv4Address(data[:4])) if len(data) >= 4 else PAST_END)
    yield Row("IPv6", _ipv6_text(data[:16]) if len(data) >= 16 else PAST_END)
    yield Row("MAC", data[:6].hex(":") if len(data) >= 6 else PAST_END)


def _ipv6_text(raw: bytes) -> str:
    """With an IPv4-mapped address in dotted form, as Python 3.13 writes it (3.11 does not)."""
    address = ipaddress.IPv6Address(raw)
    mapped = address.ipv4_mapped
    return str(address) if mapped is None else f"::ffff:{mapped}"


# -- text ------------------------------------------------------------------------------------


def _text_rows(data: bytes) -> Iterator[Row]:
    yield Row("UTF-8", utf8_character(data))
    for suffix, endian in ENDIANS:
        yield Row(f"UTF-16 {suffix}", utf16_character(data, endian))
    yield Row("bits", f"{data[0] >> 4:04b} {data[0] & 0xF:04b}" if data else PAST_END)


def utf8_character(data: bytes) -> str:
    """The UTF-8 character starting at `data[0]`, described safely, or why there is none."""
    if not data:
        return PAST_END
    lead = data[0]
    if 0x80 <= lead <= 0xBF:
        return "not a start: a continuation byte (10xxxxxx)"
    if lead in (0xC0, 0xC1) or lead >= 0xF5:
        return f"not UTF-8: 0x{lead:02x} never occurs in UTF-8"
    size = 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    for position, byte in enumerate(data[1:size], start=2):
        if not 0x80 <= byte <= 0xBF:
            return f"not UTF-8: byte {position} of {size} is not a continuation byte"
    if len(data) < size:
        return PAST_END
    try:
        char = data[:size].decode("utf-8")
    except UnicodeDecodeError:
        return f"not UTF-8: {_utf8_misuse(lead, data[1])}"
    return describe_character(char, size)


def _utf8_misuse(lead: int, second: int) -> str:
    """Why well-formed-looking UTF-8 bytes are refused (the lead and its continuations are
    fine): an overlong form, a surrogate, or a code point past U+10FFFF."""
    if lead == 0xED and second >= 0xA0:
        return "a surrogate (U+D800–U+DFFF) encoded"
    if lead == 0xF4 and second >= 0x90:
        return "above U+10FFFF"
    return "an overlong form"


def utf16_character(data: bytes, endian: Endian) -> str:
    """The UTF-16 character (one unit, or a surrogate pair) starting at `data[0]`."""
    if len(data) < 2:
        return PAST_END
    unit = int.from_bytes(data[:2], endian)
    if 0xDC00 <= unit <= 0xDFFF:
        return "not a start: a low surrogate (the second half of a pair)"
    if unit < 0xD800 or unit > 0xDFFF:
        return describe_character(chr(unit), 2)
    if len(data) < 4:
        return PAST_END
    low = int.from_bytes(data[2:4], endian)
    if not 0xDC00 <= low <= 0xDFFF:
        return "not UTF-16: a high surrogate without its low half"
    return describe_character(chr(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)), 4)


def describe_character(char: str, size: int) -> str:
    """`'é' U+00E9 (2 bytes) LATIN SMALL LETTER E WITH ACUTE`; a character that could act on
    the terminal or hide (a control, format, bidi, separator or unassigned one) goes without
    its glyph, and a combining mark is shown on a dotted circle so it cannot join the quote."""
    code = ord(char)
    category = unicodedata.category(char)
    name = unicodedata.name(char, "")
    if category == "Cc":
        name = "control"
        glyph = chr(0x2400 + code) if code < 0x20 else "␡" if code == 0x7F else ""
    elif category[0] == "M":
        glyph = f"◌{char}"
    elif char == " " or (char.isprintable() and category[0] != "Z"):
        glyph = char
    else:
        glyph = ""
    parts = [f"'{glyph}'"] if glyph else []
    parts += [f"U+{code:04X}", f"({size} byte{'s' if size > 1 else ''})", name or "unnamed"]
    return " ".join(parts)


def ascii_text(text: str) -> str:
    """`text` in plain ASCII for terminals without Unicode (the --ascii setting)."""
    plain = text.replace(PAST_END, "-").replace("–", "-").replace("µ", "u").replace("◌", "")
    return "".join(ch if ch.isascii() else f"\\u{{{ord(ch):04X}}}" for ch in plain)
