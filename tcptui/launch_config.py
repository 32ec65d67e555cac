"""What to start: the command line's and the settings' decisions, before Textual is imported."""

from __future__ import annotations

from dataclasses import dataclass, field

from tcptui.codec.automation_rules import ResponderRule, Step
from tcptui.codec.composer_syntax import LineEnding
from tcptui.net.session import ConnectOptions
from tcptui.net.target import Target
from tcptui.user_files.settings import Settings


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
    export: str | None = None
    """With `open_file`: write its messages here and exit, without the UI (`--export`)."""
    export_format: str = "jsonl"
    """What `export` writes: a `CliExportFormat` value."""
    retry: int = 0
    """Reconnect up to this many times after a connection fails or ends (socat's retry=N)."""
    forever: bool = False
    """Reconnect after every failure, with back-off, until stopped (socat's forever)."""
    listen: str | None = None
    """Listen on [HOST:]PORT (127.0.0.1 unless a host is given); each client gets a tab."""
    settings: Settings = field(default_factory=Settings)
    """The settings file's values; the options above already include the command line's."""
    encoding: str = "utf-8"
    """The text encoding the first tab starts with: the profile's, else the settings'."""
    responders: tuple[ResponderRule, ...] = ()
    """Rules answering received data on every connection (`--responders`, setting responders)."""
    sequence: tuple[Step, ...] = ()
    """Steps `--run` runs once the first connection is open."""
