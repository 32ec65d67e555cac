"""The receive log: a Line-API view of the capture as a transcript of chunks, in text or hex.

Only visible rows are painted, from the Capture, through small caches (DESIGN.md fact 5). The
view follows new data while it is scrolled to the bottom, and says how much arrived unseen
when the user has scrolled up. A byte cursor and a selection, shared with the companion view,
move with the keyboard; mouse selection works through `get_selection` (DESIGN.md fact 6).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Literal, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.filter import ANSIToTruecolor, LineFilter
from textual.geometry import Offset, Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

from tcptui.capture.store import Capture
from tcptui.codec.hexdump import BYTES_PER_ROW, view_row_bytes
from tcptui.ui.bordered_rows import BorderedRowsCache
from tcptui.ui.byte_cursor import (
    jump_to_first_byte,
    jump_to_last_byte,
    move_by_pages,
    move_by_rows,
    place_on_focus,
)
from tcptui.ui.byte_marks import SharedMarks, marks_for_span
from tcptui.ui.painted_scrollbar import PaintedScrollBars
from tcptui.ui.textual_internals import update_scrollbars, use_styles_cache
from tcptui.ui.transcript_layout import HEADER_ROWS, RowRef, TranscriptLayout
from tcptui.ui.transcript_rows import (
    ASCII_GLYPHS,
    UNICODE_GLYPHS,
    ChunkReader,
    HexPainter,
    Marks,
    TextPainter,
)

ViewMode = Literal["text", "hex"]
_STRIP_CACHE_SIZE = 256
MAX_MOUSE_SELECTION_ROWS = 20_000
MEASURE_BUDGET = 0.008
"""Seconds of measuring new chunks at a time: the rest waits for the next frame (or take)."""
REMEASURE_SLICE = 0.03
"""Seconds of measuring the whole capture again for a new width before the UI gets its turn.
A capture bigger than that is measured in slices, the old rows staying on screen until the
new ones are all known: measured at once, a resize of a big capture froze the UI."""
REMEASURE_PAUSE = 0.005
"""Seconds between two slices: frames and keys get through."""
REMEASURING_NOTE = "measuring rows for the new width…"
EMPTY_HINT = "Nothing yet: bytes you send and receive appear here."
EMPTY_HINT_STYLE = Style(color="#6c6c6c", italic=True)


class _FrameFacts(NamedTuple):
    """What every row of a frame needs from the widget, looked up once per frame."""

    scroll: Offset
    width: int
    style: Style
    selection: Selection | None


class TranscriptView(ScrollView, PaintedScrollBars, can_focus=True):
    """Chunks as rows: a header per chunk, then its text rows or hex rows."""

    DEFAULT_CSS = """
    TranscriptView {
        height: 1fr;
        border: round $primary 40%;
        border-title-color: $text-muted;
        border-subtitle-color: $warning;
        background: $surface;
        scrollbar-gutter: stable;
    }
    TranscriptView:focus { border: round $primary; }
    """

    BINDINGS = [
        Binding("end,ctrl+end,G", "cursor_last", "Follow tail", id="log.follow"),
        Binding("home,ctrl+home,g", "cursor_first", "Top", show=False, id="log.top"),
        Binding("pageup", "move_pages(-1)", "Page up", show=False, id="log.page_up"),
        Binding("pagedown", "move_pages(1)", "Page down", show=False, id="log.page_down"),
        Binding("left", "move_bytes(-1)", "Byte left", show=False, id="log.cursor_left"),
        Binding("right", "move_bytes(1)", "Byte right", show=False, id="log.cursor_right"),
        Binding("up", "move_rows(-1)", "Row up", show=False, id="log.cursor_up"),
        Binding("down", "move_rows(1)", "Row down", show=False, id="log.cursor_down"),
        Binding(
            "shift+left", "move_bytes(-1, True)", "Select left", show=False, id="log.select_left"
        ),
        Binding(
            "shift+right", "move_bytes(1, True)", "Select right", show=False, id="log.select_right"
        ),
        Binding("shift+up", "move_rows(-1, True)", "Select up", show=False, id="log.select_up"),
        Binding(
            "shift+down", "move_rows(1, True)", "Select down", show=False, id="log.select_down"
        ),
        Binding(
            "left_square_bracket,ctrl+up",
            "move_chunks(-1)",
            "Previous chunk",
            id="log.previous_chunk",
        ),
        Binding(
            "right_square_bracket,ctrl+down", "move_chunks(1)", "Next chunk", id="log.next_chunk"
        ),
        Binding("v", "toggle_selection", "Select", id="log.select"),
        Binding("a", "select_chunk", "Select chunk", show=False, id="log.select_chunk"),
        Binding(
            "escape", "clear_selection", "Clear selection", show=False, id="log.clear_selection"
        ),
        Binding("c", "session('copy')", "Copy", id="log.copy"),
        Binding("r", "session('resend_chunk')", "Resend", show=False, id="log.resend"),
        Binding("o", "toggle_offsets", "Offsets", show=False, id="log.offsets"),
        Binding("e", "session('edit_chunk')", "Edit in composer", show=False, id="log.edit"),
        Binding("slash", "search", "Search", id="log.search"),
        Binding("question_mark", "app.toggle_help", "Help", show=False, id="log.help"),
        Binding("n", "next_match(True)", "Next match", show=False, id="log.next_match"),
        Binding("N", "next_match(False)", "Previous match", show=False, id="log.previous_match"),
        Binding("C", "session('copy_as')", "Copy as…", show=False, id="log.copy_as"),
        Binding(
            "i", "session('toggle_inspector')", "Data inspector", show=False, id="log.inspector"
        ),
    ]

    following: reactive[bool] = reactive(True)

    class CursorMoved(Message):
        """The shared cursor or selection changed: companions repaint, status updates."""

        def __init__(self, view: TranscriptView) -> None:
            super().__init__()
            self.view = view

    class SessionActionRequested(Message):
        """A key in the log asks the connection's view to act (copy, resend, edit…)."""

        def __init__(self, action: str) -> None:
            super().__init__()
            self.action = action

    class SearchRequested(Message):
        pass

    class MatchStepRequested(Message):
        def __init__(self, forward: bool) -> None:
            super().__init__()
            self.forward = forward

    class Scrolled(Message):
        """The user moved this view; a companion view (the dual layout) may follow."""

        def __init__(self, view: TranscriptView) -> None:
            super().__init__()
            self.view = view

    def __init__(
        self,
        capture: Capture,
        mode: ViewMode = "text",
        marks: SharedMarks | None = None,
        *,
        timestamps: str = "local",
        ascii_only: bool = False,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.empty_hint = EMPTY_HINT
        """Row 0 of an empty log: the session view says what to do next (see ReceiveLog)."""
        use_styles_cache(self, BorderedRowsCache())
        self.mode: ViewMode = mode
        self.capture = capture
        self.encoding = "utf-8"
        self.stream_offsets = False
        glyphs = ASCII_GLYPHS if ascii_only else UNICODE_GLYPHS
        self._reader = ChunkReader(capture, timestamps, glyphs)
        self._painter: TextPainter | HexPainter = self._make_painter(wrap=80)
        self.layout_rows = TranscriptLayout(capture, self._painter.count_rows)
        self.marks = marks or SharedMarks()
        self._strips: LRUCache[tuple[RowRef, Marks], Strip] = LRUCache(_STRIP_CACHE_SIZE)
        self._painting = False
        self._unseen_note = ""
        self._frame = _FrameFacts(Offset(0, 0), 0, Style(), None)
        self._widest = 0
        self._bytes_when_left_bottom = 0
        self._quiet = False
        self._selecting = False
        self._catching_up = False
        self._remeasuring: tuple[TextPainter | HexPainter, TranscriptLayout] | None = None
        """The painter and rows for a new width, while a big capture is measured for it."""
        self._sized = False
        """Whether the view has had a size. Text rows cannot be cut without a width: until
        then a text view measures and paints nothing. It takes its first size when first
        painted (Textual lays out, paints, and only then sends Resize), so the first frame
        already shows the text. Hex rows need no width, shown or hidden."""
        self.border_title = f"{mode} view"

    # -- setup -------------------------------------------------------------------------------

    def _make_painter(self, wrap: int) -> TextPainter | HexPainter:
        if self.mode == "hex":
            return HexPainter(self._reader, self.stream_offsets, self._hex_row_bytes())
        return TextPainter(self._reader, wrap, self.encoding)

    def set_encoding(self, encoding: str) -> None:
        """Decode the text view with another encoding; no byte is dropped either way."""
        self.encoding = encoding
        self._rebuild()

    def action_toggle_offsets(self) -> None:
        per_stream = self.toggle_stream_offsets()
        self.notify(
            "Hex offsets count "
            + ("along each direction's stream" if per_stream else "from the start of each chunk"),
            timeout=2,
        )

    def toggle_stream_offsets(self) -> bool:
        """Hex offsets per chunk, or per direction stream (running totals, like socat -x)."""
        self.stream_offsets = not self.stream_offsets
        self._rebuild()
        return self.stream_offsets

    def _wrap_width(self) -> int:
        return max(8, self.scrollable_content_region.width - TextPainter.gutter_width)

    def _hex_row_bytes(self) -> int:
        """The most bytes a whole hex row may show in this view (16 before it has a width)."""
        width = self.scrollable_content_region.width
        return view_row_bytes(width) if width else BYTES_PER_ROW

    def on_resize(self) -> None:
        if self._take_first_size():
            return
        self._sized = True
        if isinstance(self._painter, HexPainter):
            self._fit_hex_rows()
            return
        width = self._wrap_width()
        if isinstance(self._painter, TextPainter) and self._painter.wrap == width:
            self._stop_remeasuring()  # back to the width on screen: nothing to measure
        measuring = self._remeasuring[0] if self._remeasuring else self._painter
        if isinstance(measuring, TextPainter) and measuring.wrap != width:
            self._rebuild(sliced=True)
        else:
            self._update_virtual_size()

    def _fit_hex_rows(self) -> None:
        """A new width: whole hex rows of as many bytes as fit (16, 8 or 4)."""
        row_bytes = self._hex_row_bytes()
        painter = self._painter
        if isinstance(painter, HexPainter) and painter.row_bytes == row_bytes:
            self._stop_remeasuring()
        measuring = self._remeasuring[0] if self._remeasuring else self._painter
        if isinstance(measuring, HexPainter) and measuring.row_bytes != row_bytes:
            self._rebuild(sliced=True)
        else:
            self._update_virtual_size()

    def _take_first_size(self) -> bool:
        """Measure the text for the first width this view has; False if it had one already.

        A flood may have brought a lot before the first frame: what one slice does not
        measure is shown as it is measured, as under a flood."""
        if not self._waits_for_width:
            return False
        self._sized = True
        self._rebuild(first=True)
        if self.has_focus:
            self.reveal_cursor()  # it got the focus before it had a size
        return True

    @property
    def _waits_for_width(self) -> bool:
        return not self._sized and self.mode == "text"

    def get_line_filters(self) -> Sequence[LineFilter]:
        """The app's line filters, less ANSI-to-truecolor while it would change nothing here.

        That filter rebuilds every segment of every new row, a cost paid after every jump and
        on every take of a flood. The painters use truecolor only (a test checks);
        the widget's CSS colours are checked here, as an ANSI theme makes them ANSI.
        """
        filters = super().get_line_filters()
        if self._css_colours_are_truecolor():
            return [
                line_filter
                for line_filter in filters
                if not isinstance(line_filter, ANSIToTruecolor)
            ]
        return filters

    def _css_colours_are_truecolor(self) -> bool:
        styles = self.styles
        colours = [
            *self.background_colors,
            styles.color,
            styles.border_title_color,
            styles.border_title_background,
            styles.border_subtitle_color,
            styles.border_subtitle_background,
            *(colour for _, colour in styles.border),
        ]
        selection = self.screen.get_component_rich_style("screen--selection")  # mouse drags
        return (
            all(colour.ansi is None for colour in colours)
            and all(colour.triplet for colour in (selection.color, selection.bgcolor) if colour)
            and not (self.rich_style.dim or selection.dim)
        )

    @property
    def painter(self) -> TextPainter | HexPainter:
        return self._painter

    def _rebuild(self, sliced: bool = False, first: bool = False) -> None:
        """Measure everything again: the mode, the encoding or the wrap width changed.

        `sliced` (a new width): past REMEASURE_SLICE the rest is measured in slices between
        frames, and the rows for the old width stay on screen until then. `first` (the first
        width): the rest is measured a slice per frame after the rows are shown. Either way
        the chunks that arrive meanwhile are measured afterwards, as new data: under a flood
        the measuring would otherwise never end.
        """
        self._remeasuring = None  # one under way is for a width that is gone
        painter = self._make_painter(self._wrap_width())
        if self._waits_for_width:
            self._painter = painter
            return
        layout = TranscriptLayout(self.capture, painter.count_rows)
        until = len(self.capture)
        layout.update(REMEASURE_SLICE if sliced or first else None, until)
        if sliced and layout.measured_chunks < until:
            self._remeasuring = painter, layout
            self._show_unseen()
            self.set_timer(REMEASURE_PAUSE, partial(self._remeasure_slice, painter, layout, until))
            return
        self._adopt(painter, layout)
        self.refresh_data()

    def _remeasure_slice(
        self, painter: TextPainter | HexPainter, layout: TranscriptLayout, until: int
    ) -> None:
        if self._remeasuring != (painter, layout):
            return  # another width (or mode) came since
        layout.update(REMEASURE_SLICE, until)
        if layout.measured_chunks < until:
            self.set_timer(REMEASURE_PAUSE, partial(self._remeasure_slice, painter, layout, until))
            return
        self._stop_remeasuring()
        self._adopt(painter, layout, quiet=True)
        self.refresh_data()

    def _stop_remeasuring(self) -> None:
        if self._remeasuring is not None:
            self._remeasuring = None
            self._show_unseen()

    def _adopt(
        self, painter: TextPainter | HexPainter, layout: TranscriptLayout, quiet: bool = False
    ) -> None:
        """Show the rows of a new painter, measured in `layout`: the byte at the top stays at
        the top (or the tail in view, when following), and a cursor on screen stays on it.

        `quiet` (rows measured in slices, adopted later): the other view is not told to
        follow, as the person may have moved it meanwhile.
        """
        top = self.layout_rows.locate(round(self.scroll_y))
        top_byte = None if top is None or top.row < 0 else self._painter.row_span(top)[0]
        cursor_row = None if self.following or not self.has_focus else self.cursor_row()
        # `<=`: narrowed, the old rows may have brought a scroll bar that took the last row.
        height = self.scrollable_content_region.height
        cursor_shown = cursor_row is not None and 0 <= cursor_row - self.scroll_y <= height
        if top is not None and not self.following and top.chunk >= layout.measured_chunks:
            layout.measure_through(top.chunk)  # it came while the new rows were measured
        self._painter = painter
        self.layout_rows.take(layout)
        self._show_unseen()
        self._strips.clear()
        self._widest = 0
        self._update_virtual_size()
        if not self.following and top is not None:
            row = self.layout_rows.first_row(top.chunk)
            if top_byte is not None:
                row += HEADER_ROWS + painter.row_of_byte(top.chunk, top_byte)
            self._quiet = quiet
            try:
                self.scroll_to(y=row, animate=False, immediate=True, force=True)
            finally:
                self._quiet = False
        if cursor_shown:
            self.reveal_cursor()
        self.refresh()

    def _update_virtual_size(self) -> None:
        painter = self._painter
        content = painter.row_cells if isinstance(painter, HexPainter) else self._painter_width()
        size = Size(max(content, self._widest), self.layout_rows.total_rows)
        old = self.virtual_size
        if self.show_vertical_scrollbar and size.width == old.width and size.height >= old.height:
            # Rows added below a view that already scrolls: the scrollbars need new extents,
            # not a layout of the whole screen, which setting `virtual_size` asks for (a
            # reflow of every widget on each take of a flood, which slows its frames).
            self.set_reactive(TranscriptView.virtual_size, size)
            update_scrollbars(self, size)
            self.refresh()
        else:
            self.virtual_size = size
        if self.following:
            self._scroll_to_tail()

    def _widen(self) -> None:
        """A row is wider than the view: allow horizontal scrolling, and keep the tail visible
        once the new scrollbar has taken its row."""
        self._update_virtual_size()
        if self.following:
            self.call_after_refresh(self._scroll_to_tail)

    def _painter_width(self) -> int:
        wrap = self._painter.wrap if isinstance(self._painter, TextPainter) else 0
        return wrap + TextPainter.gutter_width

    # -- new data ----------------------------------------------------------------------------

    def refresh_data(self, catch_up: bool = True) -> bool:
        """Take in chunks that arrived; keep the tail in view if we were following it.

        Measuring stops after MEASURE_BUDGET; True means some chunks are left unmeasured. With
        `catch_up` they are measured a slice per frame; without, the caller comes back for
        them (the live log does, at the pace of its takes).
        """
        if self._waits_for_width:
            return False  # the first resize measures all there is then
        grew = self.layout_rows.update(MEASURE_BUDGET)
        pending = self.layout_rows.pending
        if pending and catch_up and not self._catching_up:
            self._catching_up = True
            self.call_after_refresh(self._catch_up)
        if grew:
            self._update_virtual_size()
            self._show_unseen()
            self.refresh()
        return pending

    def _first_row(self, chunk: int) -> int:
        """The row of `chunk`'s header. Under a flood this view may not have measured that far
        yet (the other view, or the capture, has): measure up to it first."""
        if chunk >= self.layout_rows.measured_chunks:
            self.layout_rows.measure_through(chunk)
            self._update_virtual_size()
            self._show_unseen()
            self.refresh()
        return self.layout_rows.first_row(chunk)

    def _catch_up(self) -> None:
        """Measure what a flood left unmeasured, a slice per frame, so keys still get through."""
        self._catching_up = False
        self.refresh_data()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        at_bottom = round(new_value) >= self.max_scroll_y
        if at_bottom != self.following:
            if not at_bottom:
                self._bytes_when_left_bottom = self.capture.total_bytes
            self.following = at_bottom
            self._show_unseen()
        if not self._quiet and round(old_value) != round(new_value):
            self.post_message(self.Scrolled(self))

    def scroll_to_byte(self, chunk: int, offset: int, *, header: bool = False) -> None:
        """Put the row showing byte `offset` of `chunk` at the top, without echoing it back."""
        row = self._first_row(chunk)
        if not header:
            row += 1 + self._painter.row_of_byte(chunk, offset)
        self._quiet = True
        try:
            self.scroll_to(y=row, animate=False, immediate=True, force=True)
        finally:
            self._quiet = False

    def _show_unseen(self) -> None:
        unseen = self.capture.total_bytes - self._bytes_when_left_bottom
        note = (
            "" if self.following or unseen <= 0 else f"▼ {unseen:,} new bytes below · End to follow"
        )
        if self._remeasuring is not None:
            note = REMEASURING_NOTE
        if note != self._unseen_note:  # setting a border title repaints every row of the view
            self._unseen_note = note
            self.border_subtitle = note

    def _scroll_to_tail(self) -> None:
        # force: the scrollbar may not be shown yet when the first rows arrive.
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)

    def action_follow(self) -> None:
        self._scroll_to_tail()
        self.following = True
        self._show_unseen()

    # -- painting ----------------------------------------------------------------------------

    def strip_for(self, ref: RowRef, marks: Marks = ()) -> Strip:
        """Row `ref` painted with `marks` (cursor, selection, matches), from a cache."""
        key = (ref, marks)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._painter.paint(ref, marks)
            self._strips[key] = strip
        return strip

    def _marks_for(self, ref: RowRef) -> Marks:
        if ref.row < 0:
            return ()
        base = self._reader.chunk(ref.chunk).offset
        start, end = self._painter.row_span(ref)
        return marks_for_span(
            base + start,
            base + end,
            self.marks.cursor,
            self.marks.matches,
            show_cursor=self.has_focus,
        )

    def row_text(self, y: int) -> str:
        """The plain text of transcript row `y`, as painted (no marks)."""
        ref = self.layout_rows.locate(y)
        return "" if ref is None else self.strip_for(ref).text

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._waits_for_width and self.size.width:
            self._take_first_size()  # the layout has given the view its size
        self._frame = self._frame_facts()  # walks the DOM: once a frame, not once a row
        self._painting = True
        try:
            return super().render_lines(crop)
        finally:
            self._painting = False

    def _frame_facts(self) -> _FrameFacts:
        return _FrameFacts(
            self.scroll_offset,
            self.scrollable_content_region.width,
            self.rich_style,
            self.text_selection,
        )

    def render_line(self, y: int) -> Strip:
        """A row as painted; outside painting, with the "offset" meta mouse selection reads.

        Textual finds the text under the mouse by calling `render_line` and reading each
        segment's offset meta. Painted rows go without it: a meta per segment makes every
        segment's style unique, which defeats Textual's per-style caches on the way to the
        screen.
        """
        line = self._painted_line(y)
        if self._painting:
            return line
        scroll_x, scroll_y = self.scroll_offset
        return line.apply_offsets(scroll_x, scroll_y + y)

    def _painted_line(self, y: int) -> Strip:
        (scroll_x, scroll_y), width, style, selection = (
            self._frame if self._painting else self._frame_facts()
        )
        if self._waits_for_width:
            return Strip.blank(width, style)
        row = scroll_y + y
        ref = self.layout_rows.locate(row)
        if ref is None:
            if row == 0:
                hint = Segment(f" {self.empty_hint}", EMPTY_HINT_STYLE)
                return Strip([hint]).crop_extend(0, width, style)
            return Strip.blank(width, style)
        strip = self.strip_for(ref, self._marks_for(ref))
        if strip.cell_length > self._widest:
            self._widest = strip.cell_length
            self.call_after_refresh(self._widen)
        span = selection.get_span(row) if selection is not None else None
        if span is not None:
            strip = _highlight(
                strip, span, self.screen.get_component_rich_style("screen--selection")
            )
        return strip.crop_extend(scroll_x, scroll_x + width, style)  # cached by the Strip

    # -- mouse selection ---------------------------------------------------------------------

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The painted text under a mouse selection, capped: a double-click selects it all."""
        first = selection.start.y if selection.start is not None else 0
        last = selection.end.y if selection.end is not None else self.layout_rows.total_rows - 1
        last = min(last, first + MAX_MOUSE_SELECTION_ROWS - 1, self.layout_rows.total_rows - 1)
        text = "\n".join(self.row_text(y) for y in range(first, last + 1))
        shifted = Selection(
            None if selection.start is None else selection.start._replace(y=0),
            None if selection.end is None else selection.end._replace(y=last - first),
        )
        return shifted.extract(text), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    # -- the keyboard cursor -----------------------------------------------------------------

    def on_focus(self) -> None:
        place_on_focus(self)
        self._cursor_changed()

    def on_blur(self) -> None:
        self.refresh()

    def cursor_place(self, offset: int) -> tuple[RowRef, int]:
        """The content row showing capture byte `offset`, and the byte's column in that row."""
        index = self.capture.chunk_index_at(offset)
        local = offset - self.capture.chunk(index).offset
        ref = RowRef(index, self._painter.row_of_byte(index, local))
        return ref, local - self._painter.row_span(ref)[0]

    def set_cursor(self, offset: int, extend: bool = False) -> None:
        cursor = self.marks.cursor
        if not self.capture.total_bytes:
            return
        if extend and cursor.anchor is None:
            cursor.anchor = cursor.offset
        elif not extend and not self._selecting:
            cursor.anchor = None
        cursor.offset = max(0, min(offset, self.capture.total_bytes - 1))
        self._cursor_changed()

    def action_session(self, action: str) -> None:
        self.post_message(self.SessionActionRequested(action))

    def action_search(self) -> None:
        self.post_message(self.SearchRequested())

    def action_next_match(self, forward: bool) -> None:
        self.post_message(self.MatchStepRequested(forward))

    def _cursor_changed(self) -> None:
        self.reveal_cursor()
        self.refresh()
        self.post_message(self.CursorMoved(self))

    def cursor_row(self) -> int | None:
        """The transcript row of the cursor; None without a cursor."""
        if self.marks.cursor.offset is None or not self.capture.total_bytes:
            return None
        ref, _ = self.cursor_place(self.marks.cursor.offset)
        return self._first_row(ref.chunk) + HEADER_ROWS + ref.row

    def reveal_cursor(self) -> None:
        """Scroll so the cursor's row is on screen."""
        row = self.cursor_row()
        if row is not None:
            height = self.scrollable_content_region.height
            if row < self.scroll_y:
                self.scroll_to(y=row, animate=False, immediate=True, force=True)
            elif row >= self.scroll_y + height:
                self.scroll_to(y=row - height + 1, animate=False, immediate=True, force=True)

    def action_move_bytes(self, delta: int, extend: bool = False) -> None:
        current = self.marks.cursor.offset
        self.set_cursor(0 if current is None else current + delta, extend)

    def action_move_rows(self, delta: int, extend: bool = False) -> None:
        move_by_rows(self, delta, extend)

    def action_move_pages(self, delta: int) -> None:
        move_by_pages(self, delta)

    def action_cursor_first(self) -> None:
        jump_to_first_byte(self)

    def action_cursor_last(self) -> None:
        jump_to_last_byte(self)

    def action_move_chunks(self, delta: int) -> None:
        if not self.capture.total_bytes:
            return
        current = self.marks.cursor.offset or 0
        index = self.capture.chunk_index_at(current) + delta
        index = max(0, min(index, len(self.capture) - 1))
        self.set_cursor(self.capture.chunk(index).offset, extend=False)

    def action_toggle_selection(self) -> None:
        """Start a selection at the cursor (like vim's visual mode), or end it."""
        cursor = self.marks.cursor
        self._selecting = not self._selecting
        if self._selecting:
            cursor.anchor = cursor.offset
        self._cursor_changed()

    def action_select_chunk(self) -> None:
        if self.marks.cursor.offset is None:
            return
        chunk = self.capture.chunk(self.capture.chunk_index_at(self.marks.cursor.offset))
        self.marks.cursor.anchor = chunk.offset
        self.marks.cursor.offset = chunk.end - 1
        self._cursor_changed()

    def action_clear_selection(self) -> None:
        self._selecting = False
        self.marks.cursor.anchor = None
        self._cursor_changed()


def _highlight(strip: Strip, span: tuple[int, int], style: Style) -> Strip:
    start, end = span
    end = strip.cell_length if end == -1 else end
    return Strip.join(
        [
            strip.crop(0, start),
            strip.crop(start, end).apply_style(style),
            strip.crop(end, strip.cell_length),
        ]
    )
