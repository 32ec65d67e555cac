"""The settings file: defaults, every key, precise errors, where it is found, and round trips."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tcptui.codec.composer_syntax import LineEnding, Syntax
from tcptui.codec.formats import CopyFormat
from tcptui.net.target import Family, parse_target
from tcptui.user_files.history import DEFAULT_LIMIT
from tcptui.user_files.settings import (
    CONFIG_PATH_VARIABLE,
    DEFAULT_CLIPBOARD_CAP,
    EXAMPLE_CONFIG,
    Profile,
    Settings,
    SettingsError,
    default_config_path,
    load_settings,
    parse_settings,
    render_settings,
)

ROOT = Path(__file__).resolve().parent.parent

EVERY_KEY = """\
line_ending = "crlf"
encoding = "Latin-1"
syntax = "mixed"
view = "hex"
copy_format = "c"
group = "LENGTH:u32le+4"
timestamps = "relative"
theme = "nord"
clipboard_cap = 1024
history_size = 50
ascii_only = true

[keymap]
"session.connect" = "f2, ctrl+o"
"app.quit" = "ctrl+q"

[profiles.web]
target = "example.com:80"
line_ending = "crlf"

[profiles."mail server"]
target = "mail.example.com:465"
tls = true
timeout = 5
family = "ipv4"
encoding = "cp437"
"""


@pytest.fixture(autouse=True)
def no_config_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The conftest moves the config folder; a TCPTUI_CONFIG in the caller's shell must go too."""
    monkeypatch.delenv(CONFIG_PATH_VARIABLE, raising=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_for(text: str) -> SettingsError:
    with pytest.raises(SettingsError) as caught:
        parse_settings(text)
    return caught.value


# -- defaults and every key ----------------------------------------------------------------


def test_no_file_means_the_defaults() -> None:
    assert not default_config_path().exists()
    settings = load_settings(None)
    assert settings == Settings()
    assert settings.line_ending is LineEnding.LF
    assert settings.history_size == DEFAULT_LIMIT
    assert settings.clipboard_cap == DEFAULT_CLIPBOARD_CAP
    assert dict(settings.keymap) == {} and dict(settings.profiles) == {}


def test_default_clipboard_cap_is_the_ui_copy_cap() -> None:
    from tcptui.ui.copying import DEFAULT_COPY_CAP

    assert DEFAULT_CLIPBOARD_CAP == DEFAULT_COPY_CAP


def test_every_key_is_parsed() -> None:
    settings = parse_settings(EVERY_KEY)
    assert settings.line_ending is LineEnding.CRLF
    assert settings.encoding == "iso8859-1"  # the codec's own name, however it was spelled
    assert settings.syntax is Syntax.MIXED
    assert settings.view == "hex"
    assert settings.copy_format is CopyFormat.C_ARRAY
    assert settings.group == "length:u32le+4"  # as the app writes it back
    assert settings.timestamps == "relative"
    assert settings.theme == "nord"
    assert settings.clipboard_cap == 1024
    assert settings.history_size == 50
    assert settings.ascii_only is True
    assert dict(settings.keymap) == {"session.connect": "f2,ctrl+o", "app.quit": "ctrl+q"}
    assert dict(settings.profiles) == {
        "web": Profile("example.com:80", line_ending=LineEnding.CRLF),
        "mail server": Profile(
            "mail.example.com:465",
            tls=True,
            timeout=5.0,
            family=Family.IPV4,
            encoding="cp437",
        ),
    }


def test_a_profile_gives_the_target_it_names() -> None:
    settings = parse_settings(EVERY_KEY)
    assert settings.profile("web").connect_target() == parse_target("example.com:80")
    assert settings.profile("mail server").connect_target() == parse_target(
        "tls://mail.example.com:465"
    )


def test_an_unknown_profile_lists_the_known_ones() -> None:
    with pytest.raises(SettingsError, match=r"no profile named 'ftp' \(profiles: mail server, web"):
        parse_settings(EVERY_KEY).profile("ftp")
    with pytest.raises(SettingsError, match="none are defined"):
        Settings().profile("web")


def test_settings_cannot_be_changed_after_loading() -> None:
    settings = parse_settings(EVERY_KEY)
    with pytest.raises(TypeError):
        settings.keymap["app.quit"] = "q"  # type: ignore[index]


# -- mistakes, each named ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('line_ending = "crlf2"', "line_ending must be one of none, lf, crlf, cr, not 'crlf2'"),
        ("line_ending = 1", "line_ending must be one of none, lf, crlf, cr, not 1"),
        ('encoding = "klingon"', "encoding: 'klingon' is not a text encoding"),
        ('encoding = "base64"', "encoding: 'base64' is not a text encoding"),
        ('encoding = ""', "encoding must be a non-empty string"),
        ('syntax = "binary"', "syntax must be one of text, hex, mixed"),
        ('view = "both"', "view must be one of dual, text, hex"),
        ('copy_format = "rust"', "copy_format must be one of text, hex, hexdump, escaped,"),
        ('timestamps = "gmt"', "timestamps must be one of local, utc, relative"),
        ('group = "fixed:0"', "group: fixed:0 needs a record size from 1 to"),
        ('group = "delimiter:zz"', "group: delimiter:zz is not hex bytes"),
        ("theme = 3", "theme must be a non-empty string, not 3"),
        ("clipboard_cap = 0", "clipboard_cap must be a whole number above 0, not 0"),
        ("clipboard_cap = 1.5", "clipboard_cap must be a whole number above 0, not 1.5"),
        ('clipboard_cap = "4M"', "clipboard_cap must be a whole number above 0"),
        ("history_size = -1", "history_size must be a whole number above 0, not -1"),
        ("history_size = true", "history_size must be a whole number above 0, not true"),
        ('ascii_only = "yes"', "ascii_only must be true or false, not 'yes'"),
        ('keymap = "f2"', "keymap must be a table ([keymap]), not a string"),
        ('[keymap]\n"session.connect" = 2', "keymap.'session.connect' must be a string of keys"),
        ('[keymap]\n"session.connect" = "f2,,f3"', "keymap.'session.connect': 'f2,,f3' is not"),
        ('[keymap]\n"app.quit" = "ctrl q"', "keymap.'app.quit': 'ctrl q' is not a list of"),
        ("profiles = 1", "profiles must be a table ([profiles]), not a number"),
        ("[profiles.web]\ntls = true", "profiles.web needs a target"),
        ('[profiles.web]\ntarget = "example.com:80"\ntimeout = 0', "profiles.web.timeout must be"),
        ('[profiles.web]\ntarget = "h:1"\ntimeout = 4000', "profiles.web.timeout must be"),
        ('[profiles.web]\ntarget = "h:1"\ntimeout = nan', "profiles.web.timeout must be"),
        ('[profiles.web]\ntarget = "h:1"\nfamily = "ipv5"', "profiles.web.family must be one of"),
        ('[profiles.web]\ntarget = "h:1"\ntls = "on"', "profiles.web.tls must be true or false"),
        ('[profiles.web]\ntarget = "h:1"\nline_ending = "lf2"', "profiles.web.line_ending must"),
        ('[profiles.web]\ntarget = "h:1"\nencoding = "x-nope"', "profiles.web.encoding: 'x-nope'"),
        (
            '[profiles.web]\ntarget = "h:1"\nport = 2',
            "unknown key profiles.web.port (known:",
        ),
        ('[profiles."a b"]\ntarget = "h:1"\nhost = 2', "unknown key profiles.'a b'.host"),
    ],
)
def test_each_bad_value_is_named(text: str, named: str) -> None:
    assert named in str(error_for(text))


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("example.com", "no port in"),
        ("example.com:99999", "out of range"),
        ("ftp://example.com:21", "unknown scheme"),
    ],
)
def test_a_bad_profile_target_is_named_with_the_reason(target: str, reason: str) -> None:
    error = error_for(f'[profiles.work]\ntarget = "{target}"')
    assert str(error).startswith(f"config.toml: profiles.work.target: {target!r} is not a target")
    assert reason in str(error)
    assert error.key == "profiles.work.target"


