"""The "Save session / Export" dialog: pick a file and a format, watch it write, or cancel.

Saving a big capture takes seconds, so the writing runs in a thread worker while the dialog
shows progress from two counters the worker updates (no cross-thread calls per block). Every
failure ends as one sentence in the dialog, never a traceback, and the file on disk is either
complete or untouched (see `capture.export.write_atomically`).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Select, Static
from textual.worker import Worker, WorkerState

from tcptui.capture.export import ExportFormat, SaveCancelled, SaveError, export_capture
from tcptui.capture.message_export import export_json_lines, export_message_files
from tcptui.capture.script_export import ScriptKind, ScriptTarget, export_script
from tcptui.capture.session_file import SessionMeta, save_session
from tcptui.capture.store import Capture
from tcptui.codec.framing import Grouping, GroupingKind
from tcptui.codec.words import counted
from tcptui.net.events import Closed, Connected, EndReason, Event, Resolved, TlsEstablished
from tcptui.ui.literal import literal
from tcptui.ui.ordered_keys import OrderedInput

SESSION = "session"
"""The Select value for a session file; exports use their ExportFormat name."""
MESSAGE_FILES = "MESSAGE_FILES"
"""The Select value for a folder with a file per message (the log's grouping)."""
JSON_LINES = "JSON_LINES"
"""The Select value for a JSON-lines file: a line per message and per connection event."""

FORMAT_LABELS: dict[str, str] = {
    SESSION: "session file (reopen with --open)",
    ExportFormat.RAW_RECEIVED.name: "raw received bytes (as nc > FILE)",
    ExportFormat.RAW_SENT.name: "raw sent bytes",
    ExportFormat.HEXDUMP.name: "hex dump of received bytes (hexdump -C)",
    ExportFormat.PCAP.name: "pcap (Wireshark, tcpdump)",
    JSON_LINES: "JSON lines: each message's direction, time and bytes (base64)",
    MESSAGE_FILES: "a folder with a file per message (0001-sent.bin, …)",
    ScriptKind.PYTHON.name: "Python script (replays what you sent, checks the replies)",
    ScriptKind.PWNTOOLS.name: "pwntools script (remote, send, recvuntil)",
}
SAVED_AS: dict[str, str] = {
    SESSION: "a session file, which tcptui --open shows again",
    ExportFormat.RAW_RECEIVED.name: "the received bytes alone, as nc > FILE writes them",
    ExportFormat.RAW_SENT.name: "the sent bytes alone",
    ExportFormat.HEXDUMP.name: "a hex dump of the received bytes, as hexdump -C writes it",
    ExportFormat.PCAP.name: "a pcap file for Wireshark or tcpdump",
    JSON_LINES: "a JSON line per message and per connection event",
    MESSAGE_FILES: "a file each, named in order with its direction",
    ScriptKind.PYTHON.name: "a Python script that replays what you sent",
    ScriptKind.PWNTOOLS.name: "a pwntools script that replays what you sent",
}
"""What a saved file is, for the sentence that announces it."""
KEEPS_EVERY_BYTE = frozenset({SESSION, ExportFormat.PCAP.name, JSON_LINES, MESSAGE_FILES})
"""Saves that hold both directions' bytes: after one, closing the tab loses nothing."""
SUFFIXES: dict[str, str] = {
    SESSION: ".tcptui",
    ExportFormat.RAW_RECEIVED.name: ".bin",
    ExportFormat.RAW_SENT.name: ".sent.bin",
    ExportFormat.HEXDUMP.name: ".hexdump.txt",
    ExportFormat.PCAP.name: ".pcap",
    JSON_LINES: ".jsonl",
    MESSAGE_FILES: "-messages",
    ScriptKind.PYTHON.name: ".py",
    ScriptKind.PWNTOOLS.name: ".pwn.py",
}
PROGRESS_INTERVAL = 0.1


@dataclass(frozen=True)
class SaveResult:
    """What the dialog wrote, for the app to announce."""

    path: str
    nbytes: int
    saved_as: str
    """A phrase from SAVED_AS."""
    keeps_every_byte: bool = False
    """The file holds both directions' bytes (see KEEPS_EVERY_BYTE)."""

    def sentence(self) -> str:
        """`Saved 1,234 bytes to x.tcptui in /home/me: a session file, which …`."""
        where = os.path.abspath(self.path)
        folder, name = os.path.split(where)
        return f"Saved {counted(self.nbytes, 'byte')} to {name} in {folder}: {self.saved_as}."


@dataclass(frozen=True)
class PathCheck:
    """A path the user typed, checked before writing: `problem` is a sentence, or empty."""

    path: Path | None
    problem: str = ""
    exists: bool = False


def check_save_path(text: str) -> PathCheck:
    """Catch the usual mistakes before starting, with a sentence saying what to fix."""
    if not text.strip():
        return PathCheck(None, "Type the name of the file to save to.")
    path = Path(text.strip()).expanduser()
    folder = path.parent
    if path.is_dir():
        return PathCheck(path, f"{path} is a folder: add a file name.")
    if not folder.exists():
        return PathCheck(path, f"The folder {folder} does not exist.")
    if not folder.is_dir():
        return PathCheck(path, f"{folder} is not a folder.")
    if not os.access(folder, os.W_OK | os.X_OK):
        return PathCheck(path, f"You do not have permission to write in {folder}.")
    return PathCheck(path, exists=path.exists())


def check_folder_path(text: str) -> PathCheck:
    """The same for a folder of message files: new, or empty (two exports never mix)."""
    if not text.strip():
        return PathCheck(None, "Type the name of the folder to write the messages to.")
    path = Path(text.strip()).expanduser()
    if path.exists() and not path.is_dir():
        return PathCheck(path, f"{path} is a file: name a new or empty folder.")
    if path.is_dir() and any(path.iterdir()):
        return PathCheck(path, f"{path} already holds files: name a new or empty folder.")
    folder = path.parent
    if not folder.is_dir():
        return PathCheck(path, f"The folder {folder} does not exist.")
    if not os.access(folder, os.W_OK | os.X_OK):
        return PathCheck(path, f"You do not have permission to write in {folder}.")
    return PathCheck(path)


def default_file_name(now: datetime | None = None) -> str:
    moment = now or datetime.now()
    return f"tcptui-{moment:%Y%m%d-%H%M%S}{SUFFIXES[SESSION]}"


def tls_facts(event: TlsEstablished) -> dict[str, Any]:
    """What a session file keeps of a TLS handshake: enough for --open to show it again."""
    facts: dict[str, Any] = {
        "version": event.version,
        "cipher": event.cipher,
        "alpn": event.alpn,
        "verified": event.verified,
        "verify_error": event.verify_error,
        "server_name": event.server_name,
    }
    leaf = event.leaf
    if leaf is not None:
        facts["certificate"] = {
            "subject": leaf.subject,
            "issuer": leaf.issuer,
            "not_before": leaf.not_before.isoformat() if leaf.not_before else "",
            "not_after": leaf.not_after.isoformat() if leaf.not_after else "",
            "sha256": leaf.sha256,
        }
    return facts


class SessionFacts:
    """Collects what the app learns about a connection, for the session file and pcap."""

    def __init__(self, target: str = "") -> None:
        self._meta = SessionMeta(target=target, started_at=datetime.now(UTC).isoformat())

    def observe(self, event: Event) -> None:
        if isinstance(event, Resolved):
            self._meta = replace(self._meta, resolved=event.addresses)
        elif isinstance(event, Connected):
            self._meta = replace(self._meta, local=event.local, remote=event.remote)
        elif isinstance(event, TlsEstablished):
            self._meta = replace(self._meta, tls=tls_facts(event))
        elif isinstance(event, Closed):
            reset = event.reason is EndReason.RESET
            self._meta = replace(self._meta, end_reason=event.sentence(), ended_by_reset=reset)

    def meta(self) -> SessionMeta:
        return self._meta


class SaveScreen(ModalScreen[SaveResult | None]):
    """Save the capture as a session file, or export it; dismisses with a SaveResult."""

    DEFAULT_CSS = """
    SaveScreen { align: center middle; }
    SaveScreen > Vertical {
        width: 76; height: auto; border: round $accent; background: $panel; padding: 1 2;
    }
    SaveScreen Input, SaveScreen Select { margin: 1 0 0 0; }
    SaveScreen #save-message { margin: 1 0 0 0; height: auto; }
    SaveScreen #save-message.-error { color: $error; }
    SaveScreen ProgressBar { margin: 1 0 0 0; }
    SaveScreen Horizontal { height: auto; margin: 1 0 0 0; }
    SaveScreen Button { margin: 0 1 0 0; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="save.cancel")]

    def __init__(
        self,
        capture: Capture,
        meta: SessionMeta | None = None,
        path: str | None = None,
        *,
        script_target: ScriptTarget | None = None,
        first_chunk: int = 0,
        grouping: Grouping | None = None,
    ) -> None:
        """`script_target`: where an exported script connects (none for a reopened file);
        `first_chunk`: where the current connection's bytes start in the capture;
        `grouping`: how the log groups bytes into messages, for the exports by message."""
        super().__init__()
        self.grouping = grouping or Grouping(GroupingKind.CHUNK)
        self.script_target = script_target
        self.first_chunk = first_chunk
        self.capture = capture
        self.meta = meta or SessionMeta()
        self.initial_path = default_file_name() if path is None else path
        self.cancel_event = threading.Event()
        self.bytes_done = 0
        self.bytes_total = 0
        self._confirmed: Path | None = None
        self._worker: Worker[SaveResult] | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Save session / Export")
            yield OrderedInput(self.initial_path, placeholder="file to write", id="save-path")
            yield Select(
                [(label, key) for key, label in FORMAT_LABELS.items()],
                value=SESSION,
                allow_blank=False,
                id="save-format",
            )
            yield Static("", id="save-message", markup=False)
            yield ProgressBar(show_eta=False, id="save-progress")
            with Horizontal():
                yield Button("Save", variant="primary", id="save-start")
                yield Button("Cancel", id="save-cancel")

    def on_mount(self) -> None:
        self.query_one("#save-path", Input).focus()
        self.set_interval(PROGRESS_INTERVAL, self._show_progress)

    @property
    def saving(self) -> bool:
        return self._worker is not None and self._worker.is_running

    @property
    def format_key(self) -> str:
        return str(self.query_one("#save-format", Select).value)

    # -- the user's choices ------------------------------------------------------------------

    @on(Input.Changed, "#save-path")
    def _path_changed(self) -> None:
        self._forget_confirmation()
        self._say("")

    @on(Select.Changed, "#save-format")
    def _format_changed(self) -> None:
        """Keep the file name's suffix in step with the format, if it is one of ours."""
        path_input = self.query_one("#save-path", Input)
        for suffix in sorted(SUFFIXES.values(), key=len, reverse=True):
            if path_input.value.endswith(suffix):
                path_input.value = path_input.value[: -len(suffix)] + SUFFIXES[self.format_key]
                break

    @on(Input.Submitted, "#save-path")
    @on(Button.Pressed, "#save-start")
    def action_save(self) -> None:
        self._start_saving()
        # Whether it started or not, the dialog stays for now (Escape cancels a save): the
        # keys typed behind an Enter act here.
        self.query_one("#save-path", OrderedInput).release_keys()

    def _start_saving(self) -> None:
        if self.saving:
            return
        typed = self.query_one("#save-path", Input).value
        by_folder = self.format_key == MESSAGE_FILES
        check = check_folder_path(typed) if by_folder else check_save_path(typed)
        if check.problem or check.path is None:
            self._say(check.problem, error=True)
            return
        if check.exists and self._confirmed != check.path:
            self._confirmed = check.path
            self.query_one("#save-start", Button).label = "Overwrite"
            self._say(f"{check.path.name} already exists: press Overwrite to replace it.")
            return
        if self.format_key in ScriptKind.__members__ and self.script_target is None:
            self._say(
                "A script replays a connection you opened: connect first (not in listen mode).",
                error=True,
            )
            return
        self._forget_confirmation()
        self.cancel_event.clear()
        self._say("Saving…")
        self._worker = self._write(check.path, self.format_key)

    @on(Button.Pressed, "#save-cancel")
    def action_cancel(self) -> None:
        if self.saving:
            self.cancel_event.set()
            self._say("Cancelling…")
        else:
            self.dismiss(None)

    def _forget_confirmation(self) -> None:
        self._confirmed = None
        self.query_one("#save-start", Button).label = "Save"

    # -- the work ----------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="save")
    def _write(self, path: Path, key: str) -> SaveResult:
        if key == SESSION:
            nbytes = save_session(self.capture, path, self.meta, self._progress, self.cancel_event)
        elif key == MESSAGE_FILES:
            files, nbytes = export_message_files(
                self.capture, path, self.grouping, self._progress, self.cancel_event
            )
            cut = f"{counted(files, 'message')} as the grouping {self.grouping} cuts them"
            return SaveResult(str(path), nbytes, f"{cut}, {SAVED_AS[key]}", keeps_every_byte=True)
        elif key == JSON_LINES:
            nbytes = export_json_lines(
                self.capture, path, self.grouping, self._progress, self.cancel_event
            )
        elif key in ScriptKind.__members__ and self.script_target is not None:
            kind = ScriptKind[key]
            nbytes = export_script(self.capture, path, kind, self.script_target, self.first_chunk)
        else:
            nbytes = export_capture(
                self.capture,
                path,
                ExportFormat[key],
                local=self.meta.local,
                remote=self.meta.remote,
                ended_by_reset=self.meta.ended_by_reset,
                progress=self._progress,
                cancel=self.cancel_event,
            )
        return SaveResult(str(path), nbytes, SAVED_AS[key], key in KEEPS_EVERY_BYTE)

    def _progress(self, done: int, total: int) -> None:
        """Called in the worker thread: only stores numbers, the timer shows them."""
        self.bytes_done, self.bytes_total = done, total

    def _show_progress(self) -> None:
        if self.bytes_total:
            bar = self.query_one("#save-progress", ProgressBar)
            bar.update(total=self.bytes_total, progress=self.bytes_done)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker:
            return
        if event.state is WorkerState.SUCCESS and isinstance(event.worker.result, SaveResult):
            self._show_progress()
            self.dismiss(event.worker.result)
        elif event.state is WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, SaveCancelled):
                self.dismiss(None)
            elif isinstance(error, SaveError):
                self._say(str(error), error=True)
            else:
                self._say(f"Could not save: {error}", error=True)

    def _say(self, sentence: str, error: bool = False) -> None:
        message = self.query_one("#save-message", Static)
        message.update(literal(sentence))
        message.set_class(error, "-error")
