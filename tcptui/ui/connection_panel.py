"""The connection panel: the target form, the five lifecycle steps as they happen, and stats."""

from __future__ import annotations

import time
from collections import deque

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Select, Sparkline, Static

from tcptui.capture.session_file import SessionMeta
from tcptui.capture.store import Capture, Direction
from tcptui.net.events import (
    Closed,
    ConnectAttempt,
    Connected,
    Event,
    HalfClosed,
    PeerFinished,
    ProxyConnected,
    ProxyConnecting,
    Resolved,
    Resolving,
    SocketCreated,
    Step,
    TlsEstablished,
    TlsHandshakeStarted,
)
from tcptui.net.target import Family, Target, TargetError, parse_target
from tcptui.ui.certificate_panel import CertificatePanel
from tcptui.ui.connection_story import NO_STORY, connection_story, connections_line
from tcptui.ui.literal import literal, visible
from tcptui.ui.ordered_keys import OrderedInput
from tcptui.ui.saved_session import saved_steps, saved_tls

STEP_ORDER = tuple(Step)
MARKS = {
    "pending": ("○", "#6c6c6c"),
    "active": ("◐", "#ffd75f"),
    "done": ("●", "#5fd75f"),
    "failed": ("✖", "#ff5f5f"),
    "ended": ("●", "#8a8a8a"),
}
RATE_SAMPLES = 40
PANEL_WIDTH = 46


