"""A Footer that rebuilds its keys only when the keys it shows change.

Textual's Footer recomposes (unmounts and mounts every key) on each focus change, whether or not
the bindings differ: five times in the app's first second, 8-45 ms each (measured), and again
when a connection moves the focus. Most of those showed the same keys.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

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
        self._shown = shown_bindings(self.screen) if self._bindings_ready else None
        for widget in super().compose():
            if isinstance(widget, FooterKey) and "compact" in (widget._reactive_connect or {}):
                # A key bound to the footer's compactness starts compact and takes the
                # footer's once mounted: two restyles of each key of each composition, 18 ms
                # at startup (measured). It takes it now. (The palette key stays compact.)
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Footer's own, plus the comparison: focus moves often come several to a frame."""
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        shown = shown_bindings(screen)
        if shown != self._shown:
            self._shown = shown  # the recompose reads the bindings again when it runs
            self.call_after_refresh(self.recompose)
