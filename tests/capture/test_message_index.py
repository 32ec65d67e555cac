"""Blocks of a capture under each grouping: messages, not reads, and both directions apart."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcptui.capture import message_index
from tcptui.capture.events import EventKind
from tcptui.capture.message_index import Block, MessageIndex
from tcptui.capture.store import Capture, Direction
from tcptui.codec.framing import parse_grouping

RECEIVED, SENT = Direction.RECEIVED, Direction.SENT


def capture_of(*chunks: tuple[Direction, bytes]) -> Capture:
    capture = Capture()
    for direction, data in chunks:
        capture.append(direction, data)
    return capture


def blocks(capture: Capture, grouping: str) -> list[tuple[str, bytes, int, bool]]:
    """Each block as (direction, bytes, reads, complete)."""
    index = MessageIndex(capture, parse_grouping(grouping))
    index.update()
    found = []
    for number in range(len(index)):
        block = index.block(number)
        data = capture.read(block.start, block.end - block.start)
        found.append((block.direction.name[0], data, block.reads, block.complete))
    return found


TRICKLED = [(RECEIVED, bytes([byte])) for byte in b"one\r\ntwo\r\nthree\r\n"]


def test_lines_trickled_a_byte_at_a_time_read_as_three_whole_lines() -> None:
    assert blocks(capture_of(*TRICKLED), "line") == [
        ("R", b"one\r\n", 5, True),
        ("R", b"two\r\n", 5, True),
        ("R", b"three\r\n", 7, True),
    ]


def test_chunk_grouping_shows_every_read_and_stream_joins_a_direction() -> None:
    capture = capture_of(
        (SENT, b"GET / "), (SENT, b"HTTP/1.0\r\n\r\n"), (RECEIVED, b"HTTP/1.0 200")
    )
    assert [data for _, data, _, _ in blocks(capture, "chunk")] == [
        b"GET / ",
        b"HTTP/1.0\r\n\r\n",
        b"HTTP/1.0 200",
    ]
    assert blocks(capture, "stream") == [
        ("S", b"GET / HTTP/1.0\r\n\r\n", 2, True),
        ("R", b"HTTP/1.0 200", 1, True),
    ]


def test_each_direction_is_framed_on_its_own_stream() -> None:
    capture = capture_of((SENT, b"GE"), (RECEIVED, b"hi\n"), (SENT, b"T /\nnext"))
    assert blocks(capture, "line") == [
        ("S", b"GE", 1, False),  # its line goes on after the reply: two blocks, one message
        ("R", b"hi\n", 1, True),
        ("S", b"T /\n", 1, True),
        ("S", b"next", 1, False),
    ]


def test_a_lone_cr_ended_by_the_next_read_marks_its_own_block_complete() -> None:
    capture = capture_of((SENT, b"a\r"), (RECEIVED, b"x"), (SENT, b"b"))
    assert blocks(capture, "line") == [
        ("S", b"a\r", 1, True),
        ("R", b"x", 1, False),
        ("S", b"b", 1, False),
    ]


def test_length_frames_spanning_reads_and_an_incomplete_one() -> None:
    capture = capture_of((RECEIVED, b"\x00\x03a"), (RECEIVED, b"bc\x00\x05he"), (RECEIVED, b"l"))
    assert blocks(capture, "length:u16be") == [
        ("R", b"\x00\x03abc", 2, True),
        ("R", b"\x00\x05hel", 2, False),
    ]


def test_updates_in_slices_give_the_blocks_of_one_update() -> None:
    capture = capture_of(*TRICKLED, (SENT, b"QUIT\r\n"))
    sliced = MessageIndex(capture, parse_grouping("line"))
    passes = 0
    while sliced.update(budget=3):
        passes += 1
    assert passes > 3
    whole = MessageIndex(capture, parse_grouping("line"))
    whole.update()
    assert [sliced.block(i) for i in range(len(sliced))] == [
        whole.block(i) for i in range(len(whole))
    ]
    assert sliced.block_index_at(capture.total_bytes - 1) == len(sliced) - 1


def test_new_chunks_extend_the_index_as_they_arrive() -> None:
    capture = capture_of((RECEIVED, b"par"))
    index = MessageIndex(capture, parse_grouping("line"))
    index.update()
    assert (len(index), index.block(0).complete) == (1, False)
    capture.append(RECEIVED, b"tial\nrest")
    assert not index.up_to_date
    index.update()
    assert [(index.block(i).start, index.block(i).end) for i in range(len(index))] == [
        (0, 8),
        (8, 12),
    ]


@settings(max_examples=150, deadline=None)
@given(
    data=st.binary(max_size=200).map(lambda raw: bytes(b"a\r\n\0"[b % 4] for b in raw)),
    cuts=st.lists(st.integers(1, 199), max_size=30),
    grouping=st.sampled_from(["line", "delimiter:0d0a", "length:u8", "fixed:5"]),
)
def test_any_split_into_reads_gives_the_same_messages(
    data: bytes, cuts: list[int], grouping: str
) -> None:
    bounds = [0, *sorted({cut for cut in cuts if cut < len(data)}), len(data)]
    pieces = [data[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
    split = capture_of(*((RECEIVED, piece) for piece in pieces))
    whole = capture_of((RECEIVED, data)) if data else Capture()
    assert [(d, b, c) for d, b, _, c in blocks(split, grouping)] == [
        (d, b, c) for d, b, _, c in blocks(whole, grouping)
    ]


two_way_chunks = st.lists(
    st.tuples(
        st.sampled_from([RECEIVED, SENT]),
        st.binary(min_size=1, max_size=10).map(lambda raw: bytes(b"a\r\n\0"[b % 4] for b in raw)),
    ),
    max_size=20,
)


@settings(max_examples=150, deadline=None)
@given(
    chunks=two_way_chunks,
    grouping=st.sampled_from(["stream", "line", "delimiter:0d0a", "length:u8", "fixed:3"]),
    budget=st.integers(1, 12),
)
def test_both_directions_give_the_same_blocks_whatever_the_reads_and_slices(
    chunks: list[tuple[Direction, bytes]], grouping: str, budget: int
) -> None:
    by_byte = capture_of(*((d, bytes([b])) for d, data in chunks for b in data))
    sliced = MessageIndex(by_byte, parse_grouping(grouping))
    while sliced.update(budget):
        pass
    found = []
    for number in range(len(sliced)):
        block = sliced.block(number)
        data = by_byte.read(block.start, block.end - block.start)
        found.append((block.direction.name[0], data, block.complete))
    assert found == [(d, b, c) for d, b, _, c in blocks(capture_of(*chunks), grouping)]


def reference_blocks(
    capture: Capture, grouping: str, max_block: int
) -> list[tuple[int, int, bool, bool]]:
    """(start, end, complete, continues) of each block, cut a read at a time by the rules as
    the module's docstring states them: the oracle the stretch-at-a-time index must match."""
    spec = parse_grouping(grouping)
    framers = {d: spec.new_framer() for d in Direction} if spec.frames_bytes else {}
    cuts: list[int] = []
    ends: list[bool] = []
    continues: list[bool] = []

    def cut(offset: int, ends_message: bool, goes_on: bool = False) -> None:
        if not cuts or cuts[-1] < offset:
            cuts.append(offset)
            ends.append(ends_message)
            continues.append(goes_on)
        elif ends_message:
            at = cuts.index(offset)
            ends[at], continues[at] = True, False

    stream_ends = dict.fromkeys(Direction, 0)
    last: Direction | None = None
    seen = 0
    for chunk in capture.chunks():
        before = capture.events.count_before(chunk.index)
        if before > seen:
            kinds = {event.kind for event in capture.events.events(seen, before)}
            if kinds & {EventKind.CONNECTED, EventKind.ACCEPTED, EventKind.RECONNECTED}:
                for direction, old in list(framers.items()):
                    framers[direction] = spec.new_framer()
                    framers[direction].position = framers[direction].message_start = old.position
            seen = before
            cut(chunk.offset, not framers)
        elif chunk.direction is not last or spec.kind.value == "chunk" or capture.note(chunk.index):
            cut(chunk.offset, not framers)
        elif cuts and chunk.offset - cuts[-1] >= max_block:
            cut(chunk.offset, not framers, True)
        last = chunk.direction
        framer = framers.get(chunk.direction)
        if framer is not None:
            previous = stream_ends[chunk.direction]
            for end in framer.feed(capture.read_chunk(chunk.index)):
                into = end - chunk.stream_offset
                cut(chunk.offset + into if into else previous, True)
        stream_ends[chunk.direction] = chunk.end
    bounds = [*cuts[1:], capture.total_bytes][: len(cuts)]
    found = []
    for at, (start, end) in enumerate(zip(cuts, bounds, strict=True)):
        if start < end:
            complete = not framers or (at + 1 < len(cuts) and ends[at + 1])
            found.append((start, end, complete, continues[at]))
    return found


