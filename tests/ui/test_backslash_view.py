"""The text view is unambiguous: a backslash byte is shown `\\\\`, so `\\r` is always the CR
byte, in colour, in --ascii mode and wherever colour is lost; rows still fit as painted."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from tcptui.capture.store import Capture, Direction
from tcptui.cli import parse_args
from tcptui.ui.app import TcpTuiApp
from tests.helpers.app_parts import current_log
from tests.ui.helpers import all_rows

BACKSLASH_R = bytes.fromhex("41 5c 72 42 0d")  # A \ r B CR
CR = bytes.fromhex("41 0d 42 0d")  # A CR B CR


@pytest.mark.parametrize("options", [[], ["--ascii"]])
async def test_a_backslash_byte_and_a_cr_byte_look_different(options: list[str]) -> None:
    capture = Capture()
    app = TcpTuiApp(parse_args([*options, "--group", "chunk"]), capture=capture)  # a row a read
    app.animation_level = "none"
    capture.append(Direction.RECEIVED, BACKSLASH_R)
    capture.append(Direction.RECEIVED, CR)
    async with app.run_test(size=(150, 44)) as pilot:
        current_log(app).refresh_data()
        await pilot.pause()
        rows = [row.rstrip() for row in all_rows(current_log(app).text_view)]
        assert any(row.endswith("A\\\\rB\\r") for row in rows), rows
        assert any(row.endswith("A\\rB\\r") for row in rows), rows


async def test_rows_full_of_backslashes_fit_the_view_as_painted() -> None:
    capture = Capture()
    app = TcpTuiApp(parse_args([]), capture=capture)
    app.animation_level = "none"
    capture.append(Direction.RECEIVED, b"\\" * 500 + b"\n" + b"C:\\dir\\" * 60)
    async with app.run_test(size=(80, 30)) as pilot:
        current_log(app).refresh_data()
        await pilot.pause()
        view = current_log(app).text_view
        width = view.scrollable_content_region.width
        rows = [row for row in all_rows(view) if row.startswith("│ ")]  # not chunk headers
        assert "".join(rows).count("\\\\") == 500 + 120
        assert max(cell_len(row) for row in rows) <= width
