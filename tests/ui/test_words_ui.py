"""What the app says, in the app: keys named as the user mapped them, no "(F2 connects)" on a
connected tab, a used-up --retry that is not called a failure, files saved in plain words."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from tcptui.cli import parse_args
from tcptui.codec.composer_syntax import Syntax
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.certificate_panel import fingerprint_lines
from tcptui.ui.save_screen import SAVED_AS, SESSION, SaveResult
from tests.helpers import EchoServer, PayloadServer
from tests.helpers.app_parts import current_composer, current_log, current_view
from tests.ui.helpers import make_app, wait_open, wait_retries_spent

SIZE = (150, 44)


async def test_hints_name_the_keys_of_the_users_keymap(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        "[keymap]\n"
        '"session.connect" = "ctrl+o,f2"\n'
        '"composer.line_ending" = "left_square_bracket"\n'
    )
    app = TcpTuiApp(parse_args(["--config", str(config)]))
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        current_composer(app).focus_entry()
        await pilot.press("x", "enter")
        preview = str(current_composer(app).query_one("#preview", Static).render())
        assert preview == "Not connected: fill in host and port, then press ctrl+o."
        assert current_log(app).text_view.empty_hint.endswith("; ctrl+o connects.")
        palette = {command.title: command.help for command in current_view(app).system_commands()}
        assert palette["Connect"].endswith("(ctrl+o)")
        assert palette["Cycle line ending"].endswith("([)")


async def test_a_connected_tab_does_not_offer_a_key_to_connect() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            assert "connects" not in current_log(app).text_view.empty_hint


async def test_a_retry_limit_reached_after_connecting_each_time_is_not_a_failure() -> None:
    with PayloadServer(b"bye\n") as server:
        app = TcpTuiApp(parse_args([str(server.target), "--retry", "2", "--timeout", "5"]))
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            view = current_view(app)
            await wait_retries_spent(pilot, view, 3, "three visits", timeout=20)
            shown = str(view.panel.query_one("#retry", Static).render())
            assert shown == "reconnected 2 times, as --retry 2 allows: not again"


def test_a_save_is_announced_with_its_folder_and_without_nested_parentheses(
    tmp_path: Path,
) -> None:
    sentence = SaveResult(str(tmp_path / "s.tcptui"), 1, SAVED_AS[SESSION]).sentence()
    assert sentence == (
        f"Saved 1 byte to s.tcptui in {tmp_path}: a session file, which tcptui --open shows again."
    )


def test_a_fingerprint_wraps_between_bytes_only() -> None:
    sha256 = ":".join(f"{n:02X}" for n in range(32))
    lines = fingerprint_lines(sha256).split("\n")
    assert len(lines) == 4
    assert all(len(pair) == 2 for line in lines for pair in line.strip().split(":"))
    assert max(len(line) for line in lines) <= 33


async def test_a_hex_mistake_quotes_the_character_as_typed() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        current_composer(app).syntax = Syntax.HEX
        current_composer(app).focus_entry()
        await pilot.press(*"de ad \\")
        preview = str(current_composer(app).query_one("#preview", Static).render())
        assert preview == "'\\' (column 7) is not a hex digit"
