"""Files and arguments from outside are accepted or refused with one sentence: never a crash.

Session files (mutated, with crafted metadata, with lengths that lie), settings, snippets and
keymap files, and command lines are fuzzed with hypothesis (deadline on, so a hang fails).
Each reader may raise only its own error type, which the CLI or UI shows as a sentence. The
worst cases also run in a child process under a memory limit and a timeout, through the real
command line: one line on stderr, exit status 2, no traceback.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tcptui.capture.events import EventKind
from tcptui.capture.session_file import (
    END,
    END_KIND,
    EVENT_KIND,
    MAX_EVENT,
    RECORD,
    CorruptSessionFileError,
    SessionFileError,
    SessionMeta,
    open_intact_session,
    open_session,
    save_session,
)
from tcptui.capture.store import Capture, Direction
from tcptui.cli import parse_args
from tcptui.ui.keymap_check import KeymapError, check_keymap
from tcptui.user_files.settings import SettingsError, load_settings
from tcptui.user_files.snippets import SnippetFileError, load_snippets

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_MS = 3000
MEMORY_LIMIT = 1 << 30
"""Address space a child may use: a whole 1 TB record, or a thousand copies of a line, won't fit."""

fuzz = settings(
    max_examples=300, deadline=DEADLINE_MS, suppress_health_check=[HealthCheck.too_slow]
)

MARKUP = [
    "[@click=app.quit]X[/]",
    "[/]",
    "[link=https://evil.example]x[/link]",
    "[b",
    "\x1b]0;t\x07",
]


def valid_session() -> bytes:
    """A small valid session file, with events before, between and after its chunks."""
    capture = Capture()
    capture.add_event(EventKind.CONNECTED, "127.0.0.1:1 → 127.0.0.1:2 in 0.1 ms")
    for number, data in enumerate([b"hello\r\n", b"\x00\xff" * 40, b"bye"]):
        capture.append(Direction(number % 2), data)
        if number == 0:
            capture.add_event(EventKind.TLS_STARTED, "TLSv1.3 TLS_AES_128_GCM_SHA256")
    capture.add_event(EventKind.CLOSED, "closed by you")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.tcptui"
        save_session(capture, path, SessionMeta(target="example.com:80"))
        raw = path.read_bytes()
    capture.close()
    return raw


VALID = valid_session()


def session_bytes(meta: dict[str, object]) -> bytes:
    """VALID with its metadata line replaced by `meta`."""
    first, _, rest = VALID.split(b"\n", 2)
    return first + b"\n" + json.dumps(meta).encode() + b"\n" + rest


