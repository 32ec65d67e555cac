"""A styles cache that builds the content rows of a bordered, unpadded widget in one step.

Textual styles every row of a widget through a general pipeline: it looks up padding,
outline, tint, hatch and opacity rules, makes the border's styles and boxes, and copies the
row into new strips on the way. The transcript views' rows are all new after a jump, and that
pipeline cost more than painting the rows themselves. The rules are the same for every row of
a render, so they are read once per render here, and a content row becomes one strip: left
border, the row, right border, already cut into the pieces the compositor asks for. Border
rows and any style this does not cover go through Textual's own code. Textual offers no public
hook for this (textual_internals.py holds the private parts), so tests compare every row, and
every piece, with what Textual makes itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.terminal_theme import TerminalTheme
from textual.color import Color
from textual.content import Content
from textual.geometry import Region, Size, Spacing
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

from tcptui.ui.textual_internals import TextualStylesCache, border_sides, prime_divide_cache

if TYPE_CHECKING:
    from textual.css.styles import StylesBase

BorderLabel = tuple[Content, Color, Color, Style] | None


class _Edges(NamedTuple):
    """What every content row of one render shares."""

    left: Segment
    right: Segment
    inner: RichStyle
    top: int
    bottom: int


class BorderedRowsCache(TextualStylesCache):
    """Textual's StylesCache, with a fast path for content rows between a left and right border."""

    def __init__(self) -> None:
        super().__init__()
        self._edges: _Edges | None = None
        self._tails: dict[int, tuple[Strip, Strip]] = {}

    def render_widget(self, widget: Widget, crop: Region) -> list[Strip]:
        base_background, background = widget.background_colors
        styles = widget.styles
        self._edges = self._simple_edges(
            styles, base_background, background, styles.padding, widget.opacity
        )
        self._tails.clear()
        try:
            return super().render_widget(widget, crop)
        finally:
            self._edges = None

    def render_line(
        self,
        styles: StylesBase,
        y: int,
        size: Size,
        content_size: Size,
        padding: Spacing,
        base_background: Color,
        background: Color,
        render_content_line: Callable[[int], Strip],
        border_title: BorderLabel,
        border_subtitle: BorderLabel,
        opacity: float,
        ansi_theme: TerminalTheme,
        native_ansi: bool,
    ) -> Strip:
        edges = self._edges
        if edges is None or y < edges.top or y >= size.height - edges.bottom:
            return super().render_line(
                styles,
                y,
                size,
                content_size,
                padding,
                base_background,
                background,
                render_content_line,
                border_title,
                border_subtitle,
                opacity,
                ansi_theme,
                native_ansi,
            )
        content_y = y - edges.top
        width = content_size.width
        if content_y >= content_size.height:
            line = Strip.blank(width, edges.inner)
        else:
            line = render_content_line(content_y)
            missing = width - line.cell_length
            if missing > 0:  # as adjust_cell_length pads, without a strip in between
                return self._divided_row(line, missing, size.width)
            line = line.adjust_cell_length(width, edges.inner)
        return Strip([edges.left, *line, edges.right], size.width)

    def _divided_row(self, line: Strip, gutter: int, width: int) -> Strip:
        """The row, with its pieces for the compositor already cut.

        A view's rows are cut where its scroll bar begins and ends, which Textual does with
        a walk over every segment into new strips, a good part of the cost of a new row. The
        pieces fall on the row's own parts (border and line, the gap the bar covers, border),
        so they are put in the row's divide cache for the cuts the compositor will ask for.
        Other cuts (a bar not shown, something over the view) find nothing there and are cut
        by Textual as before. The gap's and the right border's pieces serve every row.
        """
        edges = self._edges
        assert edges is not None
        pad = Segment(" " * gutter, edges.inner)
        row = Strip([edges.left, *line, pad, edges.right], width)
        tail = self._tails.get(gutter)
        if tail is None:
            tail = self._tails[gutter] = (Strip([pad], gutter), Strip([edges.right], 1))
        gutter_at = width - 1 - gutter
        cuts = (gutter_at, width - 1, width)
        prime_divide_cache(row, cuts, [Strip([edges.left, *line], gutter_at), *tail])
        return row

    def _simple_edges(
        self,
        styles: StylesBase,
        base_background: Color,
        background: Color,
        padding: Spacing,
        opacity: float,
    ) -> _Edges | None:
        """The shared parts of content rows, or None if Textual's own path is needed."""
        (_, (right_edge, right_colour), _, (left_edge, left_colour)) = styles.border
        if (
            not (left_edge and right_edge)
            or any(padding)
            or opacity != 1.0
            or styles.text_opacity != 1.0
            or styles.tint.a
            or (styles.has_rule("hatch") and styles.hatch != "none")
            or any(edge for edge, _ in styles.outline)
        ):
            return None
        inner, outer = self.get_inner_outer(base_background, background)
        left_style = Style(foreground=base_background + left_colour)
        right_style = Style(foreground=base_background + right_colour)
        left, _ = border_sides(left_edge, inner, outer, left_style)
        _, right = border_sides(right_edge, inner, outer, right_style)
        gutter = styles.gutter
        return _Edges(left, right, inner.rich_style, gutter.top, gutter.bottom)
