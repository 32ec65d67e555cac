"""The collector skips the app's long-lived objects, yet a closed tab's objects are collected."""

from __future__ import annotations

import gc
import weakref

from tcptui.ui.heap_tuning import FULL_COLLECTION_SPACING
from tcptui.ui.session_view import SessionView
from tests.helpers.app_parts import current_view
from tests.helpers.servers import PayloadServer
from tests.ui.helpers import make_app, wait_for, wait_received

SIZE = (150, 44)


async def test_the_heap_is_frozen_while_the_app_runs_and_thawed_when_it_ends() -> None:
    before = gc.get_threshold()
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: gc.get_freeze_count() > 0, "the heap frozen")
        # Full collections, which walk the views' cached rows, come further apart.
        assert gc.get_threshold() == (*before[:2], FULL_COLLECTION_SPACING)
        assert before[2] < FULL_COLLECTION_SPACING
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


async def test_no_collection_runs_until_the_first_screen_is_frozen() -> None:
    """A full collection while the first screen was built walked all of it: 165 ms once."""
    collections: list[int] = []
    recording = True

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and recording:
            collections.append(gc.get_freeze_count())

    app = make_app(None)
    gc.callbacks.append(note)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: gc.get_freeze_count() > 0, "the heap frozen")
            assert gc.isenabled()
            garbage = [[] for _ in range(5000)]
            for item in garbage:
                item.append(item)  # cycles: only the collector frees them
            del garbage, item
            await wait_for(pilot, lambda: len(collections) > 0, "a collection after the freeze")
            recording = False  # the app's end thaws the heap
    finally:
        gc.callbacks.remove(note)
    assert gc.isenabled()
    assert all(frozen > 0 for frozen in collections)  # none ran before the freeze


async def test_a_tab_made_before_the_freeze_is_collected_when_closed() -> None:
    app = make_app(None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: gc.get_freeze_count() > 0, "the heap frozen")
        first = weakref.ref(current_view(app))
        await pilot.press("ctrl+f4")
        await wait_for(
            pilot,
            lambda: len(app.query(SessionView)) == 1 and current_view(app) is not first(),
            "the first tab replaced by a fresh one",
        )
        await pilot.pause()  # what runs after the next refresh: the collection and the freeze
        await wait_for(pilot, lambda: gc.get_freeze_count() > 0, "the heap frozen again")
        gc.collect()
        assert first() is None


async def test_every_spool_file_is_released_when_the_app_ends() -> None:
    """At once, not whenever the app (cyclic garbage) is collected: in the benchmark a
    headless run's 1 GiB spool outlived it and made the next run find its memory cold."""
    payload = bytes(range(256)) * 64
    with PayloadServer(payload) as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_received(app, pilot, len(payload), "the payload captured")
            await app.open_tab()
            captures = [view.capture for view in app.query(SessionView)]
            assert len(captures) == 2 and not any(capture.closed for capture in captures)
        assert all(capture.closed for capture in captures)
