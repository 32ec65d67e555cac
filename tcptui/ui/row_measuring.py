"""How a transcript view measures its rows: for its first width, for a new width, for new data.

Text rows cannot be cut without a width, so a text view measures nothing until it has one. A
new width means measuring the whole capture again: past a slice of time the rest is measured
in slices between frames, the rows for the old width staying on screen until the new ones are
all known, so keys and frames get through. A new grouping is measured the same way. New units
are measured within a budget per take; what a flood leaves unmeasured is measured a slice per
frame; a last unit that grew is measured again.

A mixin of TranscriptView: its steps are the widget's resize handler and timers.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, NamedTuple

from textual.scroll_view import ScrollView

from tcptui.capture.log_units import LogUnits
from tcptui.ui.transcript_layout import TranscriptLayout
from tcptui.ui.transcript_rows import HexPainter, TextPainter
from tcptui.ui.unit_reader import UnitReader

if TYPE_CHECKING:  # checked as the ScrollView it is mixed into; a plain class at run time
    from textual.reactive import reactive

    _ViewBase = ScrollView
else:
    _ViewBase = object

REMEASURING_NOTE = "measuring rows for the new width…"
"""The view's subtitle while it measures its rows for a new width."""


class MeasurePacing(NamedTuple):
    """How long measuring may hold up the UI at a time (seconds)."""

    budget: float
    """Measuring new units at a time: the rest waits for the next frame (or take)."""
    slice: float
    """Measuring the whole capture again for a new width before the UI gets its turn."""
    pause: float
    """Between two slices: frames and keys get through."""


def painter_shape(painter: TextPainter | HexPainter) -> tuple[int, int]:
    """What a painter's rows take from the view's width: text rows' wrap, or the bytes of a
    hex row (16, 8 or 4: whole rows), and the cells of its gutter (see row_gutter)."""
    size = painter.wrap if isinstance(painter, TextPainter) else painter.row_bytes
    return size, painter.gutter.cells


