"""A private tmux server to run the real app in a real terminal and read what it shows."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

COLUMNS, LINES = 160, 48
POLL_INTERVAL = 0.05
"""Seconds between looks at the screen while waiting for it to show something."""
COMMAND_TIMEOUT = 10.0

TMUX_CONFIG = """\
set -g set-clipboard on
set -g monitor-bell on
set -g bell-action any
set -g remain-on-exit on
set -g history-limit 0
"""
"""OSC 52 from a pane becomes a paste buffer; a bell raises the window's bell flag."""


def _server_environment() -> dict[str, str]:
    """Our environment for the tmux server, which passes it on to the panes.

    Passed explicitly: a library may have put COLUMNS and LINES into the C-level environment
    (os.environ does not show them), and they would override the pane's real size.
    """
    return {
        key: value
        for key, value in os.environ.items()
        if key not in ("COLUMNS", "LINES", "DISPLAY", "WAYLAND_DISPLAY")
    }


class Tmux:
    """A tmux server of its own (`-L` with a unique name), killed on exit."""

    def __init__(self, folder: Path) -> None:
        self.socket_name = f"tcptui-rel-{uuid.uuid4().hex[:10]}"
        self.config = folder / "tmux.conf"
        self.config.write_text(TMUX_CONFIG)
        self.folder = folder

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.run("kill-server", check=False)

    def run(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket_name, "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            env=_server_environment(),
        )
        if check and result.returncode:
            raise AssertionError(f"tmux {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def new_session(self, name: str, command: Sequence[str], env: dict[str, str]) -> None:
        """A detached session `name` of COLUMNS x LINES running `command`."""
        env_args = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
        self.run(
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            str(COLUMNS),
            "-y",
            str(LINES),
            "-c",
            str(self.folder),
            *env_args,
            shlex.join(command),
        )

    def display(self, target: str, fmt: str) -> str:
        return self.run("display-message", "-p", "-t", target, fmt).rstrip("\n")

    def screen(self, target: str) -> str:
        return self.run("capture-pane", "-p", "-t", target)

    def buffers(self) -> list[str]:
        """The contents of every paste buffer."""
        names = self.run("list-buffers", "-F", "#{buffer_name}").split()
        return [self.run("show-buffer", "-b", name) for name in names]

    def wait_until(self, predicate: Callable[[], bool], what: str, timeout: float) -> None:
        """Poll `predicate` until it holds; fail naming `what` at the deadline."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            time.sleep(POLL_INTERVAL)

    def wait_for_screen(
        self, target: str, predicate: Callable[[str], bool], what: str, timeout: float
    ) -> str:
        """The pane's screen once `predicate(screen)` holds; at the deadline, fail showing it."""
        deadline = time.monotonic() + timeout
        while True:
            if self.display(target, "#{pane_dead}") == "1":
                raise AssertionError(f"it ended while waiting for {what}:\n{self._last(target)}")
            screen = self.screen(target)
            if predicate(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}:\n{screen}")
            time.sleep(POLL_INTERVAL)

    def _last(self, target: str) -> str:
        return self.run("capture-pane", "-p", "-t", target, check=False)
