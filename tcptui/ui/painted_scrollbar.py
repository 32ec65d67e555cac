"""A scroll bar that paints its rows directly, for views that jump around a large capture.

Textual's ScrollBar renders through the generic pipeline (a Rich renderable, split into lines,
then styled line by line), paid again whenever the thumb moves, which is every jump or page.
The bar's rows are single segments, so they can be built as strips straight from
`ScrollBarRender.render_bar`. A test compares the rows with Textual's own.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget

from tcptui.ui.textual_internals import scrollbar_of, start_scrollbar


class PaintedScrollBar(ScrollBar):
    """Textual's ScrollBar, with rows built as strips instead of through a renderable."""

    def __init__(self, vertical: bool = True, name: str | None = None, *, thickness: int = 1):
        super().__init__(vertical, name, thickness=thickness)
        self._row_strips: dict[tuple[Segment, int], Strip] = {}

    def render_lines(self, crop: Region) -> list[Strip]:
        bar = self.render()
        if not isinstance(bar, ScrollBarRender) or not isinstance(bar.style, Style):
            return super().render_lines(crop)
        style = bar.style
        tinted = self.styles.tint.a or self.opacity != 1.0 or self.styles.text_opacity != 1.0
        if style.color is None or style.bgcolor is None or tinted:
            return super().render_lines(crop)
        under = self.visual_style.rich_style  # what Textual's pipeline puts beneath the bar
        width, height = self.size
        length, thickness = (height, width) if self.vertical else (width, height)
        segments = bar.render_bar(
            size=length,
            virtual_size=bar.virtual_size,
            window_size=bar.window_size,
            position=bar.position,
            thickness=thickness,
            vertical=self.vertical,
            back_color=style.bgcolor,  # Rich colours, as ScrollBarRender passes them
            bar_color=style.color,
        )
        painted = [Segment(text, under + cell_style) for text, cell_style, _ in segments.segments]
        if self.vertical:  # a segment a row, nearly all alike: the track's, the thumb's
            rows = [self._row_strip(segment, width) for segment in painted]
        else:  # the row's segments, then a line break, `thickness` times
            row = Strip(painted[:length], width)
            rows = [row] * height
        rows = rows[crop.y : crop.bottom]
        background = self.background_colors[1]
        for line_filter in self.get_line_filters():
            rows = [row.apply_filter(line_filter, background) for row in rows]
        if crop.column_span != (0, width):
            rows = [row.crop(crop.x, crop.right) for row in rows]
        return rows

    def _row_strip(self, segment: Segment, width: int) -> Strip:
        """The strip of a vertical bar's row, made once: a bar repainted at each take of new
        bytes would otherwise leave a screenful of strips a frame to the garbage collector
        (a Strip caches what is cut from it, itself included: a cycle)."""
        rows = self._row_strips
        strip = rows.get((segment, width))
        if strip is None:
            if len(rows) >= _KEPT_ROW_STRIPS:
                rows.clear()
            strip = rows[segment, width] = Strip([segment], width)
        return strip


_KEPT_ROW_STRIPS = 64
"""Distinct bar rows kept: a track row, a thumb row and the thumb's ends, in a few styles."""


class PaintedScrollBars(Widget):
    """The scroll bars of a ScrollView, painted (see PaintedScrollBar).

    List it after ScrollView among the bases: Textual takes default CSS along the first base.

    Made on first use, as Textual makes its own (textual_internals.py: the same private
    attributes).
    """

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        return self._painted_bar(vertical=True)

    @property
    def horizontal_scrollbar(self) -> ScrollBar:
        return self._painted_bar(vertical=False)

    def _painted_bar(self, vertical: bool) -> ScrollBar:
        bar = scrollbar_of(self, vertical)
        if bar is None:
            thickness = self.scrollbar_size_vertical if vertical else self.scrollbar_size_horizontal
            name = "vertical" if vertical else "horizontal"
            bar = PaintedScrollBar(vertical=vertical, name=name, thickness=thickness)
            bar.display = False
            start_scrollbar(self, bar)
        return bar
