"""Keys named in hints and help, as this user has them.

A hint that says "press F2" is wrong for someone whose keymap moved Connect to ctrl+o, so no
message writes a key itself: it asks for the key of a binding id (`key_for(self,
"session.connect")`) and gets the first key the keymap (or the default) gives it, written the
way the footer names keys (`[` and `/`, not "left square bracket" and "slash").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import format_key

PROSE_NAMES = {
    "enter": "Enter",
    "escape": "Esc",
    "tab": "Tab",
    "space": "Space",
    "backspace": "Backspace",
    "delete": "Del",
}
"""Keys a sentence spells out where the footer draws a glyph (⏎, ⌫)."""

_FUNCTION_KEY = re.compile(r"f\d{1,2}")


def key_display(key: str) -> str:
    """One key as hints and help write it: `F2`, `ctrl+s`, `shift+F1`, `[`, `/`, `pgup`.

    Modifiers stay words (`ctrl+`, not the footer's `^`): they read better in a sentence."""
    *modifiers, name = key.split("+")
    if name in PROSE_NAMES:
        shown = PROSE_NAMES[name]
    elif _FUNCTION_KEY.fullmatch(name):
        shown = name.upper()
    else:
        shown = format_key(name)
    return "+".join([*modifiers, shown])


class KeyHints:
    """Binding id to its keys, the keymap applied over the bindings' own."""

    def __init__(self, bindings: Iterable[Binding], keymap: Mapping[str, str]) -> None:
        self._keys = {binding.id: binding.key for binding in bindings if binding.id}
        self.remap(keymap)

    def remap(self, keymap: Mapping[str, str]) -> None:
        """The keymap's keys replace those of the bindings it names."""
        self._keys.update((name, keys) for name, keys in keymap.items() if name in self._keys)

    def keys(self, binding_id: str) -> list[str]:
        """Every key of the binding, shown; none for an unknown id."""
        keys = self._keys.get(binding_id, "")
        return [key_display(key.strip()) for key in keys.split(",") if key.strip()]

    def key(self, binding_id: str) -> str:
        """The first key of the binding, shown: the one a hint names."""
        keys = self.keys(binding_id)
        return keys[0] if keys else binding_id


def key_hints(node: DOMNode) -> KeyHints:
    """The key hints of the app `node` runs in; an app without them (a widget tested alone)
    gets empty ones, which name each binding by its id: a hint never fails."""
    hints = getattr(node.app, "key_hints", None)
    return hints if isinstance(hints, KeyHints) else KeyHints((), {})


def key_for(node: DOMNode, binding_id: str) -> str:
    """The key of `binding_id` for this user, for a hint: `key_for(self, "session.connect")`."""
    return key_hints(node).key(binding_id)
