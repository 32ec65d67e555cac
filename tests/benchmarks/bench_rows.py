"""Figure 10: what compact rows and squeezed hex rows cost: a frame, and counting the rows.

Frames are timed as figure 4 times them (a random jump, then exactly what Textual does for a
frame) on the same capture of 256 KiB chunks, with each option on and off in the same process:
compact rows in the dual view; squeezed hex rows in the hex view, over random bytes (nothing to
squeeze: the scan's cost alone) and over a capture of zeros with a few random rows (nearly
everything squeezed). The time is the process's CPU time, which a machine shared by other
work disturbs less than the wall clock.

Counting squeezed rows reads every byte once (codec.hex_squeeze): its rate is measured by
measuring a hex layout of the whole capture, as the hex view does in budgeted slices.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

from tcptui.capture.store import Capture, Direction
from tcptui.ui.receive_log import Layout
from tcptui.ui.transcript_rows import HexPainter
from tests.helpers.app_parts import current_log
from tests.helpers.units import chunk_reader
from tests.ui.helpers import make_app

from .bench_frame import CHUNK, load_capture
from .common import MIB, Row, Settings, make_payload, median, size_text

FRAME_RATIO_TARGET = 1.3
"""An option may cost at most this much more per frame than the rows without it."""
Choice = tuple[bool, bool]
"""Compact rows, squeezed hex rows."""
SCAN_TARGET_MIB_S = 200.0
"""Squeezed rows of random bytes counted at least this fast: a 1 GiB capture in 5 s of
background slices (its hex rows are shown as they are counted)."""


def sparse_capture(size: int, seed: int) -> Capture:
    """Zeros with a random 16-byte row every 64 KiB: nearly every row squeezed."""
    rng = random.Random(seed)
    capture = Capture()
    for _ in range(size // CHUNK):
        block = bytearray(CHUNK)
        for at in range(0, CHUNK, 64 * 1024):
            block[at : at + 16] = rng.randbytes(16)
        capture.append(Direction.RECEIVED, bytes(block))
    return capture


async def frame_cpu_times(
    capture: Capture, layout: Layout, compact: bool, squeeze: bool, jumps: int, seed: int
) -> list[float]:
    app = make_app(capture=capture)
    async with app.run_test(size=(200, 60)) as pilot:
        log = current_log(app)
        log.set_layout(layout)
        log.set_row_options(compact, squeeze)
        log.refresh_data()
        await pilot.pause()
        views = log.visible_views()
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and (
            not log.units.up_to_date
            or any(view.layout_rows.pending or view.border_subtitle for view in views)
        ):
            log.refresh_data()  # every unit indexed and measured: jumps measure nothing
            await pilot.pause()
        screen = app.screen
        rng = random.Random(seed)
        samples = []
        units = log.units
        for _ in range(jumps):
            unit = rng.randrange(len(units))
            offset = rng.randrange(max(1, units.unit(unit).length))
            for view in views:
                view.scroll_to_byte(unit, offset)
            started = time.process_time()
            screen._on_timer_update()
            screen._compositor.render_update(full=True)
            samples.append(time.process_time() - started)
            await pilot.pause(0)
    return samples


def scan_rate(capture: Capture) -> float:
    """MiB/s of counting the squeezed hex rows of the whole capture (process CPU time)."""
    painter = HexPainter(chunk_reader(capture), squeeze=True)
    layout = painter.layout()
    started = time.process_time()
    layout.update()
    return capture.total_bytes / MIB / max(1e-9, time.process_time() - started)


def run(settings: Settings, log: Callable[[str], None]) -> list[Row]:
    size = settings.frame_big_bytes // 4 if not settings.quick else settings.frame_big_bytes
    jumps = settings.frame_jumps
    payload = make_payload(settings.workdir, size)
    log(f"rows: a {size_text(size)} capture of random bytes, and one of zeros")

    def random_bytes() -> Capture:
        return load_capture(payload)

    def zeros() -> Capture:
        return sparse_capture(size, seed=size)

    cases: list[tuple[str, Callable[[], Capture], Layout, Choice, Choice]] = [
        ("dual view, compact rows", random_bytes, "dual", (True, True), (False, True)),
        ("hex view, squeezed, random", random_bytes, "hex", (False, True), (False, False)),
        ("hex view, squeezed, zeros", zeros, "hex", (False, True), (False, False)),
    ]
    rows = []
    for name, make_capture, layout, option, reference in cases:
        log(f"rows: {jumps} random jumps, {name}, on and off")
        timed = {}
        for choice in (option, reference):
            capture = make_capture()  # the app closes the capture of the tab it closes
            samples = asyncio.run(frame_cpu_times(capture, layout, *choice, jumps, seed=size))
            timed[choice] = median(samples) * 1000
        ratio = timed[option] / max(1e-9, timed[reference])
        rows.append(
            Row(
                f"10. Full 200×60 frame after a random jump, {name}, {size_text(size)} "
                "(reference: the option off)",
                f"{timed[option]:.1f} ms",
                f"{timed[reference]:.1f} ms",
                f"{ratio:.2f}",
                f"≤ {FRAME_RATIO_TARGET:g}×",
                ratio <= FRAME_RATIO_TARGET,
                [] if rows else ["frames in process CPU time (a shared machine disturbs it less)"],
            )
        )
    log("rows: counting squeezed rows of the whole capture")
    rates = []
    for make_capture in (random_bytes, zeros):
        capture = make_capture()
        try:
            rates.append(scan_rate(capture))
        finally:
            capture.close()
    random_rate, zeros_rate = rates
    rows.append(
        Row(
            f"10. Squeezed hex rows counted, {size_text(size)} of random bytes "
            "(reference: zeros with a random row every 64 KiB)",
            f"{random_rate:,.0f} MiB/s",
            f"{zeros_rate:,.0f} MiB/s",
            f"{random_rate / max(1e-9, zeros_rate):.2f}",
            f"≥ {SCAN_TARGET_MIB_S:g} MiB/s",
            random_rate >= SCAN_TARGET_MIB_S,
            [f"a 1 GiB capture of random bytes: about {1024 / random_rate:.1f} s of slices"],
        )
    )
    return rows
