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

from tcptui.codec.composer_syntax import Syntax
from tcptui.user_files.history import HistoryEntry, HistoryStore
from tcptui.user_files.paths import DATA_DIR_VARIABLE, data_dir, history_path


@pytest.fixture
def path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "data"))
    return history_path()


def texts(entries: list[HistoryEntry]) -> list[str]:
    return [entry.text for entry in entries]


def text_of(entry: HistoryEntry | None) -> str | None:
    return None if entry is None else entry.text


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
    assert texts(HistoryStore(path).entries) == [
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
    assert texts(store.entries) == ["b", "c", "a"]
    assert texts(HistoryStore(path).entries) == ["b", "c", "a"]


def test_only_the_newest_entries_up_to_the_limit_are_kept(path: Path) -> None:
    store = HistoryStore(path, limit=3)
    for text in "abcde":
        store.add(text)
    assert texts(store.entries) == ["c", "d", "e"]
    assert texts(HistoryStore(path, limit=3).entries) == ["c", "d", "e"]


def test_file_is_compacted_when_it_reaches_twice_the_limit(path: Path) -> None:
    store = HistoryStore(path, limit=3)
    for text in "abcab":
        store.add(text)
    assert file_texts(path) == list("abcab")  # appended only, so far
    store.add("d")
    assert file_texts(path) == ["a", "b", "d"]
    assert texts(store.entries) == ["a", "b", "d"]


def test_compaction_keeps_what_another_instance_appended(path: Path) -> None:
    ours, theirs = HistoryStore(path, limit=3), HistoryStore(path, limit=3)
    for text in "abcab":
        ours.add(text)
    theirs.add("theirs")
    ours.add("a")  # the sixth line ours wrote: time to compact
    assert file_texts(path) == ["b", "theirs", "a"]
    assert texts(ours.entries) == ["c", "b", "a"]


def test_search_ignores_case_and_lists_newest_first(path: Path) -> None:
    store = HistoryStore(path)
    for text in ["USER bob", "PASS x", "user alice", "QUIT"]:
        store.add(text)
    assert texts(store.search("user")) == ["user alice", "USER bob"]
    assert texts(store.search("")) == ["QUIT", "user alice", "PASS x", "USER bob"]
    assert texts(store.search("nothing")) == []


def test_up_and_down_walk_the_history_like_a_shell(path: Path) -> None:
    store = HistoryStore(path)
    store.add("one")
    store.add("two")
    assert [text_of(store.older()) for _ in range(3)] == ["two", "one", None]
    assert [text_of(store.newer()) for _ in range(3)] == ["two", None, None]
    store.older()
    store.add("three")
    assert text_of(store.older()) == "three"


def test_empty_text_is_not_kept(path: Path) -> None:
    store = HistoryStore(path)
    store.add("")
    assert texts(store.entries) == []
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
    assert texts(store.entries) == ["kept", "also kept"]
    store.add("after")
    assert texts(HistoryStore(path).entries) == ["kept", "also kept", "after"]
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
    assert texts(store.entries) == ["kept", "also kept"]
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
    assert texts(store.entries) == ["f", "g", "h"]


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
    assert texts(store.entries) == [f"m{n}" for n in range(4000, 5000)]
    assert peak < 2 << 20


def test_a_fifo_as_history_is_refused_without_blocking(path: Path) -> None:
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    store = HistoryStore(path)
    store.add("one")
    warning = store.take_warning()
    assert warning is not None and "it is a FIFO (named pipe)" in warning
    assert texts(store.entries) == ["one"]


def test_unwritable_folder_gives_one_warning_and_history_still_works(path: Path) -> None:
    store = HistoryStore(path)
    path.parent.write_text("a file where the data folder should be")
    store.add("one")
    store.add("two")
    warning = store.take_warning()
    assert warning is not None
    assert "History is not saved" in warning and str(path) in warning
    assert store.take_warning() is None
    assert text_of(store.older()) == "two"


def test_unreadable_history_is_not_overwritten(path: Path) -> None:
    path.mkdir(parents=True)
    store = HistoryStore(path)
    store.add("one")
    warning = store.take_warning()
    assert warning is not None and "cannot read" in warning
    assert path.is_dir()
    assert texts(store.entries) == ["one"]


@given(st.lists(st.text(min_size=1), max_size=8))
def test_any_texts_survive_a_restart_in_send_order(
    tmp_path_factory: pytest.TempPathFactory, sent: list[str]
) -> None:
    path = tmp_path_factory.mktemp("history") / "history.jsonl"
    store = HistoryStore(path)
    for text in sent:
        store.add(text)
    assert (
        texts(HistoryStore(path).entries)
        == texts(store.entries)
        == list(dict.fromkeys(reversed(sent)))[::-1]
    )


def test_entries_remember_their_syntax_and_encoding_across_a_restart(path: Path) -> None:
    store = HistoryStore(path)
    store.add("48 49", Syntax.HEX, "utf-8")
    store.add("caf\\xe9", Syntax.TEXT, "latin-1")
    store.add("48 49", Syntax.TEXT, "utf-8")  # the same text as text is another message
    assert HistoryStore(path).entries == [
        HistoryEntry("48 49", Syntax.HEX, "utf-8"),
        HistoryEntry("caf\\xe9", Syntax.TEXT, "latin-1"),
        HistoryEntry("48 49", Syntax.TEXT, "utf-8"),
    ]


def test_lines_from_before_syntax_was_kept_load_as_text_in_the_composers_encoding(
    path: Path,
) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(
        '{"text": "old"}\n'
        '{"text": "odd", "syntax": "klingon", "encoding": ["x"]}\n'
        '{"text": "de ad", "syntax": "hex"}\n'
    )
    assert HistoryStore(path).entries == [
        HistoryEntry("old", Syntax.TEXT, None),
        HistoryEntry("odd", Syntax.TEXT, None),
        HistoryEntry("de ad", Syntax.HEX, None),
    ]
