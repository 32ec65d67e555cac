"""Text fields that apply every key in the order it arrived.

Keys that arrive together (a paste without bracketed paste, SSH batching, tmux send-keys) are
forwarded by the app to the focused widget, all of them, before it handles the first. An Input
or a TextArea types a printable key in its own handler, at the key's turn; every other key
(Backspace, arrows, Home, ctrl+w, Enter…) it leaves unhandled, and the key bubbles up one
widget at a time, through each one's message queue, to the app, which only then runs the key's
binding: by then the printable keys behind it were typed. `abc`, then Backspace Backspace x y
Enter in one burst, sent `abcxy`. And the app runs a priority binding (Tab, F9, ctrl+d…) as
soon as it reads the key, before the field has typed the keys in front of it.

So here the app hands every key for such a field to the field (`KeyLane`), and the field
applies each at its turn exactly as the app would have: priority bindings, then its own
typing, then the other bindings from the field up. A key that reaches the field after the focus
has left it (a Tab or an Enter before it moved the focus) goes on, in order, to where the focus
is now; `hold_keys` keeps the keys behind an Enter whose effect is still on its way.

Enter in a one-line field submits it, and what that starts (close a dialog, connect) takes a
few messages: the keys behind the Enter wait until the field loses the focus or goes away (then
they follow the focus), or until whoever handled the submission keeps the field and calls
`release_keys` (then they are typed here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App
from textual.widget import Widget
from textual.widgets import Input, TextArea

from tcptui.ui.steady_input import SteadyInput
from tcptui.ui.textual_internals import forward_key, run_key_bindings

TypedEvent = events.Key | events.Paste


def fresh_copy(event: TypedEvent) -> TypedEvent:
    """The same key or paste as a new event: the one handled here was stopped."""
    if isinstance(event, events.Paste):
        return events.Paste(event.text)
    return events.Key(event.key, event.character)


if TYPE_CHECKING:
    _WidgetMixin = Widget
else:
    _WidgetMixin = object
    """A plain class at run time: as a Widget it would hide the field's own CSS (Textual takes
    a widget's default styles from its first base)."""


