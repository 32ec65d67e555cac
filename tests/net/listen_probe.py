"""A listener in a process of its own, for runs under a descriptor limit (see the test).

Prints the port, then for each line `wait N` on stdin waits (with a deadline) until N clients
in all have been dealt with (a row, or counted as gone) and none is held, and prints the
rows' byte counts, the counters and the listener's events as one JSON line.
"""

from __future__ import annotations

import json
import sys

from tcptui.net.events import AcceptPaused, AcceptResumed, ListenerStopped
from tests.net.listen_harness import ListenHarness

EVENT_NAMES = {AcceptPaused: "paused", AcceptResumed: "resumed", ListenerStopped: "stopped"}


def main() -> None:
    harness = ListenHarness(max_clients=1000)
    print(harness.start(), flush=True)
    for line in sys.stdin:
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
