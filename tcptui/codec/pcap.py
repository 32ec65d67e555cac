"""A classic libpcap file of synthetic TCP connections, for Wireshark and tcpdump.

tcptui sees a connection from the socket API, not the wire, so there are no real packets to
save. What people want from a pcap is the conversation in tools they already know, so we build
the frames a clean connection would have had: Ethernet, IPv4 or IPv6 and TCP headers with
correct lengths, checksums, sequence and acknowledgement numbers, a three-way handshake, every
payload byte once, an ACK for every segment (so no window ever looks full), a FIN from each
side when it sent EOF and at the close, or a RST when the peer reset the connection.
Timestamps are the real times the bytes moved.

The format is the classic one (magic 0xa1b2c3d4, microseconds, link type 1 = Ethernet), which
every pcap reader understands.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass
from typing import BinaryIO

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_SEGMENT = 65000
"""Payload bytes per TCP segment: an IPv4 packet's total length must fit in 16 bits."""

LINKTYPE_ETHERNET = 1
SNAPLEN = 262144
_GLOBAL_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAPLEN, LINKTYPE_ETHERNET)
_RECORD_HEADER = struct.Struct("<IIII")
_TCP_HEADER = struct.Struct("!HHIIBBHHH")
_IPV4_HEADER = struct.Struct("!BBHHHBBH4s4s")
_IPV6_HEADER = struct.Struct("!IHBB16s16s")

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
WINDOW = 65535
TTL = 64
PROTO_TCP = 6
VERSION_IHL = 0x45
DONT_FRAGMENT = 0x4000
LOCAL_MAC = bytes.fromhex("020000000001")
REMOTE_MAC = bytes.fromhex("020000000002")
LOCAL_ISN = 0x1000_0000
REMOTE_ISN = 0x2000_0000

FALLBACK_LOCAL = {4: ipaddress.ip_address("10.0.0.1"), 6: ipaddress.ip_address("fd00::1")}
FALLBACK_REMOTE = {4: ipaddress.ip_address("10.0.0.2"), 6: ipaddress.ip_address("fd00::2")}
FALLBACK_LOCAL_PORT = 50000


@dataclass(frozen=True)
class Endpoint:
    """One end of the synthetic connection."""

    address: IPAddress
    port: int


def parse_host_port(text: str) -> tuple[IPAddress | None, int | None]:
    """The IP address and port in "1.2.3.4:80", "[::1]:80" or "name:80"; None where unknown."""
    host, _, port_text = text.strip().rpartition(":")
    digits = port_text.isascii() and port_text.isdigit() and len(port_text) <= 5
    port = int(port_text) if digits and 0 < int(port_text) < 65536 else None
    host = host.removeprefix("[").removesuffix("]").split("%")[0]
    try:
        return ipaddress.ip_address(host), port
    except ValueError:
        return None, port


def endpoints(local: str, remote: str) -> tuple[Endpoint, Endpoint]:
    """(local, remote) endpoints from "host:port" text, filling in what is unknown.

    Unknown addresses become 10.0.0.1 (local) and 10.0.0.2 (remote), or fd00::1 and fd00::2
    when the other end is IPv6. Both ends always share one address family: should the two
    disagree, the IPv4 end is kept and the other replaced.
    """
    local_ip, local_port = parse_host_port(local)
    remote_ip, remote_port = parse_host_port(remote)
    known = {ip.version for ip in (local_ip, remote_ip) if ip is not None}
    version = known.pop() if len(known) == 1 else 4
    if local_ip is None or local_ip.version != version:
        local_ip = FALLBACK_LOCAL[version]
    if remote_ip is None or remote_ip.version != version:
        remote_ip = FALLBACK_REMOTE[version]
    return (
        Endpoint(local_ip, local_port or FALLBACK_LOCAL_PORT),
        Endpoint(remote_ip, remote_port or 0),
    )


def internet_checksum(*parts: bytes | memoryview) -> int:
    """RFC 1071 checksum of the parts laid end to end (every part but the last of even length).

    The one's complement sum of 16-bit words equals the big-endian integer modulo 0xffff, so one
    `int.from_bytes` per part does in C what a loop over words would do in Python.
    """
    total = 0
    for part in parts:
        value = int.from_bytes(part, "big")
        total += value << 8 if len(part) % 2 else value
    folded = total % 0xFFFF or (0xFFFF if total else 0)  # a non-zero sum folds to 0xffff
    return 0xFFFF - folded


