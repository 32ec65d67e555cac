"""Squeezed hex rows: every byte still has its row, however the block is scanned."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcptui.codec.hex_squeeze import MIN_RUN_ROWS, RowSpan, SqueezedRows, repeat_flags


def scanned(data: bytes, row_bytes: int, slice_rows: list[int] | None = None) -> SqueezedRows:
    """A model of `data` scanned in slices of the given numbers of rows (else at once)."""
    model = SqueezedRows(row_bytes)
    whole = len(data) // row_bytes
    steps = iter(slice_rows or [])
    while model.scanned_rows < whole:
        first = model.scanned_rows
        rows = max(1, next(steps, whole))
        start = max(0, first - 1) * row_bytes
        model.scan(data[start : (first + rows) * row_bytes], first)
    return model


def naive_rows(data: bytes, row_bytes: int) -> list[RowSpan]:
    """The shown rows by the definition: runs of rows equal to the row before them, of at
    least MIN_RUN_ROWS rows, as one `*` row each."""
    rows = [data[at : at + row_bytes] for at in range(0, len(data), row_bytes)]
    repeats = [
        index > 0 and len(row) == row_bytes and row == rows[index - 1]
        for index, row in enumerate(rows)
    ]
    shown: list[RowSpan] = []
    index = 0
    while index < len(rows):
        end = index
        while end < len(rows) and repeats[end]:
            end += 1
        if end - index >= MIN_RUN_ROWS:
            shown.append(RowSpan(index * row_bytes, end * row_bytes, True))
            index = end
            continue
        shown.append(RowSpan(index * row_bytes, min(len(data), (index + 1) * row_bytes), False))
        index += 1
    return shown


def model_rows(model: SqueezedRows, length: int) -> list[RowSpan]:
    return [model.span(row, length) for row in range(model.count(length))]


blocks = st.lists(
    st.sampled_from([bytes(16), b"A" * 16, bytes(range(16)), b"\xff" * 8, b"x", b"yz"]),
    max_size=40,
).map(b"".join) | st.binary(max_size=200)


@settings(max_examples=300)
@given(blocks, st.sampled_from([4, 8, 16]), st.lists(st.integers(1, 7), max_size=20))
def test_squeezed_rows_match_the_definition_however_the_block_is_scanned(
    data: bytes, row_bytes: int, slices: list[int]
) -> None:
    model = scanned(data, row_bytes, slices)
    assert model_rows(model, len(data)) == naive_rows(data, row_bytes)


@settings(max_examples=300)
@given(blocks, st.sampled_from([4, 8, 16]), st.lists(st.integers(1, 7), max_size=20))
def test_every_byte_maps_to_the_one_shown_row_that_stands_for_it(
    data: bytes, row_bytes: int, slices: list[int]
) -> None:
    model = scanned(data, row_bytes, slices)
    spans = model_rows(model, len(data))
    covered = [offset for start, end, _ in spans for offset in range(start, end)]
    assert covered == list(range(len(data)))  # each byte once, in order
    for offset in range(len(data)):
        start, end, _ = spans[model.shown_row(offset)]
        assert start <= offset < end


@settings(max_examples=200)
@given(blocks, blocks, st.sampled_from([4, 16]))
def test_a_growing_block_is_scanned_on_from_where_it_was(
    first: bytes, more: bytes, row_bytes: int
) -> None:
    """Only the last block of a capture grows: its rows are scanned on, not again."""
    model = scanned(first, row_bytes)
    data = first + more
    whole = len(data) // row_bytes
    if whole > model.scanned_rows:
        start = max(0, model.scanned_rows - 1) * row_bytes
        model.scan(data[start : whole * row_bytes], model.scanned_rows)
    assert model_rows(model, len(data)) == naive_rows(data, row_bytes)


def test_a_mebibyte_of_zeros_is_one_row_and_a_star() -> None:
    data = bytes(1 << 20)
    model = scanned(data, 16, [4096] * 256)
    assert model.count(len(data)) == 2
    assert model.span(1, len(data)) == RowSpan(16, len(data), True)
    assert model.shown_row(len(data) - 1) == 1
    assert model.runs == 1


def test_one_repeated_row_is_shown_not_squeezed() -> None:
    """A `*` for one row would hide the row and save nothing."""
    data = b"A" * 32 + b"B" * 16
    assert naive_rows(data, 16) == model_rows(scanned(data, 16), len(data))
    assert not any(span.squeezed for span in model_rows(scanned(data, 16), len(data)))


@pytest.mark.parametrize("seed", range(3))
def test_random_rows_have_no_repeats_and_stop_early(seed: int) -> None:
    data = os.urandom(1 << 16)
    flags = repeat_flags(data, 16)
    assert len(flags) == (1 << 12) - 1
    assert flags.find(0) < 0


def test_rows_out_of_order_are_refused() -> None:
    model = SqueezedRows(16)
    with pytest.raises(ValueError, match="in order"):
        model.scan(bytes(64), 2)