class KeysInOrder(_WidgetMixin):
    """A mixin for a text field, listed before the Textual widget class it is mixed into."""

    _keys_waiting = 0
    """Keys and pastes the app has handed to this field that it has not applied yet."""
    _waiting_for_effect = False
    """An action (an Enter that connects, a Tab) is under way: the keys behind it wait."""
    _held: list[TypedEvent] | None = None
    """Keys set aside, in the order typed, until that action is done (or, see `_replaying`,
    until the keys sent round again are in)."""
    _replaying: set[int] | None = None
    """The ids of held keys sent round this field's queue again once the focus stayed here.
    Keys reaching the field before them were typed after them: they are held in turn."""
    _older: list[TypedEvent] | None = None
    """Keys sent round again that are held because an action began among them: they come
    before everything in `_held`."""

    @property
    def has_keys_waiting(self) -> bool:
        """Whether keys for this field are in its queue, or held by it: the ones typed after
        them must queue up behind them."""
        return self._keys_waiting > 0 or self._held is not None

    def take_key(self, event: TypedEvent) -> None:
        """Queue a key or paste the app read, to be applied at its turn."""
        self._keys_waiting += 1
        forward_key(self, event)

    def hold_keys(self) -> None:
        """Keep the keys behind the one being applied until `release_keys`."""
        self._waiting_for_effect = True
        if self._held is None:
            self._held = []
        if self._replaying and self._older is None:
            self._older = []

    def release_keys(self) -> None:
        """What the held keys waited for is done: they go, in order, where the focus is now."""
        self._waiting_for_effect = False
        if not self._replaying:
            self._send_held()

    def _send_held(self) -> None:
        held = (self._older or []) + (self._held or [])
        self._older = self._held = None
        if self.app.focused is not self:
            for event in held:
                self._pass_on(event)
            return
        copies = [fresh_copy(event) for event in held]
        self._replaying = {id(copy) for copy in copies}
        if copies:
            self._held = []
        for copy in copies:
            self.take_key(copy)

    def _pass_on(self, event: TypedEvent) -> None:
        target = self.app.focused or self.app.screen
        if isinstance(target, KeysInOrder):
            target.take_key(fresh_copy(event))
        else:
            forward_key(target, fresh_copy(event))

    def _diverted(self, event: TypedEvent) -> bool:
        """Whether `event` is held or passed on rather than applied here (then it is stopped)."""
        self._keys_waiting = max(0, self._keys_waiting - 1)
        replayed = self._replaying is not None and id(event) in self._replaying
        if replayed and self._replaying is not None:
            self._replaying.discard(id(event))
            if self._older is not None:
                self._older.append(event)
                self._replay_done()
                return self._stopped(event)
        elif self._held is not None:
            self._held.append(event)
            return self._stopped(event)
        diverted = self.app.focused is not self and self.is_attached
        if diverted:
            self._pass_on(event)
        if replayed:
            self._replay_done()  # behind this one: the keys held while it went round
        return self._stopped(event) if diverted else False

    def _replay_done(self) -> None:
        if not self._replaying and not self._waiting_for_effect:
            self._send_held()

    @staticmethod
    def _stopped(event: TypedEvent) -> bool:
        event.stop()
        event.prevent_default()
        return True

    async def on_key(self, event: events.Key) -> None:
        # Runs before the widget's own `_on_key` (this class comes first in the MRO, and
        # Textual calls each class's handler in turn).
        if self._diverted(event):
            return
        if event.is_printable and "+" not in event.key:
            return  # text, typed by the widget: looking up bindings cost a third of a key
        active = self.app.screen.active_bindings.get(event.key)
        if active is not None and active.binding.priority and active.enabled:
            # An app-wide key (close the tab, quit, next field) may remove or leave this
            # field: it runs in the app's turn, as Textual runs it, and the keys behind it
            # wait for it, then go where the focus is.
            self._stopped(event)
            self.hold_keys()
            self.app.call_later(self._run_priority_binding, event)
        elif "+" in event.key and await run_key_bindings(self.app, event.key):
            # A terminal's alt+d comes with "d" as its character, and the widget would type
            # it: a bound key with a modifier is the binding's, not text.
            self._stopped(event)

    async def _run_priority_binding(self, event: events.Key) -> None:
        if not await run_key_bindings(self.app, event.key, priority=True):
            await run_key_bindings(self.app, event.key)  # it declined: as for any other key
        self.release_keys()

    def on_paste(self, event: events.Paste) -> None:
        # Before the widget's own `_on_paste`: the same MRO walk.
        self._diverted(event)

    def on_blur(self, event: events.Blur) -> None:
        # The widget's own `_on_blur` runs too, after this: the same MRO walk.
        if self._waiting_for_effect:
            self.release_keys()  # the focus moved: that was the effect the keys waited for

    def on_unmount(self, event: events.Unmount) -> None:
        if self._waiting_for_effect or self._held:
            self._waiting_for_effect, self._replaying = False, None
            held = (self._older or []) + (self._held or [])
            self._older = self._held = None
            for kept in held:  # the dialog closed: they go where the focus went
                self._pass_on(kept)

    async def handle_key(self, event: events.Key) -> bool:
        """A key the widget did not type: its bindings act now, not once it has bubbled up."""
        if await run_key_bindings(self.app, event.key):
            event.stop()
            return True
        return await super().handle_key(event)


class OrderedInput(KeysInOrder, SteadyInput):
    """A one-line Input that applies keys in order; the keys behind an Enter wait for it."""

    async def action_submit(self) -> None:
        self.hold_keys()
        await super().action_submit()


def field_stays(field: Input) -> None:
    """Whoever handled a field's Enter keeps the field (a refused value, a search): the keys
    typed behind the Enter are typed in it now."""
    if isinstance(field, OrderedInput):
        field.release_keys()


class OrderedTextArea(KeysInOrder, TextArea):
    """A TextArea that applies keys in order."""


class KeyLane:
    """The app's side: which widget a key read from the terminal goes to."""

    def __init__(self) -> None:
        self._last: KeysInOrder | None = None

    def route(self, app: App[Any], event: events.Event) -> bool:
        """Hand a key or paste the app has just read to an ordered field; False leaves it to
        the app's usual handling (no field of ours involved)."""
        if not isinstance(event, (events.Key, events.Paste)) or event.is_forwarded:
            return False
        last = self._last
        if last is not None and last.is_attached and last.has_keys_waiting:
            target: KeysInOrder = last  # the keys in front of this one are still there
        elif isinstance(app.focused, KeysInOrder):
            target = app.focused
        else:
            return False
        self._last = target
        app.app_focus = True
        target.take_key(event)
        return True
