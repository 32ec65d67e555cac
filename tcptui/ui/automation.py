"""One tab's responders and sequence runs: a thin UI over net/responders.py and net/sequence.py.

The engine does the work in its own threads; this module wires it to the tab's connection
(an event tap in front of the tab's EventBridge), asks for rules and files in prompts, and
shows a run's progress in a one-line bar above the composer. Every text from a rules file
reaches the screen as `Text`, never as markup.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from tcptui.capture.conversation import conversation, record_sequence
from tcptui.capture.export import SaveError, write_atomically
from tcptui.capture.script_export import ScriptTarget
from tcptui.capture.store import Direction
from tcptui.codec.automation_rules import ResponderRule, RuleError, Step, parse_responders
from tcptui.codec.composer_syntax import escape_for_composer
from tcptui.net.events import Event
from tcptui.net.responders import Responders
from tcptui.net.sequence import Progress, RunState, SequenceRun
from tcptui.net.session import Session, SessionState
from tcptui.ui.prompt_screen import PromptScreen
from tcptui.user_files.automation_files import AutomationFileError, load_sequence

if TYPE_CHECKING:
    from tcptui.ui.session_view import SessionView

ANSWER_BYTES = 64
"""How much of a chunk "Answer this chunk with…" puts in the pattern: its start says enough."""


class SequenceBar(Static):
    """A run's progress: `2/5 step 3: expect '250 '`; stays after the end to say how it went."""

    DEFAULT_CSS = """
    SequenceBar { height: auto; display: none; padding: 0 1; background: $boost; }
    SequenceBar.-failed { color: $error; }
    SequenceBar.-passed { color: $success; }
    """

    class Progressed(Message):
        def __init__(self, run: SequenceRun, progress: Progress) -> None:
            super().__init__()
            self.run = run
            self.progress = progress

    def show(self, progress: Progress) -> None:
        self.display = True
        mark = {RunState.RUNNING: "▶", RunState.PASSED: "✔"}.get(progress.state, "✖")
        self.update(Text(f"{mark} sequence {progress.done}/{progress.total} · {progress.sentence}"))
        self.set_class(progress.state in (RunState.FAILED, RunState.STOPPED), "-failed")
        self.set_class(progress.state is RunState.PASSED, "-passed")


def parse_rule_line(line: str, number: int, encoding: str) -> ResponderRule:
    """A rule typed as TOML's inline-table body: `match = "PING", reply = "PONG\\r\\n"`."""
    try:
        document = tomllib.loads(f"responder = [{{{line}}}]")
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"not a rule: {exc}") from None
    rule = parse_responders(document, encoding)[0]
    return rule if "name" in document["responder"][0] else replace(rule, name=f"rule {number}")


