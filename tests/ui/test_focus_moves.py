"""One key between the composer and the log (alt+o), and Tab's order composer -> log -> panel."""

from __future__ import annotations

from textual.widget import Widget

from tcptui.ui.app import TcpTuiApp
from tests.helpers.app_parts import current_composer, current_log, current_panel
from tests.ui.helpers import make_app

SIZE = (150, 44)


def focused_id(app: TcpTuiApp) -> str | None:
    focused: Widget | None = app.focused
    return None if focused is None else focused.id


async def test_tab_goes_composer_then_log_then_panel_and_shift_tab_comes_back() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        current_composer(app).input.focus()
        await pilot.pause()
        seen = []
        for _ in range(3):
            await pilot.press("tab")
            seen.append(focused_id(app))
        assert seen[:2] == ["text-view", "hex-view"]
        assert app.focused is not None and current_panel(app) in app.focused.ancestors_with_self
        for _ in range(3):
            await pilot.press("shift+tab")
        assert focused_id(app) == "message"


async def test_alt_o_moves_between_the_composer_and_the_log_view_last_used() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        current_composer(app).input.focus()
        await pilot.press("alt+o")
        assert focused_id(app) == "text-view"
        current_log(app).hex_view.focus()
        await pilot.press("alt+o")
        assert focused_id(app) == "message"
        await pilot.press("alt+o")
        assert focused_id(app) == "hex-view"
        app.query_one("#host").focus()
        await pilot.press("alt+o")
        assert focused_id(app) == "message"
