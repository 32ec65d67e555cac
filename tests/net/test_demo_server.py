"""The `--demo` server, spoken to with a plain socket, one command at a time."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from tcptui.net.demo_server import (
    BANNER,
    BINARY,
    BYE,
    HELP,
    MAX_FLOOD_KIB,
    MAX_LINE,
    DemoServer,
)
from tests.helpers import DEFAULT_TIMEOUT, closed_port


class Client:
    """A blocking loopback client whose every read has a deadline."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.sock = socket.create_connection(address, timeout=DEFAULT_TIMEOUT)
        self.banner = self.read_exactly(len(BANNER))

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_exactly(self, nbytes: int) -> bytes:
        parts, remaining = [], nbytes
        while remaining > 0:
            data = self.sock.recv(min(remaining, 1 << 20))
            if not data:
                raise AssertionError(f"EOF with {remaining} of {nbytes} bytes still to come")
            parts.append(data)
            remaining -= len(data)
        return b"".join(parts)

    def read_until(self, suffix: bytes, limit: int = 1 << 16) -> bytes:
        received = b""
        while not received.endswith(suffix):
            data = self.sock.recv(65536)
            assert data, f"EOF before {suffix!r}; got {received!r}"
            received += data
            assert len(received) <= limit, "the server kept sending"
        return received.removesuffix(suffix)

    def read_to_eof(self, limit: int = 1 << 20) -> bytes:
        parts, total = [], 0
        while data := self.sock.recv(65536):
            parts.append(data)
            total += len(data)
            assert total <= limit, "the server kept sending"
        return b"".join(parts)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer() as demo:
        yield demo


@pytest.fixture
def client(server: DemoServer) -> Iterator[Client]:
    talker = Client(server.address)
    yield talker
    talker.close()


def ask(client: Client, line: bytes, nbytes: int) -> bytes:
    client.send(line)
    return client.read_exactly(nbytes)


def test_start_binds_loopback_on_a_free_port() -> None:
    demo = DemoServer()
    host, port = demo.start()
    try:
        assert (host, port) == ("127.0.0.1", demo.port)
        assert port != 0
    finally:
        demo.stop()


def test_start_binds_the_port_it_is_given() -> None:
    port = closed_port()
    with DemoServer(port=port) as demo:
        assert demo.address == ("127.0.0.1", port)
        assert Client(demo.address).banner == BANNER


def test_a_new_client_is_greeted_with_a_banner_that_mentions_help(client: Client) -> None:
    assert client.banner == BANNER
    assert b"tcptui demo" in BANNER
    assert b"help" in BANNER


@pytest.mark.parametrize(
    "line",
    [b"hello\n", b"hello\r\n", b"\n", b"\r\n", b"  spaced  out \t\n", b"\x00\xff\x1b[0m raw\r\n"],
)
def test_unknown_lines_come_back_exactly(client: Client, line: bytes) -> None:
    assert ask(client, line, len(line)) == line


def test_lines_split_across_sends_and_several_per_send_echo_exactly(client: Client) -> None:
    client.send(b"fir")
    client.send(b"st\r\nsecond\nthi")
    client.send(b"rd\n")
    assert client.read_exactly(20) == b"first\r\nsecond\nthird\n"


def test_a_command_with_extra_words_is_just_echoed(client: Client) -> None:
    assert ask(client, b"help me\n", 8) == b"help me\n"


def test_help_lists_every_command(client: Client) -> None:
    reply = ask(client, b"help\n", len(HELP))

    assert reply == HELP
    for command in (b"help", b"binary", b"hostile", b"flood N", b"utf8", b"quit"):
        assert command in reply


@pytest.mark.parametrize("line", [b"HELP\r\n", b"  Help \n"])
def test_commands_ignore_case_surrounding_spaces_and_line_ending(
    client: Client, line: bytes
) -> None:
    assert ask(client, line, len(HELP)) == HELP


def test_binary_sends_every_byte_value_then_a_newline(client: Client) -> None:
    reply = ask(client, b"binary\r\n", 257)

    assert reply == bytes(range(256)) + b"\n" == BINARY


