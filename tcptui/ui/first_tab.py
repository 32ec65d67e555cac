"""What the first tab starts with, read from the command line before the app runs.

A session file to show (`--open`) or a file to save into as bytes arrive (`--save`) is opened
while the app is built, not once it runs: a file that cannot be read or written stops the start
with one sentence, before the terminal is taken over.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from tcptui.capture.export import SaveError
from tcptui.capture.listen_save import check_save_folder
from tcptui.capture.live_save import LiveSaver
from tcptui.capture.session_file import (
    CutShort,
    OpenedSession,
    SessionMeta,
    open_intact_session,
)
from tcptui.capture.store import Capture
from tcptui.launch_config import LaunchConfig


class FirstTab(NamedTuple):
    capture: Capture | None
    """The bytes the tab shows; None for a fresh capture made with the tab."""
    opened_meta: SessionMeta | None
    """The session file's description, when the tab shows a saved session."""
    live_saver: LiveSaver | None
    """What writes the capture to `--save` as it grows."""
    cut_short_note: str | None = None
    """The sentence saying what the session file lost, when it is cut short: the tab shows
    what is intact."""


def first_tab(
    config: LaunchConfig,
    opened: OpenedSession | None,
    capture: Capture | None = None,
) -> FirstTab:
    """`opened` is the session file `config.open_file` names, when the caller read it, and
    `capture` bytes the caller holds for the tab instead; a listening tab's `--save` is a
    folder, checked now (each client's file is made later)."""
    meta = note = None
    if opened is None and config.open_file:
        opened = open_intact_session(config.open_file)
    if opened is not None:
        capture, meta, cut_short = opened
        note = _cut_short_note(config.open_file or "", cut_short)
    if config.save and config.listen is not None:
        problem = check_save_folder(config.save)
        if problem:
            raise SaveError(problem, config.save)
        return FirstTab(capture, meta, None, note)
    if config.save:
        capture = capture if capture is not None else Capture()
        return FirstTab(capture, meta, LiveSaver(capture, config.save), note)
    return FirstTab(capture, meta, None, note)


def _cut_short_note(path: str, cut_short: CutShort | None) -> str | None:
    return None if cut_short is None else f"{os.path.basename(path)}: {cut_short.sentence()}."
