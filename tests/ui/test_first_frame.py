"""Startup: the connection overlaps the building of the widgets, and a text view measures
nothing before it has a width (Textual paints the first frame before widgets handle their
Resize: text rows measured earlier were cut to 8 columns for a frame)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.geometry import Region
from textual.strip import Strip

from tcptui.capture.store import Capture, Direction
from tcptui.net.session import Session
from tcptui.ui.connection_panel import ConnectionPanel
from tcptui.ui.session_view import SessionView
from tcptui.ui.transcript_rows import TextPainter
from tcptui.ui.transcript_view import TranscriptView
from tests.helpers.app_parts import current_capture, current_log
from tests.helpers.servers import PayloadServer
from tests.ui.helpers import make_app, rendered_rows, wait_for, wait_received

SIZE = (200, 50)
BANNER = b"220 ready; this line is longer than eight columns\r\n"


async def test_the_connection_starts_before_the_widgets_are_mounted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps: list[tuple[str, int]] = []
    start, show = Session.start, SessionView._show_connecting

    with PayloadServer(BANNER) as server:
        app = make_app(server.target)

        def starting(session: Session) -> None:
            steps.append(("start", len(app.query(ConnectionPanel))))
            start(session)

        def showing(view: SessionView, *args: object, **kwargs: object) -> None:
            steps.append(("show", len(app.query(ConnectionPanel))))
            show(view, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Session, "start", starting)
        monkeypatch.setattr(SessionView, "_show_connecting", showing)
        async with app.run_test(size=SIZE) as pilot:
            await wait_received(app, pilot, len(BANNER), "the banner")
            await pilot.pause()
            assert steps == [("start", 0), ("show", 1)]
            assert any("220 ready" in row for row in rendered_rows(current_log(app).text_view))


async def test_the_first_frame_shows_the_text_cut_at_the_views_real_width(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Textual lays the screen out, then paints it, and only then sends the widgets their
    Resize: the text view measures at its first paint, with the size the layout gave it."""
    resizes: list[str | None] = []
    first_paint: list[tuple[int, int, list[str]]] = []
    on_resize, render_lines = TranscriptView.on_resize, TranscriptView.render_lines

    def resized(view: TranscriptView) -> None:
        resizes.append(view.id)
        on_resize(view)

    def painting(view: TranscriptView, crop: Region) -> list[Strip]:
        strips = render_lines(view, crop)
        if view.id == "text-view" and not first_paint:
            painter = view.painter
            assert isinstance(painter, TextPainter)
            first_paint.append((resizes.count("text-view"), painter.wrap, [s.text for s in strips]))
        return strips

    monkeypatch.setattr(TranscriptView, "on_resize", resized)
    monkeypatch.setattr(TranscriptView, "render_lines", painting)
    capture = Capture()
    app = make_app(capture=capture)
    capture.append(Direction.RECEIVED, BANNER * 3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text_view = current_log(app).text_view
        [(resizes_before, wrap, rows)] = first_paint
        assert resizes_before == 0  # the very first frame
        assert wrap == text_view.scrollable_content_region.width - TextPainter.gutter_width
        line = "│ " + BANNER.decode().replace("\r\n", "\\r\\n")
        assert [row[1:-1].rstrip() for row in rows[2:5]] == [line] * 3  # inside the border


async def test_a_text_view_shown_for_the_first_time_shows_the_cursor() -> None:
    """A text view shown with the focus gets it before its first size: the cursor must still
    be in view once it has one (the first sizing measures, and followed the tail)."""
    capture = Capture()
    app = make_app(capture=capture)
    app.config = replace(app.config, settings=replace(app.config.settings, view="hex"))
    for index in range(200):
        capture.append(Direction.RECEIVED, f"line {index:04d}\n".encode() * 8)
    async with app.run_test(size=SIZE) as pilot:
        log = current_log(app)
        log.refresh_data()
        await pilot.pause()
        log.hex_view.scroll_to(y=0, animate=False, immediate=True, force=True)
        await pilot.pause()
        log.hex_view.focus()  # the cursor starts on the top row's chunk
        await pilot.press("down", "down")
        cursor = log.marks.cursor.offset
        assert cursor is not None
        chunk = current_capture(app).chunk_index_at(cursor)
        assert chunk < 5
        log.set_layout("text")  # the text view gets the focus before its first size
        await wait_for(
            pilot,
            lambda: any(f"line {chunk:04d}" in row for row in rendered_rows(log.text_view)),
            "the cursor's chunk in the text view",
        )
