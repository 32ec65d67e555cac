"""The few private Textual names tcptui cannot do without, in one place.

Each is wrapped in a function that says why it is needed; tests/ui/test_textual_internals.py
checks the Textual version range and that every name used here still exists, so an upgrade
that renames one fails loudly there instead of quietly changing how keys behave.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual._styles_cache import StylesCache
from textual.app import App
from textual.geometry import Size
from textual.widget import Widget

TESTED_TEXTUAL = ((8, 2, 8), (9, 0, 0))
"""The Textual versions these names were read in: at least the first, below the second."""
PRIVATE_NAMES = {App: ("_check_bindings",), Widget: ("_forward_event",)}
"""Every private name this module uses, per class (checked by a test)."""


async def run_key_bindings(app: App[Any], key: str, priority: bool = False) -> bool:
    """Run `key`'s bindings now, as the app does: its priority bindings (from the app down)
    when it reads a key, the others (from the focused widget up) for a key that bubbled up to
    it unhandled; True if one of them acted.

    Public API offers `Screen.active_bindings`, which keeps one binding per key: an Input's
    `up` (scroll, skipped while nothing scrolls) hides the composer's `up` (history). The app's
    own walk tries each binding in turn, and only it agrees exactly with the keymap, modal
    screens and the keys a focused Input consumes.
    """
    return await app._check_bindings(key, priority)


def forward_key(widget: Widget, event: events.Key | events.Paste) -> None:
    """Hand a key to `widget` as the app hands keys to the focused widget: marked forwarded, so
    a key it leaves unhandled bubbles up to the app's bindings and is not sent round again."""
    widget._forward_event(event)


# -- The transcript view: its styles cache and its scroll bars ---------------------------------

TRANSCRIPT_VIEW_NAMES = {Widget: ("_styles_cache", "_scroll_update")}
"""The private names the transcript view relies on (checked by a test, as PRIVATE_NAMES is)."""


def use_styles_cache(widget: Widget, cache: StylesCache) -> None:
    """Style `widget`'s rows with `cache` instead of the StylesCache Textual gave it.

    A widget has no public hook into the step that adds borders to its rows; the transcript
    views, whose rows are all new after a jump, build theirs in one step (bordered_rows.py).
    """
    widget._styles_cache = cache


def update_scrollbars(widget: Widget, virtual_size: Size) -> None:
    """Give `widget`'s scroll bars the extents of `virtual_size`, without a layout.

    Setting `virtual_size` asks for a layout of the whole screen; rows added below a view
    that already scrolls change only its scroll bars, which is what Textual does here.
    """
    widget._scroll_update(virtual_size)
