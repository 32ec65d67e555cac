"""The log draws messages, not reads: each grouping, a grouping changed on a live capture, a
block that grows, the connection's events as rows, and the keys that act on a message."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tcptui.capture.events import ConnectionEvent, EventKind
from tcptui.capture.store import Direction
from tcptui.cli import parse_args
from tcptui.codec.composer_syntax import LineEnding
from tcptui.codec.framing import Grouping, GroupingKind
from tcptui.launch_config import LaunchConfig
from tcptui.net.session import ConnectOptions, SessionState
from tcptui.ui.app import TcpTuiApp
from tcptui.ui.event_rows import paint_event
from tcptui.ui.grouping_choice import GroupingChoice
from tcptui.ui.prompt_screen import PromptScreen
from tcptui.ui.receive_log import ReceiveLog
from tcptui.user_files.settings import Settings
from tests.helpers import EchoServer, SilentServer, StartTlsServer, make_pki, server_context
from tests.helpers.app_parts import current_capture, current_composer, current_log, current_view
from tests.ui.helpers import all_rows, make_app, wait_for

RECEIVED, SENT = Direction.RECEIVED, Direction.SENT
SIZE = (150, 44)
TRICKLED = [(RECEIVED, bytes([byte])) for byte in b"one\r\ntwo\r\nthree\r\n"]


def headers(rows: Iterable[str]) -> list[str]:
    return [row for row in rows if row.startswith(("◀", "▶"))]


def texts(rows: Iterable[str]) -> list[str]:
    return [row[2:] for row in rows if row.startswith("│ ")]


async def fed(pilot: Pilot[int], app: TcpTuiApp, *chunks: tuple[Direction, bytes]) -> ReceiveLog:
    """`chunks` appended to the tab's capture, as its I/O thread would, and taken in."""
    capture = current_capture(app)
    for direction, data in chunks:
        capture.append(direction, data)
    log = current_log(app)
    log.refresh_data()
    await wait_for(
        pilot,
        lambda: (
            log.units.total_bytes == capture.total_bytes
            and not log.text_view.layout_rows.pending
            and log.text_view.layout_rows.total_rows > 0
        ),
        "the bytes in the log",
    )
    return log


async def test_the_default_stream_grouping_reads_three_trickled_lines_whole() -> None:
    app = TcpTuiApp(parse_args([]))
    async with app.run_test(size=SIZE) as pilot:
        log = await fed(pilot, app, *TRICKLED)
        assert log.units.grouping.kind is GroupingKind.STREAM
        rows = all_rows(log.text_view)
        assert len(headers(rows)) == 1
        assert "17 B · 17 reads" in headers(rows)[0]
        assert texts(rows) == ["one\\r\\n", "two\\r\\n", "three\\r\\n"]


async def test_chunk_grouping_gives_every_read_its_header() -> None:
    app = make_app(group="chunk")
    async with app.run_test(size=SIZE) as pilot:
        log = await fed(pilot, app, *TRICKLED)
        rows = all_rows(log.text_view)
        assert len(headers(rows)) == 17
        assert "reads" not in " ".join(rows)  # a read is a read: no count to show


async def test_stream_cuts_where_the_direction_changes() -> None:
    app = make_app(group="stream")
    async with app.run_test(size=SIZE) as pilot:
        log = await fed(
            pilot, app, (SENT, b"GET / "), (SENT, b"HTTP/1.0\r\n\r\n"), (RECEIVED, b"HTTP/1.0 200")
        )
        found = headers(all_rows(log.text_view))
        assert [row.split("  ")[0] for row in found] == ["▶ sent", "◀ received"]
        assert "18 B · 2 sends" in found[0] and "12 B · 1 read" in found[1]


async def test_line_grouping_makes_a_block_of_each_line_whatever_the_reads() -> None:
    app = make_app(group="line")
    async with app.run_test(size=SIZE) as pilot:
        log = await fed(pilot, app, *TRICKLED, (RECEIVED, b"four\nfi"), (RECEIVED, b"ve"))
        rows = all_rows(log.text_view)
        found = headers(rows)
        assert texts(rows) == ["one\\r\\n", "two\\r\\n", "three\\r\\n", "four\\n", "five"]
        assert "5 B · 5 reads" in found[0] and "7 B · 7 reads" in found[2]
        assert "4 B · 2 reads" in found[4] and found[4].endswith("incomplete")
        assert "incomplete" not in " ".join(found[:4])


