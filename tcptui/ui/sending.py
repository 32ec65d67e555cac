"""What one tab sends besides the composer's Enter: bytes on demand, repeats and files.

Each way out goes through `send_bytes` (or the session's file upload), so the reasons a send
cannot go are told the same way, in the composer, wherever the send came from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.timer import Timer

from tcptui.codec.errors import CodecError
from tcptui.codec.words import counted
from tcptui.net.file_upload import FileUpload, UploadError
from tcptui.net.session import SessionError
from tcptui.ui.connection_panel import human_bytes
from tcptui.ui.key_hints import key_for
from tcptui.ui.prompt_screen import PromptScreen
from tcptui.ui.repeat_spec import parse_repeat

if TYPE_CHECKING:
    from tcptui.ui.session_view import SessionView

UPLOAD_WATCH_SECONDS = 0.1
"""How often the composer's upload progress is brought up to date."""


class Sender:
    """Sends on one tab's connection: single messages, a repeated one and a file's bytes."""

    def __init__(self, view: SessionView) -> None:
        self._view = view
        self.repeat_timer: Timer | None = None
        self.upload: FileUpload | None = None
        """The file being sent, until it is sent, cancelled or has failed."""
        self._upload_timer: Timer | None = None

    def not_connected(self) -> str:
        """Why nothing can be sent, and what would make it possible."""
        if self._view.accepted_client:
            return "Not connected: the client has gone; it can connect again to the listener."
        connect = key_for(self._view, "session.connect")
        return f"Not connected: fill in host and port, then press {connect}."

    def send_bytes(self, data: bytes) -> bool:
        """Queue `data` on the connection, or say in the composer why it cannot go."""
        view = self._view
        if view.session is None:
            view.composer.show_error(self.not_connected())
            return False
        if not data:
            view.composer.show_error(
                "Nothing to send: the message is empty and adds no line ending "
                f"({key_for(view, 'composer.line_ending')} changes it for text)."
            )
            return False
        try:
            view.session.send(data)
        except SessionError as exc:
            again = (
                ""
                if view.accepted_client
                else f" Press {key_for(view, 'session.connect')} to connect again."
            )
            view.composer.show_error(f"{str(exc).capitalize()}.{again}")
            self.stop_repeat()
            return False
        return True

    # -- repeat ------------------------------------------------------------------------------

    def toggle_repeat(self) -> None:
        """Send the composer message N times, or every T ms; pressed again, stop."""
        view = self._view
        if self.repeat_timer is not None:
            self.stop_repeat()
            view.notify("Repeating stopped.")
            return

        def check(text: str) -> str | None:
            try:
                parse_repeat(text)
            except ValueError as exc:
                return str(exc).capitalize()
            return None

        view.app.push_screen(
            PromptScreen(
                f"Repeat the composer message ({key_for(view, 'composer.repeat')} again stops)",
                "",
                "10 · 10 every 200 · every 500",
                check,
            ),
            self._start_repeat,
        )

    def _start_repeat(self, text: str | None) -> None:
        if not text:
            return
        view = self._view
        spec = parse_repeat(text)
        try:
            data = view.composer.encode(view.composer.text)
        except CodecError as exc:
            view.composer.show_error(str(exc))
            return
        if spec.interval_ms == 0:
            for _ in range(spec.times):
                if not self.send_bytes(data):
                    return
            total = counted(spec.times * len(data), "byte")
            view.notify(f"Sent {counted(spec.times, 'time')} ({total}).")
            return
        sent = 0

        def tick() -> None:
            """Count real sends: the timer skips ticks when the loop is busy."""
            nonlocal sent
            if self.send_bytes(data):
                sent += 1
            if sent == spec.times or self.repeat_timer is None:
                self.stop_repeat()

        self.repeat_timer = view.set_interval(spec.interval_ms / 1000, tick, name="repeat")
        every = f"every {spec.interval_ms} ms"
        times = f"{counted(spec.times, 'time')} " if spec.times else ""
        stop = key_for(view, "composer.repeat")
        view.notify(f"Sending {times}{every}; {stop} stops.", markup=False)

    def stop_repeat(self) -> None:
        if self.repeat_timer is not None:
            self.repeat_timer.stop()
            self.repeat_timer = None

    # -- a file's bytes ----------------------------------------------------------------------

    def toggle_upload(self) -> None:
        """Send a file's exact bytes; pressed again while sending, cancel."""
        if self.upload is not None:
            self.upload.cancel()
            return

        def check(path: str) -> str | None:
            if not path.strip():
                return "Type the path of the file to send."
            try:
                FileUpload(path.strip()).finish()
            except UploadError as exc:
                return str(exc).capitalize()
            return None

        view = self._view
        view.app.push_screen(
            PromptScreen(
                f"Send a file's exact bytes ({key_for(view, 'composer.send_file')} again cancels)",
                "",
                "path/to/file",
                check,
            ),
            self._start_upload,
        )

    def _start_upload(self, path: str | None) -> None:
        if not path:
            return
        view = self._view
        if view.session is None:
            view.composer.show_error(self.not_connected())
            return
        try:
            upload = FileUpload(path.strip())
            view.session.send_file(upload)
        except (UploadError, SessionError) as exc:
            view.composer.show_error(f"{str(exc).capitalize()}.")
            return
        self.upload = upload
        self._upload_timer = view.set_interval(
            UPLOAD_WATCH_SECONDS, self._watch_upload, name="upload"
        )
        self._watch_upload()

    def _watch_upload(self) -> None:
        upload = self.upload
        if upload is None:
            return
        view = self._view
        view.composer.show_upload(upload.path.name, upload.read, upload.size)
        # A cancel is final at once: the piece already in the kernel may still trickle out.
        if not (upload.finished.is_set() or upload.cancelled):
            return
        if self._upload_timer is not None:
            self._upload_timer.stop()
        self.upload = self._upload_timer = None
        view.composer.hide_upload()
        if upload.cancelled:  # every piece read still goes out whole
            view.notify(
                f"Stopped sending {upload.path.name} after {_amount(upload.read)}.",
                severity="warning",
                markup=False,
            )
        elif upload.error:
            view.notify(
                f"{upload.error.capitalize()} ({_amount(upload.sent)} went out).",
                title="File not sent",
                severity="error",
                markup=False,
            )
        else:
            view.notify(
                f"Sent {upload.path.name}: {_amount(upload.size)}.", title="File sent", markup=False
            )


def _amount(count: int) -> str:
    """Bytes as the connection panel counts them, and exactly: `1.0 MiB (1,048,576 bytes)`."""
    return f"{human_bytes(count)} ({counted(count, 'byte')})"