Step = tuple[Direction, bytes] | EventKind | str


def indexed_as_reference_cuts(
    steps: list[Step], grouping: str, max_block: int, budget: int | None
) -> tuple[Capture, MessageIndex, list[Block]]:
    """The capture `steps` make (reads, events, notes), indexed in slices of `budget`; its
    blocks are checked against the rules applied one read at a time."""
    capture = Capture()
    for step in steps:
        if isinstance(step, tuple):
            capture.append(*step)
        elif isinstance(step, EventKind):
            capture.add_event(step, "")
        else:
            capture.add_note("connection 2")
    index = MessageIndex(capture, parse_grouping(grouping), max_block)
    while index.update(budget):
        pass
    found = [index.block(number) for number in range(len(index))]
    assert [(b.start, b.end, b.complete, b.continues) for b in found] == reference_blocks(
        capture, grouping, max_block
    )
    return capture, index, found


happenings = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from([RECEIVED, SENT]),
            st.binary(min_size=1, max_size=9).map(
                lambda raw: bytes(b"a\r\n\3"[b % 4] for b in raw)
            ),
        ),
        st.sampled_from(list(EventKind)),
        st.just("note"),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(
    steps=happenings,
    grouping=st.sampled_from(["chunk", "stream", "line", "delimiter:0d0a", "length:u8", "fixed:3"]),
    max_block=st.integers(1, 12),
    budget=st.integers(1, 20),
)
def test_stretches_cut_as_reads_one_at_a_time_would_with_events_notes_and_big_blocks(
    steps: list[Step],
    grouping: str,
    max_block: int,
    budget: int,
) -> None:
    capture, index, found = indexed_as_reference_cuts(steps, grouping, max_block, budget)
    for number, block in enumerate(found):
        assert index.block_and_first_chunk(number) == (block, capture.chunk(block.first_chunk))
        assert block.first_chunk == capture.chunk_index_at(block.start)
        assert block.reads == capture.chunk_index_at(block.end - 1) - block.first_chunk + 1


