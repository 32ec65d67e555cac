"""Synthetic pcap: tshark must read back every byte, each way, with nothing to complain about."""

from __future__ import annotations

import ipaddress
import random
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tcptui.codec.pcap import (
    MAX_SEGMENT,
    Endpoint,
    PcapWriter,
    endpoints,
    internet_checksum,
    parse_host_port,
)
from tests.helpers import require_tool

START_NS = 1_735_787_045_123_456_789
rng = random.Random(3)
CONVERSATION = [
    (True, b"GET /big HTTP/1.1\r\nHost: example\r\n\r\n"),
    (False, b"HTTP/1.1 200 OK\r\n\r\n" + rng.randbytes(3 * MAX_SEGMENT + 17)),
    (False, b"\x00"),
    (True, rng.randbytes(MAX_SEGMENT + 1)),
    (True, b"\xff" * 3),
    (False, b"bye\n"),
]


def write_pcap(path: Path, local: str, remote: str, reset: bool = False) -> list[int]:
    """The conversation as a pcap; returns the wall time given to each chunk."""
    times = [START_NS + index * 1_500_250_000 for index in range(len(CONVERSATION))]
    with path.open("wb") as out:
        writer = PcapWriter(out, *endpoints(local, remote))
        writer.open(START_NS)
        for (from_local, data), wall_ns in zip(CONVERSATION, times, strict=True):
            writer.segment(from_local, data, wall_ns)
        writer.close(times[-1], reset=reset)
    return times


def tshark(path: Path, *arguments: str) -> str:
    command = [require_tool("tshark", "tshark"), "-r", str(path), *arguments]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout


def follow_raw(path: Path) -> tuple[str, bytes, bytes]:
    """`tshark -z follow,tcp,raw,0` parsed: (node 0, bytes node 0 sent, bytes node 1 sent).

    Node 1's lines are indented with a tab; node 0 is the side that sent the SYN.
    """
    lines = tshark(path, "-q", "-z", "follow,tcp,raw,0").splitlines()
    node0 = next(line for line in lines if line.startswith("Node 0: ")).removeprefix("Node 0: ")
    body = lines[next(i for i, line in enumerate(lines) if line.startswith("Node 1: ")) + 1 :]
    data = [line for line in body if line and not line.startswith("=")]
    sent0 = bytes.fromhex("".join(line for line in data if not line.startswith("\t")))
    sent1 = bytes.fromhex("".join(line.strip() for line in data if line.startswith("\t")))
    return node0, sent0, sent1


def expected_stream(from_local: bool) -> bytes:
    return b"".join(data for side, data in CONVERSATION if side is from_local)


@pytest.mark.parametrize(
    ("local", "remote", "node0"),
    [
        ("192.0.2.7:51234", "198.51.100.1:80", "192.0.2.7:51234"),
        ("[2001:db8::7]:51234", "[2001:db8::1]:443", "[2001:db8::7]:51234"),
    ],
    ids=["ipv4", "ipv6"],
)
def test_tshark_follows_every_byte_in_both_directions(
    tmp_path: Path, local: str, remote: str, node0: str
) -> None:
    path = tmp_path / "conversation.pcap"
    write_pcap(path, local, remote)

    follower, from_local, from_remote = follow_raw(path)

    assert follower == node0
    assert from_local == expected_stream(True)
    assert from_remote == expected_stream(False)


@pytest.mark.parametrize("reset", [False, True], ids=["fin", "rst"])
def test_tshark_finds_no_analysis_warnings_and_good_checksums(tmp_path: Path, reset: bool) -> None:
    path = tmp_path / "clean.pcap"
    write_pcap(path, "[::1]:40000" if reset else "127.0.0.1:40000", "")
    rows = tshark(
        path,
        *("-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE"),
        *("-T", "fields", "-E", "separator=,"),
        *("-e", "tcp.analysis.flags", "-e", "tcp.checksum.status", "-e", "ip.checksum.status"),
    ).splitlines()

    good, unverified = "1", ""  # IPv6 has no header checksum
    assert len(rows) > 2 * len(CONVERSATION)
    assert set(rows) == {f",{good},{unverified if reset else good}"}


