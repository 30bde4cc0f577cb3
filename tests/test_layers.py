"""The house's rooms and their import arrows, read from the source: every arrow runs down the
layers (a front end calls the engine, the engine the rules, the rules what they read), there is
no import circle, and no module takes another's private names (the engine's loop has one way in:
``lint_canon.engine.runner``).

Imports under ``if TYPE_CHECKING:`` are for the type checker only and are left out; imports
inside functions count (they run, just later)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

# Lowest first; a package may import its own layer's and lower layers' modules.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("lint_canon_guard",),
    ("lint_canon", "lint_canon.stacks", "lint_canon.guard"),
    ("lint_canon.canon", "lint_canon.sdks"),
    ("lint_canon.output", "lint_canon.project", "lint_canon.analysis"),
    ("lint_canon.rules",),
    ("lint_canon.engine", "lint_canon.db"),
    ("lint_canon.fixes", "lint_canon.adoption"),
    ("lint_canon.frontends", "lint_canon.__main__"),
)
ROOTS = {"lint_canon": REPO / "lint_canon", "lint_canon_guard": REPO / "guard" / "lint_canon_guard"}


def _modules() -> dict[str, Path]:
    found = {}
    for name, root in ROOTS.items():
        for path in root.rglob("*.py"):
            parts = [name, *path.relative_to(root).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> Iterator[tuple[str, str | None, int]]:
    """(module imported, name taken from it or None, line) of each import that runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only.update(id(inner) for inner in ast.walk(node))
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                yield (full, None, node.lineno) if full in MODULES else (node.module, alias.name, node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno


def _ours(module: str) -> bool:
    return module.split(".")[0] in ROOTS


def _layer(module: str) -> int:
    """The layer of a module: that of the longest package of LAYERS that holds it."""
    best, layer = "", -1
    for index, packages in enumerate(LAYERS):
        for package in packages:
            if (module == package or module.startswith(package + ".")) and len(package) > len(best):
                best, layer = package, index
    assert layer >= 0, f"{module} is in no layer: add it to LAYERS"
    return layer


ARROWS = {
    (module, target, line)
    for module, path in MODULES.items()
    for target, _, line in _imports(path)
    if _ours(target) and target != module
}


def test_every_module_is_in_a_layer() -> None:
    assert {module: _layer(module) for module in MODULES}  # _layer fails on a module of no layer


def test_every_import_runs_down_the_layers() -> None:
    upward = [
        f"{MODULES[module].relative_to(REPO)}:{line}: {module} (layer {_layer(module)}) imports {target} "
        f"(layer {_layer(target)})"
        for module, target, line in sorted(ARROWS)
        if _layer(target) > _layer(module)
    ]
    assert upward == []


def test_the_guard_distribution_imports_nothing_of_the_linter() -> None:
    assert (
        sorted(
            (module, target)
            for module, target, _ in ARROWS
            if module.startswith("lint_canon_guard") and target.startswith("lint_canon.")
        )
        == []
    )


def test_no_import_circle() -> None:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, target, _ in ARROWS:
        owner = target
        while owner not in MODULES and "." in owner:  # `import a.b.c` of a name: its module
            owner = owner.rsplit(".", 1)[0]
        if owner in MODULES and owner != module:
            graph[module].add(owner)
    # Tarjan's strongly connected components: any of more than one module is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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
    assert circles == []


def test_no_module_takes_another_s_private_names() -> None:
    taken = sorted(
        f"{MODULES[module].relative_to(REPO)}: {name} from {target}"
        for module, path in MODULES.items()
        for target, name, _ in _imports(path)
        if _ours(target) and name is not None and name.startswith("_") and not name.startswith("__")
    )
    assert taken == []


@pytest.mark.parametrize(
    "front_end",
    [
        "lint_canon.frontends.cli",
        "lint_canon.frontends.flake8_plugin",
        "lint_canon.adoption.inventory",
        "lint_canon.fixes",
    ],
)
def test_each_front_end_reaches_the_engine_through_the_runner(front_end: str) -> None:
    """Each way in imports the runner's entry points, never the worker pool itself."""
    names = {name for target, name, _ in _imports(MODULES[front_end]) if target == "lint_canon.engine.runner"}
    assert names & {"check_run", "check_sources", "Engine", "RunResult"}
    pools = {name for target, name, _ in _imports(MODULES[front_end]) if target == "lint_canon.engine.isolation"}
    assert "Pool" not in pools