exchanges = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from([RECEIVED, SENT]),
            st.binary(min_size=1, max_size=3).map(
                lambda raw: bytes(b"a\r\n\3"[b % 4] for b in raw)
            ),
        ),
        st.sampled_from([EventKind.EOF_SENT, EventKind.RECONNECTED, "note"]),
    ),
    min_size=2,
    max_size=120,
).filter(lambda steps: sum(isinstance(step, tuple) for step in steps) > 1)


@settings(max_examples=400, deadline=None)
@given(
    steps=exchanges,
    grouping=st.sampled_from(["chunk", "stream", "line", "delimiter:0d0a", "length:u8", "fixed:3"]),
    max_block=st.integers(2, 40),
    budget=st.one_of(st.none(), st.integers(1, 200)),
)
def test_many_short_runs_in_turn_are_cut_as_reads_one_at_a_time_would(
    steps: list[Step],
    grouping: str,
    max_block: int,
    budget: int | None,
) -> None:
    """An echo or a chatty exchange: runs of a read or two in each direction in turn are
    indexed a stretch at a time, and must cut as the rules cut one read at a time."""
    capture, index, found = indexed_as_reference_cuts(steps, grouping, max_block, budget)
    assert [b.reads for b in found] == [
        capture.chunk_index_at(b.end - 1) - b.first_chunk + 1 for b in found
    ]


