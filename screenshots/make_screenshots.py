"""Re-make the README's screenshots: the real app talking to its built-in demo server.

Run from the repository root:  python screenshots/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from tcptui.capture.store import Direction
from tcptui.cli import parse_args
from tcptui.net.session import SessionState
from tcptui.ui.app import TcpTuiApp

HERE = Path(__file__).parent
SIZE = (150, 44)
DEADLINE = 10.0


async def until(pilot: Pilot[int], predicate: object, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        await pilot.pause()
        await asyncio.sleep(0.02)


async def type_line(pilot: Pilot[int], app: TcpTuiApp, text: str) -> None:
    before = app.capture.stream_bytes(Direction.RECEIVED)
    await pilot.press(*text, "enter")
    await until(pilot, lambda: app.capture.stream_bytes(Direction.RECEIVED) > before, text)


async def shoot(name: str, keys: list[str], size: tuple[int, int] = SIZE) -> None:
    app = TcpTuiApp(parse_args(["--demo"]))
    async with app.run_test(size=size) as pilot:
        for widget in app.query(Input):
            widget.cursor_blink = False
        await until(
            pilot,
            lambda: (
                app.session is not None
                and app.session.state is SessionState.OPEN
                and app.capture.total_bytes > 0
            ),
            "the demo banner",
        )
        for line in ("hello, server", "utf8", "binary", "hostile"):
            await type_line(pilot, app, line)
        await pilot.press(*keys)
        await pilot.pause()
        app.receive_log.refresh_data()
        await pilot.pause()
        path = app.save_screenshot(str(HERE / f"{name}.svg"))
        print(f"wrote {path}")


async def main() -> None:
    await shoot("demo", [])
    await shoot("text-view", ["f5"])
    await shoot("hex-view", ["f5", "f5"])
    await shoot("terminal-80x24", [], size=(80, 24))


if __name__ == "__main__":
    asyncio.run(main())
