"""Received bytes become inert, visible pieces, and no byte goes missing."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcptui.codec.safe_text import Piece, ascii_only, render_text, safe_label

ENCODINGS = ["utf-8", "latin-1", "cp1252", "ascii", "shift_jis", "utf-16", "cp437"]
_PICTURES = {chr(0x2400 + code): code for code in range(0x20)} | {"\u2421": 0x7F}
_NAMED = {"\\r": 0x0D, "\\n": 0x0A, "\\t": 0x09, "\\\\": 0x5C}
_ESCAPE_TOKEN = re.compile(r"\\[rnt\\]|.", re.DOTALL)


def decode_rendered(pieces: list[Piece]) -> bytes:
    """Undoes a UTF-8 rendering, proving it lost nothing."""
    out = bytearray()
    for piece in pieces:
        if piece.kind == "text":
            out += piece.text.encode("utf-8")
        elif piece.kind == "escape":
            for token in _ESCAPE_TOKEN.findall(piece.text):
                out.append(_NAMED.get(token) or _PICTURES[token])
        elif piece.kind == "invalid":
            out += bytes.fromhex(piece.text.replace("\\x", ""))
        else:
            codes = re.findall(r"\\u\{([0-9A-F]{4,6})\}", piece.text)
            out += "".join(chr(int(code, 16)) for code in codes).encode("utf-8")
    return bytes(out)


def test_printable_ascii_is_one_text_piece() -> None:
    assert render_text(b"HTTP/1.1 200 OK") == [Piece("HTTP/1.1 200 OK", "text", 15)]


def test_a_backslash_byte_is_doubled_so_a_cr_byte_never_looks_like_backslash_r() -> None:
    backslash_r = render_text(b"A\\rB\r")
    cr = render_text(b"A\rB\r")
    assert "".join(piece.text for piece in backslash_r) == "A\\\\rB\\r"
    assert "".join(piece.text for piece in cr) == "A\\rB\\r"
    assert Piece("\\\\", "escape", 1) in backslash_r
    for encoding in ("latin-1", "cp437"):
        assert "".join(p.text for p in render_text(b"\\r", encoding)) == "\\\\r"
    plain_ascii = "".join(piece.text for piece in ascii_only(backslash_r))
    assert plain_ascii == "A\\\\rB\\r"


def test_cr_lf_and_tab_are_shown_as_two_character_escapes() -> None:
    assert render_text(b"a\tb\r\n") == [
        Piece("a", "text", 1),
        Piece("\\t", "escape", 1),
        Piece("b", "text", 1),
        Piece("\\r\\n", "escape", 2),
    ]


def test_terminal_escape_sequences_are_defused() -> None:
    assert render_text(b"\x1b]52;c;aGk=\x07\x1b[2J") == [
        Piece("\u241b", "escape", 1),
        Piece("]52;c;aGk=", "text", 10),
        Piece("\u2407\u241b", "escape", 2),
        Piece("[2J", "text", 3),
    ]


@pytest.mark.parametrize(
    ("byte", "picture"), [(0x00, "\u2400"), (0x08, "\u2408"), (0x1F, "\u241f"), (0x7F, "\u2421")]
)
def test_other_controls_and_del_become_control_pictures(byte: int, picture: str) -> None:
    assert render_text(bytes([byte])) == [Piece(picture, "escape", 1)]


def test_invalid_utf8_bytes_are_shown_as_escapes() -> None:
    assert render_text(b"ok\xff\xfe!\xc3") == [
        Piece("ok", "text", 2),
        Piece("\\xff\\xfe", "invalid", 2),
        Piece("!", "text", 1),
        Piece("\\xc3", "invalid", 1),
    ]


def test_utf8_encoded_surrogates_are_invalid_bytes() -> None:
    assert render_text(b"\xed\xa0\x80") == [Piece("\\xed\\xa0\\x80", "invalid", 3)]


@pytest.mark.parametrize(
    "code",
    [0x80, 0x85, 0x9B, 0x9F, 0xA0, 0xAD, 0x378, 0xE000, 0xFEFF, 0x2028, 0x2029, 0xE0001]
    + list(range(0x200B, 0x2010))
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A)),
)
def test_invisible_and_bidi_code_points_are_shown_as_special(code: int) -> None:
    char = chr(code)
    assert render_text(char.encode("utf-8")) == [
        Piece(f"\\u{{{code:04X}}}", "special", len(char.encode("utf-8")))
    ]


def test_accented_wide_and_emoji_text_stays_readable() -> None:
    text = "café 日本語 😀"
    assert render_text(text.encode("utf-8")) == [Piece(text, "text", len(text.encode("utf-8")))]


def test_other_encodings_decode_their_own_characters() -> None:
    assert render_text("Grüße".encode("cp1252"), "cp1252") == [Piece("Grüße", "text", 5)]
    assert render_text("日本".encode("shift_jis"), "shift_jis") == [Piece("日本", "text", 4)]


def test_bytes_another_encoding_cannot_decode_are_shown_as_escapes() -> None:
    assert render_text(b"a\x81b\x90", "cp1252") == [
        Piece("a", "text", 1),
        Piece("\\x81", "invalid", 1),
        Piece("b", "text", 1),
        Piece("\\x90", "invalid", 1),
    ]
    assert render_text(b"\x82", "shift_jis") == [Piece("\\x82", "invalid", 1)]


def test_bytes_a_codec_consumes_silently_are_still_shown() -> None:
    assert render_text(b"\xff\xfeA\x00", "utf-16") == [
        Piece("\\xff\\xfe", "escape", 2),
        Piece("A", "text", 2),
    ]


def test_unknown_encoding_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        render_text(b"x", "no-such-codec")


def test_a_mebibyte_of_binary_is_rendered_completely() -> None:
    data = bytes(range(256)) * 4096
    pieces = render_text(data)
    assert sum(piece.source_len for piece in pieces) == len(data)
    assert decode_rendered(pieces) == data


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_rendered_utf8_decodes_back_to_the_received_bytes(data: bytes) -> None:
    assert decode_rendered(render_text(data)) == data


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.text(max_size=100).map(str.encode)))
def test_every_character_shown_is_printable(data: bytes) -> None:
    shown = "".join(piece.text for piece in render_text(data))
    assert all(char.isprintable() for char in shown)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=100), st.sampled_from(ENCODINGS))
def test_every_received_byte_is_accounted_for_in_any_encoding(data: bytes, encoding: str) -> None:
    pieces = render_text(data, encoding)
    assert sum(piece.source_len for piece in pieces) == len(data)
    assert all(char.isprintable() for piece in pieces for char in piece.text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=100), st.sampled_from(ENCODINGS))
def test_neighbouring_pieces_always_differ_in_kind(data: bytes, encoding: str) -> None:
    kinds = [piece.kind for piece in render_text(data, encoding)]
    assert all(left != right for left, right in zip(kinds, kinds[1:], strict=False))


@given(st.binary(max_size=200))
def test_ascii_only_mode_keeps_every_byte_and_uses_only_printable_ascii(data: bytes) -> None:
    pieces = ascii_only(render_text(data))
    text = "".join(piece.text for piece in pieces)
    assert text.isascii() and text.isprintable()
    assert sum(piece.source_len for piece in pieces) == len(data)


def test_ascii_only_mode_spells_out_controls_and_unicode() -> None:
    text = "".join(p.text for p in ascii_only(render_text("\x1b[1m\x00é😀\r\n".encode())))
    assert text == "\\e[1m\\x00\\u{00E9}\\u{1F600}\\r\\n"


def test_a_label_with_a_lone_surrogate_shows_escapes_instead_of_raising() -> None:
    """A JSON `\\ud800` in a session file's metadata, or a script's string: not UTF-8, so
    shown as escapes; a byte a file name held (surrogate escape) is that byte again."""
    assert safe_label("a\ud800b") == "a\\xed\\xa0\\x80b"
    assert safe_label("name\udcff") == "name\\xff"
