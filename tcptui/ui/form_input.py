"""A one-line form field whose Enter acts in order with the keys typed around it.

Keys that arrive together (a paste without bracketed paste, tmux send-keys, a script) are all
forwarded to the focused widget before any of them is handled, and Input acts on Enter only
once that key has bubbled up to the app. So `127.0.0.1⏎8765⏎GET / HTTP/1.0⏎` typed into the
port field ended up there as one string: its Enter had not connected yet, nor moved the focus
to the composer. Here Enter is handled at its turn, and the keys behind it wait for what it
started: once the focus moves on they go to the new focus, in order; if it stays, `release()`
types them here.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class FormInput(Input):
    _held: list[events.Key | events.Paste] | None = None
    """Keys and pastes that came after an Enter whose effects are not done yet; None when not
    holding."""

    async def _on_key(self, event: events.Key) -> None:
        if self._held is not None:
            event.stop()
            event.prevent_default()
            self._held.append(event)
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self._held = []
            self.post_message(self.Submitted(self, self.value))
            return
        await super()._on_key(event)

    def _on_paste(self, event: events.Paste) -> None:
        if self._held is not None:  # a bracketed paste right behind the Enter
            event.stop()
            event.prevent_default()
            self._held.append(event)

    def release(self) -> None:
        """What Enter started is done: keys held since then go where the focus is now."""
        held, self._held = self._held, None
        target = self.screen.focused or self
        for event in held or ():
            # As the app forwards them to the focused widget (fresh events: these were stopped).
            if isinstance(event, events.Paste):
                target._forward_event(events.Paste(event.text))
            else:
                target._forward_event(events.Key(event.key, event.character))

    def _on_blur(self, event: events.Blur) -> None:
        # Input's own _on_blur runs too: Textual calls each class's handler along the MRO.
        self.release()
