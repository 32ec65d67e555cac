"""Responders must not slow ingest: the 1 GiB flood with ten rules loaded, against none.

The real app runs in tmux as figure 1 does, alternating runs with and without ten responder
rules (literal, hex with wildcards and regex; one of them fires once per MiB, on the
payload's `TCPTUI-nnnnnn` marker). Matching runs in the responder thread, off the I/O thread:
the row also says how much of the flood the rules had read when the UI showed the end (the
rest was still waiting; after the end there is no one to answer).
"""

from __future__ import annotations

from collections.abc import Callable

from .bench_ingest import _deadline, warming_for
from .common import (
    MIB,
    ByteCheckError,
    Row,
    SendfileServer,
    Settings,
    alternate,
    make_payload,
    median,
    size_text,
)
from .terminal import run_driver_in_tmux

RATIO_TARGET = 1.2
TEN_RULES = r"""
[[responder]]
match = "PING\r\n"
reply = "PONG\r\n"
[[responder]]
match = "HELO "
reply = "250 hello\r\n"
[[responder]]
match = "USER anonymous"
reply = "331 password\r\n"
[[responder]]
match = "GET /"
reply = "HTTP/1.0 200 OK\r\n\r\n"
[[responder]]
match = "QUIT\r\n"
reply = "221 bye\r\n"
[[responder]]
match = "AUTH PLAIN"
reply = "334 \r\n"
[[responder]]
hex = "de ad ?? ef"
reply_hex = "ca fe"
[[responder]]
hex = "00 01 ?? ?? 04 05"
reply_hex = "06"
[[responder]]
regex = "^LOGIN (\\w+)"
reply = "welcome {1}\r\n"
[[responder]]
regex = "TCPTUI-([0-9]{6})"
reply = "seen {1}\n"
"""


def _ingest(
    server: SendfileServer, sha256: str, warm_mib: int, rules: str | None
) -> tuple[float, int]:
    args = ["--port", str(server.port), "--warm-mib", str(warm_mib)]
    if rules:
        args += ["--responders", rules]
    facts = run_driver_in_tmux(args, _deadline(server.nbytes))
    transfer = server.next_transfer(60)
    if facts["received"] != server.nbytes or facts["sha256"] != sha256:
        raise ByteCheckError(f"tcptui captured {facts['received']} bytes, not the payload")
    return facts["ui_closed"] - transfer.accepted, int(facts["responder_bytes"])


def run(settings: Settings, log: Callable[[str], None]) -> list[Row]:
    big = make_payload(settings.workdir, settings.ingest_bytes)
    rules = settings.workdir / "ten-rules.toml"
    rules.write_text(TEN_RULES)
    warm = warming_for(big.size)
    log(f"responders: {size_text(big.size)} with and without ten rules")
    with SendfileServer(big.path, big.size) as server:
        results = alternate(
            {
                "rules": lambda: _ingest(server, big.sha256, warm, str(rules)),
                "none": lambda: _ingest(server, big.sha256, warm, None),
            },
            settings.ingest_repetitions,
        )
    with_rules = median([seconds for seconds, _ in results["rules"]])
    without = median([seconds for seconds, _ in results["none"]])
    matched = median([nbytes for _, nbytes in results["rules"]])
    ratio = with_rules / without
    size = size_text(big.size)
    return [
        Row(
            f"1. Ingest {size} to EOF, UI live, ten responder rules loaded (vs no rules)",
            f"{with_rules:.2f} s",
            f"{without:.2f} s",
            f"{ratio:.2f}",
            f"≤ {RATIO_TARGET}",
            ratio <= RATIO_TARGET,
            [
                f"the rules had matched {matched / MIB:.0f} MiB of the {size} when the UI "
                "showed the end (they run in their own thread; the rest was still waiting)"
            ],
        )
    ]
