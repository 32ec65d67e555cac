"""A crowd of clients for the listen figure, in a process of its own (not the app's GIL).

`python -m tests.benchmarks.listen_crowd PORT N`: prints `go` and flushes, connects N clients
as fast as it can, each sending one line (`client 7\n`), prints `connected SECONDS`, holds them
all until a line (or EOF) arrives on stdin, then closes them and exits.
"""

from __future__ import annotations

import socket
import sys
import time


def line_of(number: int) -> bytes:
    return b"client %d\n" % number


def main() -> None:
    port, count = int(sys.argv[1]), int(sys.argv[2])
    print("go", flush=True)
    started = time.perf_counter()
    clients = []
    for number in range(count):
        client = socket.create_connection(("127.0.0.1", port), timeout=30)
        client.sendall(line_of(number))
        clients.append(client)
    print(f"connected {time.perf_counter() - started:.4f}", flush=True)
    sys.stdin.readline()
    for client in clients:
        client.close()


if __name__ == "__main__":
    main()
