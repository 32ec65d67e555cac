"""The built-in demo server behind `tcptui --demo`: something to poke at without a network.

It is a line service on loopback. Each client gets a banner, then every line it sends is either
a command or echoed back byte for byte, line ending included. The commands produce the traffic
that shows what tcptui is for: every byte value, hostile terminal escapes that must be shown and
not obeyed, a flood of any size up to 1 GiB, and multilingual text with an invalid byte.

Each client is served by its own daemon thread; `stop()` wakes the accept loop through a
socketpair and shuts every client socket down, which ends any `recv`/`sendall` at once.
"""

from __future__ import annotations

import base64
import random
import selectors
import socket
import threading
from contextlib import suppress
from types import TracebackType
from typing import Self

from tcptui.net.wake_up import WakeUp

MAX_FLOOD_KIB = 1 << 20
"""`flood N` sends at most this many KiB (1 GiB)."""
MAX_LINE = 64 * 1024
"""A longer run of bytes without a newline is echoed as it is, so memory stays bounded."""
JOIN_TIMEOUT = 2.0
"""Seconds `stop()` waits for each thread; they end at once because their sockets are shut."""
DRAIN_TIMEOUT = 2.0
"""After `quit`, seconds spent reading what the client still sends, so closing cannot reset."""
DRAIN_LIMIT = 1 << 20
"""…and at most this many bytes of it."""

BANNER = b"tcptui demo server\ntype help for the commands; anything else is echoed back\n"

HELP = b"""commands (end each line with Enter):
  help      this list
  binary    every byte value 0x00..0xff, then a newline
  hostile   terminal escapes, OSC 52, BEL and markup: tcptui shows them, never obeys them
  flood N   N KiB of pseudo-random printable lines (N at most 1048576, i.e. 1 GiB)
  utf8      multilingual text, emoji, CJK and an invalid byte
  quit      say bye and close the connection
any other line comes back exactly as sent, line ending included
"""

BINARY = bytes(range(256)) + b"\n"

_CLIPBOARD_TEXT = b"tcptui demo: if you can paste this, an OSC 52 write got through"
HOSTILE = b"".join(
    [
        b"-- hostile bytes: a safe viewer shows these and obeys none of them --\n",
        b"SGR colour: \x1b[31;1mred and bold\x1b[0m\n",
        b"clear screen and cursor home: \x1b[2J\x1b[H\n",
        b"alternate screen and mouse tracking: \x1b[?1049h\x1b[?1000h\n",
        b"window title (OSC 0): \x1b]0;title set by the demo server\x07\n",
        b"clipboard write (OSC 52): \x1b]52;c;" + base64.b64encode(_CLIPBOARD_TEXT) + b"\x07\n",
        b"hyperlink (OSC 8): \x1b]8;;https://example.com/\x1b\\click me\x1b]8;;\x1b\\\n",
        b"bell: \x07\x07\x07\n",
        b"8-bit CSI (C1): \x9b31mred?\x9b0m\n",
        b"NUL and DEL: \x00\x7f\n",
        b"backspaces over a secret: hunter2\x08\x08\x08\x08\x08\x08\x08*******\n",
        b"carriage return overwrite: visible\rHIDDEN\n",
        b"Rich markup: [bold red]markup[/] [link=https://example.com/]link[/link]\n",
        "bidi override: \u202eexe.txt\u202c\n".encode(),
        b"-- end of hostile bytes --\n",
    ]
)

UTF8 = (
    "English: hello, world\n"
    "Ελληνικά: γειά σου κόσμε\n"
    "Русский: привет, мир\n"
    "العربية: مرحبا بالعالم\n"
    "עברית: שלום עולם\n"
    "हिन्दी: नमस्ते दुनिया\n"
    "中文: 你好，世界\n"
    "日本語: こんにちは世界\n"
    "한국어: 안녕하세요 세계\n"
    "emoji: 👋🌍 🧪 👩\u200d💻 🇳🇿 ❤\ufe0f\n"
    "combining accent: e\u0301 (e + U+0301)\n"
).encode() + b"invalid UTF-8: \xff and a cut-off sequence: \xe2\x82 end\n"

BYE = b"bye\n"

_PRINTABLE = bytes(0x20 + value % 95 for value in range(256))
_LINE = 64
_FLOOD_BLOCK = 64 * 1024
_FLOOD_SEED = 0x7C9