class Automation:
    """The responders and the current sequence run of one SessionView."""

    def __init__(self, view: SessionView, rules: Iterable[ResponderRule]) -> None:
        self.view = view
        self.rules = list(rules)
        self.responders: Responders | None = None
        self.run: SequenceRun | None = None
        self.first_chunk = 0
        self._sent_before = 0
        """Bytes the tab had sent before its current connection."""
        self._pending_steps: tuple[Step, ...] = ()

    # -- the connection ----------------------------------------------------------------------

    def tap(self, bridge: Callable[[Event], None]) -> Callable[[Event], None]:
        """The callback for a new Session: the bridge, then responders and any run."""
        self.stop()
        self.first_chunk = len(self.view.capture)
        self._sent_before = self.view.capture.stream_bytes(Direction.SENT)

        def observe(event: Event) -> None:
            bridge(event)
            run = self.run
            if run is not None:
                run.observe(event)

        self.responders = Responders(self.rules, self.view.capture)
        return self.responders.tap(observe)

    def adopt(
        self,
        responders: Responders | None,
        session: Session | None,
        bridge: Callable[[Event], None],
    ) -> Callable[[Event], None]:
        """Listen mode: the tab shows a client whose responders already run; a client served
        without rules gets its own (no rules yet) so that one added from the palette answers
        it. Returns the callback for the client's events."""
        if responders is not None or session is None:
            self.responders = responders
            if responders is not None:
                self.rules = responders.rules
            return bridge
        own = Responders(self.rules, self.view.capture)
        try:
            own.start(session)
        except RuntimeError:  # the system has no thread to give: the client goes unanswered
            self.responders = None
            return bridge
        self.responders = own
        return own.tap(bridge)

    def started(self, session: Session) -> None:
        if self.responders is not None:
            self.responders.start(session)

    def run_when_connected(self, steps: tuple[Step, ...]) -> None:
        self._pending_steps = steps

    def connected(self) -> None:
        """The tab's connection is open: start `--run`'s sequence, once."""
        session = self.view.session
        if self._pending_steps and session is not None and session.state is SessionState.OPEN:
            steps, self._pending_steps = self._pending_steps, ()
            self.start_run(steps, first_chunk=self.first_chunk)

    def stop(self) -> None:
        if self.responders is not None:
            self.responders.stop()
        if self.run is not None:
            self.run.stop()

    def script_target(self) -> ScriptTarget | None:
        """Where an exported script connects; None in listen mode, where we were the server."""
        session = self.view.session
        if session is None or self.view.config.listen is not None:
            return None
        tls = session.options.tls
        return ScriptTarget(
            session.target.host,
            session.target.port,
            session.tls_from_start,
            tls.server_name or "",
            tls.insecure,
            tls.cafile,
            tls.alpn,
            tls.certfile,
            tls.keyfile,
            tls.min_version and tls.min_version.value,
            tls.max_version and tls.max_version.value,
        )

    # -- sequences ---------------------------------------------------------------------------

    def start_run(self, steps: tuple[Step, ...], first_chunk: int | None = None) -> None:
        session = self.view.session
        if session is None or not self.view.is_connected:
            self.view.notify("Connect first: a sequence runs on an open connection.")
            return
        if self.run is not None and self.run.running:
            self.run.stop()
        bar = self.view.query_one(SequenceBar)
        run: SequenceRun

        def report(progress: Progress) -> None:
            bar.post_message(SequenceBar.Progressed(run, progress))

        if first_chunk is None and self._nothing_sent_yet():
            first_chunk = self.first_chunk  # a greeting that came before the run is seen
        run = SequenceRun(steps, session, self.view.capture, report, first_chunk)
        self.run = run
        run.start()

    def _nothing_sent_yet(self) -> bool:
        """True while this connection has sent nothing: its greeting is still unanswered."""
        return self.view.capture.stream_bytes(Direction.SENT) == self._sent_before

    def stop_run(self) -> None:
        """The palette's "Stop sequence": the run ends where it is, the connection stays."""
        run = self.run
        if run is None or not run.running:
            self.view.notify("No sequence is running.", severity="warning")
            return
        run.stop()

    def progressed(self, message: SequenceBar.Progressed) -> None:
        if message.run is not self.run:
            return
        self.view.query_one(SequenceBar).show(message.progress)
        if message.progress.state is RunState.FAILED:
            self.view.notify(
                message.progress.sentence, title="Sequence stopped", severity="error", markup=False
            )

    def ask_run(self) -> None:
        def chosen(path: str | None) -> None:
            if not path:
                return
            try:  # checked by the prompt, but the file may have changed since
                steps = load_sequence(Path(path).expanduser(), self._encoding)
            except AutomationFileError as exc:
                self.view.notify(str(exc), title="Sequence", severity="error", markup=False)
                return
            self.start_run(tuple(steps))

        self.view.app.push_screen(
            PromptScreen("Run a sequence file ([[step]] tables)", "", "steps.toml", self._check),
            chosen,
        )

    def _check(self, path: str) -> str | None:
        try:
            load_sequence(Path(path).expanduser(), self._encoding)
        except AutomationFileError as exc:
            return str(exc)
        return None

    def ask_record(self) -> None:
        def chosen(path: str | None) -> None:
            if not path:
                return
            session = self.view.session
            tls_from_start = session is not None and session.tls_from_start
            turns = conversation(self.view.capture, self.first_chunk, tls_from_start=tls_from_start)
            text = record_sequence(turns, self._encoding)
            try:
                write_atomically(Path(path).expanduser(), lambda out: _write(out, text))
            except SaveError as exc:
                self.view.notify(str(exc), title="Not recorded", severity="error", markup=False)
                return
            self.view.notify(
                f"Recorded {len(turns)} turns to {path}.", title="Recorded", markup=False
            )

        self.view.app.push_screen(
            PromptScreen(
                "Record what was sent as a sequence file", "", "steps.toml", _new_file_only
            ),
            chosen,
        )

    # -- responders --------------------------------------------------------------------------

    def ask_rule(self, example: bytes = b"") -> None:
        """Ask for a rule; with `example` (a chunk's bytes), its pattern is filled in."""
        number = len(self.rules) + 1
        shown = escape_for_composer(example[:ANSWER_BYTES], self._encoding)
        value = f"match = {json.dumps(shown, ensure_ascii=False)}, reply = " if example else ""

        def check(line: str) -> str | None:
            try:
                parse_rule_line(line, number, self._encoding)
            except RuleError as exc:
                return str(exc)
            return None

        def chosen(line: str | None) -> None:
            if line:
                self.add_rule(parse_rule_line(line, number, self._encoding))

        self.view.app.push_screen(
            PromptScreen(
                "Add a responder (TOML keys, as in a responders file)",
                value,
                'match = "PING", reply = "PONG\\r\\n"',
                check,
                to_complete=bool(value),
            ),
            chosen,
        )

    def add_rule(self, rule: ResponderRule) -> None:
        """From now on, on this connection and this tab's next ones."""
        self.rules.append(rule)
        if self.responders is not None:
            self.responders.add(rule)
        self.view.notify(f"Responder {rule.name!r} added.", markup=False)

    @property
    def _encoding(self) -> str:
        return self.view.composer.encoding


def _new_file_only(path: str) -> str | None:
    """A recording is a new file: a sequence written by hand is never replaced by one."""
    target = Path(path).expanduser()
    if path and (target.exists() or target.is_symlink()):
        return f"{path} already exists: give a new file name (a recording never replaces a file)"
    return None


def _write(out: BinaryIO, text: str) -> None:
    out.write(text.encode("utf-8"))
