"""The tab strip: a tab comes to the front when the focus moves into it, and only then.

Textual's TabbedContent shows the pane a focused widget is in when the pane's `Focused`
message arrives. That message can arrive late: the first tab focuses its form while a second
tab is being opened and shown, and the first tab's message then brings it back in front, so a
ctrl+F4 typed at once closed the tab behind. A pane that no longer holds the focus is not shown.
"""

from __future__ import annotations

from textual.widgets import TabbedContent, TabPane


class ShownTabs(TabbedContent):
    def on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        if not event.tab_pane.has_focus_within:
            event.stop()
            event.prevent_default()  # the focus has left it since: nothing to show
