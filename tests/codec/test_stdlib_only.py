"""The codecs stay plain Python, so the engine and exports never pull in the UI stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tcptui.codec

PROBE = """
import pkgutil, sys
import tcptui.codec
before = set(sys.modules)
for module in pkgutil.iter_modules(tcptui.codec.__path__, "tcptui.codec."):
    __import__(module.name)
loaded = {name.partition(".")[0] for name in set(sys.modules) - before}
print(" ".join(sorted(loaded - set(sys.stdlib_module_names) - {"tcptui"})))
"""


def test_codec_modules_import_only_the_standard_library() -> None:
    root = Path(tcptui.codec.__file__).parents[2]
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, cwd=root
    )
    assert result.stdout.split() == []
