"""The command line: parse arguments, then build and run the app.

Textual is imported only once we know the app will run, so `--help` and `--version` stay fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from tcptui import __version__
from tcptui.codec.composer_syntax import LineEnding
from tcptui.net.listener import parse_listen_address
from tcptui.net.session import ConnectOptions, Family
from tcptui.net.target import Target, TargetError, parse_target

EXAMPLES = """\
examples:
  tcptui example.com 80          connect, type 'GET / HTTP/1.0' and Enter twice
  tcptui [::1]:7 --eol crlf      IPv6 literal, CRLF line endings
  tcptui tcp://localhost:smtp    service names work as ports
  tcptui --demo                  a built-in local echo server: no network needed
  tcptui                         open the app with the connection form ready
"""


@dataclass(frozen=True)
class LaunchConfig:
    """Everything the app needs to start, decided before Textual is imported."""

    target: Target | None
    options: ConnectOptions
    line_ending: LineEnding
    demo: bool
    save: str | None = None
    """Append every received byte to this file as it arrives (like `nc host port > FILE`)."""
    open_file: str | None = None
    """Show this saved session instead of connecting."""
    retry: int = 0
    """Reconnect up to this many times after a connection fails or ends (socat's retry=N)."""
    forever: bool = False
    """Reconnect after every failure, with back-off, until stopped (socat's forever)."""
    listen: str | None = None
    """Listen on [HOST:]PORT (127.0.0.1 unless a host is given); each client gets a tab."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tcptui",
        description="Poke at TCP servers by hand: type bytes, see exactly what comes back.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "target",
        nargs="?",
        help="HOST:PORT, [IPv6]:PORT, tcp://HOST:PORT, tls://HOST:PORT, or HOST followed by PORT",
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
        type=_positive_seconds,
        default=10.0,
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
        default=LineEnding.LF,
        help="line ending appended when you press Enter (default: lf, as nc)",
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
        help="open a saved session file (ctrl+s saves one) instead of connecting",
    )
    parser.add_argument("--version", action="version", version=f"tcptui {__version__}")
    return parser


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("the timeout must be between 0 and 3600 seconds")
    return value


def parse_args(argv: Sequence[str] | None = None) -> LaunchConfig:
    parser = build_parser()
    args = parser.parse_args(argv)
    target = None
    if args.demo and args.target:
        parser.error("--demo starts its own server: give no target with it")
    if args.open_file and (args.target or args.demo):
        parser.error("--open shows a saved session: give no target or --demo with it")
    if args.target:
        try:
            target = parse_target(args.target, args.port)
        except TargetError as exc:
            parser.error(str(exc))
    options = ConnectOptions(
        family=args.family or Family.AUTO,
        timeout=args.timeout,
        nodelay=args.nodelay,
        keepalive=args.keepalive,
    )
    if args.listen is not None:
        if args.target or args.demo or args.open_file:
            parser.error("--listen waits for clients: give no target, --demo or --open with it")
        try:
            parse_listen_address(args.listen)
        except TargetError as exc:
            parser.error(str(exc))
    if args.retry < 0:
        parser.error("--retry needs a count of 0 or more")
    return LaunchConfig(
        target,
        options,
        args.eol,
        args.demo,
        args.save,
        args.open_file,
        retry=args.retry,
        forever=args.forever,
        listen=args.listen,
    )


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_args(argv)
    from tcptui.capture.export import SaveError
    from tcptui.capture.session_file import SessionFileError
    from tcptui.ui.app import TcpTuiApp

    try:
        app = TcpTuiApp(config)
    except (SaveError, SessionFileError) as exc:
        print(f"tcptui: {exc}", file=sys.stderr)
        return 2
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
