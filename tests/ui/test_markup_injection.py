"""Strings from outside are shown as the characters they are, never read as markup.

Each hostile string goes in by a real path (a session file, a server, a certificate, a proxy,
the settings, the state file, the history, a snippet, a file name, typed input) and the test
reads what is painted: the literal text, no cell carrying an action or a link, and the app
still running after clicks on it. Markup read from any of them would have dropped the
brackets, and `[/]` would have raised MarkupError.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from textual.content import Content
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static, TabbedContent

from tcptui.capture.events import EventKind
from tcptui.capture.session_file import SessionMeta, save_session
from tcptui.capture.store import Capture, Direction
from tcptui.cli import parse_args
from tcptui.codec.composer_syntax import Syntax
from tcptui.net.target import TargetError, parse_target
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.certificate_panel import CertificatePanel
from tcptui.ui.history_screen import HistorySearchScreen
from tcptui.ui.literal import as_markup, literal, visible
from tcptui.ui.prompt_screen import PromptScreen
from tcptui.ui.save_screen import SaveScreen
from tcptui.ui.snippet_screens import SaveSnippetScreen, SnippetPickerScreen
from tcptui.user_files.history import HistoryStore
from tcptui.user_files.paths import data_dir, history_path, snippets_path
from tcptui.user_files.snippets import Snippet, save_snippet
from tests.helpers import EchoServer, PayloadServer, TlsServer, closed_port
from tests.helpers.app_parts import (
    current_composer,
    current_log,
    current_panel,
    current_view,
)
from tests.ui.helpers import wait_for, wait_open, wait_received

SIZE = (150, 44)
PAYLOADS = (
    "[@click=app.quit]X[/]",
    "[/]",
    "[link=https://example.com]L[/link]",
    "[bold]B",
    "[link='https://example.com']Q[/link]",
)
"""The issue's strings, and a link Textual's markup accepts (it wants the URL quoted)."""
QUIT, CLOSE_TAG, LINK, BOLD, QUOTED_LINK = PAYLOADS
CLICKED_CELLS = 20
"""How much of a text `click_on` looks for on one row."""


NOTIFICATION_SECONDS = 60.0
"""Long enough that no notification expires before a loaded machine gets to read it."""


def launch(args: list[str], capture: Capture | None = None) -> TcpTuiApp:
    """The app as `tcptui ARGS` starts it, with notifications that stay."""
    app = TcpTuiApp(parse_args(args), capture=capture)
    app.animation_level = "none"
    app.NOTIFICATION_TIMEOUT = NOTIFICATION_SECONDS
    return app


def screenshot_payload(folder: Path) -> str:
    """Markup that, if read, writes an SVG into `folder` when clicked (the issue's attack)."""
    return f"[@click=app.screenshot('victim.svg','{folder}')]CLICK[/]"


# -- reading what is painted -----------------------------------------------------------------


def session_file_naming(folder: Path, target: str) -> Path:
    """A saved session of one received chunk whose metadata names `target` as its peer."""
    source = Capture()
    source.append(Direction.RECEIVED, b"hello")
    path = folder / "hostile.tcptui"
    save_session(source, path, SessionMeta(target=target))
    source.close()
    return path


def painted(widget: Widget) -> str:
    """What `widget` paints, row by row, as it goes to the terminal."""
    width, height = widget.outer_size
    strips = widget.render_lines(Region(0, 0, width, height))
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def painted_content(widget: Widget) -> str:
    """What `widget` paints inside its border and padding, rows joined."""
    width, height = widget.outer_size
    gutter = widget.gutter
    strips = widget.render_lines(Region(0, 0, width, height))[gutter.top : height - gutter.bottom]
    return "".join(
        segment.text
        for strip in strips
        for segment in strip.crop(gutter.left, width - gutter.right)
    )


def shows(widget: Widget, text: str) -> bool:
    """Whether `widget` paints `text`, read across line wraps (spaces do not count)."""
    return "".join(text.split()) in "".join(painted_content(widget).split())


def has_no_actions(widget: Widget) -> bool:
    """No painted cell of `widget` carries a click action or a link."""
    width, height = widget.outer_size
    for strip in widget.render_lines(Region(0, 0, width, height)):
        for segment in strip:
            style = segment.style
            if style is not None and (style.link or "@click" in (style.meta or {})):
                return False
    return True


def assert_literal(widget: Widget, *texts: str) -> None:
    for text in texts:
        assert shows(widget, text), f"{text!r} not painted literally in:\n{painted(widget)}"
    assert has_no_actions(widget), painted(widget)


async def click_on(pilot: Pilot[int], widget: Widget, text: str) -> None:
    """Click the first, middle and last cell of the start of `text` where `widget` paints it
    (a long text may wrap)."""
    head = text[:CLICKED_CELLS]
    for y, row in enumerate(painted(widget).split("\n")):
        x = row.find(head)
        if x >= 0:
            for dx in sorted({0, len(head) // 2, len(head) - 1}):
                await pilot.click(widget, offset=(x + dx, y))
            await pilot.pause()
            return
    raise AssertionError(f"{head!r} is not on one row of {painted(widget)!r}")


def still_running(app: TcpTuiApp) -> bool:
    return app.is_running and app.return_code is None


def toasts(app: TcpTuiApp) -> list[Widget]:
    return list(app.screen.query("Toast"))


def toast_showing(app: TcpTuiApp, text: str) -> Widget | None:
    return next((toast for toast in toasts(app) if shows(toast, text)), None)


async def wait_toast(pilot: Pilot[int], app: TcpTuiApp, text: str) -> Widget:
    """The notification that paints `text` (fails at the deadline, naming what is shown)."""
    try:
        await wait_for(pilot, lambda: toast_showing(app, text) is not None, f"a toast of {text!r}")
    except AssertionError:
        shown = [painted(toast) for toast in toasts(app)]
        raise AssertionError(f"no notification paints {text!r}; shown: {shown}") from None
    toast = toast_showing(app, text)
    assert toast is not None
    return toast


# -- the helpers themselves ------------------------------------------------------------------


@pytest.mark.parametrize("payload", [*PAYLOADS, "[ @click=app.quit]X[/]", "a\\[b]\\", "[$x]"])
def test_literal_and_as_markup_keep_every_character_and_add_no_style(payload: str) -> None:
    for content in (literal(payload), Content.from_markup(as_markup(payload))):
        assert content.plain == payload
        assert not content.spans


def test_control_characters_become_visible_and_line_breaks_stay() -> None:
    assert visible("a\x1b]0;title\x07b\nc\td") == "a␛]0;title␇b\nc\\td"


# -- the paths -------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_session_file_target_is_painted_literally_on_its_tab_and_title(
    tmp_path: Path, payload: str
) -> None:
    app = launch(["--open", str(session_file_naming(tmp_path, payload))])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        tabs = app.query_one(TabbedContent)
        tab = tabs.get_tab(tabs.active)
        assert_literal(tab, payload)
        assert_literal(app.query_one("HeaderTitle"), payload)
        await click_on(pilot, tab, payload)
        assert still_running(app)


async def test_a_session_file_target_that_runs_an_action_when_clicked_does_nothing(
    tmp_path: Path,
) -> None:
    payload = screenshot_payload(tmp_path)
    app = launch(["--open", str(session_file_naming(tmp_path, payload))])
    async with app.run_test(size=(250, 30), notifications=True) as pilot:
        await pilot.pause()
        tabs = app.query_one(TabbedContent)
        tab = tabs.get_tab(tabs.active)
        assert_literal(tab, payload)
        await click_on(pilot, tab, "CLICK")
        assert still_running(app)
    assert not (tmp_path / "victim.svg").exists()


async def test_event_details_in_a_session_file_are_painted_literally_in_the_panel(
    tmp_path: Path,
) -> None:
    """The connected, TLS and closed events' details reach the panel and the summary line as
    the characters they are: no markup read, no terminal control sent."""
    controls = "\x1b]0;owned\x07\x1b[2J"
    source = Capture()
    source.add_event(EventKind.CONNECTED, f"{QUIT} → {LINK}{controls} in {BOLD}")
    source.add_event(EventKind.TLS_STARTED, f"TLSv1.3 {QUOTED_LINK}, ALPN {CLOSE_TAG}{controls}")
    source.append(Direction.RECEIVED, b"hello")
    source.add_event(EventKind.CLOSED, f"{QUIT}{controls}")
    path = tmp_path / "hostile-events.tcptui"
    save_session(source, path, SessionMeta(target="example.com:80"))
    source.close()
    app = launch(["--open", str(path)])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        panel = current_panel(app)
        shown_controls = visible(controls)
        handshake, tls, closed = (
            panel.query_one(selector, Widget)
            for selector in ("#step-handshake", "#saved-tls", "#step-closed")
        )
        assert_literal(handshake, f"connected to {LINK}{shown_controls} from {QUIT} in {BOLD}")
        assert_literal(tls, f"TLSv1.3 · {QUOTED_LINK}", f"ALPN {CLOSE_TAG}{shown_controls}")
        assert_literal(closed, f"{QUIT}{shown_controls}")
        for widget in (handshake, tls, closed):
            assert "\x1b" not in painted(widget) and "\x07" not in painted(widget)
        await click_on(pilot, handshake, QUIT)
        await click_on(pilot, closed, QUIT)
        assert still_running(app)
        await pilot.press("ctrl+l")
        summary = app.query_one("#connection-summary")
        await wait_for(pilot, lambda: summary.display, "the summary line")
        assert_literal(summary, f"TLSv1.3 · closed: {QUIT}{shown_controls}")
        assert "\x1b" not in painted(summary)


async def test_received_bytes_are_painted_literally_in_the_text_view() -> None:
    data = "".join(f"{payload}\n" for payload in PAYLOADS).encode()  # a row each
    with PayloadServer(data) as server:
        app = launch([f"127.0.0.1:{server.port}"])
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_received(app, pilot, len(data), "the hostile bytes")
            view = current_log(app).text_view
            await wait_for(pilot, lambda: shows(view, PAYLOADS[-1]), "the bytes painted")
            assert_literal(view, *PAYLOADS)
            await click_on(pilot, view, QUIT)
            assert still_running(app)


@pytest.fixture(scope="module")
def hostile_certificate(tmp_path_factory: pytest.TempPathFactory) -> trustme.LeafCert:
    """A certificate whose subject and issuer are markup."""
    ca = trustme.CA(organization_name=LINK)
    return ca.issue_cert("127.0.0.1", common_name=QUIT, organization_name=BOLD)


async def test_certificate_subject_and_issuer_are_painted_literally(
    hostile_certificate: trustme.LeafCert,
) -> None:
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    hostile_certificate.configure_cert(context)
    with TlsServer(context) as server:
        app = launch([f"tls://127.0.0.1:{server.port}", "--insecure"])
        async with app.run_test(size=(200, 60), notifications=True) as pilot:
            await wait_open(app, pilot)
            panel = app.query_one(CertificatePanel)
            await wait_for(pilot, lambda: shows(panel, QUIT), "the certificate shown")
            assert_literal(panel, QUIT, LINK, BOLD)
            await click_on(pilot, panel, QUIT)
            assert still_running(app)


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_a_proxy_error_reply_is_painted_literally(payload: str) -> None:
    reply = b"HTTP/1.1 403 " + payload.encode() + b"\r\n\r\n"
    with PayloadServer(reply) as proxy:
        target = f"127.0.0.1:{closed_port()}"
        app = launch([target, "--proxy", f"http://127.0.0.1:{proxy.port}"])
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            toast = await wait_toast(pilot, app, payload)
            assert_literal(toast, payload)
            reason = current_panel(app).query_one("#closed-reason", Static)
            assert_literal(reason, payload)
            await click_on(pilot, reason, payload)
            assert still_running(app)


async def test_terminal_controls_in_a_proxy_reply_never_reach_the_terminal() -> None:
    """ESC [2J would clear the screen and ESC ] 0 retitle the terminal if painted raw (the
    proxy code shows them as U+FFFD; anything else would be shown as an escape here)."""
    reply = b"HTTP/1.1 403 \x1b[2J\x1b]0;owned\x07\r\n\r\n"
    with PayloadServer(reply) as proxy:
        target = f"127.0.0.1:{closed_port()}"
        app = launch([target, "--proxy", f"http://127.0.0.1:{proxy.port}"])
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            toast = await wait_toast(pilot, app, "]0;owned")
            reason = current_panel(app).query_one("#closed-reason", Static)
            for widget in (toast, reason):
                assert_literal(widget, "[2J", "]0;owned")
                assert not {"\x1b", "\x07"} & set(painted(widget)), painted(widget)


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_a_settings_value_quoted_in_an_error_is_painted_literally(
    tmp_path: Path, payload: str
) -> None:
    config = tmp_path / "settings.toml"
    config.write_text(f"theme = {json.dumps(payload)}\n", encoding="utf-8")
    app = launch(["--config", str(config)])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        toast = await wait_toast(pilot, app, payload)
        assert_literal(toast, payload)
        assert still_running(app)


async def test_history_entries_are_painted_literally_in_the_search() -> None:
    history = HistoryStore(history_path())
    for payload in PAYLOADS:
        history.add(payload)
    app = launch([])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        current_composer(app).input.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, HistorySearchScreen), "search")
        matches = app.screen.query_one("#history-matches", OptionList)
        assert_literal(matches, *PAYLOADS)
        await click_on(pilot, matches, QUIT)
        assert still_running(app)


