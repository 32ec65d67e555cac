"""Figure 9: messages over a big capture, below the UI (issue 26).

(a) Building the message index (`MessageIndex`, in 4 MiB slices as the log does) over the
payload in 64 KiB reads, for `stream`, `line` and `length:u16be`, beside `wc -l` reading the
same file (hot in the page cache); and the peak RSS the index adds. (b) The index of a capture
of a million one-byte reads (a line protocol trickled a byte at a time), beside the time the
capture took to store them. (c) The JSON-lines export of the payload, beside `base64 -w0` of
the same file; the lines must decode back to the payload.

The work runs in a process of its own (`message_worker`), so the memory it reports is its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tcptui.codec.words import counted

from .common import (
    MIB,
    ByteCheckError,
    Row,
    Settings,
    alternate,
    make_payload,
    median,
    run_tool,
    size_text,
)

ROOT = Path(__file__).resolve().parents[2]
GROUPINGS = ("stream", "line", "length:u16be")
TINY_GROUPINGS = ("chunk", "stream", "line")
JSON_GROUPINGS = ("length:u16be", "line")
"""The first is timed in every round; `line` (eight million messages in a GiB) in one."""


def worker(*args: str, timeout: float = 1800) -> list[dict[str, float]]:
    completed = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.message_worker", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )
    if completed.returncode != 0:
        message = completed.stderr.strip().splitlines()[-1:] or [f"exit {completed.returncode}"]
        if "do not decode" in message[0]:
            raise ByteCheckError(message[0])
        raise RuntimeError(f"message worker {args[0]}: {message[0]}")
    return [json.loads(line) for line in completed.stdout.splitlines()]


def rate(nbytes: int, seconds: float) -> str:
    return f"{nbytes / MIB / seconds:.0f} MiB/s"


def run(settings: Settings, log: Callable[[str], None]) -> list[Row]:
    payload = make_payload(settings.workdir, settings.messages_bytes)
    spool = str(settings.workdir)
    size = size_text(payload.size)
    log(f"messages: index of {size} under {', '.join(GROUPINGS)}, beside wc -l")

    def wc() -> float:
        return run_tool(["wc", "-l", str(payload.path)], 600, stdout=subprocess.DEVNULL)

    rounds = alternate(
        {
            "tcptui": lambda: worker("index", str(payload.path), spool, *GROUPINGS),
            "wc": wc,
        },
        settings.repetitions,
    )
    wc_s = median(rounds["wc"])  # type: ignore[arg-type]
    rows: list[Row] = []
    for at, grouping in enumerate(GROUPINGS):
        runs = [facts[at] for facts in rounds["tcptui"]]  # type: ignore[index]
        seconds = median([facts["seconds"] for facts in runs])
        growth = max(facts["growth_kib"] for facts in runs) / 1024
        rows.append(
            Row(
                f"9. Message index of a {size} capture (64 KiB reads), `{grouping}`, "
                "built in 4 MiB slices (vs `wc -l` of the same bytes)",
                rate(payload.size, seconds),
                rate(payload.size, wc_s),
                f"{wc_s / seconds:.2f}× as fast",
                "—",
                None,
                [
                    f"index `{grouping}` of {size}: {int(runs[0]['blocks']):,} blocks in "
                    f"{seconds:.2f} s, peak RSS growth {growth:.1f} MiB"
                ],
            )
        )
    rows += tiny_rows(settings, log)
    rows += tiny_rows(settings, log, echo=True)
    rows += json_rows(settings, payload.path, payload.size, log)
    return rows


def tiny_rows(settings: Settings, log: Callable[[str], None], echo: bool = False) -> list[Row]:
    """One-byte reads of text; with `echo`, each direction in turn (a byte sent, its echo
    received): every read is a run of its own, the worst case of a stretch at a time."""
    count = settings.messages_tiny_chunks
    reads = "one-byte reads, each direction in turn," if echo else "one-byte reads,"
    log(f"messages: index of {count:,} {reads} under {', '.join(TINY_GROUPINGS)}")
    runs = [
        worker("echo" if echo else "tiny", str(count), str(settings.workdir), *TINY_GROUPINGS)
        for _ in range(settings.repetitions)
    ]
    loaded = median([facts[0]["loaded"] for facts in runs])
    rows = []
    for at, grouping in enumerate(TINY_GROUPINGS):
        seconds = median([facts[at]["seconds"] for facts in runs])
        growth = max(facts[at]["growth_kib"] for facts in runs) / 1024
        blocks = int(runs[0][at]["blocks"])
        rows.append(
            Row(
                f"9. Message index of {count:,} {reads} `{grouping}` ({blocks:,} "
                "blocks; reference: the capture storing them); peak RSS growth in the ratio "
                "column",
                f"{seconds:.2f} s",
                f"{loaded:.2f} s",
                f"{growth:.1f} MiB",
                "—",
                None,
            )
        )
    return rows


def json_export(
    payload: Path, workdir: Path, grouping: str, out: Path
) -> Callable[[], dict[str, float]]:
    """An export to time; the first of them also checks the lines decode to the payload."""
    checked: list[bool] = []

    def export() -> dict[str, float]:
        check = [] if checked else ["check"]
        checked.append(True)
        return worker("json", str(payload), str(workdir), grouping, str(out), *check)[0]

    return export


def json_rows(
    settings: Settings, payload: Path, nbytes: int, log: Callable[[str], None]
) -> list[Row]:
    out = settings.workdir / "messages.jsonl"
    reference_out = settings.workdir / "payload.b64"
    rows = []
    for grouping, repetitions in zip(JSON_GROUPINGS, (settings.repetitions, 1), strict=True):
        log(f"messages: JSON lines of {size_text(nbytes)} under {grouping}, beside base64")

        def base64_tool() -> float:
            with open(reference_out, "wb") as sink:
                return run_tool(["base64", "-w0", str(payload)], 600, stdout=sink)

        rounds = alternate(
            {
                "tcptui": json_export(payload, settings.workdir, grouping, out),
                "base64": base64_tool,
            },
            repetitions,
        )
        out.unlink(missing_ok=True)
        reference_out.unlink(missing_ok=True)
        runs: list[dict[str, float]] = rounds["tcptui"]  # type: ignore[assignment]
        seconds = median([facts["seconds"] for facts in runs])
        tool_s = median(rounds["base64"])  # type: ignore[arg-type]
        growth = max(facts["growth_kib"] for facts in runs) / 1024
        rows.append(
            Row(
                f"9. JSON-lines export of {size_text(nbytes)}, `{grouping}`, decoded back "
                f"byte-identical, {counted(repetitions, 'round')} (vs `base64 -w0` of the same "
                "file)",
                rate(nbytes, seconds),
                rate(nbytes, tool_s),
                f"{tool_s / seconds:.2f}× as fast",
                "—",
                None,
                [
                    f"JSON lines `{grouping}`: {int(runs[0]['size']):,} bytes written and "
                    f"flushed to disk (fsync; `base64` does not) in {seconds:.2f} s, "
                    f"peak RSS growth {growth:.1f} MiB"
                ],
            )
        )
    return rows
