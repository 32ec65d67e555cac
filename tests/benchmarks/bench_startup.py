"""Figure 7: process start to first full frame, `tcptui --demo` beside a bare Textual app.

Both run in a fresh 200x60 pty, alternating. The clock stops when markers have appeared in what
the program writes to its terminal: for tcptui the demo server's banner in the receive log (so
the frame has the app, a live connection and its first bytes) and its footer's last key, for the
bare app its footer. A frame is written top to bottom, and Textual's footer fills in after its
first frame: the footer's last key ends a full frame.

Both import from bytecode, as an installed program does (pip compiles what it installs).
An editable install run with PYTHONDONTWRITEBYTECODE, as in some sandboxes, would otherwise
compile tcptui from source at every start: 70-90 ms more, measured. Each runs once untimed.

A third program, `skeleton_app`, rebuilds tcptui's first screen from stock Textual widgets
with none of tcptui's code. It shows where the 1.3x target stands: Textual's own price for a
screen of this shape.
"""

from __future__ import annotations

import compileall
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import tcptui

from .common import Row, Settings, alternate, median
from .terminal import time_to_marker

TARGET_RATIO = 1.3
TCPTUI = ([sys.executable, "-m", "tcptui", "--demo"], (b"type help for the commands", b"palette"))
BARE = ([sys.executable, "-m", "tests.benchmarks.bare_app"], (b"Quit",))
SKELETON = (
    [sys.executable, "-m", "tests.benchmarks.skeleton_app"],
    (b"type help for the commands", b"palette"),
)
PROGRAMS = {"tcptui": TCPTUI, "bare": BARE, "skeleton": SKELETON}


def run(settings: Settings, log: Callable[[str], None]) -> list[Row]:
    log(f"startup: {settings.startup_repetitions} alternating rounds")
    compileall.compile_dir(Path(tcptui.__file__).parent, quiet=1)
    for reference in ("bare_app.py", "skeleton_app.py"):
        compileall.compile_file(Path(__file__).with_name(reference), quiet=1)
    for argv, markers in PROGRAMS.values():
        time_to_marker(argv, markers, timeout=60)  # untimed: files into the page cache
    results = alternate(
        {name: partial(time_to_marker, *program, timeout=60) for name, program in PROGRAMS.items()},
        settings.startup_repetitions,
    )
    ours, bare, skeleton = (median(results[name]) for name in PROGRAMS)
    return [
        Row(
            "7. Start to first full frame, `tcptui --demo` (vs a bare Textual app)",
            f"{ours * 1000:.0f} ms",
            f"{bare * 1000:.0f} ms",
            f"{ours / bare:.2f}",
            f"≤ {TARGET_RATIO:g}×",
            ours / bare <= TARGET_RATIO,
        ),
        Row(
            "7. The same, vs tcptui's first screen rebuilt from stock Textual widgets with no"
            " tcptui code (`skeleton_app`); the skeleton itself is"
            f" {skeleton / bare:.2f}× the bare app",
            f"{ours * 1000:.0f} ms",
            f"{skeleton * 1000:.0f} ms",
            f"{ours / skeleton:.2f}",
            "—",
            None,
        ),
    ]
