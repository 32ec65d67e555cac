"""Which captured bytes a copy takes: the selection, the cursor's message, or all received."""

from __future__ import annotations

from tcptui.capture.log_units import LogUnits
from tcptui.capture.store import Direction
from tcptui.ui.byte_marks import ByteCursor
from tcptui.ui.copy_screen import CopyScope
from tcptui.ui.key_hints import KeyHints

DEFAULT_COPY_CAP = 4 << 20
"""Bytes a copy may take before we suggest saving to a file: clipboards choke on more."""


CLIPBOARD_TEXT_CAP = 32 << 20
"""Characters (UTF-8 bytes) of formatted text the clipboard may take: hex triples the size."""


class NothingToCopy(Exception):
    """The scope is empty or too big; the message says what to do instead."""


def default_scope(cursor: ByteCursor) -> CopyScope:
    return "selection" if cursor.selection() is not None else "chunk"


def bytes_to_copy(
    units: LogUnits,
    cursor: ByteCursor,
    scope: CopyScope,
    keys: KeyHints,
    cap: int = DEFAULT_COPY_CAP,
) -> bytes:
    """The exact bytes for `scope`, refusing (before reading them) anything above `cap`;
    `keys` names the keys the refusals suggest. The scope "chunk" is the message (block) under
    the cursor, as the log groups it."""
    capture = units.capture
    if scope == "selection":
        selection = cursor.selection()
        if selection is None:
            select = keys.key("log.select")
            raise NothingToCopy(
                f"Nothing is selected: press {select} in the log and move the cursor."
            )
        start, end = selection
        _check_size(end - start, cap, keys)
        return capture.read(start, end - start)
    if scope == "chunk":
        if cursor.offset is None or not units.total_bytes:
            focus = keys.key("app.focus_next")
            raise NothingToCopy(f"No message under the cursor: focus the log ({focus}) first.")
        index = units.unit_at(cursor.offset)
        _check_size(units.unit(index).length, cap, keys)
        return units.read(index)
    total = capture.stream_bytes(Direction.RECEIVED)
    if not total:
        raise NothingToCopy("Nothing has been received yet.")
    _check_size(total, cap, keys)
    return b"".join(
        capture.read_chunk(chunk.index)
        for chunk in capture.chunks()
        if chunk.direction is Direction.RECEIVED
    )


def _check_size(size: int, cap: int, keys: KeyHints) -> None:
    if size > cap:
        raise NothingToCopy(
            f"{size:,} bytes is more than the clipboard limit of {cap:,} bytes: "
            f"save to a file instead ({keys.key('capture.save')})."
        )
