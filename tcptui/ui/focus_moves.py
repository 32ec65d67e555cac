"""Where the focus goes: Tab's order inside a tab, and the key between composer and log.

The screen's own order follows the layout (tab strip, host, port, family, button, log,
composer), so from the composer the log was six Tabs away: the two places people work in go
first here, composer -> log -> panel, then the rest. A log view that stepped aside for the
data inspector keeps its place in that order: Tab brings it back. alt+o (the "other" pane of
emacs' C-x o and tmux's prefix o) goes straight from the composer to the log and back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.widget import Widget

from tcptui.ui.transcript_view import TranscriptView

if TYPE_CHECKING:
    from tcptui.ui.session_view import SessionView


def _within(widget: Widget, part: Widget) -> bool:
    return widget is part or part in widget.ancestors


def tab_order(chain: Sequence[Widget], view: SessionView) -> list[Widget]:
    """The screen's focus chain with this tab's composer first, then its log, then its panel,
    then everything else in the screen's own order."""
    parts = (view.composer, view.receive_log, view.panel)
    groups: list[list[Widget]] = [[] for _ in range(len(parts) + 1)]
    for widget in chain:
        group = next((i for i, part in enumerate(parts) if _within(widget, part)), len(parts))
        groups[group].append(widget)
    groups[1] = _with_view_aside(groups[1], view)
    return [widget for group in groups for widget in group]


def _with_view_aside(log_part: list[Widget], view: SessionView) -> list[Widget]:
    """The log's part of the order with the view that stepped aside back in its place: the
    text view before the hex view."""
    log = view.receive_log
    aside = log.inspector_room.view_aside()
    shown = [widget for widget in log_part if isinstance(widget, TranscriptView)]
    if aside is None or not shown:
        return log_part
    place = log_part.index(shown[0]) + (aside is log.hex_view)
    return [*log_part[:place], aside, *log_part[place:]]


def step_focus(chain: Sequence[Widget], view: SessionView, focused: Widget, step: int) -> Widget:
    """The widget Tab (step 1) or shift+Tab (step -1) moves to from `focused`."""
    order = tab_order(chain, view)
    if focused not in order:
        return order[0] if step > 0 else order[-1]
    return order[(order.index(focused) + step) % len(order)]


def other_pane(view: SessionView, focused: Widget | None, last_log: Widget | None) -> Widget:
    """alt+o: from the composer to the log view last used (or the first shown); from anywhere
    else to the composer."""
    if focused is None or not _within(focused, view.composer):
        composer = view.composer
        return composer.editor if composer.multiline else composer.input
    shown = view.receive_log.visible_views()
    if isinstance(last_log, TranscriptView) and last_log in shown:
        return last_log
    return shown[0]
