"""Saved snippets in a hand-editable TOML file: round trips, order, and errors that say where."""

from __future__ import annotations

import os
import string
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tcptui.user_files.snippets as snippets_module
from tcptui.codec.composer_syntax import LineEnding, Syntax
from tcptui.user_files.paths import CONFIG_DIR_VARIABLE, snippets_path
from tcptui.user_files.snippets import (
    Snippet,
    SnippetFileError,
    dump_snippets,
    load_snippets,
    save_snippet,
)
from tcptui.user_files.toml_text import toml_string

LOGIN = Snippet("login", "USER bob\\r\\nPASS 'x'\\r\\n", Syntax.TEXT, LineEnding.NONE)
PING = Snippet("ping", "de ad be ef", Syntax.HEX)
MIXED = Snippet('say "hi"', "hi {0d 0a}", Syntax.MIXED, LineEnding.CRLF)


@pytest.fixture
def path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CONFIG_DIR_VARIABLE, str(tmp_path / "config"))
    return snippets_path()


def error_loading(path: Path, text: str) -> SnippetFileError:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    with pytest.raises(SnippetFileError) as caught:
        load_snippets(path)
    return caught.value


def test_snippets_live_in_the_config_dir_named_by_the_environment(
    path: Path, tmp_path: Path
) -> None:
    assert path == tmp_path / "config" / "snippets.toml"


def test_no_file_means_no_snippets(path: Path) -> None:
    assert load_snippets(path) == []


def test_saved_snippets_load_back_in_order(path: Path) -> None:
    for snippet in (LOGIN, PING, MIXED):
        save_snippet(path, snippet)
    assert load_snippets(path) == [LOGIN, PING, MIXED]


def test_saving_an_existing_name_replaces_it_where_it_stands(path: Path) -> None:
    for snippet in (LOGIN, PING, MIXED):
        save_snippet(path, snippet)
    new_ping = Snippet("ping", "PING\\r\\n", Syntax.TEXT, LineEnding.LF)
    save_snippet(path, new_ping)
    assert load_snippets(path) == [LOGIN, new_ping, MIXED]


def test_adding_a_snippet_keeps_a_hand_written_file_as_written(path: Path) -> None:
    path.parent.mkdir(parents=True)
    hand_written = "# my snippets\n[[snippet]]\nname = 'hello'\ntext = 'hello'  # greeting"
    path.write_text(hand_written)
    save_snippet(path, PING)
    assert path.read_text().startswith(hand_written)
    assert load_snippets(path) == [Snippet("hello", "hello"), PING]


def test_saving_through_a_symlink_updates_the_linked_file(path: Path, tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "snippets.toml"
    real.parent.mkdir()
    real.write_text("")
    path.parent.mkdir()
    path.symlink_to(real)
    save_snippet(path, PING)
    assert path.is_symlink()
    assert load_snippets(real) == [PING]


def test_syntax_defaults_to_text_and_line_ending_to_the_composers() -> None:
    snippet = Snippet("x", "a\\tb")
    assert snippet.syntax is Syntax.TEXT
    assert snippet.line_ending_or(LineEnding.CR) is LineEnding.CR
    assert LOGIN.line_ending_or(LineEnding.CR) is LineEnding.NONE


def test_a_snippet_with_newlines_is_sent_as_a_multiline_message() -> None:
    assert Snippet("get", "GET / HTTP/1.0\n").is_multiline
    assert not LOGIN.is_multiline


def test_broken_toml_names_the_line_and_column(path: Path) -> None:
    error = error_loading(path, "[[snippet]]\nname = 'a'\ntext = 'x' 'y'\n")
    assert error.line == 3
    assert "line 3, column 12" in str(error) and str(path) in str(error)


def test_toml_broken_at_the_very_end_names_the_last_line(path: Path) -> None:
    error = error_loading(path, "[[snippet]]\nname = 'a'\ntext = 'unclosed\n\n")
    assert error.line == 3
    assert "line 3 (end of file)" in str(error)


def test_a_file_that_is_not_utf8_names_the_line(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"[[snippet]]\nname = 'a'\ntext = '\xff'\n")
    with pytest.raises(SnippetFileError, match="line 3: not UTF-8") as caught:
        load_snippets(path)
    assert caught.value.line == 3


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("name = 'login'\ntext = 'x'\nsyntax = 'bin'", 'snippet "login": unknown syntax "bin"'),
        ("name = 'login'\ntext = 'x'\nline_ending = 'lfcr'", 'unknown line_ending "lfcr"'),
        ("name = 'login'\ntext = 'x'\ntxt = 'x'", 'snippet "login": unknown key "txt"'),
        ("name = 'login'\ntext = 5", 'snippet "login": text must be a string, not an integer'),
        ("name = 'login'", 'snippet "login": text is missing'),
        ("text = 'x'", "snippet 1 needs a name"),
        ("name = '  '\ntext = 'x'", "snippet 1 needs a name"),
    ],
)
def test_bad_keys_and_values_are_named(path: Path, body: str, message: str) -> None:
    assert message in str(error_loading(path, f"[[snippet]]\n{body}\n"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[snippet]]\nname='a'\ntext='x'\n[[snippet]]\nname='a'\ntext='y'\n", '"a" appears twice'),
        ("snippets = []\n", 'unknown key "snippets"'),
        ("[snippet]\nname = 'a'\n", "written [[snippet]]"),
    ],
)
def test_badly_shaped_files_are_explained(path: Path, text: str, message: str) -> None:
    assert message in str(error_loading(path, text))


