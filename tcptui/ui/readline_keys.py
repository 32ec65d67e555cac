"""Readline's editing keys in a one-line field, with readline's idea of a word.

nc users edit in bash, whose keys are in their fingers: ctrl+a/ctrl+e go to the start/end,
ctrl+k and ctrl+u cut to the end/start, ctrl+w cuts back to the previous space, alt+b and alt+f
move a word back/forward, alt+d cuts to the end of the word. Input has the first four (bound
again here, with ids, so F1 lists them and the keymap can move them); its words end where the
next one starts, not where readline's do, so the word keys are defined here.
"""

from __future__ import annotations

from textual.binding import Binding

from tcptui.ui.ordered_keys import OrderedInput


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def word_start_before(text: str, position: int) -> int:
    """Where alt+b goes: the start of the word at or before `position` (readline's rule)."""
    while position > 0 and not _is_word(text[position - 1]):
        position -= 1
    while position > 0 and _is_word(text[position - 1]):
        position -= 1
    return position


def word_end_after(text: str, position: int) -> int:
    """Where alt+f goes, and how far alt+d cuts: the end of the next word."""
    while position < len(text) and not _is_word(text[position]):
        position += 1
    while position < len(text) and _is_word(text[position]):
        position += 1
    return position


def space_word_start_before(text: str, position: int) -> int:
    """How far ctrl+w cuts back: to the previous space, as readline's unix-word-rubout."""
    while position > 0 and text[position - 1].isspace():
        position -= 1
    while position > 0 and not text[position - 1].isspace():
        position -= 1
    return position


class ReadlineInput(OrderedInput):
    """An ordered one-line field with readline's word keys."""

    BINDINGS = [
        Binding("ctrl+a", "home", "Start of line", show=False, id="composer.line_start"),
        Binding("ctrl+e", "end", "End of line", show=False, id="composer.line_end"),
        # Terminals send alt+b/alt+f as ESC b/ESC f, which Textual reads as ctrl+left/right.
        Binding("alt+b,ctrl+left", "word_back", "Word back", show=False, id="composer.word_back"),
        Binding(
            "alt+f,ctrl+right",
            "word_forward",
            "Word forward",
            show=False,
            id="composer.word_forward",
        ),
        Binding("ctrl+k", "delete_right_all", "Cut to end", show=False, id="composer.cut_to_end"),
        Binding(
            "ctrl+u", "delete_left_all", "Cut to start", show=False, id="composer.cut_to_start"
        ),
        Binding(
            "ctrl+w",
            "cut_back_to_space",
            "Cut word back (to a space)",
            show=False,
            id="composer.cut_word_back",
        ),
        Binding(
            "alt+d", "cut_word_forward", "Cut word forward", show=False, id="composer.cut_word"
        ),
    ]

    def action_word_back(self) -> None:
        self.cursor_position = word_start_before(self.value, self.cursor_position)

    def action_word_forward(self) -> None:
        self.cursor_position = word_end_after(self.value, self.cursor_position)

    def action_cut_word_forward(self) -> None:
        start = self.cursor_position
        self.delete(start, word_end_after(self.value, start))

    def action_cut_back_to_space(self) -> None:
        end = self.cursor_position
        self.delete(space_word_start_before(self.value, end), end)
