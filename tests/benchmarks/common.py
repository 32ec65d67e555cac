"""What every figure shares: settings, the result row, reference tools, payloads, a server.

Nothing here sleeps to synchronise: the server reports through events, processes are waited
on with deadlines, and every loop is bounded by a size or a deadline.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

MIB = 1 << 20
GIB = 1 << 30

NEEDLE = b"\xc3TcP"
"""The 4-byte pattern planted in payloads (and found by chance about once per 4 GiB)."""
REGEX_TEXT = r"TCPTUI-[0-9]{6}"
"""The regular expression searched for; `plant` writes a match into every MiB."""

APT_PACKAGES = {
    "socat": "socat",
    "nc": "netcat-openbsd",
    "ncat": "ncat",
    "xxd": "xxd",
    "hexdump": "bsdextrautils",
    "tmux": "tmux",
    "grep": "grep",
}
"""Reference tools and the Debian packages that hold them."""

T = TypeVar("T")


class ByteCheckError(AssertionError):
    """tcptui produced different bytes from the reference: the run fails even in quick mode."""


@dataclass(frozen=True)
class Settings:
    """Sizes and repetitions for one run of the suite."""

    quick: bool
    workdir: Path
    repetitions: int
    ingest_repetitions: int
    """The 1 GiB ingest moves most between runs (socat alone 0.7-1.1 s): more rounds."""
    ingest_bytes: int
    ingest_small_bytes: int
    display_tool_bytes: int
    """For ncat --hex-dump (about 30 MB/s here)."""
    socat_dump_bytes: int
    """For socat -x -v (under 1 MB/s here)."""
    display_repetitions: int
    flood_samples: int
    flood_bytes: int
    flood_budget: float
    """Seconds the key presses may take in all, flooded or not."""
    frame_big_bytes: int
    frame_small_bytes: int
    frame_jumps: int
    line_bytes: int
    hexdump_bytes: int
    search_bytes: int
    startup_repetitions: int
    messages_bytes: int
    """The capture figure 9 indexes and exports by message."""
    messages_tiny_chunks: int
    """One-byte reads in figure 9's trickled capture."""

    @classmethod
    def make(cls, quick: bool, workdir: Path) -> Settings:
        if quick:
            return cls(
                quick=True,
                workdir=workdir,
                repetitions=1,
                ingest_repetitions=1,
                ingest_bytes=32 * MIB,
                ingest_small_bytes=8 * MIB,
                display_tool_bytes=16 * MIB,
                socat_dump_bytes=1 * MIB,
                display_repetitions=1,
                flood_samples=30,
                flood_bytes=256 * MIB,
                flood_budget=10.0,
                frame_big_bytes=16 * MIB,
                frame_small_bytes=1 * MIB,
                frame_jumps=6,
                line_bytes=10 * MIB,
                hexdump_bytes=8 * MIB,
                search_bytes=64 * MIB,
                startup_repetitions=2,
                messages_bytes=32 * MIB,
                messages_tiny_chunks=100_000,
            )
        return cls(
            quick=False,
            workdir=workdir,
            repetitions=3,
            ingest_repetitions=5,
            ingest_bytes=GIB,
            ingest_small_bytes=256 * MIB,
            display_tool_bytes=256 * MIB,
            socat_dump_bytes=16 * MIB,
            display_repetitions=1,
            flood_samples=300,
            flood_bytes=GIB,
            flood_budget=90.0,
            frame_big_bytes=GIB,
            frame_small_bytes=1 * MIB,
            frame_jumps=40,
            line_bytes=10 * MIB,
            hexdump_bytes=100 * MIB,
            search_bytes=GIB,
            startup_repetitions=7,
            messages_bytes=GIB,
            messages_tiny_chunks=1_000_000,
        )


@dataclass
class Row:
    """One line of the results table: a tcptui figure beside its reference."""

    figure: str
    tcptui: str
    reference: str
    ratio: str
    target: str
    passed: bool | None
    """None: informational, no target."""
    notes: list[str] = field(default_factory=list)


def size_text(nbytes: int) -> str:
    if nbytes >= GIB and nbytes % GIB == 0:
        return f"{nbytes // GIB} GiB"
    if nbytes >= MIB:
        return f"{nbytes / MIB:g} MiB"
    return f"{nbytes} B"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the value below which `fraction` of the samples fall."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def alternate(contenders: dict[str, Callable[[], T]], repetitions: int) -> dict[str, list[T]]:
    """Run each contender once per round, in an order that rotates each round."""
    names = list(contenders)
    results: dict[str, list[T]] = {name: [] for name in names}
    for round_index in range(repetitions):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(contenders[name]())
    return results


# -- reference tools ---------------------------------------------------------------------------


def ensure_tools(log: Callable[[str], None] = print) -> list[str]:
    """Install missing reference tools with apt-get (when root); return those still missing."""
    missing = [package for tool, package in APT_PACKAGES.items() if shutil.which(tool) is None]
    if missing and shutil.which("apt-get") and os.geteuid() == 0:
        log(f"installing reference tools: {' '.join(sorted(set(missing)))}")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        command = ["apt-get", "install", "-y", "-qq", *sorted(set(missing))]
        if subprocess.run(command, env=env, capture_output=True, timeout=600).returncode:
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
            subprocess.run(command, env=env, capture_output=True, timeout=600)
    return [tool for tool in APT_PACKAGES if shutil.which(tool) is None]


def run_tool(argv: Sequence[str], timeout: float, **kwargs: object) -> float:
    """Run a command to completion (bounded); its wall time in seconds. Fails loudly."""
    started = time.perf_counter()
    completed = subprocess.run(argv, timeout=timeout, **kwargs)  # type: ignore[call-overload]
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {completed.returncode}")
    return elapsed