async def test_snippet_names_and_bodies_are_painted_literally() -> None:
    for payload in PAYLOADS:
        save_snippet(snippets_path(), Snippet(payload, payload, Syntax.TEXT))
    app = launch([])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        current_view(app).action_pick_snippet()
        await wait_for(pilot, lambda: isinstance(app.screen, SnippetPickerScreen), "picker")
        snippets = app.screen.query_one("#snippet-list", OptionList)
        for payload in PAYLOADS:
            assert painted(snippets).count(payload) >= 2, painted(snippets)
        assert has_no_actions(snippets)
        await click_on(pilot, snippets, QUIT)
        assert still_running(app)


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_a_snippet_name_typed_is_painted_literally_when_saved(payload: str) -> None:
    save_snippet(snippets_path(), Snippet(payload, "old", Syntax.TEXT))
    app = launch([])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        current_composer(app).input.focus()
        await pilot.press(*"hello")
        current_view(app).action_save_snippet()
        await wait_for(pilot, lambda: isinstance(app.screen, SaveSnippetScreen), "save")
        await pilot.press(*payload)
        status = app.screen.query_one("#snippet-name-status", Static)
        await wait_for(pilot, lambda: shows(status, payload), "the replace warning")
        assert_literal(status, payload)
        await pilot.press("enter")
        toast = await wait_toast(pilot, app, f"Saved snippet {payload}.")
        assert_literal(toast, payload)
        assert still_running(app)


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_a_saved_file_name_is_painted_literally_in_the_notification(
    tmp_path: Path, payload: str
) -> None:
    """The `/` of `[/]` makes a folder: the path as a whole holds the markup."""
    path = tmp_path / payload / "capture.tcptui"
    path.parent.mkdir(parents=True)
    capture = Capture()
    capture.append(Direction.RECEIVED, b"abc")
    app = launch([], capture)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveScreen), "the save dialog")
        app.screen.query_one("#save-path", Input).value = str(path)
        await pilot.press("enter")
        toast = await wait_toast(pilot, app, f"to {path.name} in ")
        assert_literal(toast, str(path.parent))  # as Python writes it: `//` becomes `/`
        assert still_running(app)
    assert path.exists()


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_typed_input_quoted_in_an_error_is_painted_literally(payload: str) -> None:
    app = launch([])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        host = current_panel(app).query_one("#host", Input)
        host.focus()
        await pilot.press(*payload, "tab", *"80", "enter")
        with pytest.raises(TargetError) as expected:
            parse_target(payload, "80")
        sentence = str(expected.value)  # it quotes what was typed, or the part that is wrong
        error = current_panel(app).query_one("#form-error", Static)
        await wait_for(pilot, lambda: shows(error, sentence), "the host error")
        assert_literal(error, sentence)
        await click_on(pilot, error, sentence)
        assert still_running(app)


