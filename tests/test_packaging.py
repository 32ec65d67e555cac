"""What a release ships: a wheel and an sdist PyPI accepts, complete, versioned from one place.

The build runs for real (`python -m build`, in an isolated environment, as the release workflow
does), because what goes wrong here is a file left out or metadata PyPI refuses, and only a real
build shows either. The workflow files are checked with actionlint for the same reason: a typo in
a workflow is otherwise found only when GitHub refuses to run it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

import pytest

from tests.helpers import REQUIRE_TOOLS

ROOT = Path(__file__).resolve().parent.parent


def source_version() -> str:
    match = re.search(r'^__version__ = "([^"]+)"$', (ROOT / "tcptui/__init__.py").read_text(), re.M)
    assert match is not None, "tcptui/__init__.py must set __version__"
    return match[1]


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """One real build for the module: sdist first, then the wheel built from that sdist."""
    out = tmp_path_factory.mktemp("dist")
    # pip fetches the build backend into a fresh environment; its cache stays out of the home.
    cache = tmp_path_factory.mktemp("pip-cache")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PIP_CACHE_DIR": str(cache), "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(path.name for path in out.iterdir())
    return Dist(wheels[0], sdists[0])


def test_twine_accepts_the_wheel_and_the_sdist(dist: Dist) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(dist.wheel), str(dist.sdist)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2, result.stdout


def test_the_wheel_holds_every_module_and_the_stylesheet(dist: Dist) -> None:
    with zipfile.ZipFile(dist.wheel) as wheel:
        names = set(wheel.namelist())
    sources = {path.relative_to(ROOT).as_posix() for path in (ROOT / "tcptui").rglob("*.py")}
    assert sources, "no modules found in the source tree"
    assert sorted(sources - names) == []
    assert "tcptui/ui/app.tcss" in names
    assert not [name for name in names if name.startswith("tests/")]


def test_the_sdist_can_rebuild_everything(dist: Dist) -> None:
    top = dist.sdist.name.removesuffix(".tar.gz")
    with tarfile.open(dist.sdist) as sdist:
        names = set(sdist.getnames())
    for needed in ("pyproject.toml", "README.md", "LICENSE", "tcptui/ui/app.tcss"):
        assert f"{top}/{needed}" in names, needed


def test_the_version_comes_from_the_package_alone(dist: Dist) -> None:
    version = source_version()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert dist.wheel.name == f"tcptui-{version}-py3-none-any.whl"
    assert dist.sdist.name == f"tcptui-{version}.tar.gz"
    assert wheel_metadata(dist.wheel)["Version"] == version


def test_the_wheel_declares_the_license_and_the_command(dist: Dist) -> None:
    metadata = wheel_metadata(dist.wheel)
    assert metadata["License-Expression"] == "MIT"
    assert metadata["License-File"] == "LICENSE"
    with zipfile.ZipFile(dist.wheel) as wheel:
        info = f"tcptui-{source_version()}.dist-info"
        assert "Copyright (c) 2026 The tcptui developers" in wheel.read(
            f"{info}/licenses/LICENSE"
        ).decode("utf-8")
        entry_points = wheel.read(f"{info}/entry_points.txt").decode("utf-8")
    assert "tcptui = tcptui.cli:main" in entry_points


def test_the_changelog_describes_the_current_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(source_version())}\]", changelog, re.M)


def wheel_metadata(wheel_path: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel_path) as wheel:
        text = wheel.read(f"tcptui-{source_version()}.dist-info/METADATA").decode("utf-8")
    return dict(HeaderParser().parsestr(text).items())


def actionlint() -> str:
    """The actionlint binary: beside this Python (an unactivated venv), else on PATH."""
    for candidate in (Path(sys.executable).with_name("actionlint"), shutil.which("actionlint")):
        if candidate is not None and Path(candidate).is_file():
            return str(candidate)
    message = "actionlint is not installed (pip install '.[test]' brings it on Linux)"
    if REQUIRE_TOOLS:
        pytest.fail(message)
    pytest.skip(message)


def test_the_workflow_files_pass_actionlint() -> None:
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert {path.name for path in workflows} >= {"ci.yml", "release.yml"}
    result = subprocess.run(
        [actionlint(), "-no-color", *map(str, workflows)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_release_workflow_publishes_with_trusted_publishing() -> None:
    release = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    assert re.search(r"tags: \[\"v\*\"\]", release)
    assert "id-token: write" in release
    assert "pypa/gh-action-pypi-publish@release/v1" in release
    assert "password:" not in release  # trusted publishing: no stored token


def test_ci_and_the_workflow_install_every_debian_package_the_tests_require() -> None:
    listed = {
        line.strip()
        for line in (ROOT / ".ci" / "apt-packages").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    required = {
        match.group(1)
        for path in (ROOT / "tests").rglob("*.py")
        for match in re.finditer(r'require_tool\("[^"]+", "([^"]+)"\)', path.read_text("utf-8"))
    }
    assert required, "the scan must find the tools the tests require"
    assert required <= listed
    for reader in (ROOT / ".ci" / "run", ROOT / ".github" / "workflows" / "ci.yml"):
        assert ".ci/apt-packages" in reader.read_text(encoding="utf-8"), reader
