"""The engine stays plain Python: nothing in `tcptui.net` or `tcptui.capture` pulls in Textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import tcptui

PROBE = """
import importlib, pkgutil, sys
import {package}
before = set(sys.modules)
for module in pkgutil.iter_modules({package}.__path__, "{package}."):
    importlib.import_module(module.name)
loaded = {{name.partition(".")[0] for name in set(sys.modules) - before}}
print(" ".join(sorted(loaded - set(sys.stdlib_module_names) - {{"tcptui"}})))
"""


@pytest.mark.parametrize("package", ["tcptui.net", "tcptui.capture"])
def test_engine_modules_import_only_the_standard_library(package: str) -> None:
    root = Path(tcptui.__file__).parents[1]
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(package=package)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        timeout=60,
    )
    assert result.stdout.split() == []
