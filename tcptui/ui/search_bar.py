"""The search bar under the log: a mode (text, hex, regex) and a pattern; Enter searches."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from tcptui.capture.search import Pattern, SearchMode, compile_pattern
from tcptui.codec.errors import CodecError
from tcptui.ui.literal import literal
from tcptui.ui.ordered_keys import OrderedInput, field_stays

PLACEHOLDERS = {
    SearchMode.TEXT: "text to find, e.g. HTTP/1.1",
    SearchMode.HEX: "hex bytes, ?? for any byte, e.g. de ad ?? ef",
    SearchMode.REGEX: r"regular expression over bytes, e.g. \d{3} OK",
}


class SearchBar(Horizontal):
    DEFAULT_CSS = """
    SearchBar { height: auto; display: none; padding: 0 1; }
    SearchBar.-open { display: block; }
    SearchBar #search-mode { width: 14; }
    SearchBar #search-input { width: 1fr; }
    SearchBar #search-error { width: auto; max-width: 50%; color: $error; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "close", "Close search", id="search.close")]

    class Submitted(Message):
        def __init__(self, pattern: Pattern) -> None:
            super().__init__()
            self.pattern = pattern

    class Closed(Message):
        pass

    class Reshaped(Message):
        """The bar took its rows, changed them or gave them back: the log shares its rows
        again."""

    def __init__(self) -> None:
        super().__init__(id="search-bar")
        self.encoding = "utf-8"

    def _parts(self) -> list[Widget]:
        """Made when the bar first opens, not composed: a new tab builds fewer widgets."""
        return [
            Select(
                [(mode.value, mode) for mode in SearchMode],
                value=SearchMode.TEXT,
                allow_blank=False,
                id="search-mode",
            ),
            OrderedInput(placeholder=PLACEHOLDERS[SearchMode.TEXT], id="search-input"),
            Static("", id="search-error"),
        ]

    @property
    def mode(self) -> SearchMode:
        value = self.query_one("#search-mode", Select).value
        return value if isinstance(value, SearchMode) else SearchMode.TEXT

    def open(self) -> None:
        if not self.children:
            self.mount_all(self._parts())
        self.add_class("-open")
        self.query_one("#search-input", Input).focus()

    def on_resize(self) -> None:
        self.post_message(self.Reshaped())

    def on_hide(self) -> None:
        self.post_message(self.Reshaped())

    def action_close(self) -> None:
        self.remove_class("-open")
        self.post_message(self.Closed())

    @on(Select.Changed, "#search-mode")
    def _mode_changed(self) -> None:
        self.query_one("#search-input", Input).placeholder = PLACEHOLDERS[self.mode]

    @on(Input.Submitted, "#search-input")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        field_stays(event.input)  # the bar stays: the keys behind the Enter are typed in it
        error = self.query_one("#search-error", Static)
        try:
            pattern = compile_pattern(event.value, self.mode, self.encoding)
        except CodecError as exc:
            error.update(literal(str(exc)))
            return
        error.update("")
        self.post_message(self.Submitted(pattern))
