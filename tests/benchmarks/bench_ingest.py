"""Figures 1 and 3: ingest until EOF beside socat and nc, and the memory that costs.

The real app runs in tmux (200x60), its views live and following the tail. Every client is
timed the same way, by the server: from accepting the connection to the client closing after
EOF. For tcptui the figure runs on to the moment its UI has handled the end of the connection
(the last bytes are on screen), which is what a person waits for; the I/O thread's own time
is given in the notes. The sha256 of the app's capture must equal the payload's.

The same app also runs headless in this process, alternating with the others: the difference
between the two is what drawing into a real terminal costs while the bytes pour in.

Every contender finds the memory it is about to take warm (common.warm_memory): this VM charges
1-3 s per GiB for memory it took back from the process that freed it. The app is also run
without that, cold, as an information row.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tcptui.net.session import SessionState
from tcptui.net.target import Target
from tests.helpers.app_parts import current_capture, current_log, current_view
from tests.ui.helpers import make_app

from .common import (
    MIB,
    ByteCheckError,
    Row,
    SendfileServer,
    Settings,
    alternate,
    make_payload,
    median,
    run_tool,
    size_text,
    warm_memory,
)
from .terminal import COLUMNS, LINES, run_driver_in_tmux

MEMORY_TARGET_MIB = 32


@dataclass(frozen=True)
class AppRun:
    ui_seconds: float
    """Accept to the UI having handled the end (Closed) of the connection."""
    io_seconds: float
    """Accept to the app's socket closing after EOF (the I/O thread's part)."""
    growth_mib: float
    ui_cpu: float
    """CPU seconds of the UI thread from connecting to handling the end."""


def _deadline(nbytes: int) -> float:
    return 60 + nbytes / (2 * MIB)


def warming_for(nbytes: int) -> int:
    """Memory to warm before a run that keeps `nbytes`: all of it and a tenth more."""
    return nbytes * 11 // 10 // MIB + 4


def headless_ingest(server: SendfileServer, sha256: str, warm_mib: int = 0) -> float:
    """The same app in this process with Textual headless: all of it but the terminal.

    Timed like the terminal run: accept to the UI having taken in the whole capture after
    the connection closed (checked every 10 ms, within the deadline).
    """
    warm_memory(warm_mib)
    return asyncio.run(_headless_ingest(server, sha256))


async def _headless_ingest(server: SendfileServer, sha256: str) -> float:
    gc.collect()  # what earlier runs' apps left in this process is not this app's to walk
    app = make_app(Target("127.0.0.1", server.port), group="stream")
    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        deadline = time.monotonic() + _deadline(server.nbytes)
        view = current_log(app).text_view
        while not (
            current_view(app).session is not None
            and current_view(app).session.state is SessionState.CLOSED
            and view.units.total_bytes == current_capture(app).total_bytes
            and not view.layout_rows.pending
        ):
            if time.monotonic() > deadline:
                raise TimeoutError("the headless app did not take in the whole capture")
            await pilot.pause(0.01)
        shown = time.monotonic()
        digest = hashlib.sha256()
        for block in current_capture(app).iter_bytes(4 << 20):
            digest.update(block)
        if not view.following:
            raise AssertionError("the headless views stopped following the tail")
    transfer = server.next_transfer(60)
    if digest.hexdigest() != sha256:
        raise ByteCheckError(f"the headless app's capture has sha256 {digest.hexdigest()}")
    return shown - transfer.accepted


def app_ingest(server: SendfileServer, sha256: str, warm_mib: int = 0) -> AppRun:
    """The app in tmux; with `warm_mib` it warms memory itself just before connecting (its
    start takes longer than this VM keeps freed memory warm)."""
    args = ["--port", str(server.port), "--warm-mib", str(warm_mib)]
    facts = run_driver_in_tmux(args, _deadline(server.nbytes))
    transfer = server.next_transfer(60)
    if facts["received"] != server.nbytes or facts["sha256"] != sha256:
        raise ByteCheckError(
            f"tcptui captured {facts['received']} bytes with sha256 {facts['sha256']}, "
            f"expected {server.nbytes} bytes with {sha256}"
        )
    if not facts["following"]:
        raise AssertionError("the views stopped following the tail during the ingest")
    growth = (facts["peak_kib"] - facts["baseline_kib"]) / 1024
    return AppRun(facts["ui_closed"] - transfer.accepted, transfer.seconds, growth, facts["ui_cpu"])


def tool_ingest(server: SendfileServer, argv: list[str], warm_mib: int = 0) -> Callable[[], float]:
    def run() -> float:
        warm_memory(warm_mib)
        run_tool(
            argv,
            _deadline(server.nbytes),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return server.next_transfer(60).seconds

    return run


def tool_capture(
    server: SendfileServer, argv: list[str], out: Path, warm_mib: int
) -> Callable[[], float]:
    """A tool that keeps what it receives in `out`, removed after each run as the app's spool
    is."""
    measure = tool_ingest(server, argv, warm_mib)

    def run() -> float:
        try:
            return measure()
        finally:
            out.unlink(missing_ok=True)

    return run


def line_memory(line_bytes: int) -> float:
    facts = run_driver_in_tmux(["--mode", "line", "--line-bytes", str(line_bytes)], 120)
    if facts["received"] != line_bytes:
        raise ByteCheckError(f"the line chunk holds {facts['received']} bytes, not {line_bytes}")
    return float((facts["peak_kib"] - facts["baseline_kib"]) / 1024)


def run(settings: Settings, log: Callable[[str], None]) -> list[Row]:
    big = make_payload(settings.workdir, settings.ingest_bytes)
    log(f"ingest: {size_text(big.size)}, {settings.ingest_repetitions} alternating rounds")
    kept = settings.workdir / "socat-capture.bin"
    warm = warming_for(big.size)
    with SendfileServer(big.path, big.size) as server:
        port = str(server.port)
        socat_argv = ["socat", "-u", f"TCP:127.0.0.1:{port}"]
        results = alternate(
            {
                # Every contender but the cold app run first finds the memory it will take warm
                # (common.warm_memory). The cold run comes after socat, which takes none: how
                # cold it is still depends on how long ago the app before socat ended.
                "tcptui": lambda: app_ingest(server, big.sha256, warm),
                "socat": tool_ingest(server, [*socat_argv, "/dev/null"], warm),
                "tcptui-cold": lambda: app_ingest(server, big.sha256),
                "headless": lambda: headless_ingest(server, big.sha256, warm),
                "nc": tool_ingest(server, ["nc", "127.0.0.1", port], warm),
                "socat-file": tool_capture(server, [*socat_argv, f"CREATE:{kept}"], kept, warm),
            },
            settings.ingest_repetitions,
        )
    app_runs: list[AppRun] = results["tcptui"]  # type: ignore[assignment]
    app_ui = median([r.ui_seconds for r in app_runs])
    app_io = median([r.io_seconds for r in app_runs])
    app_ui_cpu = median([r.ui_cpu for r in app_runs])
    cold_runs: list[AppRun] = results["tcptui-cold"]  # type: ignore[assignment]
    app_cold = median([r.ui_seconds for r in cold_runs])
    headless = median(results["headless"])  # type: ignore[arg-type]
    socat = median(results["socat"])  # type: ignore[arg-type]
    nc = median(results["nc"])  # type: ignore[arg-type]
    socat_file = median(results["socat-file"])  # type: ignore[arg-type]
    size = size_text(big.size)
    rows = [
        Row(
            f"1. Ingest {size} to EOF, UI live (vs `socat -u … /dev/null`; memory warmed "
            "before every contender's run)",
            f"{app_ui:.2f} s",
            f"{socat:.2f} s",
            f"{app_ui / socat:.2f}",
            "≤ 1.0",
            app_ui / socat <= 1.0,
            [
                f"tcptui I/O thread alone (socket closed after EOF): {app_io:.2f} s = "
                f"{app_io / socat:.2f}× socat, {app_io / nc:.2f}× nc; the UI then needs "
                f"{app_ui - app_io:.2f} s more to show the end",
                f"tcptui UI thread CPU from connecting to showing the end: {app_ui_cpu:.2f} s "
                "(it holds the GIL the I/O thread needs between reads)",
                "warmed: each contender first writes and deletes "
                f"{size_text(warm * MIB)} (this VM charges 1-3 s per GiB of memory it has "
                "taken back; see the cold row)",
            ],
        ),
        Row(
            f"1. Ingest {size} to EOF, UI live (vs `nc … > /dev/null`)",
            f"{app_ui:.2f} s",
            f"{nc:.2f} s",
            f"{app_ui / nc:.2f}",
            "≤ 2.0",
            app_ui / nc <= 2.0,
        ),
        Row(
            f"1. Ingest {size} to EOF, UI live (vs `socat -u … CREATE:file`: socat keeping "
            "the bytes, as tcptui does in its spool file)",
            f"{app_ui:.2f} s",
            f"{socat_file:.2f} s",
            f"{app_ui / socat_file:.2f}",
            "—",
            None,
        ),
        Row(
            f"1. Ingest {size} to EOF, UI live, memory not warmed: the VM's cost of taking "
            "memory back included (vs `socat`)",
            f"{app_cold:.2f} s",
            f"{socat:.2f} s",
            f"{app_cold / socat:.2f}",
            "—",
            None,
        ),
        Row(
            f"1. Ingest {size} to EOF, UI live but headless: no terminal (vs `socat`)",
            f"{headless:.2f} s",
            f"{socat:.2f} s",
            f"{headless / socat:.2f}",
            "—",
            None,
        ),
    ]
    app_rate = big.size / app_ui
    rows += display_tool_rows(settings, app_rate, log)

    small = make_payload(settings.workdir, settings.ingest_small_bytes, seed=2)
    log(f"memory: {size_text(small.size)} ingest and a {size_text(settings.line_bytes)} line")
    with SendfileServer(small.path, small.size) as server:
        small_runs = [app_ingest(server, small.sha256) for _ in range(settings.repetitions)]
    big_growth = max(r.growth_mib for r in app_runs)
    small_growth = max(r.growth_mib for r in small_runs)
    line_growth = max(line_memory(settings.line_bytes) for _ in range(settings.repetitions))
    rows += [
        Row(
            f"3. Peak RSS growth, {size} ingest (reference: {size_text(small.size)} ingest)",
            f"{big_growth:.1f} MiB",
            f"{small_growth:.1f} MiB",
            f"{big_growth / max(small_growth, 0.1):.2f}",
            f"≤ {MEMORY_TARGET_MIB} MiB, flat",
            big_growth <= MEMORY_TARGET_MIB,
        ),
        Row(
            f"3. Peak RSS growth, one {size_text(settings.line_bytes)} line on screen",
            f"{line_growth:.1f} MiB",
            "—",
            "—",
            f"≤ {MEMORY_TARGET_MIB} MiB",
            line_growth <= MEMORY_TARGET_MIB,
        ),
    ]
    return rows


def display_tool_rows(settings: Settings, app_rate: float, log: Callable[[str], None]) -> list[Row]:
    """socat -x -v and ncat --hex-dump format every byte as they go: far slower, so they get
    smaller payloads; the comparison is of throughput (the app's own at the full size)."""
    rows = []
    for name, nbytes, make_argv, target in (
        (
            "`socat -x -v` (dump to a file)",
            settings.socat_dump_bytes,
            lambda port, out: [
                "sh",
                "-c",
                f"socat -x -v -u TCP:127.0.0.1:{port} /dev/null 2>{out}",
            ],
            5.0,
        ),
        (
            "`ncat --hex-dump FILE`",
            settings.display_tool_bytes,
            lambda port, out: ["ncat", "--recv-only", "--hex-dump", out, "127.0.0.1", port],
            5.0,
        ),
    ):
        payload = make_payload(settings.workdir, nbytes, seed=3)
        out = settings.workdir / "display-tool.out"
        log(f"ingest: {name} on {size_text(nbytes)}")
        seconds = []
        with SendfileServer(payload.path, payload.size) as server:
            for _ in range(settings.display_repetitions):
                seconds.append(tool_ingest(server, make_argv(str(server.port), str(out)))())
                out.unlink(missing_ok=True)
        tool_rate = nbytes / median(seconds)
        speedup = app_rate / tool_rate
        rows.append(
            Row(
                f"1. Ingest throughput vs {name} ({size_text(nbytes)})",
                f"{app_rate / MIB:.0f} MiB/s",
                f"{tool_rate / MIB:.1f} MiB/s",
                f"{speedup:.1f}× faster",
                f"≥ {target:g}× faster",
                speedup >= target,
            )
        )
    return rows
