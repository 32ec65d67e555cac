"""Choosing one tab's text encoding: the composer encodes with it, the text view decodes.

The prompt checks the name before it closes: it closes only on an encoding the composer took
(one Python knows that turns text into bytes), and the text view then follows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tcptui.ui.prompt_screen import PromptScreen

if TYPE_CHECKING:
    from tcptui.ui.session_view import SessionView


def ask_encoding(view: SessionView) -> None:
    """Prompt for an encoding; once chosen, the composer and the text view both use it."""

    def chosen(name: str | None) -> None:
        if name:
            view.composer.set_encoding(name)
            view.receive_log.set_encoding(view.composer.encoding)
            view.notify(f"Text encoding: {view.composer.encoding} (composer and text view)")

    def check(name: str) -> str | None:
        return view.composer.set_encoding(name)

    view.app.push_screen(
        PromptScreen(
            "Text encoding for the composer and the text view",
            view.composer.encoding,
            "utf-8, latin-1, cp437, utf-16-le…",
            check,
        ),
        chosen,
    )
