"""Painted rows are kept while they are still right and leave no cyclic garbage when dropped:
a storm of tiny reads grows one block, and a flood scrolls thousands of rows a second."""

from __future__ import annotations

import gc

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.strip import Strip

from tcptui.capture.log_units import LogUnits
from tcptui.capture.store import Capture, Direction
from tcptui.codec.framing import Grouping, GroupingKind
from tcptui.ui.byte_marks import Marks
from tcptui.ui.log_glyphs import UNICODE_GLYPHS
from tcptui.ui.transcript_layout import RowRef
from tcptui.ui.transcript_rows import TextPainter
from tcptui.ui.transcript_view import TranscriptView
from tcptui.ui.unit_reader import UnitReader
from tests.helpers.app_parts import current_capture, current_log
from tests.ui.helpers import all_rows, make_app, wait_for

SIZE = (150, 44)


class PaintedRows:
    """The rows `view`'s painter paints while this is open."""

    def __init__(self, view: TranscriptView) -> None:
        self.painter = view.painter
        self.refs: list[RowRef] = []

    def __enter__(self) -> list[RowRef]:
        paint = self.painter.paint

        def noted(ref: RowRef, marks: Marks = ()) -> Strip:
            self.refs.append(ref)
            return paint(ref, marks)

        self.painter.paint = noted  # type: ignore[method-assign]
        return self.refs

    def __exit__(self, *exc: object) -> None:
        del self.painter.paint  # the class's own again


async def test_a_growing_block_repaints_its_header_first_row_and_new_rows_only() -> None:
    app = make_app(group="stream")
    async with app.run_test(size=SIZE) as pilot:
        capture = current_capture(app)
        log = current_log(app)
        for number in range(30):
            capture.append(Direction.RECEIVED, f"line {number:02d}\n".encode())
        log.refresh_data()
        await wait_for(pilot, lambda: "line 29" in "".join(all_rows(log.text_view)), "30 lines")
        await pilot.pause()
        text, hex_ = log.text_view, log.hex_view
        with PaintedRows(text) as text_painted, PaintedRows(hex_) as hex_painted:
            capture.append(Direction.RECEIVED, b"line 30\n")
            log.refresh_data()
            await wait_for(pilot, lambda: text.layout_rows.total_rows == 32, "line 30 measured")
            await pilot.pause()
        # 30 text rows and 15 hex rows were measured: the rows before the new bytes stay.
        assert {ref.row for ref in text_painted} <= {-1, 0, 29, 30}
        assert {ref.row for ref in hex_painted} <= {-1, 0, 14, 15}
        assert 30 in {ref.row for ref in text_painted}, "the new line was painted"
        rows = all_rows(text)
        assert [row[2:] for row in rows if row.startswith("│ ")] == [
            f"line {number:02d}\\n" for number in range(31)
        ]
        assert "31 reads" in rows[0]


def reaches_itself(item: object, depth: int = 4) -> bool:
    """Whether `item` refers to itself within `depth` steps: a cycle, which only the
    collector's full passes free."""
    seen: set[int] = set()
    frontier = gc.get_referents(item)
    for _ in range(depth):
        following = []
        for referent in frontier:
            if referent is item:
                return True
            if id(referent) not in seen:
                seen.add(id(referent))
                following.extend(gc.get_referents(referent))
        frontier = following
    return False


async def test_painted_rows_as_wide_as_their_view_do_not_refer_to_themselves() -> None:
    """A hex row as wide as the hex view was its own `crop_extend` cache entry: once dropped
    from the view's rows it was garbage only a full collection finds, and a flood left
    200,000 such objects to one collection (a stall of 100-250 ms)."""
    capture = Capture()
    for number in range(40):
        capture.append(Direction.RECEIVED, bytes(range(number, 256)))
    app = make_app(capture=capture)
    async with app.run_test(size=(200, 60)) as pilot:  # hex rows as wide as the hex view
        view = current_log(app).hex_view
        await wait_for(pilot, lambda: view.layout_rows.total_rows > 100, "rows measured")
        await pilot.pause()
        width = view.scrollable_content_region.width
        view.refresh()
        await pilot.pause()  # a frame painted
        shown = [view.layout_rows.locate(round(view.scroll_y) + y) for y in range(40)]
        rows = [view.strip_for(ref) for ref in shown if ref is not None and ref.row >= 0]
        full = [row for row in rows if row.cell_length == width]
        assert len(full) > 20, "full rows fill the view"
        assert not any(reaches_itself(row) for row in full)


PIECES = st.lists(
    st.sampled_from(
        [
            b"line\n",
            b"word ",
            b"\r\n",
            b"\r",
            b"\t",
            b"\\",
            "жизнь ".encode(),
            "日本".encode(),
            b"\xff\xfe",
            b"\x00\x01\x02",
            b"x" * 150,
            b"\n",
            "e\u0301".encode(),
            b"\xe6\x97",
        ]
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.sampled_from(
        [b"a line of text\r\n" * 80, b"plain words " * 120, "юникод ".encode() * 150]
    ),
    growth=st.lists(PIECES, min_size=1, max_size=6),
    width=st.sampled_from([20, 37, 80]),
)
def test_a_grown_block_is_cut_into_the_rows_a_fresh_cut_gives(
    start: bytes, growth: list[list[bytes]], width: int
) -> None:
    """The rows of a block that grew are cut again from its last line only: they must be
    the rows of the whole block cut afresh, whatever arrived."""
    capture = Capture()
    try:
        units = LogUnits(capture, Grouping(GroupingKind.STREAM))
        painter = TextPainter(UnitReader(units, "local", UNICODE_GLYPHS), width)
        capture.append(Direction.RECEIVED, start)
        units.update()
        rows = painter.count_rows(0)
        [painter.row_span(RowRef(0, row)) for row in range(rows)]  # painted, as on screen
        for pieces in growth:
            capture.append(Direction.RECEIVED, b"".join(pieces))
            units.update()
            painter.forget(0)  # as the layout does for a unit that grew
            rows = painter.count_rows(0)
            spans = [painter.row_span(RowRef(0, row)) for row in range(rows)]
            fresh = TextPainter(UnitReader(units, "local", UNICODE_GLYPHS), width)
            assert fresh.count_rows(0) == rows
            assert [fresh.row_span(RowRef(0, row)) for row in range(rows)] == spans
            assert fresh.shape_of(0) == painter.shape_of(0)
    finally:
        capture.close()
