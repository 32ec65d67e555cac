"""The composer history kept across runs: order, de-duplication, cap, search, bad files."""

from __future__ import annotations

import json
import os
import random
import tracemalloc
from pathlib import Path

import platformdirs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tcptui.user_files.history import HistoryStore
from tcptui.user_files.paths import DATA_DIR_VARIABLE, data_dir, history_path


@pytest.fixture
def path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "data"))
    return history_path()


def file_texts(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text().splitlines()]


def test_history_lives_in_the_data_dir_named_by_the_environment(path: Path, tmp_path: Path) -> None:
    assert path == tmp_path / "data" / "history.jsonl"


def test_empty_data_dir_variable_falls_back_to_the_platform_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(DATA_DIR_VARIABLE, "")
    assert data_dir() == Path(platformdirs.user_data_dir("tcptui"))


def test_messages_survive_a_restart_newest_last(path: Path) -> None:
    store = HistoryStore(path)
    for text in ["one", "GET / HTTP/1.0\\r\\n", "naïve \U0001f600", "line\nbreak"]:
        store.add(text)
    assert HistoryStore(path).entries == [
        "one",
        "GET / HTTP/1.0\\r\\n",
        "naïve \U0001f600",
        "line\nbreak",
    ]
    assert store.take_warning() is None


def test_history_file_is_private_to_its_owner(path: Path) -> None:
    HistoryStore(path).add("AUTH PLAIN secret")
    assert path.stat().st_mode & 0o077 == 0


def test_sending_again_moves_an_entry_to_the_end_once(path: Path) -> None:
    store = HistoryStore(path)
    for text in ["a", "b", "c", "a"]:
        store.add(text)
    assert store.entries == ["b", "c", "a"]
    assert HistoryStore(path).entries == ["b", "c", "a"]


def test_only_the_newest_entries_up_to_the_limit_are_kept(path: Path) -> None:
    store = HistoryStore(path, limit=3)
    for text in "abcde":
        store.add(text)
    assert store.entries == ["c", "d", "e"]
    assert HistoryStore(path, limit=3).entries == ["c", "d", "e"]


def test_file_is_compacted_when_it_reaches_twice_the_limit(path: Path) -> None:
    store = HistoryStore(path, limit=3)
    for text in "abcab":
        store.add(text)
    assert file_texts(path) == list("abcab")  # appended only, so far
    store.add("d")
    assert file_texts(path) == ["a", "b", "d"]
    assert store.entries == ["a", "b", "d"]


def test_compaction_keeps_what_another_instance_appended(path: Path) -> None:
    ours, theirs = HistoryStore(path, limit=3), HistoryStore(path, limit=3)
    for text in "abcab":
        ours.add(text)
    theirs.add("theirs")
    ours.add("a")  # the sixth line ours wrote: time to compact
    assert file_texts(path) == ["b", "theirs", "a"]
    assert ours.entries == ["c", "b", "a"]


def test_search_ignores_case_and_lists_newest_first(path: Path) -> None:
    store = HistoryStore(path)
    for text in ["USER bob", "PASS x", "user alice", "QUIT"]:
        store.add(text)
    assert store.search("user") == ["user alice", "USER bob"]
    assert store.search("") == ["QUIT", "user alice", "PASS x", "USER bob"]
    assert store.search("nothing") == []


def test_up_and_down_walk_the_history_like_a_shell(path: Path) -> None:
    store = HistoryStore(path)
    store.add("one")
    store.add("two")
    assert [store.older(), store.older(), store.older()] == ["two", "one", None]
    assert [store.newer(), store.newer(), store.newer()] == ["two", "", ""]
    store.older()
    store.add("three")
    assert store.older() == "three"


def test_empty_text_is_not_kept(path: Path) -> None:
    store = HistoryStore(path)
    store.add("")
    assert store.entries == []
    assert not path.exists()


