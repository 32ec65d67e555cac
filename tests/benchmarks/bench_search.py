"""Figure 6: searching a big spooled capture (tcptui.capture.search) for bytes and a regex.

References, over the payload file the capture was loaded from (hot in the page cache, like
the capture's own spool file): `grep -c -F` / `grep -c -P` and Python's `bytes.find` /
`re.finditer` over an mmap of the file. The match counts must equal Python's.
"""

from __future__ import annotations

import mmap
import os
import re
import subprocess
import time
from collections.abc import Callable

from tcptui.capture.search import Pattern, SearchMode, compile_pattern, search_capture

from .bench_frame import load_capture
from .common import (
    NEEDLE,
    REGEX_TEXT,
    ByteCheckError,
    Row,
    Settings,
    alternate,
    make_payload,
    median,
    size_text,
)

LITERAL_TARGET_GBPS = 1.0


def timed(work: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    count = work()
    return time.perf_counter() - started, count


def python_find(view: mmap.mmap) -> int:
    count, position = 0, view.find(NEEDLE)
    while position >= 0:
        count += 1
        position = view.find(NEEDLE, position + len(NEEDLE))
    return count


def grep(flag: str, pattern: bytes, path: str) -> int:
    completed = subprocess.run(
        ["grep", "-c", "-a", flag, "-e", pattern, path],
        capture_output=True,
        timeout=600,
        env={**os.environ, "LC_ALL": "C"},
    )
    if completed.returncode not in (0, 1):
        raise RuntimeError(f"grep {flag} failed: {completed.stderr.decode(errors='replace')}")
    return int(completed.stdout)


def run(settings: Settings, log: Callable[[str], None]) -> list[Row]:
    payload = make_payload(settings.workdir, settings.search_bytes)
    log(f"search: loading a {size_text(payload.size)} capture")
    capture = load_capture(payload)
    literal = compile_pattern(NEEDLE.hex(" "), SearchMode.HEX)
    regex = compile_pattern(REGEX_TEXT, SearchMode.REGEX)
    compiled = re.compile(REGEX_TEXT.encode())
    path = str(payload.path)

    def ours(pattern: Pattern) -> Callable[[], tuple[float, int]]:
        def count() -> int:
            found = [0]

            def add(start: int, end: int) -> None:
                found[0] += 1

            return search_capture(capture, pattern, add)

        return lambda: timed(count)

    try:
        with (
            open(path, "rb") as source,
            mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ) as view,
        ):
            log("search: alternating tcptui, grep and Python")
            results = alternate(
                {
                    "literal": ours(literal),
                    "grep -F": lambda: timed(lambda: grep("-F", NEEDLE, path)),
                    "bytes.find": lambda: timed(lambda: python_find(view)),
                    "regex": ours(regex),
                    "grep -P": lambda: timed(lambda: grep("-P", REGEX_TEXT.encode(), path)),
                    "re": lambda: timed(lambda: sum(1 for _ in compiled.finditer(view))),
                },
                max(3, settings.repetitions),
            )
    finally:
        capture.close()
    counts = {name: {count for _, count in runs} for name, runs in results.items()}
    if counts["literal"] != counts["bytes.find"] or counts["regex"] != counts["re"]:
        raise ByteCheckError(f"search found different match counts: {counts}")
    rate = {
        name: payload.size / median([seconds for seconds, _ in runs]) / 1e9
        for name, runs in results.items()
    }
    size = size_text(payload.size)
    rows = []
    for ours_name, reference, what, target in (
        ("literal", "grep -F", f"4-byte pattern ({counts['literal'].pop()} matches)", True),
        ("literal", "bytes.find", "4-byte pattern", True),
        ("regex", "grep -P", f"regex /{REGEX_TEXT}/ ({counts['regex'].pop()} matches)", False),
        ("regex", "re", f"regex /{REGEX_TEXT}/", False),
    ):
        reference_text = {
            "grep -F": "`grep -c -F`",
            "grep -P": "`grep -c -P`",
            "bytes.find": "Python `mmap.find` loop",
            "re": "Python `re.finditer` on mmap",
        }[reference]
        rows.append(
            Row(
                f"6. Search a {size} capture, {what} (vs {reference_text})",
                f"{rate[ours_name]:.2f} GB/s",
                f"{rate[reference]:.2f} GB/s",
                f"{rate[ours_name] / rate[reference]:.2f}× as fast",
                f"≥ {LITERAL_TARGET_GBPS:g} GB/s" if target else "—",
                rate[ours_name] >= LITERAL_TARGET_GBPS if target else None,
            )
        )
    return rows
