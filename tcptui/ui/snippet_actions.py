"""Snippets from one tab: keep the composer's message under a name, pick one, send one.

The snippet file is read fresh each time, so edits to it apply without a restart, and a
snippet is sent exactly as the composer would send its text, syntax and line ending.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tcptui.codec.errors import CodecError
from tcptui.codec.words import counted
from tcptui.ui.composer import encode_message
from tcptui.ui.snippet_screens import SaveSnippetScreen, SnippetPickerScreen
from tcptui.user_files.paths import snippets_path
from tcptui.user_files.snippets import Snippet, SnippetFileError, load_snippets, save_snippet

if TYPE_CHECKING:
    from tcptui.ui.session_view import SessionView


class SnippetActions:
    """Saves, picks and sends the snippets of the user's snippet file for one tab."""

    def __init__(self, view: SessionView) -> None:
        self._view = view

    def _load(self) -> list[Snippet] | None:
        """Read fresh each time, so edits to the file apply without a restart."""
        try:
            return load_snippets(snippets_path())
        except SnippetFileError as exc:
            self._view.notify(str(exc), title="Snippets not loaded", severity="error", markup=False)
            return None

    def ask_save(self) -> None:
        """Ask a name for the composer's message and keep it as a snippet."""
        view = self._view
        text = view.composer.text
        snippets = self._load()
        if not text:
            nothing = "Nothing to save: type a message in the composer first."
            view.notify(nothing, severity="warning")
        elif snippets is not None:
            names = [snippet.name for snippet in snippets]
            view.app.push_screen(SaveSnippetScreen(text, names), lambda name: self.save(name, text))

    def save(self, name: str | None, text: str) -> None:
        if name is None:
            return
        view = self._view
        composer = view.composer
        snippet = Snippet(name, text, composer.syntax, composer.line_ending)
        try:
            save_snippet(snippets_path(), snippet)
        except SnippetFileError as exc:
            view.notify(str(exc), title="Snippet not saved", severity="error", markup=False)
            return
        view.notify(f"Saved snippet {name}.", title="Snippets", markup=False)

    def pick(self) -> None:
        snippets = self._load()
        if snippets is not None:
            self._view.app.push_screen(SnippetPickerScreen(snippets), self.send)

    def send_numbered(self, index: int) -> None:
        snippets = self._load()
        if snippets is None:
            return
        if index >= len(snippets):
            have = counted(len(snippets), "snippet")
            self._view.notify(f"No snippet {index + 1}: the file holds {have}.", severity="warning")
            return
        self.send(snippets[index])

    def send(self, snippet: Snippet | None) -> None:
        """Send exactly what the composer would for the snippet's text, syntax and ending."""
        if snippet is None:
            return
        view = self._view
        composer = view.composer
        ending = snippet.line_ending_or(composer.line_ending)
        try:
            data = encode_message(
                snippet.text, snippet.syntax, composer.encoding, ending, snippet.is_multiline
            )
        except CodecError as exc:
            composer.show_error(f"Snippet {snippet.name}: {exc}")
            return
        view.sender.send_bytes(data)
