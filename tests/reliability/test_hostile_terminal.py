"""The real app in a real terminal (tmux) against a hostile server: the terminal is untouched.

A control session first proves each probe works: a program that prints the same OSC 0, OSC 52,
BEL and alternate-screen bytes raw does retitle its pane, fill a paste buffer, raise the bell
flag and switch screens. The app, shown the same bytes by a server, must do none of that.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tcptui.capture.session_file import SessionMeta, save_session
from tcptui.capture.store import Capture, Direction
from tests.helpers import PayloadServer, require_tool
from tests.reliability.hostile_corpus import (
    CLIPBOARD_SECRET,
    HOSTILE_PAYLOAD,
    SERVER_TITLE,
    TAIL_MARKERS,
)
from tests.reliability.terminal import Tmux

STARTUP_TIMEOUT = 30.0
QUIT_TIMEOUT = 10.0
CONTROL_TITLE = "control-title"
CONTROL_CLIPBOARD = "control-clipboard"  # base64 below
RAW_PRINTER = (
    "printf '\\033]0;"
    + CONTROL_TITLE
    + "\\007\\033]52;c;Y29udHJvbC1jbGlwYm9hcmQ=\\007\\007\\033[?1049h'; exec cat"
)
APP_UI = ("text view", "hex view", "composer ·", "^q Quit")


def app_env(folder: Path) -> dict[str, str]:
    return {
        "TCPTUI_DATA_DIR": str(folder / "data"),
        "TCPTUI_CONFIG_DIR": str(folder / "config"),
        "TEXTUAL_ANIMATIONS": "none",
    }


def prove_the_probes_work(tmux: Tmux) -> None:
    """Raw bytes from a program do reach tmux: title, buffer, bell and alternate screen."""
    tmux.run("new-session", "-d", "-s", "control", "-x", "160", "-y", "48", RAW_PRINTER)
    tmux.wait_until(
        lambda: (
            tmux.display("control", "#{pane_title}") == CONTROL_TITLE
            and tmux.display("control", "#{window_bell_flag}") == "1"
            and tmux.display("control", "#{alternate_on}") == "1"
            and CONTROL_CLIPBOARD in tmux.buffers()
        ),
        "the control's raw escapes to retitle, ring, switch screens and write a buffer",
        timeout=STARTUP_TIMEOUT,
    )


def test_hostile_server_cannot_touch_the_terminal_through_the_app(tmp_path: Path) -> None:
    require_tool("tmux", "tmux")
    with Tmux(tmp_path) as tmux, PayloadServer(HOSTILE_PAYLOAD) as server:
        prove_the_probes_work(tmux)
        buffers_before = tmux.buffers()
        command = [sys.executable, "-m", "tcptui", "127.0.0.1", str(server.port)]
        tmux.new_session("app", command, app_env(tmp_path))
        title_before = tmux.display("app", "#{pane_title}")

        screen = tmux.wait_for_screen(
            "app",
            lambda text: all(marker in text for marker in (*TAIL_MARKERS, *APP_UI)),
            "the hostile payload's visible markers, inside the app's own screen",
            STARTUP_TIMEOUT,
        )
        assert server.wait_accepted(1)

        title = tmux.display("app", "#{pane_title}")
        assert SERVER_TITLE not in title and title == title_before
        assert tmux.buffers() == buffers_before
        assert not any(CLIPBOARD_SECRET in buffer for buffer in tmux.buffers())
        assert tmux.display("app", "#{window_bell_flag}") == "0"
        # Textual draws on the alternate screen; the server's "leave it" must not get through.
        assert tmux.display("app", "#{alternate_on}") == "1"
        # Textual turns on SGR mouse reporting; the server's "mouse off" must not get through.
        assert tmux.display("app", "#{mouse_sgr_flag}") == "1"
        assert all(part in screen for part in APP_UI), screen

        tmux.run("send-keys", "-t", "app", "C-q")
        tmux.wait_for_screen(
            "app", lambda text: "never saved" in text, "the unsaved-bytes question", QUIT_TIMEOUT
        )
        tmux.run("send-keys", "-t", "app", "d")  # discard them and quit
        tmux.wait_until(
            lambda: tmux.display("app", "#{pane_dead}") == "1", "the app to quit", QUIT_TIMEOUT
        )
        # tmux sometimes marks the pane dead from the pty's close before it reaps the process,
        # and then never records a status; when it has one, it must be a clean exit.
        assert tmux.display("app", "#{pane_dead_status}:#{pane_dead_signal}") in ("0:", ":")


def test_a_hostile_session_file_cannot_retitle_the_terminal(tmp_path: Path) -> None:
    require_tool("tmux", "tmux")
    path = tmp_path / "hostile.tcptui"
    capture = Capture()
    capture.append(Direction.RECEIVED, b"saved bytes\n")
    hostile = "\x1b]0;" + SERVER_TITLE + "\x07\x07HOSTILE-TARGET"
    save_session(capture, path, SessionMeta(target=hostile, remote=hostile, end_reason=hostile))
    capture.close()
    with Tmux(tmp_path) as tmux:
        tmux.new_session(
            "app", [sys.executable, "-m", "tcptui", "--open", str(path)], app_env(tmp_path)
        )
        title_before = tmux.display("app", "#{pane_title}")
        tmux.wait_for_screen(
            "app",
            lambda text: "saved bytes\\n" in text and "hex view" in text,
            "the saved session",
            STARTUP_TIMEOUT,
        )
        assert tmux.display("app", "#{pane_title}") == title_before
        assert tmux.display("app", "#{window_bell_flag}") == "0"