def test_connection_ends_with_fin_exchange_or_peer_reset(tmp_path: Path) -> None:
    closed, reset = tmp_path / "closed.pcap", tmp_path / "reset.pcap"
    write_pcap(closed, "10.1.1.1:1000", "10.1.1.2:2000")
    write_pcap(reset, "10.1.1.1:1000", "10.1.1.2:2000", reset=True)

    def last_flags(path: Path, count: int) -> list[str]:
        rows = tshark(path, "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.flags.str")
        return [" ".join(row.split()) for row in rows.splitlines()[-count:]]

    assert last_flags(closed, 3) == ["1000 ·······A···F", "2000 ·······A···F", "1000 ·······A····"]
    assert last_flags(reset, 2) == ["1000 ·······A····", "2000 ·······A·R··"]


def test_frames_carry_the_real_time_of_each_chunk(tmp_path: Path) -> None:
    path = tmp_path / "timed.pcap"
    times = write_pcap(path, "10.0.0.5:1", "10.0.0.6:2")
    rows = tshark(path, "-Y", "tcp.len > 0", "-T", "fields", "-e", "frame.time_epoch")
    stamped = sorted({int(row.replace(".", "")) // 1000 for row in rows.split()})
    assert stamped == [wall_ns // 1000 for wall_ns in times]


def test_handshake_opens_the_capture(tmp_path: Path) -> None:
    path = tmp_path / "handshake.pcap"
    write_pcap(path, "10.0.0.5:1234", "10.0.0.6:80")
    rows = tshark(path, "-c", "3", "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.flags.str")
    assert [" ".join(row.split()) for row in rows.splitlines()] == [
        "1234 ··········S·",
        "80 ·······A··S·",
        "1234 ·······A····",
    ]


def reference_checksum(data: bytes) -> int:
    """RFC 1071 the slow, obvious way: add 16-bit words with end-around carry."""
    if len(data) % 2:
        data += b"\x00"
    total = 0
    for index in range(0, len(data), 2):
        total += (data[index] << 8) | data[index + 1]
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


@given(st.binary(max_size=300), st.binary(max_size=300).filter(lambda head: len(head) % 2 == 0))
def test_checksum_matches_the_rfc_1071_definition(data: bytes, head: bytes) -> None:
    assert internet_checksum(data) == reference_checksum(data)
    assert internet_checksum(head, data) == reference_checksum(head + data)


@pytest.mark.parametrize(
    ("text", "address", "port"),
    [
        ("192.0.2.1:80", "192.0.2.1", 80),
        ("[2001:db8::1]:443", "2001:db8::1", 443),
        ("[fe80::1%eth0]:22", "fe80::1", 22),
        ("example.com:25", None, 25),
        ("", None, None),
        ("10.0.0.1:99999", "10.0.0.1", None),
    ],
)
def test_host_port_text_is_parsed_as_far_as_it_is_known(
    text: str, address: str | None, port: int | None
) -> None:
    parsed = parse_host_port(text)
    assert parsed == (ipaddress.ip_address(address) if address else None, port)


@pytest.mark.parametrize(
    ("local", "remote", "expected"),
    [
        ("", "example.com:7", ("10.0.0.1", 50000, "10.0.0.2", 7)),
        ("", "", ("10.0.0.1", 50000, "10.0.0.2", 0)),
        ("", "[2001:db8::1]:80", ("fd00::1", 50000, "2001:db8::1", 80)),
        ("192.0.2.7:5", "[2001:db8::1]:80", ("192.0.2.7", 5, "10.0.0.2", 80)),
    ],
)
def test_unknown_endpoints_fall_back_to_private_addresses_of_one_family(
    local: str, remote: str, expected: tuple[str, int, str, int]
) -> None:
    local_end, remote_end = endpoints(local, remote)
    address, port, peer, peer_port = expected
    assert local_end == Endpoint(ipaddress.ip_address(address), port)
    assert remote_end == Endpoint(ipaddress.ip_address(peer), peer_port)
