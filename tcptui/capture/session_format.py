"""The fixed parts of the session file format (described in `capture/session_file.py`).

They live apart so that the record reader (`capture/session_records.py`) and the module that
writes and opens whole files share them without importing each other.
"""

from __future__ import annotations

import struct

FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
FIRST_VERSION_WITH_EVENTS = 2
MAGIC = b"TCPTUI-SESSION"
EVENT_KIND = 2
END_KIND = 0xFF
RECORD = struct.Struct(">BqqQ")
END = struct.Struct(">QQI")
MAX_EVENT = 64 << 10
"""Largest event record a reader accepts: a detail is a sentence, not a payload."""


class SessionFileError(Exception):
    """A session file could not be opened; `str()` says what is wrong, for the user."""


class NotASessionFileError(SessionFileError):
    """The file does not start with the session magic line."""


class UnsupportedVersionError(SessionFileError):
    """The file was written by a newer tcptui in a format version this one cannot read."""


class TruncatedSessionFileError(SessionFileError):
    """The file ends early: in its header, or (for `open_session`, which wants the whole
    file) before its end record."""


class CorruptSessionFileError(SessionFileError):
    """Something in the file is wrong (not merely missing at its end)."""
