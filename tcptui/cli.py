"""The command line: parse arguments, then build and run the app.

Textual is imported only once we know the app will run, so `--help` and `--version` stay fast.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from tcptui.capture.large_buffers import pin_mmap_threshold
from tcptui.cli_arguments import build_parser
from tcptui.cli_export import CliExportFormat, run_export
from tcptui.codec.automation_rules import ResponderRule, Step
from tcptui.codec.framing import parse_grouping
from tcptui.launch_config import LaunchConfig
from tcptui.net.listener import parse_listen_address
from tcptui.net.proxy import ProxyConfig, ProxyUrlError, parse_proxy_url
from tcptui.net.session import ConnectOptions
from tcptui.net.target import Family, TargetError, parse_target
from tcptui.net.tls import (
    TlsOptions,
    TlsSetupError,
    TlsVersion,
    build_context,
    build_server_context,
)
from tcptui.user_files.automation_files import AutomationFileError, load_responders, load_sequence
from tcptui.user_files.paths import describe_file_type, unusable_name
from tcptui.user_files.settings import (
    Profile,
    Settings,
    SettingsError,
    default_config_path,
    group_spec,
    load_settings,
    render_settings,
)

if TYPE_CHECKING:
    from tcptui.capture.session_file import OpenedSession


def _tls_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> TlsOptions:
    if args.insecure and args.cafile:
        parser.error("--insecure checks no certificate: give no --cafile with it")
    if args.key and not args.cert:
        parser.error("--key needs --cert (the certificate it belongs to)")
    server = args.listen is not None and args.tls
    if server and not args.cert:
        parser.error("--listen --tls serves TLS: give the server's certificate with --cert FILE")
    if server and (args.insecure or args.sni or args.no_sni):
        parser.error("--insecure, --sni and --no-sni are for TLS clients: not with --listen --tls")
    alpn: tuple[str, ...] = ()
    if args.alpn is not None:
        alpn = tuple(name.strip() for name in args.alpn.split(",") if name.strip())
        if not alpn:
            parser.error("--alpn needs protocol names, e.g. h2,http/1.1")
    low = TlsVersion(args.tls_min) if args.tls_min else None
    high = TlsVersion(args.tls_max) if args.tls_max else None
    if low and high and low.ssl_version > high.ssl_version:
        parser.error("--tls-min is higher than --tls-max: no version is left")
    options = TlsOptions(
        cafile=args.cafile,
        insecure=args.insecure,
        server_name=args.sni,
        sni=not args.no_sni,
        alpn=alpn,
        min_version=low,
        max_version=high,
        certfile=args.cert,
        keyfile=args.key,
        keylog_file=args.keylog,
        server=server,
    )
    if options.cafile or options.certfile:
        build = build_server_context if server else build_context
        try:  # load the files now, so a typo is reported before the app starts
            build(replace(options, keylog_file=None))
        except TlsSetupError as exc:
            parser.error(str(exc))
    return options


def _proxy(parser: argparse.ArgumentParser, args: argparse.Namespace) -> ProxyConfig | None:
    if args.proxy is None:
        return None
    if args.listen is not None:
        parser.error("--proxy is for outgoing connections: give no --listen with it")
    try:
        return parse_proxy_url(args.proxy)
    except ProxyUrlError as exc:
        parser.error(str(exc))


def _settings_error(parser: argparse.ArgumentParser, exc: SettingsError) -> NoReturn:
    """A mistake in the settings file, said on its own: the usage text is about the command
    line, which was right."""
    parser.exit(2, f"{parser.prog}: error: {exc}\n")


def _group(parser: argparse.ArgumentParser, spec: str) -> str:
    """`--group SPEC` checked; a bad one is said in one sentence (exit 2)."""
    try:
        return group_spec("--group", spec)
    except SettingsError as exc:
        parser.exit(2, f"{parser.prog}: error: {exc}\n")


def _settings_source(config: Path | None) -> str:
    """Which file --print-config's settings came from, as a TOML comment."""
    path = config if config is not None else default_config_path()
    if path.is_file():
        return f"# read from {path}\n"
    return f"# no settings file at {path}: these are the defaults\n"


