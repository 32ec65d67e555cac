"""Figure 7: process start to first full frame, `tcptui --demo` beside a bare Textual app.

Both run in a fresh 200x60 pty, alternating. The clock stops when markers have appeared in what
the program writes to its terminal: for tcptui the demo server's banner in the receive log (so
the frame has the app, a live connection and its first bytes) and its footer's last key, for the
bare app its footer. A frame is written top to bottom, and Textual's footer fills in after its
first frame: the footer's last key ends a full frame.

Both import from bytecode, as an installed program does (pip compiles what it installs).
An editable install run with PYTHONDONTWRITEBYTECODE, as in some sandboxes, would otherwise
compile tcptui from source at every start: 70-90 ms more, measured. Each runs once untimed.
"""

from __future__ import annotations

import compileall
import sys
from collections.abc import Callable
from pathlib import Path

import tcptui

from .common import Row, Settings, alternate, median
from .terminal import time_to_marker

TARGET_RATIO = 1.3
TCPTUI = ([sys.executable, "-m", "tcptui", "--demo"], (b"type help for the commands", b"palette"))
BARE = ([sys.executable, "-m", "tests.benchmarks.bare_app"], (b"Quit",))


def run(settings: Settings, log: Callable[[str], None]) -> list[Row]:
    log(f"startup: {settings.startup_repetitions} alternating rounds")
    compileall.compile_dir(Path(tcptui.__file__).parent, quiet=1)
    compileall.compile_file(Path(__file__).with_name("bare_app.py"), quiet=1)
    for argv, marker in (TCPTUI, BARE):
        time_to_marker(argv, marker, timeout=60)  # untimed: files into the page cache
    results = alternate(
        {
            "tcptui": lambda: time_to_marker(*TCPTUI, timeout=60),
            "bare": lambda: time_to_marker(*BARE, timeout=60),
        },
        settings.startup_repetitions,
    )
    ours, bare = median(results["tcptui"]), median(results["bare"])
    return [
        Row(
            "7. Start to first full frame, `tcptui --demo` (vs a bare Textual app)",
            f"{ours * 1000:.0f} ms",
            f"{bare * 1000:.0f} ms",
            f"{ours / bare:.2f}",
            f"≤ {TARGET_RATIO:g}×",
            ours / bare <= TARGET_RATIO,
        )
    ]