async def test_delimiter_grouping_splits_after_each_delimiter() -> None:
    app = make_app(group="delimiter:00")
    async with app.run_test(size=SIZE) as pilot:
        log = await fed(pilot, app, (RECEIVED, b"a\x00bb"), (RECEIVED, b"b\x00cc\x00"))
        rows = all_rows(log.text_view)
        assert texts(rows) == ["a␀", "bbb␀", "cc␀"]
        assert "4 B · 2 reads" in headers(rows)[1]


async def test_a_length_prefixed_frame_is_incomplete_until_the_rest_arrives() -> None:
    app = make_app(group="length:u16be")
    async with app.run_test(size=SIZE) as pilot:
        log = await fed(pilot, app, (RECEIVED, b"\x00\x03abc\x00\x05hel"))
        found = headers(all_rows(log.text_view))
        assert len(found) == 2
        assert "5 B · 1 read" in found[0] and "incomplete" not in found[0]
        assert "5 B · 1 read" in found[1] and found[1].endswith("incomplete: 2 B to come")
        log = await fed(pilot, app, (RECEIVED, b"lo"))
        rows = all_rows(log.text_view)
        found = headers(rows)
        assert len(found) == 2  # the last block grew: measured and painted again
        assert "7 B · 2 reads" in found[1] and "incomplete" not in found[1]
        assert texts(rows)[1] == "␀␅hello"
        hex_rows = all_rows(log.hex_view)
        assert "00 05 68 65 6c 6c 6f" in hex_rows[-1]


async def test_fixed_grouping_cuts_records_of_n_bytes() -> None:
    app = make_app(group="fixed:4")
    async with app.run_test(size=SIZE) as pilot:
        log = await fed(pilot, app, (RECEIVED, b"abcdef"), (RECEIVED, b"ghij"))
        rows = all_rows(log.text_view)
        assert texts(rows) == ["abcd", "efgh", "ij"]
        assert headers(rows)[-1].endswith("incomplete: 2 B to come")


async def test_a_growing_stream_block_is_measured_again_and_keeps_following() -> None:
    app = make_app(group="stream")
    async with app.run_test(size=SIZE) as pilot:
        await fed(pilot, app, (RECEIVED, b"line 0\n"))
        for number in range(1, 60):
            log = await fed(pilot, app, (RECEIVED, f"line {number}\n".encode()))
        view = log.text_view
        rows = all_rows(view)
        assert len(headers(rows)) == 1 and "60 reads" in headers(rows)[0]
        assert texts(rows) == [f"line {number}\\n" for number in range(60)]
        await pilot.pause()
        assert view.following and view.scroll_y == view.max_scroll_y


async def test_m_changes_the_grouping_and_the_cursor_stays_on_its_byte() -> None:
    app = make_app(group="stream")
    async with app.run_test(size=SIZE) as pilot:
        chunks = [(RECEIVED if n % 3 else SENT, b"message %03d\n" % n) for n in range(300)]
        log = await fed(pilot, app, *chunks)
        view = log.hex_view
        view.focus()
        target = current_capture(app).chunk(150).offset + 4
        view.set_cursor(target)
        await pilot.press("m")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"chunk", "enter")
        choice = log.grouping_choice
        await wait_for(pilot, lambda: choice.building is None, "the new grouping")
        await wait_for(pilot, lambda: view.layout_rows.units is choice.units, "its rows")
        assert choice.units.grouping.kind is GroupingKind.CHUNK
        assert len(headers(all_rows(view))) == 300
        assert log.marks.cursor.offset == target
        row = view.cursor_row()
        assert row is not None and view.scroll_y <= row < view.scroll_y + view.size.height
        status = str(log.query_one("#log-status", Static).render())
        assert "chunk 151 of 300 byte 4" in status