# -- payloads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    path: Path
    size: int
    sha256: str


def make_payload(workdir: Path, size: int, seed: int = 1) -> Payload:
    """A file of `size` seeded pseudo-random bytes, with NEEDLE and a REGEX match in every MiB.

    Files are kept in `workdir` (deleted at the end of the run) and reused within the run.
    """
    path = workdir / f"payload-{size}-{seed}.bin"
    if path.exists():
        return Payload(path, size, _sha256_of(path))
    rng = random.Random(seed)
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        remaining = size
        serial = 0
        while remaining > 0:
            block = bytearray(rng.randbytes(min(MIB, remaining)))
            plant(block, rng, serial)
            serial += 1
            digest.update(block)
            out.write(block)
            remaining -= len(block)
    return Payload(path, size, digest.hexdigest())


def plant(block: bytearray, rng: random.Random, serial: int) -> None:
    """Put one NEEDLE and one `TCPTUI-nnnnnn` at random places in `block` (if it is big enough)."""
    marker = b"TCPTUI-%06d" % (serial % 1_000_000)
    if len(block) < 4 * len(marker):
        return
    half = len(block) // 2
    at = rng.randrange(0, half - len(NEEDLE))
    block[at : at + len(NEEDLE)] = NEEDLE
    at = rng.randrange(half, len(block) - len(marker))
    block[at : at + len(marker)] = marker


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while data := source.read(4 * MIB):
            digest.update(data)
    return digest.hexdigest()


@contextlib.contextmanager
def workdir(parent: str | None = None) -> Iterator[Path]:
    """A scratch folder for payloads and outputs, removed (with every big file) at the end."""
    path = Path(tempfile.mkdtemp(prefix="tcptui-bench-", dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# -- a loopback server -------------------------------------------------------------------------


@dataclass
class Transfer:
    """Server-side timestamps (time.monotonic, comparable across processes on Linux)."""

    accepted: float = 0.0
    sent_all: float = 0.0
    peer_closed: float = 0.0
    sent: int = 0
    error: str = ""

    @property
    def seconds(self) -> float:
        """From accept to the client closing after EOF: the client's whole ingest."""
        return self.peer_closed - self.accepted


class SendfileServer:
    """Serves `nbytes` of a payload file to each client in turn with sendfile(2), then EOF.

    The payload repeats when `nbytes` is larger than the file. sendfile runs in the kernel
    with the GIL released, so the server costs the process under test (if it is this one)
    almost nothing. Each transfer's timestamps are handed over through `next_transfer()`.
    """

    HOLD_LIMIT = 600.0

    def __init__(self, payload: Path, nbytes: int) -> None:
        self.payload = payload
        self.nbytes = nbytes
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=4)
        self.port: int = self._listener.getsockname()[1]
        self._done: list[Transfer] = []
        self._condition = threading.Condition()
        self._stopping = threading.Event()
        self._current: socket.socket | None = None
        self._thread = threading.Thread(target=self._serve, name="bench-sendfile", daemon=True)

    def __enter__(self) -> SendfileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        current = self._current
        if current is not None:
            with contextlib.suppress(OSError):
                current.shutdown(socket.SHUT_RDWR)
        self._thread.join(10)

    def next_transfer(self, timeout: float) -> Transfer:
        """The next finished transfer; TimeoutError if none finishes in time."""
        with self._condition:
            if not self._condition.wait_for(lambda: bool(self._done), timeout):
                raise TimeoutError(f"no transfer finished within {timeout:.0f} s")
            transfer = self._done.pop(0)
        if transfer.error:
            raise RuntimeError(f"server: {transfer.error}")
        return transfer

    def _serve(self) -> None:
        fd = os.open(self.payload, os.O_RDONLY)
        try:
            file_size = os.fstat(fd).st_size
            while not self._stopping.is_set():
                try:
                    conn, _ = self._listener.accept()
                except OSError:
                    return
                transfer = Transfer(accepted=time.monotonic())
                self._current = conn
                try:
                    self._send(conn, fd, file_size, transfer)
                except OSError as exc:
                    transfer.error = f"{type(exc).__name__}: {exc}"
                finally:
                    self._current = None
                    conn.close()
                with self._condition:
                    self._done.append(transfer)
                    self._condition.notify_all()
        finally:
            os.close(fd)

    def _send(self, conn: socket.socket, fd: int, file_size: int, transfer: Transfer) -> None:
        conn.setblocking(True)  # sendfile needs a blocking socket; stop() unblocks it
        remaining = self.nbytes
        while remaining > 0 and not self._stopping.is_set():
            offset = transfer.sent % file_size
            count = min(remaining, file_size - offset)
            try:
                sent = os.sendfile(conn.fileno(), fd, offset, count)
            except (BrokenPipeError, ConnectionResetError):
                break  # the client closed early (the flood figure does that on purpose)
            if sent == 0:
                break
            transfer.sent += sent
            remaining -= sent
        transfer.sent_all = time.monotonic()
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(self.HOLD_LIMIT)
            while conn.recv(1 << 16):
                pass
        transfer.peer_closed = time.monotonic()


def warm_memory(mib: int) -> None:
    """Write `mib` MiB to a temporary file and delete it: the page cache a program takes next
    then comes from memory the VM backs already.

    This VM hands memory freed for a second or two back to its host (free page reporting) and
    takes a fault per page to get it again: writing 1 GiB to the page cache took 0.25 s just
    after another such write and 1.2-3.3 s after a pause of 1-6 s (measured). Warming before
    each contender keeps that cost out of ratios that compare the programs, not the VM.
    """
    block = b"\x01" * (4 << 20)
    with tempfile.TemporaryFile(prefix="tcptui-bench-warm-") as scratch:
        for _ in range(mib // 4):
            scratch.write(block)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
