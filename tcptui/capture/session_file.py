"""The tcptui session file: a capture saved with its timing and connection facts, to open later.

Raw exports lose what makes a capture worth keeping (which side sent each chunk, and when), so
sessions get a format of their own. It is simple enough to read with a few lines of any language.

Format, version 2 (version 1 is the same without event records; both are read)
-------------------------------------------------------------------------------

    magic line   b"TCPTUI-SESSION 2\\n": ASCII; the number is the format version.
    metadata     one line of UTF-8 JSON holding an object, ending in b"\\n" (JSON escapes any
                 newline inside strings). Keys, all optional; readers ignore keys they do not know:
                   "target"          str   what the user asked for, e.g. "example.com:80"
                   "resolved"        [str] every address the name resolved to, in order
                   "remote"          str   the address that answered, e.g. "93.184.215.14:80"
                   "local"           str   our end of the connection, e.g. "192.0.2.7:51234"
                   "started_at"      str   when the session started, ISO 8601 with UTC offset
                   "tcptui_version"  str   the version that wrote the file
                   "tls"             {}    TLS details (version, cipher, certificate…); may be empty
                   "end_reason"      str   why the connection ended, as shown to the user
                   "ended_by_reset"  bool  true when the peer reset the connection
    records      repeated, in capture order; all integers big-endian:
                   kind     u8     0 = bytes received, 1 = bytes sent, 2 = an event,
                                   255 = the end record
                   mono_ns  i64    monotonic clock when the bytes moved (only differences matter)
                   wall_ns  i64    wall clock, nanoseconds since the Unix epoch
                   length   u64    number of data bytes that follow (at least 1)
                   data     the bytes, exactly as they crossed the socket
    event record the same header with kind 2; its data (at most 64 KiB) is one ASCII JSON
                 object: {"event": a kind of capture.events.EventKind ("connected",
                 "tls-started", …), "detail": str, "before_chunk": int}. It stands where the
                 event happened: after the chunk records before it, so `before_chunk` is the
                 number of chunk records that precede it (readers check that it is).
    end record   kind u8 = 255, chunks u64, total data bytes u64, CRC-32 (zlib) of all data u32
                 (chunk records only: events are counted and checked by neither); nothing may
                 follow it. A file without it was cut short: readers keep every whole
                 record before the cut and say what was lost (capture/session_records.py).

Saving streams the capture a block at a time and renames a finished temporary file into place
(see `capture.export.write_atomically`), so a session of any size costs little memory and a
failed save leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import stat
import zlib
from dataclasses import asdict, dataclass, field, fields
from typing import Any, BinaryIO, NamedTuple

from tcptui import __version__
from tcptui.capture.events import ConnectionEvent
from tcptui.capture.export import (
    BLOCK,
    Cancel,
    Progress,
    ProgressTracker,
    write_atomically,
)
from tcptui.capture.session_format import (
    END,
    END_KIND,
    EVENT_KIND,
    FIRST_VERSION_WITH_EVENTS,
    FORMAT_VERSION,
    MAGIC,
    MAX_EVENT,
    READABLE_VERSIONS,
    RECORD,
    CorruptSessionFileError,
    NotASessionFileError,
    SessionFileError,
    TruncatedSessionFileError,
    UnsupportedVersionError,
)
from tcptui.capture.session_records import CutShort, FileFacts, RecordedClock, read_records
from tcptui.capture.store import Capture

__all__ = [
    "END",
    "END_KIND",
    "EVENT_KIND",
    "FIRST_VERSION_WITH_EVENTS",
    "FORMAT_VERSION",
    "MAGIC",
    "MAX_EVENT",
    "READABLE_VERSIONS",
    "RECORD",
    "CorruptSessionFileError",
    "CutShort",
    "NotASessionFileError",
    "OpenedSession",
    "SessionFileError",
    "SessionMeta",
    "TruncatedSessionFileError",
    "UnsupportedVersionError",
    "open_intact_session",
    "open_session",
    "save_session",
]

MAX_METADATA = 1 << 20
"""Longest metadata line a reader accepts: anything longer is not a session file we wrote."""
MAX_NESTING = 32
"""Deepest nesting of metadata a reader accepts; ours is three levels deep (tls, its chain,
a certificate), and thousands of levels would crash anything that walks it recursively."""


@dataclass(frozen=True)
class SessionMeta:
    """What is known about the connection a capture came from (see the format above)."""

    target: str = ""
    resolved: tuple[str, ...] = ()
    remote: str = ""
    local: str = ""
    started_at: str = ""
    tcptui_version: str = __version__
    tls: dict[str, Any] = field(default_factory=dict)
    end_reason: str = ""
    ended_by_reset: bool = False

    def to_json(self) -> bytes:
        data = asdict(self)
        data["resolved"] = list(self.resolved)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, data: object) -> SessionMeta:
        if not isinstance(data, dict):
            raise CorruptSessionFileError("the metadata line is not a JSON object")
        values: dict[str, Any] = {}
        for item in fields(cls):
            if item.name in data:
                values[item.name] = _checked(item.name, data[item.name])
        return cls(**values)


_TYPES: dict[str, type] = {"tls": dict, "ended_by_reset": bool, "resolved": list}


def _checked(name: str, value: object) -> object:
    expected = _TYPES.get(name, str)
    if not isinstance(value, expected):
        raise CorruptSessionFileError(
            f"metadata field {name!r} should be a {expected.__name__}, not {value!r}"
        )
    if isinstance(value, list):
        if not all(isinstance(item, str) for item in value):
            raise CorruptSessionFileError(f"metadata field {name!r} should list strings")
        return tuple(value)
    return value


def save_session(
    capture: Capture,
    path: str | os.PathLike[str],
    meta: SessionMeta,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> int:
    """Write `capture` and `meta` to `path` as a session file; return the file's size.

    Chunks appended while saving are left for the next save. Raises SaveError (SaveCancelled
    when cancelled) and then `path` is untouched.
    """
    count = len(capture)
    tracker = ProgressTracker(capture.total_bytes, progress, cancel)
    size = write_atomically(path, lambda out: _write_session(capture, count, meta, out, tracker))
    tracker.finish()
    return size


def _write_session(
    capture: Capture, count: int, meta: SessionMeta, out: BinaryIO, tracker: ProgressTracker
) -> None:
    tracker.check()
    out.write(b"%s %d\n%s\n" % (MAGIC, FORMAT_VERSION, meta.to_json()))
    events = [event for event in capture.events.events() if event.before_chunk <= count]
    taken = 0
    crc = total = 0
    for chunk in capture.chunks(0, count):
        while taken < len(events) and events[taken].before_chunk <= chunk.index:
            out.write(_event_record(events[taken]))
            taken += 1
        out.write(RECORD.pack(chunk.direction, chunk.mono_ns, chunk.wall_ns, chunk.length))
        for offset in range(chunk.offset, chunk.end, BLOCK):
            data = capture.read(offset, min(BLOCK, chunk.end - offset))
            out.write(data)
            crc = zlib.crc32(data, crc)
            total += len(data)
            tracker.advance(len(data))
    for event in events[taken:]:
        out.write(_event_record(event))
    out.write(bytes([END_KIND]) + END.pack(count, total, crc))


def _event_record(event: ConnectionEvent) -> bytes:
    """ASCII JSON: every character escaped that a terminal or an editor could trip on."""
    values = {"event": event.kind.value, "detail": event.detail, "before_chunk": event.before_chunk}
    data = json.dumps(values, separators=(",", ":")).encode("ascii")
    return RECORD.pack(EVENT_KIND, event.mono_ns, event.wall_ns, len(data)) + data


class OpenedSession(NamedTuple):
    """A session file as opened: its capture, its metadata, and what was lost if it is cut
    short (None for a whole file)."""

    capture: Capture
    meta: SessionMeta
    cut_short: CutShort | None = None


def open_intact_session(
    path: str | os.PathLike[str],
    spool_dir: str | None = None,
    progress: Progress | None = None,
) -> OpenedSession:
    """Read a session file back into a new Capture with the original timestamps; a file cut
    short gives every record before the cut (see `capture.session_records`).

    Raises a SessionFileError subclass naming what is wrong with the file, or why it could not
    be read (a file cut inside its header has nothing to keep). Records are read a block at a
    time, into the Capture's spool file, so a file of any size costs little memory;
    `progress(done, total)` hears about the bytes read as it goes. Only a regular file is
    read: a FIFO or a device would block or never end, and is refused before a byte is read.
    """
    name = os.fspath(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        with open(descriptor, "rb", buffering=BLOCK) as src:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                raise SessionFileError(f"{name} is {_file_type(info.st_mode)}, not a session file.")
            stored = info.st_blocks * 512 if hasattr(info, "st_blocks") else info.st_size
            tracker = ProgressTracker(info.st_size, progress, None)
            return _read_session(src, FileFacts(info.st_size, stored), spool_dir, tracker)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SessionFileError(f"Could not read {name}: {reason}.") from exc


def open_session(
    path: str | os.PathLike[str],
    spool_dir: str | None = None,
    progress: Progress | None = None,
) -> tuple[Capture, SessionMeta]:
    """`open_intact_session` for callers that take a whole file or nothing: a file cut short
    raises TruncatedSessionFileError saying what of it is intact."""
    capture, meta, cut_short = open_intact_session(path, spool_dir, progress)
    if cut_short is not None:
        capture.close()
        raise TruncatedSessionFileError(cut_short.sentence())
    return capture, meta


def _file_type(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"


def _read_session(
    src: BinaryIO, facts: FileFacts, spool_dir: str | None, tracker: ProgressTracker
) -> OpenedSession:
    version, metadata = _read_metadata(src)
    meta = SessionMeta.from_json(metadata)
    clock = RecordedClock()
    capture = Capture(spool_dir=spool_dir, clock=clock)
    try:
        cut_short = read_records(src, facts, capture, clock, tracker, version)
    except BaseException:
        capture.close()
        raise
    tracker.finish()
    return OpenedSession(capture, meta, cut_short)


def _read_metadata(src: BinaryIO) -> tuple[int, object]:
    """The format version and the metadata (parsed JSON, not yet checked)."""
    magic, _, version = src.readline(64).rstrip(b"\n").partition(b" ")
    if magic != MAGIC:
        raise NotASessionFileError("this is not a tcptui session file (it has no session header)")
    if not version.isdigit():
        raise CorruptSessionFileError(f"the session header has no valid version: {version!r}")
    if int(version) not in READABLE_VERSIONS:
        raise UnsupportedVersionError(
            f"this session file has format version {int(version)}; this tcptui "
            f"({__version__}) reads versions {READABLE_VERSIONS[0]} to {READABLE_VERSIONS[-1]}"
        )
    line = src.readline(MAX_METADATA)
    if not line.endswith(b"\n"):
        if len(line) >= MAX_METADATA:
            raise CorruptSessionFileError("the metadata line is longer than 1 MiB")
        raise TruncatedSessionFileError("the file ends inside the metadata line")
    try:
        data = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptSessionFileError(f"the metadata line is not valid JSON: {exc}") from None
    except RecursionError:
        raise _too_deep() from None
    if _nesting(data) > MAX_NESTING:
        raise _too_deep()
    return int(version), data


def _too_deep() -> CorruptSessionFileError:
    return CorruptSessionFileError(
        f"the metadata nests deeper than {MAX_NESTING} levels: not metadata tcptui wrote"
    )


def _nesting(value: object) -> int:
    """How deeply lists and objects nest in `value`, found without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_NESTING:
                children = item.values() if isinstance(item, dict) else item
                stack.extend((child, depth + 1) for child in children)
    return deepest
