"""Nothing lost, nothing altered: floods, the composer, saving, exporting and copying.

Bytes go through the real app and back out of it; every path ends in an exact comparison
(sha256 for floods) against what the other side really sent or received.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import Static

from tcptui.capture.export import ExportFormat, export_capture
from tcptui.capture.session_file import SessionMeta, open_session, save_session
from tcptui.capture.store import Capture, Direction
from tcptui.codec.composer_syntax import Syntax, escape_for_composer
from tcptui.codec.formats import (
    CopyFormat,
    format_bytes,
    parse_base64,
    parse_c_array,
    parse_escaped,
    parse_hex,
    parse_hexdump,
    parse_python_literal,
)
from tcptui.net.session import SessionState
from tcptui.ui.app import TcpTuiApp
from tests.helpers import MIB, EchoServer, StreamServer, stream_bytes, stream_sha256
from tests.helpers.app_parts import current_capture, current_composer, current_view
from tests.reliability.hostile_corpus import HOSTILE_PAYLOAD
from tests.ui.helpers import make_app, wait_for

SIZE = (150, 44)
PARSERS = {
    CopyFormat.HEX: parse_hex,
    CopyFormat.HEXDUMP: parse_hexdump,
    CopyFormat.ESCAPED: parse_escaped,
    CopyFormat.PYTHON: parse_python_literal,
    CopyFormat.C_ARRAY: parse_c_array,
    CopyFormat.BASE64: parse_base64,
}
chunk_lists = st.lists(
    st.tuples(st.sampled_from(Direction), st.binary(min_size=1, max_size=600)), max_size=12
)


# -- floods through the app ------------------------------------------------------------------


async def flood_through_the_app(nbytes: int, timeout: float) -> None:
    with StreamServer(nbytes, seed=nbytes) as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(
                pilot,
                lambda: (
                    current_view(app).session is not None
                    and current_view(app).session.state is SessionState.CLOSED
                ),
                f"{nbytes:,} bytes and the close",
                timeout,
            )
            assert server.finished.is_set()
            assert current_capture(app).stream_bytes(Direction.RECEIVED) == nbytes
            assert stream_sha256(current_capture(app), Direction.RECEIVED) == server.sha256
            assert "The peer closed the connection" in str(
                app.query_one("#closed-reason", Static).render()
            )


async def test_a_16_mib_flood_through_the_app_is_captured_exactly() -> None:
    await flood_through_the_app(16 * MIB, timeout=60)


@pytest.mark.slow
async def test_a_256_mib_flood_through_the_app_is_captured_exactly() -> None:
    await flood_through_the_app(256 * MIB, timeout=150)


# -- the composer ----------------------------------------------------------------------------

COMPOSED = [
    (Syntax.TEXT, "plain words"),
    (Syntax.TEXT, "\\x00\\xff\\e[31m\\r\\n\\t\\\\"),
    (Syntax.TEXT, "héllo \\u{1F600} 日本"),
    (Syntax.HEX, "de ad be ef 00 0a"),
    (Syntax.HEX, "0xde,0xad deadbeef de:ad"),
    (Syntax.MIXED, "GET /{0d 0a}\\{x\\}"),
    (Syntax.TEXT, escape_for_composer(bytes(range(256)), "utf-8")),
    (Syntax.TEXT, escape_for_composer(HOSTILE_PAYLOAD[:2000], "utf-8")),
]


def preview_of(app: TcpTuiApp) -> tuple[int, str]:
    """(byte count, hex of the first bytes) as the composer's preview line shows them."""
    text = str(app.query_one("#preview", Static).render())
    count, _, head = text.partition(" on Enter: ")
    return int(count.split()[0].replace(",", "")), head.removesuffix(" …")


