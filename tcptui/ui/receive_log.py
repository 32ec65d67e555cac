"""The receive log: the text and hex views of one capture, side by side or one at a time.

Both views draw the same units (blocks under the tab's grouping, and connection events; see
GroupingChoice). In the dual layout, when one scrolls, the other moves to the same unit (and
the same part of it). On narrow terminals the pair stacks vertically; under the data inspector
the view without the focus may step aside (inspector_room.py).
"""

from __future__ import annotations

import threading
from typing import Literal

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.events import DescendantFocus, Resize
from textual.message import Message
from textual.widgets import Static

from tcptui.capture.log_units import LogUnits
from tcptui.capture.search import Pattern, search_capture
from tcptui.capture.store import Capture
from tcptui.codec.framing import Grouping, GroupingKind
from tcptui.ui.byte_marks import SearchMatches, SharedMarks
from tcptui.ui.grouping_choice import GroupingChoice
from tcptui.ui.inspector_panel import InspectorPanel
from tcptui.ui.inspector_room import InspectorRoom
from tcptui.ui.literal import literal
from tcptui.ui.row_gutter import COMPACT_GUTTER_CELLS, block_facts
from tcptui.ui.search_bar import SearchBar
from tcptui.ui.transcript_rows import HEX_WIDTH
from tcptui.ui.transcript_view import TranscriptView

STREAM = Grouping(GroupingKind.STREAM)
UNITS_BUDGET = 8 << 20
"""Bytes of new data grouped into blocks per take: framing reads them."""
Layout = Literal["dual", "text", "hex"]
LAYOUTS: tuple[Layout, ...] = ("dual", "text", "hex")
HEX_VIEW_WIDTH = HEX_WIDTH + 4
"""A hex view showing whole rows: the row, its border and its scroll bar."""
MIN_TEXT_VIEW_WIDTH = 40
STACK_BELOW_WIDTH = HEX_VIEW_WIDTH + MIN_TEXT_VIEW_WIDTH
"""Side by side, the hex view takes its rows' width and the text view the rest; narrower
than this, the views are stacked."""
VIEWS_NEED: dict[Layout, int] = {
    "dual": STACK_BELOW_WIDTH,
    "text": MIN_TEXT_VIEW_WIDTH,
    "hex": HEX_VIEW_WIDTH,
}
"""Columns each layout's views need: the data inspector goes beside them if they keep these."""


def message_name(units: LogUnits, message: int) -> str:
    """`message 12 of 40` (`chunk 12 of 40` under the chunk grouping)."""
    noun = "chunk" if units.grouping.kind is GroupingKind.CHUNK else "message"
    return f"{noun} {message + 1:,} of {units.messages:,}"