def test_a_broken_file_is_never_overwritten(path: Path) -> None:
    error_loading(path, "[[snippet]\n")
    with pytest.raises(SnippetFileError, match="line 1"):
        save_snippet(path, PING)
    assert path.read_text() == "[[snippet]\n"


def test_an_unwritable_folder_is_an_error_not_a_crash(path: Path) -> None:
    path.parent.write_text("a file where the config folder should be")
    with pytest.raises(SnippetFileError, match="cannot"):
        save_snippet(path, PING)


def test_a_snippet_needs_a_name_to_be_saved(path: Path) -> None:
    with pytest.raises(SnippetFileError, match="needs a name"):
        save_snippet(path, Snippet(" ", "x"))


def test_written_strings_are_readable_literals_when_possible() -> None:
    assert toml_string("USER bob\\r\\n") == "'USER bob\\r\\n'"
    assert toml_string("it's\t\x1b[31m") == '"it\'s\\t\\u001B[31m"'
    assert toml_string("rtl\u202eevil") == '"rtl\\u202Eevil"'


def test_a_lone_surrogate_cannot_be_saved(path: Path) -> None:
    with pytest.raises(ValueError, match="surrogate"):
        toml_string("\ud800")
    with pytest.raises(SnippetFileError, match='snippet "x": a lone surrogate'):
        save_snippet(path, Snippet("x", "\ud800"))
    assert not path.exists()


names = st.text(st.characters(exclude_categories=["Cs"]), min_size=1).filter(str.strip)
texts = st.text(st.characters(exclude_categories=["Cs"]))
snippets = st.builds(
    Snippet,
    name=names,
    text=texts,
    syntax=st.sampled_from(Syntax),
    line_ending=st.none() | st.sampled_from(LineEnding),
)


@given(st.lists(snippets, max_size=5, unique_by=lambda snippet: snippet.name))
def test_any_snippets_round_trip_through_the_file(
    tmp_path_factory: pytest.TempPathFactory, saved: list[Snippet]
) -> None:
    path = tmp_path_factory.mktemp("round-trip") / "snippets.toml"
    for snippet in saved:
        save_snippet(path, snippet)
    assert load_snippets(path) == saved
    if saved:
        assert all(char.isprintable() for char in path.read_text().replace("\n", ""))


@given(texts | st.text(string.printable))
def test_any_string_round_trips_through_toml(text: str) -> None:
    assert tomllib.loads(f"v = {toml_string(text)}")["v"] == text


def test_dumped_snippets_are_valid_toml() -> None:
    document = tomllib.loads(dump_snippets([LOGIN, MIXED]))
    assert [table["name"] for table in document["snippet"]] == ["login", 'say "hi"']


def test_snippets_are_parsed_once_until_the_file_changes(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_snippet(path, Snippet("one", "1"))
    parses: list[Path] = []
    real_parse = snippets_module._parse

    def counting_parse(text: str, where: Path) -> list[Snippet]:
        parses.append(where)
        return real_parse(text, where)

    monkeypatch.setattr(snippets_module, "_parse", counting_parse)
    assert [s.name for s in load_snippets(path)] == ["one"]
    for _ in range(5):
        assert [s.name for s in load_snippets(path)] == ["one"]
    assert len(parses) == 1
    with path.open("a") as out:
        out.write('\n[[snippet]]\nname = "two"\ntext = "2"\n')
    assert [s.name for s in load_snippets(path)] == ["one", "two"]
    assert len(parses) == 2


def test_a_snippets_file_over_one_mib_is_refused(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"#" * ((1 << 20) + 1))
    with pytest.raises(SnippetFileError, match="larger than 1 MiB"):
        load_snippets(path)


def test_a_fifo_as_snippets_file_is_refused_without_blocking(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    with pytest.raises(SnippetFileError, match=r"FIFO \(named pipe\), not a regular file"):
        load_snippets(path)
