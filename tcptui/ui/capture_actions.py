"""What one tab does with the bytes it captured: copy, save, resend or edit a message.

A message is the block under the log's cursor as the tab groups bytes (a read under `chunk`).

These act on the capture and the log's cursor, not on the connection (a resend goes out
through the tab's sender), so a saved session (--open) offers the same copy and save.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tcptui.capture.store import Direction
from tcptui.clipboard import copy_bytes_as_text
from tcptui.codec.composer_syntax import escape_for_composer
from tcptui.codec.formats import CopyFormat, format_bytes
from tcptui.codec.words import counted
from tcptui.ui.automation import ANSWER_BYTES
from tcptui.ui.copy_screen import CopyRequest, CopyScope, CopyScreen
from tcptui.ui.copying import CLIPBOARD_TEXT_CAP, NothingToCopy, bytes_to_copy, default_scope
from tcptui.ui.key_hints import key_for, key_hints
from tcptui.ui.receive_log import message_name
from tcptui.ui.save_screen import SaveResult, SaveScreen

if TYPE_CHECKING:
    from tcptui.ui.session_view import SessionView


class CaptureActions:
    """Copies, saves, resends and edits what one tab captured; knows how much a file holds."""

    def __init__(self, view: SessionView) -> None:
        self._view = view
        self.copy_format: CopyFormat = view.config.settings.copy_format
        self.saved_through = view.capture.total_bytes if view.opened_meta is not None else 0
        """Bytes of the capture a save (or the opened file) holds."""

    def copy(self, scope: CopyScope | None = None, fmt: CopyFormat | None = None) -> None:
        """Copy the selection (or the cursor's message) in the default format."""
        view = self._view
        cursor = view.receive_log.marks.cursor
        scope = scope or default_scope(cursor)
        fmt = fmt or self.copy_format
        try:
            data = bytes_to_copy(
                view.receive_log.units,
                cursor,
                scope,
                key_hints(view),
                view.config.settings.clipboard_cap,
            )
        except NothingToCopy as exc:
            view.notify(str(exc), title="Nothing copied", severity="warning", markup=False)
            return
        result = copy_bytes_as_text(
            format_bytes(data, fmt), view.app.copy_to_clipboard, CLIPBOARD_TEXT_CAP
        )
        source = f"{counted(len(data), 'byte')} as {fmt.value}"
        sentence = result.sentence(source, key_for(view, "capture.save"))
        if result.copied:
            view.notify(sentence, title="Copied", markup=False)
        else:
            view.notify(sentence, title="Not copied", severity="warning", markup=False)

    def ask_copy_as(self) -> None:
        """Ask what to copy and in which format (which may become the default)."""
        cursor = self._view.receive_log.marks.cursor
        screen = CopyScreen(
            default_scope(cursor), self.copy_format, has_selection=cursor.selection() is not None
        )
        self._view.app.push_screen(screen, self._copy_chosen)

    def _copy_chosen(self, request: CopyRequest | None) -> None:
        if request is None:
            return
        if request.make_default:
            self.copy_format = request.format
        self.copy(request.scope, request.format)

    def save(self, then: Callable[[bool], object] | None = None) -> None:
        """Open the save dialog; `then(saved)` runs once it closes."""
        view = self._view
        live = view.session is not None or view.opened_meta is None
        meta = view.session_facts.meta() if live else view.opened_meta
        through = view.capture.total_bytes  # what arrives while the dialog is open may not be

        def closed(result: SaveResult | None) -> None:
            if result is not None:
                view.notify(result.sentence(), title="Saved", markup=False)
            kept = result is not None and result.keeps_every_byte
            if kept:
                self.saved_through = max(self.saved_through, through)
            if then is not None:
                then(kept)

        screen = SaveScreen(
            view.capture,
            meta,
            script_target=view.automation.script_target() if live else None,
            first_chunk=view.automation.first_chunk,
            grouping=view.receive_log.units.grouping,
        )
        view.app.push_screen(screen, closed)

    def unsaved_bytes(self) -> int:
        """Captured bytes no file holds: what closing this tab would throw away."""
        view = self._view
        since_saved = max(0, view.capture.total_bytes - self.saved_through)
        if view.live_saver is not None:  # it writes what is received, as `nc > FILE`
            return min(since_saved, view.capture.stream_bytes(Direction.SENT))
        return since_saved

    def resend_chunk(self) -> None:
        """Send the sent message under the log's cursor again, byte for byte."""
        view = self._view
        unit = self.chunk_under_cursor()
        if unit is None:
            return
        units = view.receive_log.units
        message = units.unit(unit)
        if message.direction is not Direction.SENT:
            view.notify(
                f"Only sent messages can be resent; {key_for(view, 'log.edit')} puts any "
                "message in the composer.",
                severity="warning",
                markup=False,
            )
            return
        data = units.read(unit)
        if view.sender.send_bytes(data):
            view.notify(
                f"Resent {message_name(units, message.message)} ({counted(len(data), 'byte')}).",
                markup=False,
            )

    def edit_chunk(self) -> None:
        """Put the message under the cursor in the composer, as escaped text, to edit and send."""
        view = self._view
        unit = self.chunk_under_cursor()
        if unit is None:
            return
        data = view.receive_log.units.read(unit)
        view.composer.load_chunk(escape_for_composer(data, view.composer.encoding))
        view.composer.input.focus()

    def answer_chunk(self) -> None:
        """Add a responder whose pattern is the start of the message under the cursor."""
        unit = self.chunk_under_cursor()
        if unit is not None:
            view = self._view
            view.automation.ask_rule(view.receive_log.units.read(unit, 0, ANSWER_BYTES))

    def chunk_under_cursor(self) -> int | None:
        """The unit of the message the log's cursor is on; without one, say how to put the
        cursor there."""
        view = self._view
        offset = view.receive_log.marks.cursor.offset
        if offset is None or offset >= view.receive_log.units.total_bytes:
            focus, back, on = (
                key_for(view, name)
                for name in ("app.focus_next", "log.previous_chunk", "log.next_chunk")
            )
            view.notify(
                f"Put the cursor on a message in the log first ({focus}, then {back} and {on}).",
                severity="warning",
                markup=False,
            )
            return None
        return view.receive_log.units.unit_at(offset)
