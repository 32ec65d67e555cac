"""A styles cache that builds the content rows of a bordered, unpadded widget in one step.

Textual styles every row of a widget through a general pipeline: it looks up padding,
outline, tint, hatch and opacity rules, makes the border's styles and boxes, and copies the
row into new strips on the way. For the transcript views, whose rows are all new after a
jump, that was about 2.4 ms of a 150-column view's frame of 49 rows (a ninth of a dual-view
frame), more than the painting of the rows themselves. The rules are the same for every row
of a render, so they are read once per render here, and a content row becomes one strip:
left border, the row, right border, already cut into the pieces the compositor asks for.
Border rows and any style this does not cover go through Textual's own code. This leans on
private parts of Textual 8 (StylesCache, a Strip's divide cache), so tests compare every row,
and every piece, with what Textual makes itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.terminal_theme import TerminalTheme
from textual._ansi_theme import DEFAULT_TERMINAL_THEME
from textual._border import get_box
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.content import Content
from textual.filter import LineFilter
from textual.geometry import Region, Size, Spacing
from textual.strip import Strip
from textual.style import Style

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


class BorderedRowsCache(StylesCache):
    """Textual's StylesCache, with a fast path for content rows between a left and right border."""

    def __init__(self) -> None:
        super().__init__()
        self._edges: _Edges | None = None
        self._tails: dict[int, tuple[Strip, Strip]] = {}

    def render(
        self,
        styles: StylesBase,
        size: Size,
        base_background: Color,
        background: Color,
        render_content_line: Callable[[int], Strip],
        filters: Sequence[LineFilter],
        border_title: BorderLabel,
        border_subtitle: BorderLabel,
        content_size: Size | None = None,
        padding: Spacing | None = None,
        crop: Region | None = None,
        opacity: float = 1.0,
        ansi_theme: TerminalTheme = DEFAULT_TERMINAL_THEME,
        native_ansi: bool = False,
    ) -> list[Strip]:
        self._edges = self._simple_edges(
            styles, base_background, background, padding or styles.padding, opacity
        )
        self._tails.clear()
        try:
            return super().render(
                styles,
                size,
                base_background,
                background,
                render_content_line,
                filters,
                border_title,
                border_subtitle,
                content_size,
                padding,
                crop,
                opacity,
                ansi_theme,
                native_ansi,
            )
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
        a walk over every segment into new strips: a third of the cost of a new row. The
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
        row._divide_cache[(gutter_at, width - 1, width)] = [
            Strip([edges.left, *line], gutter_at),
            *tail,
        ]
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
        left = get_box(left_edge, inner, outer, Style(foreground=base_background + left_colour))
        right = get_box(right_edge, inner, outer, Style(foreground=base_background + right_colour))
        gutter = styles.gutter
        return _Edges(left[1][0], right[1][2], inner.rich_style, gutter.top, gutter.bottom)
