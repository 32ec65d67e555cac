"""Settings from config.toml reach the app: views, syntax, copy format, keys and timestamps."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcptui.capture.store import Capture, Direction
from tcptui.cli import parse_args
from tcptui.codec.composer_syntax import Syntax
from tcptui.codec.formats import CopyFormat
from tcptui.ui.app import TcpTuiApp
from tests.helpers.app_parts import (
    current_composer,
    current_log,
    current_panel,
    current_view,
)
from tests.ui.helpers import all_rows

START_NS = 1_700_000_000_123_000_000  # 22:13:20.123 UTC


def app_with(tmp_path: Path, config: str) -> TcpTuiApp:
    path = tmp_path / "config.toml"
    path.write_text(config)
    ticks = iter(range(0, 10**12, 2_500_000_000))

    def clock() -> tuple[int, int]:
        tick = next(ticks)
        return tick, START_NS + tick

    capture = Capture(clock=clock)
    app = TcpTuiApp(parse_args(["--config", str(path), "--group", "chunk"]), capture=capture)
    app.animation_level = "none"
    capture.append(Direction.RECEIVED, b"first\n")
    capture.append(Direction.RECEIVED, b"second\n")
    return app


@pytest.mark.parametrize(
    ("mode", "first", "second"),
    [("utc", "22:13:20.123Z", "22:13:22.623Z"), ("relative", "t+0.000000s", "t+2.500000s")],
)
async def test_timestamps_setting_decides_the_header_clock(
    tmp_path: Path, mode: str, first: str, second: str
) -> None:
    app = app_with(tmp_path, f'timestamps = "{mode}"\n')
    async with app.run_test(size=(150, 44)) as pilot:
        current_log(app).refresh_data()
        await pilot.pause()
        headers = [row for row in all_rows(current_log(app).hex_view) if "received" in row]
        assert first in headers[0] and second in headers[1]


async def test_view_syntax_copy_format_and_keymap_come_from_the_settings(tmp_path: Path) -> None:
    config = (
        'view = "hex"\nsyntax = "hex"\ncopy_format = "base64"\n'
        '[keymap]\n"session.connect" = "f12"\n'
    )
    app = app_with(tmp_path, config)
    async with app.run_test(size=(150, 44)) as pilot:
        await pilot.pause()
        assert current_log(app).view_layout == "hex"
        assert not current_log(app).text_view.display
        assert current_composer(app).syntax is Syntax.HEX
        assert current_view(app).captured.copy_format is CopyFormat.BASE64
        current_panel(app).query_one("#port").value = "0"  # type: ignore[attr-defined]
        current_panel(app).query_one("#host").value = "127.0.0.1"  # type: ignore[attr-defined]
        await pilot.press("f12")
        assert "out of range" in str(current_panel(app).query_one("#form-error").render())
