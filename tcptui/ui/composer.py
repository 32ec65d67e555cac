"""The composer: type a message, see exactly which bytes Enter will send, and send them.

One line by default; F8 opens a multi-line editor for requests such as HTTP, whose newlines
become the chosen line ending. The syntax (text with escapes, hex, or mixed) and the text
encoding decide how typed characters become bytes; the preview shows the result as you type.
Hex is exact: Enter sends the bytes typed and nothing else, so the line ending is for text
and mixed syntax only. Nothing changes the tab's settings behind the user's back: editing a
chunk (no line ending) or recalling a message sent in another encoding holds for that one
message, and says so beside the line ending.
"""

from __future__ import annotations

import codecs

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, ProgressBar, Static, TextArea

from tcptui.codec.composer_syntax import LineEnding, Syntax, parse_composer
from tcptui.codec.errors import CodecError
from tcptui.ui.history_screen import HistorySearchScreen
from tcptui.ui.key_hints import key_for
from tcptui.ui.literal import literal
from tcptui.ui.ordered_keys import OrderedTextArea
from tcptui.ui.readline_keys import ReadlineInput
from tcptui.user_files.history import DEFAULT_LIMIT, HistoryEntry, HistoryStore
from tcptui.user_files.paths import history_path

PREVIEW_BYTES = 16
"""Bytes the preview shows before it has a width."""
SYNTAX_HINTS = {
    Syntax.TEXT: "text with escapes: \\r \\n \\t \\0 \\e \\\\ \\xHH \\u{1F600}",
    Syntax.HEX: "hex bytes, sent exactly, no line ending: de ad be ef · deadbeef · 0xde,0xad",
    Syntax.MIXED: "text with {de ad} hex blocks; \\{ \\} \\\\ for literal braces",
}


