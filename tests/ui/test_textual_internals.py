"""The private Textual names tcptui uses still exist in the installed Textual: an upgrade that
renames one fails here, loudly, instead of quietly changing how keys behave."""

from __future__ import annotations

import inspect
from importlib.metadata import version

from textual.app import App
from textual.widget import Widget

from tcptui.ui.textual_internals import PRIVATE_NAMES, TESTED_TEXTUAL

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
