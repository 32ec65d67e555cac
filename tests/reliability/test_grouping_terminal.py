"""The real app in a real terminal (tmux) against a server that sends a byte at a time: the
default grouping shows three whole lines, not a header per byte."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.helpers import DribbleServer, require_tool
from tests.reliability.terminal import Tmux

STARTUP_TIMEOUT = 30.0
LINES = b"one\r\ntwo\r\nthree\r\n"


def test_three_lines_sent_a_byte_at_a_time_show_as_three_whole_lines(tmp_path: Path) -> None:
    require_tool("tmux", "tmux")
    with Tmux(tmp_path) as tmux:

        def shown(sent: int) -> bool:
            """Hold the next byte back until the app shows this one: each is a read of its own."""
            tmux.wait_for_screen(
                "app", lambda text: f"◀ received  {sent} B" in text, f"byte {sent}", STARTUP_TIMEOUT
            )
            return True

        with DribbleServer(LINES, ack=shown) as server:
            command = [sys.executable, "-m", "tcptui", "127.0.0.1", str(server.port)]
            env = {
                "TCPTUI_DATA_DIR": str(tmp_path / "data"),
                "TCPTUI_CONFIG_DIR": str(tmp_path / "config"),
                "TEXTUAL_ANIMATIONS": "none",
            }
            tmux.new_session("app", command, env)
            # Both views' headers, each in its own part of the frame: tmux may show a frame
            # half written, the text view's new header and the hex view's old one.
            screen = tmux.wait_for_screen(
                "app",
                lambda text: "three\\r\\n" in text and text.count("◀ received  17 B") == 2,
                "the three lines in both views",
                STARTUP_TIMEOUT,
            )
            assert server.wait_accepted(1)
            rows = screen.splitlines()
            for line in ("one", "two", "three"):
                assert any(f"│ {line}\\r\\n" in row for row in rows), (line, screen)
            headers = [row for row in rows if "◀ received" in row]
            assert headers and all("17 B · 17 reads" in row for row in headers), screen
            tmux.run("send-keys", "-t", "app", "C-q")
