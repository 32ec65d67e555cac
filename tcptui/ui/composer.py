"""The composer: type a message, see exactly how many bytes Enter will send, and send it."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Static

from tcptui.codec.composer_syntax import LineEnding, Syntax, parse_composer
from tcptui.codec.errors import CodecError

PREVIEW_BYTES = 16


class History:
    """Sent messages, newest last, without adjacent repeats; Up/Down walk it like a shell."""

    def __init__(self, limit: int = 500) -> None:
        self.entries: list[str] = []
        self.limit = limit
        self._position = 0

    def add(self, text: str) -> None:
        if text and (not self.entries or self.entries[-1] != text):
            self.entries.append(text)
            del self.entries[: -self.limit]
        self._position = len(self.entries)

    def older(self) -> str | None:
        if self._position == 0:
            return None
        self._position -= 1
        return self.entries[self._position]

    def newer(self) -> str:
        self._position = min(len(self.entries), self._position + 1)
        return self.entries[self._position] if self._position < len(self.entries) else ""


class Composer(Vertical):
    """One-line message entry with a live byte count and the line ending always in view."""

    DEFAULT_CSS = """
    Composer { height: auto; border: round $accent 40%; padding: 0 1; }
    Composer:focus-within { border: round $accent; }
    Composer #composer-row { height: auto; }
    Composer Input { width: 1fr; border: none; height: 1; padding: 0; }
    Composer #eol { width: auto; padding: 0 1; background: $accent 30%; }
    Composer #preview { height: 1; color: $text-muted; }
    Composer #preview.-error { color: $error; }
    """

    BINDINGS = [
        Binding("up", "history_older", "Older message", show=False, id="composer.history_up"),
        Binding("down", "history_newer", "Newer message", show=False, id="composer.history_down"),
    ]

    line_ending: reactive[LineEnding] = reactive(LineEnding.LF)

    class Submitted(Message):
        """The user pressed Enter on a message that parses: `data` is exactly what to send."""

        def __init__(self, data: bytes, text: str) -> None:
            super().__init__()
            self.data = data
            self.text = text

    def __init__(self, line_ending: LineEnding = LineEnding.LF) -> None:
        super().__init__(id="composer")
        self.set_reactive(Composer.line_ending, line_ending)
        self.syntax = Syntax.TEXT
        self.encoding = "utf-8"
        self.history = History()
        self.border_title = "composer · text with escapes (\\r \\n \\t \\xHH \\e)"

    def compose(self) -> ComposeResult:
        with Horizontal(id="composer-row"):
            yield Input(placeholder="type a message and press Enter to send", id="message")
            yield Static(self.line_ending.label, id="eol")
        yield Static("", id="preview")

    @property
    def input(self) -> Input:
        return self.query_one("#message", Input)

    def on_mount(self) -> None:
        self.update_preview()

    def watch_line_ending(self) -> None:
        if self.is_mounted:
            self.query_one("#eol", Static).update(self.line_ending.label)
            self.update_preview()

    def encode(self, text: str) -> bytes:
        """The exact bytes Enter would send for `text`; raises CodecError when it cannot."""
        return parse_composer(text, self.syntax, self.encoding) + self.line_ending.bytes

    @on(Input.Changed, "#message")
    def update_preview(self) -> None:
        preview = self.query_one("#preview", Static)
        try:
            data = self.encode(self.input.value)
        except CodecError as exc:
            preview.set_class(True, "-error")
            preview.update(Text(str(exc)))
            return
        preview.set_class(False, "-error")
        head = data[:PREVIEW_BYTES].hex(" ")
        more = " …" if len(data) > PREVIEW_BYTES else ""
        preview.update(Text(f"{len(data):,} byte{'s' if len(data) != 1 else ''} on Enter: "
                            f"{head}{more}"))

    def show_error(self, message: str) -> None:
        preview = self.query_one("#preview", Static)
        preview.set_class(True, "-error")
        preview.update(Text(message))

    @on(Input.Submitted, "#message")
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            data = self.encode(event.value)
        except CodecError as exc:
            self.show_error(str(exc))
            return
        self.post_message(self.Submitted(data, event.value))

    def accept_sent(self, text: str) -> None:
        """The message went out: remember it and clear the line."""
        self.history.add(text)
        self.input.value = ""

    def action_history_older(self) -> None:
        text = self.history.older()
        if text is not None:
            self.input.value = text
            self.input.cursor_position = len(text)

    def action_history_newer(self) -> None:
        self.input.value = self.history.newer()
        self.input.cursor_position = len(self.input.value)
