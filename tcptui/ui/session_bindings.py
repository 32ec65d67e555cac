"""The keys of a connection tab, and which of its actions a saved session (--open) lacks.

Bindings carry ids, so the user's keymap can move them and every hint names the key the user
has (key_hints.py); the command palette is built from them too (session_commands.py).
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

from tcptui.ui.snippet_screens import SNIPPET_KEY_COUNT, snippet_keys

SESSION_BINDINGS: list[BindingType] = [
    Binding("f2", "connect", "Connect", id="session.connect"),
    Binding("f3", "disconnect", "Disconnect", id="session.disconnect"),
    Binding("ctrl+d", "half_close", "Send EOF", id="session.half_close", priority=True),
    Binding("f4", "cycle_line_ending", "Line ending", id="composer.line_ending"),
    Binding("f5", "cycle_view", "View", id="log.cycle_view"),
    Binding("ctrl+l", "toggle_panel", "Panel", id="session.toggle_panel", show=False),
    Binding("ctrl+f", "follow", "Follow tail", id="log.follow_tail", priority=True, show=False),
    Binding("f6", "copy_as", "Copy as…", id="capture.copy_as"),
    Binding("ctrl+s", "save", "Save/Export", id="capture.save", priority=True),
    Binding("f7", "cycle_syntax", "Syntax", id="composer.syntax", show=False),
    Binding("f8", "toggle_multiline", "Multi-line", id="composer.multiline", show=False),
    Binding("f9", "send", "Send", show=False, id="composer.send", priority=True),
    Binding("ctrl+t", "repeat", "Repeat", show=False, id="composer.repeat", priority=True),
    Binding("ctrl+g", "start_tls", "STARTTLS", show=False, id="session.start_tls", priority=True),
    Binding("ctrl+o", "send_file", "Send file", show=False, id="composer.send_file", priority=True),
    *[
        Binding(
            snippet_keys(index),
            f"send_snippet({index})",
            f"Snippet {index + 1}",
            show=False,
            id=f"snippets.send_{index + 1}",
        )
        for index in range(SNIPPET_KEY_COUNT)
    ],
]

LIVE_ACTIONS = frozenset(
    {
        "connect",
        "disconnect",
        "half_close",
        "start_tls",
        "cycle_line_ending",
        "cycle_syntax",
        "toggle_multiline",
        "send",
        "repeat",
        "send_file",
        "send_snippet",
        "pick_snippet",
        "save_snippet",
        "resend_chunk",
        "edit_chunk",
        "history_search",
        "answer_chunk",
        "ask_rule",
        "ask_run",
        "stop_run",
    }
)
"""What a tab of a saved session (--open) does not offer: it has no connection or composer."""
