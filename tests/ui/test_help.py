"""The help screen lists every binding, grouped by area, with the keys as currently mapped."""

from __future__ import annotations

from tcptui.ui.help_screen import HelpScreen
from tests.ui.helpers import make_app


async def test_f1_lists_every_area_and_reflects_the_keymap() -> None:
    app = make_app(None)
    async with app.run_test(size=(150, 50)) as pilot:
        app.set_keymap({"session.connect": "f12"})
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.rows
        assert ("f12", "Connect") in rows["session"]
        assert ("ctrl+d", "Send EOF") in rows["session"]
        assert any(desc == "Search" for _, desc in rows["log"])
        assert any(desc == "Older message" for _, desc in rows["composer"])
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
