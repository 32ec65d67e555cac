"""The private Textual names tcptui uses still exist in the installed Textual: an upgrade that
renames one fails here, loudly, instead of quietly changing how keys behave or rows look."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from importlib.metadata import version

from textual._border import get_box
from textual._styles_cache import StylesCache
from textual.app import App
from textual.dom import DOMNode
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tcptui.ui.textual_internals import PRIVATE_NAMES, TESTED_TEXTUAL

PARAMETERS_USED: dict[tuple[object, str], list[str]] = {
    (App, "_check_bindings"): ["self", "key", "priority"],
    (App, "_start_widget"): ["self", "parent", "widget"],
    (Widget, "_forward_event"): ["self", "event"],
    (StylesCache, "render_widget"): ["self", "widget", "crop"],
    (StylesCache, "render_line"): [
        "self",
        "styles",
        "y",
        "size",
        "content_size",
        "padding",
        "base_background",
        "background",
        "render_content_line",
        "border_title",
        "border_subtitle",
        "opacity",
        "ansi_theme",
        "native_ansi",
    ],
    (StylesCache, "get_inner_outer"): ["cls", "base_background", "background"],
    (Widget, "_scroll_update"): ["self", "virtual_size"],
}
"""Methods: the parameters they are called or overridden with."""

ATTRIBUTES_USED: dict[tuple[object, str], Callable[[object], bool]] = {
    (Widget, "_vertical_scrollbar"): lambda bar: bar is None,
    (Widget, "_horizontal_scrollbar"): lambda bar: bar is None,
    (Strip, "_divide_cache"): lambda cache: callable(getattr(cache, "__setitem__", None)),
    (Footer, "_bindings_ready"): lambda ready: ready is False,
    (DOMNode, "_reactive_connect"): lambda bound: bound is None,
    (Widget, "_styles_cache"): lambda cache: isinstance(cache, StylesCache),
}
"""Attributes: what a new instance holds there, as this module relies on."""

WHOLE_PRIVATE_OBJECTS = {FooterKey, get_box}
"""Private classes and functions used as such (imported above: a rename fails the import)."""


def test_textual_is_a_version_the_private_names_were_read_in() -> None:
    installed = tuple(int(part) for part in version("textual").split(".")[:3])
    lowest, beyond = TESTED_TEXTUAL
    assert lowest <= installed < beyond, f"Textual {installed}: check textual_internals.py"


def test_every_private_name_used_is_listed_and_tested() -> None:
    listed = {(owner, name) for owner, names in PRIVATE_NAMES.items() for name in names}
    assert listed == set(PARAMETERS_USED) | set(ATTRIBUTES_USED)
    assert {owner for owner, names in PRIVATE_NAMES.items() if not names} == WHOLE_PRIVATE_OBJECTS


def test_every_private_method_used_still_exists_with_the_parameters_used() -> None:
    for (owner, name), parameters in PARAMETERS_USED.items():
        member = getattr(owner, name, None)
        assert callable(member), f"{owner}.{name} is gone"
        assert list(inspect.signature(member).parameters) == parameters, (
            f"{owner}.{name} takes other parameters now"
        )


def test_every_private_attribute_used_is_on_a_new_instance() -> None:
    instances = {Widget: Widget(), Strip: Strip([]), Footer: Footer(), DOMNode: Widget()}
    for (owner, name), holds in ATTRIBUTES_USED.items():
        assert holds(getattr(instances[owner], name, "gone")), f"{owner}.{name} changed"


def test_the_private_functions_used_take_the_parameters_used() -> None:
    assert list(inspect.signature(get_box).parameters) == [
        "name",
        "inner_style",
        "outer_style",
        "style",
    ]
    assert "compact" in FooterKey._reactives
