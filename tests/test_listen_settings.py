"""`--max-clients N` and the `[listen]` table's `max_clients`: the command line wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcptui.cli import parse_args
from tcptui.user_files.settings import SettingsError, parse_settings, render_settings


def test_max_clients_is_read_from_the_listen_table_and_renders_back() -> None:
    settings = parse_settings("[listen]\nmax_clients = 7\n")
    assert settings.listen.max_clients == 7
    assert parse_settings(render_settings(settings)) == settings


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[listen]\nmax_clients = 0\n", "listen.max_clients must be a whole number above 0"),
        ('[listen]\nmax_clients = "many"\n', "listen.max_clients must be a whole number"),
        ("[listen]\nclients = 3\n", "unknown key listen.clients"),
        ("listen = 3\n", "listen must be a table"),
    ],
)
def test_bad_listen_settings_name_the_key(text: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        parse_settings(text)


def test_the_command_line_limit_wins_over_the_settings(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[listen]\nmax_clients = 7\n")
    from_file = parse_args(["--config", str(config), "--listen", "8080"])
    assert from_file.settings.listen.max_clients == 7
    given = parse_args(["--config", str(config), "--listen", "8080", "--max-clients", "3"])
    assert given.settings.listen.max_clients == 3
    assert parse_args(["--listen", "8080"]).settings.listen.max_clients == 100


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--listen", "8080", "--max-clients", "0"], "the limit must be 1 or more clients"),
        (["--listen", "8080", "--max-clients", "lots"], "'lots' is not a whole number"),
        (["example.com", "80", "--max-clients", "5"], "--max-clients limits listen mode"),
    ],
)
def test_bad_client_limits_are_refused_with_a_sentence(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_args(argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
