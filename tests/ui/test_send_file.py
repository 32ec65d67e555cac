"""Sending a file: its exact bytes arrive, the UI stays usable meanwhile, and it can be stopped."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tcptui.ui.app import TcpTuiApp
from tcptui.ui.prompt_screen import PromptScreen
from tests.helpers import HalfCloseServer, SilentServer, pseudo_random_blocks
from tests.helpers.app_parts import current_capture, current_composer, current_view
from tests.ui.helpers import last_notification, make_app, wait_for, wait_open

SIZE = (150, 44)
MIB = 1 << 20


async def choose_file(app: TcpTuiApp, pilot: object, path: Path) -> None:
    await pilot.press("ctrl+o")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), "the file prompt")  # type: ignore[arg-type]
    app.screen.query_one("#prompt-input").value = str(path)  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]


@pytest.mark.slow
async def test_a_50_mib_file_arrives_intact_while_the_ui_stays_responsive(tmp_path: Path) -> None:
    path = tmp_path / "payload.bin"
    with path.open("wb") as out:
        for block in pseudo_random_blocks(50 * MIB, seed=7):
            out.write(block)
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    with HalfCloseServer(lambda request: hashlib.sha256(request).hexdigest().encode()) as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            await choose_file(app, pilot, path)
            await pilot.press("x", "y")  # the composer takes keys while the file goes out
            assert current_composer(app).input.value == "xy"
            await wait_for(
                pilot,
                lambda: "Sent payload.bin: 50.0 MiB (52,428,800 bytes)" in last_notification(app),
                "the upload",
                timeout=60,
            )
            await pilot.press("ctrl+d")
            await wait_for(
                pilot, lambda: current_capture(app).total_bytes == 50 * MIB + 64, "the digest"
            )
            reply = current_capture(app).read(50 * MIB, 64)
            assert reply.decode() == expected


async def test_sending_a_file_can_be_cancelled(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(32 * MIB))
    with SilentServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            await choose_file(app, pilot, path)
            await wait_for(
                pilot,
                lambda: (
                    current_view(app).sender.upload is not None
                    and current_view(app).sender.upload.read > 0
                ),
                "the upload to start",
            )
            assert current_composer(app).has_class("-uploading")
            await pilot.press("ctrl+o")
            await wait_for(pilot, lambda: current_view(app).sender.upload is None, "the cancel")
            assert "Stopped sending big.bin" in last_notification(app)
            assert not current_composer(app).has_class("-uploading")


async def test_a_missing_file_is_explained_in_the_prompt(tmp_path: Path) -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await choose_file(app, pilot, tmp_path / "nope.bin")
        assert isinstance(app.screen, PromptScreen)
        assert "does not exist" in str(app.screen.query_one("#prompt-error").render())
