"""The private Textual names tcptui uses still exist in the installed Textual: an upgrade that
renames one fails here, loudly, instead of quietly changing how keys behave."""

from __future__ import annotations

import inspect
from importlib.metadata import version

from textual._styles_cache import StylesCache
from textual.app import App
from textual.widget import Widget

from tcptui.ui.textual_internals import PRIVATE_NAMES, TESTED_TEXTUAL, TRANSCRIPT_VIEW_NAMES

PARAMETERS_USED = {
    (App, "_check_bindings"): ["self", "key", "priority"],
    (Widget, "_forward_event"): ["self", "event"],
}


def test_textual_is_a_version_the_private_names_were_read_in() -> None:
    installed = tuple(int(part) for part in version("textual").split(".")[:3])
    lowest, beyond = TESTED_TEXTUAL
    assert lowest <= installed < beyond, f"Textual {installed}: check textual_internals.py"


def test_every_private_name_used_still_exists_with_the_parameters_used() -> None:
    listed = {(owner, name) for owner, names in PRIVATE_NAMES.items() for name in names}
    assert listed == set(PARAMETERS_USED)
    for (owner, name), parameters in PARAMETERS_USED.items():
        member = getattr(owner, name, None)
        assert callable(member), f"{owner.__name__}.{name} is gone"
        assert list(inspect.signature(member).parameters) == parameters, (
            f"{owner.__name__}.{name} takes other parameters now"
        )


# -- The transcript view's names ---------------------------------------------------------------


def test_the_transcript_views_private_names_still_exist() -> None:
    widget = Widget()
    for owner, names in TRANSCRIPT_VIEW_NAMES.items():
        for name in names:
            assert hasattr(widget, name), f"{owner.__name__}.{name} is gone"
    assert isinstance(widget._styles_cache, StylesCache), "Widget._styles_cache holds another kind"
    scroll_update = getattr(Widget, "_scroll_update", None)
    assert callable(scroll_update), "Widget._scroll_update is gone"
    assert list(inspect.signature(scroll_update).parameters) == ["self", "virtual_size"]
