"""Where tcptui keeps the user's files, and how it replaces them without leaving half a file.

The platform's conventional folders come from platformdirs; an environment variable overrides
each one, so tests never touch the real home directory and users can keep tcptui's files
wherever they like (a dotfiles repository, a portable install).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from pathlib import Path

import platformdirs

APP_NAME = "tcptui"
MAX_USER_FILE = 1 << 20
"""The largest settings or snippets file read: a hand-written file is far smaller, and a
mistaken `--config /dev/zero` or a huge file must not fill memory before the UI starts."""
DATA_DIR_VARIABLE = "TCPTUI_DATA_DIR"
CONFIG_DIR_VARIABLE = "TCPTUI_CONFIG_DIR"


def data_dir() -> Path:
    """Files tcptui writes for itself (the message history); not created here."""
    return _overridden(DATA_DIR_VARIABLE) or Path(platformdirs.user_data_dir(APP_NAME))


def config_dir() -> Path:
    """Files the user may edit by hand (snippets); not created here."""
    return _overridden(CONFIG_DIR_VARIABLE) or Path(platformdirs.user_config_dir(APP_NAME))


def history_path() -> Path:
    return data_dir() / "history.jsonl"


def snippets_path() -> Path:
    return config_dir() / "snippets.toml"


def _overridden(variable: str) -> Path | None:
    """An empty variable counts as unset, as a shell user who writes `VAR= tcptui` expects."""
    value = os.environ.get(variable, "")
    return Path(value).expanduser() if value else None


def write_atomically(path: Path, text: str) -> None:
    """Replaces `path` with `text` so a crash leaves either the old file or the new one.

    The temporary file sits next to the target (a rename across file systems is not atomic),
    and a symlinked target is followed, so a file kept in a dotfiles repository stays a link.
    Raises OSError (and UnicodeEncodeError for text that is not valid UTF-8).
    """
    target = Path(os.path.realpath(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def unusable_name(name: str) -> str | None:
    """Why no file can have this name (what follows "its name"), or None. The system calls
    refuse a NUL, and text the file system's encoding cannot hold (a lone surrogate that no
    real command line yields, but a script or a settings file can), with a ValueError."""
    if "\0" in name:
        return "holds a NUL character"
    try:
        os.fsencode(name)
    except UnicodeError:
        return "holds characters the file system's encoding cannot hold"
    return None


class UnsuitableFileError(OSError):
    """The path names something that is not a small regular file; the message says what."""


def read_user_file(path: Path, limit: int = MAX_USER_FILE) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, read without ever blocking.

    The file is opened non-blocking and its type checked before a byte is read, so a FIFO,
    a terminal or a device named by mistake is refused at once instead of hanging or
    streaming forever. Raises FileNotFoundError, UnsuitableFileError or another OSError.
    """
    problem = unusable_name(os.fspath(path))
    if problem is not None:
        raise UnsuitableFileError(f"its name {problem}")
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise UnsuitableFileError(
                f"it is {describe_file_type(info.st_mode)}, not a regular file"
            )
        with os.fdopen(os.dup(descriptor), "rb") as stream:
            data = stream.read(limit + 1)
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise UnsuitableFileError(f"it is larger than {_size(limit)}, too big to read")
    return data


def _size(count: int) -> str:
    return f"{count >> 20} MiB" if count and count % (1 << 20) == 0 else f"{count:,} bytes"


def describe_file_type(mode: int) -> str:
    """What a non-regular file is, in words: "a folder", "a FIFO (named pipe)"…"""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def keep_aside(path: Path) -> Path:
    """Renames a damaged file to `NAME.corrupt-<UTC time>` so a fresh start loses nothing.

    Raises OSError when the rename fails; the caller then leaves the file alone.
    """
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    kept = path.with_name(f"{path.name}.corrupt-{stamp}")
    number = 1
    while kept.exists():
        number += 1
        kept = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
    os.rename(path, kept)
    return kept
