"""The real tcptui app, run in a terminal (tmux) by the ingest and memory figures.

It is TcpTuiApp itself with a thin harness: once the first frame is up it notes its memory,
then either connects (ingest: receive until EOF, the views following the tail) or puts one
huge single-line chunk on screen (line). When done it reports, as one JSON line to the
benchmark's control port, when the UI handled the end, the sha256 of what it captured and its
peak memory growth, then quits. Run: python -m tests.benchmarks.app_driver --help
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from textual import on
from textual.widgets import TabbedContent

from tcptui.capture.store import Direction
from tcptui.cli import tune_process
from tcptui.codec.composer_syntax import LineEnding
from tcptui.launch_config import LaunchConfig
from tcptui.net.events import Closed
from tcptui.net.session import ConnectOptions
from tcptui.net.target import Family, Target
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.messages import SessionEvent
from tcptui.user_files.automation_files import load_responders
from tests.benchmarks.common import warm_memory
from tests.helpers.app_parts import current_capture, current_log, current_view

STATUS = Path("/proc/self/status")


def memory_kib(field: str) -> int:
    """VmRSS or VmHWM of this process in KiB (0 where /proc is missing)."""
    if not STATUS.exists():
        return 0
    for line in STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak_memory() -> bool:
    """Make VmHWM start again from the current RSS (Linux >= 4.0); False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class DrivenApp(TcpTuiApp):
    CSS_PATH = str(Path(__file__).resolve().parents[2] / "tcptui" / "ui" / "app.tcss")
    """Textual resolves a relative CSS_PATH beside the subclass's module: point at the app's."""

    def __init__(self, args: argparse.Namespace) -> None:
        rules = tuple(load_responders(args.responders)) if args.responders else ()
        super().__init__(
            LaunchConfig(None, ConnectOptions(), LineEnding.LF, False, responders=rules)
        )
        self.args = args
        self.baseline_kib = 0
        self.peak_reset = False
        self.facts: dict[str, Any] = {}
        self._began = False

    @on(TabbedContent.TabActivated)
    def _first_tab_shown(self) -> None:
        if not self._began:
            self._began = True
            self.call_after_refresh(self._begin)

    def _begin(self) -> None:
        if self.args.mode == "line":
            payload = b"x" * self.args.line_bytes  # printable text, no newline: one long line
            self._note_baseline()
            current_capture(self).append(Direction.RECEIVED, payload)
            del payload
            current_log(self).refresh_data()
            self.call_after_refresh(self._line_scrolled_home)
            return
        warm_memory(self.args.warm_mib)
        self._note_baseline()
        self.facts["connect_started"] = time.monotonic()
        self.facts["ui_cpu_started"] = time.thread_time()
        current_view(self).connect(Target("127.0.0.1", self.args.port), Family.IPV4)

    def _note_baseline(self) -> None:
        self.peak_reset = reset_peak_memory()
        self.baseline_kib = memory_kib("VmRSS")

    def _line_scrolled_home(self) -> None:
        """The line's tail is on screen (following); now show its head, then report."""
        for view in current_log(self).visible_views():
            view.scroll_home(animate=False, immediate=True)
        self.call_after_refresh(self._report)

    def on_session_event(self, message: SessionEvent) -> None:
        if isinstance(message.event, Closed):
            self.facts["ui_closed"] = time.monotonic()
            self.facts["ui_cpu"] = time.thread_time() - self.facts.get("ui_cpu_started", 0.0)
            self.facts["end_reason"] = str(message.event.reason)
            self.call_after_refresh(self._report)

    def _responder_bytes(self) -> int:
        """Received bytes the responders had matched when the UI showed the end."""
        responders = current_view(self).automation.responders
        return responders.matched_bytes if responders is not None else 0

    def _report(self) -> None:
        peak = memory_kib("VmHWM")
        views = current_log(self).visible_views()
        digest = hashlib.sha256()
        if self.args.responders:  # the replies are in the capture too: hash what was received
            for chunk in current_capture(self).chunks():
                if chunk.direction is Direction.RECEIVED:
                    digest.update(current_capture(self).read(chunk.offset, chunk.length))
        else:
            for block in current_capture(self).iter_bytes(4 << 20):
                digest.update(block)
        self.facts.update(
            reported=time.monotonic(),
            baseline_kib=self.baseline_kib,
            peak_kib=peak,
            peak_reset=self.peak_reset,
            received=current_capture(self).stream_bytes(Direction.RECEIVED),
            chunks=len(current_capture(self)),
            received_chunks=current_capture(self).chunk_count(Direction.RECEIVED),
            sha256=digest.hexdigest(),
            following=all(view.following for view in views),
            rows=[view.layout_rows.total_rows for view in views],
            responder_bytes=self._responder_bytes(),
        )
        with socket.create_connection(("127.0.0.1", self.args.control), timeout=10) as control:
            control.sendall(json.dumps(self.facts).encode() + b"\n")
        self.exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mode", choices=("ingest", "line"), default="ingest")
    parser.add_argument("--port", type=int, default=0, help="the server to ingest from")
    parser.add_argument("--control", type=int, required=True, help="where to report")
    parser.add_argument("--line-bytes", type=int, default=10 << 20)
    parser.add_argument("--responders", help="a responders file to load, as --responders does")
    parser.add_argument(
        "--warm-mib", type=int, default=0, help="page cache to write and free before connecting"
    )
    args = parser.parse_args()
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    tune_process()  # as `tcptui` does in cli.main
    DrivenApp(args).run()


if __name__ == "__main__":
    main()
