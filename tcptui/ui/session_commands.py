"""The command palette's entries for one connection tab, built from the bindings.

A keyed entry names a binding: the key shown (as this user has it) and the action run both come
from that binding, so the palette can never name a key or run an action the tab's keys do not.
Only its words are written here. The few commands without a key of their own are listed apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.actions import parse
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode

from tcptui.ui.composer import Composer
from tcptui.ui.key_hints import key_for
from tcptui.ui.transcript_view import TranscriptView

if TYPE_CHECKING:
    from tcptui.ui.session_view import SessionView


@dataclass(frozen=True)
class Keyed:
    """A command that a binding also runs: its key is shown after the help."""

    binding_id: str
    title: str
    help: str


@dataclass(frozen=True)
class Unkeyed:
    """A command no key runs; `action` is the name the tab's check_action knows it by."""

    title: str
    help: str
    action: str
    callback: Callable[[SessionView], Callable[[], object]]


PALETTE: tuple[Keyed | Unkeyed, ...] = (
    Keyed("session.connect", "Connect", "Connect to the host and port in the form"),
    Keyed("session.disconnect", "Disconnect", "Close the connection now"),
    Keyed(
        "session.half_close",
        "Send EOF (half-close)",
        "shutdown(SHUT_WR): the peer sees EOF, you keep receiving",
    ),
    Keyed(
        "session.start_tls",
        "Upgrade to TLS now (STARTTLS)",
        "After the server said go ahead, e.g. SMTP's 220 to STARTTLS",
    ),
    Keyed("composer.line_ending", "Cycle line ending", "none → LF → CRLF → CR"),
    Keyed("log.cycle_view", "Cycle view", "dual → text → hex"),
    Keyed(
        "log.compact",
        "Compact rows",
        "Direction and time in a gutter instead of a header row per message (or back)",
    ),
    Keyed(
        "log.squeeze",
        "Squeeze repeated hex rows",
        "Rows equal to the row above as one * row, as hexdump -C (or every row)",
    ),
    Keyed(
        "log.inspector", "Data inspector", "Show or hide what the bytes at the log's cursor mean"
    ),
    Keyed(
        "log.group",
        "Group the log by…",
        "stream, chunk, line, delimiter:HEX, length:u16be, fixed:N",
    ),
    Keyed("log.copy", "Copy selection or message", "In the default format, in the log"),
    Unkeyed(
        "Copy everything received",
        "In the default format",
        "copy",
        lambda view: partial(view.action_copy, "received"),
    ),
    Keyed("capture.copy_as", "Copy as…", "Pick what to copy and the format"),
    Keyed("composer.syntax", "Cycle composer syntax", "text with escapes → hex → mixed"),
    Keyed("composer.multiline", "Multi-line composer", "Open or close the multi-line editor"),
    Unkeyed(
        "Set text encoding…",
        "For the composer and the text view",
        "set_encoding",
        lambda view: view.action_set_encoding,
    ),
    Keyed("composer.repeat", "Repeat message…", "N times, or every T ms until stopped"),
    Keyed("log.resend", "Resend message", "Send the sent message under the cursor again"),
    Keyed("log.edit", "Edit message in composer", "As escaped text"),
    Unkeyed(
        "Save composer as snippet…",
        "Keep the composer's message under a name",
        "save_snippet",
        lambda view: view.action_save_snippet,
    ),
    Unkeyed(
        "Send snippet…",
        "Pick a saved message to send",
        "pick_snippet",
        lambda view: view.action_pick_snippet,
    ),
    Keyed(
        "composer.history_search", "Search history…", "Find an earlier message by any part of it"
    ),
    Keyed(
        "capture.save",
        "Save / Export…",
        "Session file, raw bytes, hexdump -C, pcap, scripts, or by message",
    ),
    Unkeyed(
        "Add responder…",
        "Answer received data: match/hex/regex and reply/reply_hex/reply_mixed",
        "ask_rule",
        lambda view: view.automation.ask_rule,
    ),
    Unkeyed(
        "Answer this message with…",
        "A responder whose pattern is the start of the message under the log's cursor",
        "answer_chunk",
        lambda view: view.action_answer_chunk,
    ),
    Unkeyed(
        "Run sequence…",
        "Run a [[step]] file on this connection",
        "ask_run",
        lambda view: view.automation.ask_run,
    ),
    Unkeyed(
        "Stop sequence",
        "End the running sequence where it is",
        "stop_run",
        lambda view: view.automation.stop_run,
    ),
    Unkeyed(
        "Record sequence…",
        "Write what was sent (and the start of each reply) as a sequence file",
        "ask_record",
        lambda view: view.automation.ask_record,
    ),
    Keyed("log.follow_tail", "Follow tail", "Scroll to the newest bytes and stay there"),
)
"""In the order the palette lists them before anything is typed."""

SNIPPET_PICKER_KEY = "snippets.send_1"
"""The picker has no key of its own; the key of the first snippet is the nearest, and shown."""


def session_commands(view: SessionView) -> Iterator[SystemCommand]:
    """The palette's commands for `view`, those it offers now (check_action)."""
    bindings = _bindings_by_id(view)
    for entry in PALETTE:
        if isinstance(entry, Unkeyed):
            help_text = entry.help
            if entry.action == "pick_snippet":
                help_text = f"{help_text} ({key_for(view, SNIPPET_PICKER_KEY)})"
            if view.check_action(entry.action, ()):
                yield SystemCommand(entry.title, help_text, entry.callback(view))
            continue
        owner, binding = bindings[entry.binding_id]
        action, callback = _action_of(view, owner, binding)
        if view.check_action(action, ()):
            help_text = f"{entry.help} ({key_for(view, entry.binding_id)})"
            yield SystemCommand(entry.title, help_text, callback)


def _bindings_by_id(view: SessionView) -> dict[str, tuple[type[DOMNode], Binding]]:
    """The bindings of the tab and of the log and composer inside it, by id."""
    owners: tuple[tuple[type[DOMNode], Iterable[BindingType]], ...] = (
        (type(view), type(view).BINDINGS),
        (TranscriptView, TranscriptView.BINDINGS),
        (Composer, Composer.BINDINGS),
    )
    return {
        binding.id: (owner, binding)
        for owner, owner_bindings in owners
        for binding in owner_bindings
        if isinstance(binding, Binding) and binding.id
    }


def _action_of(
    view: SessionView, owner: type[DOMNode], binding: Binding
) -> tuple[str, Callable[[], object]]:
    """The action a binding runs, by name, and a call that runs it on the node it acts on.

    The log's keys ask the tab to act (`session('copy')`): the palette asks the tab directly."""
    _, name, parameters = parse(binding.action)
    target: DOMNode = view.composer if owner is Composer else view
    if owner is TranscriptView and name == "session":
        name, parameters = str(parameters[0]), ()
    method = getattr(target, f"action_{name}")
    return name, partial(method, *parameters) if parameters else method
