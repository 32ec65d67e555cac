"""Bytes a hostile server might send, each named, to serve from a loopback PayloadServer.

Every case is something a terminal (or Rich/Textual markup) would obey if it reached it raw:
escape sequences that retitle the window, write the clipboard, switch screens or ring the
bell; bytes that are not valid UTF-8; characters that reorder or hide text; markup and
template syntax. `HOSTILE_PAYLOAD` joins them all, and ends with a short tail holding the
markers a test looks for on screen, so they are in view when the app follows the tail.
"""

from __future__ import annotations

from tests.helpers import MIB

SERVER_TITLE = "pwned-by-server-title"
"""The window title the server tries to set with OSC 0 (and OSC 2)."""
CLIPBOARD_SECRET = "stolen-clipboard-write"
"""What the server tries to put on the clipboard with OSC 52 (sent base64-encoded)."""
CLIPBOARD_SECRET_B64 = "c3RvbGVuLWNsaXBib2FyZC13cml0ZQ=="

ESCAPE_SEQUENCES: dict[str, bytes] = {
    "csi clear screen and home": b"\x1b[2J\x1b[H",
    "csi colours and cursor moves": b"\x1b[31;1;5m\x1b[10;10H\x1b[K\x1b[0m",
    "osc 0 title bel": b"\x1b]0;" + SERVER_TITLE.encode() + b"\x07",
    "osc 2 title st": b"\x1b]2;" + SERVER_TITLE.encode() + b"\x1b\\",
    "osc 52 clipboard bel": b"\x1b]52;c;" + CLIPBOARD_SECRET_B64.encode() + b"\x07",
    "osc 52 clipboard st": b"\x1b]52;c;" + CLIPBOARD_SECRET_B64.encode() + b"\x1b\\",
    "osc 8 hyperlink": b"\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "dcs request status": b"\x1bP1$r\x1b\\",
    "dcs tmux passthrough": b"\x1bPtmux;\x1b\x1b]0;" + SERVER_TITLE.encode() + b"\x07\x1b\\",
    "alternate screen on": b"\x1b[?1049h\x1b[?47h",
    "alternate screen off": b"\x1b[?1049l\x1b[?47l",
    "bracketed paste": b"\x1b[?2004h\x1b[200~rm -rf /\x1b[201~\x1b[?2004l",
    "cursor save restore": b"\x1b7\x1b8\x1b[s\x1b[u",
    "mouse tracking off": b"\x1b[?1000l\x1b[?1003l\x1b[?1006l",
    "hide cursor and reset": b"\x1b[?25l\x1bc",
    "device attributes query": b"\x1b[c\x1b[>c\x1b[6n",
}

CONTROL_BYTES: dict[str, bytes] = {
    "bel": b"\x07",
    "nul": b"\x00",
    "del": b"\x7f",
    "backspaces": b"abc\x08\x08\x08",
    "carriage return overwrite": b"visible\roverwritten",
    "c1 raw bytes": bytes(range(0x80, 0xA0)),
    "c1 as utf-8 code points": "".join(chr(code) for code in range(0x80, 0xA0)).encode(),
    "c1 csi as utf-8 then sgr": b"\xc2\x9b31m",
    "all 256 byte values": bytes(range(256)),
}

TRICKY_UTF8: dict[str, bytes] = {
    "overlong slash": b"\xc0\xaf",
    "overlong nul": b"\xc0\x80",
    "overlong three byte": b"\xe0\x80\xaf",
    "encoded surrogates": b"\xed\xa0\x80\xed\xbf\xbf",
    "beyond unicode": b"\xf4\x90\x80\x80\xf8\x88\x80\x80\x80",
    "lone continuation bytes": b"\x80\xbf",
    "truncated sequence": b"\xe2\x82",
    "bom": "\ufeffafter-bom".encode(),
    "rtl override": "abc\u202edcba\u202c".encode(),
    "rtl isolates and marks": "\u2067x\u2069\u200f\u200e".encode(),
    "zero-width joiners and spaces": "a\u200db\u200bc\u2060d\ufeff".encode(),
    "combining marks": ("e" + "\u0301" * 30 + "Z\u0336\u0335\u0334").encode(),
    "wide cjk": "日本語のテキスト한국어中文".encode(),
    "emoji zwj sequences": "👩‍👩‍👧‍👦 🏳️‍🌈 👨🏽‍💻".encode(),
    "line and paragraph separators": "a\u2028b\u2029c\x85d".encode(),
    "private use and unassigned": "\ue000\U000f0000\U0010fffd\u0378".encode(),
    "tag characters": "\U000e0041\U000e007f".encode(),
}

MARKUP: dict[str, bytes] = {
    "rich markup": b"[bold red]markup[/] [link=http://x]click[/link] [/]",
    "textual content markup": b"[$accent]x[/] [@click=app.quit]quit[/]",
    "template variables": b"$var ${HOME} {} {0} {name!r} %s %(x)s",
}

TAIL = (
    b"\nTAIL-MARKERS\n"
    b"\x1b]0;" + SERVER_TITLE.encode() + b"\x07\n"
    b"\xe2\x80\xae reversed\n"
    b"\x1b]52;c;" + CLIPBOARD_SECRET_B64.encode() + b"\x07\n"
    b"\x07\x1b[?1049l\n"
    b"END-OF-HOSTILE\n"
)
"""Last of the payload, a line each: OSC 0, an RTL override, OSC 52, BEL and leave-alt-screen."""

TAIL_MARKERS = ("TAIL-MARKERS", "\u241b]0;", "\\u{202E}", "\u241b]52;c;", "END-OF-HOSTILE")
"""What the tail looks like in the text view: the visible stand-ins for what it holds."""

CASES: dict[str, bytes] = ESCAPE_SEQUENCES | CONTROL_BYTES | TRICKY_UTF8 | MARKUP
HOSTILE_PAYLOAD = b"\r\n".join(CASES.values()) + TAIL

HUGE_LINE_SIZE = 10 * MIB


def huge_line(size: int = HUGE_LINE_SIZE) -> bytes:
    """One line of `size` bytes with no newline: ASCII text with an escape sequence inside."""
    unit = b"0123456789abcdef" * 4 + b"\x1b[2J"
    return (unit * (size // len(unit) + 1))[:size]
