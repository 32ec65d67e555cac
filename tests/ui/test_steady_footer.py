"""The footer rebuilds its keys only when the keys it would show change."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.widgets import Button
from textual.widgets._footer import FooterKey

from tcptui.ui.steady_footer import SteadyFooter
from tests.ui.helpers import make_app


class CountingFooter(SteadyFooter):
    compositions = 0

    def compose(self) -> ComposeResult:
        CountingFooter.compositions += 1
        yield from super().compose()


class Plain(Button):
    BINDINGS = [Binding("f5", "noop", "Five")]

    def action_noop(self) -> None:
        pass


class Other(Button):
    BINDINGS = [Binding("f6", "toggle", "Six")]
    allowed = True

    def action_toggle(self) -> None:
        pass

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle" and not self.allowed:
            return None  # shown, but disabled
        return True


class FooterApp(App[None]):
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Plain("a", id="a")
        yield Plain("b", id="b")
        yield Other("c", id="c")
        yield CountingFooter()


def shown_keys(app: App[object]) -> list[tuple[str, bool]]:
    return [(key.description, key.has_class("-disabled")) for key in app.screen.query(FooterKey)]


async def test_moving_focus_between_widgets_with_the_same_keys_keeps_the_footer() -> None:
    CountingFooter.compositions = 0
    app = FooterApp()
    async with app.run_test() as pilot:
        app.set_focus(app.query_one("#a"))
        await pilot.pause()
        await pilot.pause()
        assert shown_keys(app) == [("Five", False), ("Quit", False)]
        settled = CountingFooter.compositions

        app.set_focus(app.query_one("#b"))
        await pilot.pause()
        await pilot.pause()
        assert CountingFooter.compositions == settled
        assert shown_keys(app) == [("Five", False), ("Quit", False)]

        app.set_focus(app.query_one("#c"))
        await pilot.pause()
        await pilot.pause()
        assert CountingFooter.compositions == settled + 1
        assert shown_keys(app) == [("Six", False), ("Quit", False)]


async def test_a_key_that_becomes_disabled_is_shown_disabled() -> None:
    app = FooterApp()
    async with app.run_test() as pilot:
        other = app.query_one("#c", Other)
        app.set_focus(other)
        await pilot.pause()
        await pilot.pause()
        assert shown_keys(app) == [("Six", False), ("Quit", False)]

        other.allowed = False
        other.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert shown_keys(app) == [("Six", True), ("Quit", False)]


async def test_the_app_footer_settles_on_the_session_keys_in_two_compositions() -> None:
    """Textual's Footer composed five times in the app's first second (measured)."""
    compositions: list[int] = []
    original = SteadyFooter.compose

    def counting(self: SteadyFooter) -> ComposeResult:
        compositions.append(1)
        return original(self)

    SteadyFooter.compose = counting  # type: ignore[method-assign]
    try:
        app = make_app(None)
        async with app.run_test(size=(160, 40)) as pilot:
            for _ in range(10):
                await pilot.pause(0.02)
            descriptions = [key.description for key in app.screen.query(FooterKey)]
    finally:
        SteadyFooter.compose = original  # type: ignore[method-assign]
    assert "Quit" in descriptions and len(descriptions) > 3
    assert len(compositions) <= 3  # the empty first one, the tabs' keys, the session's keys


async def test_each_key_is_styled_once_and_takes_the_footers_compactness(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Textual's keys start compact and take the footer's style after mounting: two restyles
    of every key in every composition."""
    styled: list[FooterKey] = []
    apply = Stylesheet.apply

    def counting(self: Stylesheet, node: DOMNode, *args: Any, **kwargs: Any) -> None:
        if isinstance(node, FooterKey):
            styled.append(node)
        apply(self, node, *args, **kwargs)

    monkeypatch.setattr(Stylesheet, "apply", counting)
    for compact in (False, True):
        styled.clear()
        app = FooterApp()
        async with app.run_test() as pilot:
            app.query_one(CountingFooter).compact = compact
            app.set_focus(app.query_one("#c"))
            await pilot.pause()
            await pilot.pause()
            keys = list(app.screen.query(FooterKey))
            assert [key.description for key in keys] == ["Six", "Quit"]
            assert all(key.has_class("-compact") == compact for key in keys)
            if not compact:
                assert len(styled) == len(set(styled))  # each key styled once
