"""The help screen lists every binding, grouped by area, with the keys as currently mapped."""

from __future__ import annotations

from pathlib import Path

from tcptui.ui.app import _as_bindings
from tcptui.ui.help_screen import HelpScreen
from tcptui.user_files.settings import EXAMPLE_CONFIG
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


def test_readme_documents_every_binding_id_and_the_example_settings() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    app = make_app(None)
    ids = {binding.id for binding in _as_bindings(app._every_binding()) if binding.id}
    missing = sorted(
        binding_id
        for binding_id in ids
        if f"`{binding_id}`" not in readme and not binding_id.startswith("snippets.send_")
    )
    assert not missing, f"README's keymap list lacks {missing}"
    assert EXAMPLE_CONFIG in readme
