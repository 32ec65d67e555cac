"""Running programs in a real terminal: the app in tmux, and a raw pty for startup timing."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
COLUMNS, LINES = 200, 60


def _tmux(socket_name: str, *args: str, timeout: float = 10) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["tmux", "-L", socket_name, "-f", "/dev/null", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_driver_in_tmux(
    driver_args: list[str], timeout: float, prefix: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Run app_driver in a fresh 200x60 tmux server; return the JSON it reports.

    Waits on the control socket in one-second slices, checking between them that the pane is
    still alive, so a crash is reported with its screen at once instead of at the deadline.
    `prefix` goes before the command (e.g. a profiler: py-spy record -o FILE --).
    """
    socket_name = f"tcptui-bench-{uuid.uuid4().hex[:8]}"
    with socket.create_server(("127.0.0.1", 0)) as control:
        control.settimeout(1.0)
        port = control.getsockname()[1]
        command = [
            *prefix,
            sys.executable,
            "-m",
            "tests.benchmarks.app_driver",
            "--control",
            str(port),
            *driver_args,
        ]
        env = ["-e", "TEXTUAL_ANIMATIONS=none", "-e", f"PYTHONPATH={REPO}"]
        started = _tmux(
            socket_name,
            "new-session",
            "-d",
            "-x",
            str(COLUMNS),
            "-y",
            str(LINES),
            "-c",
            str(REPO),
            *env,
            " ".join(command),
        )
        if started.returncode:
            raise RuntimeError(f"tmux did not start: {started.stderr.strip()}")
        try:
            _tmux(socket_name, "set-option", "-g", "remain-on-exit", "on")
            deadline = time.monotonic() + timeout
            while True:
                try:
                    conn, _ = control.accept()
                    break
                except TimeoutError:
                    pass
                dead = _tmux(socket_name, "display-message", "-p", "#{pane_dead}").stdout
                if dead.strip() != "0" or time.monotonic() > deadline:
                    screen = _tmux(socket_name, "capture-pane", "-p").stdout
                    raise RuntimeError(f"the app did not report; its screen:\n{screen.strip()}")
            with conn:
                conn.settimeout(max(1.0, deadline - time.monotonic()))
                data = b""
                while not data.endswith(b"\n"):
                    part = conn.recv(65536)
                    if not part:
                        break
                    data += part
            facts: dict[str, Any] = json.loads(data)
            _wait_pane_dead(socket_name, deadline)
            return facts
        finally:
            _tmux(socket_name, "kill-server")


def _wait_pane_dead(socket_name: str, deadline: float) -> None:
    """Let the app quit by itself (it restores the terminal) before the server is killed."""
    pid_text = _tmux(socket_name, "display-message", "-p", "#{pane_pid}").stdout.strip()
    if not pid_text.isdigit():
        return
    pidfd = _pidfd(int(pid_text))
    if pidfd is None:
        return
    with contextlib.closing(pidfd):
        select.select([pidfd], [], [], max(0.0, min(10.0, deadline - time.monotonic())))


class _Fd:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def fileno(self) -> int:
        return self.fd

    def close(self) -> None:
        os.close(self.fd)


def _pidfd(pid: int) -> _Fd | None:
    """A file descriptor that turns readable when `pid` exits (Linux 5.3+)."""
    if not hasattr(os, "pidfd_open"):
        return None
    try:
        return _Fd(os.pidfd_open(pid))
    except OSError:
        return None


def time_to_marker(argv: list[str], markers: tuple[bytes, ...], timeout: float) -> float:
    """Seconds from starting `argv` in a 200x60 pty until every one of `markers` has appeared
    in its output.

    The output is read as it comes (select with a deadline): no screen polling. The process
    is then terminated and reaped.
    """
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "TEXTUAL_ANIMATIONS": "none"}
    env["PYTHONPATH"] = str(REPO)
    started = time.perf_counter()
    process = subprocess.Popen(
        argv,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=REPO,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    seen = b""
    missing = list(markers)
    longest = max(map(len, markers))
    found_at: float | None = None
    deadline = started + timeout
    try:
        while found_at is None:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                break
            ready, _, _ = select.select([master], [], [], remaining)
            if not ready:
                break
            try:
                data = os.read(master, 1 << 16)
            except OSError:
                break  # the child closed the pty: it exited
            if not data:
                break
            seen = seen[-longest:] + data
            missing = [marker for marker in missing if marker not in seen]
            if not missing:
                found_at = time.perf_counter()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        _drain_until_exit(master, process)
        os.close(master)
    if found_at is None:
        raise RuntimeError(f"{argv[-1]!r}: {missing!r} not on screen within {timeout:.0f} s")
    return found_at - started


def _drain_until_exit(master: int, process: subprocess.Popen[bytes]) -> None:
    """Keep reading the pty (so the child never blocks writing) until it has exited."""
    deadline = time.monotonic() + 10
    while process.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                if not os.read(master, 1 << 16):
                    break
            except OSError:
                break
    try:
        process.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
