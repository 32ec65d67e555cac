"""Received bytes are hostile: nothing a server sends may reach the terminal as a control."""

from __future__ import annotations

from tcptui.capture.store import Direction
from tcptui.net.session import SessionState
from tests.helpers import PayloadServer, stream_bytes
from tests.helpers.app_parts import current_capture, current_log, current_view
from tests.ui.helpers import all_rows, make_app, rendered_rows, wait_for

HOSTILE = (
    b"\x1b[2J\x1b[H"  # CSI: clear the screen, cursor home
    b"\x1b]0;pwned title\x07"  # OSC 0: set the window title, BEL-terminated
    b"\x1b]52;c;aGVsbG8=\x1b\\"  # OSC 52: write the clipboard
    b"\x1bP1$r\x1b\\"  # DCS
    b"\x1b[?1049h"  # alternate screen
    b"\x07\x00\x7f\x9b\x85"  # BEL NUL DEL and raw C1 bytes (invalid UTF-8)
    b"\xc2\x9b31m"  # C1 CSI as a valid UTF-8 code point
    b"\xe2\x80\xae reversed \xe2\x80\x8b"  # RTL override, zero-width space
    b"[bold red]markup[/] $var {} [link=http://x]click[/link]\r\n"
)


def assert_rows_printable(rows: list[str]) -> None:
    for row in rows:
        assert all(ch.isprintable() for ch in row), f"unprintable character in {row!r}"


async def test_hostile_server_bytes_render_as_visible_printable_text() -> None:
    with PayloadServer(HOSTILE) as server:
        app = make_app(server.target)
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_for(
                pilot,
                lambda: (
                    current_view(app).session is not None
                    and current_view(app).session.state is SessionState.CLOSED
                ),
                "the payload and the close",
            )
            assert stream_bytes(current_capture(app), Direction.RECEIVED) == HOSTILE
            text_view, hex_view = current_log(app).text_view, current_log(app).hex_view
            for view in (text_view, hex_view):
                rows = all_rows(view) + rendered_rows(view)
                assert_rows_printable(rows)
            text = "".join(row.removeprefix("│ ") for row in all_rows(text_view))
            assert "␛[2J" in text
            assert "␛]52;c;aGVsbG8=" in text
            assert "␇" in text and "␀" in text and "␡" in text
            assert "\\x9b" in text and "\\u{009B}" in text
            assert "\\u{202E}" in text and "\\u{200B}" in text
            assert "[bold red]markup[/] $var {} [link=http://x]click[/link]\\r\\n" in text
            hex_text = "".join(all_rows(hex_view))
            assert "1b 5b 32 4a" in hex_text
