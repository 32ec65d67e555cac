"""A one-line form field whose Enter waits for what it started before the keys behind it act.

Keys that arrive together (`127.0.0.1⏎8765⏎GET / HTTP/1.0⏎` from tmux send-keys) are applied
in order (ordered_keys.py). Enter in the port field connects and moves the focus to the
composer, but only a few messages later: the keys behind it are held until then and follow the
focus; if the target is refused, the panel calls `release_keys` and they are typed here.
"""

from __future__ import annotations

from tcptui.ui.ordered_keys import OrderedInput


class FormInput(OrderedInput):
    async def action_submit(self) -> None:
        self.hold_keys()
        await super().action_submit()

    def release(self) -> None:
        """The Enter's effect is done (the panel refused the target): see `release_keys`."""
        self.release_keys()
