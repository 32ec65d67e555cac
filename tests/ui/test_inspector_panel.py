"""The data inspector panel: `i` in the log shows what the bytes at the cursor mean."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from textual.app import SystemCommand
from textual.pilot import Pilot

from tcptui.capture.store import Capture, Direction
from tcptui.cli import parse_args
from tcptui.codec.inspector import PAST_END
from tcptui.ui import inspector_panel
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.help_screen import HelpScreen
from tcptui.ui.inspector_panel import InspectorPanel
from tests.helpers.app_parts import current_capture, current_log
from tests.test_clipboard import read_x_clipboard, x_display
from tests.ui.helpers import last_notification, make_app, wait_for
from tests.ui.test_snapshots import app_with_capture, settle

__all__ = ["x_display"]  # a fixture, used by name

SnapCompare = Callable[..., bool]
SIZE = (120, 40)
DATA = bytes.fromhex("12345678 9abcdef0") + "é\u202e".encode() + b"\x1b]0;owned\x07[bold]x[/]"
RLO_AT = 10
ESC_AT = 13


def app_with(data: bytes = DATA) -> TcpTuiApp:
    capture = Capture()
    app = make_app(None, capture=capture)
    capture.append(Direction.RECEIVED, data)
    return app


async def open_inspector(app: TcpTuiApp, pilot: Pilot[Any]) -> InspectorPanel:
    """Focus the hex view (cursor on the first byte) and press `i`."""
    log = current_log(app)
    log.refresh_data()
    log.hex_view.focus()
    await pilot.pause()
    await pilot.press("i")
    assert log.inspector.display
    return log.inspector


def readings(panel: InspectorPanel) -> dict[str, str]:
    return dict(panel.rows)


def panel_text(panel: InspectorPanel) -> str:
    """What the panel paints on screen."""
    height = panel.scrollable_content_region.height
    return "\n".join(
        "".join(segment.text for segment in panel.render_line(y)) for y in range(height)
    )


async def test_i_shows_the_bytes_at_the_cursor_and_follows_it_without_moving_it() -> None:
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_inspector(app, pilot)
        cursor = current_log(app).marks.cursor
        assert cursor.offset == 0
        assert app.focused is current_log(app).hex_view
        assert readings(panel)["u16 LE"] == "13330  0x3412"
        assert "305419896  0x12345678" in panel_text(panel)
        await pilot.press("right")
        assert cursor.offset == 1
        assert readings(panel)["u16 BE"] == "13398  0x3456"
        assert readings(panel)["u32 BE"] == "878082202  0x3456789a"
        await pilot.press("i")
        assert not panel.display
        assert cursor.offset == 1


async def test_keys_in_the_panel_never_move_the_log_cursor_or_scroll_the_log() -> None:
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_inspector(app, pilot)
        await pilot.press("right", "right")
        hex_view = current_log(app).hex_view
        scrolled = hex_view.scroll_offset
        await pilot.press("tab")
        assert app.focused is panel
        await pilot.press("down", "down", "m", "end", "up", "pageup", "home", "m")
        assert current_log(app).marks.cursor.offset == 2
        assert hex_view.scroll_offset == scrolled
        await pilot.press("escape")
        assert app.focused is hex_view and panel.display
        await pilot.press("tab", "i")
        assert app.focused is hex_view and not panel.display
        assert current_log(app).marks.cursor.offset == 2


async def test_m_shows_every_reading_and_again_the_short_set() -> None:
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_inspector(app, pilot)
        short = len(panel.rows)
        panel.focus()
        await pilot.press("m")
        labels = list(readings(panel))
        for label in ("u8", "i64 BE", "f16 LE", "f64 BE", "zigzag", "time64 LE µs", "IPv6"):
            assert label in labels
        for label in ("MAC", "UTF-16 BE", "bits"):
            assert label in labels
        assert readings(panel)["f32 BE"] == "5.6904566e-28"
        await pilot.press("m")
        assert len(panel.rows) == short < len(labels)


async def test_a_selection_is_read_from_its_start_with_its_length_and_checksums() -> None:
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_inspector(app, pilot)
        await pilot.press("right", "v", "right", "right", "right")
        assert current_log(app).marks.cursor.selection() == (1, 5)
        selected = DATA[1:5]
        shown = readings(panel)
        assert shown["length"] == "4 bytes (0x4)"
        assert shown["CRC-32"] == f"{zlib.crc32(selected):08x}"
        assert shown["SHA-256"] == hashlib.sha256(selected).hexdigest()
        assert shown["u32 BE"] == f"{int.from_bytes(selected)}  0x{selected.hex()}"
        panel.action_toggle_all()
        shown = readings(panel)
        assert shown["MD5"] == hashlib.md5(selected).hexdigest()
        assert shown["SHA-1"] == hashlib.sha1(selected).hexdigest()
        assert shown["Adler-32"] == f"{zlib.adler32(selected):08x}"
        assert shown["u64 LE"] == PAST_END  # the selection holds 4 bytes, not 8


async def test_readings_past_the_last_byte_show_a_dash_until_bytes_arrive() -> None:
    app = app_with(b"\x01\x02\x03")
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_inspector(app, pilot)
        await pilot.press("right", "right")
        assert readings(panel)["u16 LE"] == PAST_END
        assert PAST_END in panel_text(panel)
        current_capture(app).append(Direction.RECEIVED, b"\x04\x05\x06")
        current_log(app).refresh_data()
        await pilot.pause()
        assert readings(panel)["u16 LE"] == "1027  0x0403"
        assert current_log(app).marks.cursor.offset == 2


async def test_received_controls_bidi_and_markup_are_named_never_shown_raw() -> None:
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_inspector(app, pilot)
        for _ in range(RLO_AT):
            await pilot.press("right")
        assert readings(panel)["UTF-8"] == "U+202E (3 bytes) RIGHT-TO-LEFT OVERRIDE"
        assert "\u202e" not in panel_text(panel)
        for _ in range(ESC_AT - RLO_AT):
            await pilot.press("right")
        assert readings(panel)["UTF-8"] == "'␛' U+001B (1 byte) control"
        assert "\x1b" not in panel_text(panel)
        await pilot.press("right_square_bracket")  # nowhere to go: one chunk
        current_log(app).marks.cursor.offset = DATA.index(b"[bold]")
        current_log(app).repaint()
        await pilot.pause()
        assert "'[' U+005B (1 byte) LEFT SQUARE BRACKET" in panel_text(panel)


async def test_ascii_mode_shows_readings_in_ascii_and_copies_them_as_they_are() -> None:
    capture = Capture()
    app = TcpTuiApp(parse_args(["--ascii"]), capture=capture)
    app.animation_level = "none"
    capture.append(Direction.RECEIVED, "é".encode())
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_inspector(app, pilot)
        panel.action_toggle_all()
        lines = [str(option.prompt) for option in panel.options]
        assert all(line.isascii() for line in lines), lines
        assert "'\\u{00E9}' U+00E9 (2 bytes) LATIN SMALL LETTER E WITH ACUTE" in lines[-4]
        assert [line.split() for line in lines if line.startswith("u32 LE")] == [["u32", "LE", "-"]]
        assert any(line.startswith("time32 LE us") for line in lines)
        assert readings(panel)["UTF-8"].startswith("'é'")


async def copy_u32_be(app: TcpTuiApp, pilot: Pilot[Any], key: str) -> str:
    """Tab into the panel, highlight the u32 BE line, press `key`; the value it shows."""
    panel = await open_inspector(app, pilot)
    await pilot.press("tab")
    assert app.focused is panel
    await pilot.press(*["down"] * [label for label, _ in panel.rows].index("u32 BE"), key)
    return readings(panel)["u32 BE"]


@pytest.mark.parametrize("key", ["enter", "c"])
async def test_a_line_is_copied_to_the_terminal_clipboard_without_a_display(
    key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        value = await copy_u32_be(app, pilot, key)
        assert value == "305419896  0x12345678"
        assert app.clipboard == value
        assert "u32 BE: Copied 21 characters" in last_notification(app)
        assert "terminal (OSC 52)" in last_notification(app)
        assert current_log(app).marks.cursor.offset == 0


async def test_a_line_is_copied_to_the_system_clipboard_when_there_is_one(x_display: str) -> None:
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        value = await copy_u32_be(app, pilot, "enter")
        assert read_x_clipboard(value) == value
        assert "system clipboard (xclip)" in last_notification(app)


async def test_a_big_selection_is_hashed_in_a_thread_and_a_huge_one_not_at_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(inspector_panel, "HASH_INLINE_BYTES", 4)
    monkeypatch.setattr(inspector_panel, "HASH_BLOCK", 3)
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_inspector(app, pilot)
        await pilot.press("a")  # the whole chunk
        want = hashlib.sha256(DATA).hexdigest()
        await wait_for(pilot, lambda: readings(panel)["SHA-256"] == want, "the hash")
        assert readings(panel)["length"] == f"{len(DATA)} bytes (0x{len(DATA):x})"
        monkeypatch.setattr(inspector_panel, "HASH_CAP", 8)
        await pilot.press("escape", "left_square_bracket", "v", *["right"] * 9)
        assert current_log(app).marks.cursor.selection() == (0, 10)
        assert readings(panel)["SHA-256"].startswith("not computed: over")
        assert readings(panel)["length"] == "10 bytes (0xa)"


async def test_the_panel_goes_beside_a_wide_log_and_under_a_narrow_one() -> None:
    app = app_with()
    async with app.run_test(size=(170, 40)) as pilot:
        panel = await open_inspector(app, pilot)
        hex_view = current_log(app).hex_view
        await pilot.pause()
        assert not panel.has_class("-beside")
        assert panel.region.y >= hex_view.region.bottom
        await pilot.press("f5", "f5")  # the hex view alone: the log is wide enough for both
        await pilot.pause()
        assert panel.has_class("-beside")
        assert panel.region.x >= hex_view.region.right
        assert panel.region.y == hex_view.region.y
        assert hex_view.region.width >= 78


async def test_the_palette_toggles_the_inspector_and_help_lists_its_keys() -> None:
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        commands = {
            command.title: command
            for command in app.get_system_commands(app.screen)
            if isinstance(command, SystemCommand)
        }
        commands["Data inspector"].callback()
        await pilot.pause()
        assert current_log(app).inspector.display
        assert current_log(app).marks.cursor.offset is None  # the log was never focused
        assert "Move the cursor in the log" in panel_text(current_log(app).inspector)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        assert ("i", "Data inspector") in app.screen.rows["log"]
        assert ("Enter, c", "Copy the value") in app.screen.rows["inspector"]
        await pilot.press("escape")
        current_log(app).inspector.focus()
        await pilot.pause()
        commands["Data inspector"].callback()
        await pilot.pause()
        assert not current_log(app).inspector.display
        assert app.focused is current_log(app).hex_view


def test_snapshot_of_the_inspector_under_the_log_at_80x24(snap_compare: SnapCompare) -> None:
    """The hex view alone, the connection panel hidden: what fits an 80x24 terminal."""

    async def open_it(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, TcpTuiApp)
        log = current_log(app)
        log.set_layout("hex")  # as F5 twice, without its notice over the panel
        log.hex_view.focus()
        await pilot.press("ctrl+l")
        log.marks.cursor.offset = current_capture(app).chunk(4).offset + 0x41
        await pilot.press("right", "i")
        await pilot.pause()

    assert snap_compare(app_with_capture(), terminal_size=(80, 24), run_before=open_it)
