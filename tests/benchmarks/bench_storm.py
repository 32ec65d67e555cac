"""Figures 2 and 4 under a storm of one-byte reads (issue 26: keys stay fast, RSS flat).

- Live: a server in another process sends one byte per segment, 2,000 a second (a telnet-style
  echo, a slow device); keys are pressed in the composer as figure 2 presses them, the log
  grouped by stream (the default). Reference: the same app, idle. The RSS growth of this
  process over the storm is noted: the capture's index grows by a few bytes a read, nothing
  else may. The same again with the storm growing a block of nearly 1 MiB (sent at once
  first): the last block is measured again at each take, and that must not cost its size.
- Captured: 1,000,000 one-byte chunks appended to a capture, paged as figure 4 pages (a full
  200x60 frame after a random jump), grouped by stream. Reference: the same bytes in 256 KiB
  chunks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tcptui.capture.message_index import MAX_BLOCK
from tcptui.capture.store import Capture, Direction
from tcptui.net.target import Target

from .bench_flood import P99_TARGET_MS, Responsiveness, measure
from .bench_frame import LAYOUTS, MEDIAN_TARGET_MS, frame_times
from .common import MIB, Row, Settings, median, percentile
from .storm_server import StormServer, storm_text

STORM_RATE = 2000.0
STORM_READS = 30_000
GROWN_HEAD = MAX_BLOCK - 64 * 1024
"""Bytes of one block before the storm grows it: the storm's reads stay in that block."""
CAPTURED_READS = 1_000_000


async def storm_measure(settings: Settings, head: int = 0) -> Responsiveness:
    """The keys under a storm long enough to outlast them; with `head`, into a block that
    many bytes big already (each take measures the growing last block again)."""
    reads = max(STORM_READS, int(STORM_RATE * settings.flood_budget))
    with StormServer(reads, STORM_RATE, head) as storm:
        target = Target("127.0.0.1", storm.port)
        return await measure(
            target, settings.flood_samples, settings.flood_budget, head + 100, taken_in=True
        )


def one_byte_capture(count: int) -> Capture:
    capture = Capture()
    for byte in storm_text(count):
        capture.append(Direction.RECEIVED, bytes([byte]))
    return capture


def big_chunk_capture(count: int) -> Capture:
    capture = Capture()
    text = storm_text(count)
    for start in range(0, len(text), 256 * 1024):
        capture.append(Direction.RECEIVED, text[start : start + 256 * 1024])
    return capture


def paged(capture: Capture, jumps: int) -> dict[str, list[float]]:
    try:
        return asyncio.run(frame_times(capture, jumps, 1, "stream"))
    finally:
        capture.close()


def storm_row(which: str, storm: Responsiveness, idle: Responsiveness, settings: Settings) -> Row:
    storm_p99 = percentile(storm.latencies, 0.99) * 1000
    idle_p99 = percentile(idle.latencies, 0.99) * 1000
    return Row(
        f"2. Key press → updated frame p99, under a storm of one-byte reads "
        f"({STORM_RATE:,.0f} a second, grouped by stream{which}; server in another process) "
        "(reference: idle app)",
        f"{storm_p99:.1f} ms",
        f"{idle_p99:.1f} ms",
        f"{storm_p99 / idle_p99:.1f}",
        f"≤ {P99_TARGET_MS:g} ms",
        storm_p99 <= P99_TARGET_MS and not storm.unanswered,
        [
            f"storm{which}: key → frame median {median(storm.latencies) * 1000:.1f} ms "
            f"(idle {median(idle.latencies) * 1000:.1f} ms), worst stall "
            f"{storm.worst_stall * 1000:.1f} ms; keys answered "
            f"{len(storm.latencies) - storm.unanswered}/{settings.flood_samples} "
            f"during {storm.reads:,} reads, which grew the RSS by "
            f"{storm.rss_growth_kib / 1024:.1f} MiB"
        ],
    )


def run(settings: Settings, log: Callable[[str], None]) -> list[Row]:
    log(f"storm: {settings.flood_samples} key presses under {STORM_RATE:,.0f} one-byte reads/s")
    storm = asyncio.run(storm_measure(settings))
    grown = asyncio.run(storm_measure(settings, GROWN_HEAD))
    idle = asyncio.run(measure(None, settings.flood_samples, settings.flood_budget))
    log(f"storm: paging {CAPTURED_READS:,} one-byte chunks grouped by stream")
    jumps = settings.frame_jumps
    tiny = paged(one_byte_capture(CAPTURED_READS), jumps)
    whole = paged(big_chunk_capture(CAPTURED_READS), jumps)
    rows = [
        storm_row("", storm, idle, settings),
        storm_row(f", into a block of {GROWN_HEAD / MIB:.2f} MiB already", grown, idle, settings),
    ]
    for layout in LAYOUTS:
        tiny_median = median(tiny[layout]) * 1000
        whole_median = median(whole[layout]) * 1000
        rows.append(
            Row(
                f"4. Full 200×60 frame after a random jump, {layout} view, "
                f"{CAPTURED_READS:,} one-byte chunks grouped by stream "
                f"(reference: the same {CAPTURED_READS / MIB:.2f} MiB in 256 KiB chunks)",
                f"{tiny_median:.1f} ms",
                f"{whole_median:.1f} ms",
                f"{tiny_median / whole_median:.2f}",
                f"median ≤ {MEDIAN_TARGET_MS:g} ms",
                tiny_median <= MEDIAN_TARGET_MS,
                [
                    f"{CAPTURED_READS:,} one-byte chunks, {layout} p95: "
                    f"{percentile(tiny[layout], 0.95) * 1000:.1f} ms"
                ],
            )
        )
    return rows
