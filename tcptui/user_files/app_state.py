"""What tcptui remembers between runs on its own: the last theme and recent targets.

Kept apart from the settings file, which is the user's to write: tcptui never rewrites it.
A state file that cannot be read or written is ignored (and reported once), never fatal; one
that is damaged is kept aside as `state.json.corrupt-<time>` before a fresh one is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from tcptui.user_files.paths import data_dir, keep_aside, read_user_file, write_atomically

RECENT_LIMIT = 12


def state_path() -> Path:
    return data_dir() / "state.json"


@dataclass
class AppState:
    theme: str | None = None
    recent: list[str] = field(default_factory=list)
    """Targets connected to, newest first, as the command line would write them."""
    warning: str | None = None

    def remember_target(self, target: str) -> None:
        self.recent = [target, *(t for t in self.recent if t != target)][:RECENT_LIMIT]


def load_state(path: Path | None = None) -> AppState:
    path = path or state_path()
    try:
        data = json.loads(read_user_file(path))
    except FileNotFoundError:
        return AppState()
    except OSError as exc:
        return AppState(warning=f"could not read {path}: {exc.strerror or exc}")
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        return AppState(warning=_kept_aside(path))
    theme = data.get("theme")
    recent = data.get("recent")
    return AppState(
        theme=theme if isinstance(theme, str) else None,
        recent=[t for t in recent if isinstance(t, str)][:RECENT_LIMIT]
        if isinstance(recent, list)
        else [],
    )


def _kept_aside(path: Path) -> str:
    try:
        kept = keep_aside(path)
    except OSError as exc:
        return f"{path} is damaged and could not be kept aside: {exc.strerror or exc}"
    return f"{path} was damaged: it is kept as {kept.name}, and a fresh one started"


def save_state(state: AppState, path: Path | None = None) -> str | None:
    """Write the state; returns a warning sentence instead of raising when it cannot."""
    path = path or state_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps({"theme": state.theme, "recent": state.recent}))
    except OSError as exc:
        return f"could not save {path}: {exc.strerror or exc}"
    return None
