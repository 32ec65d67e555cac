"""The receive log: a Line-API view of the capture as a transcript of units, in text or hex.

A unit is a block of bytes under the tab's grouping (a message, a stream run, a read) or a
connection event (capture/log_units.py).

Only visible rows are painted, from the Capture, through small caches (DESIGN.md fact 5). The
widget composes its parts and routes their news: measuring rows for its width (RowMeasuring),
following the tail (TailFollowing), and the byte cursor and selections (ByteCursor).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.filter import ANSIToTruecolor, LineFilter
from textual.geometry import Offset, Region
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

from tcptui.capture.log_units import LogUnits
from tcptui.capture.store import Capture
from tcptui.codec.hex_squeeze import RowSpan
from tcptui.codec.hexdump import BYTES_PER_ROW, VIEW_ROW_BYTES, view_row_bytes, view_row_cells
from tcptui.ui.bordered_rows import BorderedRowsCache
from tcptui.ui.byte_cursor import ByteCursor
from tcptui.ui.byte_marks import Marks, SharedMarks, marks_for_span
from tcptui.ui.log_glyphs import ASCII_GLYPHS, DIRECTION_STYLES, UNICODE_GLYPHS
from tcptui.ui.painted_scrollbar import PaintedScrollBars
from tcptui.ui.recent_cache import RecentCache
from tcptui.ui.row_gutter import NARROW_GUTTER_CELLS, TimeGutter, compact_gutter_cells
from tcptui.ui.row_measuring import REMEASURING_NOTE as REMEASURING_NOTE
from tcptui.ui.row_measuring import MeasurePacing, RowMeasuring
from tcptui.ui.squeezed_hex import star_marks
from tcptui.ui.tail_following import TailFollowing
from tcptui.ui.textual_internals import use_styles_cache
from tcptui.ui.transcript_layout import RowRef
from tcptui.ui.transcript_rows import HexPainter, RowKey, TextPainter
from tcptui.ui.unit_reader import UnitReader

ViewMode = Literal["text", "hex"]
_STRIP_CACHE_SIZE = 256
StripKey = tuple[RowRef, RowKey, Marks]
"""A painted row: its place, the bytes it shows (`row_key`) and its marks."""
MEASURE_BUDGET = 0.008
"""Seconds of measuring new units at a time: the rest waits for the next frame (or take)."""
REMEASURE_SLICE = 0.03
"""Seconds of measuring the whole capture again for a new width before the UI gets its turn.
A capture bigger than that is measured in slices, the old rows staying on screen until the
new ones are all known: measured at once, a resize of a big capture froze the UI."""
REMEASURE_PAUSE = 0.005
"""Seconds between two slices: frames and keys get through."""
MIN_COMPACT_TEXT = 24
"""Cells of text a compact row keeps beside its time: narrower, the time gives way."""
EMPTY_HINT = "Nothing yet: bytes you send and receive appear here."
EMPTY_HINT_STYLE = Style(color="#6c6c6c", italic=True)


class _FrameFacts(NamedTuple):
    """What every row of a frame needs from the widget, looked up once per frame."""

    scroll: Offset
    width: int
    style: Style
    selection: Selection | None


class TranscriptView(
    RowMeasuring, TailFollowing, ByteCursor, ScrollView, PaintedScrollBars, can_focus=True
):
    """Units as rows: a header per block, then its text rows or hex rows; a row per event."""

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
            "Previous message",
            id="log.previous_chunk",
        ),
        Binding(
            "right_square_bracket,ctrl+down",
            "move_chunks(1)",
            "Next message",
            id="log.next_chunk",
        ),
        Binding("v", "toggle_selection", "Select", id="log.select"),
        Binding("a", "select_chunk", "Select message", show=False, id="log.select_chunk"),
        Binding(
            "escape", "clear_selection", "Clear selection", show=False, id="log.clear_selection"
        ),
        Binding("c", "session('copy')", "Copy", id="log.copy"),
        Binding("r", "session('resend_chunk')", "Resend", show=False, id="log.resend"),
        Binding("o", "toggle_offsets", "Offsets", show=False, id="log.offsets"),
        Binding("m", "session('set_grouping')", "Group by…", show=False, id="log.group"),
        Binding("b", "toggle_reads", "Read boundaries", show=False, id="log.reads"),
        Binding("t", "session('toggle_compact')", "Compact rows", show=False, id="log.compact"),
        Binding("s", "session('toggle_squeeze')", "Squeeze", show=False, id="log.squeeze"),
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
        units: LogUnits,
        mode: ViewMode = "text",
        marks: SharedMarks | None = None,
        *,
        timestamps: str = "local",
        ascii_only: bool = False,
        compact: bool = False,
        squeeze: bool = False,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.empty_hint = EMPTY_HINT
        """Row 0 of an empty log: the session view says what to do next (see ReceiveLog)."""
        use_styles_cache(self, BorderedRowsCache())
        self.mode: ViewMode = mode
        self.capture: Capture = units.capture
        self.encoding = "utf-8"
        self.stream_offsets = False
        self.compact = compact
        """Direction and time in a gutter, no header rows (row_gutter)."""
        self.squeeze = squeeze
        """Hex rows repeating the row above shown as one `*` row (squeezed_hex)."""
        self._glyphs = ASCII_GLYPHS if ascii_only else UNICODE_GLYPHS
        self._reader = UnitReader(units, timestamps, self._glyphs)
        """The reader new painters read through: its units are the ones to show next."""
        self._painter: TextPainter | HexPainter = self._make_painter(wrap=80)
        self.layout_rows = self._painter.layout()
        self.marks = marks or SharedMarks()
        self.pacing = MeasurePacing(MEASURE_BUDGET, REMEASURE_SLICE, REMEASURE_PAUSE)
        self._strips: RecentCache[StripKey, Strip] = RecentCache(_STRIP_CACHE_SIZE)
        self._painting = False
        self._frame = _FrameFacts(Offset(0, 0), 0, Style(), None)
        self.border_title = f"{mode} view"

    # -- setup -------------------------------------------------------------------------------

    def _make_painter(self, wrap: int) -> TextPainter | HexPainter:
        gutter = None
        if self.compact:
            narrow = self._gutter_cells() == NARROW_GUTTER_CELLS
            gutter = TimeGutter(self._reader, DIRECTION_STYLES, narrow)
        if self.mode == "hex":
            return HexPainter(
                self._reader, self.stream_offsets, self._hex_row_bytes(), gutter, self.squeeze
            )
        return TextPainter(self._reader, wrap, self.encoding, gutter)

    def set_row_options(self, compact: bool, squeeze: bool) -> None:
        """Compact rows or not, squeezed hex rows or not: the rows are measured again."""
        if (compact, squeeze) != (self.compact, self.squeeze):
            self.compact, self.squeeze = compact, squeeze
            self._rebuild(sliced=True)

    def _gutter_cells(self) -> int:
        text = self.mode == "text"
        if self.compact:
            least = MIN_COMPACT_TEXT if text else view_row_cells(VIEW_ROW_BYTES[-1])
            return compact_gutter_cells(self.scrollable_content_region.width, least)
        return TextPainter.gutter_width if text else HexPainter.gutter_width

    def _shape_for_width(self) -> tuple[int, int]:
        """The painter's shape (see row_measuring.painter_shape) this view's width asks for."""
        size = self._wrap_width() if self.mode == "text" else self._hex_row_bytes()
        return size, self._gutter_cells()

    @property
    def units(self) -> LogUnits:
        """The units on screen (until rows for another grouping are measured, the old ones)."""
        return self._painter.reader.units

    def show_units(self, units: LogUnits) -> None:
        """Show `units` (another grouping): measured in slices for a big capture, the old
        rows staying on screen until then; the byte at the top and the cursor stay put."""
        self._reader = UnitReader(units, self._reader.timestamps, self._glyphs)
        self._rebuild(sliced=True)

    def set_encoding(self, encoding: str) -> None:
        """Decode the text view with another encoding; no byte is dropped either way."""
        self.encoding = encoding
        self._rebuild()

    def action_toggle_offsets(self) -> None:
        per_stream = self.toggle_stream_offsets()
        self.notify(
            "Hex offsets count "
            + ("along each direction's stream" if per_stream else "from the start of each message"),
            timeout=2,
        )

    def action_toggle_reads(self) -> None:
        """Mark where each read began inside a block (both views), or stop marking."""
        self.marks.show_reads = not self.marks.show_reads
        self.notify(
            "Read boundaries: "
            + ("the first byte of each read is underlined" if self.marks.show_reads else "hidden"),
            timeout=2,
        )
        self._cursor_changed()

    def toggle_stream_offsets(self) -> bool:
        """Hex offsets per message, or per direction stream (running totals, like socat -x).
        Rebuilt in slices: squeezed hex rows of a big capture take a while to count."""
        self.stream_offsets = not self.stream_offsets
        self._rebuild(sliced=True)
        return self.stream_offsets

    def _wrap_width(self) -> int:
        return max(8, self.scrollable_content_region.width - self._gutter_cells())

    def _hex_row_bytes(self) -> int:
        """The most bytes a whole hex row may show in this view (16 before it has a width)."""
        width = self.scrollable_content_region.width
        return view_row_bytes(width - self._gutter_cells()) if width else BYTES_PER_ROW

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

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._note_scroll(new_value)
        if not self._quiet and round(old_value) != round(new_value):
            self.post_message(self.Scrolled(self))

    def _cursor_changed(self) -> None:
        self.reveal_cursor()
        self.refresh()
        self.post_message(self.CursorMoved(self))

    def action_session(self, action: str) -> None:
        self.post_message(self.SessionActionRequested(action))

    def action_search(self) -> None:
        self.post_message(self.SearchRequested())

    def action_next_match(self, forward: bool) -> None:
        self.post_message(self.MatchStepRequested(forward))

    # -- painting ----------------------------------------------------------------------------

    def _forget_painted_rows(self) -> None:
        """New rows were measured: the rows painted for the old ones are of no more use."""
        self._strips.clear()
        self._widest = 0

    def _forget_rows_from(self, unit: int) -> None:
        """Unit `unit` grew (the last one may): its header and first row are painted again.
        Its other rows are kept under the bytes they show (see `strip_for`): the rows above
        the new bytes stay as they were, and a storm of tiny reads repaints one row a take
        rather than a screenful."""
        painted = list(self._strips.keys())  # not while it changes
        for key in painted:
            if key[0].unit >= unit and key[0].row <= 0:
                self._strips.discard(key)

    def strip_for(self, ref: RowRef, marks: Marks = ()) -> Strip:
        """Row `ref` painted with `marks` (cursor, selection, matches), from a cache."""
        return self._kept_strip(ref, self._painter.row_key(ref), marks)

    def _kept_strip(self, ref: RowRef, key: RowKey, marks: Marks) -> Strip:
        """A content row is kept under the bytes it shows (`key`) as well as its place: when
        its unit grows, a row whose bytes did not change is the same row (bytes are only
        appended)."""
        kept = (ref, key, marks)
        strip = self._strips.get(kept)
        if strip is None:
            strip = self._painter.paint(ref, marks)
            self._strips[kept] = strip
        return strip

    def _marks_for(self, ref: RowRef, key: RowKey = None) -> Marks:
        """The marks on row `ref`, whose bytes `key` says (row_key; found if not given)."""
        if ref.row < 0:
            return ()
        if key is None:
            key = self._painter.row_key(ref)
        assert key is not None  # a content row's
        unit = self._painter.reader.unit(ref.unit)
        start, end = unit.offset + key[0], unit.offset + key[1]
        if isinstance(key, RowSpan) and key.squeezed:
            return star_marks(start, end, self.marks, self.has_focus)
        reads = self.units.read_starts(start, end) if self.marks.show_reads else []
        return marks_for_span(
            start,
            end,
            self.marks.cursor,
            self.marks.matches,
            show_cursor=self.has_focus,
            read_starts=[offset for offset in reads if offset != unit.offset],
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
        key = self._painter.row_key(ref)  # once a row: it finds the row's bytes
        strip = self._kept_strip(ref, key, self._marks_for(ref, key))
        if strip.cell_length > self._widest:
            self._widest = strip.cell_length
            self.call_after_refresh(self._widen)
        span = selection.get_span(row) if selection is not None else None
        if span is not None:
            strip = _highlight(
                strip, span, self.screen.get_component_rich_style("screen--selection")
            )
        if scroll_x == 0 and strip.cell_length == width:
            # As it is: crop_extend would return the strip itself and keep it in its own
            # cache, a cycle that leaves each row to the garbage collector once dropped.
            return strip
        return strip.crop_extend(scroll_x, scroll_x + width, style)  # cached by the Strip


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
