"""The sentences the command line and the engine say: true, in plain words, no Python repr,
no usage text in front of a mistake that is not about the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcptui.cli import parse_args
from tcptui.clipboard import CopyOutcome, CopyResult
from tcptui.codec.words import counted
from tcptui.net.target import TargetError, parse_target
from tcptui.user_files.settings import CONFIG_PATH_VARIABLE


def exit_message(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    with pytest.raises(SystemExit):
        parse_args(argv)
    return capsys.readouterr().err


def test_a_settings_mistake_is_said_without_the_usage_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('line_ending = "sideways"\n')
    message = exit_message(capsys, ["--config", str(config), "example.com", "80"])
    assert "usage:" not in message
    assert message.startswith("tcptui: error: ") and str(config) in message
    assert message.count("\n") == 1
    message = exit_message(capsys, ["--config", str(config), "@nowhere"])
    assert "usage:" not in message


def test_an_unknown_profile_is_said_without_the_usage_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    message = exit_message(capsys, ["@nowhere"])
    assert "usage:" not in message and "no profile named" in message


def test_print_config_says_which_file_it_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "mine.toml"
    config.write_text('encoding = "latin-1"\n')
    with pytest.raises(SystemExit):
        parse_args(["--config", str(config), "--print-config"])
    assert capsys.readouterr().out.startswith(f"# read from {config}\n")
    missing = tmp_path / "absent" / "config.toml"
    monkeypatch.delenv(CONFIG_PATH_VARIABLE, raising=False)
    monkeypatch.setenv("TCPTUI_CONFIG_DIR", str(missing.parent))
    with pytest.raises(SystemExit):
        parse_args(["--print-config"])
    assert capsys.readouterr().out.startswith(f"# no settings file at {missing}: ")


def test_a_zero_timeout_is_refused_in_words_that_allow_no_zero(
    capsys: pytest.CaptureFixture[str],
) -> None:
    message = exit_message(capsys, ["--timeout", "0", "example.com", "80"])
    assert "above 0 and at most 3600 seconds, not 0" in message
    assert "between 0" not in message


@pytest.mark.parametrize(("host", "port"), [("", None), ("", "80"), ("  ", "80"), ("[]", "80")])
def test_an_empty_host_is_reported_as_a_missing_host(host: str, port: str | None) -> None:
    with pytest.raises(TargetError, match="^the host is missing"):
        parse_target(host, port)


def test_counts_agree_with_their_nouns() -> None:
    assert [counted(n, "byte") for n in (0, 1, 2, 1024)] == [
        "0 bytes",
        "1 byte",
        "2 bytes",
        "1,024 bytes",
    ]
    assert counted(1, "address", "addresses") == "1 address"
    assert counted(3, "address", "addresses") == "3 addresses"


def test_a_copy_is_announced_once_with_plurals_right() -> None:
    result = CopyResult(CopyOutcome.COPIED, "terminal (OSC 52)", 1, 1, 100)
    sentence = result.sentence("1 byte as text")
    assert sentence == "Copied 1 byte as text (1 character) to the terminal (OSC 52)."
    assert sentence.count("Copied") == 1
    alone = CopyResult(CopyOutcome.COPIED, "terminal (OSC 52)", 2, 1, 100).sentence()
    assert alone == "Copied 2 characters (1 byte) to the terminal (OSC 52)."