class RowMeasuring(_ViewBase):
    """The rows of the view's capture, measured for the view's width as it changes."""

    _remeasuring: tuple[TextPainter | HexPainter, TranscriptLayout] | None = None
    """The painter and rows for a new width, while a big capture is measured for it."""
    _sized = False
    """Whether the view has had a size. Text rows cannot be cut without a width: until then a
    text view measures and paints nothing. It takes its first size when first painted
    (Textual lays out, paints, and only then sends Resize), so the first frame already shows
    the text. Hex rows need no width, shown or hidden."""
    _catching_up = False

    if TYPE_CHECKING:  # what this part uses of the view and of its other parts
        mode: str
        _reader: UnitReader
        layout_rows: TranscriptLayout
        pacing: MeasurePacing
        following: reactive[bool]
        _painter: TextPainter | HexPainter
        _quiet: bool

        def _make_painter(self, wrap: int) -> TextPainter | HexPainter: ...
        def _wrap_width(self) -> int: ...
        def _hex_row_bytes(self) -> int: ...
        def _shape_for_width(self) -> tuple[int, int]: ...
        def _forget_painted_rows(self) -> None: ...
        def _forget_rows_from(self, unit: int) -> None: ...
        def _show_unseen(self) -> None: ...
        def _update_virtual_size(self) -> None: ...
        def cursor_row(self) -> int | None: ...
        def reveal_cursor(self) -> None: ...

    def on_resize(self) -> None:
        if self._take_first_size():
            return
        self._sized = True
        wanted = self._shape_for_width()
        if painter_shape(self._painter) == wanted:
            self._stop_remeasuring()  # back to the width on screen: nothing to measure
        measuring = self._remeasuring[0] if self._remeasuring else self._painter
        if painter_shape(measuring) != wanted:
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

    def _rebuild(self, sliced: bool = False, first: bool = False) -> None:
        """Measure everything again: the mode, the encoding or the wrap width changed.

        `sliced` (a new width): past the pacing's slice the rest is measured in slices
        between frames, and the rows for the old width stay on screen until then. `first`
        (the first width): the rest is measured a slice per frame after the rows are shown.
        Either way the units that arrive meanwhile are measured afterwards, as new data:
        under a flood the measuring would otherwise never end.
        """
        self._remeasuring = None  # one under way is for a width that is gone
        painter = self._make_painter(self._wrap_width())
        if self._waits_for_width:
            self._painter = painter
            self.layout_rows.take(painter.layout())
            return
        layout = painter.layout()
        until = len(layout.units)
        layout.update(self.pacing.slice if sliced or first else None, until)
        if sliced and layout.measured_units < until:
            self._remeasuring = painter, layout
            self._show_unseen()
            self.set_timer(
                self.pacing.pause, partial(self._remeasure_slice, painter, layout, until)
            )
            return
        self._adopt(painter, layout)
        self.refresh_data()

    def _remeasure_slice(
        self, painter: TextPainter | HexPainter, layout: TranscriptLayout, until: int
    ) -> None:
        if self._remeasuring != (painter, layout):
            return  # another width (or mode) came since
        layout.update(self.pacing.slice, until)
        if layout.measured_units < until:
            self.set_timer(
                self.pacing.pause, partial(self._remeasure_slice, painter, layout, until)
            )
            return
        self._stop_remeasuring()
        self._adopt(painter, layout, quiet=True)
        self.refresh_data()

    def _next_slice(
        self, painter: TextPainter | HexPainter, layout: TranscriptLayout, until: int
    ) -> None:
        self.set_timer(self.pacing.pause, partial(self._remeasure_slice, painter, layout, until))

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
        top = self._top_place(layout.units)
        cursor_row = None if self.following or not self.has_focus else self.cursor_row()
        # `<=`: narrowed, the old rows may have brought a scroll bar that took the last row.
        height = self.scrollable_content_region.height
        cursor_shown = cursor_row is not None and 0 <= cursor_row - self.scroll_y <= height
        if top is not None and not self.following and top[0] >= layout.measured_units:
            layout.measure_through(top[0])  # it came while the new rows were measured
        self._painter = painter
        self.layout_rows.take(layout)
        self._show_unseen()
        self._forget_painted_rows()
        self._update_virtual_size()
        if not self.following and top is not None:
            unit, top_byte = top
            row = self.layout_rows.first_row(unit)
            if top_byte is not None:
                row = layout.content_row(unit) + painter.row_of_byte(unit, top_byte)
            self._quiet = quiet
            try:
                self.scroll_to(y=row, animate=False, immediate=True, force=True)
            finally:
                self._quiet = False
        if cursor_shown:
            self.reveal_cursor()
        self.refresh()

    def _top_place(self, units: LogUnits) -> tuple[int, int | None] | None:
        """The unit at the top of the view in `units` (the ones shown, or another grouping's),
        and the byte of it that the top row starts with (None: its header is at the top)."""
        top = self.layout_rows.locate(round(self.scroll_y))
        if top is None:
            return None
        local = None if top.row < 0 else self._painter.row_span(top)[0]
        if units is self.layout_rows.units:
            return top.unit, local
        shown = self._painter.reader.unit(top.unit)
        if not units.total_bytes:
            return None
        unit = units.unit_at(shown.offset + (local or 0))
        into = shown.offset + (local or 0) - units.unit(unit).offset
        return unit, None if local is None else into

    def refresh_data(self, catch_up: bool = True) -> bool:
        """Take in units that arrived or grew; keep the tail in view if we were following it.

        Measuring stops after the pacing's budget; True means some units are left
        unmeasured. With `catch_up` they are measured a slice per frame; without, the caller
        comes back for them (the live log does, at the pace of its takes).
        """
        if self._waits_for_width:
            return False  # the first resize measures all there is then
        grew = self.layout_rows.update(self.pacing.budget)
        if self.layout_rows.regrown is not None:
            self._forget_rows_from(self.layout_rows.regrown)
        pending = self.layout_rows.pending
        if pending and catch_up and not self._catching_up:
            self._catching_up = True
            self.call_after_refresh(self._catch_up)
        if grew:
            self._update_virtual_size()
            self._show_unseen()
            self.refresh()
        return pending

    def _first_row(self, unit: int) -> int:
        """The row of `unit`'s header. Under a flood this view may not have measured that far
        yet (the other view, or the units, have): measure up to it first."""
        if unit >= self.layout_rows.measured_units:
            self.layout_rows.measure_through(unit)
            self._update_virtual_size()
            self._show_unseen()
            self.refresh()
        return self.layout_rows.first_row(unit)

    def _catch_up(self) -> None:
        """Measure what a flood left unmeasured, a slice per frame, so keys still get through."""
        self._catching_up = False
        self.refresh_data()