def test_an_unknown_key_is_named_with_the_known_ones() -> None:
    error = error_for('line_ending = "lf"\nline_endings = "crlf"')
    assert "unknown key line_endings (known: line_ending, encoding," in str(error)
    assert error.key == "line_endings"


def test_bad_toml_names_the_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", 'view = "dual"\n\ntheme = nord\n')
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{path}, line 3, column 9: ")
    assert caught.value.line == 3


def test_toml_cut_short_names_the_last_line() -> None:
    error = error_for('view = "dual"\ntheme = "nord')
    assert str(error).startswith("config.toml, line 2")
    assert error.line == 2


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'view = "dual"\ntheme = "caf\xe9"\n')
    with pytest.raises(SettingsError, match=r"line 2: not UTF-8 text") as caught:
        load_settings(path)
    assert caught.value.line == 2


def test_an_error_in_a_file_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "mine.toml", "history_size = 0\n")
    with pytest.raises(SettingsError, match=re.escape(f"{path}: history_size must")):
        load_settings(path)


# -- where the file is found ---------------------------------------------------------------


def test_the_default_file_is_config_toml_in_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "elsewhere"
    monkeypatch.setenv("TCPTUI_CONFIG_DIR", str(folder))
    write(folder / "config.toml", 'view = "text"\n')
    assert default_config_path() == folder / "config.toml"
    assert load_settings(None).view == "text"


def test_the_variable_beats_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(default_config_path(), 'view = "text"\n')
    chosen = write(tmp_path / "chosen.toml", 'view = "hex"\n')
    monkeypatch.setenv(CONFIG_PATH_VARIABLE, str(chosen))
    assert default_config_path() == chosen
    assert load_settings(None).view == "hex"


def test_an_explicit_path_beats_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_PATH_VARIABLE, str(write(tmp_path / "env.toml", 'view = "hex"\n')))
    explicit = write(tmp_path / "explicit.toml", 'view = "text"\n')
    assert load_settings(explicit).view == "text"


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    write(default_config_path(), 'syntax = "hex"\n')
    monkeypatch.setenv(CONFIG_PATH_VARIABLE, "")
    assert load_settings(None).syntax is Syntax.HEX