async def test_a_bad_grouping_is_refused_in_one_sentence_and_changes_nothing() -> None:
    app = make_app(group="stream")
    async with app.run_test(size=SIZE) as pilot:
        log = await fed(pilot, app, *TRICKLED)
        log.text_view.focus()
        await pilot.press("m", *"length:u16", "enter")
        assert isinstance(app.screen, PromptScreen)
        error = str(app.screen.query_one("#prompt-error", Static).render())
        assert error == "length:u16 needs a byte order: u16be or u16le."
        await pilot.press("escape")
        assert log.units.grouping.kind is GroupingKind.STREAM


async def test_a_big_capture_is_grouped_anew_in_slices_with_the_old_blocks_on_screen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tcptui.ui.grouping_choice.INDEX_SLICE", 0.0)
    monkeypatch.setattr("tcptui.ui.grouping_choice.INDEX_STEP_BYTES", 1)
    app = make_app(group="chunk")
    async with app.run_test(size=SIZE) as pilot:
        log = await fed(pilot, app, *[(RECEIVED, b"%04d\n" % n) for n in range(200)])
        old = log.units
        choice: GroupingChoice = log.grouping_choice
        choice.choose(Grouping(GroupingKind.LINE))
        assert choice.building is not None and log.units is old  # one chunk a slice
        assert "grouping the capture anew" in str(log.query_one("#log-status", Static).render())
        await pilot.press("down")  # keys act while it works
        await wait_for(pilot, lambda: choice.building is None, "the new grouping")
        assert log.units.grouping.kind is GroupingKind.LINE
        await wait_for(pilot, lambda: log.text_view.layout_rows.units is log.units, "new rows")
        assert len(headers(all_rows(log.text_view))) == 200


async def test_events_are_rows_in_time_order_and_cut_a_stream_block() -> None:
    app = make_app(group="stream")
    async with app.run_test(size=SIZE) as pilot:
        capture = current_capture(app)
        capture.add_event(EventKind.CONNECTED, "127.0.0.1:40312 → 127.0.0.1:8080 in 0.4 ms")
        capture.append(SENT, b"STARTTLS\r\n")
        capture.append(RECEIVED, b"220 go ahead\r\n")
        capture.add_event(EventKind.TLS_STARTED, "TLSv1.3 TLS_AES_256_GCM_SHA384")
        capture.append(RECEIVED, b"250 secret\r\n")
        capture.add_event(EventKind.EOF_RECEIVED)
        capture.add_event(EventKind.CLOSED, "[@click=app.quit] \x1b[2J\x07bye[/]")
        log = await fed(pilot, app)
        rows = all_rows(log.text_view)
        assert rows[0].startswith("── connected 127.0.0.1:40312 → 127.0.0.1:8080 in 0.4 ms ──")
        tls = next(n for n, row in enumerate(rows) if "TLS started" in row)
        assert rows[tls].startswith("── TLS started TLSv1.3 TLS_AES_256_GCM_SHA384 ──")
        assert texts(rows[:tls])[-1] == "220 go ahead\\r\\n"  # the plaintext block ends here
        assert texts(rows[tls:])[0] == "250 secret\\r\\n"  # another block after the event
        assert rows[-2].startswith("── EOF received ──")
        assert rows[-1].startswith("── closed ([@click=app.quit] ␛[2J␇bye[/]) ──")
        assert not any("\x1b" in row or "\x07" in row for row in rows)
        view = log.text_view
        view.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        last = view.layout_rows.total_rows - 1
        await pilot.click(view, offset=(10, 1 + min(last, view.size.height - 1)))
        assert app.is_running  # the text of the detail is never markup, never an action


async def test_an_event_waits_for_the_index_and_takes_its_place_before_later_bytes() -> None:
    app = make_app(group="stream")
    async with app.run_test(size=SIZE) as pilot:
        capture = current_capture(app)
        log = await fed(pilot, app, (RECEIVED, b"before\n"))
        capture.add_event(EventKind.RECONNECTED, "attempt 2")
        log = await fed(pilot, app, (RECEIVED, b"after\n"))
        rows = all_rows(log.text_view)
        assert [row.split("  ")[0] for row in rows] == [
            "◀ received",
            "│ before\\n",
            "── reconnected attempt 2 ──",
            "◀ received",
            "│ after\\n",
        ]


