"""Figure 5: `hexdump -C` export (tcptui.codec.hexdump.write_hexdump_c) beside xxd.

The output must be byte-identical to `hexdump -Cv` of the same file (checked once, untimed);
then tcptui and `xxd` take turns dumping the payload to a file.
"""

from __future__ import annotations

import filecmp
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .common import (
    ByteCheckError,
    Row,
    Settings,
    alternate,
    make_payload,
    median,
    run_tool,
    size_text,
)

DUMP = """
import sys
from tcptui.codec.hexdump import write_hexdump_c
with open(sys.argv[1], "rb") as src, open(sys.stdout.fileno(), "wb", closefd=False) as dst:
    write_hexdump_c(src, dst)
"""


def tcptui_dump(source: Path, out: Path) -> float:
    """`write_hexdump_c` in a process of its own, as xxd runs: this suite's process carries
    what earlier figures left (a freed gigabyte of heap, the app's mmap threshold).

    Both write to their standard output, a file opened (emptied) before the clock starts:
    emptying the last round's 500 MB file costs 0.1-0.2 s, which only tcptui was charged
    when it opened the file itself.
    """
    with open(out, "wb") as dst:
        return run_tool([sys.executable, "-c", DUMP, str(source)], 600, stdout=dst)


def run(settings: Settings, log: Callable[[str], None]) -> list[Row]:
    payload = make_payload(settings.workdir, settings.hexdump_bytes)
    ours, theirs = settings.workdir / "tcptui.hex", settings.workdir / "reference.hex"
    log(f"hexdump: {size_text(payload.size)}, checked against hexdump -Cv")
    tcptui_dump(payload.path, ours)
    with open(theirs, "wb") as out:
        subprocess.run(["hexdump", "-Cv", str(payload.path)], stdout=out, check=True, timeout=600)
    identical = filecmp.cmp(ours, theirs, shallow=False)
    theirs.unlink()
    if not identical:
        raise ByteCheckError("write_hexdump_c differs from hexdump -Cv")

    def xxd() -> float:
        with open(theirs, "wb") as out:
            return run_tool(["xxd", str(payload.path)], 600, stdout=out)

    results = alternate(
        {"tcptui": lambda: tcptui_dump(payload.path, ours), "xxd": xxd},
        max(3, settings.repetitions),
    )
    ours.unlink(missing_ok=True)
    theirs.unlink(missing_ok=True)
    ours_s, xxd_s = median(results["tcptui"]), median(results["xxd"])
    return [
        Row(
            f"5. Hex dump export of {size_text(payload.size)}, `hexdump -Cv` layout, "
            "byte-identical (vs `xxd`)",
            f"{ours_s:.2f} s",
            f"{xxd_s:.2f} s",
            f"{ours_s / xxd_s:.2f}",
            "< 1.0",
            ours_s / xxd_s < 1.0,
        )
    ]
