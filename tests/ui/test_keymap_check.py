"""The keymap check knows every key the app binds by default, and refuses what is no key."""

from __future__ import annotations

import re

import pytest
from textual.binding import Binding

from tcptui.ui.app import TcpTuiApp
from tcptui.ui.composer import Composer
from tcptui.ui.keymap_check import KeymapError, check_keymap, is_key
from tcptui.ui.listener_view import ListenerView
from tcptui.ui.search_bar import SearchBar
from tcptui.ui.session_view import SessionView
from tcptui.ui.transcript_view import TranscriptView
from tcptui.user_files.settings import EXAMPLE_CONFIG, parse_settings

OWNERS = (TcpTuiApp, SessionView, Composer, TranscriptView, SearchBar, ListenerView)


def default_keys() -> list[str]:
    return [
        key.strip()
        for owner in OWNERS
        for binding in owner.BINDINGS
        if isinstance(binding, Binding)
        for key in binding.key.split(",")
    ]


def test_every_key_the_app_binds_by_default_is_a_key() -> None:
    keys = default_keys()
    assert len(keys) > 20
    assert [key for key in keys if not is_key(key)] == []


@pytest.mark.parametrize(
    "key", ["f2", "ctrl+o", "shift+f12", "?", "question_mark", "ctrl+shift+up", "space", "minus"]
)
def test_keys_as_textual_names_them_are_accepted(key: str) -> None:
    assert is_key(key)


@pytest.mark.parametrize(
    "key", ["notakey", "ctrl+", "+a", "ctrl+ctrl+a", "hyperdrive+q", "F2", "ctrl+<any>", "ctrl++"]
)
def test_what_is_no_key_is_refused(key: str) -> None:
    assert not is_key(key)


def test_the_example_configs_keymap_lines_pass_when_uncommented() -> None:
    lines = re.findall(r'^# ("[a-z_.]+" = ".*")$', EXAMPLE_CONFIG, re.MULTILINE)
    keymap = parse_settings("[keymap]\n" + "\n".join(lines)).keymap
    assert len(keymap) == 2
    check_keymap(keymap)


def test_a_key_taken_by_two_bindings_names_both() -> None:
    with pytest.raises(KeymapError, match=r"'ctrl\+o' is bound to both 'a.b' and 'c.d'"):
        check_keymap({"a.b": "f2,ctrl+o", "c.d": "ctrl+o"})