def test_a_named_file_that_is_missing_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "typo.toml"
    with pytest.raises(SettingsError, match=re.escape(f"{missing}: no such settings file")):
        load_settings(missing)
    monkeypatch.setenv(CONFIG_PATH_VARIABLE, str(missing))
    with pytest.raises(SettingsError, match=re.escape(f"{missing}: no such settings file")):
        load_settings(None)


def test_a_folder_instead_of_a_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=re.escape(f"cannot read {tmp_path}")):
        load_settings(tmp_path)


# -- rendering -----------------------------------------------------------------------------


def test_rendered_defaults_load_back_equal() -> None:
    text = render_settings(Settings())
    assert "line_ending = 'lf'" in text and "history_size = 1000" in text
    assert parse_settings(text) == Settings()


def test_every_key_renders_and_loads_back_equal(tmp_path: Path) -> None:
    settings = parse_settings(EVERY_KEY)
    path = write(tmp_path / "printed.toml", render_settings(settings))
    assert load_settings(path) == settings
    assert "'session.connect' = 'f2,ctrl+o'" in path.read_text()


targets = st.sampled_from(
    ["example.com:80", "tls://example.com", "[::1]:7", "tcp://localhost:8080", "bücher.example:1"]
)
names = st.text(min_size=1, max_size=12).filter(lambda name: name.strip()).filter(str.isprintable)
key_names = st.from_regex(r"(ctrl\+|shift\+)?[a-z0-9]{1,6}", fullmatch=True)
encodings = st.sampled_from(["utf-8", "iso8859-1", "cp437", "utf-16", "ascii", "shift_jis"])
profiles = st.builds(
    Profile,
    target=targets,
    tls=st.booleans(),
    timeout=st.none() | st.floats(min_value=0, max_value=3600, exclude_min=True),
    family=st.none() | st.sampled_from(Family),
    line_ending=st.none() | st.sampled_from(LineEnding),
    encoding=st.none() | encodings,
)
valid_settings = st.builds(
    Settings,
    line_ending=st.sampled_from(LineEnding),
    encoding=encodings,
    syntax=st.sampled_from(Syntax),
    view=st.sampled_from(["dual", "text", "hex"]),
    copy_format=st.sampled_from(CopyFormat),
    timestamps=st.sampled_from(["local", "utc", "relative"]),
    theme=names,
    clipboard_cap=st.integers(min_value=1, max_value=2**63 - 1),
    history_size=st.integers(min_value=1, max_value=10**9),
    ascii_only=st.booleans(),
    keymap=st.dictionaries(names, st.lists(key_names, min_size=1, max_size=3).map(",".join)),
    profiles=st.dictionaries(names, profiles, max_size=3),
)


@given(valid_settings)
def test_any_valid_settings_render_and_load_back_equal(settings: Settings) -> None:
    assert parse_settings(render_settings(settings)) == settings


# -- the example config --------------------------------------------------------------------


def test_the_example_config_documents_every_setting_at_its_default() -> None:
    assert parse_settings(EXAMPLE_CONFIG) == Settings()
    for name in Settings.__dataclass_fields__:
        assert re.search(rf"^(# )?\[?{name}\b", EXAMPLE_CONFIG, re.MULTILINE), name
    for name in Profile.__dataclass_fields__:
        assert re.search(rf"\b{name}\b", EXAMPLE_CONFIG), name


def test_the_example_configs_commented_lines_are_valid_when_uncommented() -> None:
    toml_line = re.compile(r'^# (\[[\w.]+\]|"?[\w.]+"? = .+)$')
    uncommented = "\n".join(
        match[1] if (match := toml_line.match(line)) else line
        for line in EXAMPLE_CONFIG.splitlines()
    )
    settings = parse_settings(uncommented)
    assert dict(settings.keymap) == {"session.connect": "f2,ctrl+o", "app.quit": "ctrl+q,f10"}
    assert set(settings.profiles) == {"web", "mail"}
    assert settings.profile("mail").connect_target() == parse_target("tls://mail.example.com:465")


def test_settings_load_without_textual() -> None:
    code = (
        "import json, sys; import tcptui.user_files.settings; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'rich'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_a_byte_order_mark_at_the_start_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b'\xef\xbb\xbfencoding = "latin-1"\n')
    assert load_settings(path).encoding == "iso8859-1"


@pytest.mark.parametrize("name", ["undefined", "utf-8\x00", "punycode", "rot13"])
def test_an_encoding_that_cannot_carry_text_is_refused(name: str) -> None:
    with pytest.raises(SettingsError, match="is not a text encoding tcptui can use"):
        parse_settings(f"encoding = {json.dumps(name)}\n")


def test_a_settings_file_over_one_mib_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    path.write_bytes(b"# " + b"x" * (1 << 20) + b"\n")
    with pytest.raises(SettingsError, match="it is larger than 1 MiB, too big to read"):
        load_settings(path)


def test_a_device_is_refused_without_reading_it(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="/dev/zero: it is a character device, not a regular"):
        load_settings(Path("/dev/zero"))
