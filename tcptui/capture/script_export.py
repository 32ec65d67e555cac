"""A session exported as a script that replays it: plain Python (stdlib only) or pwntools.

The script connects to the same target, sends each turn's bytes in order and, before the next
send, receives until it has as many bytes as came back last time (with a timeout), printing
every reply that differs; it exits 1 if any did. Bytes are written as Python bytes literals
(`repr`), which are ASCII and escape everything unprintable, so the file is safe to read in a
terminal whatever the capture held. Every other value from outside (the host, the server name,
the CA file, ALPN) goes in as a `repr` literal too, and only there: never into the docstring or
a comment, where a host holding three quotes or a backslash-N would end the string or fail to
compile.

TLS is replayed where the session had it: from the start for a tls:// target, and after the
same step for a STARTTLS. It carries the session's trust (its CA file, or no check with
--insecure), client certificate and TLS versions, never weaker: bytes that went encrypted must
never go out in plaintext. A script that cannot start TLS stops there instead of sending on;
an upgrade it cannot make (a second one) ends its steps.

An EOF we sent (ctrl+d, a half-close) is sent again after the same step, so a server that reads
to the end before it answers answers the script too; only while the connection is plain:
neither the standard library nor pwntools can half-close TLS and go on reading.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO

from tcptui.capture.conversation import Turn, conversation
from tcptui.capture.export import write_atomically
from tcptui.capture.script_templates import (
    HEAD,
    INSECURE_NOTE,
    PWNTOOLS_BODY,
    PWNTOOLS_CONNECT_BEFORE_STARTTLS,
    PWNTOOLS_CONNECT_PLAIN,
    PWNTOOLS_CONNECT_TLS,
    PWNTOOLS_STARTTLS,
    PYTHON_BODY,
    PYTHON_CONNECT,
    PYTHON_REPLAY,
    PYTHON_START_TLS,
    PYTHON_STARTTLS_REPLAY,
    STARTTLS_SETTING,
    STOPS_EARLY_NOTE,
    TLS_CONTEXT,
    TLS_SETTINGS,
    fill,
)
from tcptui.capture.store import Capture

DEFAULT_TIMEOUT = 5.0


class ScriptKind(StrEnum):
    PYTHON = "Python script (standard library)"
    PWNTOOLS = "pwntools script"


@dataclass(frozen=True)
class ScriptTarget:
    """Where the script connects, and how."""

    host: str
    port: int
    tls: bool = False
    """TLS from the first byte (a tls:// target)."""
    server_name: str = ""
    """The name to send as SNI and verify; empty uses `host`."""
    insecure: bool = False
    """Verify no certificate (as the session did with --insecure)."""
    cafile: str | None = None
    """Trust only the CAs in this file (as the session did with --cafile)."""
    alpn: tuple[str, ...] = ()
    """Protocols the session offered with ALPN."""
    certfile: str | None = None
    """The client certificate the session presented (PEM), maybe with its key."""
    keyfile: str | None = None
    min_version: str | None = None
    """The lowest TLS version the session allowed, as "1.2"; None allows the default."""
    max_version: str | None = None


@dataclass(frozen=True)
class _Replay:
    """What of a session a script replays, and where its connection changes."""

    turns: list[Turn]
    starttls_step: int | None
    """The step after whose reply the script starts TLS (a STARTTLS)."""
    eof_step: int | None
    """The step after whose message the script half-closes; only while still plain."""
    stops_early: bool
    """The session started TLS where the script cannot (again): its steps end there."""

    @property
    def has_starttls(self) -> bool:
        return self.starttls_step is not None


def _replay(target: ScriptTarget, turns: list[Turn]) -> _Replay:
    upgrades = [number for number, turn in enumerate(turns, 1) if turn.tls_started]
    starttls_step = None if target.tls or not upgrades else upgrades.pop(0)
    if upgrades:
        turns = turns[: upgrades[0]]
    plain_until = 0 if target.tls else (starttls_step or len(turns))
    eof_step = next((number for number, turn in enumerate(turns, 1) if turn.eof_sent), None)
    if eof_step is not None and eof_step > plain_until:
        eof_step = None
    return _Replay(turns, starttls_step, eof_step, stops_early=bool(upgrades))


def render_script(kind: ScriptKind, target: ScriptTarget, turns: list[Turn]) -> str:
    replay = _replay(target, turns)
    speaks_tls = target.tls or replay.has_starttls
    head = _head(kind, target, replay, speaks_tls)
    if kind is ScriptKind.PWNTOOLS:
        if target.tls:
            connect = PWNTOOLS_CONNECT_TLS
        else:
            connect = PWNTOOLS_CONNECT_BEFORE_STARTTLS if speaks_tls else PWNTOOLS_CONNECT_PLAIN
        upgrade = PWNTOOLS_STARTTLS if replay.has_starttls else ""
        functions = TLS_CONTEXT if speaks_tls else ""
        return head + fill(PWNTOOLS_BODY, functions=functions, connect=connect, upgrade=upgrade)
    return head + fill(
        PYTHON_BODY,
        functions=TLS_CONTEXT + PYTHON_START_TLS if speaks_tls else "",
        connect=PYTHON_CONNECT[target.tls],
        replay=PYTHON_STARTTLS_REPLAY if replay.has_starttls else PYTHON_REPLAY,
    )


def _head(kind: ScriptKind, target: ScriptTarget, replay: _Replay, speaks_tls: bool) -> str:
    """The settings and the steps; the TLS settings only in a script that speaks TLS."""
    pwntools = kind is ScriptKind.PWNTOOLS
    modules = (["ssl"] if speaks_tls else []) + ([] if pwntools else ["socket", "sys"])
    versions = (_version_name(target.min_version), _version_name(target.max_version))
    tls_settings = TLS_SETTINGS.format(
        cafile_literal=repr(target.cafile or None),
        alpn_literal=repr(list(target.alpn)),
        certfile_literal=repr(target.certfile or None),
        keyfile_literal=repr(target.keyfile or None),
        versions_literal=repr(versions),
    )
    return HEAD.format(
        what="pwntools" if pwntools else "the Python standard library",
        imports="".join(f"import {name}\n" for name in sorted(modules)),
        port=int(target.port),
        host_literal=repr(target.host),
        name_literal=repr(target.server_name or target.host),
        tls=bool(target.tls),
        insecure=bool(target.insecure),
        insecure_note=INSECURE_NOTE if speaks_tls and target.insecure else "",
        tls_settings=tls_settings if speaks_tls else "",
        timeout=DEFAULT_TIMEOUT,
        eof_step=replay.eof_step,
        starttls_setting=STARTTLS_SETTING.format(step=replay.starttls_step)
        if replay.has_starttls
        else "",
        stops_early=STOPS_EARLY_NOTE if replay.stops_early else "",
        steps="".join(f"    ({turn.sent!r}, {turn.received!r}),\n" for turn in replay.turns),
    )


def _version_name(version: str | None) -> str | None:
    """The `ssl.TLSVersion` member for "1.3" (TLSv1_3)."""
    return "TLSv" + version.replace(".", "_") if version else None


def export_script(
    capture: Capture,
    path: str | os.PathLike[str],
    kind: ScriptKind,
    target: ScriptTarget,
    first_chunk: int = 0,
) -> int:
    """Write the script for the capture from chunk `first_chunk` on; its size in bytes."""
    turns = conversation(capture, first_chunk, tls_from_start=target.tls)
    text = render_script(kind, target, turns)

    def write(out: BinaryIO) -> None:
        out.write(text.encode("utf-8"))

    return write_atomically(path, write)
