"""The receive log: a Line-API view of the capture as a transcript of chunks, in text or hex.

Only visible rows are painted, from the Capture, through small caches (DESIGN.md fact 5). The
view follows new data while it is scrolled to the bottom, and says how much arrived unseen
when the user has scrolled up.
"""

from __future__ import annotations

from typing import Literal

from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tcptui.capture.store import Capture
from tcptui.ui.transcript_layout import RowRef, TranscriptLayout
from tcptui.ui.transcript_rows import HEX_WIDTH, ChunkReader, HexPainter, TextPainter

ViewMode = Literal["text", "hex"]
_STRIP_CACHE_SIZE = 2048


class TranscriptView(ScrollView, can_focus=True):
    """Chunks as rows: a header per chunk, then its text rows or hex rows."""

    DEFAULT_CSS = """
    TranscriptView {
        height: 1fr;
        border: round $primary 40%;
        border-title-color: $text-muted;
        border-subtitle-color: $warning;
        background: $surface;
    }
    TranscriptView:focus { border: round $primary; }
    """

    BINDINGS = [
        Binding("end", "follow", "Follow tail", id="log.follow"),
        Binding("home", "scroll_home", "Top", show=False, id="log.top"),
        Binding("pageup", "page_up", "Page up", show=False, id="log.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="log.page_down"),
    ]

    following: reactive[bool] = reactive(True)

    class Scrolled(Message):
        """The user moved this view; a companion view (the dual layout) may follow."""

        def __init__(self, view: TranscriptView) -> None:
            super().__init__()
            self.view = view

    def __init__(
        self,
        capture: Capture,
        mode: ViewMode = "text",
        *,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.mode: ViewMode = mode
        self.capture = capture
        self._reader = ChunkReader(capture)
        self._painter: TextPainter | HexPainter = self._make_painter(wrap=80)
        self.layout_rows = TranscriptLayout(capture, self._painter.count_rows)
        self._strips: LRUCache[RowRef, Strip] = LRUCache(_STRIP_CACHE_SIZE)
        self._widest = 0
        self._bytes_when_left_bottom = 0
        self._quiet = False
        self.border_title = f"{mode} view"

    # -- setup -------------------------------------------------------------------------------

    def _make_painter(self, wrap: int) -> TextPainter | HexPainter:
        if self.mode == "hex":
            return HexPainter(self._reader)
        return TextPainter(self._reader, wrap)

    def _wrap_width(self) -> int:
        return max(8, self.scrollable_content_region.width - TextPainter.gutter_width)

    def on_resize(self) -> None:
        if isinstance(self._painter, TextPainter) and self._painter.wrap != self._wrap_width():
            self._rebuild()
        else:
            self._update_virtual_size()

    def set_mode(self, mode: ViewMode) -> None:
        if mode != self.mode:
            self.mode = mode
            self.border_title = f"{mode} view"
            self._rebuild()

    @property
    def painter(self) -> TextPainter | HexPainter:
        return self._painter

    def _rebuild(self) -> None:
        """Measure everything again: the mode or the wrap width changed."""
        anchor = self.layout_rows.locate(round(self.scroll_y))
        self._painter = self._make_painter(self._wrap_width())
        self.layout_rows.remeasure(self._painter.count_rows)
        self._strips.clear()
        self._widest = 0
        self._update_virtual_size()
        if not self.following and anchor is not None:
            self.scroll_to(y=self.layout_rows.first_row(anchor.chunk), animate=False,
                           immediate=True, force=True)
        self.refresh()

    def _update_virtual_size(self) -> None:
        content = HEX_WIDTH if self.mode == "hex" else self._painter_width()
        self.virtual_size = Size(max(content, self._widest), self.layout_rows.total_rows)
        if self.following:
            self._scroll_to_tail()

    def _painter_width(self) -> int:
        wrap = self._painter.wrap if isinstance(self._painter, TextPainter) else 0
        return wrap + TextPainter.gutter_width

    # -- new data ----------------------------------------------------------------------------

    def refresh_data(self) -> None:
        """Take in chunks that arrived; keep the tail in view if we were following it."""
        if not self.layout_rows.update():
            return
        self._update_virtual_size()
        self._show_unseen()
        self.refresh()

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
        row = self.layout_rows.first_row(chunk)
        if not header:
            row += 1 + self._painter.row_of_byte(chunk, offset)
        self._quiet = True
        try:
            self.scroll_to(y=row, animate=False, immediate=True, force=True)
        finally:
            self._quiet = False

    def _show_unseen(self) -> None:
        unseen = self.capture.total_bytes - self._bytes_when_left_bottom
        if self.following or unseen <= 0:
            self.border_subtitle = ""
        else:
            self.border_subtitle = f"▼ {unseen:,} new bytes below · End to follow"

    def _scroll_to_tail(self) -> None:
        # force: the scrollbar may not be shown yet when the first rows arrive.
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)

    def action_follow(self) -> None:
        self._scroll_to_tail()
        self.following = True
        self._show_unseen()

    # -- painting ----------------------------------------------------------------------------

    def strip_for(self, ref: RowRef) -> Strip:
        strip = self._strips.get(ref)
        if strip is None:
            strip = self._painter.paint(ref)
            self._strips[ref] = strip
        return strip

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        ref = self.layout_rows.locate(row)
        if ref is None:
            return Strip.blank(width, self.rich_style)
        strip = self.strip_for(ref)
        if strip.cell_length > self._widest:
            self._widest = strip.cell_length
            self.call_after_refresh(self._update_virtual_size)
        strip = strip.crop_extend(scroll_x, scroll_x + width, self.rich_style + Style())
        return strip.apply_offsets(scroll_x, row)