async def test_brackets_step_by_message_and_a_selects_one() -> None:
    app = make_app(group="line")
    async with app.run_test(size=SIZE) as pilot:
        log = await fed(pilot, app, *TRICKLED)
        log.text_view.focus()
        await pilot.press("home", "right_square_bracket")
        assert log.marks.cursor.offset == 5
        status = str(log.query_one("#log-status", Static).render())
        assert status.startswith("message 2 of 3 byte 0")
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert log.marks.cursor.offset == 10  # the last message: no further
        await pilot.press("left_square_bracket", "a")
        assert log.marks.cursor.selection() == (5, 10)


async def test_copy_and_edit_take_the_message_under_the_cursor() -> None:
    app = make_app(group="line")
    async with app.run_test(size=SIZE) as pilot:
        log = await fed(pilot, app, *TRICKLED)
        log.text_view.focus()
        await pilot.press("home", "right_square_bracket", "right", "c")
        assert app.clipboard == "two\r\n"
        log.text_view.focus()
        await pilot.press("e")
        assert current_composer(app).input.value == "two\\r\\n"


async def test_a_search_hit_names_its_message() -> None:
    app = make_app(group="line")
    async with app.run_test(size=SIZE) as pilot:
        log = await fed(pilot, app, *TRICKLED)
        log.text_view.focus()
        await pilot.press("slash", *"three", "enter")
        await wait_for(
            pilot,
            lambda: log.marks.matches is not None and log.marks.matches.complete,
            "the search",
        )
        await wait_for(pilot, lambda: log.marks.cursor.offset == 10, "the cursor on the hit")
        status = str(log.query_one("#log-status", Static).render())
        assert status.startswith("message 3 of 3 byte 0")


async def test_b_marks_where_each_read_began_inside_a_block() -> None:
    app = make_app(group="stream")
    async with app.run_test(size=SIZE) as pilot:
        log = await fed(pilot, app, (RECEIVED, b"abc"), (RECEIVED, b"de"), (RECEIVED, b"f"))
        view = log.hex_view
        view.focus()
        await pilot.press("home")  # the cursor on the first byte, which starts no read
        row = view.layout_rows.first_row(0) + 1
        ref = view.layout_rows.locate(row)
        assert ref is not None

        def underlined() -> list[str]:
            strip = view.strip_for(ref, view._marks_for(ref))
            return [segment.text for segment in strip if segment.style and segment.style.underline]

        assert underlined() == []
        await pilot.press("b")
        assert log.marks.show_reads
        assert underlined() == ["64", "66", "d", "f"]  # d, f start reads; a is the block's
        await pilot.press("b")
        assert underlined() == []


async def test_r_resends_the_sent_message_under_the_cursor_byte_for_byte() -> None:
    with EchoServer() as server:
        app = make_app(server.target, group="line")
        async with app.run_test(size=SIZE) as pilot:
            view = current_view(app)
            await wait_for(
                pilot,
                lambda: view.session is not None and view.session.state is SessionState.OPEN,
                "the connection",
            )
            assert view.session is not None
            view.session.send(b"first\nsecond\n")  # one send, two messages
            assert server.wait_received(13)
            log = current_log(app)
            await wait_for(
                pilot,
                lambda: (
                    log.refresh_data() is False
                    and log.units.total_bytes == 26
                    and not log.text_view.layout_rows.pending
                ),
                "the echo in the log",
            )
            sent = next(
                log.units.unit(number)
                for number in range(len(log.units))
                if log.units.unit(number).direction is SENT
                and log.units.unit(number).event is None
                and log.units.unit(number).message == 1
            )
            log.text_view.focus()
            log.text_view.set_cursor(sent.offset + 2)
            await pilot.press("r")
            assert server.wait_received(13 + 7)
            assert server.received == b"first\nsecond\nsecond\n"


async def test_focusing_the_log_at_the_tail_of_a_long_block_keeps_the_tail_in_view() -> None:
    app = make_app(group="stream")
    async with app.run_test(size=SIZE) as pilot:
        log = await fed(pilot, app, *[(RECEIVED, b"row %03d\n" % n) for n in range(200)])
        view = log.text_view
        await wait_for(pilot, lambda: view.scroll_y == view.max_scroll_y > 0, "the tail")
        view.focus()
        await pilot.pause()
        assert view.following
        assert log.marks.cursor.offset == current_capture(app).chunk(199).offset


