"""Startup: the connection overlaps the building of the widgets, and the views wait for their
first size before they measure or paint a row (Textual draws the first frame before widgets
handle their Resize: text rows measured then were cut to 8 columns for a frame)."""

from __future__ import annotations

import pytest

from tcptui.capture.store import Capture, Direction
from tcptui.net.session import Session
from tcptui.ui.connection_panel import ConnectionPanel
from tcptui.ui.session_view import SessionView
from tcptui.ui.transcript_rows import TextPainter
from tcptui.ui.transcript_view import TranscriptView
from tests.helpers.servers import PayloadServer
from tests.ui.helpers import make_app, rendered_rows, wait_received

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
            assert any("220 ready" in row for row in rendered_rows(app.receive_log.text_view))


async def test_views_measure_and_paint_nothing_before_their_first_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before_first_size: list[tuple[str | None, int, str]] = []
    on_resize = TranscriptView.on_resize

    def resized(view: TranscriptView) -> None:
        if not view._sized:
            painted = view._painted_line(0).text.strip()
            before_first_size.append((view.id, view.layout_rows.measured_chunks, painted))
        on_resize(view)

    monkeypatch.setattr(TranscriptView, "on_resize", resized)
    app = make_app()
    app.capture = Capture()
    app.capture.append(Direction.RECEIVED, BANNER * 3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        log = app.receive_log
        assert sorted(before_first_size) == [("hex-view", 0, ""), ("text-view", 0, "")]
        painter = log.text_view.painter
        assert isinstance(painter, TextPainter)
        assert painter.wrap == log.text_view.scrollable_content_region.width - 2
        rows = [row.rstrip() for row in rendered_rows(log.text_view)[1:4]]
        assert rows == ["│ " + BANNER.decode().replace("\r\n", "\\r\\n")] * 3
        assert log.hex_view.layout_rows.measured_chunks == 1