@pytest.mark.parametrize("stretch_runs", [1, 2, 5])
@pytest.mark.parametrize("grouping", ["chunk", "stream", "line", "length:u8"])
def test_an_echo_longer_than_a_stretch_is_cut_as_one_read_at_a_time_would(
    stretch_runs: int, grouping: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(message_index, "STRETCH_RUNS", stretch_runs)
    capture = Capture()
    for at, byte in enumerate(b"typed and echoed back, a byte at a time" * 3):
        capture.append(SENT if at % 2 == 0 else RECEIVED, bytes([byte]) * (1 + at % 2))
        if at % 7 == 0:  # now and then a run of two reads
            capture.append(SENT if at % 2 == 0 else RECEIVED, b"+")
    for budget in (None, 7):
        index = MessageIndex(capture, parse_grouping(grouping), max_block=3)
        while index.update(budget):
            pass
        found = [index.block(number) for number in range(len(index))]
        assert [(b.start, b.end, b.complete, b.continues) for b in found] == reference_blocks(
            capture, grouping, 3
        )


def test_an_event_cuts_a_stream_block_and_a_reconnection_frames_new_streams() -> None:
    capture = capture_of((RECEIVED, b"220 go ahead\r\n"))
    capture.add_event(EventKind.TLS_STARTED, "TLSv1.3")
    capture.append(RECEIVED, b"250 ok\r\n")
    assert [data for _, data, _, _ in blocks(capture, "stream")] == [
        b"220 go ahead\r\n",
        b"250 ok\r\n",
    ]
    half = capture_of((RECEIVED, b"\x00\x09half"))
    half.add_event(EventKind.RECONNECTED, "attempt 2")
    half.append(RECEIVED, b"\x00\x02ok")
    assert blocks(half, "length:u16be") == [
        ("R", b"\x00\x09half", 1, False),  # never finished: its connection ended
        ("R", b"\x00\x02ok", 1, True),  # the new connection's first frame, whole
    ]


def test_a_long_run_goes_on_in_a_block_marked_as_continuing_it() -> None:
    capture = capture_of(*[(RECEIVED, b"x" * 40) for _ in range(5)])
    index = MessageIndex(capture, parse_grouping("stream"), max_block=100)
    index.update()
    found = [index.block(number) for number in range(len(index))]
    assert [(block.end - block.start, block.continues) for block in found] == [
        (120, False),
        (80, True),
    ]


def test_a_read_with_a_note_starts_a_block() -> None:
    capture = capture_of((RECEIVED, b"before "))
    capture.add_note("connection 2")
    capture.append(RECEIVED, b"after")
    assert [data for _, data, _, _ in blocks(capture, "stream")] == [b"before ", b"after"]


def test_an_incomplete_frame_says_how_many_bytes_are_still_to_come() -> None:
    capture = capture_of((RECEIVED, b"\x00\x05he"), (SENT, b"p"))
    index = MessageIndex(capture, parse_grouping("length:u16be"))
    index.update()
    assert index.block(0).missing == 3  # the other direction's block after it changes nothing
    assert index.block(1).missing is None  # half a length prefix: its size is not known yet
    capture.append(SENT, b"ing")
    index.update()
    assert index.block(1).missing == 2 + 0x7069 - 4  # 'pi' is the length
    capture.append(RECEIVED, b"llo")
    index.update()
    assert (index.block(0).missing, index.block(2).complete) == (None, True)  # came after
