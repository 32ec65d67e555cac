"""The composer edits as readline does (bash, and so nc users' fingers): ctrl+a/e, ctrl+k/u,
ctrl+w, alt+b/f/d; and ctrl+w cuts a word instead of closing the tab."""

from __future__ import annotations

import pytest

from tcptui.ui.readline_keys import space_word_start_before, word_end_after, word_start_before
from tcptui.ui.session_view import SessionView
from tests.helpers.app_parts import current_composer
from tests.ui.helpers import make_app

SIZE = (150, 44)
LINE = "GET /index.html HTTP/1.0"


@pytest.mark.parametrize(
    ("keys", "value", "cursor"),
    [
        (["ctrl+a"], LINE, 0),
        (["ctrl+a", "ctrl+e"], LINE, len(LINE)),
        (["ctrl+w"], "GET /index.html ", len("GET /index.html ")),
        (["ctrl+w", "ctrl+w"], "GET ", 4),
        (["ctrl+u"], "", 0),
        (["ctrl+a", "ctrl+k"], "", 0),
        (["alt+b"], LINE, len(LINE) - 1),
        (["alt+b", "alt+b", "ctrl+k"], "GET /index.html HTTP/", len("GET /index.html HTTP/")),
        (["ctrl+a", "alt+f", "alt+f"], LINE, len("GET /index")),
        (["ctrl+a", "alt+f", "alt+d"], "GET.html HTTP/1.0", 3),
        (["alt+b", "alt+b", "alt+b", "ctrl+u"], "HTTP/1.0", 0),
    ],
)
async def test_readline_keys_edit_the_composer_line(
    keys: list[str], value: str, cursor: int
) -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        field = current_composer(app).input
        field.focus()
        field.value = LINE
        field.cursor_position = len(LINE)
        await pilot.press(*keys)
        assert (field.value, field.cursor_position) == (value, cursor)


async def test_ctrl_w_in_the_composer_cuts_a_word_and_keeps_the_tab() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        await app.open_tab()
        current_composer(app).input.focus()
        await pilot.press(*"hello world", "ctrl+w")
        await pilot.pause()
        assert len(app.query(SessionView)) == 2
        assert current_composer(app).input.value == "hello "


def test_words_are_readline_words() -> None:
    text = "foo-bar  baz_1!"
    assert word_start_before(text, len(text)) == text.index("baz_1")
    assert word_end_after(text, 0) == 3
    assert word_end_after(text, 3) == 7
    assert space_word_start_before(text, len(text)) == text.index("baz_1")
    assert space_word_start_before(text, text.index("baz_1")) == 0