async def test_invalid_hex_typed_in_the_composer_is_reported_literally() -> None:
    app = launch([])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        current_composer(app).syntax = Syntax.HEX
        current_composer(app).input.focus()
        await pilot.press(*QUIT)
        preview = current_composer(app).query_one("#preview", Static)
        await wait_for(pilot, lambda: shows(preview, "'['"), "the hex error")
        assert_literal(preview, "'[' (column 1) is not a hex digit")
        assert still_running(app)


@pytest.fixture
def hostile_recent_targets() -> Iterator[None]:
    """A state file whose recent targets are markup (it is a file anyone could edit)."""
    data_dir().mkdir(parents=True, exist_ok=True)
    (data_dir() / "state.json").write_text(json.dumps({"recent": list(PAYLOADS)}))
    yield


@pytest.mark.usefixtures("hostile_recent_targets")
async def test_palette_hits_from_recent_targets_and_profiles_are_painted_literally(
    tmp_path: Path,
) -> None:
    config = tmp_path / "settings.toml"
    config.write_text(f'[profiles.{json.dumps(QUIT)}]\ntarget = "127.0.0.1:7"\n', encoding="utf-8")
    app = launch(["--config", str(config)])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"Connect to")
        hits = app.screen.query_one("CommandList", OptionList)
        await wait_for(pilot, lambda: hits.option_count >= len(PAYLOADS), "the hits")
        assert_literal(hits, *(f"Connect to {payload}" for payload in PAYLOADS))
        await pilot.press(*["backspace"] * len("Connect to"), *"profile")
        await wait_for(pilot, lambda: shows(hits, f"Open profile @{QUIT}"), "the profile hit")
        assert_literal(hits, f"Open profile @{QUIT}")
        await pilot.press(*["backspace"] * len("profile"), *"Connect to")
        await wait_for(pilot, lambda: shows(hits, f"Connect to {CLOSE_TAG}"), "the hits again")
        await click_on(pilot, hits, f"Connect to {CLOSE_TAG}")
        toast = await wait_toast(pilot, app, f"'{CLOSE_TAG}'")
        assert_literal(toast, CLOSE_TAG)
        assert still_running(app)


async def test_a_notification_written_with_brackets_in_the_source_is_shown_as_written() -> None:
    """Notifications are literal text everywhere, so the hint's `[ and ]` keys survive."""
    app = launch([])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        current_view(app).action_resend_chunk()
        toast = await wait_toast(pilot, app, "Put the cursor on a message")
        assert_literal(toast, "(Tab, then [ and ]).")


async def test_a_sent_file_name_is_painted_literally(tmp_path: Path) -> None:
    """A file name cannot hold `/`: the payloads without one, and a terminal control."""
    path = tmp_path / "[@click=app.quit]X [bold]B \x1b[2J.bin"
    path.write_bytes(b"abc")
    shown = "[@click=app.quit]X [bold]B ␛[2J.bin"
    with EchoServer() as server:
        app = launch([f"127.0.0.1:{server.port}"])
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_open(app, pilot)
            await pilot.press("ctrl+o")
            await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), "the prompt")
            app.screen.query_one("#prompt-input", Input).value = str(path)
            await pilot.press("enter")
            toast = await wait_toast(pilot, app, f"Sent {shown}: ")
            assert_literal(toast, shown)
            assert "\x1b" not in painted(toast)
            assert still_running(app)
