"""Reading the responders and sequence files (TOML) that `--responders` and `--run` name.

Like the settings file, they are read whole and checked before use: only a regular file (a
FIFO or a device would block or never end), at most MAX_FILE_BYTES, UTF-8, valid TOML, and
every rule or step valid. Every problem is one AutomationFileError sentence naming the file.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

from tcptui.codec.automation_rules import (
    ResponderRule,
    RuleError,
    Step,
    parse_responders,
    parse_sequence,
)

MAX_FILE_BYTES = 1 << 20
"""A hand-written rules file is a few kilobytes; a bigger one is surely the wrong file."""


class AutomationFileError(Exception):
    """A responders or sequence file that cannot be used; `str()` is one sentence."""


def load_responders(path: str | os.PathLike[str], encoding: str = "utf-8") -> list[ResponderRule]:
    document = _read_toml(Path(path))
    try:
        return parse_responders(document, encoding)
    except RuleError as exc:
        raise AutomationFileError(f"{path}: {exc}") from None


def load_sequence(path: str | os.PathLike[str], encoding: str = "utf-8") -> list[Step]:
    document = _read_toml(Path(path))
    try:
        steps = parse_sequence(document, encoding)
    except RuleError as exc:
        raise AutomationFileError(f"{path}: {exc}") from None
    return steps


def _read_toml(path: Path) -> dict[str, object]:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise AutomationFileError(f"{path} is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise AutomationFileError(
                f"{path} is {info.st_size} bytes: a rules file may be {MAX_FILE_BYTES} at most"
            )
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise AutomationFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise AutomationFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise AutomationFileError(f"{path} is larger than the {MAX_FILE_BYTES} bytes allowed")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise AutomationFileError(f"{path}, line {line}: not UTF-8 text") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AutomationFileError(f"{path}: {exc}") from None
