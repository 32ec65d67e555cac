"""The few private Textual names tcptui cannot do without, in one place.

Each is wrapped in a function that says why it is needed; tests/ui/test_textual_internals.py
checks the Textual version range and that every name used here still exists, so an upgrade
that renames one fails loudly there instead of quietly changing how keys behave.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from textual import events
from textual._border import get_box
from textual._styles_cache import StylesCache
from textual.app import App
from textual.css.types import EdgeType
from textual.dom import DOMNode
from textual.geometry import Size
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

TESTED_TEXTUAL = ((8, 2, 8), (9, 0, 0))
"""The Textual versions these names were read in: at least the first, below the second."""
PRIVATE_NAMES: dict[object, tuple[str, ...]] = {
    App: ("_check_bindings", "_start_widget"),
    Widget: (
        "_forward_event",
        "_vertical_scrollbar",
        "_horizontal_scrollbar",
        "_styles_cache",
        "_scroll_update",
    ),
    StylesCache: ("render_widget", "render_line", "get_inner_outer"),
    Strip: ("_divide_cache",),
    Footer: ("_bindings_ready",),
    DOMNode: ("_reactive_connect",),
    FooterKey: (),
    get_box: (),
}
"""Every private name this module uses, per owner (checked by a test): attributes of public
classes whose names start with `_`, and the public-looking methods of private classes that a
subclass here overrides or calls. A private class or function is listed with no names."""


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


# -- Rendering: bordered rows, painted scroll bars, the steady footer ------------------------------

TextualStylesCache = StylesCache
"""The per-widget cache that styles each row of a widget (border, padding, tint) before it is
drawn. There is no public hook into that step: bordered_rows.py subclasses this to build a
bordered view's content rows in one step instead of through the general pipeline."""


def border_sides(
    edge: EdgeType, inner: Style, outer: Style, colour: Style
) -> tuple[Segment, Segment]:
    """The left and right segments Textual draws for a border of type `edge` on a content row:
    built by Textual's own box table, so a row built without the pipeline looks the same."""
    _top, middle, _bottom = get_box(edge, inner, outer, colour)
    return middle[0], middle[2]


def prime_divide_cache(strip: Strip, cuts: tuple[int, ...], pieces: list[Strip]) -> None:
    """Tell `strip` the pieces it splits into at `cuts`, as `Strip.divide(cuts)` would cut them.

    The compositor divides every new row where a widget's scroll bar begins and ends, a walk
    over each segment into new strips; a row built from known parts knows its pieces already.
    The strip's own cache is where `divide` looks first.
    """
    strip._divide_cache[cuts] = pieces


def scrollbar_of(widget: Widget, vertical: bool) -> ScrollBar | None:
    """The scroll bar `widget` has made so far, if any (Textual makes them on first use)."""
    return widget._vertical_scrollbar if vertical else widget._horizontal_scrollbar


def start_scrollbar(widget: Widget, bar: ScrollBar) -> None:
    """Make `bar` the widget's scroll bar and start it, as Textual does with its own: a
    widget's scroll bars are not children in the DOM, so `mount` cannot place them."""
    if bar.vertical:
        widget._vertical_scrollbar = bar
    else:
        widget._horizontal_scrollbar = bar
    widget.app._start_widget(widget, bar)


def footer_bindings_ready(footer: Footer) -> bool:
    """Whether the footer has been told of the screen's bindings: before, it shows nothing."""
    return footer._bindings_ready


def mark_footer_bindings_ready(footer: Footer) -> None:
    """What Footer.bindings_changed does first, for a subclass that replaces the rest of it."""
    footer._bindings_ready = True


def take_compactness_now(widget: Widget, compact: bool) -> None:
    """A footer key bound to its footer's compactness starts compact and takes the footer's
    once mounted: two restyles of each key of each composition. Give it the value now.
    (The palette's key is not bound, and stays as Textual made it.)"""
    if isinstance(widget, FooterKey) and "compact" in (widget._reactive_connect or {}):
        widget.set_reactive(FooterKey.compact, compact)


# -- The transcript view: its styles cache and its scroll bars ---------------------------------


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
