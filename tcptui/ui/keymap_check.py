"""Checking the settings' `[keymap]` against the keys Textual knows, before the app starts.

Textual accepts any string as a key: `"app.quit" = "notakey"` silently left nothing that quits,
and ctrl+c then said "Press notakey to quit". The settings file is plain Python and cannot
know Textual's key names, so the check lives here and runs before the first screen.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.keys import KEY_NAME_REPLACEMENTS, Keys, key_to_character

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_NAMED_KEYS = frozenset(
    key.value.rpartition("+")[2] for key in Keys if not key.value.startswith("<")
) | frozenset(KEY_NAME_REPLACEMENTS.values())


class KeymapError(Exception):
    """A keymap entry names no key, or two entries take the same key; says which."""


def check_keymap(keymap: Mapping[str, str]) -> None:
    """Raises KeymapError for the first key that is not a key or is bound twice."""
    taken: dict[str, str] = {}
    for binding_id, keys in keymap.items():
        for key in keys.split(","):
            if not is_key(key):
                raise KeymapError(
                    f"keymap: {binding_id!r} is bound to {key!r}, which is not a key "
                    '(write keys as Textual names them, e.g. "f2", "ctrl+o", "shift+f1")'
                )
            canonical = _canonical(key)
            first = taken.get(canonical)
            if first == binding_id:
                raise KeymapError(f"keymap: {binding_id!r} lists {key!r} twice")
            if first is not None:
                raise KeymapError(f"keymap: {key!r} is bound to both {first!r} and {binding_id!r}")
            taken[canonical] = binding_id


def is_key(key: str) -> bool:
    """`key` is modifiers and a key name Textual can deliver: `ctrl+shift+f5`, `a`, `?`."""
    *modifiers, name = key.split("+")
    if not name or any(modifier not in MODIFIERS for modifier in modifiers):
        return False
    if len(modifiers) != len(set(modifiers)):
        return False
    if len(name) == 1:
        return name.isprintable() and not name.isspace()
    return name in _NAMED_KEYS or key_to_character(name) is not None


def _canonical(key: str) -> str:
    """One spelling per key: `?` and `question_mark` are the same key, modifiers in order."""
    *modifiers, name = key.split("+")
    character = name if len(name) == 1 else key_to_character(name)
    return "+".join([*sorted(modifiers), character or name])
