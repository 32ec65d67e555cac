"""The app against real loopback servers, driven with Textual's pilot."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual import events
from textual.css.stylesheet import StylesheetError
from textual.widgets import Input, Static

from tcptui.capture.store import Direction
from tcptui.codec.composer_syntax import LineEnding
from tcptui.launch_config import LaunchConfig
from tcptui.net.session import ConnectOptions, SessionState
from tcptui.net.target import Target
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.connection_panel import LifecycleStep
from tests.helpers import (
    EchoServer,
    HalfCloseServer,
    PayloadServer,
    closed_port,
    stream_bytes,
)
from tests.helpers.app_parts import current_capture, current_composer, current_log, current_view
from tests.ui.helpers import all_rows, make_app, wait_for, wait_open, wait_received

SIZE = (140, 40)


def static_text(app: object, selector: str) -> str:
    widget = app.query_one(selector, Static)  # type: ignore[attr-defined]
    return str(widget.render())


async def test_typed_message_is_sent_and_its_echo_shown() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            await pilot.press(*"hello")
            await pilot.press("enter")
            assert server.wait_received(6)
            await wait_received(app, pilot, 6, "the echo")
            assert server.received == b"hello\n"
            assert stream_bytes(current_capture(app), Direction.RECEIVED) == b"hello\n"
            rows = all_rows(current_log(app).text_view)
            assert any("▶ sent" in row for row in rows)
            assert any("◀ received" in row for row in rows)
            assert any("hello\\n" in row for row in rows)
            assert current_composer(app).input.value == ""
            handshake = app.query_one("#step-handshake", LifecycleStep)
            assert handshake.state == "done"
            assert "answered in" in str(handshake.render())


async def test_line_ending_choice_decides_the_bytes_on_the_wire() -> None:
    with EchoServer() as server:
        app = make_app(server.target, line_ending=LineEnding.CRLF)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            await pilot.press("a", "enter")
            assert server.wait_received(3)
            await pilot.press("f4")  # CRLF -> CR
            assert current_composer(app).line_ending is LineEnding.CR
            await pilot.press("b", "enter")
            assert server.wait_received(5)
            await pilot.press("f4", "c", "enter")  # CR -> none
            assert server.wait_received(6)
            assert server.received == b"a\r\nb\rc"


async def test_escapes_in_the_composer_send_exact_bytes_and_preview_counts_them() -> None:
    with EchoServer() as server:
        app = make_app(server.target, line_ending=LineEnding.NONE)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            await pilot.press(*"\\x00\\xff\\e")
            assert "3 bytes on Enter: 00 ff 1b" in static_text(app, "#preview")
            await pilot.press("enter")
            assert server.wait_received(3)
            assert server.received == b"\x00\xff\x1b"


async def test_bad_escape_is_an_inline_error_and_nothing_is_sent() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            await pilot.press(*"\\q", "enter")
            assert "column" in static_text(app, "#preview")
            assert current_capture(app).stream_bytes(Direction.SENT) == 0
            assert current_composer(app).input.value == "\\q"


async def test_sending_without_a_connection_is_a_clear_inline_error() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        current_composer(app).input.focus()
        await pilot.press("x", "enter")
        assert "Not connected" in static_text(app, "#preview")
        assert current_composer(app).input.value == "x"

        # Two Enters that arrive together: the text comes back, its error kept until it changes.
        await pilot.press("y")
        assert "Not connected" not in static_text(app, "#preview")
        for _ in range(2):
            app.post_message(events.Key("enter", "\r"))
        await wait_for(pilot, lambda: "Not connected" in static_text(app, "#preview"), "error")
        for _ in range(5):
            await pilot.pause()
        assert current_composer(app).input.value == "xy"
        assert "Not connected" in static_text(app, "#preview")
        await pilot.press("z")
        assert "Not connected" not in static_text(app, "#preview")


async def test_half_close_lets_the_server_answer_after_eof() -> None:
    with HalfCloseServer(lambda request: b"you said " + request) as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            await pilot.press("h", "i", "enter", "ctrl+d")
            await wait_for(
                pilot,
                lambda: (
                    current_view(app).session is not None
                    and current_view(app).session.state is SessionState.CLOSED
                ),
                "the close",
            )
            assert stream_bytes(current_capture(app), Direction.RECEIVED) == b"you said hi\n"
            assert "peer closed" in static_text(app, "#closed-reason")
            await pilot.press("x", "enter")
            assert "Press F2" in static_text(app, "#preview")


async def test_peer_close_is_shown_as_the_reason() -> None:
    with PayloadServer(b"bye\n") as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(
                pilot,
                lambda: (
                    current_view(app).session is not None
                    and current_view(app).session.state is SessionState.CLOSED
                ),
                "the close",
            )
            assert "The peer closed the connection" in static_text(app, "#closed-reason")
            assert "in  4 B in 1 chunk\nout 0 B in 0 chunks\n" in static_text(app, "#stats")
            closed = app.query_one("#step-closed", LifecycleStep)
            assert closed.state == "ended"
            assert app.query_one("#connect").label.plain == "Connect"  # type: ignore[attr-defined]


async def test_refused_connection_is_explained_and_the_app_can_connect_again() -> None:
    refused = Target("127.0.0.1", closed_port())
    app = make_app(refused)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: (
                current_view(app).session is not None
                and current_view(app).session.state is SessionState.CLOSED
            ),
            "the refusal",
        )
        assert "refused" in static_text(app, "#closed-reason")
        assert app.query_one("#step-handshake", LifecycleStep).state == "failed"
        assert any("refused" in str(n.message) for n in app._notifications)
        with EchoServer() as server:
            app.query_one("#port", Input).value = str(server.port)
            await pilot.press("f2")
            await wait_open(app, pilot)
            await pilot.press("o", "k", "enter")
            assert server.wait_received(3)
            assert server.received == b"ok\n"


async def test_bad_port_in_the_form_is_explained_without_connecting() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#host", Input).value = "127.0.0.1"
        app.query_one("#port", Input).value = "99999"
        await pilot.press("f2")
        assert "out of range" in static_text(app, "#form-error")
        assert current_view(app).session is None


async def test_quitting_while_connected_closes_the_connection_at_once() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            session = current_view(app).session
            await pilot.press("ctrl+q")
        assert session is not None
        assert session.join(1.0), "the I/O thread did not stop within a second of quitting"
        assert not [t for t in threading.enumerate() if t.name.startswith("tcptui-io")]


async def test_history_recalls_earlier_messages_with_up() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            await pilot.press("o", "n", "e", "enter", "t", "w", "o", "enter")
            assert server.wait_received(8)
            await pilot.press("up")
            assert current_composer(app).input.value == "two"
            await pilot.press("up")
            assert current_composer(app).input.value == "one"
            await pilot.press("down", "down")
            assert current_composer(app).input.value == ""


async def test_log_stops_following_when_scrolled_up_and_counts_unseen_bytes() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_open(app, pilot)
            for index in range(30):
                current_view(app).session.send(b"line %d\n" % index)  # type: ignore[union-attr]
            await wait_for(
                pilot,
                lambda: current_capture(app).stream_bytes(Direction.RECEIVED) >= 230,
                "the echoes",
            )
            view = current_log(app).text_view
            await wait_for(
                pilot,
                lambda: (
                    view.units.total_bytes == current_capture(app).total_bytes
                    and not view.layout_rows.pending
                    and view.scroll_y == view.max_scroll_y > 0
                ),
                "the view at the tail",
            )
            assert view.following
            view.scroll_home(animate=False, immediate=True)
            await pilot.pause()
            assert not view.following
            before = current_capture(app).total_bytes
            current_view(app).session.send(b"more\n")  # type: ignore[union-attr]
            await wait_for(
                pilot, lambda: current_capture(app).total_bytes >= before + 10, "more data"
            )
            await wait_for(
                pilot,
                lambda: "new bytes below" in str(view.border_subtitle),
                "the unseen-data indicator",
            )
            assert view.scroll_y == 0
            await pilot.press("ctrl+f")
            assert view.following and view.scroll_y == view.max_scroll_y
            assert not view.border_subtitle


async def test_a_step_asks_for_a_screen_layout_only_when_its_height_changes() -> None:
    app = make_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await pilot.pause()
        step = app.query_one("#step-resolve", LifecycleStep)
        width = step.content_region.width
        asked: list[bool] = []
        refresh = step.refresh

        def spy(*regions: object, layout: bool = False, **options: object) -> object:
            asked.append(layout)
            return refresh(*regions, layout=layout, **options)  # type: ignore[arg-type]

        step.refresh = spy  # type: ignore[method-assign]
        step.show("active", "short")
        assert asked and not any(asked)
        asked.clear()
        step.show("done", "x" * (3 * width))  # wraps: the step grows
        assert any(asked)
        await pilot.pause()
        assert step.size.height > 1
        assert "x" * 10 in "".join(
            segment.text for y in range(step.size.height) for segment in step.render_line(y)
        )


async def test_an_app_whose_css_cannot_be_read_reports_that_error_alone(tmp_path: Path) -> None:
    """Before its first screen the app has no DOM to shut down: unmounting must not add a
    second error (it raised ScreenStackError) to the one that matters."""

    class MissingCss(TcpTuiApp):
        CSS_PATH = str(tmp_path / "missing.tcss")

    app = MissingCss(LaunchConfig(None, ConnectOptions(), LineEnding.LF, False))
    with pytest.raises(StylesheetError, match="missing.tcss"):
        async with app.run_test(size=SIZE):
            pass