async def test_the_server_receives_exactly_what_the_composer_preview_announced() -> None:
    with EchoServer() as server:
        app = make_app(server.target)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(
                pilot,
                lambda: (
                    current_view(app).session is not None
                    and current_view(app).session.state is SessionState.OPEN
                ),
                "open",
            )
            expected_total = 0
            for syntax, text in COMPOSED:
                current_composer(app).syntax = syntax
                current_composer(app).input.value = text
                await pilot.pause()
                count, head = preview_of(app)
                before = len(server.received)
                await pilot.press("enter")
                assert server.wait_received(before + count)
                got = server.received[before:]
                assert len(got) == count, (syntax, text)
                shown = bytes.fromhex(head)  # as many as the preview's width holds
                assert shown and got.startswith(shown), (syntax, text)
                assert current_composer(app).input.value == ""
                expected_total += count
            assert current_capture(app).stream_bytes(Direction.SENT) == expected_total
            assert stream_bytes(current_capture(app), Direction.SENT) == server.received
            assert server.received.startswith(b"plain words\n")
            assert bytes(range(256)) + b"\n" in server.received


# -- saving, exporting and copying -------------------------------------------------------------


def capture_from(chunks: list[tuple[Direction, bytes]], spool_threshold: int) -> Capture:
    capture = Capture(spool_threshold=spool_threshold)
    for direction, data in chunks:
        capture.append(direction, data)
    return capture


@settings(max_examples=60)
@given(chunk_lists, st.sampled_from([0, 64, 1 << 20]))
def test_a_saved_session_opens_with_every_chunk_byte_and_timestamp(
    chunks: list[tuple[Direction, bytes]], spool_threshold: int
) -> None:
    original = capture_from(chunks, spool_threshold)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.tcptui"
        save_session(original, path, SessionMeta(target="host:1", end_reason="\x1b]0;x\x07"))
        reopened, meta = open_session(path)
    try:
        assert meta.end_reason == "\x1b]0;x\x07"
        assert len(reopened) == len(original)
        for before, after in zip(original.chunks(), reopened.chunks(), strict=True):
            assert (before.direction, before.length) == (after.direction, after.length)
            assert (before.mono_ns, before.wall_ns) == (after.mono_ns, after.wall_ns)
            assert original.read_chunk(before.index) == reopened.read_chunk(after.index)
    finally:
        original.close()
        reopened.close()


@settings(max_examples=60)
@given(chunk_lists)
def test_raw_exports_are_each_direction_byte_for_byte(
    chunks: list[tuple[Direction, bytes]],
) -> None:
    capture = capture_from(chunks, spool_threshold=256)
    with tempfile.TemporaryDirectory() as folder:
        for fmt, direction in (
            (ExportFormat.RAW_RECEIVED, Direction.RECEIVED),
            (ExportFormat.RAW_SENT, Direction.SENT),
        ):
            path = Path(folder) / fmt.name
            expected = b"".join(data for way, data in chunks if way is direction)
            if not expected:
                continue
            export_capture(capture, path, fmt)
            assert path.read_bytes() == expected
    capture.close()


def test_a_big_spooled_session_saves_and_reopens_with_the_same_digest(tmp_path: Path) -> None:
    capture = Capture(spool_dir=str(tmp_path))
    digest = hashlib.sha256()
    for number in range(48):
        data = bytes([number]) * 7 + HOSTILE_PAYLOAD + bytes(range(256)) * 1000
        capture.append(Direction(number % 2), data)
        digest.update(data)
    path = tmp_path / "big.tcptui"
    save_session(capture, path, SessionMeta())
    reopened, _ = open_session(path, spool_dir=str(tmp_path))
    try:
        assert reopened.total_bytes == capture.total_bytes
        assert hashlib.sha256(b"".join(reopened.iter_bytes())).hexdigest() == digest.hexdigest()
    finally:
        capture.close()
        reopened.close()


@settings(max_examples=300)
@given(
    st.one_of(
        st.binary(max_size=400),
        st.sampled_from([HOSTILE_PAYLOAD, bytes(range(256)), b"\x00" * 64, b"\\x41\\"]),
    ),
    st.sampled_from(sorted(PARSERS)),
)
def test_every_copy_format_reads_back_to_the_same_bytes(data: bytes, fmt: CopyFormat) -> None:
    text = format_bytes(data, fmt)
    assert PARSERS[fmt](text) == data
