"""Copying text to a clipboard that works, and saying which one it was.

A desktop session has a system clipboard (pyperclip drives xclip, xsel, wl-copy, pbcopy or the
Windows API); a terminal over SSH or in a container has none, but most terminals accept OSC 52,
which Textual's `App.copy_to_clipboard` emits. OSC 52 gives no feedback, so the system clipboard
goes first and the result names the method that was used: the user should know where the bytes
went. Huge texts are refused rather than pushed through a terminal escape sequence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import pyperclip  # type: ignore[import-untyped]

from tcptui.codec.words import counted

TERMINAL_METHOD = "terminal (OSC 52)"

_BACKEND_NAMES = {
    "copy_xclip": "xclip",
    "copy_xsel": "xsel",
    "copy_wl": "wl-copy",
    "copy_osx_pbcopy": "pbcopy",
    "copy_osx_pyobjc": "macOS",
    "copy_windows": "Windows",
    "copy_wsl": "WSL clip.exe",
    "copy_klipper": "Klipper",
    "copy_qt": "Qt",
    "copy_dev_clipboard": "/dev/clipboard",
}


class CopyOutcome(StrEnum):
    COPIED = "copied"
    TOO_LARGE = "too large"
    NO_CLIPBOARD = "no clipboard"


@dataclass(frozen=True)
class CopyResult:
    """What happened to a copy: where the text went, or why it went nowhere."""

    outcome: CopyOutcome
    method: str
    """"system clipboard (xclip)", "terminal (OSC 52)", or "" when nothing was copied."""
    characters: int
    nbytes: int
    """Size of the text in UTF-8, which is what the clipboard receives."""
    cap: int

    @property
    def copied(self) -> bool:
        return self.outcome is CopyOutcome.COPIED

    def sentence(self, source: str = "", save_key: str | None = None) -> str:
        """A line for a notification. `source` says what was copied ("4 bytes as hex"), in
        place of the text's own size; `save_key` is the key that saves, for a copy too big."""
        if self.outcome is CopyOutcome.COPIED:
            characters = counted(self.characters, "character")
            size = source or f"{characters} ({counted(self.nbytes, 'byte')})"
            detail = f" ({characters})" if source else ""
            return f"Copied {size}{detail} to the {self.method}."
        if self.outcome is CopyOutcome.TOO_LARGE:
            save = (
                f"Save it to a file instead ({save_key})."
                if save_key
                else "Save it to a file instead."
            )
            return (
                f"Not copied: {self.nbytes:,} bytes is more than the clipboard limit of "
                f"{self.cap:,} bytes. {save}"
            )
        return "Not copied: no system clipboard was found and the terminal cannot be reached."


def copy_bytes_as_text(text: str, app_copy: Callable[[str], None] | None, cap: int) -> CopyResult:
    """Copy `text` to the system clipboard, else through `app_copy` (OSC 52); never raises
    because a clipboard is missing.

    Text over `cap` UTF-8 bytes is refused: a clipboard that big helps nobody and an OSC 52
    sequence that long can stall or break a terminal.
    """
    nbytes = len(text.encode("utf-8", "surrogatepass"))
    if nbytes > cap:
        return CopyResult(CopyOutcome.TOO_LARGE, "", len(text), nbytes, cap)
    method = _copy_to_system(text)
    if method is None and app_copy is not None:
        app_copy(text)
        method = TERMINAL_METHOD
    if method is None:
        return CopyResult(CopyOutcome.NO_CLIPBOARD, "", len(text), nbytes, cap)
    return CopyResult(CopyOutcome.COPIED, method, len(text), nbytes, cap)


def _copy_to_system(text: str) -> str | None:
    """The method's name if the system clipboard took `text`, None if there is none.

    pyperclip picks its backend on first use and keeps it; we ask it to pick again each time,
    which costs a look at the environment and PATH, so a clipboard that appears or disappears
    (DISPLAY set or unset) is noticed and the name reported is the one actually used.
    """
    try:
        copy, _paste = pyperclip.determine_clipboard()
        copy(text)
    except pyperclip.PyperclipException:
        return None
    name = getattr(copy, "__name__", "")
    return f"system clipboard ({_BACKEND_NAMES.get(name, name.removeprefix('copy_'))})"
