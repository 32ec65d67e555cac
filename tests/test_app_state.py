"""The app's own state file: a damaged one is kept aside and said once, never silently lost."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tcptui.user_files.app_state import AppState, load_state, save_state


@pytest.mark.parametrize("damage", [b"\xff\xfe garbage", b"[1, 2]", b"[" * 100_000])
def test_a_damaged_state_file_is_kept_aside_and_a_fresh_one_started(
    tmp_path: Path, damage: bytes
) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(damage)
    state = load_state(path)
    assert (
        state.warning is not None
        and "was damaged: it is kept as state.json.corrupt-" in state.warning
    )
    [kept] = tmp_path.glob("state.json.corrupt-*")
    assert kept.read_bytes() == damage and kept.name in state.warning
    assert save_state(AppState(theme="nord"), path) is None
    assert load_state(path) == AppState(theme="nord")


def test_a_fifo_as_state_file_is_reported_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    os.mkfifo(path)
    state = load_state(path)
    assert state.warning is not None and "FIFO" in state.warning
