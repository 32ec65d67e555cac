"""External tools the tests use as real peers or references (hexdump, tshark, xclip…)."""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRE_TOOLS = os.environ.get("TCPTUI_REQUIRE_TOOLS") == "1"
"""Set by .ci/run, which installs every tool: there a missing tool is a failure, not a skip."""


def require_tool(name: str, package: str) -> str:
    """The tool's path; otherwise skip (or fail under CI) naming the Debian package."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian package {package})"
        if REQUIRE_TOOLS:
            pytest.fail(message)
        pytest.skip(message)
    return path
