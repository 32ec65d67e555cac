"""The listener tab: a server's lifecycle (socket → bind → listen → accept) and its peers.

Every accepted client opens a tab of its own (the app does that); this tab shows the listening
socket and who connected, and stops listening without touching the clients already accepted.
"""

from __future__ import annotations

import socket

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Static

from tcptui.net.listener import (
    Accepted,
    Listener,
    ListenerBound,
    ListenerEvent,
    ListenerSocketCreated,
    ListenerStopped,
    Listening,
)
from tcptui.ui.connection_panel import MARKS
from tcptui.ui.key_hints import key_for

STEPS = ("socket", "bind", "listen", "accept")


class ListenerView(Vertical):
    """Shows one Listener; posts ClientAccepted for the app to open a tab per client."""

    DEFAULT_CSS = """
    ListenerView { height: 1fr; padding: 1 2; }
    ListenerView #listener-warning { color: $warning; height: auto; }
    ListenerView #listener-steps { height: auto; margin: 1 0; }
    ListenerView #listener-peers { height: auto; color: $text-muted; }
    ListenerView Button { margin: 1 0; }
    """
    BINDINGS = [Binding("f3", "stop", "Stop listening", id="listener.stop")]

    class ClientAccepted(Message):
        def __init__(self, conn: socket.socket, peer: str) -> None:
            super().__init__()
            self.conn = conn
            self.peer = peer

    class EventArrived(Message):
        def __init__(self, event: ListenerEvent) -> None:
            super().__init__()
            self.event = event

    def __init__(self, host: str, port: int, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes="listener-view")
        self.host, self.port = host, port
        self.peers: list[str] = []
        self.stopped = False
        self._steps: dict[str, tuple[str, str]] = {step: ("pending", "") for step in STEPS}
        self.listener = Listener(host, port, self._from_thread, self._accepted_from_thread)

    @property
    def title(self) -> str:
        dot = "■" if self.stopped else "◉"
        return f"{dot} listening {self.host}:{self.port}"

    def compose(self) -> ComposeResult:
        yield Static("", id="listener-warning")
        yield Static("", id="listener-steps")
        yield Static("", id="listener-peers")
        stop = key_for(self, "listener.stop")
        yield Button(Text(f"Stop listening ({stop})"), id="stop-listening", variant="error")

    def on_mount(self) -> None:
        self._show()
        self.listener.start()

    def on_unmount(self) -> None:
        self.listener.stop()

    def focus_default(self) -> None:
        self.query_one(Button).focus()

    # -- from the listener thread (post_message is thread-safe) ------------------------------

    def _from_thread(self, event: ListenerEvent) -> None:
        self.post_message(self.EventArrived(event))

    def _accepted_from_thread(self, conn: socket.socket) -> None:
        peer = conn.getpeername()
        self.post_message(self.ClientAccepted(conn, f"{peer[0]}:{peer[1]}"))

    # -- on the UI thread ----------------------------------------------------------------------

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
            case Accepted(peer=peer):
                self.peers.append(peer)
                self._steps["accept"] = ("active", f"{len(self.peers)} accepted, waiting…")
            case ListenerStopped(error=error):
                self.stopped = True
                state = "failed" if error else "ended"
                failed = next((s for s, (st, _) in self._steps.items() if st != "done"), "accept")
                self._steps[failed] = (state, error or "stopped; accepted clients stay open")
                self.query_one(Button).disabled = True
                if error:
                    self.notify(
                        f"Cannot listen on {self.host}:{self.port}: {error}",
                        title="Listen",
                        severity="error",
                    )
        self._show()

    def _show(self) -> None:
        text = Text()
        for step, (state, detail) in self._steps.items():
            mark, colour = MARKS[state]
            text.append(f"{mark} ", style=colour)
            text.append(f"{step:<8}", style="bold")
            text.append(f"{detail}\n")
        self.query_one("#listener-steps", Static).update(text)
        peers = Text("clients:\n" if self.peers else "no clients yet\n")
        for peer in self.peers:
            peers.append(f"  ← {peer}\n")
        self.query_one("#listener-peers", Static).update(peers)
        self.post_message(self.TitleChanged(self))

    class TitleChanged(Message):
        def __init__(self, view: ListenerView) -> None:
            super().__init__()
            self.view = view

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_stop()

    def action_stop(self) -> None:
        self.listener.stop()
