"""A listener in a process of its own, for runs under a descriptor limit (see the test).

`python -m tests.net.listen_probe [SAVE_FILE]` saves each client's bytes as --save does.

Prints the port, then answers each line on stdin with one JSON line: `paused` waits (with a
deadline) until accepting has paused and says why; `wait N` waits until N clients in all
have been dealt with (a row, or counted as gone) and none is held, and gives the rows' byte
counts, the counters and the listener's events.
"""

from __future__ import annotations

import json
import sys

from tcptui.net.events import AcceptPaused, AcceptResumed, ListenerStopped
from tests.net.listen_harness import ListenHarness

EVENT_NAMES = {AcceptPaused: "paused", AcceptResumed: "resumed", ListenerStopped: "stopped"}


def main() -> None:
    harness = ListenHarness(max_clients=1000, save_base=sys.argv[1] if len(sys.argv) > 1 else None)
    print(harness.start(), flush=True)
    for line in sys.stdin:
        if line.strip() == "paused":
            harness.wait(lambda: any(isinstance(e, AcceptPaused) for e in harness.events), "pause")
            print(json.dumps({"held": harness.book.tally().held}), flush=True)
            continue
        wanted = int(line.split()[1])
        harness.wait(lambda: dealt_with(harness) == wanted, f"{wanted} clients")  # noqa: B023
        tally = harness.book.tally()
        summary = {
            "bytes_in": sorted(row.bytes_in for row in harness.book.rows()),
            "gone": tally.vanished + tally.silent,
            "events": [EVENT_NAMES.get(type(e), "") for e in harness.events],
            "paused_because": [e.reason for e in harness.events if isinstance(e, AcceptPaused)],
        }
        print(json.dumps(summary), flush=True)


def dealt_with(harness: ListenHarness) -> int:
    tally = harness.book.tally()
    if tally.held:
        return -1
    return len(harness.book.rows()) + tally.vanished + tally.silent


if __name__ == "__main__":
    main()
