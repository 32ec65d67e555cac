"""How the log takes in new bytes: small replies at once, a flood in spaced takes."""

from __future__ import annotations

import time
from functools import partial

from tcptui.ui.session_view import (
    DATA_REFRESH_INTERVAL,
    DATA_REFRESH_SHARE,
    FLOOD_TAKE_BYTES,
    take_spacing,
)
from tests.helpers import EchoServer
from tests.ui.helpers import all_rows, make_app, wait_for, wait_open


async def test_small_replies_never_make_the_next_one_wait() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_open(app, pilot)
            view = app.current

            def shown(text: str) -> bool:
                return any(text in row for row in all_rows(view.receive_log.text_view))

            for number in range(3):
                text = f"reply {number}"
                app.current.send_bytes(text.encode() + b"\n")
                await wait_for(pilot, partial(shown, text), f"{text!r} in the log")
                assert view._next_data_take <= time.monotonic()
                assert view._data_timer is None


def test_only_a_flood_spaces_the_takes_and_a_slow_frame_spaces_them_more() -> None:
    assert take_spacing(FLOOD_TAKE_BYTES - 1, cost=0.5) == 0.0
    assert take_spacing(FLOOD_TAKE_BYTES, cost=0.001) == DATA_REFRESH_INTERVAL
    assert take_spacing(10 * FLOOD_TAKE_BYTES, cost=0.08) == 0.08 / DATA_REFRESH_SHARE
