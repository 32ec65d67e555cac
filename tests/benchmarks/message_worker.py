"""The work figure 9 times, in a process of its own so its memory growth is its own:

    python -m tests.benchmarks.message_worker index PAYLOAD SPOOL GROUPING...
    python -m tests.benchmarks.message_worker tiny COUNT SPOOL GROUPING...
    python -m tests.benchmarks.message_worker echo COUNT SPOOL GROUPING...
    python -m tests.benchmarks.message_worker json PAYLOAD SPOOL GROUPING OUT [check]

Each loads a capture first (a payload in 64 KiB reads, COUNT one-byte reads of text, or COUNT
one-byte reads each direction in turn: a byte sent, its echo received), then
for each grouping resets the peak resident set (Linux's /proc/self/clear_refs) and times the
work; it prints one JSON object per grouping: seconds, blocks and the peak RSS growth in KiB.
With `check`, the JSON lines are then decoded and compared with the payload (untimed).
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import time
from pathlib import Path

from tcptui.capture.message_export import export_json_lines
from tcptui.capture.message_index import MessageIndex
from tcptui.capture.store import Capture, Direction
from tcptui.codec.framing import parse_grouping

READ = 64 << 10
SLICE = 4 << 20
"""Bytes indexed per update, as the log does between frames."""
TRICKLED = b"220 ready\r\nUSER anonymous\r\n331 send a password\r\n"


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak() -> int:
    """Make the peak resident set the current one; return it (KiB)."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kib("VmRSS")


def peak_growth(baseline: int) -> int:
    return max(0, _status_kib("VmHWM") - baseline)


def payload_capture(path: str, spool: str) -> Capture:
    capture = Capture(spool_dir=spool)
    with open(path, "rb") as source:
        while block := source.read(READ):
            capture.append(Direction.RECEIVED, block)
    return capture


def trickled_capture(count: int, spool: str, echo: bool = False) -> Capture:
    capture = Capture(spool_dir=spool)
    text = TRICKLED * (count // len(TRICKLED) + 1)
    for at, byte in enumerate(text[:count]):
        direction = Direction.SENT if echo and at % 2 == 0 else Direction.RECEIVED
        capture.append(direction, bytes((byte,)))
    return capture


def index_once(capture: Capture, grouping: str) -> dict[str, float]:
    baseline = reset_peak()
    started = time.perf_counter()
    index = MessageIndex(capture, parse_grouping(grouping))
    while index.update(SLICE):
        pass
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "blocks": len(index), "growth_kib": peak_growth(baseline)}


def json_once(capture: Capture, grouping: str, out: str) -> dict[str, float]:
    baseline = reset_peak()
    started = time.perf_counter()
    size = export_json_lines(capture, out, parse_grouping(grouping))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "size": size, "growth_kib": peak_growth(baseline)}


def check_json_lines(out: str, payload: str) -> None:
    digest, expected = hashlib.sha256(), hashlib.sha256()
    with open(payload, "rb") as source:
        while block := source.read(READ):
            expected.update(block)
    with open(out, "rb") as lines:
        for line in lines:
            digest.update(base64.b64decode(json.loads(line)["data"]))
    if digest.digest() != expected.digest():
        raise SystemExit("the JSON lines do not decode to the payload")


def main(argv: list[str]) -> None:
    mode, source, spool, *groupings = argv
    if mode == "json":
        grouping, out, *check = groupings
        facts = json_once(payload_capture(source, spool), grouping, out)
        if check:
            check_json_lines(out, source)
        print(json.dumps(facts), flush=True)
        return
    started = time.perf_counter()
    capture = (
        payload_capture(source, spool)
        if mode == "index"
        else trickled_capture(int(source), spool, echo=mode == "echo")
    )
    loaded = time.perf_counter() - started
    for grouping in groupings:
        facts = index_once(capture, grouping)
        print(json.dumps({"grouping": grouping, "loaded": loaded, **facts}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
