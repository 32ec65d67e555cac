"""ASCII-only mode: nothing drawn on the screen is outside ASCII, and escapes stay meaningful."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from tcptui.capture.store import Capture, Direction
from tcptui.cli import parse_args
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.ascii_filter import to_ascii
from tests.helpers import DEFAULT_TIMEOUT, require_tool
from tests.helpers.app_parts import current_log
from tests.ui.helpers import all_rows


async def test_ascii_option_draws_every_cell_in_ascii() -> None:
    capture = Capture()
    app = TcpTuiApp(parse_args(["--ascii"]), capture=capture)
    app.animation_level = "none"
    capture.append(Direction.RECEIVED, "é 日本 \x1b[1m\x00 😀\n".encode() + bytes(range(256)))
    async with app.run_test(size=(150, 44)) as pilot:
        current_log(app).refresh_data()
        await pilot.pause()
        text = "".join(all_rows(current_log(app).text_view))
        assert "\\u{00E9} \\u{65E5}\\u{672C} \\e[1m\\x00 \\u{1F600}\\n" in text
        assert text.isascii()


def test_the_real_app_in_a_terminal_shows_only_ascii_with_ascii_option() -> None:
    tmux = require_tool("tmux", "tmux")
    socket_name = f"tcptui-ascii-{os.getpid()}"
    command = f"{sys.executable} -m tcptui --demo --ascii"
    base = [tmux, "-L", socket_name]
    subprocess.run([*base, "new-session", "-d", "-x", "140", "-y", "40", command], check=True)
    try:
        deadline = time.monotonic() + DEFAULT_TIMEOUT
        screen = ""
        while "type help" not in screen:
            assert time.monotonic() < deadline, f"the demo banner never showed:\n{screen}"
            screen = subprocess.run(
                [*base, "capture-pane", "-p"], capture_output=True, text=True, check=True
            ).stdout
        assert screen.isascii(), [line for line in screen.splitlines() if not line.isascii()]
        assert "<< received" in screen
    finally:
        subprocess.run([*base, "kill-server"], check=False)


def test_wide_characters_keep_their_width() -> None:
    assert to_ascii("日本│●…") == "????|*..."
    assert to_ascii("▆▊─") == "#|-"
