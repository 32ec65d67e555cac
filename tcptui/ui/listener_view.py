"""The listener tab: a server's lifecycle (socket → bind → listen → accept) and its clients.

The clients live in a ClientBook (net/listen_clients.py) and show here as rows of a table;
a client's tab, with its panel, log and composer, is built only when Enter asks for it. The
tab is refreshed from the book a few times a second at most, however fast clients come: one
message says "something changed" and the refresh reads everything at once. Stopping the
listener never touches the clients already accepted.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Static

from tcptui.codec.automation_rules import ResponderRule
from tcptui.net.listen_clients import BookTally, ClientBook, ListenClient
from tcptui.net.listener import (
    AcceptPaused,
    AcceptResumed,
    Listener,
    ListenerBound,
    ListenerEvent,
    ListenerSocketCreated,
    ListenerStopped,
    Listening,
)
from tcptui.net.session import ConnectOptions
from tcptui.ui.client_table import ClientTable
from tcptui.ui.connection_panel import MARKS
from tcptui.ui.key_hints import key_for

STEPS = ("socket", "bind", "listen", "accept")
REFRESH_SPACING = 0.25
"""Least seconds between two refreshes of the table and counters while clients pour in."""
PROBLEM_SPACING = 10.0
"""Least seconds between two warnings about clients (a full disk fails every client's save)."""
AGE_TICK = 1.0
"""The age column moves on by itself, and a tab shown again catches up: a refresh at least
this often."""


class ListenerView(Vertical):
    """Shows one Listener and its clients; posts OpenClient for the app to open a tab."""

    DEFAULT_CSS = """
    ListenerView { height: 1fr; padding: 0 2; }
    ListenerView #listener-warning { color: $warning; height: auto; }
    ListenerView #listener-steps { height: auto; margin: 1 0 0 0; }
    ListenerView #listener-tally { height: auto; color: $text-muted; margin: 0 0 1 0; }
    ListenerView Button { margin: 1 0 0 0; }
    """
    BINDINGS = [Binding("f3", "stop", "Stop listening", id="listener.stop")]

    class OpenClient(Message):
        """Show `client` in a tab of its own (built now if it has none)."""

        def __init__(self, client: ListenClient) -> None:
            super().__init__()
            self.client = client

    class EventArrived(Message):
        def __init__(self, event: ListenerEvent) -> None:
            super().__init__()
            self.event = event

    class ClientsChanged(Message):
        """The book changed; at most one waits, however many clients came meanwhile."""

    class TitleChanged(Message):
        def __init__(self, view: ListenerView) -> None:
            super().__init__()
            self.view = view

    def __init__(
        self,
        host: str,
        port: int,
        options: ConnectOptions,
        *,
        max_clients: int,
        save_base: str | None = None,
        responders: Sequence[ResponderRule] = (),
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
    ) -> None:
        super().__init__(id=id, classes="listener-view")
        self.host, self.port = host, port
        self.stopped = False
        self.book = ClientBook(
            options,
            self._book_changed,
            max_clients=max_clients,
            save_base=save_base,
            responders=responders,
        )
        self.listener = Listener(host, port, self._from_thread, self.book)
        self._steps: dict[str, tuple[str, str]] = {step: ("pending", "") for step in STEPS}
        self._paused = ""
        self._last_refresh = 0.0
        self._refresh_timer: Timer | None = None
        self._problem_shown = ""
        self._problem_told = -PROBLEM_SPACING

    @property
    def title(self) -> str:
        dot = "■" if self.stopped else "◉"
        return f"{dot} listening {self.host}:{self.port}"

    def compose(self) -> ComposeResult:
        yield Static("", id="listener-warning")
        yield Static("", id="listener-steps")
        yield Static("", id="listener-tally")
        yield ClientTable(id="listener-clients")
        stop = key_for(self, "listener.stop")
        yield Button(Text(f"Stop listening ({stop})"), id="stop-listening", variant="error")

    def on_mount(self) -> None:
        self._show_steps()
        self._refresh_clients()
        self.set_interval(AGE_TICK, self._schedule_refresh, name="client ages")
        self.app.screen_change_signal.subscribe(self, self._screen_changed)
        self.listener.start()

    def on_unmount(self) -> None:
        self.close_clients()

    def close_clients(self) -> int:
        """Stop listening and end the clients without a tab (nothing else could show them)."""
        self.listener.stop()
        return self.book.close_all()

    def focus_default(self) -> None:
        """The tab is shown (again): its table takes the keys and catches up at once."""
        self.app.set_focus(self.query_one(ClientTable))  # at once: see SessionView's
        self.call_after_refresh(self._schedule_refresh)

    def _screen_changed(self, screen: object) -> None:
        if screen is self.screen:  # a dialog over this tab has closed
            self.call_after_refresh(self._schedule_refresh)

    # -- from other threads (post_message is thread-safe) ------------------------------------

    def _from_thread(self, event: ListenerEvent) -> None:
        self.post_message(self.EventArrived(event))

    def _book_changed(self) -> None:
        self.post_message(self.ClientsChanged())

    # -- on the UI thread ----------------------------------------------------------------------

    def on_listener_view_clients_changed(self) -> None:
        self._schedule_refresh()

    def _schedule_refresh(self) -> None:
        if self._refresh_timer is not None:
            return
        wait = self._last_refresh + REFRESH_SPACING - time.monotonic()
        if wait > 0:
            self._refresh_timer = self.set_timer(wait, self._timed_refresh)
        else:
            self._refresh_clients()

    def _timed_refresh(self) -> None:
        self._refresh_timer = None
        self._refresh_clients()

    def _refresh_clients(self) -> None:
        """Show the book as it is now, if this tab is on show. Hidden (another tab, or a
        dialog over it, which repaints the dimmed screen beneath at each of its frames), it
        catches up when shown again: with 200 clients a refresh under the help screen made
        each F1 take up to a second."""
        if not (self.screen.is_active and self.is_on_screen):
            return
        self._last_refresh = time.monotonic()
        self.book.changes_taken()
        self.query_one(ClientTable).show(self.book.rows())
        tally = self.book.tally()
        self.query_one("#listener-tally", Static).update(self._describe(tally))
        quiet = time.monotonic() - self._problem_told < PROBLEM_SPACING
        if tally.last_problem and tally.last_problem != self._problem_shown and not quiet:
            self._problem_shown, self._problem_told = tally.last_problem, time.monotonic()
            self.notify(tally.last_problem, title="Listen", severity="warning", markup=False)

    def _describe(self, tally: BookTally) -> Text:
        text = Text()
        text.append(f"{tally.held} of at most {self.book.max_clients} clients connected")
        text.append(f" · {tally.accepted:,} accepted")
        if tally.refused:
            text.append(f" · refused {tally.refused:,} over the limit", style="bold")
        if self._paused:
            text.append(f"\n⏸ accepting paused: {self._paused}", style="bold")
        if tally.silent:
            text.append(f"\n{tally.silent:,} left without a byte, the last from ")
            text.append(", ".join(tally.recent_silent))
        if tally.vanished:
            text.append(f"\n{tally.vanished:,} lost before they could be taken, the last: ")
            text.append(tally.vanish_reason)
        text.append("\nEnter opens a client's tab.")
        return text

    def on_listener_view_event_arrived(self, message: EventArrived) -> None:
        match message.event:
            case ListenerSocketCreated(family=family):
                self._steps["socket"] = ("done", f"{family}, SOCK_STREAM")
            case ListenerBound(address=address, all_interfaces=everywhere):
                self.port = self.listener.port
                self._steps["bind"] = ("done", address)
                if everywhere:
                    self.query_one("#listener-warning", Static).update(
                        Text("⚠ listening on ALL interfaces: other machines can connect to you.")
                    )
            case Listening(backlog=backlog):
                self._steps["listen"] = ("done", f"backlog {backlog}")
                self._steps["accept"] = ("active", "waiting for clients…")
            case AcceptPaused(reason=reason, seconds=seconds):
                self._paused = f"{reason}; trying again in {seconds:g} s"
                self._steps["accept"] = ("active", f"paused: {reason}")
                self._refresh_clients()
            case AcceptResumed():
                self._paused = ""
                self._steps["accept"] = ("active", "waiting for clients…")
                self._refresh_clients()
            case ListenerStopped(error=error):
                self._stopped(error)
        self._show_steps()

    def _stopped(self, error: str) -> None:
        self.stopped = True
        self._paused = ""
        state = "failed" if error else "ended"
        failed = next((s for s, (st, _) in self._steps.items() if st != "done"), "accept")
        self._steps[failed] = (state, error or "stopped; accepted clients stay open")
        self.query_one(Button).disabled = True
        if error:
            self.notify(
                f"Cannot listen on {self.host}:{self.port}: {error}",
                title="Listen",
                severity="error",
                markup=False,
            )

    def _show_steps(self) -> None:
        text = Text()
        for step, (state, detail) in self._steps.items():
            mark, colour = MARKS[state]
            text.append(f"{mark} ", style=colour)
            text.append(f"{step:<8}", style="bold")
            text.append(f"{detail}\n")
        self.query_one("#listener-steps", Static).update(text)
        self.post_message(self.TitleChanged(self))

    @on(ClientTable.Chosen)
    def _client_chosen(self, event: ClientTable.Chosen) -> None:
        event.stop()
        client = self.book.client(event.number)
        if client is None:
            self.notify("That client has gone.", severity="warning")
            return
        self.post_message(self.OpenClient(client))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_stop()

    def action_stop(self) -> None:
        self.listener.stop()
