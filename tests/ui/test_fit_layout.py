"""Every terminal from 80×24 up: the panel gives way to a summary line where the log would lose
whole hex rows, panels keep their live stats in view, dialogs and the preview fit the screen."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable

import pytest
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Sparkline, Static

from tcptui.cli import LaunchConfig
from tcptui.codec.composer_syntax import LineEnding
from tcptui.net.session import ConnectOptions
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.certificate_panel import CertificatePanel
from tcptui.ui.connection_summary import FULL_PANEL_FROM_COLUMNS
from tcptui.ui.snippet_screens import SaveSnippetScreen, SnippetPickerScreen
from tcptui.user_files.snippets import Snippet
from tests.helpers import EchoServer, TestPki, TlsServer, make_pki, server_context
from tests.helpers.app_parts import current_composer, current_log, current_panel, current_view
from tests.ui.helpers import make_app, wait_for, wait_open


def within(inner: Region, outer: Region) -> bool:
    return outer.contains_region(inner)


def summary_text(app: TcpTuiApp) -> str:
    return str(app.query_one("#connection-summary").render())


async def test_a_connection_on_an_80x24_terminal_shows_a_summary_line_instead_of_the_panel() -> (
    None
):
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_open(app, pilot)
            await pilot.press(*"hello", "enter")
            await wait_for(pilot, lambda: "in 6 B · out 6 B" in summary_text(app), "the echo")
            panel = app.query_one("#connection-panel")
            assert not panel.display
            assert current_log(app).size.width == 80
            line = summary_text(app)
            assert line.startswith(f"● {server.host}:{server.port}")
            assert "age 00:0" in line
            await pilot.press("ctrl+l")  # the full panel on demand, whatever the width
            await pilot.pause()
            assert panel.display and not app.query_one("#connection-summary").display
            await pilot.press("ctrl+l")
            await pilot.pause()
            assert not panel.display and app.query_one("#connection-summary").display


async def test_the_full_panel_shows_from_the_width_where_the_log_keeps_whole_hex_rows() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=(FULL_PANEL_FROM_COLUMNS, 40)) as pilot:
            await wait_open(app, pilot)
            panel = app.query_one("#connection-panel")
            assert panel.display
            hex_view = current_log(app).hex_view
            assert hex_view.painter.row_cells == 78  # a full `hexdump -C` row beside the panel
            assert hex_view.scrollable_content_region.width >= 78
            await pilot.resize_terminal(FULL_PANEL_FROM_COLUMNS - 1, 40)
            await pilot.pause()
            assert not panel.display and app.query_one("#connection-summary").display


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.mark.parametrize("size", [(200, 24), (160, 45), (128, 30)])
async def test_the_tls_panel_never_pushes_the_live_stats_off_the_screen(
    pki: TestPki, size: tuple[int, int]
) -> None:
    with TlsServer(server_context(pki.server)) as server:
        options = ConnectOptions(timeout=5.0, tls=pki.options())
        app = TcpTuiApp(LaunchConfig(server.target, options, LineEnding.LF, False))
        app.animation_level = "none"
        async with app.run_test(size=size) as pilot:
            certificate = current_panel(app).query_one(CertificatePanel)
            await wait_for(pilot, lambda: certificate.event is not None, "the TLS details")
            await pilot.pause()
            panel = current_panel(app).region
            stats = current_panel(app).query_one("#stats", Static)
            sparkline = current_panel(app).query_one(Sparkline)
            assert panel.height and stats.region.height == 3 and sparkline.region.height == 2
            assert within(stats.region, panel) and within(sparkline.region, panel)
            assert "in " in str(stats.render()) and "age " in str(stats.render())


def open_dialogs(app: TcpTuiApp) -> dict[str, Callable[[], object]]:
    view = current_view(app)
    snippets = [Snippet(f"snippet {n}", "GET / HTTP/1.1\\r\\n" * 4) for n in range(30)]
    return {
        "copy as": view.action_copy_as,
        "save/export": view.action_save,
        "help": app.action_toggle_help,
        "snippets": lambda: app.push_screen(SnippetPickerScreen(snippets)),
        "save snippet": lambda: app.push_screen(SaveSnippetScreen("hello", ["a"])),
        "repeat": view.action_repeat,
        "history search": view.composer.action_history_search,
    }


@pytest.mark.parametrize(
    "dialog",
    ["copy as", "save/export", "help", "snippets", "save snippet", "repeat", "history search"],
)
async def test_every_dialog_fits_an_80x24_terminal(dialog: str) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        open_dialogs(app)[dialog]()
        await pilot.pause()
        screen = app.screen
        (box,) = [child for child in screen.children if isinstance(child, Widget)]
        assert within(box.region, screen.region), (dialog, box.region)
        for widget in box.query(Widget):  # nothing sticks out sideways
            if widget.display and widget.region.width:
                assert widget.region.right <= box.region.right, (dialog, widget)


@pytest.mark.parametrize("columns", [80, 200])
async def test_the_byte_preview_uses_the_composers_width(columns: int) -> None:
    app = make_app()
    async with app.run_test(size=(columns, 24)) as pilot:
        current_composer(app).input.focus()
        await pilot.press(*"x" * 70)
        await pilot.pause()
        preview = current_composer(app).query_one("#preview", Static)
        line = str(preview.render())
        assert line.startswith("71 bytes on Enter: 78 78")
        assert len(line) <= preview.content_region.width
        shown = line.split(": ", 1)[1].removesuffix(" …").split()
        assert len(shown) > 16 and (len(shown) == 71 or len(line) + 3 > preview.size.width)


async def test_a_closed_tab_that_showed_the_summary_line_is_collected() -> None:
    """The line refreshes itself while shown: nothing of it may keep a closed tab alive
    through the heap's freeze (a timer of its own did)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: gc.get_freeze_count() > 0, "the heap frozen")
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert app.query_one("#connection-summary").display
        first = weakref.ref(current_view(app))
        await pilot.press("ctrl+f4")
        await wait_for(pilot, lambda: current_view(app) is not first(), "a fresh tab")
        await pilot.pause()
        await wait_for(pilot, lambda: gc.get_freeze_count() > 0, "the heap frozen again")
        gc.collect()
        assert first() is None
