"""A pcap of a real connection: its events become the packets they stand for, and tshark
reads every byte back with no complaint (no analysis flag: no bad sequence numbers, no data
after a FIN, no reused ports)."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from tcptui.capture.events import EventKind
from tcptui.capture.export import ExportFormat, export_capture
from tcptui.capture.store import Capture, Direction
from tcptui.net.events import Connected, PeerFinished
from tcptui.net.session import ConnectOptions
from tests.helpers import (
    DEFAULT_TIMEOUT,
    EventRecorder,
    HalfCloseServer,
    PayloadServer,
    ResetServer,
    StartSession,
    StartTlsServer,
    ipv6_loopback_available,
    make_pki,
    require_tool,
    server_context,
)
from tests.net.listen_harness import ListenHarness


def tshark(path: Path, *arguments: str) -> str:
    command = [require_tool("tshark", "tshark"), "-r", str(path), *arguments]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout


def follow(path: Path, stream: int = 0) -> tuple[str, bytes, bytes]:
    """(the side that sent the SYN, the bytes it sent, the bytes the other side sent)."""
    lines = tshark(path, "-q", "-z", f"follow,tcp,raw,{stream}").splitlines()
    node0 = next(line for line in lines if line.startswith("Node 0: ")).removeprefix("Node 0: ")
    body = lines[next(i for i, line in enumerate(lines) if line.startswith("Node 1: ")) + 1 :]
    data = [line for line in body if line and not line.startswith("=")]
    sent0 = bytes.fromhex("".join(line for line in data if not line.startswith("\t")))
    sent1 = bytes.fromhex("".join(line.strip() for line in data if line.startswith("\t")))
    return node0, sent0, sent1


def packets(path: Path) -> list[str]:
    """Each packet as `srcport flags payload-length`, flags as tshark spells them."""
    rows = tshark(path, "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.flags.str", "-e", "tcp.len")
    return [" ".join(row.split()) for row in rows.splitlines()]


def assert_clean(path: Path) -> None:
    assert tshark(path, "-Y", "tcp.analysis.flags") == ""
    checked = ("-o", "tcp.check_checksum:TRUE", "-Y", "tcp.checksum.status != 1")
    assert tshark(path, *checked) == ""


def export(capture: Capture, path: Path, local: str = "", remote: str = "") -> Path:
    export_capture(capture, path, ExportFormat.PCAP, local=local, remote=remote)
    return path


def connected_ports(capture: Capture) -> tuple[int, int]:
    detail = next(e.detail for e in capture.events.events() if e.kind is EventKind.CONNECTED)
    local, _, remote = detail.partition(" → ")
    return int(local.rsplit(":", 1)[1]), int(remote.split(" ")[0].rsplit(":", 1)[1])


FIN, ACK_ONLY, PSH = "·······A···F", "·······A····", "·······AP···"


def test_a_plain_connection_is_its_handshake_bytes_and_the_peers_fin_first(
    start_session: StartSession, capture: Capture, tmp_path: Path
) -> None:
    with PayloadServer(b"hello\n") as server:
        _, recorder = start_session(server.target)
        connected = recorder.wait_for_event(Connected)
        recorder.wait_closed()
    path = export(capture, tmp_path / "plain.pcap")

    assert_clean(path)
    assert follow(path) == (connected.local, b"", b"hello\n")
    local, remote = connected_ports(capture)
    assert packets(path) == [
        f"{local} ··········S· 0",
        f"{remote} ·······A··S· 0",
        f"{local} {ACK_ONLY} 0",
        f"{remote} {PSH} 6",
        f"{local} {ACK_ONLY} 0",
        f"{remote} {FIN} 0",
        f"{local} {ACK_ONLY} 0",
        f"{local} {FIN} 0",
        f"{remote} {ACK_ONLY} 0",
    ]


@pytest.mark.skipif(not ipv6_loopback_available(), reason="no IPv6 loopback here")
def test_an_ipv6_connection_keeps_its_addresses(
    start_session: StartSession, capture: Capture, tmp_path: Path
) -> None:
    with PayloadServer(b"over v6\n", host="::1") as server:
        _, recorder = start_session(server.target)
        connected = recorder.wait_for_event(Connected)
        recorder.wait_closed()
    path = export(capture, tmp_path / "v6.pcap")

    assert_clean(path)
    assert connected.local.startswith("[::1]:")
    assert follow(path) == (connected.local, b"", b"over v6\n")


def test_eof_sent_is_our_fin_before_the_reply(
    start_session: StartSession, capture: Capture, tmp_path: Path
) -> None:
    with HalfCloseServer() as server:
        session, recorder = start_session(server.target)
        recorder.wait_for_event(Connected)
        session.send(b"request")
        session.half_close()
        recorder.wait_closed()
    path = export(capture, tmp_path / "half-close.pcap")

    assert_clean(path)
    _, sent, received = follow(path)
    assert (sent, received) == (b"request", b"got 7 bytes\n")
    local, remote = connected_ports(capture)
    assert packets(path)[3:] == [
        f"{local} {PSH} 7",
        f"{remote} {ACK_ONLY} 0",
        f"{local} {FIN} 0",
        f"{remote} {ACK_ONLY} 0",
        f"{remote} {PSH} 12",
        f"{local} {ACK_ONLY} 0",
        f"{remote} {FIN} 0",
        f"{local} {ACK_ONLY} 0",
    ]


def test_a_reset_ends_the_stream_with_the_peers_rst(
    start_session: StartSession, capture: Capture, tmp_path: Path
) -> None:
    recorder = EventRecorder()
    with ResetServer(b"partial", when=lambda: recorder.wait_received(7)) as server:
        start_session(server.target, recorder=recorder)
        recorder.wait_closed()
    path = export(capture, tmp_path / "reset.pcap")

    assert_clean(path)
    assert follow(path)[2] == b"partial"
    _, remote = connected_ports(capture)
    assert packets(path)[-1] == f"{remote} ·······A·R·· 0"


def test_data_we_send_after_the_peers_eof_follows_its_fin(
    start_session: StartSession, capture: Capture, tmp_path: Path
) -> None:
    with PayloadServer(b"bye") as server:
        session, recorder = start_session(server.target, ConnectOptions(close_on_peer_eof=False))
        recorder.wait_for_event(PeerFinished)
        session.send(b"after")
        assert server.wait_received(5)
        session.close()
        recorder.wait_closed()
    path = export(capture, tmp_path / "after-eof.pcap")

    assert_clean(path)
    assert follow(path)[1:] == (b"after", b"bye")


def test_starttls_keeps_one_stream_with_every_byte(
    start_session: StartSession, capture: Capture, tmp_path: Path
) -> None:
    pki = make_pki(tmp_path)
    with StartTlsServer(server_context(pki.server)) as server:
        session, recorder = start_session(server.target, ConnectOptions(tls=pki.options()))
        recorder.wait_for_event(Connected)
        session.send(b"STARTTLS\r\n")
        assert recorder.wait_received(len(b"220 go ahead\r\n"))
        session.start_tls()
        session.send(b"secret")
        assert recorder.wait_received(len(b"220 go ahead\r\ntls:secret"))
        session.close()
        recorder.wait_closed()
    path = export(capture, tmp_path / "starttls.pcap")

    assert_clean(path)
    assert follow(path)[1:] == (b"STARTTLS\r\nsecret", b"220 go ahead\r\ntls:secret")


def test_a_reconnect_is_a_second_tcp_stream(
    start_session: StartSession, capture: Capture, tmp_path: Path
) -> None:
    with PayloadServer(b"one\n") as first, PayloadServer(b"two\n") as second:
        session, recorder = start_session(first.target)
        recorder.wait_closed()
        assert session.join(DEFAULT_TIMEOUT)
        capture.add_event(EventKind.RECONNECTED, f"connection 2 to {second.target}")
        _, again = start_session(second.target)
        again.wait_closed()
    path = export(capture, tmp_path / "reconnect.pcap")

    assert_clean(path)
    assert follow(path, 0)[2] == b"one\n"
    assert follow(path, 1)[2] == b"two\n"
    streams = tshark(path, "-T", "fields", "-e", "tcp.stream").split()
    assert sorted(set(streams)) == ["0", "1"]


def test_an_accepted_client_sends_the_syn(tmp_path: Path) -> None:
    harness = ListenHarness()
    port = harness.start()
    try:
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(b"hi")
            host, client_port = client.getsockname()[:2]
            client_end = f"{host}:{client_port}"
            harness.wait(lambda: [r.bytes_in for r in harness.book.rows()] == [2], "hi")
        harness.wait(lambda: harness.book.tally().held == 0, "the client's end")
        [row] = harness.book.rows()
        entry = harness.book.client(row.number)
        assert entry is not None and entry.session is not None
        assert entry.session.join(DEFAULT_TIMEOUT)
        path = export(entry.capture, tmp_path / "accepted.pcap")
    finally:
        harness.stop()

    assert_clean(path)
    assert follow(path) == (client_end, b"hi", b"")


@pytest.mark.parametrize(
    "events",
    [
        [(0, EventKind.CONNECTED, "not an address at all")],
        [(0, EventKind.CONNECTED, "[::1]:1 → 10.0.0.9:2 with families that disagree")],
        [(0, EventKind.CONNECTED, "1.2.3.4:²³ → 5.6.7.8:9" + "9" * 5000)],
        [(1, EventKind.CLOSED, "closed by you")],
        [(1, EventKind.EOF_RECEIVED, ""), (1, EventKind.EOF_SENT, "")],
        [(0, EventKind.RESET, "before any connection")],
        [(1, EventKind.ACCEPTED, "10.0.0.1:5 → 10.0.0.2:6"), (2, EventKind.CLOSED, "")],
    ],
    ids=[
        "no-address",
        "mixed-families",
        "bad-ports",
        "bytes-after-close",
        "bytes-after-fins",
        "reset-first",
        "accepted-mid-way",
    ],
)
def test_events_that_make_no_sense_still_give_a_clean_pcap_with_every_byte(
    tmp_path: Path, events: list[tuple[int, EventKind, str]]
) -> None:
    """A session file's events are untrusted: whatever they say, the bytes all arrive."""
    capture = Capture()
    chunks = [(Direction.SENT, b"ask"), (Direction.RECEIVED, b"answer"), (Direction.SENT, b"ok")]
    for index, (direction, data) in enumerate(chunks):
        for before, kind, detail in events:
            if before == index:
                capture.add_event(kind, detail)
        capture.append(direction, data)
    path = export(capture, tmp_path / "odd.pcap", local="192.0.2.1:1000", remote="192.0.2.2:80")

    assert_clean(path)
    assert payloads_by_side(path) == (b"askok", b"answer")
    capture.close()


def payloads_by_side(path: Path) -> tuple[bytes, bytes]:
    """(what our side sent, what the peer sent) over every stream: our frames always come
    from the synthetic local MAC address."""
    rows = tshark(path, "-Y", "tcp.len > 0", "-T", "fields", "-e", "eth.src", "-e", "tcp.payload")
    ours, theirs = b"", b""
    for row in rows.splitlines():
        mac, payload = row.split()
        if mac == "02:00:00:00:00:01":
            ours += bytes.fromhex(payload)
        else:
            theirs += bytes.fromhex(payload)
    return ours, theirs