def human_bytes(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:,.0f} {unit}" if unit == "B" else f"{count:,.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")


def human_age(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def update_in_place(widget: Static, content: Content | Text | str) -> None:
    """`Static.update`, with a layout of the whole screen only if the height changes.

    A layout of the whole screen is costly, and a connection's events update these texts
    several times in its first moments (while a flood may already be pouring in).
    """
    region = widget.content_region
    widget.update(content, layout=False)
    if not region.width or (
        widget.get_content_height(region.size, region.size, region.width) != region.height
    ):
        widget.refresh(layout=True)


class LifecycleStep(Static):
    """One step of the lifecycle: a state mark, its name, and what happened."""

    def __init__(self, step: Step) -> None:
        super().__init__(id=f"step-{step.value}", classes="step")
        self.step = step
        self.show("pending", "")

    def show(self, state: str, detail: str) -> None:
        self.state = state
        mark, colour = MARKS[state]
        text = Text()
        text.append(f"{mark} ", style=colour)
        text.append(f"{self.step.value:<10}", style="bold")
        text.append(visible(detail))
        update_in_place(self, text)


class ConnectionPanel(Vertical):
    """The target form and a live view of the connection's life."""

    class ConnectRequested(Message):
        def __init__(self, target: Target, family: Family) -> None:
            super().__init__()
            self.target = target
            self.family = family

    class DisconnectRequested(Message):
        pass

    DEFAULT_CSS = f"""
    ConnectionPanel {{ width: {PANEL_WIDTH}; height: 1fr; border: round $primary 40%;
                       padding: 0 1; }}
    ConnectionPanel #panel-body {{ height: 1fr; scrollbar-size-vertical: 1; }}
    ConnectionPanel #target-row {{ height: auto; }}
    ConnectionPanel #host {{ width: 1fr; }}
    ConnectionPanel #port {{ width: 10; }}
    ConnectionPanel #family {{ width: 1fr; }}
    ConnectionPanel #connect {{ width: 14; min-width: 14; }}
    ConnectionPanel .step {{ height: auto; margin: 0 0; }}
    ConnectionPanel #steps {{ height: auto; margin: 1 0 0 0; }}
    ConnectionPanel #form-error {{ color: $error; height: auto; }}
    ConnectionPanel.-no-form #target-row,
    ConnectionPanel.-no-form #target-row-2 {{ display: none; }}
    ConnectionPanel #saved-tls {{ height: auto; margin: 1 0 0 0; display: none; }}
    ConnectionPanel #saved-connections {{ height: auto; margin: 1 0 0 0; display: none; }}
    ConnectionPanel.-saved #saved-tls, ConnectionPanel.-saved #saved-connections {{
        display: block;
    }}
    ConnectionPanel #closed-reason {{ height: auto; margin: 1 0 0 0; }}
    ConnectionPanel #retry {{ height: auto; color: $warning; }}
    ConnectionPanel #stats {{ height: 3; margin: 1 0 0 0; color: $text-muted; }}
    ConnectionPanel Sparkline {{ height: 2; margin: 0 0 0 0; }}
    """

    def __init__(self, capture: Capture, target: Target | None, family: Family) -> None:
        super().__init__(id="connection-panel")
        self.capture = capture
        self._initial_target = target
        self._initial_family = family
        self._connected_at: float | None = None
        self._closed_at: float | None = None
        self._last_sample = (time.monotonic(), capture.stream_bytes(Direction.RECEIVED))
        self._rates: deque[float] = deque([0.0] * RATE_SAMPLES, maxlen=RATE_SAMPLES)
        self.accepted = False
        """A client the listener accepted: no form, no connect, no resolve or connect steps."""
        self.saved_story = NO_STORY
        """A session file's last connection as its events tell it (see show_saved)."""
        self.border_title = "connection"

    def compose(self) -> ComposeResult:
        target = self._initial_target
        host = (target.display_host or target.host) if target else ""
        port = str(target.port) if target else ""
        # What may not fit a short terminal scrolls; the live stats below it stay in view.
        with VerticalScroll(id="panel-body"):
            with Horizontal(id="target-row"):
                yield OrderedInput(host, placeholder="host", id="host")
                yield OrderedInput(port, placeholder="port", id="port")
            with Horizontal(id="target-row-2", classes="-row"):
                yield Select(
                    [
                        ("auto (IPv4/IPv6)", Family.AUTO),
                        ("IPv4 only", Family.IPV4),
                        ("IPv6 only", Family.IPV6),
                    ],
                    value=self._initial_family,
                    allow_blank=False,
                    id="family",
                )
                yield Button("Connect", id="connect", variant="primary")
            yield Static("", id="form-error")
            with Vertical(id="steps"):
                for step in STEP_ORDER:
                    yield LifecycleStep(step)
            yield CertificatePanel()
            yield Static("", id="saved-tls")
            yield Static("", id="saved-connections")
            yield Static("", id="closed-reason")
            yield Static("", id="retry")
        yield Static("", id="stats")
        yield Sparkline(list(self._rates), id="rate-sparkline")

    def on_mount(self) -> None:
        self.set_interval(0.5, self.update_stats)
        self.update_stats()

    # -- the form ----------------------------------------------------------------------------

    def read_target(self) -> Target | None:
        """The target in the form, or None after showing what is wrong with it."""
        host = self.query_one("#host", Input).value
        port = self.query_one("#port", Input).value
        try:
            target = parse_target(host, port or None)
        except TargetError as exc:
            self.show_form_error(str(exc))
            return None
        self.show_form_error("")
        return target

    def show_form_error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(literal(message))

    @property
    def family(self) -> Family:
        value = self.query_one("#family", Select).value
        return value if isinstance(value, Family) else Family.AUTO

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self._connected_at is not None and self._closed_at is None:
            self.post_message(self.DisconnectRequested())
            return
        target = self.read_target()
        if target is not None:
            self.post_message(self.ConnectRequested(target, self.family))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if isinstance(event.input, OrderedInput):
            event.stop()
            target = self.read_target()
            if target is None:
                event.input.release_keys()  # the keys typed behind the Enter stay in the field
            else:  # the session view connects and moves the focus: the keys follow it
                self.post_message(self.ConnectRequested(target, self.family))

    def set_connected(self, connected: bool) -> None:
        button = self.query_one("#connect", Button)
        button.label = "Disconnect" if connected else "Connect"
        button.variant = "error" if connected else "primary"

    # -- the lifecycle -----------------------------------------------------------------------

    def _step(self, step: Step) -> LifecycleStep:
        return self.query_one(f"#step-{step.value}", LifecycleStep)

    def reset(self, target: Target, *, accepted: bool = False) -> None:
        for step in STEP_ORDER:
            self._step(step).show("pending", "")
        self._connected_at = time.monotonic()
        self._closed_at = None
        update_in_place(self.query_one("#closed-reason", Static), "")
        self.query_one(CertificatePanel).clear()
        self.set_connected(True)
        self.accepted = accepted
        if accepted:
            self.add_class("-no-form")
            self.border_title = literal(f"connection · accepted from {target}")
            self._step(Step.RESOLVE).show("ended", "none: the client came to the listener")
        else:
            self.border_title = literal(f"connection · {target}")

    def show_saved(self, meta: SessionMeta, capture: Capture) -> None:
        """A session file opened with --open: what it knows, and no form (nothing to dial)."""
        self.add_class("-no-form", "-saved")
        self.border_title = literal(f"saved session · {meta.target or 'no target recorded'}")
        self.saved_story = connection_story(capture.events.events())
        for step, (state, detail) in saved_steps(meta, capture, self.saved_story).items():
            self._step(step).show(state, detail)
        tls = saved_tls(meta.tls, self.saved_story)
        if tls is not None:
            update_in_place(self.query_one("#saved-tls", Static), tls)
        if meta.end_reason:
            update_in_place(self.query_one("#closed-reason", Static), literal(meta.end_reason))
        connections = connections_line(self.saved_story)
        update_in_place(self.query_one("#saved-connections", Static), Content(connections))
        self.update_stats()

    def show_event(self, event: Event) -> None:
        match event:
            case Resolving(host=host, port=port):
                self._step(Step.RESOLVE).show("active", f"{host} port {port}")
            case Resolved(addresses=addresses, duration_ms=ms):
                count = len(addresses)
                shown = ", ".join(addresses[:3]) + (" …" if count > 3 else "")
                self._step(Step.RESOLVE).show(
                    "done", f"{count} address{'es' if count != 1 else ''} in {ms:.1f} ms: {shown}"
                )
            case SocketCreated(family=family):
                self._step(Step.SOCKET).show("done", f"{family}, SOCK_STREAM")
                self._step(Step.HANDSHAKE).show("active", "connecting…")
            case ConnectAttempt(address=address, duration_ms=ms, error=error) if error:
                self._step(Step.HANDSHAKE).show(
                    "active", f"{address} failed after {ms:.1f} ms: {error}"
                )
            case Connected(local=local, remote=remote, handshake_ms=ms):
                if self.accepted:
                    self._step(Step.SOCKET).show("done", "accepted by the listener")
                    self._step(Step.HANDSHAKE).show("done", f"accepted from {remote}")
                else:
                    self._step(Step.HANDSHAKE).show("done", f"{remote} answered in {ms:.1f} ms")
                self._step(Step.DATA).show("active", f"open · local {local}")
            case ProxyConnecting(proxy=proxy, target=where, remote_dns=remote_dns):
                if remote_dns:
                    self._step(Step.RESOLVE).show("done", f"left to the proxy ({where})")
                self._step(Step.HANDSHAKE).show("active", f"asking {proxy} for {where}…")
            case ProxyConnected(proxy=proxy, target=where, duration_ms=ms):
                self._step(Step.HANDSHAKE).show("active", f"tunnel to {where} in {ms:.1f} ms")
            case TlsHandshakeStarted(server_name=name, starttls=starttls):
                kind = "STARTTLS" if starttls else "TLS"
                self._step(Step.HANDSHAKE).show(
                    "active", f"{kind} handshake{f' with {name}' if name else ''}…"
                )
            case TlsEstablished(version=version, handshake_ms=ms, verified=verified):
                verdict = "verified" if verified else (event.verify_error or "NOT VERIFIED")
                self._step(Step.HANDSHAKE).show("done", f"{version} in {ms:.1f} ms · {verdict}")
                self.query_one(CertificatePanel).show_tls(event)
            case HalfClosed():
                self._step(Step.DATA).show("active", "you sent EOF; still receiving")
            case PeerFinished():
                self._step(Step.DATA).show("done", "the peer sent EOF")
            case Closed():
                self._show_closed(event)

    def _show_closed(self, event: Closed) -> None:
        self._closed_at = time.monotonic()
        if event.failed_step is not None:
            self._step(event.failed_step).show("failed", event.reason.value)
            for later in STEP_ORDER[STEP_ORDER.index(event.failed_step) + 1 : -1]:
                self._step(later).show("pending", "never reached")
        else:
            data = self._step(Step.DATA)
            if data.state == "active":
                data.show("done", "ended")
        self._step(Step.CLOSED).show("failed" if event.failed_step else "ended", event.reason.value)
        if event.rejected_certificate is not None:
            self.query_one(CertificatePanel).show_rejected(event.rejected_certificate, event.detail)
        sentence = event.sentence()
        if event.unsent_bytes:
            sentence += f" ({event.unsent_bytes:,} queued bytes were not sent)"
        update_in_place(self.query_one("#closed-reason", Static), literal(sentence))
        self.set_connected(False)

    def show_retry(self, message: str) -> None:
        """Auto-reconnect's state: the next attempt and how to stop it."""
        update_in_place(self.query_one("#retry", Static), literal(message))

    # -- stats -------------------------------------------------------------------------------

    def age(self) -> str:
        """How long the connection has lasted (or lasted), `—` before the first (or when a
        saved session does not tell)."""
        if self._connected_at is None:
            lasted = self.saved_story.lasted_ns
            return "—" if lasted is None else human_age(lasted / 1e9)
        return human_age((self._closed_at or time.monotonic()) - self._connected_at)

    def update_stats(self) -> None:
        now = time.monotonic()
        received = self.capture.stream_bytes(Direction.RECEIVED)
        sent = self.capture.stream_bytes(Direction.SENT)
        then, before = self._last_sample
        rate = (received - before) / (now - then) if now > then else 0.0
        self._last_sample = (now, received)
        self._rates.append(rate)
        text = Text()
        received_in = _chunks(self.capture.chunk_count(Direction.RECEIVED))
        sent_in = _chunks(self.capture.chunk_count(Direction.SENT))
        text.append(
            f"in  {human_bytes(received)} in {received_in}\n"
            f"out {human_bytes(sent)} in {sent_in}\n"
            f"age {self.age()} · {human_bytes(rate)}/s"
        )
        # Three short lines, always: a new layout of the screen twice a second would cost a
        # slow frame each time under a flood.
        self.query_one("#stats", Static).update(text, layout=False)
        self.query_one("#rate-sparkline", Sparkline).data = list(self._rates)


def _chunks(count: int) -> str:
    return f"{count:,} chunk{'' if count == 1 else 's'}"
