"""Keys before new bytes: typing lays out nothing, and a take of new bytes waits for a key's
frame, but never for long (key_priority, steady_input)."""

from __future__ import annotations

import time

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Input

from tcptui.ui.key_priority import KEY_FIRST, LONGEST_KEY_WAIT, KeyPriority, KeyWait
from tcptui.ui.steady_input import SteadyInput
from tests.helpers import DEFAULT_TIMEOUT, DribbleServer, EchoServer, OneReadPerByte
from tests.helpers.app_parts import current_capture, current_composer, current_view
from tests.ui.helpers import make_app, timer_delays, wait_for, wait_open

KEY = events.Key("a", "a")


def test_a_key_or_a_paste_asks_for_a_wait_and_other_events_do_not() -> None:
    priority = KeyPriority()
    priority.note(events.Resize.from_dimensions((80, 24), None), now=10.0)
    assert priority.wait(10.0) == 0.0
    priority.note(KEY, now=10.0)
    assert priority.wait(10.0) == pytest.approx(KEY_FIRST)
    assert priority.wait(10.0 + KEY_FIRST / 2) == pytest.approx(KEY_FIRST / 2)
    assert priority.wait(10.0 + KEY_FIRST) == 0.0
    priority.note(events.Paste("pasted"), now=20.0)
    assert priority.wait(20.0) == pytest.approx(KEY_FIRST)


async def test_keys_held_down_delay_a_take_no_longer_than_the_longest_wait() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)):
        wait = KeyWait(current_view(app))
        start = 100.0
        waited: list[float] = []
        for step in range(12):  # a key every 10 ms, for longer than the longest wait
            now = start + step * 0.01
            app.key_priority.note(KEY, now=now)
            waited.append(wait.wait(now))
        assert waited[0] == pytest.approx(KEY_FIRST)
        assert all(now_wait <= LONGEST_KEY_WAIT for now_wait in waited)
        assert waited[-1] == 0.0, "the take goes ahead once it has waited the longest wait"
        wait.done()
        assert wait.wait(start + 0.11) == pytest.approx(KEY_FIRST), "the next take waits afresh"


async def test_a_take_due_just_after_a_key_waits_for_the_keys_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_open(app, pilot)
            view = current_view(app)
            delays = timer_delays(view, monkeypatch)
            view.pacer.next_take = 0.0  # due now, as after a quiet spell
            app.key_priority.note(KEY, now=time.monotonic() + 1.0)  # a key "just" read
            view.pacer.schedule()
            assert len(delays) == 1 and 0 < delays[0] <= LONGEST_KEY_WAIT
            assert view.pacer.timer is not None


async def test_bytes_keep_coming_into_the_log_while_keys_are_typed_without_a_pause() -> None:
    """A key every 10 ms (held down, pasted) never lets KEY_FIRST pass: the takes still come,
    each after at most the longest wait."""
    pacing = OneReadPerByte()
    payload = b"storm " * 1000
    with DribbleServer(payload, pacing) as server:
        app = make_app(server.target)
        async with app.run_test(size=(120, 30)) as pilot:
            capture = current_capture(app)
            pacing.watch(capture)
            await wait_for(pilot, lambda: capture.total_bytes > 0, "the storm to begin")
            field = current_composer(app).input
            field.focus()
            takes: list[int] = []
            pacer = current_view(app).pacer
            take = pacer.take

            def counted_take() -> None:
                takes.append(capture.total_bytes)
                take()

            pacer.take = counted_take  # type: ignore[method-assign]
            typed = 0
            deadline = time.monotonic() + 10 * LONGEST_KEY_WAIT + DEFAULT_TIMEOUT
            while len(takes) < 5 and time.monotonic() < deadline:
                app.post_message(events.Key("x", "x"))
                typed += 1
                await pilot.pause(0.01)
            assert len(takes) >= 5, f"only {len(takes)} takes while {typed} keys were typed"
            assert takes == sorted(takes) and takes[-1] > takes[0]
            await wait_for(pilot, lambda: field.value == "x" * typed, "every typed key")
            pacing.release()  # the rest of the storm at once: on a loaded machine it is slow
            await wait_for(pilot, lambda: capture.total_bytes == len(payload), "the storm")


class TwoFields(App[None]):
    def compose(self) -> ComposeResult:
        yield Input(id="plain")
        yield SteadyInput(id="steady")


@pytest.mark.parametrize(
    "keys",
    [
        "hello",
        "a message much longer than the field is wide, so that it has to scroll sideways",
        "a message much longer than the field is wide, so that it scrolls" + "\b" * 40,
    ],
)
async def test_a_steady_input_shows_what_textuals_input_shows(keys: str) -> None:
    app = TwoFields()
    async with app.run_test(size=(40, 8)) as pilot:
        shown: list[list[str]] = []
        for field_id in ("#plain", "#steady"):
            field = app.query_one(field_id, Input)
            field.focus()
            await pilot.press(*["backspace" if key == "\b" else key for key in keys])
            await pilot.pause()
            shown.append([field.render_line(y).text for y in range(field.size.height)])
            assert field.scroll_x == app.query_one("#plain", Input).scroll_x
        assert shown[0] == shown[1]


async def test_typing_a_message_that_fits_lays_out_nothing() -> None:
    """Each key in Textual's Input lays out the whole screen (a new virtual size), which under
    a storm also repaints the log in the key's frame."""
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        field = current_composer(app).input
        field.focus()
        await pilot.press("G")  # the field's first virtual size was the placeholder's width
        await pilot.pause()
        layouts: list[Screen[object]] = []
        app.screen.screen_layout_refresh_signal.subscribe(app.screen, layouts.append)
        await pilot.press(*"ET / HTTP/1.0")
        await pilot.press("backspace", "backspace")
        await pilot.pause()
        assert field.value == "GET / HTTP/1"
        assert layouts == []


class AutoWidth(App[None]):
    CSS = "SteadyInput { width: auto; }"

    def compose(self) -> ComposeResult:
        yield SteadyInput()


async def test_an_auto_width_steady_input_is_as_wide_as_its_text() -> None:
    app = AutoWidth()
    async with app.run_test(size=(80, 8)) as pilot:
        field = app.query_one(SteadyInput)
        field.focus()
        await pilot.press(*"short")
        await pilot.pause()
        narrow = field.size.width
        await pilot.press(*" and then some more words")
        await pilot.pause()
        assert field.size.width == narrow + len(" and then some more words")
