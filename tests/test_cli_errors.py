"""Command-line mistakes end in one sentence and status 2, before the UI or a blocking read."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tcptui import cli
from tcptui.cli import parse_args

ROOT = Path(__file__).resolve().parent.parent


def run_tcptui(*args: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """tcptui in a child process without a terminal, so a blocked read shows as a timeout."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TCPTUI_CONFIG_DIR": str(cwd)}
    env.pop("TCPTUI_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "tcptui", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_one_sentence(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(error_lines) == 1 and expected in error_lines[0], result.stderr


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--proxy", "http://[::1:1080", "h", "1"), "is not a proxy URL: Invalid IPv6 URL"),
        (("--open", ""), "--open needs a file name, not an empty string"),
        (("--save", "", "h", "1"), "--save needs a file name, not an empty string"),
        (("--open", "missing.tcptui"), "--open missing.tcptui: no such file"),
        (("--open", "/dev/null"), "--open needs a regular file, and /dev/null is a character"),
        (("--config", "/dev/zero", "--print-config"), "it is a character device, not a regular"),
        (("--group", "length:u16", "h", "1"), "--group: length:u16 needs a byte order: u16be"),
        (("--group", "words", "h", "1"), "--group: unknown grouping 'words': use one of"),
        (
            ("--keylog", "no/such/folder/keys.log", "h", "1"),
            "cannot write the TLS key log no/such/folder/keys.log: No such file or directory",
        ),
    ],
)
def test_bad_arguments_end_in_one_sentence_and_status_2(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    assert_one_sentence(run_tcptui(*args, cwd=tmp_path), expected)


@pytest.mark.parametrize("option", ["--open", "--save", "--config"])
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, fifo: Path, option: str) -> None:
    args = [option, str(fifo)] + (["h", "1"] if option == "--save" else [])
    if option == "--config":
        args.append("--print-config")
    result = run_tcptui(*args, cwd=tmp_path)
    assert_one_sentence(result, "is a FIFO (named pipe)")


@pytest.mark.parametrize(
    ("value", "shown"), [("undefined", "'undefined'"), ("utf-8\\u0000", "'utf-8\\x00'")]
)
def test_an_unusable_encoding_in_the_settings_is_one_sentence(
    tmp_path: Path, value: str, shown: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'encoding = "{value}"\n')
    result = run_tcptui("--config", str(config), "--print-config", cwd=tmp_path)
    assert_one_sentence(result, f"encoding: {shown} is not a text encoding tcptui can use")


@pytest.mark.parametrize(
    ("option", "rules", "sentence"),
    [
        (
            "--run",
            '[[step]]\nsend = "hi\\n"\n',
            "--run needs a connection to run on: give a target, not --open",
        ),
        (
            "--responders",
            '[[responder]]\nmatch = "PING"\nreply = "PONG"\n',
            "--responders answers a connection: give a target or --listen",
        ),
    ],
)
def test_automation_with_open_is_one_sentence_not_silently_ignored(
    tmp_path: Path, option: str, rules: str, sentence: str
) -> None:
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(rules)
    session = tmp_path / "saved.tcptui"
    session.write_bytes(b"")
    result = run_tcptui("--open", str(session), option, str(rules_file), cwd=tmp_path)
    assert_one_sentence(result, sentence)


def test_a_session_file_with_deep_metadata_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "deep.tcptui"
    path.write_bytes(b"TCPTUI-SESSION 1\n" + b"[" * 100_000 + b"]" * 100_000 + b"\n")
    result = run_tcptui("--open", str(path), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("tcptui: the metadata nests deeper than")


@pytest.mark.parametrize(
    ("keymap", "expected"),
    [
        ('"app.quit" = "notakey"', "keymap: 'app.quit' is bound to 'notakey', which is not a key"),
        ('"app.quit" = "ctrl+hyperdrive+q"', "bound to 'ctrl+hyperdrive+q', which is not a key"),
        ('"app.quit" = "f2"\n"session.connect" = "f2"', "'f2' is bound to both 'app.quit' and"),
        ('"app.quit" = "question_mark,?"', "keymap: 'app.quit' lists '?' twice"),
    ],
)
def test_a_bad_keymap_is_refused_at_startup_naming_the_key(
    tmp_path: Path, keymap: str, expected: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[keymap]\n{keymap}\n")
    result = run_tcptui("--config", str(config), "--demo", cwd=tmp_path)
    assert_one_sentence(result, expected)


def test_ctrl_c_before_the_ui_starts_says_interrupted_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(argv: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "parse_args", interrupted)
    assert cli.main(["example.com", "80"]) == 130
    assert capsys.readouterr().err == "tcptui: interrupted.\n"


def test_opening_a_big_session_shows_progress_on_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = iter([0.0, 0.1, 0.3, 0.35, 0.5, 0.7])
    monkeypatch.setattr(cli.time, "monotonic", lambda: next(clock))
    progress = cli._OpeningProgress("dir/[b]big.tcptui")
    for done in (10, 20, 50, 60, 100):
        progress(done, 100)
    progress.clear()
    err = capsys.readouterr().err
    assert err == (
        "\rtcptui: opening '[b]big.tcptui'… 20%\rtcptui: opening '[b]big.tcptui'… 60%\r\x1b[K"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--save", "a\0b", "localhost", "80"],
        ["--open", "\0"],
        ["--keylog", "\0", "localhost", "80"],
        ["--config", "a\0b", "localhost", "80"],
    ],
)
def test_a_nul_in_a_file_name_is_one_sentence(argv: list[str]) -> None:
    with contextlib.redirect_stderr(io.StringIO()) as stderr, pytest.raises(SystemExit) as exited:
        parse_args(argv)
    assert exited.value.code == 2
    assert stderr.getvalue().count("\n") >= 1
    assert "Traceback" not in stderr.getvalue()
    assert "NUL" in stderr.getvalue() or "null" in stderr.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        ["--config", "x\x1b[31mred\x07", "localhost", "80"],
        ["--group", "line\x1b]52;c;aGk=\x07"],
        ["localhost", "80", "--bogus\x1b[2J"],
    ],
)
def test_an_error_quoting_what_was_typed_shows_its_control_characters(argv: list[str]) -> None:
    """A file name or a word from a script may hold an escape sequence: the error quoting it
    must not send it to the terminal."""
    with contextlib.redirect_stderr(io.StringIO()) as stderr, pytest.raises(SystemExit) as exited:
        parse_args(argv)
    assert exited.value.code == 2
    said = stderr.getvalue()
    assert "error:" in said
    assert not any(char in said for char in "\x1b\x07\x00"), repr(said)


@pytest.mark.parametrize("option", ["--save", "--open", "--config", "--keylog"])
def test_a_file_name_the_file_system_cannot_encode_is_one_sentence(option: str) -> None:
    """A lone surrogate (no real command line yields one, a script can) made os.stat raise."""
    argv = [option, "\ud800"] if option == "--open" else [option, "\ud800", "localhost", "80"]
    with contextlib.redirect_stderr(io.StringIO()) as stderr, pytest.raises(SystemExit) as exited:
        parse_args(argv)
    assert exited.value.code == 2
    assert "encoding cannot hold" in stderr.getvalue()
    assert "Traceback" not in stderr.getvalue()
