"""A Footer that rebuilds its keys only when the keys it shows change.

Textual's Footer recomposes (unmounts and mounts every key) on each focus change, whether or not
the bindings differ: several times in the app's first second, and again when a connection moves
the focus. Most of those showed the same keys.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

from tcptui.ui.textual_internals import (
    footer_bindings_ready,
    mark_footer_bindings_ready,
    take_compactness_now,
)

Shown = tuple[tuple[Binding, bool, str], ...]


def shown_bindings(screen: Screen[object]) -> Shown:
    """What a Footer on `screen` would show: each binding with its enabled state and tooltip."""
    return tuple(
        (binding, enabled, tooltip)
        for _node, binding, enabled, tooltip in screen.active_bindings.values()
        if binding.show
    )


class SteadyFooter(Footer):
    _shown: Shown | None = None
    """The bindings of the composition shown or already asked for; None before any."""

    def compose(self) -> ComposeResult:
        self._shown = shown_bindings(self.screen) if footer_bindings_ready(self) else None
        for widget in super().compose():
            take_compactness_now(widget, self.compact)
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Footer's own, plus the comparison: focus moves often come several to a frame."""
        mark_footer_bindings_ready(self)
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        shown = shown_bindings(screen)
        if shown != self._shown:
            self._shown = shown  # the recompose reads the bindings again when it runs
            self.call_after_refresh(self.recompose)
