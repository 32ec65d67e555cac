"""Whatever a person types or edits is accepted or refused with a message: never a crash.

Each parser of user input is fuzzed with hypothesis (deadline on, so a hang fails too) and
may raise only its own error type, which the UI shows as a sentence. Anything else would
escape the UI's handler and take the app down.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tcptui.capture.search import SearchMode, compile_pattern
from tcptui.cli import parse_args
from tcptui.codec.composer_syntax import Syntax, parse_composer
from tcptui.codec.errors import CodecError
from tcptui.net.target import TargetError, parse_target
from tcptui.ui.composer import Composer
from tcptui.user_files.snippets import SnippetFileError, load_snippets

DEADLINE_MS = 2000
TEXT_ENCODINGS = ["utf-8", "latin-1", "ascii", "cp1252", "utf-16", "utf-16-le", "shift_jis"]

fuzz = settings(max_examples=400, deadline=DEADLINE_MS)

target_pieces = st.sampled_from(
    [
        "tcp://", "tls://", "udp://", "[", "]", ":", "::1", "[::1]", "%eth0", "127.0.0.1",
        "example.com", "bücher.example", "xn--", ".", "..", "/", "@", " ", "\t", "\x00",
        "80", "0", "65535", "65536", "-1", "http", "smtp", "٣", "²", "0x50", "\ud800", "é",
    ]
)  # fmt: skip
target_text = st.one_of(
    st.text(max_size=60),
    st.lists(target_pieces, max_size=6).map("".join),
)


@fuzz
@given(target_text, st.one_of(st.none(), target_text), st.booleans())
@example("host:80", None, False)
def test_target_parser_accepts_or_refuses_with_a_target_error(
    text: str, port: str | None, tls: bool
) -> None:
    try:
        target = parse_target(text, port, tls=tls)
    except TargetError as exc:
        assert type(exc) is TargetError and str(exc)
        return
    assert 1 <= target.port <= 65535
    assert target.host.isascii() and target.host


@pytest.mark.parametrize("port", ["²", "80²", "①", "\x00", "ht\x00tp"])
def test_a_port_of_unicode_digits_is_refused_with_a_target_error(port: str) -> None:
    with pytest.raises(TargetError):
        parse_target("example.com", port)


cli_words = st.one_of(
    target_text,
    st.sampled_from(
        [
            "-4", "-6", "--timeout", "0", "3601", "nan", "inf", "-1", "--eol", "crlf", "bogus",
            "--listen", "0.0.0.0:8080", "[::1]:0", "--retry", "--forever", "--save", "--open",
            "--demo", "--nodelay", "--keepalive", "--", "-", "--help", "--version",
        ]
    ),
)  # fmt: skip


@fuzz
@given(st.lists(cli_words, max_size=6))
@example(["--timeout", "nan"])
@example(["--listen", "host:99999"])
def test_command_line_is_parsed_or_refused_with_usage(argv: list[str]) -> None:
    """argparse exits 2 with a message for bad input (0 for --help/--version); nothing else."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            parse_args(argv)
    except SystemExit as exc:
        if exc.code == 2:
            assert "tcptui: error:" in err.getvalue()
        else:
            assert exc.code == 0 and out.getvalue()


def test_a_unicode_digit_port_on_the_command_line_is_a_usage_error() -> None:
    with contextlib.redirect_stderr(io.StringIO()), pytest.raises(SystemExit) as exited:
        parse_args(["example.com", "²"])
    assert exited.value.code == 2


composer_text = st.one_of(
    st.text(max_size=80),
    st.lists(
        st.sampled_from(
            [
                "\\", "\\x", "\\xzz", "\\x4", "\\x41", "\\u{", "\\u{}", "\\u{110000}",
                "\\u{d800}", "\\u{1F600}", "\\e", "\\q", "{", "}", "{de ad}", "{zz}", "\\{",
                "0x", "0xde,", "de:ad", "dea", "é", "日", "\ud800", " ", "\n",
            ]
        ),
        max_size=10,
    ).map("".join),
)  # fmt: skip


@fuzz
@given(composer_text, st.sampled_from(Syntax), st.sampled_from(TEXT_ENCODINGS))
def test_composer_syntax_gives_bytes_or_a_codec_error(
    text: str, syntax: Syntax, encoding: str
) -> None:
    try:
        data = parse_composer(text, syntax, encoding)
    except CodecError as exc:
        assert exc.message
        assert exc.column is None or 1 <= exc.column <= len(text) + 1
        return
    assert isinstance(data, bytes)


@pytest.mark.parametrize("codec", ["rot13", "hex", "base64", "zlib"])
def test_a_codec_that_is_not_a_text_encoding_is_refused(codec: str) -> None:
    composer = Composer()
    assert composer.set_encoding(codec) is not None, "accepted a non-text codec"
    assert composer.encoding == "utf-8"


def test_a_text_encoding_is_accepted_by_the_composer() -> None:
    composer = Composer()
    assert composer.set_encoding("Latin-1") is None
    assert composer.encoding == "iso8859-1"


toml_fragments = st.sampled_from(
    [
        "[[snippet]]\n", "[snippet]\n", "[other]\n", "name = 'a'\n", 'name = "a"\n',
        "name = ''\n", "name = 1\n", "text = 'x'\n", 'text = """\nmulti\n"""\n',
        "syntax = 'hex'\n", "syntax = 'nope'\n", "line_ending = 'crlf'\n",
        "line_ending = 'x'\n", "extra = true\n", "snippet = 3\n", "snippet = [1, 2]\n",
        "= broken\n", "name = 'a\n", "\ufeff", "\x00", "# comment\n", "[[snippet]\n",
        "name = 1979-05-27\n", "text = {a = 1}\n", "\n",
    ]
)  # fmt: skip
snippet_file = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.lists(toml_fragments, max_size=12).map(lambda parts: "".join(parts).encode()),
)


@fuzz
@given(snippet_file)
def test_snippet_file_loads_or_is_refused_with_a_snippet_file_error(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "snippets.toml"
        path.write_bytes(content)
        try:
            snippets = load_snippets(path)
        except SnippetFileError as exc:
            assert str(exc)
            return
    assert all(snippet.name.strip() for snippet in snippets)
    assert len({snippet.name for snippet in snippets}) == len(snippets)


search_text = st.one_of(
    st.text(max_size=40),
    st.lists(
        st.sampled_from(
            [
                "(", ")", "[", "]", "{", "}", "*", "+", "?", "??", "\\", "\\x", "\\u", "a",
                "de", "ad", "0", " ", "|", "^", "$", "(?P<n>", "(?<=", "\ud800", "é", "日",
            ]
        ),
        max_size=12,
    ).map("".join),
)  # fmt: skip


@fuzz
@given(search_text, st.sampled_from(SearchMode), st.sampled_from(TEXT_ENCODINGS))
@pytest.mark.filterwarnings("ignore::FutureWarning")  # re warns about '[[' and the like
def test_search_pattern_compiles_or_is_refused_with_a_codec_error(
    text: str, mode: SearchMode, encoding: str
) -> None:
    try:
        pattern = compile_pattern(text, mode, encoding)
    except CodecError as exc:
        assert exc.message
        return
    assert (pattern.literal is None) != (pattern.regex is None)


@pytest.mark.parametrize(
    "text", ["a{4294967296}", "x{99999999999999999999}", "(" * 2000 + ")" * 2000, "\ud800"]
)
def test_regex_the_engine_cannot_compile_is_refused_with_a_codec_error(text: str) -> None:
    with pytest.raises(CodecError):
        compile_pattern(text, SearchMode.REGEX)