class PcapWriter:
    """Writes the frames of one or more connections as it is told what happened, in time order.

    The first connection runs between the endpoints given here; `open` may name others for
    the next ones (a reconnect). A connection open when the next one opens is closed first.
    """

    def __init__(self, out: BinaryIO, local: Endpoint, remote: Endpoint) -> None:
        if local.address.version != remote.address.version:
            raise ValueError("both ends of a connection use the same IP version")
        self._out = out
        self._default_ends = (local, remote)
        self._used_ends: set[tuple[Endpoint, Endpoint]] = set()
        self._connections = 0
        self._ends = {True: local, False: remote}
        self._macs = {True: (LOCAL_MAC, REMOTE_MAC), False: (REMOTE_MAC, LOCAL_MAC)}
        self._next_seq = {True: LOCAL_ISN, False: REMOTE_ISN}
        self._ip_id = {True: 0, False: 0}
        self._ipv6 = local.address.version == 6
        self._finished = {True: False, False: False}
        self.is_open = False
        """True between a handshake and the FIN exchange or RST that ends its connection."""
        out.write(_GLOBAL_HEADER)

    def open(
        self,
        wall_ns: int,
        ends: tuple[Endpoint, Endpoint] | None = None,
        *,
        local_opens: bool = True,
    ) -> None:
        """The three-way handshake of a new connection between `ends` (local, remote), by
        default the writer's own; the side that sends the SYN is ours unless `local_opens`
        is False (a client connecting to us in listen mode). Ends used before get the next
        local port, so no two connections share their four numbers."""
        if self.is_open:
            self.close(wall_ns)
        local, remote = ends or self._default_ends
        if local.address.version != remote.address.version:
            local, remote = self._default_ends
        while (local, remote) in self._used_ends:
            local = Endpoint(local.address, local.port % 65535 + 1)
        self._used_ends.add((local, remote))
        self._ends = {True: local, False: remote}
        self._ipv6 = local.address.version == 6
        step = self._connections * 0x0100_0000
        self._connections += 1
        self._next_seq = {True: LOCAL_ISN + step, False: REMOTE_ISN + step}
        self._finished = {True: False, False: False}
        self.is_open = True
        self._packet(local_opens, SYN, wall_ns, ack=False)
        self._advance(local_opens, 1)
        self._packet(not local_opens, SYN | ACK, wall_ns)
        self._advance(not local_opens, 1)
        self._packet(local_opens, ACK, wall_ns)

    def finished(self, from_local: bool) -> bool:
        """True once that side has sent its FIN: it sends nothing more on this connection."""
        return self._finished[from_local]

    def segment(self, from_local: bool, payload: bytes | memoryview, wall_ns: int) -> None:
        """`payload` sent by one side, in segments of at most MAX_SEGMENT, each one ACKed."""
        view = memoryview(payload)
        for start in range(0, len(view), MAX_SEGMENT):
            piece = view[start : start + MAX_SEGMENT]
            self._packet(from_local, PSH | ACK, wall_ns, piece)
            self._advance(from_local, len(piece))
            self._packet(not from_local, ACK, wall_ns)

    def finish(self, from_local: bool, wall_ns: int) -> None:
        """A half-close: that side's FIN, ACKed by the other, which may still send."""
        if not self.is_open or self._finished[from_local]:
            return
        self._fin(from_local, wall_ns)
        self._packet(not from_local, ACK, wall_ns)

    def close(self, wall_ns: int, reset: bool = False) -> None:
        """A FIN from each side that has not sent one, and the last ACK; or the peer's RST
        when it reset us. Nothing once the connection has ended."""
        if not self.is_open:
            return
        if reset:
            self._packet(False, RST | ACK, wall_ns)
        else:
            pending = [side for side in (True, False) if not self._finished[side]]
            for side in pending:
                self._fin(side, wall_ns)
            if pending:
                self._packet(not pending[-1], ACK, wall_ns)
        self.is_open = False

    def _fin(self, side: bool, wall_ns: int) -> None:
        self._packet(side, FIN | ACK, wall_ns)
        self._advance(side, 1)
        self._finished[side] = True

    def _advance(self, side: bool, sequence_space: int) -> None:
        self._next_seq[side] = (self._next_seq[side] + sequence_space) & 0xFFFFFFFF

    def _packet(
        self,
        from_local: bool,
        flags: int,
        wall_ns: int,
        payload: memoryview | None = None,
        ack: bool = True,
    ) -> None:
        data = payload if payload is not None else memoryview(b"")
        src, dst = self._ends[from_local], self._ends[not from_local]
        seq = self._next_seq[from_local]
        ack_number = self._next_seq[not from_local] if ack else 0
        tcp = _TCP_HEADER.pack(src.port, dst.port, seq, ack_number, 5 << 4, flags, WINDOW, 0, 0)
        tcp_length = len(tcp) + len(data)
        pseudo = self._pseudo_header(src, dst, tcp_length)
        checksum = internet_checksum(pseudo + tcp, data)
        tcp = tcp[:16] + checksum.to_bytes(2, "big") + tcp[18:]
        ip = self._ip_header(from_local, src, dst, tcp_length)
        dst_mac, src_mac = self._macs[from_local][1], self._macs[from_local][0]
        ethertype = b"\x86\xdd" if self._ipv6 else b"\x08\x00"
        headers = dst_mac + src_mac + ethertype + ip + tcp
        frame_length = len(headers) + len(data)
        seconds, nanoseconds = divmod(wall_ns, 1_000_000_000)
        record = _RECORD_HEADER.pack(seconds, nanoseconds // 1000, frame_length, frame_length)
        self._out.write(record + headers)
        if data:
            self._out.write(data)

    def _pseudo_header(self, src: Endpoint, dst: Endpoint, tcp_length: int) -> bytes:
        if self._ipv6:
            return (
                src.address.packed
                + dst.address.packed
                + struct.pack("!I3xB", tcp_length, PROTO_TCP)
            )
        return src.address.packed + dst.address.packed + struct.pack("!xBH", PROTO_TCP, tcp_length)

    def _ip_header(self, from_local: bool, src: Endpoint, dst: Endpoint, tcp_length: int) -> bytes:
        if self._ipv6:
            return _IPV6_HEADER.pack(
                6 << 28, tcp_length, PROTO_TCP, TTL, src.address.packed, dst.address.packed
            )
        ident = self._ip_id[from_local]
        self._ip_id[from_local] = (ident + 1) & 0xFFFF
        src_ip, dst_ip = src.address.packed, dst.address.packed
        header = _IPV4_HEADER.pack(
            VERSION_IHL, 0, 20 + tcp_length, ident, DONT_FRAGMENT, TTL, PROTO_TCP, 0, src_ip, dst_ip
        )
        checksum = internet_checksum(header)
        return header[:10] + checksum.to_bytes(2, "big") + header[12:]
