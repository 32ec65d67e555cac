"""The layering rule of DESIGN.md, checked on the source: imports only point down, no circle.

One static reading of every module's imports (the `import` statements, wherever they stand)
checks three things at once: no module imports one from a higher layer, the modules imported
at run time form no circle, and each layer uses only the third-party packages it may.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tcptui"

LAYERS: list[tuple[str, tuple[str, ...], frozenset[str]]] = [
    # (layer, module prefixes, third-party packages it may import)
    ("codec", ("tcptui", "tcptui.codec"), frozenset()),
    ("capture", ("tcptui.capture",), frozenset()),
    ("net", ("tcptui.net",), frozenset({"python_socks", "truststore"})),
    ("user files", ("tcptui.user_files",), frozenset({"platformdirs"})),
    ("user files", ("tcptui.clipboard",), frozenset({"pyperclip"})),
    ("launch", ("tcptui.launch_config",), frozenset()),
    ("ui", ("tcptui.ui",), frozenset({"textual", "rich", "pyperclip"})),
    (
        "cli",
        ("tcptui.cli", "tcptui.cli_arguments", "tcptui.cli_export", "tcptui.__main__"),
        frozenset(),
    ),
]
ORDER = ["codec", "capture", "net", "user files", "launch", "ui", "cli"]


@dataclass(frozen=True)
class Import:
    target: str
    line: int
    at_run_time: bool
    """False for imports under `if TYPE_CHECKING:`, which never run."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> str:
    """The layer of a tcptui module: the longest matching prefix wins."""
    best = ("", "")
    for layer, prefixes, _ in LAYERS:
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and len(prefix) > len(best[1]) and (prefix != "tcptui" or module == prefix):
                best = (layer, prefix)
    return best[0]


def allowed_packages(layer: str) -> frozenset[str]:
    return frozenset().union(*(packages for name, _, packages in LAYERS if name == layer))


def imports_of(module: str) -> list[Import]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    type_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for statement in block.body
        for node in ast.walk(statement)
    }
    found: list[Import] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        found += [Import(name, node.lineno, id(node) not in type_only) for name in names]
    return found


def tcptui_imports(module: str) -> list[Import]:
    return [i for i in imports_of(module) if i.target in MODULES and i.target != module]


def test_every_module_belongs_to_a_layer() -> None:
    unplaced = [module for module in MODULES if not layer_of(module)]
    assert unplaced == [], f"add these modules to a layer in {__name__}.LAYERS"


def test_imports_only_point_down() -> None:
    upward = [
        f"{module}:{found.line} imports {found.target} "
        f"({layer_of(module)} -> {layer_of(found.target)})"
        for module in MODULES
        for found in tcptui_imports(module)
        if ORDER.index(layer_of(found.target)) > ORDER.index(layer_of(module))
    ]
    assert upward == []


def test_no_import_circle() -> None:
    graph = {
        module: {found.target for found in tcptui_imports(module) if found.at_run_time}
        for module in MODULES
    }
    circles = strongly_connected(graph)
    assert circles == []


@pytest.mark.parametrize("layer", [layer for layer in ORDER if layer != "cli"])
def test_each_layer_uses_only_its_third_party_packages(layer: str) -> None:
    allowed = allowed_packages(layer) | set(sys.stdlib_module_names) | {"tcptui"}
    foreign = [
        f"{module}:{found.line} imports {found.target}"
        for module in MODULES
        if layer_of(module) == layer
        for found in imports_of(module)
        if found.at_run_time and found.target.partition(".")[0] not in allowed
    ]
    assert foreign == []


def test_the_checks_see_a_known_downward_import() -> None:
    """Guards the reader itself: an import that is there must be found."""
    targets = {found.target for found in tcptui_imports("tcptui.net.session")}
    assert "tcptui.capture.store" in targets
    assert layer_of("tcptui.net.session") == "net"
    assert layer_of("tcptui") == "codec"


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components of more than one module, each sorted: the import circles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def test_a_circle_is_found() -> None:
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
