"""Large buffers go back to the system after a flood (glibc's mmap threshold pinned)."""

from __future__ import annotations

import sys

import pytest

from tcptui.capture.large_buffers import pin_mmap_threshold


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a glibc setting")
def test_glibc_accepts_the_pinned_mmap_threshold() -> None:
    assert pin_mmap_threshold() is True


@pytest.mark.skipif(sys.platform.startswith("linux"), reason="elsewhere it must do nothing")
def test_other_systems_are_left_alone() -> None:
    assert pin_mmap_threshold() is False