def flood_blocks(kib: int) -> list[int]:
    """The sizes of the blocks `flood` sends for `kib` KiB (a block is at most 64 KiB)."""
    total = kib * 1024
    return [min(_FLOOD_BLOCK, total - start) for start in range(0, total, _FLOOD_BLOCK)]


def _flood_block(rng: random.Random, size: int) -> bytes:
    """`size` bytes of printable ASCII in lines of 64 (63 characters and a newline)."""
    block = bytearray(rng.randbytes(size).translate(_PRINTABLE))
    block[_LINE - 1 :: _LINE] = b"\n" * (size // _LINE)
    return bytes(block)


class DemoServer:
    """A line service on loopback for `tcptui --demo`; `start()` it or use it with `with`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._listener: socket.socket | None = None
        self._wake_up = WakeUp()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._clients: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name="tcptui-demo-accept", daemon=True
        )

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    def start(self) -> tuple[str, int]:
        """Listen and start accepting; returns the address (the real port when given 0)."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self.port))
            listener.listen(16)
            listener.setblocking(False)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._accept_thread.start()
        return self.address

    def stop(self) -> None:
        """Stop accepting and close every client now. Safe to call more than once."""
        self._stopping.set()
        self._wake_up.wake()
        if self._accept_thread.is_alive():
            self._accept_thread.join(JOIN_TIMEOUT)
        with self._lock:
            for client in self._clients:
                with suppress(OSError):
                    client.shutdown(socket.SHUT_RDWR)
            threads = list(self._threads)
        for thread in threads:
            thread.join(JOIN_TIMEOUT)
        if self._listener is not None:
            self._listener.close()
        self._wake_up.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- accepting ---------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        listener = self._listener
        if listener is None:
            return
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            selector.register(self._wake_up.reader, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._wake_up.reader:
                        return
                    try:
                        client, _ = listener.accept()
                    except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                        continue
                    self._adopt(client)

    def _adopt(self, client: socket.socket) -> None:
        client.setblocking(True)
        with self._lock:
            if self._stopping.is_set():
                client.close()
                return
            thread = threading.Thread(
                target=self._serve, args=(client,), name="tcptui-demo-client", daemon=True
            )
            self._clients.add(client)
            self._threads = [alive for alive in self._threads if alive.is_alive()]
            self._threads.append(thread)
        thread.start()

    # -- one client --------------------------------------------------------------------------

    def _serve(self, client: socket.socket) -> None:
        try:
            client.sendall(BANNER)
            self._converse(client)
        except OSError:
            pass  # the client went away, or we are stopping: either way this client is done
        finally:
            with self._lock:
                self._clients.discard(client)
                client.close()

    def _converse(self, client: socket.socket) -> None:
        pending = bytearray()
        while not self._stopping.is_set():
            data = client.recv(65536)
            if not data:
                if pending:
                    client.sendall(bytes(pending))
                client.shutdown(socket.SHUT_WR)
                return
            pending += data
            while (end := pending.find(b"\n")) >= 0:
                line = bytes(pending[: end + 1])
                del pending[: end + 1]
                if not self._answer(client, line):
                    return
            if len(pending) > MAX_LINE:
                client.sendall(bytes(pending))
                pending.clear()

    def _answer(self, client: socket.socket, line: bytes) -> bool:
        """Carry out one line; False once the conversation is over."""
        words = line.split()
        command = words[0].lower() if words else b""
        reply = _REPLIES.get(command) if len(words) == 1 else None
        if reply is not None:
            client.sendall(reply)
        elif command == b"flood" and len(words) == 2 and words[1].isdigit():
            self._flood(client, min(int(words[1]), MAX_FLOOD_KIB))
        elif command == b"quit" and len(words) == 1:
            client.sendall(BYE)
            self._hang_up(client)
            return False
        else:
            client.sendall(line)
        return True

    def _flood(self, client: socket.socket, kib: int) -> None:
        rng = random.Random(_FLOOD_SEED)
        for size in flood_blocks(kib):
            if self._stopping.is_set():
                return
            client.sendall(_flood_block(rng, size))

    def _hang_up(self, client: socket.socket) -> None:
        """Send EOF, then read until the client's, so unread bytes cannot turn close into RST."""
        client.shutdown(socket.SHUT_WR)
        client.settimeout(DRAIN_TIMEOUT)
        with suppress(OSError):
            for _ in range(DRAIN_LIMIT // 65536):
                if not client.recv(65536):
                    return


_REPLIES = {b"help": HELP, b"binary": BINARY, b"hostile": HOSTILE, b"utf8": UTF8}
