"""The help screen lists every binding, grouped by area, with the keys as currently mapped."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from tcptui.ui.app_bindings import every_binding
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
        assert ("F12", "Connect") in rows["session"]
        assert ("ctrl+d", "Send EOF") in rows["session"]
        assert any(desc == "Search" for _, desc in rows["log"])
        assert any(desc == "Older message" for _, desc in rows["composer"])
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_f1_names_keys_as_they_are_typed_in_columns_that_line_up() -> None:
    app = make_app(None)
    async with app.run_test(size=(150, 50)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.rows
        assert ("[, ctrl+↑", "Previous message") in rows["log"]
        assert ("/", "Search") in rows["log"]
        assert not any(
            "square" in keys or "slash" in keys for area in rows.values() for keys, _ in area
        )
        lines = [
            "".join(segment.text for segment in static.render_line(y)).rstrip()
            for static in app.screen.query(Static)
            for y in range(static.size.height)
        ]
        columns = {
            line.index(description)
            for area in rows.values()
            for keys, description in area
            for line in lines
            if line.strip().startswith(f"{keys} ") and line.endswith(f" {description}")
        }
        assert len(columns) == 1, columns


def test_readme_documents_every_binding_id_and_the_example_settings() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    ids = {binding.id for binding in every_binding() if binding.id}
    missing = sorted(
        binding_id
        for binding_id in ids
        if f"`{binding_id}`" not in readme and not binding_id.startswith("snippets.send_")
    )
    assert not missing, f"README's keymap list lacks {missing}"
    assert EXAMPLE_CONFIG in readme
