"""Run the performance suite and print one Markdown table: python -m tests.benchmarks --help

Exit status: 0 when every target is met; 1 when a target is missed (full run only: in --quick
mode targets are informational); 2 when a figure crashed or a byte check failed (any mode).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from . import (
    bench_flood,
    bench_frame,
    bench_hexdump,
    bench_ingest,
    bench_listen,
    bench_messages,
    bench_responders,
    bench_rows,
    bench_search,
    bench_startup,
    bench_storm,
)
from .common import ByteCheckError, Row, Settings, ensure_tools, workdir

FIGURES: dict[str, ModuleType] = {
    "ingest": bench_ingest,
    "responders": bench_responders,
    "flood": bench_flood,
    "storm": bench_storm,
    "frame": bench_frame,
    "hexdump": bench_hexdump,
    "search": bench_search,
    "startup": bench_startup,
    "listen": bench_listen,
    "messages": bench_messages,
    "rows": bench_rows,
}
DEFAULT_OUTPUT = Path(__file__).with_name("results.md")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, 1-2 rounds (< 1 minute; what CI runs)"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="also write the report here (default: tests/benchmarks/results.md)",
    )
    parser.add_argument(
        "--only", action="append", choices=list(FIGURES), help="run only these figures"
    )
    parser.add_argument(
        "--tmp", default=None, help="folder for payloads and outputs (default: the system's)"
    )
    return parser.parse_args()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def table(rows: list[Row], quick: bool) -> str:
    lines = [
        "| figure | tcptui | reference | ratio | target | result |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row.passed is None:
            verdict = "info"
        elif quick:
            verdict = "(pass)" if row.passed else "(miss)"
        else:
            verdict = "pass" if row.passed else "**FAIL**"
        cells = (row.figure, row.tcptui, row.reference, row.ratio, row.target, verdict)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def report(rows: list[Row], settings: Settings, seconds: float, problems: list[str]) -> str:
    mode = "quick (small sizes; results informational)" if settings.quick else "full"
    notes = [note for row in rows for note in row.notes]
    parts = [
        f"## tcptui benchmarks ({mode})",
        "",
        table(rows, settings.quick),
        "",
        "Medians of runs alternating with the reference in the same process of the suite; "
        "ratio = tcptui / reference unless it says otherwise.",
    ]
    if notes:
        parts += ["", "Notes:", "", *[f"- {note}" for note in notes]]
    if problems:
        parts += ["", "Problems:", "", *[f"- {problem}" for problem in problems]]
    parts += [
        "",
        f"Run on {time.strftime('%Y-%m-%d %H:%M %Z')}, {platform.platform()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; took {seconds:.0f} s.",
        "",
    ]
    return "\n".join(parts)


def main() -> int:
    args = parse_args()
    started = time.perf_counter()
    missing = ensure_tools(log)
    problems: list[str] = []
    crashed = False
    rows: list[Row] = []
    with workdir(args.tmp) as scratch:
        settings = Settings.make(args.quick, scratch)
        # Every app the suite starts (here, in tmux, in a pty) starts afresh: not with this
        # user's saved theme or history, and without adding to them.
        for variable in ("TCPTUI_DATA_DIR", "TCPTUI_CONFIG_DIR"):
            os.environ[variable] = str(scratch / "user-files")
        os.environ.pop("TCPTUI_CONFIG", None)
        for name, module in FIGURES.items():
            if args.only and name not in args.only:
                continue
            run: Callable[[Settings, Callable[[str], None]], list[Row]] = module.run
            try:
                rows += run(settings, log)
            except ByteCheckError as exc:
                crashed = True
                problems.append(f"{name}: byte check failed: {exc}")
            except Exception as exc:  # noqa: BLE001 - one figure failing must not hide the rest
                crashed = True
                problems.append(f"{name}: crashed: {type(exc).__name__}: {exc}")
                traceback.print_exc()
    if missing:
        problems.append(f"reference tools missing: {', '.join(missing)}")
    text = report(rows, settings, time.perf_counter() - started, problems)
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    log(f"written to {args.output}")
    if crashed:
        return 2
    if not settings.quick and any(row.passed is False for row in rows):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
