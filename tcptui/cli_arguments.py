"""The command line's grammar: every option, its help and the examples `tcptui --help` shows.

Checking what the options mean together (and building the launch configuration from them) is
cli.py's; here is only what argparse is told.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from tcptui import __version__
from tcptui.cli_export import CliExportFormat
from tcptui.codec.composer_syntax import LineEnding
from tcptui.codec.safe_text import safe_label
from tcptui.net.target import Family
from tcptui.net.tls import TlsVersion
from tcptui.user_files.setting_values import MAX_TIMEOUT

EXAMPLES = """\
examples:
  tcptui example.com 80          connect, type 'GET / HTTP/1.0' and Enter twice
  tcptui [::1]:7 --eol crlf      IPv6 literal, CRLF line endings
  tcptui tcp://localhost:smtp    service names work as ports
  tcptui tls://example.com       TLS on port 443, verified against the system's CAs
  tcptui tls://h:8443 --cafile ca.pem --alpn h2,http/1.1
  tcptui tls://example.com --proxy socks5://127.0.0.1:1080
  tcptui @web                    the connection [profiles.web] in the settings file describes
  tcptui --listen 8443 --tls --cert server.pem --key server.key
                                 be a TLS server; each client gets a tab
  tcptui --demo                  a built-in local echo server: no network needed
  tcptui --open s.tcptui --export /dev/stdout --group line
                                 a saved session's lines as JSON, no UI (e.g. for jq)
  tcptui                         open the app with the connection form ready
