"""Listen mode against what a server meets on a network: scans, health checks, crowds."""

from __future__ import annotations

import json
import resource
import socket
import subprocess
import sys
import threading
from pathlib import Path

from tcptui.net.events import ListenerStopped
from tcptui.net.session import SessionState
from tests.helpers import DEFAULT_TIMEOUT
from tests.net.listen_harness import (
    ListenHarness,
    connect_and_close,
    connect_and_reset,
    join_io_threads,
    open_descriptors,
    rss_mib,
)

CHURN = 300
HELD = 150
RSS_SLACK_MIB = 16.0


def test_scans_and_health_checks_leave_counts_not_rows_and_no_threads_or_descriptors() -> None:
    harness = ListenHarness()
    port = harness.start()
    threads, descriptors, rss = threading.active_count(), open_descriptors(), rss_mib()
    for _ in range(CHURN):
        connect_and_reset(port)
    for _ in range(CHURN):
        connect_and_close(port)
    harness.wait(
        lambda: (lambda t: t.held == 0 and t.silent + t.vanished == 2 * CHURN)(
            harness.book.tally()
        ),
        "every scan and check to be counted",
    )
    join_io_threads()
    tally = harness.book.tally()
    assert harness.book.rows() == [], "clients that moved no byte leave no row"
    assert len(tally.recent_silent) == 5 and all(
        peer.startswith("127.0.0.1:") for peer in tally.recent_silent
    )
    assert not any(isinstance(e, ListenerStopped) for e in harness.events), harness.events
    assert threading.active_count() == threads
    assert open_descriptors() == descriptors
    assert rss_mib() - rss < RSS_SLACK_MIB
    with socket.create_connection(("127.0.0.1", port)) as after:
        after.sendall(b"still listening\n")
        harness.wait(lambda: [r.bytes_in for r in harness.book.rows()] == [16], "a real client")
    harness.stop()


def test_a_hundred_and_fifty_held_clients_each_sending_a_line() -> None:
    harness = ListenHarness(max_clients=HELD)
    port = harness.start()
    threads, descriptors = threading.active_count(), open_descriptors()
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(HELD)]
    try:
        for number, client in enumerate(clients):
            client.sendall(b"line from client %d\n" % number)
        expected = sorted(len(b"line from client %d\n" % n) for n in range(HELD))
        harness.wait(
            lambda: sorted(r.bytes_in for r in harness.book.rows()) == expected,
            "every client's line",
        )
        rows = harness.book.rows()
        assert all(row.state is SessionState.OPEN for row in rows)
        assert threading.active_count() == threads + HELD, "one I/O thread per held client"
    finally:
        for client in clients:
            client.close()
    harness.wait(lambda: harness.book.tally().held == 0, "every client to end")
    join_io_threads()
    assert threading.active_count() == threads
    assert open_descriptors() == descriptors
    rows = harness.book.rows()
    assert len(rows) == HELD and all(r.state is SessionState.CLOSED for r in rows), (
        "clients that sent bytes keep their rows (and captures) after they leave"
    )
    harness.stop()


def test_out_of_descriptors_pauses_accepting_says_why_and_resumes(tmp_path: Path) -> None:
    """Under RLIMIT_NOFILE 256 (4 descriptors a held client) 150 clients cannot all be held:
    accepting rests, the rest wait in the kernel's queue, and they are taken once others end;
    each client taken is saved (--save), its file made late if descriptors ran out first."""
    probe = subprocess.Popen(
        [sys.executable, "-m", "tests.net.listen_probe", str(tmp_path / "crowd.bin")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256)),
        cwd=Path(__file__).parents[2],
    )
    assert probe.stdin is not None and probe.stdout is not None
    try:
        port = int(probe.stdout.readline())
        line = b"a line from a crowd\n"
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(HELD)]
        for client in clients:
            client.sendall(line)
        probe.stdin.write("paused\n")
        probe.stdin.flush()
        held_when_paused = json.loads(probe.stdout.readline())["held"]
        assert 0 < held_when_paused < HELD
        for client in clients:
            client.close()
        probe.stdin.write(f"wait {HELD}\n")
        probe.stdin.flush()
        summary = json.loads(probe.stdout.readline())
        assert "paused" in summary["events"] and "resumed" in summary["events"], summary
        assert set(summary["paused_because"]) == {"Too many open files"}
        assert "stopped" not in summary["events"]
        assert summary["bytes_in"] == [len(line)] * len(summary["bytes_in"]), "no partial capture"
        assert len(summary["bytes_in"]) + summary["gone"] == HELD
        assert len(summary["bytes_in"]) > HELD // 2, summary
        saved = [path.read_bytes() for path in tmp_path.glob("crowd.*-127.0.0.1-*.bin")]
        assert saved == [line] * len(summary["bytes_in"]), "every taken client saved, exactly"
        with socket.create_connection(("127.0.0.1", port)) as after:
            after.sendall(line)
        probe.stdin.write(f"wait {HELD + 1}\n")
        probe.stdin.flush()
        after_storm = json.loads(probe.stdout.readline())
        assert len(after_storm["bytes_in"]) == len(summary["bytes_in"]) + 1
    finally:
        probe.kill()
        probe.wait(DEFAULT_TIMEOUT)
