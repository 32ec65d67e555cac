"""Keys sent together by a real terminal (tmux send-keys writes them in one go, as a paste or
an SSH session does) act in the order typed: editing keys do not wait behind the text."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers import EchoServer, require_tool
from tests.reliability.terminal import Tmux

STARTUP_TIMEOUT = 30.0
SEND_TIMEOUT = 15.0
COMPOSER_HINT = "Enter sends"


def app_env(folder: Path) -> dict[str, str]:
    return {
        "TCPTUI_DATA_DIR": str(folder / "data"),
        "TCPTUI_CONFIG_DIR": str(folder / "config"),
        "TEXTUAL_ANIMATIONS": "none",
    }


@contextmanager
def app_in_tmux(folder: Path, *args: str) -> Iterator[Tmux]:
    require_tool("tmux", "tmux")
    with Tmux(folder) as tmux:
        tmux.new_session("app", [sys.executable, "-m", "tcptui", *args], app_env(folder))
        tmux.wait_for_screen("app", lambda text: COMPOSER_HINT in text, "the app", STARTUP_TIMEOUT)
        yield tmux


def keys(tmux: Tmux, *names: str) -> None:
    """One send-keys: tmux writes all of them to the terminal at once."""
    tmux.run("send-keys", "-t", "app", *names)


def test_backspaces_sent_with_text_delete_before_the_text_is_typed(tmp_path: Path) -> None:
    with EchoServer() as server, app_in_tmux(tmp_path, "127.0.0.1", str(server.port)) as tmux:
        assert server.wait_accepted(1, STARTUP_TIMEOUT)
        keys(tmux, "-l", "abc")
        tmux.wait_for_screen("app", lambda text: "61 62 63 0a" in text, "abc", SEND_TIMEOUT)
        keys(tmux, "BSpace", "BSpace", "x", "y", "Enter")
        assert server.wait_received(len(b"axy\n"), SEND_TIMEOUT)
        keys(tmux, "-l", "abc")
        tmux.wait_for_screen("app", lambda text: "61 62 63 0a" in text, "abc", SEND_TIMEOUT)
        keys(tmux, "Left", "x", "Enter")
        assert server.wait_received(len(b"axy\nabxc\n"), SEND_TIMEOUT)
        assert server.received == b"axy\nabxc\n"


def test_a_refused_port_is_corrected_by_the_keys_sent_behind_its_enter(tmp_path: Path) -> None:
    with app_in_tmux(tmp_path) as tmux:
        keys(tmux, "-l", "127.0.0.1")
        keys(tmux, "Tab", "7", "0", "0", "0", "0", "Enter", *["BSpace"] * 5, "a", "b", "Enter")
        screen = tmux.wait_for_screen(
            "app", lambda text: "'ab' is neither" in text, "the error about ab", SEND_TIMEOUT
        )
        assert "70000ab" not in screen


def test_readline_keys_from_a_real_terminal_edit_the_message(tmp_path: Path) -> None:
    """alt+b reaches the app as ESC b from the terminal, ctrl+w as ^W: both must edit."""
    with EchoServer() as server, app_in_tmux(tmp_path, "127.0.0.1", str(server.port)) as tmux:
        assert server.wait_accepted(1, STARTUP_TIMEOUT)
        keys(tmux, "-l", "GET /x HTTP")
        keys(tmux, "M-b", "M-b", "C-k", "Enter")
        keys(tmux, "-l", "one two")
        keys(tmux, "C-w", "C-a", "M-d")
        keys(tmux, "-l", "zero")
        keys(tmux, "Enter")
        expected = b"GET /\nzero \n"
        assert server.wait_received(len(expected), SEND_TIMEOUT)
        assert server.received == expected