def test_other_records_and_a_torn_last_line_are_skipped_quietly(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(
        b'{"text": "kept"}\n'
        b'"a bare string"\n'
        b'{"text": 5}\n'
        b'{"other": "x"}\n'
        b"\n"
        b'{"text": "also kept", "future": 1}\n'
        b'{"text": "torn'
    )
    store = HistoryStore(path)
    assert store.entries == ["kept", "also kept"]
    store.add("after")
    assert HistoryStore(path).entries == ["kept", "also kept", "after"]
    assert store.take_warning() is None


def kept_aside(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.corrupt-*"))


def test_a_damaged_history_is_kept_aside_and_its_messages_carried_over(path: Path) -> None:
    path.parent.mkdir(parents=True)
    damaged = (
        b'{"text": "kept"}\nnot json\n\xff\xfe\n' + b"[" * 100_000 + b'\n{"text": "also kept"}\n'
    )
    path.write_bytes(damaged)
    store = HistoryStore(path)
    assert store.entries == ["kept", "also kept"]
    warning = store.take_warning()
    assert warning is not None and "The history file was damaged" in warning
    [kept] = kept_aside(path)
    assert kept.name in warning and kept.read_bytes() == damaged
    store.add("after")
    assert store.take_warning() is None
    assert file_texts(path) == ["kept", "also kept", "after"]
    assert HistoryStore(path).take_warning() is None


def test_random_bytes_as_history_are_kept_whole_not_cut_down(path: Path) -> None:
    path.parent.mkdir(parents=True)
    noise = random.Random(22).randbytes(4 << 20)
    path.write_bytes(noise)
    store = HistoryStore(path, limit=3)
    for text in "abcdefgh":
        store.add(text)
    [kept] = kept_aside(path)
    assert kept.read_bytes() == noise
    assert store.take_warning() is not None
    assert store.entries == ["f", "g", "h"]


def test_only_the_end_of_a_huge_history_is_read(path: Path) -> None:
    """The front of the file is a hole of NUL bytes: read, it would count as damage."""
    path.parent.mkdir(parents=True)
    with path.open("wb") as out:
        out.truncate(100 << 20)
        out.seek(0, 2)
        out.write(
            b"\n" + "".join(json.dumps({"text": f"m{n}"}) + "\n" for n in range(5000)).encode()
        )
    tracemalloc.start()
    try:
        store = HistoryStore(path, limit=1000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert store.take_warning() is None and not kept_aside(path)
    assert store.entries == [f"m{n}" for n in range(4000, 5000)]
    assert peak < 2 << 20


def test_a_fifo_as_history_is_refused_without_blocking(path: Path) -> None:
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    store = HistoryStore(path)
    store.add("one")
    warning = store.take_warning()
    assert warning is not None and "it is a FIFO (named pipe)" in warning
    assert store.entries == ["one"]


def test_unwritable_folder_gives_one_warning_and_history_still_works(path: Path) -> None:
    store = HistoryStore(path)
    path.parent.write_text("a file where the data folder should be")
    store.add("one")
    store.add("two")
    warning = store.take_warning()
    assert warning is not None
    assert "History is not saved" in warning and str(path) in warning
    assert store.take_warning() is None
    assert store.older() == "two"


def test_unreadable_history_is_not_overwritten(path: Path) -> None:
    path.mkdir(parents=True)
    store = HistoryStore(path)
    store.add("one")
    warning = store.take_warning()
    assert warning is not None and "cannot read" in warning
    assert path.is_dir()
    assert store.entries == ["one"]


@given(st.lists(st.text(min_size=1), max_size=8))
def test_any_texts_survive_a_restart_in_send_order(
    tmp_path_factory: pytest.TempPathFactory, sent: list[str]
) -> None:
    path = tmp_path_factory.mktemp("history") / "history.jsonl"
    store = HistoryStore(path)
    for text in sent:
        store.add(text)
    assert HistoryStore(path).entries == store.entries == list(dict.fromkeys(reversed(sent)))[::-1]
