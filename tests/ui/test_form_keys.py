"""Keys that arrive together (tmux send-keys, a paste without bracketed paste) fill the
connection form in order: Tab moves on at its turn, Enter connects at its turn, and what is
typed behind it reaches the composer, not the port field."""

from __future__ import annotations

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tcptui.capture.store import Direction
from tcptui.net.session import SessionState
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.connection_panel import ConnectionPanel
from tests.helpers.app_parts import current_capture, current_composer, current_view
from tests.helpers.servers import EchoServer, GatedConnectProxy
from tests.ui.helpers import make_app, wait_for

SIZE = (150, 44)
Keys = list[tuple[str, str | None]]


def typed(text: str) -> Keys:
    names = {"\t": ("tab", None), "\r": ("enter", "\r"), " ": ("space", " "), "/": ("slash", "/")}
    return [names.get(char, (char, char)) for char in text]


def fields(app: object) -> tuple[str, str]:
    panel = app.query_one(ConnectionPanel)  # type: ignore[attr-defined]
    return panel.query_one("#host", Input).value, panel.query_one("#port", Input).value


async def test_host_tab_port_enter_and_a_message_in_one_burst() -> None:
    with EchoServer() as server:
        app = make_app(None)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.focused is not None and app.focused.id == "host"
            for key, character in typed(f"127.0.0.1\t{server.port}\rhi there\r"):
                app.post_message(events.Key(key, character))
            await wait_for(
                pilot, lambda: current_capture(app).chunk_count(Direction.SENT) == 1, "a send"
            )
            assert server.wait_received(len(b"hi there\n"))
            assert server.received == b"hi there\n"
            assert fields(app) == ("127.0.0.1", str(server.port))
            assert current_composer(app).input.value == ""


async def type_a_message_while_the_connection_opens(app: TcpTuiApp, pilot: Pilot[int]) -> None:
    """The burst above, applied whole while the proxy holds the connection opening: the
    composer's Enter comes before the connection is open, as it did now and then on a busy
    machine, when the send was refused and the text given back."""
    for key, character in typed("127.0.0.1\t7\rhi there\r"):
        app.post_message(events.Key(key, character))
    view, composer = current_view(app), current_composer(app)
    preview = composer.query_one("#preview")

    def entered() -> bool:
        queued = view.session is not None and view.session.queued_bytes > 0
        return queued or preview.has_class("-error")

    await wait_for(pilot, entered, "the message's Enter")
    assert not preview.has_class("-error"), str(preview.render())
    assert view.session is not None and view.session.state is SessionState.CONNECTING
    assert composer.input.value == ""


async def test_a_message_entered_while_the_connection_opens_goes_out_once_it_is_open() -> None:
    with GatedConnectProxy() as proxy:
        app = make_app(None, proxy=proxy.url)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await type_a_message_while_the_connection_opens(app, pilot)
            proxy.open_gate()
            assert proxy.wait_received(len(b"hi there\n"))
            await wait_for(
                pilot, lambda: current_capture(app).chunk_count(Direction.SENT) == 1, "the send"
            )
            assert proxy.received == b"hi there\n"
            assert current_composer(app).input.value == ""


async def test_a_message_entered_while_a_connection_that_never_opens_is_counted_unsent() -> None:
    with GatedConnectProxy(reply=b"HTTP/1.1 403 Forbidden\r\n\r\n") as proxy:
        app = make_app(None, proxy=proxy.url)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await type_a_message_while_the_connection_opens(app, pilot)
            proxy.open_gate()
            reason = app.query_one("#closed-reason", Static)
            await wait_for(
                pilot, lambda: "9 queued bytes were not sent" in str(reason.render()), "the end"
            )
            assert current_capture(app).chunk_count(Direction.SENT) == 0
            assert "403 Forbidden" in str(reason.render())


async def test_a_bracketed_paste_right_behind_enter_goes_to_the_composer() -> None:
    with EchoServer() as server:
        app = make_app(None)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            for key, character in typed(f"127.0.0.1\t{server.port}\r"):
                app.post_message(events.Key(key, character))
            app.post_message(events.Paste("GET / HTTP/1.0"))
            app.post_message(events.Key("enter", "\r"))
            await wait_for(
                pilot, lambda: current_capture(app).chunk_count(Direction.SENT) == 1, "a send"
            )
            assert server.wait_received(len(b"GET / HTTP/1.0\n"))
            assert server.received == b"GET / HTTP/1.0\n"
            assert fields(app) == ("127.0.0.1", str(server.port))


async def test_keys_behind_an_enter_that_cannot_connect_stay_in_the_field() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key, character in typed("localhost\r80"):
            app.post_message(events.Key(key, character))
        await wait_for(pilot, lambda: fields(app)[0] == "localhost80", "the keys typed")
        assert "no port" in str(app.query_one("#form-error").render())
        assert app.focused is not None and app.focused.id == "host"
        assert current_view(app).session is None


async def test_with_the_multiline_editor_open_the_keys_behind_enter_go_to_it() -> None:
    with EchoServer() as server:
        app = make_app(None)
        async with app.run_test(size=SIZE) as pilot:
            current_composer(app).multiline = True
            app.query_one("#host", Input).value = "127.0.0.1"
            app.query_one("#port", Input).focus()
            await pilot.pause()
            for key, character in typed(f"{server.port}\rhello\r"):
                app.post_message(events.Key(key, character))
            await wait_for(
                pilot, lambda: "hello" in current_composer(app).editor.text, "the editor text"
            )
            assert app.focused is current_composer(app).editor
            assert current_capture(app).chunk_count(Direction.SENT) == 0  # F9 sends from the editor
