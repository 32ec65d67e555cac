"""The clipboard: the system one when there is one, OSC 52 through the app when not, and a cap."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcptui.clipboard import TERMINAL_METHOD, CopyOutcome, copy_bytes_as_text
from tests.helpers import DEFAULT_TIMEOUT, require_tool

TEXT = "GET / HTTP/1.0\r\n\x00 héllo ␛ 😀\n"
CAP = 1 << 20
X_STARTUP_TIMEOUT = 10.0


@pytest.fixture
def x_display(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private Xvfb server; DISPLAY points at it for the test, WAYLAND_DISPLAY is unset.

    `-displayfd` makes Xvfb pick a free display number and write it to a pipe once it accepts
    connections, so the test waits on that pipe (with a deadline) rather than guessing.
    """
    xvfb = require_tool("Xvfb", "xvfb")
    require_tool("xclip", "xclip")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0", "64x64x8"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], X_STARTUP_TIMEOUT)
        number = os.read(read_end, 32).decode().strip() if ready else ""
        if not number.isdigit():
            raise RuntimeError(f"Xvfb did not report a display within {X_STARTUP_TIMEOUT} s")
        assert Path(f"/tmp/.X11-unix/X{number}").exists()
        monkeypatch.setenv("DISPLAY", f":{number}")
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        yield f":{number}"
    finally:
        os.close(read_end)
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    """A session with no graphical display, as over SSH or in a container."""
    if sys.platform != "linux":
        pytest.skip(f"a clipboard without a display is a Linux situation, not {sys.platform}")
    if "microsoft" in Path("/proc/version").read_text().lower():
        pytest.skip("WSL reaches the Windows clipboard without a display")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


def read_x_clipboard(expected: str, timeout: float = DEFAULT_TIMEOUT) -> str:
    """The X clipboard once it holds `expected`, or what it held at the deadline.

    xclip takes the selection from its background child, which a loaded machine may run a
    moment after the copying call returned: until then the clipboard is empty, not wrong.
    """
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        result = subprocess.run(
            ["xclip", "-o", "-selection", "clipboard"], capture_output=True, timeout=10
        )
        text = result.stdout.decode("utf-8") if result.returncode == 0 else ""
        if text == expected or time.monotonic() > deadline:
            return text
        pause.wait(0.05)


def test_text_goes_to_the_system_clipboard_when_there_is_one(x_display: str) -> None:
    sent_to_terminal: list[str] = []

    result = copy_bytes_as_text(TEXT, sent_to_terminal.append, CAP)

    assert result.outcome is CopyOutcome.COPIED
    assert result.method == "system clipboard (xclip)"
    assert read_x_clipboard(TEXT) == TEXT
    assert sent_to_terminal == []
    assert result.sentence().endswith("to the system clipboard (xclip).")


def test_without_a_display_the_text_goes_to_the_terminal(no_display: None) -> None:
    sent_to_terminal: list[str] = []

    result = copy_bytes_as_text(TEXT, sent_to_terminal.append, CAP)

    assert sent_to_terminal == [TEXT]
    assert result.outcome is CopyOutcome.COPIED
    assert result.method == TERMINAL_METHOD
    assert (result.characters, result.nbytes) == (len(TEXT), len(TEXT.encode()))
    assert "terminal (OSC 52)" in result.sentence()


def test_without_any_clipboard_nothing_raises_and_the_result_says_so(no_display: None) -> None:
    result = copy_bytes_as_text(TEXT, None, CAP)
    assert result.outcome is CopyOutcome.NO_CLIPBOARD
    assert not result.copied
    assert result.sentence().startswith("Not copied")


def test_text_over_the_cap_is_refused_with_a_hint_to_save_instead() -> None:
    sent_to_terminal: list[str] = []
    text = "é" * 600  # 1200 bytes in UTF-8

    result = copy_bytes_as_text(text, sent_to_terminal.append, cap=1000)

    assert result.outcome is CopyOutcome.TOO_LARGE
    assert sent_to_terminal == []
    assert (result.characters, result.nbytes) == (600, 1200)
    assert "Save it to a file instead" in result.sentence()
    assert "1,200 bytes" in result.sentence()


def test_text_exactly_at_the_cap_is_copied(no_display: None) -> None:
    sent_to_terminal: list[str] = []
    result = copy_bytes_as_text("x" * 1000, sent_to_terminal.append, cap=1000)
    assert result.copied
    assert sent_to_terminal == ["x" * 1000]
