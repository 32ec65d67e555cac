"""A snapshot of the default stream view of a conversation with the connection's events."""

from __future__ import annotations

from tcptui.capture.events import EventKind
from tcptui.capture.session_file import OpenedSession, SessionMeta
from tcptui.capture.store import Capture, Direction
from tcptui.codec.composer_syntax import LineEnding
from tcptui.launch_config import LaunchConfig
from tcptui.net.session import ConnectOptions
from tcptui.ui.app import TcpTuiApp
from tcptui.user_files.settings import Settings
from tests.ui.test_snapshots import SIZE, SnapCompare, fixed_clock, settle

RECEIVED, SENT = Direction.RECEIVED, Direction.SENT


def app_with_events() -> TcpTuiApp:
    """STARTTLS on an SMTP server that answers in pieces, as a saved session shows it."""
    capture = Capture(clock=fixed_clock())
    capture.add_event(EventKind.CONNECTED, "127.0.0.1:40312 → 127.0.0.1:25 in 0.4 ms")
    for piece in (b"220 mail.exa", b"mple ESMTP", b" ready\r\n"):
        capture.append(RECEIVED, piece)
    capture.append(SENT, b"STARTTLS\r\n")
    capture.append(RECEIVED, b"220 2.0.0 go ahead\r\n")
    capture.add_event(EventKind.TLS_STARTED, "TLSv1.3 TLS_AES_256_GCM_SHA384")
    capture.append(SENT, b"EHLO me\r\n")
    capture.append(RECEIVED, b"250-mail.example\r\n")
    capture.append(RECEIVED, b"250 8BITMIME\r\n")
    capture.add_event(EventKind.EOF_RECEIVED)
    capture.add_event(EventKind.CLOSED, "peer closed [@click=app.quit] \x1b[31m")
    settings = Settings(group="stream")
    config = LaunchConfig(None, ConnectOptions(), LineEnding.LF, False, settings=settings)
    app = TcpTuiApp(config, opened=OpenedSession(capture, SessionMeta(target="mail.example:25")))
    app.animation_level = "none"
    return app


def test_stream_view_with_connection_events(snap_compare: SnapCompare) -> None:
    assert snap_compare(app_with_events(), terminal_size=SIZE, run_before=settle)
