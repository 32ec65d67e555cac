"""Figure 4: the cost of one full 200x60 frame after a random jump, 1 MiB vs a big capture.

The app runs headless with the capture preloaded in 256 KiB chunks (the I/O thread's reads
range from a few KiB to 2 MiB, as fast as the network delivers). For each layout (dual, text,
hex) it jumps to a random byte of a random chunk, then times exactly what Textual does for a
frame: `screen._on_timer_update()` (layout, the visible rows of every dirty widget through
`render_line`, the compositor update), plus a full-screen compositor render. The reference is
the same on a 1 MiB capture: the cost must not grow with the size of the capture. The big
capture is also shown grouped by line (a block per line: over a hundred thousand blocks of
random bytes), whose frames must cost what the chunk grouping's do.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

from tcptui.capture.store import Capture, Direction
from tcptui.ui.receive_log import Layout
from tests.helpers.app_parts import current_log
from tests.ui.helpers import make_app

from .common import Payload, Row, Settings, make_payload, median, percentile, size_text

CHUNK = 256 * 1024
LAYOUTS: tuple[Layout, ...] = ("dual", "text", "hex")
MEDIAN_TARGET_MS = 16.0


def load_capture(payload: Payload) -> Capture:
    capture = Capture()
    with open(payload.path, "rb") as source:
        while block := source.read(CHUNK):
            capture.append(Direction.RECEIVED, block)
    return capture


async def frame_times(
    capture: Capture, jumps: int, seed: int, group: str = "chunk"
) -> dict[str, list[float]]:
    app = make_app(capture=capture, group=group)
    times: dict[str, list[float]] = {}
    async with app.run_test(size=(200, 60)) as pilot:
        while current_log(app).refresh_data(catch_up=False):  # grouped and measured, all of it
            await pilot.pause(0)
        await pilot.pause()
        screen = app.screen
        for layout in LAYOUTS:
            current_log(app).set_layout(layout)
            await pilot.pause()
            views = current_log(app).visible_views()
            rng = random.Random(seed)
            samples = times.setdefault(layout, [])
            for _ in range(jumps):
                units = views[0].units
                unit = rng.randrange(len(units))
                offset = rng.randrange(max(1, units.unit(unit).length))
                for view in views:
                    view.scroll_to_byte(unit, offset)
                started = time.perf_counter()
                screen._on_timer_update()
                screen._compositor.render_update(full=True)
                samples.append(time.perf_counter() - started)
                await pilot.pause(0)  # let posted messages through; the next jump re-renders
    return times


def run(settings: Settings, log: Callable[[str], None]) -> list[Row]:
    results: dict[int, dict[str, list[float]]] = {}
    for size in (settings.frame_small_bytes, settings.frame_big_bytes):
        payload = make_payload(settings.workdir, size)
        log(f"frames: loading a {size_text(size)} capture")
        capture = load_capture(payload)
        try:
            log(f"frames: {settings.frame_jumps} random jumps per layout")
            results[size] = asyncio.run(frame_times(capture, settings.frame_jumps, seed=size))
        finally:
            capture.close()
    payload = make_payload(settings.workdir, settings.frame_big_bytes)
    capture = load_capture(payload)  # the app closed the one it showed
    try:
        log("frames: the same, grouped by line")
        by_line = asyncio.run(frame_times(capture, settings.frame_jumps, seed=1, group="line"))
    finally:
        capture.close()
    small, big = results[settings.frame_small_bytes], results[settings.frame_big_bytes]
    rows = []
    for layout in LAYOUTS:
        big_median = median(big[layout]) * 1000
        small_median = median(small[layout]) * 1000
        rows.append(
            Row(
                f"4. Full 200×60 frame after a random jump, {layout} view, "
                f"{size_text(settings.frame_big_bytes)} capture (reference: 1 MiB)",
                f"{big_median:.1f} ms",
                f"{small_median:.1f} ms",
                f"{big_median / small_median:.2f}",
                f"median ≤ {MEDIAN_TARGET_MS:g} ms",
                big_median <= MEDIAN_TARGET_MS,
                [
                    f"{layout} p95: {percentile(big[layout], 0.95) * 1000:.1f} ms at "
                    f"{size_text(settings.frame_big_bytes)}, "
                    f"{percentile(small[layout], 0.95) * 1000:.1f} ms at 1 MiB"
                ],
            )
        )
    for layout in LAYOUTS:
        line_median = median(by_line[layout]) * 1000
        chunk_median = median(big[layout]) * 1000
        rows.append(
            Row(
                f"4. Full 200×60 frame after a random jump, {layout} view, "
                f"{size_text(settings.frame_big_bytes)} capture grouped by line "
                "(reference: by chunk)",
                f"{line_median:.1f} ms",
                f"{chunk_median:.1f} ms",
                f"{line_median / chunk_median:.2f}",
                f"median ≤ {MEDIAN_TARGET_MS:g} ms",
                line_median <= MEDIAN_TARGET_MS,
                [f"{layout} by line p95: {percentile(by_line[layout], 0.95) * 1000:.1f} ms"],
            )
        )
    return rows
