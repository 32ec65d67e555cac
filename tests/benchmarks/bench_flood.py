"""Figure 2: is the app still responsive while a flood pours in?

The app runs headless (`run_test`, 200x60) in this process, connected to a server that keeps
sending until it has sent `flood_bytes` (bounded so the suite is; the app digests it for a
while after the I/O thread has it all). Two things are measured on its event loop:

- the worst stall: a task asks to wake every 5 ms and records how late it woke;
- key to frame: the time from pressing a key in the composer to the first frame rendered after
  the key took effect (a hook on the app's display step), typing `a` and backspace in turn.
  Keys are posted to the app as its terminal driver posts them: Pilot's `press` also waits
  for the whole process to go idle (up to two seconds a key), which it never does while bytes
  pour in, so pressing through Pilot would sample a few keys and time out on the last.

The reference is the same app, idle (not connected). Sampling stops at a time budget: a key
still unanswered then counts with the time it had waited, and the row fails.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual import events

from tcptui.capture.store import Direction
from tcptui.cli import tune_process
from tcptui.net.target import Target
from tests.helpers.app_parts import current_capture, current_composer, current_log, current_view
from tests.ui.helpers import make_app

from .common import (
    MIB,
    Row,
    SendfileServer,
    Settings,
    make_payload,
    median,
    percentile,
    size_text,
)

TICK = 0.005
TYPING_GAP = 0.05
"""Seconds from a key's frame to the next key: a fast typist's pace (Pilot's `press` waited
at least 40 ms between keys)."""
P99_TARGET_MS = 50.0
STALL_TARGET_MS = 100.0


@dataclass
class Responsiveness:
    latencies: list[float] = field(default_factory=list)
    worst_stall: float = 0.0
    flood_bytes: int = 0
    unanswered: int = 0
    reads: int = 0
    """Reads the connection took while the keys were pressed."""
    rss_growth_kib: int = 0
    """How much this process's RSS grew while the keys were pressed."""


@dataclass
class _KeyProbe:
    expected: str = ""
    started: float = 0.0
    seen: asyncio.Event | None = None


async def measure(
    target: Target | None, samples: int, budget: float, begun: int = MIB, taken_in: bool = False
) -> Responsiveness:
    """Keys pressed one at a time, each TYPING_GAP after the last one's frame, until
    `samples` were timed or the `budget` ran out, from when `begun` bytes arrived (with
    `taken_in`, from when the log has taken them in: the RSS growth counts from then)."""
    tune_process()  # as `tcptui` does in cli.main: the GIL's switch interval, malloc's mmap
    gc.collect()  # what earlier figures' apps left in this process is not this app's to walk
    app = make_app(target, group="stream")  # the default grouping
    result = Responsiveness()
    async with app.run_test(size=(200, 60)) as pilot:
        if target is not None:
            deadline = time.monotonic() + 30
            while (digested if taken_in else captured)(app) < begun:  # the flood has begun
                if time.monotonic() > deadline:
                    raise TimeoutError("the flood never started")
                await pilot.pause(0.01)
        field_ = current_composer(app).input
        field_.focus()
        await pilot.pause()  # the focus moved: footer, bindings and styles change, then settle
        probe = _KeyProbe()
        display = app._display

        def display_and_note(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is not None and probe.seen is not None and field_.value == probe.expected:
                result.latencies.append(time.perf_counter() - probe.started)
                probe.seen.set()
                probe.seen = None

        app._display = display_and_note  # type: ignore[method-assign]
        stop = asyncio.Event()

        async def watch_stalls() -> None:
            while not stop.is_set():
                asked = time.perf_counter()
                await asyncio.sleep(TICK)
                result.worst_stall = max(result.worst_stall, time.perf_counter() - asked - TICK)

        watcher = asyncio.create_task(watch_stalls())
        bytes_before = digested(app)
        reads_before = reads_taken(app)
        rss_before = rss_kib()
        deadline = time.perf_counter() + budget
        for index in range(samples):
            if time.perf_counter() >= deadline:
                break
            key, character = ("a", "a") if index % 2 == 0 else ("backspace", None)
            probe.expected = field_.value + "a" if character else field_.value[:-1]
            seen = asyncio.Event()
            probe.seen, probe.started = seen, time.perf_counter()
            app.post_message(events.Key(key, character))
            try:
                await asyncio.wait_for(seen.wait(), max(0.001, deadline - time.perf_counter()))
            except TimeoutError:
                result.latencies.append(time.perf_counter() - probe.started)
                result.unanswered += 1
                break
            await asyncio.sleep(TYPING_GAP)
        stop.set()
        await watcher
        result.flood_bytes = digested(app) - bytes_before
        result.reads = reads_taken(app) - reads_before
        result.rss_growth_kib = rss_kib() - rss_before
        if current_view(app).session is not None:
            current_view(app).session.close()
        app._display = display  # type: ignore[method-assign]
    return result


def digested(app: Any) -> int:
    """Bytes of the capture the text view has measured into rows: what the UI has taken in."""
    layout = current_log(app).text_view.layout_rows
    count = layout.measured_units
    return int(layout.units.unit(count - 1).end) if count else 0


def captured(app: Any) -> int:
    return int(current_capture(app).total_bytes)


def reads_taken(app: Any) -> int:
    return current_capture(app).chunk_count(Direction.RECEIVED)


def rss_kib() -> int:
    """This process's resident memory (0 where /proc is missing)."""
    status = Path("/proc/self/status")
    for line in status.read_text().splitlines() if status.exists() else ():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run(settings: Settings, log: Callable[[str], None]) -> list[Row]:
    payload = make_payload(settings.workdir, min(settings.ingest_bytes, 256 * MIB))
    samples, budget = settings.flood_samples, settings.flood_budget
    log(f"flood: {samples} key presses during a {size_text(settings.flood_bytes)} flood, and idle")
    with SendfileServer(payload.path, settings.flood_bytes) as server:
        flood = asyncio.run(measure(Target("127.0.0.1", server.port), samples, budget))
        server.next_transfer(budget + 60)
    idle = asyncio.run(measure(None, samples, budget))
    flood_p99 = percentile(flood.latencies, 0.99) * 1000
    idle_p99 = percentile(idle.latencies, 0.99) * 1000
    rate = flood.flood_bytes / sum(flood.latencies) / MIB if flood.latencies else 0.0
    return [
        Row(
            "2. Key press → updated frame p99, under a flood (reference: idle app)",
            f"{flood_p99:.1f} ms",
            f"{idle_p99:.1f} ms",
            f"{flood_p99 / idle_p99:.1f}",
            f"≤ {P99_TARGET_MS:g} ms",
            flood_p99 <= P99_TARGET_MS and not flood.unanswered,
            [
                f"key → frame median: {median(flood.latencies) * 1000:.1f} ms flooded, "
                f"{median(idle.latencies) * 1000:.1f} ms idle; "
                f"the UI took in {flood.flood_bytes / MIB:.0f} MiB while keys were pressed "
                f"(about {rate:.0f} MiB/s); keys answered within the "
                f"{settings.flood_budget:g} s budget: "
                f"{len(flood.latencies) - flood.unanswered}/{samples}"
            ],
        ),
        Row(
            "2. Worst event-loop stall, under a flood (reference: idle app)",
            f"{flood.worst_stall * 1000:.1f} ms",
            f"{idle.worst_stall * 1000:.1f} ms",
            f"{flood.worst_stall / max(idle.worst_stall, 1e-4):.1f}",
            f"≤ {STALL_TARGET_MS:g} ms",
            flood.worst_stall * 1000 <= STALL_TARGET_MS,
        ),
    ]
