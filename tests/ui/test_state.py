"""What the app remembers between runs (theme, recent targets) and offers in the palette."""

from __future__ import annotations

from pathlib import Path

from textual.app import SystemCommand

from tcptui.cli import parse_args
from tcptui.ui.app import TcpTuiApp
from tcptui.user_files.app_state import AppState, load_state, save_state
from tests.helpers import EchoServer
from tests.ui.helpers import make_app, wait_for, wait_open


def command_titles(app: TcpTuiApp) -> list[str]:
    return [c.title for c in app.get_system_commands(app.screen) if isinstance(c, SystemCommand)]


async def test_theme_picked_in_one_run_is_used_in_the_next() -> None:
    app = make_app(None)
    async with app.run_test() as pilot:
        app.theme = "nord"
        await wait_for(pilot, lambda: load_state().theme == "nord", "the theme to be saved")
    app = make_app(None)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "nord"


def test_a_saved_theme_is_chosen_before_the_app_runs() -> None:
    """Chosen once the app runs, it restyled the whole screen after the first frames: in a
    terminal, 150-200 ms of startup (measured)."""
    save_state(AppState(theme="nord"))
    assert make_app(None).theme == "nord"


async def test_recent_targets_and_profiles_are_offered_in_the_palette(tmp_path: Path) -> None:
    with EchoServer() as server:
        config = tmp_path / "config.toml"
        config.write_text(f'[profiles.echo]\ntarget = "127.0.0.1:{server.port}"\n')
        app = TcpTuiApp(parse_args(["--config", str(config), f"127.0.0.1:{server.port}"]))
        async with app.run_test() as pilot:
            await wait_open(app, pilot)
            await wait_for(pilot, lambda: load_state().recent == [str(server.target)], "recent")
            titles = command_titles(app)
            assert f"Connect to {server.target}" in titles
            assert "Open profile @echo" in titles
