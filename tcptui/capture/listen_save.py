"""`--listen … --save FILE`: each client's received bytes go to a file of its own.

The name is FILE's with the client's number and address before the extension, so the files
sort by arrival and a shell glob finds them: `capture.bin` → `capture.3-127.0.0.1-51234.bin`,
`dump` → `dump.3-127.0.0.1-51234`. An IPv6 address has its colons as underscores
(`capture.4-__1-40000.bin` for ::1), since a colon is not allowed in a file name everywhere.
"""

from __future__ import annotations

import os
import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def client_save_path(base: str, number: int, host: str, port: int) -> str:
    """The file that client `number` (1 for the first accepted) at host:port is saved to."""
    folder, name = os.path.split(base)
    stem, extension = os.path.splitext(name)
    address = _UNSAFE.sub("_", host.strip("[]"))
    return os.path.join(folder, f"{stem}.{number}-{address}-{port}{extension}")


def check_save_folder(base: str) -> str | None:
    """A sentence saying why clients could not be saved next to `base`; None when they can."""
    folder = os.path.dirname(base) or "."
    if not os.path.isdir(folder):
        return f"{folder}: no such folder for the --save files"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{folder}: no permission to write the --save files there"
    return None