"""


class ArgumentParser(argparse.ArgumentParser):
    """argparse's, saying its errors safely: they quote what was typed (a file name, a host),
    and a control character in it (an escape sequence, a NUL) is shown, never sent raw."""

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message is not None:
            message = "\n".join(map(safe_label, message.split("\n")))
        super().exit(status, message)


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="tcptui",
        description="Poke at TCP servers by hand: type bytes, see exactly what comes back.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "target",
        nargs="?",
        help="HOST:PORT, [IPv6]:PORT, tcp://HOST:PORT, tls://HOST:PORT, HOST followed by PORT, "
        "or @NAME for a profile in the settings file",
    )
    parser.add_argument("port", nargs="?", help="port number or service name (e.g. 80, http)")
    family = parser.add_mutually_exclusive_group()
    family.add_argument(
        "-4", dest="family", action="store_const", const=Family.IPV4, help="use IPv4 addresses only"
    )
    family.add_argument(
        "-6", dest="family", action="store_const", const=Family.IPV6, help="use IPv6 addresses only"
    )
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=None,
        metavar="SECONDS",
        help="seconds to wait for each connect attempt (default: 10)",
    )
    parser.add_argument(
        "--nodelay", action="store_true", help="set TCP_NODELAY: send small writes at once"
    )
    parser.add_argument(
        "--keepalive", action="store_true", help="set SO_KEEPALIVE on the connection"
    )
    parser.add_argument(
        "--eol",
        type=LineEnding,
        choices=list(LineEnding),
        default=None,
        help="line ending appended when you press Enter (default: lf, as nc, or the settings')",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start a built-in echo server on 127.0.0.1 and connect to it",
    )
    parser.add_argument(
        "--listen",
        metavar="[HOST:]PORT",
        help="be the server: listen on PORT (127.0.0.1 unless HOST is given, e.g. 0.0.0.0:8080)",
    )
    parser.add_argument(
        "--max-clients",
        type=client_count,
        default=None,
        metavar="N",
        help="with --listen: hold at most N clients at once, close and count the rest "
        "(default: 100, or the settings' listen.max_clients)",
    )
    parser.add_argument(
        "--retry",
        type=int,
        default=0,
        metavar="N",
        help="reconnect up to N times, waiting longer each time, when the connection ends",
    )
    parser.add_argument(
        "--forever", action="store_true", help="reconnect, with back-off, until you press F3"
    )
    parser.add_argument(
        "--save",
        metavar="FILE",
        help="write every received byte to FILE as it arrives (like nc > FILE)",
    )
    parser.add_argument(
        "--open",
        dest="open_file",
        metavar="FILE",
        help="open a saved session file (ctrl+s saves one) instead of connecting; a file "
        "cut short opens with every record that is intact, and a note of what was lost",
    )
    parser.add_argument(
        "--export",
        metavar="PATH",
        help="with --open: write the session's messages (as --group cuts them) to PATH and "
        "exit, without the UI: JSON lines (PATH may be /dev/stdout), or a new folder with "
        "--export-format files; exit status 0 when written, 1 when not, 3 when written from "
        "a file cut short (what of it is intact)",
    )
    parser.add_argument(
        "--export-format",
        choices=[fmt.value for fmt in CliExportFormat],
        default=CliExportFormat.JSON_LINES.value,
        help="what --export writes: jsonl (a JSON object per message and per connection "
        "event; the default) or files (a file per message: 0001-sent.bin, …)",
    )
    parser.add_argument(
        "--responders",
        metavar="FILE",
        help="answer received data by the [[responder]] rules in FILE (TOML); with --listen, "
        "a mock server",
    )
    parser.add_argument(
        "--run",
        metavar="FILE",
        help="run the [[step]] sequence in FILE (TOML) once connected",
    )
    add_tls_arguments(parser)
    parser.add_argument(
        "--proxy",
        metavar="URL",
        help="connect through a proxy: socks5://[USER:PASS@]HOST:PORT, socks4://, socks4a://, "
        "http:// (CONNECT); the proxy resolves the target's name (not with socks4://)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="read settings from FILE (default: $TCPTUI_CONFIG, else config.toml in the "
        "config folder)",
    )
    parser.add_argument(
        "--group",
        metavar="SPEC",
        help="how the log groups bytes into blocks: stream (default), chunk, line, "
        "delimiter:HEX, length:SPEC (e.g. length:u16be) or fixed:N (setting group)",
    )
    parser.add_argument(
        "--ascii",
        action="store_true",
        help="draw with ASCII characters only (for terminals without Unicode)",
    )
    parser.add_argument(
        "--print-config", action="store_true", help="print the settings in effect as TOML and exit"
    )
    parser.add_argument("--version", action="version", version=f"tcptui {__version__}")
    return parser


def add_tls_arguments(parser: argparse.ArgumentParser) -> None:
    tls = parser.add_argument_group(
        "TLS (for tls:// targets, --tls, and STARTTLS; with --listen, --tls serves TLS)"
    )
    tls.add_argument(
        "--tls",
        action="store_true",
        help="speak TLS (the same as tls://); with --listen, every client must (needs --cert)",
    )
    tls.add_argument(
        "--cafile",
        metavar="FILE",
        help="trust only the CA certificates in FILE (PEM); with --listen --tls, require "
        "client certificates they issued",
    )
    tls.add_argument(
        "--insecure",
        "-k",
        action="store_true",
        help="do not verify the server's certificate at all (shown as a warning)",
    )
    sni = tls.add_mutually_exclusive_group()
    sni.add_argument(
        "--sni", metavar="NAME", help="send NAME as SNI and verify the certificate against it"
    )
    sni.add_argument(
        "--no-sni", action="store_true", help="send no SNI (the name is still verified)"
    )
    tls.add_argument("--alpn", metavar="LIST", help="offer these ALPN protocols, e.g. h2,http/1.1")
    versions = [version.value for version in TlsVersion]
    tls.add_argument("--tls-min", choices=versions, help="lowest TLS version to accept")
    tls.add_argument("--tls-max", choices=versions, help="highest TLS version to offer")
    tls.add_argument(
        "--cert",
        metavar="FILE",
        help="client certificate (PEM; may hold the key); with --listen --tls, the server's",
    )
    tls.add_argument("--key", metavar="FILE", help="private key for --cert")
    tls.add_argument(
        "--keylog",
        metavar="FILE",
        help="append TLS secrets to FILE for Wireshark (SSLKEYLOGFILE is honoured too)",
    )


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"the timeout must be above 0 and at most {MAX_TIMEOUT:g} seconds, not {text}"
        )
    return value


def client_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("the limit must be 1 or more clients")
    return value