def open_bytes(raw: bytes) -> None:
    """Opens `raw` as a session file: it must load (cut short or not: one sentence says what
    was lost) or raise a SessionFileError with a message."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.tcptui"
        path.write_bytes(raw)
        try:
            capture, _, cut_short = open_intact_session(path, spool_dir=folder)
        except SessionFileError as exc:
            assert str(exc) and "\n" not in str(exc)
            return
        if cut_short is not None:
            assert "\n" not in cut_short.sentence() and capture.events[-1].detail
        capture.close()


mutation = st.tuples(
    st.sampled_from(["flip", "cut", "insert", "overwrite"]),
    st.integers(min_value=0, max_value=len(VALID) - 1),
    st.binary(min_size=1, max_size=16),
)


@fuzz
@given(st.lists(mutation, min_size=1, max_size=4))
def test_a_mutated_session_file_opens_or_is_refused_with_a_sentence(
    mutations: list[tuple[str, int, bytes]],
) -> None:
    raw = bytearray(VALID)
    for kind, where, data in mutations:
        where = min(where, len(raw))
        if kind == "flip" and where < len(raw):
            raw[where] ^= data[0] or 1
        elif kind == "cut":
            del raw[where:]
        elif kind == "insert":
            raw[where:where] = data
        else:
            raw[where : where + len(data)] = data
    open_bytes(bytes(raw))


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.sampled_from(MARKUP)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=20,
)
metadata_keys = st.sampled_from(
    ["target", "resolved", "remote", "local", "started_at", "tls", "end_reason", "unknown"]
)


@fuzz
@given(st.dictionaries(metadata_keys, json_values, max_size=5))
@example({"target": "[@click=app.quit]X[/]", "tls": {"a": [[[[[]]]]]}})
def test_crafted_metadata_is_read_or_refused_with_a_sentence(meta: dict[str, object]) -> None:
    open_bytes(session_bytes(meta))


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deeply_nested_metadata_is_refused_with_a_sentence(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    nested = '{"tls": ' + opener * depth + "1" * (opener != "[") + closer * depth + "}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "deep.tcptui"
        path.write_bytes(b"TCPTUI-SESSION 1\n" + nested.encode() + b"\n" + VALID[-21:])
        with pytest.raises(SessionFileError, match="nests deeper than 32"):
            open_session(path)


def header() -> bytes:
    return b"TCPTUI-SESSION 1\n{}\n"


@fuzz
@given(
    st.integers(min_value=0, max_value=(1 << 64) - 1),
    st.sampled_from([0, 1, 2, 7, 254, 255]),
    st.binary(max_size=64),
)
@example(1 << 40, 0, b"")
@example((1 << 64) - 1, 1, b"x" * 64)
def test_a_record_length_that_lies_is_cut_short_or_refused_without_reading_it(
    length: int, kind: int, tail: bytes
) -> None:
    open_bytes(header() + RECORD.pack(kind, 0, 0, length) + tail)


@fuzz
@given(st.integers(min_value=0, max_value=(1 << 64) - 1), st.integers(0, (1 << 64) - 1))
def test_an_end_record_that_lies_is_refused(chunks: int, total: int) -> None:
    data = b"payload"
    raw = header() + RECORD.pack(0, 0, 0, len(data)) + data
    raw += bytes([END_KIND]) + END.pack(chunks, total, zlib.crc32(data))
    open_bytes(raw)


def event_file(fields: object, length: int | None = None, chunks_before: int = 0) -> bytes:
    """A version 2 file: `chunks_before` one-byte chunks, then an event record holding
    `fields` as JSON (claiming `length` bytes if given), then one more chunk and the end."""
    data = json.dumps(fields).encode()
    raw = b"TCPTUI-SESSION 2\n{}\n"
    raw += (RECORD.pack(0, 0, 0, 1) + b"x") * chunks_before
    raw += RECORD.pack(EVENT_KIND, 0, 0, len(data) if length is None else length) + data
    raw += RECORD.pack(1, 0, 0, 1) + b"y"
    crc = zlib.crc32(b"x" * chunks_before + b"y")
    return raw + bytes([END_KIND]) + END.pack(chunks_before + 1, chunks_before + 1, crc)


@fuzz
@given(
    st.one_of(st.sampled_from([kind.value for kind in EventKind]), json_values),
    st.one_of(st.text(max_size=40), json_values),
    st.one_of(st.integers(), json_values),
    st.integers(min_value=0, max_value=3),
)
@example("connected", "[@click=app.quit]X[/]", 0, 0)
@example("tls-started", "x", 2, 2)
def test_a_crafted_event_record_is_read_or_refused_with_a_sentence(
    kind: object, detail: object, position: object, chunks_before: int
) -> None:
    open_bytes(
        event_file({"event": kind, "detail": detail, "before_chunk": position}, None, chunks_before)
    )


@fuzz
@given(st.integers(min_value=0, max_value=(1 << 64) - 1), st.binary(max_size=64))
@example(1 << 40, b"")
@example(MAX_EVENT + 1, b"{}")
def test_an_event_record_length_that_lies_is_cut_short_or_refused_without_reading(
    length: int, tail: bytes
) -> None:
    raw = b"TCPTUI-SESSION 2\n{}\n" + RECORD.pack(EVENT_KIND, 0, 0, length) + tail
    open_bytes(raw)


@pytest.mark.parametrize(
    ("fields", "chunks_before", "sentence"),
    [
        ({"event": "teleported", "detail": "", "before_chunk": 0}, 0, "unknown kind"),
        ({"event": "closed", "detail": 7, "before_chunk": 0}, 0, "detail is not text"),
        ({"event": "closed", "detail": "\ud800", "before_chunk": 0}, 0, "detail is not text"),
        ({"event": "closed", "detail": "", "before_chunk": 5}, 0, "before chunk 5, but stands"),
        ({"event": "closed", "detail": "", "before_chunk": 0}, 2, "before chunk 0, but stands"),
        ({"event": "closed", "detail": "", "before_chunk": True}, 1, "before chunk True"),
        (["closed", "", 0], 0, "not a JSON object"),
        ({"event": "closed", "detail": "x" * MAX_EVENT, "before_chunk": 0}, 0, "at most 65,536"),
    ],
    ids=[
        "kind",
        "detail-type",
        "lone-surrogate",
        "past-the-chunks",
        "out-of-order",
        "bool-position",
        "list",
        "huge",
    ],
)
def test_a_bad_event_record_is_refused_with_a_sentence_naming_the_record(
    tmp_path: Path, fields: object, chunks_before: int, sentence: str
) -> None:
    path = tmp_path / "bad-event.tcptui"
    path.write_bytes(event_file(fields, chunks_before=chunks_before))
    with pytest.raises(CorruptSessionFileError, match=f"record {chunks_before} .*{sentence}"):
        open_session(path)


def limited_child(code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Python running `code` with at most MEMORY_LIMIT of address space and `timeout` s."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=limit,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_a_terabyte_record_in_a_sparse_file_is_refused_within_a_memory_limit(
    tmp_path: Path,
) -> None:
    """The file really is over a terabyte (sparse), so the record fits in it as declared."""
    path = tmp_path / "sparse.tcptui"
    with path.open("wb") as out:
        out.write(header() + RECORD.pack(0, 0, 0, 1 << 40))
        try:
            out.truncate(out.tell() + (1 << 40) + 8)
        except OSError:
            pytest.skip("this file system cannot hold a sparse 1 TB file")
    result = limited_child(
        "import sys; from tcptui.cli import main; sys.exit(main(sys.argv[1:]))",
        "--open",
        str(path),
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("tcptui: ")


# -- settings, snippets and keymap files ---------------------------------------------------------

toml_pieces = st.sampled_from(
    [
        "encoding = ", "'undefined'", '"utf-8\\u0000"', "'rot13'", "'latin-1'", "line_ending = ",
        "'crlf'", "history_size = ", "0", "-1", "1e400", "inf", "nan", "[keymap]\n",
        '"app.quit" = ', "'notakey'", "'f2,f2'", "'ctrl+q'", "'?'", "[profiles.x]\n",
        "target = ", "'[::1:80'", "'h:99999'", "timeout = ", "1e308", "\n", "\ufeff", "\x00",
        "[", "]", "= ", '"', "'", "[[a]]\n", "x = {a = {b = {c = 1}}}\n", "ascii_only = true\n",
    ]
)  # fmt: skip
toml_file = st.one_of(
    st.binary(max_size=200),
    st.lists(toml_pieces, max_size=12).map(lambda parts: "".join(parts).encode("utf-8", "replace")),
)


@fuzz
@given(toml_file)
@example(b"\xef\xbb\xbfencoding = 'latin-1'\n")
@example(b"[keymap]\n'app.quit' = 'notakey'\n")
def test_a_settings_file_loads_or_is_refused_with_a_settings_error(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_bytes(content)
        try:
            loaded = load_settings(path)
        except SettingsError as exc:
            assert str(exc) and "Traceback" not in str(exc)
            return
    "x".encode(loaded.encoding, "replace")
    b"\xff".decode(loaded.encoding, "replace")
    try:
        check_keymap(loaded.keymap)
    except KeymapError as exc:
        assert str(exc).startswith("keymap: ")


@pytest.mark.parametrize("kind", ["fifo", "device", "huge", "folder"])
def test_unsuitable_settings_and_snippets_files_are_refused_at_once(
    tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "file.toml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/zero")
    elif kind == "huge":
        with path.open("wb") as out:
            out.truncate(1 << 30)  # sparse: a gigabyte of NULs that must not be read
    else:
        path.mkdir()
    with pytest.raises(SettingsError, match=f"cannot read {path}: it is "):
        load_settings(path)
    with pytest.raises(SnippetFileError, match=f"cannot read {path}: it is "):
        load_snippets(path)


# -- the command line ----------------------------------------------------------------------------

cli_words = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "--proxy", "http://[::1:1080", "socks5://a:b@[zz]:1", "http://h:0", "--config",
            "/dev/zero", "/dev/null", "fifo", "--open", "--save", "", "deep.tcptui", "--keylog",
            "no/such/dir/keys", "--print-config", "--listen", "[::1]:0", "example.com", "80",
            "--tls", "--cafile", "--cert", "-k", "--alpn", ",", "--tls-min", "1.3", "--demo",
        ]
    ),
)  # fmt: skip


@fuzz
@given(st.lists(cli_words, max_size=6))
@example(["--open", "fifo"])
@example(["--config", "fifo", "--print-config"])
@example(["--save", "fifo", "h", "1"])
@example(["--open", "deep.tcptui"])
def test_a_command_line_naming_odd_files_is_parsed_or_refused_with_usage(
    argv: list[str],
) -> None:
    """Run in a folder holding a FIFO and a deep session file; parsing must not block on them."""
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        os.mkfifo("fifo")
        Path("deep.tcptui").write_bytes(b"TCPTUI-SESSION 1\n" + b"[" * 50_000 + b"\n")
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                parse_args(argv)
        except SystemExit as exc:
            if exc.code == 2:
                assert err.getvalue().count("tcptui: error:") == 1
            else:
                assert exc.code == 0 and out.getvalue()