def parse_args(argv: Sequence[str] | None = None) -> LaunchConfig:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
        if args.ascii:
            settings = replace(settings, ascii_only=True)
    except SettingsError as exc:
        _settings_error(parser, exc)
    if args.group is not None:
        settings = replace(settings, group=_group(parser, args.group))
    if args.max_clients is not None:
        if args.listen is None:
            parser.error("--max-clients limits listen mode: give it with --listen")
        listen = replace(settings.listen, max_clients=args.max_clients)
        settings = replace(settings, listen=listen)
    if args.print_config:
        print(_settings_source(args.config) + render_settings(settings), end="")
        parser.exit()
    profile = _profile(parser, args, settings)
    target = None
    if args.demo and args.target:
        parser.error("--demo starts its own server: give no target with it")
    if args.open_file and (args.target or args.demo):
        parser.error("--open shows a saved session: give no target or --demo with it")
    if args.target:
        try:
            if profile is not None:
                target = parse_target(profile.target, tls=args.tls or profile.tls)
            else:
                target = parse_target(args.target, args.port, tls=args.tls)
        except TargetError as exc:
            parser.error(str(exc))
    options = ConnectOptions(
        family=args.family or (profile.family if profile else None) or Family.AUTO,
        timeout=args.timeout or (profile.timeout if profile else None) or 10.0,
        nodelay=args.nodelay,
        keepalive=args.keepalive,
        tls=_tls_options(parser, args),
        proxy=_proxy(parser, args),
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
    if args.export is not None and args.open_file is None:
        parser.error("--export writes a saved session's messages: give --open FILE with it")
    if args.export == "":
        parser.error("--export needs a file or folder name, not an empty string")
    if args.export is not None and "\0" in args.export:
        parser.error("--export needs a file or folder name without a NUL character")
    _check_files(parser, args, options.tls)
    encoding = (profile.encoding if profile else None) or settings.encoding
    responders, sequence = _automation(parser, args, settings, encoding)
    return LaunchConfig(
        target,
        options,
        args.eol or (profile.line_ending if profile else None) or settings.line_ending,
        args.demo,
        args.save,
        args.open_file,
        export=args.export,
        export_format=args.export_format,
        retry=args.retry,
        forever=args.forever,
        listen=args.listen,
        settings=settings,
        encoding=encoding,
        responders=responders,
        sequence=sequence,
    )


def _automation(
    parser: argparse.ArgumentParser, args: argparse.Namespace, settings: Settings, encoding: str
) -> tuple[tuple[ResponderRule, ...], tuple[Step, ...]]:
    """The responder rules and the sequence to run, loaded and checked before the app starts."""
    responders_file = args.responders or settings.responders
    try:
        rules = (
            load_responders(Path(responders_file).expanduser(), encoding) if responders_file else []
        )
        steps = load_sequence(Path(args.run).expanduser(), encoding) if args.run else []
    except AutomationFileError as exc:
        parser.error(str(exc))
    if steps and args.listen is not None:
        parser.error("--run needs a connection to run on: give a target, not --listen")
    if steps and args.open_file is not None:
        parser.error("--run needs a connection to run on: give a target, not --open")
    if args.responders and args.open_file is not None:
        parser.error("--responders answers a connection: give a target or --listen, not --open")
    return tuple(rules), tuple(steps)


def _check_files(
    parser: argparse.ArgumentParser, args: argparse.Namespace, tls: TlsOptions
) -> None:
    """Files named on the command line, checked by type before anything opens them: a FIFO
    or a device would block or stream forever before the UI is up."""
    if args.open_file is not None:
        problem = _unsuitable(args.open_file, must_exist=True)
        if problem:
            parser.error(f"--open {problem}")
    if args.save is not None:
        problem = _unsuitable(args.save, must_exist=False)
        if problem:
            parser.error(f"--save {problem}")
    if tls.keylog_file is not None:
        problem = _unwritable_keylog(tls.keylog_file)
        if problem:
            parser.error(problem)


def _unsuitable(path: str, *, must_exist: bool) -> str | None:
    """Why `path` cannot be a session file to read or a capture to write; None if it can."""
    if not path:
        return "needs a file name, not an empty string"
    problem = unusable_name(path)
    if problem is not None:
        return f"cannot use that file name: it {problem}"
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return f"{path}: no such file" if must_exist else None
    except OSError as exc:
        return f"cannot use {path}: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        return f"needs a regular file, and {path} is {describe_file_type(mode)}"
    return None


def _unwritable_keylog(path: str) -> str | None:
    """The key log is appended to at every handshake: a path that cannot take it is a typo
    to report now, not a "TLS handshake failed" later."""
    problem = unusable_name(path)
    if problem is not None:
        return f"--keylog cannot use that file name: it {problem}"
    try:
        descriptor = os.open(
            path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | os.O_NOCTTY, 0o600
        )
    except OSError as exc:
        return f"cannot write the TLS key log {path}: {exc.strerror or exc}"
    os.close(descriptor)
    return None


def _profile(
    parser: argparse.ArgumentParser, args: argparse.Namespace, settings: Settings
) -> Profile | None:
    """The profile that `@NAME` as the target names; None for an ordinary target."""
    if not args.target or not args.target.startswith("@"):
        return None
    if args.port is not None:
        parser.error(f"{args.target} names a profile, which has its own port: give no PORT")
    try:
        return settings.profile(args.target[1:])
    except SettingsError as exc:
        _settings_error(parser, exc)


SWITCH_INTERVAL = 0.0005


def tune_process() -> None:
    """Interpreter-wide settings for an app that reads sockets in threads beside a busy UI.

    I/O threads wait for the GIL each time a socket call returns; with the default 5 ms switch
    interval a busy UI thread would hold them back that long per recv(). Large capture buffers
    are kept out of the heap (see `pin_mmap_threshold`).
    """
    sys.setswitchinterval(SWITCH_INTERVAL)
    pin_mmap_threshold()


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(parse_args(argv))
    except KeyboardInterrupt:  # ctrl+c before the UI took over the terminal
        print("tcptui: interrupted.", file=sys.stderr)
        return 130


def _open_session_file(path: str) -> OpenedSession:
    """The session file (what is intact of it, if it is cut short), read before the UI
    starts, with its progress on the terminal: a million chunks take seconds, which a blank
    terminal would not explain."""
    from tcptui.capture.session_file import open_intact_session

    shown = _OpeningProgress(path) if sys.stderr.isatty() else None
    try:
        return open_intact_session(path, progress=shown)
    finally:
        if shown is not None:
            shown.clear()


def _cut_short_note(path: str, opened: OpenedSession) -> str | None:
    if opened.cut_short is None:
        return None
    return f"{ascii(path)[1:-1]}: {opened.cut_short.sentence()}."


class _OpeningProgress:
    """`tcptui: opening FILE… 42%` on one line of stderr, at most ten times a second."""

    def __init__(self, path: str) -> None:
        self._name = ascii(Path(path).name)
        self._next_at = time.monotonic() + 0.2
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now < self._next_at or done >= total:
            return
        self._next_at = now + 0.1
        self._shown = True
        sys.stderr.write(f"\rtcptui: opening {self._name}… {100 * done // total}%")
        sys.stderr.flush()

    def clear(self) -> None:
        if self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _run(config: LaunchConfig) -> int:
    tune_process()
    from tcptui.capture.export import SaveError
    from tcptui.capture.session_file import SessionFileError
    from tcptui.ui.app import TcpTuiApp
    from tcptui.ui.keymap_check import KeymapError, check_keymap

    try:
        check_keymap(config.settings.keymap)
    except KeymapError as exc:
        print(f"tcptui: error: {exc}", file=sys.stderr)
        return 2
    try:
        opened = _open_session_file(config.open_file) if config.open_file else None
        if opened is not None and config.export is not None:
            fmt = CliExportFormat(config.export_format)
            grouping = parse_grouping(config.settings.group)  # checked by parse_args already
            note = _cut_short_note(config.open_file or "", opened)
            return run_export(opened.capture, config.export, fmt, grouping, note)
        app = TcpTuiApp(config, opened)
    except (SaveError, SessionFileError) as exc:
        print(f"tcptui: {exc}", file=sys.stderr)
        return 2
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
