"""The data inspector: what the bytes at the log's cursor (or its selection) mean.

A list of readings (integers, floats, varints, times, addresses, characters, checksums) made by
the codec from a small window of the capture, read afresh when the cursor moves. The panel only
reads the shared marks: it never moves the cursor. It sits under the log (as high as
inspector_room.py lets it), or beside it when the log is wide enough for both; a short set of
rows is shown until `m` asks for all of them.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.style import Style
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.worker import get_current_worker

from tcptui.capture.store import Capture
from tcptui.clipboard import copy_bytes_as_text
from tcptui.codec.inspector import (
    DIGEST_LABELS,
    PAST_END,
    WINDOW,
    Row,
    ascii_text,
    digest_rows,
    length_row,
    value_rows,
)
from tcptui.ui.byte_marks import SharedMarks
from tcptui.ui.copying import CLIPBOARD_TEXT_CAP
from tcptui.ui.literal import literal
from tcptui.ui.transcript_view import TranscriptView

BESIDE_WIDTH = 40
"""Columns the panel takes beside the log: a label and a 32-bit value in decimal and hex."""
CURSOR_SHORT_SET = ("u16 LE", "u16 BE", "u32 LE", "u32 BE", "varint", "UTF-8")
SELECTION_SHORT_SET = ("length", "CRC-32", "SHA-256", "u32 LE", "u32 BE", "UTF-8")
HASH_INLINE_BYTES = 256 << 10
"""A selection up to this size is hashed at once, within a frame; a bigger one in a thread."""
HASH_CAP = 256 << 20
"""A selection bigger than this is not hashed: seconds of CPU for a checksum nobody asked for
on every cursor move. Save the bytes and hash the file instead."""
HASH_BLOCK = 1 << 20
_LABEL_STYLE = Style(bold=True)
_PAST_END_STYLE = Style(dim=True)

Span = tuple[int, int]
"""A [start, end) range of capture offsets."""


class InspectorPanel(OptionList):
    """Readings of the bytes under the log's cursor; Enter or `c` copies the highlighted one."""

    DEFAULT_CSS = f"""
    InspectorPanel {{
        display: none;
        height: auto;
        border: round $primary 40%;
        border-title-color: $text-muted;
        border-subtitle-color: $text-muted;
        padding: 0;
        scrollbar-size-vertical: 1;
    }}
    InspectorPanel:focus {{ border: round $primary; }}
    InspectorPanel.-beside {{ dock: right; width: {BESIDE_WIDTH}; height: 100%; max-height: 100%; }}
    """

    BINDINGS = [
        Binding("enter,c", "select", "Copy the value", id="inspector.copy"),
        Binding("m", "toggle_all", "All rows / fewer rows", id="inspector.all_rows"),
        Binding("escape", "leave", "Back to the log", id="inspector.back"),
        Binding("i", "leave(True)", "Close the inspector", id="inspector.close"),
    ]

    class Reshaped(Message):
        """The panel opened, closed or changed how many rows it holds: the log shares its
        rows again."""

    class DigestsReady(Message):
        """A thread has hashed a big selection."""

        def __init__(self, span: Span, rows: list[Row]) -> None:
            super().__init__()
            self.span = span
            self.rows = rows

    def __init__(self, capture: Capture, marks: SharedMarks, ascii_only: bool = False) -> None:
        super().__init__(id="inspector", markup=False)
        self.capture = capture
        self.marks = marks
        self.ascii_only = ascii_only
        self.all_rows = False
        self.rows: list[Row] = []
        """The readings shown, in the order of the options."""
        self._shown_for: tuple[object, ...] | None = None
        self._digests: tuple[Span, list[Row]] | None = None
        self._hashing: Span | None = None
        self._shape: tuple[bool, int, bool] = (False, 0, False)
        self.border_title = "inspector"
        self._set_subtitle()

    # -- showing -----------------------------------------------------------------------------

    def toggle(self) -> None:
        if self.has_focus:
            self.action_leave(close=True)  # from the palette: focus goes back to the log
            return
        self.display = not self.display
        self.show_marks()
        self._note_shape()

    def place(self, log_width: int, views_need: int) -> None:
        """Beside the log if the views keep the width they need, else under it."""
        self.set_class(log_width - BESIDE_WIDTH >= views_need, "-beside")

    def name_view_aside(self, hint: str) -> None:
        """Say in the title which view stepped aside for the panel and how to show it: a
        hidden view is otherwise forgotten."""
        self.border_title = literal(f"inspector · {hint}") if hint else "inspector"

    def action_toggle_all(self) -> None:
        self.all_rows = not self.all_rows
        self._set_subtitle()
        self.show_marks()
        self._note_shape()

    def _set_subtitle(self) -> None:
        self.border_subtitle = f"m {'fewer' if self.all_rows else 'all'} rows · c copies"

    def show_marks(self) -> None:
        """Read the bytes at the cursor (or the selection) again, if anything changed."""
        if not self.display:
            return
        cursor = self.marks.cursor
        selection = cursor.selection()
        total = self.capture.total_bytes
        if selection is None and (cursor.offset is None or cursor.offset >= total):
            self._show_note("Move the cursor in the log: what the bytes there mean shows here.")
            return
        start, end = selection if selection is not None else (cursor.offset or 0, total)
        window_end = min(end, start + WINDOW)
        key = (start, window_end, selection, self.all_rows, self._digests)
        if key == self._shown_for:
            return
        self._shown_for = key
        rows = value_rows(self.capture.read(start, window_end - start))
        if selection is not None:
            rows = [*self._digest_rows(selection), *rows]
        shown = SELECTION_SHORT_SET if selection is not None else CURSOR_SHORT_SET
        self._show_rows(rows if self.all_rows else [row for row in rows if row.label in shown])

    def _show_note(self, note: str) -> None:
        if self._shown_for == (note,):
            return
        self._shown_for = (note,)
        self.rows = []
        self.set_options([Text(note, style=_PAST_END_STYLE)])
        self._note_shape()

    def _show_rows(self, rows: list[Row]) -> None:
        index = self.highlighted
        highlighted = self.rows[index].label if index is not None and index < len(self.rows) else ""
        labels = [row.label for row in rows]
        self.rows = rows
        label_width = max(map(len, labels), default=0) + 2
        self.set_options(self._prompt(row, label_width) for row in rows)
        self.highlighted = labels.index(highlighted) if highlighted in labels else 0
        self._note_shape()

    def _note_shape(self) -> None:
        shape = (self.display, self.option_count, self.all_rows)
        if shape != self._shape:
            self._shape = shape
            self.post_message(self.Reshaped())

    def _prompt(self, row: Row, label_width: int) -> Text:
        label, value = row
        if self.ascii_only:
            label, value = ascii_text(label), ascii_text(value)
        return Text.assemble(
            (label.ljust(label_width), _LABEL_STYLE),
            (value, _PAST_END_STYLE if value == PAST_END else ""),
        )

    # -- checksums of a selection ------------------------------------------------------------

    def _digest_rows(self, span: Span) -> list[Row]:
        """The selection's checksums: known, computed now (small), or computing (big)."""
        if self._digests is not None and self._digests[0] == span:
            return self._digests[1]
        start, end = span
        size = end - start
        if size > HASH_CAP:
            note = f"not computed: over {HASH_CAP >> 20} MiB selected"
            return [length_row(size), *(Row(label, note) for label in DIGEST_LABELS)]
        if size <= HASH_INLINE_BYTES:
            rows = digest_rows([self.capture.read(start, size)])
            self._digests = span, rows
            return rows
        if self._hashing != span:
            self._hashing = span
            self._hash_selection(span)
        note = f"computing ({size / (1 << 20):.1f} MiB)…"
        return [length_row(size), *(Row(label, note) for label in DIGEST_LABELS)]

    @work(thread=True, exclusive=True, group="inspector-hash", exit_on_error=False)
    def _hash_selection(self, span: Span) -> None:
        """Off the event loop; a newer selection cancels it (exclusive) between blocks."""
        worker = get_current_worker()

        def blocks() -> Iterator[bytes]:
            offset, end = span
            while offset < end and not worker.is_cancelled:
                block = self.capture.read(offset, min(HASH_BLOCK, end - offset))
                if not block:
                    return
                offset += len(block)
                yield block

        try:
            rows = digest_rows(blocks())
        except ValueError:
            return  # the capture was closed: the tab is going away
        if not worker.is_cancelled:
            self.post_message(self.DigestsReady(span, rows))

    def on_inspector_panel_digests_ready(self, event: DigestsReady) -> None:
        if event.span == self._hashing:
            self._hashing = None
        if event.span == self.marks.cursor.selection():
            self._digests = event.span, event.rows
            self.show_marks()

    # -- keys --------------------------------------------------------------------------------

    def action_select(self) -> None:
        """Copy the highlighted reading's value (Enter, `c`, or a click)."""
        if self.highlighted is None or self.highlighted >= len(self.rows):
            return
        label, value = self.rows[self.highlighted]
        if value == PAST_END:
            self.notify(f"No {label} here: it runs past the end of the bytes.", markup=False)
            return
        result = copy_bytes_as_text(value, self.app.copy_to_clipboard, CLIPBOARD_TEXT_CAP)
        self.notify(
            f"{label}: {result.sentence()}",
            title="Copied" if result.copied else "Not copied",
            severity="information" if result.copied else "warning",
            markup=False,
        )

    def action_leave(self, close: bool = False) -> None:
        """Back to the log's view (the one before this panel), closing the panel if asked."""
        self.screen.focus_previous(TranscriptView)
        if close:
            self.display = False
            self._note_shape()
