"""The command palette's entries for one connection tab: every action by name, with its key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand

if TYPE_CHECKING:
    from tcptui.ui.session_view import SessionView


def session_commands(view: SessionView) -> Iterator[SystemCommand]:
    yield SystemCommand(
        "Connect", "Connect to the host and port in the form (F2)", view.action_connect
    )
    yield SystemCommand("Disconnect", "Close the connection now (F3)", view.action_disconnect)
    yield SystemCommand(
        "Send EOF (half-close)",
        "shutdown(SHUT_WR): the peer sees EOF, you keep receiving (ctrl+d)",
        view.action_half_close,
    )
    yield SystemCommand(
        "Upgrade to TLS now (STARTTLS)",
        "After the server said go ahead, e.g. SMTP's 220 to STARTTLS (ctrl+g)",
        view.action_start_tls,
    )
    yield SystemCommand(
        "Cycle line ending", "none → LF → CRLF → CR (F4)", view.action_cycle_line_ending
    )
    yield SystemCommand("Cycle view", "dual → text → hex (F5)", view.action_cycle_view)
    yield SystemCommand(
        "Data inspector",
        "Show or hide what the bytes at the log's cursor mean (i in the log)",
        view.action_toggle_inspector,
    )
    yield SystemCommand(
        "Copy selection or chunk", "In the default format (c in the log)", view.action_copy
    )
    yield SystemCommand(
        "Copy everything received",
        "In the default format",
        lambda: view.action_copy("received"),
    )
    yield SystemCommand("Copy as…", "Pick what to copy and the format (F6)", view.action_copy_as)
    yield SystemCommand(
        "Cycle composer syntax",
        "text with escapes → hex → mixed (F7)",
        view.action_cycle_syntax,
    )
    yield SystemCommand(
        "Multi-line composer",
        "Open or close the multi-line editor (F8)",
        view.action_toggle_multiline,
    )
    yield SystemCommand(
        "Set text encoding…", "For the composer and the text view", view.action_set_encoding
    )
    yield SystemCommand(
        "Repeat message…", "N times, or every T ms until stopped (ctrl+t)", view.action_repeat
    )
    yield SystemCommand(
        "Resend chunk",
        "Send the sent chunk under the cursor again (r)",
        view.action_resend_chunk,
    )
    yield SystemCommand("Edit chunk in composer", "As escaped text (e)", view.action_edit_chunk)
    yield SystemCommand(
        "Save composer as snippet…",
        "Keep the composer's message under a name",
        view.action_save_snippet,
    )
    yield SystemCommand(
        "Send snippet…",
        "Pick a saved message to send (shift+F1 … F12)",
        view.action_pick_snippet,
    )
    yield SystemCommand(
        "Search history…",
        "Find an earlier message by any part of it (ctrl+r)",
        view.composer.action_history_search,
    )
    yield SystemCommand(
        "Save / Export…",
        "Session file, raw bytes, hexdump -C or pcap (ctrl+s)",
        view.action_save,
    )
    yield SystemCommand(
        "Add responder…",
        "Answer received data: match/hex/regex and reply/reply_hex/reply_mixed",
        view.automation.ask_rule,
    )
    yield SystemCommand(
        "Answer this chunk with…",
        "A responder whose pattern is the start of the chunk under the log's cursor",
        view.action_answer_chunk,
    )
    yield SystemCommand(
        "Run sequence…", "Run a [[step]] file on this connection", view.automation.ask_run
    )
    yield SystemCommand(
        "Record sequence…",
        "Write what was sent (and the start of each reply) as a sequence file",
        view.automation.ask_record,
    )
    yield SystemCommand(
        "Follow tail", "Scroll to the newest bytes and stay there (ctrl+f)", view.action_follow
    )