def test_hostile_sends_escapes_osc52_bel_and_markup(client: Client) -> None:
    client.send(b"hostile\nend-marker\n")
    hostile = client.read_until(b"end-marker\n")

    assert b"\x1b[31;1m" in hostile, "SGR colour"
    assert b"\x1b[2J" in hostile, "clear screen"
    assert b"\x1b]0;" in hostile, "window title"
    assert b"\x1b]52;c;" in hostile, "OSC 52 clipboard write"
    assert b"\x07" in hostile, "BEL"
    assert b"\x9b" in hostile, "8-bit CSI"
    assert b"\x00" in hostile
    assert b"[bold red]markup[/]" in hostile
    assert hostile.endswith(b"\n")


def test_utf8_sends_multilingual_text_and_an_invalid_byte(client: Client) -> None:
    client.send(b"utf8\nend-marker\n")
    text = client.read_until(b"end-marker\n")

    assert b"\xff" in text
    with pytest.raises(UnicodeDecodeError):
        text.decode("utf-8")
    readable = text.decode("utf-8", errors="replace")
    for sample in ("你好", "こんにちは", "안녕하세요", "привет", "γειά", "مرحبا", "👋"):
        assert sample in readable


@pytest.mark.parametrize("kib", [1, 3, 64, 65, 1000])
def test_flood_sends_exactly_n_kib_of_printable_lines(client: Client, kib: int) -> None:
    data = ask(client, b"flood %d\r\n" % kib, kib * 1024)
    assert ask(client, b"after\n", 6) == b"after\n", "nothing more than N KiB was sent"

    lines = data.split(b"\n")
    assert lines.pop() == b""
    assert len(lines) == kib * 16
    assert {len(line) for line in lines} == {63}
    assert data.replace(b"\n", b"").decode("ascii").isprintable()
    assert len(set(lines)) > len(lines) // 2, "the lines are pseudo-random, not one repeated"


def test_flood_with_a_bad_size_is_echoed(client: Client) -> None:
    assert ask(client, b"flood lots\n", 11) == b"flood lots\n"
    assert ask(client, b"flood \xb2\n", 8) == b"flood \xb2\n"


@pytest.mark.slow
def test_flood_is_capped_at_one_gibibyte(client: Client) -> None:
    client.send(b"flood %d\n" % (MAX_FLOOD_KIB * 4))
    client.send(b"quit\n")
    received = 0
    tail = b""
    while data := client.sock.recv(1 << 20):
        received += len(data)
        tail = (tail + data)[-16:]
        assert received <= MAX_FLOOD_KIB * 1024 + len(BYE)

    assert received == MAX_FLOOD_KIB * 1024 + len(BYE)
    assert tail.endswith(b"\n" + BYE)


def test_quit_says_bye_and_closes(client: Client) -> None:
    client.send(b"quit\r\n")
    assert client.read_to_eof() == BYE


def test_a_partial_last_line_is_echoed_before_the_server_closes(client: Client) -> None:
    client.send(b"no newline")
    client.sock.shutdown(socket.SHUT_WR)
    assert client.read_to_eof() == b"no newline"


def test_a_very_long_line_is_echoed_without_waiting_for_its_end(client: Client) -> None:
    chunk = b"x" * (MAX_LINE + 1)
    client.send(chunk)
    assert client.read_exactly(len(chunk)) == chunk
    assert ask(client, b"tail\n", 5) == b"tail\n"


def test_clients_are_served_side_by_side(server: DemoServer) -> None:
    clients = [Client(server.address) for _ in range(4)]
    try:
        for number, talker in enumerate(clients):
            talker.send(b"I am %d\n" % number)
        for number, talker in enumerate(clients):
            assert talker.read_exactly(7) == b"I am %d\n" % number
    finally:
        for talker in clients:
            talker.close()


def test_stop_closes_idle_and_busy_clients_promptly() -> None:
    demo = DemoServer()
    demo.start()
    idle = Client(demo.address)
    busy = Client(demo.address)
    busy.send(b"flood %d\n" % MAX_FLOOD_KIB)  # never read: the server blocks in sendall
    busy.read_exactly(1024)

    started = time.monotonic()
    demo.stop()
    took = time.monotonic() - started

    assert took < 1.0
    assert idle.sock.recv(1) == b""
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(demo.address, timeout=DEFAULT_TIMEOUT)
    idle.close()
    busy.close()