class ReceiveLog(Vertical):
    DEFAULT_CSS = f"""
    ReceiveLog {{ width: 1fr; height: 1fr; }}
    ReceiveLog #views {{ layout: horizontal; height: 1fr; }}
    ReceiveLog.-stacked #views {{ layout: vertical; }}
    ReceiveLog TranscriptView {{ width: 1fr; }}
    ReceiveLog.-dual #hex-view {{ width: {HEX_VIEW_WIDTH}; }}
    ReceiveLog.-dual.-compact #hex-view {{ width: {HEX_VIEW_WIDTH + COMPACT_GUTTER_CELLS}; }}
    ReceiveLog.-dual.-stacked #hex-view {{ width: 1fr; }}
    ReceiveLog.-text #hex-view {{ display: none; }}
    ReceiveLog.-hex #text-view {{ display: none; }}
    ReceiveLog #log-status {{ height: 1; color: $text-muted; padding: 0 1; }}
    """

    def __init__(
        self,
        capture: Capture,
        layout: Layout = "dual",
        timestamps: str = "local",
        ascii_only: bool = False,
        grouping: Grouping = STREAM,
        *,
        compact: bool = False,
        squeeze: bool = True,
    ) -> None:
        super().__init__(id="receive-log", classes=f"-{layout}")
        self.set_class(compact, "-compact")
        self.compact = compact
        self.squeeze = squeeze
        self.capture = capture
        self.grouping_choice = GroupingChoice(self, LogUnits(capture, grouping))
        self.view_layout: Layout = layout
        self.marks = SharedMarks()
        self.timestamps = timestamps
        self.ascii_only = ascii_only
        self._stop_search = threading.Event()
        self._search_origin: TranscriptView | None = None
        self.inspector_room = InspectorRoom(self)

    def compose(self) -> ComposeResult:
        with Container(id="views"):
            for mode in ("text", "hex"):
                yield TranscriptView(
                    self.grouping_choice.units,
                    mode,
                    self.marks,
                    timestamps=self.timestamps,
                    ascii_only=self.ascii_only,
                    compact=self.compact,
                    squeeze=self.squeeze,
                    id=f"{mode}-view",
                )
        yield InspectorPanel(self.capture, self.marks, self.ascii_only)
        yield SearchBar()
        yield Static("", id="log-status")

    def on_mount(self) -> None:
        """Group what the capture holds already (an opened file, a client's first bytes)."""
        self.refresh_data()

    @property
    def text_view(self) -> TranscriptView:
        return self.query_one("#text-view", TranscriptView)

    @property
    def hex_view(self) -> TranscriptView:
        return self.query_one("#hex-view", TranscriptView)

    @property
    def inspector(self) -> InspectorPanel:
        return self.query_one(InspectorPanel)

    def visible_views(self) -> list[TranscriptView]:
        return [view for view in (self.text_view, self.hex_view) if view.display]

    @property
    def units(self) -> LogUnits:
        """The units both views show."""
        return self.grouping_choice.units

    def refresh_data(self, catch_up: bool = True) -> bool:
        """Take in new chunks (see TranscriptView.refresh_data); True if some wait.

        They are indexed first, about a take's budget of bytes at a time; with `catch_up`
        the rest is indexed a slice per frame."""
        indexing = self.units.update(UNITS_BUDGET)
        pending = [view.refresh_data(catch_up) for view in (self.text_view, self.hex_view)]
        self.inspector.show_marks()  # bytes may have come where it showed the end
        if indexing and catch_up:
            self.call_after_refresh(self.refresh_data)
        return indexing or any(pending)

    def set_empty_hint(self, hint: str) -> None:
        """What an empty log says (whether a key connects depends on the tab's state)."""
        for view in (self.text_view, self.hex_view):
            if view.empty_hint != hint:
                view.empty_hint = hint
                view.refresh()

    def set_encoding(self, encoding: str) -> None:
        self.text_view.set_encoding(encoding)
        self.query_one(SearchBar).encoding = encoding

    def set_row_options(self, compact: bool, squeeze: bool) -> None:
        """Compact rows (a gutter, no headers) and squeezed hex rows, in both views."""
        self.compact, self.squeeze = compact, squeeze
        self.set_class(compact, "-compact")
        self._stack_for(self.size.width)
        for view in (self.text_view, self.hex_view):
            view.set_row_options(compact, squeeze)
        self.show_status()

    def toggle_compact(self) -> None:
        self.set_row_options(not self.compact, self.squeeze)
        self.notify("compact rows" if self.compact else "a header row per block", timeout=1.5)

    def toggle_squeeze(self) -> None:
        self.set_row_options(self.compact, not self.squeeze)
        shown = "repeated hex rows squeezed to *" if self.squeeze else "every hex row shown"
        self.notify(shown, timeout=1.5)

    def repaint(self) -> None:
        """Marks changed (cursor, selection, search): repaint both views and the status."""
        for view in (self.text_view, self.hex_view):
            view.refresh()
        self.show_status()
        self.inspector.show_marks()

    def show_status(self, extra: str = "") -> None:
        cursor = self.marks.cursor
        parts = []
        units = self.units
        if cursor.offset is not None and cursor.offset < units.total_bytes:
            unit = units.unit(units.unit_at(cursor.offset))
            local = cursor.offset - unit.offset
            value = self.capture.read(cursor.offset, 1)[0]
            parts.append(
                f"{message_name(units, unit.message)} byte {local:,} (0x{local:x}) = 0x{value:02x}"
            )
            if self.compact:  # what the block's header would say
                parts.append(block_facts(self.text_view.painter.reader, unit.index))
        selection = cursor.selection()
        if selection is not None:
            parts.append(f"selected {selection[1] - selection[0]:,} B")
        matches = self.marks.matches
        if matches is not None:
            state = "" if matches.complete else " (searching…)"
            current = f"{matches.current + 1}/" if matches.current >= 0 else ""
            parts.append(f"{matches.description}: {current}{len(matches):,} matches{state}")
        if extra:
            parts.append(extra)
        if self.grouping_choice.status():
            parts.append(self.grouping_choice.status())
        self.query_one("#log-status", Static).update(literal(" · ".join(parts)))

    @on(TranscriptView.CursorMoved)
    def _cursor_moved(self, event: TranscriptView.CursorMoved) -> None:
        self.repaint()
        if self.view_layout == "dual":
            self.keep_views_together(TranscriptView.Scrolled(event.view))

    def cycle_layout(self) -> Layout:
        following = LAYOUTS[(LAYOUTS.index(self.view_layout) + 1) % len(LAYOUTS)]
        self.set_layout(following)
        return following

    def set_layout(self, layout: Layout) -> None:
        self.remove_class(f"-{self.view_layout}")
        self.view_layout = layout
        self.add_class(f"-{layout}")
        self.inspector.place(self.size.width, VIEWS_NEED[layout])
        focused = self.app.focused
        if isinstance(focused, TranscriptView) and not focused.display:
            self.visible_views()[0].focus()
        self.inspector_room.fit()

    def on_resize(self, event: Resize) -> None:
        self._stack_for(event.size.width)

    def _stack_for(self, width: int) -> None:
        """Side by side where both views fit (the hex view wider by compact rows' gutter)."""
        gutter = COMPACT_GUTTER_CELLS if self.compact else 0
        self.set_class(width < STACK_BELOW_WIDTH + gutter, "-stacked")
        self.inspector.place(width, VIEWS_NEED[self.view_layout] + gutter)
        self.inspector_room.fit()

    @on(InspectorPanel.Reshaped)
    def _inspector_reshaped(self) -> None:
        self.inspector_room.fit()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """A view taking the focus becomes the inspected one (shown if it had stepped aside)."""
        if isinstance(event.widget, TranscriptView):
            self.inspector_room.inspected = event.widget
            self.inspector_room.fit()

    @on(TranscriptView.Scrolled)
    def keep_views_together(self, event: TranscriptView.Scrolled) -> None:
        """Move the other view to the unit (and the part of it) the scrolled view shows."""
        if self.view_layout != "dual":
            return
        source = event.view
        other = self.hex_view if source is self.text_view else self.text_view
        if source.following:
            other.action_follow()
            return
        ref = source.layout_rows.locate(round(source.scroll_y))
        if (
            ref is None
            or other.units is not source.units
            or ref.unit >= other.layout_rows.measured_units
        ):
            return
        byte_offset = source.painter.row_span(ref)[0] if ref.row >= 0 else 0
        other.scroll_to_byte(ref.unit, byte_offset, header=ref.row < 0)

    # -- search ------------------------------------------------------------------------------

    class SearchFinished(Message):
        def __init__(self, matches: SearchMatches) -> None:
            super().__init__()
            self.matches = matches

    def open_search(self) -> None:
        focused = self.app.focused
        if isinstance(focused, TranscriptView):
            self._search_origin = focused
        self.query_one(SearchBar).open()

    def _focus_origin(self) -> None:
        origin = self._search_origin
        (origin if origin is not None and origin.display else self.visible_views()[0]).focus()

    @on(TranscriptView.SearchRequested)
    def _search_requested(self) -> None:
        self.open_search()

    @on(TranscriptView.MatchStepRequested)
    def _match_step_requested(self, event: TranscriptView.MatchStepRequested) -> None:
        self.step_match(event.forward)

    @on(SearchBar.Reshaped)
    def _search_bar_reshaped(self) -> None:
        self.inspector_room.fit()

    @on(SearchBar.Closed)
    def _search_closed(self) -> None:
        self._focus_origin()

    @on(SearchBar.Submitted)
    def _search_submitted(self, event: SearchBar.Submitted) -> None:
        self._stop_search.set()
        self._stop_search = threading.Event()
        self.marks.matches = SearchMatches(event.pattern.description)
        self.show_status()
        self._search(event.pattern, self.marks.matches, self._stop_search)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, pattern: Pattern, matches: SearchMatches, stop: threading.Event) -> None:
        """Runs off the event loop: a gigabyte of spooled capture must not freeze the UI."""
        search_capture(self.capture, pattern, matches.add, stop.is_set)
        matches.complete = True
        self.post_message(self.SearchFinished(matches))

    @on(SearchFinished)
    def _search_finished(self, event: ReceiveLog.SearchFinished) -> None:
        if event.matches is not self.marks.matches:
            return
        if len(event.matches):
            self.step_match(forward=True, from_offset=-1)
            self.query_one(SearchBar).remove_class("-open")
            self._focus_origin()
        else:
            self.show_status()

    def step_match(self, forward: bool, from_offset: int | None = None) -> None:
        """Put the cursor on the next (or previous) match."""
        matches = self.marks.matches
        if matches is None or not len(matches):
            self.app.notify("No matches: search with /", severity="warning")
            return
        cursor = self.marks.cursor
        start = from_offset if from_offset is not None else (cursor.offset or 0)
        index = matches.step(start, forward)
        if index is None:
            return
        matches.current = index
        cursor.anchor = None
        cursor.offset = matches.starts[index]
        for view in self.visible_views():
            view.reveal_cursor()
        self.repaint()
