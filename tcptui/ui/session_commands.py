"""The command palette's entries for one connection tab: every action by name, with its key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from tcptui.ui.key_hints import key_for

if TYPE_CHECKING:
    from tcptui.ui.session_view import SessionView


def session_commands(view: SessionView) -> Iterator[SystemCommand]:
    def keyed(help_text: str, binding_id: str) -> str:
        """The help with the key that does the same, as the user has it."""
        return f"{help_text} ({key_for(view, binding_id)})"

    yield SystemCommand(
        "Connect",
        keyed("Connect to the host and port in the form", "session.connect"),
        view.action_connect,
    )
    yield SystemCommand(
        "Disconnect",
        keyed("Close the connection now", "session.disconnect"),
        view.action_disconnect,
    )
    yield SystemCommand(
        "Send EOF (half-close)",
        keyed("shutdown(SHUT_WR): the peer sees EOF, you keep receiving", "session.half_close"),
        view.action_half_close,
    )
    yield SystemCommand(
        "Upgrade to TLS now (STARTTLS)",
        keyed("After the server said go ahead, e.g. SMTP's 220 to STARTTLS", "session.start_tls"),
        view.action_start_tls,
    )
    yield SystemCommand(
        "Cycle line ending",
        keyed("none → LF → CRLF → CR", "composer.line_ending"),
        view.action_cycle_line_ending,
    )
    yield SystemCommand(
        "Cycle view", keyed("dual → text → hex", "log.cycle_view"), view.action_cycle_view
    )
    yield SystemCommand(
        "Data inspector",
        keyed("Show or hide what the bytes at the log's cursor mean", "log.inspector"),
        view.action_toggle_inspector,
    )
    yield SystemCommand(
        "Copy selection or chunk",
        keyed("In the default format, in the log", "log.copy"),
        view.action_copy,
    )
    yield SystemCommand(
        "Copy everything received",
        "In the default format",
        lambda: view.action_copy("received"),
    )
    yield SystemCommand(
        "Copy as…",
        keyed("Pick what to copy and the format", "capture.copy_as"),
        view.action_copy_as,
    )
    yield SystemCommand(
        "Cycle composer syntax",
        keyed("text with escapes → hex → mixed", "composer.syntax"),
        view.action_cycle_syntax,
    )
    yield SystemCommand(
        "Multi-line composer",
        keyed("Open or close the multi-line editor", "composer.multiline"),
        view.action_toggle_multiline,
    )
    yield SystemCommand(
        "Set text encoding…", "For the composer and the text view", view.action_set_encoding
    )
    yield SystemCommand(
        "Repeat message…",
        keyed("N times, or every T ms until stopped", "composer.repeat"),
        view.action_repeat,
    )
    yield SystemCommand(
        "Resend chunk",
        keyed("Send the sent chunk under the cursor again", "log.resend"),
        view.action_resend_chunk,
    )
    yield SystemCommand(
        "Edit chunk in composer", keyed("As escaped text", "log.edit"), view.action_edit_chunk
    )
    yield SystemCommand(
        "Save composer as snippet…",
        "Keep the composer's message under a name",
        view.action_save_snippet,
    )
    yield SystemCommand(
        "Send snippet…",
        keyed("Pick a saved message to send", "snippets.send_1"),
        view.action_pick_snippet,
    )
    yield SystemCommand(
        "Search history…",
        keyed("Find an earlier message by any part of it", "composer.history_search"),
        view.composer.action_history_search,
    )
    yield SystemCommand(
        "Save / Export…",
        keyed("Session file, raw bytes, hexdump -C or pcap", "capture.save"),
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
        "Stop sequence", "End the running sequence where it is", view.automation.stop_run
    )
    yield SystemCommand(
        "Record sequence…",
        "Write what was sent (and the start of each reply) as a sequence file",
        view.automation.ask_record,
    )
    yield SystemCommand(
        "Follow tail",
        keyed("Scroll to the newest bytes and stay there", "log.follow_tail"),
        view.action_follow,
    )
