"""Where tcptui keeps the user's files, and how it replaces them without leaving half a file.

The platform's conventional folders come from platformdirs; an environment variable overrides
each one, so tests never touch the real home directory and users can keep tcptui's files
wherever they like (a dotfiles repository, a portable install).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import platformdirs

APP_NAME = "tcptui"
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