def preview_line(data: bytes, key: str, width: int) -> str:
    """`N bytes on Enter: 68 69 0a`, with as many bytes as `width` cells hold (and ` …` when
    some are left out); without a width yet, the first PREVIEW_BYTES."""
    plural = "s" if len(data) != 1 else ""
    head = f"{len(data):,} byte{plural} on {key}: "
    room = width - len(head)
    if width <= 0:
        shown = PREVIEW_BYTES
    elif 3 * len(data) - 1 <= room:
        shown = len(data)
    else:
        shown = max(1, (room - 1) // 3)  # `xx ` a byte, less the last space, then ` …`
    more = " …" if len(data) > shown else ""
    return f"{head}{data[:shown].hex(' ')}{more}"


def encode_message(
    text: str, syntax: Syntax, encoding: str, line_ending: LineEnding, multiline: bool
) -> bytes:
    """The exact bytes for a composer message.

    Hex is the bytes typed, whatever the line ending. A one-line text or mixed message gets
    the line ending appended. In a multi-line message every line ends with it (so newlines
    become CRLF when CRLF is chosen); with no line ending the newlines stay LF. A CodecError
    names the line and column of the first mistake.
    """
    if syntax is Syntax.HEX:
        return parse_composer(text.replace("\n", " "), syntax, encoding)
    if not multiline:
        return parse_composer(text, syntax, encoding) + line_ending.bytes
    separator = line_ending.bytes or b"\n"
    parts = []
    for number, line in enumerate(text.split("\n"), start=1):
        try:
            parts.append(parse_composer(line, syntax, encoding))
        except CodecError as exc:
            raise CodecError(f"line {number}: {exc}", exc.column) from None
    return separator.join(parts) + line_ending.bytes


class MessageInput(ReadlineInput):
    """The one-line message: Enter takes the text and empties the input at that very key, so
    the keys behind it start the next message (`hi⏎⏎yo⏎` sends hi, an empty line, then yo)."""

    async def action_submit(self) -> None:
        value, self.value = self.value, ""
        self.post_message(self.Submitted(self, value))


class Composer(Vertical):
    """Message entry with a live byte preview and the line ending always in view."""

    DEFAULT_CSS = """
    Composer { height: auto; border: round $accent 40%; padding: 0 1; }
    Composer:focus-within { border: round $accent; }
    Composer #composer-row { height: auto; }
    Composer #message { width: 1fr; }
    Composer #multiline { display: none; height: 8; width: 1fr; }
    Composer.-multiline #multiline { display: block; }
    Composer.-multiline #message { display: none; }
    Composer #mode { width: auto; padding: 0 1; color: $text-muted; }
    Composer #eol { width: auto; padding: 0 1; background: $accent 30%; }
    Composer #preview { height: 1; color: $text-muted; }
    Composer #upload { height: 1; display: none; }
    Composer.-uploading #upload { display: block; }
    Composer #upload ProgressBar { width: 1fr; }
    Composer #upload-label { width: auto; padding: 0 1 0 0; }
    Composer #preview.-error { color: $error; }
    """

    BINDINGS = [
        Binding("up", "history_older", "Older message", show=False, id="composer.history_up"),
        Binding("down", "history_newer", "Newer message", show=False, id="composer.history_down"),
        Binding(
            "ctrl+r", "history_search", "Search history", show=False, id="composer.history_search"
        ),
    ]

    line_ending: reactive[LineEnding] = reactive(LineEnding.LF)
    syntax: reactive[Syntax] = reactive(Syntax.TEXT)
    encoding: reactive[str] = reactive("utf-8")
    multiline: reactive[bool] = reactive(False)

    class Submitted(Message):
        """The user asked to send a message that parses: `data` is exactly what to send,
        `entry` what history keeps of it."""

        def __init__(self, data: bytes, entry: HistoryEntry) -> None:
            super().__init__()
            self.data = data
            self.entry = entry

        @property
        def text(self) -> str:
            return self.entry.text

    def __init__(
        self, line_ending: LineEnding = LineEnding.LF, history_size: int = DEFAULT_LIMIT
    ) -> None:
        super().__init__(id="composer")
        self.set_reactive(Composer.line_ending, line_ending)
        self.history = HistoryStore(history_path(), history_size)
        self._given_back: str | None = None
        self._once_line_ending: LineEnding | None = None
        self._once_encoding: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="composer-row"):
            yield MessageInput(placeholder="type a message and press Enter to send", id="message")
            yield OrderedTextArea(id="multiline", soft_wrap=True, show_line_numbers=True)
            yield Static("", id="mode")
            yield Static(self.line_ending.label, id="eol")
        yield Static("", id="preview")
        with Horizontal(id="upload"):
            yield Static("", id="upload-label")
            yield ProgressBar(id="upload-progress", show_eta=True)

    @property
    def input(self) -> Input:
        return self.query_one("#message", Input)

    @property
    def editor(self) -> TextArea:
        return self.query_one("#multiline", TextArea)

    @property
    def entry(self) -> Widget:
        """Where text is typed now: the one-line input, or the editor when it is shown."""
        return self.editor if self.multiline else self.input

    def focus_entry(self) -> None:
        self.entry.focus()

    @property
    def text(self) -> str:
        return self.editor.text if self.multiline else self.input.value

    def on_mount(self) -> None:
        self.call_after_refresh(self._show_mode)
        self._show_history_warning()

    def _show_history_warning(self) -> None:
        if (warning := self.history.take_warning()) is not None:
            self.notify(warning, title="History", severity="warning", markup=False)

    def action_history_search(self) -> None:
        self.app.push_screen(HistorySearchScreen(self.history), self._history_chosen)

    def _history_chosen(self, entry: HistoryEntry | None) -> None:
        if entry is not None:
            self.load_entry(entry)

    @property
    def message_line_ending(self) -> LineEnding:
        """What Enter appends to this message: the tab's line ending, unless this one message
        was given its own (an edited chunk)."""
        return self._once_line_ending or self.line_ending

    @property
    def message_encoding(self) -> str:
        """The encoding of this message: the tab's, unless it was recalled from history."""
        return self._once_encoding or self.encoding

    def cycle_line_ending(self) -> None:
        """F4: the ending after the one this message would get, for the tab from now on."""
        following = self.message_line_ending.next()
        self._once_line_ending = None
        self.line_ending = following
        self._show_line_ending()

    def watch_line_ending(self) -> None:
        self._once_line_ending = None
        self._show_line_ending()

    def _show_line_ending(self) -> None:
        if not self.is_mounted:
            return
        try:
            eol = self.query_one("#eol", Static)
        except NoMatches:
            return  # being removed
        if self.syntax is Syntax.HEX:
            eol.update(f"{self.line_ending.label}: not added to hex")
        elif self._once_line_ending is not None:
            eol.update(f"{self._once_line_ending.label} for this message")
        else:
            eol.update(self.line_ending.label)
        self.update_preview()

    def watch_syntax(self) -> None:
        self._show_mode()

    def watch_encoding(self) -> None:
        self._once_encoding = None
        self._show_mode()

    def toggle_multiline(self) -> None:
        """F8: to the editor and back, keeping the text; a message of several lines stays in
        the editor (the one-line input cannot hold it), and the preview says why."""
        if self.multiline and "\n" in self.editor.text:
            lines = self.editor.text.count("\n") + 1
            self.show_error(
                f"The message has {lines} lines and the one-line composer holds one: "
                "join them, or send it from here."
            )
            return
        self.multiline = not self.multiline

    def watch_multiline(self, multiline: bool) -> None:
        if not self.is_mounted:
            return
        self.set_class(multiline, "-multiline")
        if multiline:
            self.editor.text = self.input.value
            self.editor.focus()
        else:
            self.input.value = self.editor.text
            self.input.focus()
        self._show_mode()

    def _show_mode(self) -> None:
        if not self.is_mounted:
            return
        try:
            mode = self.query_one("#mode", Static)
        except NoMatches:
            # Also run after a refresh from on_mount; Textual runs that even for a composer
            # being removed (a tab closed as soon as it opened), whose children are then gone.
            return
        once = " for this message" if self._once_encoding is not None else ""
        mode.update(literal(f"{self.syntax.value} · {self.message_encoding}{once}"))
        self.border_title = Text(f"composer · {SYNTAX_HINTS[self.syntax]} · {self._send_key} sends")
        self._show_line_ending()

    def set_encoding(self, name: str) -> str | None:
        """Use another text encoding; returns an error sentence if Python does not know it."""
        try:
            info = codecs.lookup(name)
        except LookupError:
            return f"{name!r} is not an encoding Python knows (try utf-8, latin-1, cp437)"
        if not getattr(info, "_is_text_encoding", True):
            return f"{name!r} is not a text encoding (it turns bytes into bytes)"
        self.encoding = info.name
        return None

    def encode(self, text: str) -> bytes:
        """The exact bytes a send would put on the wire for `text`."""
        return encode_message(
            text, self.syntax, self.message_encoding, self.message_line_ending, self.multiline
        )

    @on(Input.Changed, "#message")
    @on(TextArea.Changed, "#multiline")
    def _text_changed(self) -> None:
        if self._given_back is not None and self.text == self._given_back:
            return  # a failed send's text is back: its error stays until the text changes
        self._given_back = None
        self.update_preview()

    def update_preview(self) -> None:
        try:
            preview = self.query_one("#preview", Static)
            text = self.text
        except NoMatches:
            return  # being removed, children first (a tab closed as soon as it opened)
        try:
            data = self.encode(text)
        except CodecError as exc:
            preview.set_class(True, "-error")
            preview.update(literal(str(exc)), layout=False)  # one row, always: see steady_input
            return
        preview.set_class(False, "-error")
        line = preview_line(data, self._send_key, preview.content_region.width)
        preview.update(Text(line), layout=False)

    def on_resize(self) -> None:
        """The preview shows as many bytes as its new width holds."""
        self.update_preview()

    @property
    def _send_key(self) -> str:
        return key_for(self, "composer.send") if self.multiline else "Enter"

    def show_upload(self, name: str, done: int, total: int) -> None:
        """A file is being sent: show how far it got (its key again cancels)."""
        self.add_class("-uploading")
        cancel = key_for(self, "composer.send_file")
        self.query_one("#upload-label", Static).update(
            literal(f"sending {name} · {cancel} cancels")
        )
        self.query_one("#upload-progress", ProgressBar).update(total=max(total, 1), progress=done)

    def hide_upload(self) -> None:
        self.remove_class("-uploading")

    def show_error(self, message: str) -> None:
        preview = self.query_one("#preview", Static)
        preview.set_class(True, "-error")
        preview.update(literal(message))

    @on(Input.Submitted, "#message")
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit(event.value)

    def submit(self, text: str | None = None) -> None:
        """Parse `text` (by default what is typed, which then empties) and ask the app to send
        it. Text that does not parse, or whose send fails, comes back (`give_back`)."""
        if text is None:
            text = self.text
            self.load("")
        try:
            data = self.encode(text)
        except CodecError as exc:
            self.give_back(text)
            self.show_error(str(exc))
            return
        self.post_message(
            self.Submitted(data, HistoryEntry(text, self.syntax, self.message_encoding))
        )

    def accept_sent(self, entry: HistoryEntry) -> None:
        """The message went out: remember it, and what held for it alone is over."""
        self.history.add(*entry)
        self._show_history_warning()
        self.end_message_settings()

    def end_message_settings(self) -> None:
        """Back to the tab's line ending and encoding."""
        if self._once_line_ending is None and self._once_encoding is None:
            return
        self._once_line_ending = self._once_encoding = None
        self._show_mode()

    def load_chunk(self, text: str) -> None:
        """An edited chunk, as escaped text: sent with no line ending, this once."""
        self.syntax = Syntax.TEXT
        self.load(text)
        self._once_line_ending = LineEnding.NONE
        self._show_mode()

    def load_entry(self, entry: HistoryEntry) -> None:
        """A message from history, in the syntax and encoding it was sent in; an encoding
        other than the tab's holds for this message only."""
        self.syntax = entry.syntax
        encoding = entry.encoding
        self._once_encoding = encoding if encoding and encoding != self.encoding else None
        self.load(entry.text)
        self._show_mode()

    def give_back(self, text: str) -> None:
        """The message did not go out: back into the composer, unless something new is typed."""
        if not self.text:
            self._given_back = text
            self.load(text)

    def load(self, text: str) -> None:
        """Put `text` in the composer (for history, snippets and editing a chunk)."""
        if self.multiline or "\n" in text:
            self.multiline = True
            self.editor.text = text
        else:
            self.input.value = text
            self.input.cursor_position = len(text)

    def action_history_older(self) -> None:
        entry = self.history.older()
        if entry is not None:
            self.load_entry(entry)

    def action_history_newer(self) -> None:
        entry = self.history.newer()
        if entry is None:
            self._once_encoding = None
            self.load("")
            self._show_mode()
        else:
            self.load_entry(entry)
