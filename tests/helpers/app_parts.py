"""The parts of a running app that tests look at, reached through public queries.

The app has no test-only properties: tests find the tab on show and its widgets the way any
Textual code would.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import TabbedContent

from tcptui.capture.store import Capture
from tcptui.ui.composer import Composer
from tcptui.ui.connection_panel import ConnectionPanel
from tcptui.ui.receive_log import ReceiveLog
from tcptui.ui.session_view import SessionView


def current_view(app: App[Any]) -> SessionView:
    """The SessionView of the tab on show."""
    pane = app.query_one(TabbedContent).active_pane
    if pane is None:
        return app.query(SessionView).first()
    return pane.query_one(SessionView)


def current_capture(app: App[Any]) -> Capture:
    return current_view(app).capture


def current_log(app: App[Any]) -> ReceiveLog:
    return current_view(app).receive_log


def current_composer(app: App[Any]) -> Composer:
    return current_view(app).composer


def current_panel(app: App[Any]) -> ConnectionPanel:
    return current_view(app).panel
