"""Strings from outside, shown as the characters they are: never markup, never raw controls.

Textual reads a `str` given to a tab label, a border title, `Static`/`Label` content, a
notification or a palette entry as markup (DESIGN.md fact 11): `[@click=app.quit]` in a
session file's target ran an action when its tab was clicked and `[/]` raised MarkupError.
Anything not written in this source (a session file, a peer, a certificate, a proxy's reply,
the settings, the history, a snippet, a file name, an error quoting any of them) reaches the
screen through one of these functions, which also show control characters as escapes, since a
terminal obeys what reaches it (fact 1).
"""

from __future__ import annotations

from textual.content import Content

from tcptui.codec.safe_text import safe_label


def visible(text: str) -> str:
    """`text` with every control, format or invisible character shown as an escape; the line
    breaks stay, so a message of several lines keeps its shape."""
    return "\n".join(safe_label(line) for line in text.split("\n"))


def literal(text: str) -> Content:
    """`text` as content to show exactly as written, for any widget that takes Content."""
    return Content(visible(text))


def as_markup(text: str) -> str:
    """Markup that shows `text` literally, for the few APIs that take only markup (palette
    commands). Every `[` is escaped: Textual's own `escape` leaves `[ @click=…]` and `[B]`
    alone, and those still parse as tags."""
    return visible(text).replace("[", "\\[")
