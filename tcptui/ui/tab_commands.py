"""The command palette's app-wide entries: new and close tab, profiles and recent targets.

Profile names and targets come from the user's files: they reach the palette as literal text,
never as markup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from functools import partial

from textual.app import SystemCommand

from tcptui.ui.key_hints import KeyHints
from tcptui.ui.literal import as_markup
from tcptui.user_files.settings import Profile

OpenTab = Callable[[], Awaitable[None]]


def tab_commands(
    new_tab: OpenTab,
    close_tab: OpenTab,
    open_target: Callable[[str], Awaitable[None]],
    keys: KeyHints,
    profiles: Mapping[str, Profile],
    recent: Iterable[str],
) -> Iterator[SystemCommand]:
    """The entries, keys named as the user's keymap maps them; each runs as its key does."""
    yield SystemCommand(
        "New tab",
        f"A new connection beside the others ({keys.key('tabs.new')})",
        new_tab,
    )
    yield SystemCommand(
        "Close tab",
        f"Close this tab and its connection ({keys.key('tabs.close')})",
        close_tab,
    )
    for name, profile in profiles.items():
        yield SystemCommand(
            as_markup(f"Open profile @{name}"),
            as_markup(f"{profile.target} in a new tab"),
            partial(open_target, profile.target),
        )
    for target in recent:
        yield SystemCommand(
            as_markup(f"Connect to {target}"),
            "A recent target, in a new tab",
            partial(open_target, target),
        )