def test_an_event_row_in_ascii_mode_is_ascii_and_its_detail_is_shown_as_text() -> None:
    event = ConnectionEvent(
        0, EventKind.CONNECTED, "127.0.0.1:1 → 127.0.0.1:2 in 0.4 ms \x1b]0;x\x07", 0, 0, 0
    )
    row = paint_event(event, "22:13:20.000", ascii_glyphs=True).text
    assert row == "-- connected 127.0.0.1:1 -> 127.0.0.1:2 in 0.4 ms \\e]0;x\\x07 --  22:13:20.000"


async def test_a_real_connection_s_events_are_rows_of_its_log() -> None:
    with EchoServer() as server:
        app = make_app(server.target, group="stream")
        async with app.run_test(size=SIZE) as pilot:
            view = current_view(app)
            await wait_for(
                pilot,
                lambda: view.session is not None and view.session.state is SessionState.OPEN,
                "the connection",
            )
            assert view.session is not None
            view.session.send(b"hello\n")
            assert server.wait_received(6)
            await pilot.press("ctrl+d")  # EOF: the echo server then closes
            log = current_log(app)

            def rows() -> list[str]:
                log.refresh_data()
                return all_rows(log.text_view)

            await wait_for(pilot, lambda: any("── closed" in row for row in rows()), "the end")
            found = rows()
            labels = [row.split(" ")[1] for row in found if row.startswith("──")]
            assert labels[0] == "connected" and "EOF" in labels and labels[-1] == "closed"
            eof_sent = next(n for n, row in enumerate(found) if row.startswith("── EOF sent"))
            assert found.index("│ hello\\n") < eof_sent  # in time order with the bytes


async def test_an_event_with_no_bytes_after_it_is_shown_at_once() -> None:
    with SilentServer() as server:
        app = make_app(server.target, group="stream")
        async with app.run_test(size=SIZE) as pilot:
            view = current_view(app)
            await wait_for(
                pilot,
                lambda: view.session is not None and view.session.state is SessionState.OPEN,
                "the connection",
            )
            log = current_log(app)
            await pilot.press("ctrl+d")  # EOF sent; the server says nothing and stays open
            await wait_for(
                pilot, lambda: any("── EOF sent" in row for row in all_rows(log.text_view)), "EOF"
            )
            assert view.session is not None and view.session.state is not SessionState.CLOSED


async def test_after_starttls_the_plaintext_and_the_encrypted_part_are_apart(
    tmp_path: Path,
) -> None:
    pki = make_pki(tmp_path)
    with StartTlsServer(server_context(pki.server)) as server:
        options = ConnectOptions(timeout=5.0, tls=pki.options())
        settings = Settings(group="stream")
        config = LaunchConfig(server.target, options, LineEnding.CRLF, False, settings=settings)
        app = TcpTuiApp(config)
        async with app.run_test(size=SIZE) as pilot:
            view = current_view(app)
            await wait_for(
                pilot,
                lambda: view.session is not None and view.session.state is SessionState.OPEN,
                "the connection",
            )
            await pilot.press(*"STARTTLS", "enter")
            capture = current_capture(app)
            await wait_for(pilot, lambda: capture.total_bytes >= 10 + 14, "220 go ahead")
            await pilot.press("ctrl+g")
            await wait_for(pilot, lambda: view.session is not None and view.session.uses_tls, "TLS")
            await pilot.press(*"secret", "enter")
            log = current_log(app)
            await wait_for(
                pilot,
                lambda: any("tls:secret" in row for row in all_rows(log.text_view)),
                "the encrypted echo in the log",
            )
            rows = all_rows(log.text_view)
            tls = next(n for n, row in enumerate(rows) if row.startswith("── TLS started TLSv"))
            assert texts(rows[:tls])[-1] == "220 go ahead\\r\\n"
            assert texts(rows[tls:]) == ["secret\\r\\n", "tls:secret\\r\\n"]
