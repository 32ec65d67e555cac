"""A one-line Input whose typing repaints the field alone.

Textual's Input sets its virtual size to the text's width at every change, and a new virtual
size lays out the whole screen again: under a storm of new bytes that layout also repaints
the log, in the key's frame. While the text fits in the field, the field's width is what
there is to scroll, so the virtual size is kept at that and does not change as one types;
longer text scrolls exactly as in Textual's Input. An auto-width field still follows its text.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widgets import Input


class SteadyInput(Input):
    @property
    def content_width(self) -> int:
        """The text's width (a cell more for the cursor), or the field's if that is more."""
        return max(self._text_cells, self.scrollable_content_region.width)

    @property
    def _text_cells(self) -> int:
        return super().content_width

    def get_content_width(self, container: Size, viewport: Size) -> int:
        """An auto-width field is as wide as its text."""
        return self._text_cells
