"""How the log's byte cursor moves by rows and jumps, as a hex editor's does.

In hexedit or a hex editor, Home, End, PgUp and PgDn move the cursor, not only the view, so
a selection being made (`v`) grows with them: `v`, End, `c` copies from the cursor to the last
byte. End also follows the tail, as in `less +F`. Every jump is instant: an animated scroll
let the next key land mid-way on a big capture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tcptui.ui.transcript_layout import RowRef

if TYPE_CHECKING:
    from tcptui.ui.transcript_view import TranscriptView


def _content_row_near(view: TranscriptView, y: int, step: int) -> RowRef | None:
    """The content row at `y`, else the nearest one beyond it in the direction of `step`, else
    the nearest one back (chunk headers hold no bytes); `y` is clamped to the transcript."""
    total = view.layout_rows.total_rows
    y = max(0, min(y, total - 1))
    for direction in (step, -step):
        probe = y
        while 0 <= probe < total:
            ref = view.layout_rows.locate(probe)
            if ref is not None and ref.row >= 0:
                return ref
            probe += direction
    return None


def move_by_rows(view: TranscriptView, rows: int, extend: bool = False) -> None:
    """Move the cursor `rows` rows down (up if negative), keeping its column where it can."""
    offset = view.marks.cursor.offset
    row = view.cursor_row()
    if offset is None or row is None:
        view.set_cursor(0, extend)
        return
    place, column = view.cursor_place(offset)
    target = _content_row_near(view, row + rows, 1 if rows > 0 else -1)
    if target is None or target == place:
        return
    start, end = view.painter.row_span(target)
    view.set_cursor(view.capture.chunk(target.chunk).offset + min(start + column, end - 1), extend)


def move_by_pages(view: TranscriptView, pages: int) -> None:
    """PgUp/PgDn: the view moves a page at once, and the cursor with it."""
    height = max(1, view.scrollable_content_region.height)
    view.scroll_to(y=view.scroll_y + pages * height, animate=False, immediate=True, force=True)
    if view.capture.total_bytes:
        move_by_rows(view, pages * height)


def jump_to_first_byte(view: TranscriptView) -> None:
    """Home, ctrl+Home, g: the cursor on the first byte, the view at the top."""
    view.set_cursor(0)
    view.scroll_to(y=0, animate=False, immediate=True, force=True)


def jump_to_last_byte(view: TranscriptView) -> None:
    """End, ctrl+End, G: the cursor on the last byte, and the view follows the tail."""
    if view.capture.total_bytes:
        view.set_cursor(view.capture.total_bytes - 1)
    view.action_follow()


def place_on_focus(view: TranscriptView) -> None:
    """Where the cursor starts when the log first takes the focus: on the newest chunk while
    the view follows a tail it scrolled to (that is what is on screen), else on the chunk at
    the top. A cursor placed before stays where it is, as in any editor."""
    capture = view.capture
    if view.marks.cursor.offset is not None or not capture.total_bytes:
        return
    if view.following and view.scroll_y > 0:
        chunk = len(capture) - 1
    else:
        ref = view.layout_rows.locate(round(view.scroll_y))
        chunk = ref.chunk if ref is not None else 0
    view.marks.cursor.offset = capture.chunk(chunk).offset
