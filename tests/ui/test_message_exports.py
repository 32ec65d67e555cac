"""Exports by message from a live connection: ctrl+s, JSON lines, a real server on loopback."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from textual.widgets import Input, Select

from tcptui.net.session import SessionState
from tcptui.ui.save_screen import JSON_LINES, SaveScreen
from tests.helpers import PayloadServer
from tests.helpers.app_parts import current_capture, current_view
from tests.ui.helpers import make_app, wait_for

SIZE = (150, 44)


async def test_a_live_connection_exports_its_events_and_messages_as_json_lines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "visit.jsonl"
    with PayloadServer(b"hello\nworld\n") as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            view = current_view(app)
            await wait_for(
                pilot,
                lambda: view.session is not None and view.session.state is SessionState.CLOSED,
                "the server to send and close",
            )
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, SaveScreen), "the save dialog")
            app.screen.query_one("#save-format", Select).value = JSON_LINES
            await pilot.pause()
            app.screen.query_one("#save-path", Input).value = str(path)
            await pilot.press("enter")
            await wait_for(pilot, lambda: not isinstance(app.screen, SaveScreen), "the export")
            total = current_capture(app).total_bytes

    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0]["event"] == "connected"
    assert lines[-1]["event"] in ("closed", "eof-received", "reset")
    messages = [line for line in lines if "index" in line]
    data = b"".join(base64.b64decode(message["data"]) for message in messages)
    assert data == b"hello\nworld\n" and total == len(data)
    assert all(message["direction"] == "received" for message in messages)
    assert [m["index"] for m in messages] == list(range(1, len(messages) + 1))
