"""The house's arrows: every module imports, no import cycle, the schema imports no room above it.

The graph is read with `ast` from each module's top-level imports (those that run when it is
imported: also inside top-level `if`, `try`, `for` and class bodies; not under `TYPE_CHECKING`).
Imports inside functions are allowed to point anywhere, since they run later. A package whose
`__init__` imports all its modules by `pkgutil` (tricks, metrics) points at each of them. An
import of a module's own package is left out: Python runs that package's `__init__` first.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dcgan"
# the rooms the schema and the checks sit below (DESIGN.md, "Rooms")
ENTRY_POINTS = ("dcgan.train", "dcgan.train_args", "dcgan.preflight", "dcgan.generate", "dcgan.cli")
ABOVE_THE_SCHEMA = (*ENTRY_POINTS, "dcgan.build", "dcgan.callbacks", "dcgan.report", "dcgan.race")
BELOW_ALL = ("dcgan.config", "dcgan.checks")
# the callbacks' own keys, which the schema composes: declarations only (the package's
# `__init__` loads a callback on first use)
PART_CONFIGS = {"dcgan.callbacks", "dcgan.callbacks.config"}


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_at_import(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements that run when the module is imported (not function bodies)."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            yield from _run_at_import(node.orelse if _type_checking(node.test) else node.body)
            if not _type_checking(node.test):
                yield from _run_at_import(node.orelse)
        elif isinstance(node, ast.Try):
            handlers = [s for h in node.handlers for s in h.body]
            yield from _run_at_import(node.body + handlers + node.orelse + node.finalbody)
        elif isinstance(node, (ast.For, ast.While, ast.With, ast.ClassDef)):
            yield from _run_at_import(node.body)


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The dcgan modules an import statement runs, with the packages on the way."""
    if isinstance(node, ast.Import):
        named = [alias.name for alias in node.names]
    else:
        base = module.split(".") if _is_package(module) else module.split(".")[:-1]
        if node.level:
            base = base[: len(base) - node.level + 1]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        named = [source, *(f"{source}.{alias.name}" for alias in node.names)]
    found = set()
    for name in named:
        parts = name.split(".")
        found.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    own = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
    return {t for t in found if t in MODULES and t != module and t not in own}


def _calls_iter_modules(expr: ast.expr) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "iter_modules" for n in ast.walk(expr))


def _imports(module: str, anywhere: bool = False) -> set[str]:
    """The dcgan modules `module` imports when it is imported (anywhere: also in functions)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    nodes = ast.walk(tree) if anywhere else _run_at_import(tree.body)
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out |= _targets(module, node)
        elif isinstance(node, ast.For) and _calls_iter_modules(node.iter) and not anywhere:
            out |= {m for m in MODULES if m.rsplit(".", 1)[0] == module and m != module}
    return out


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of the graph, as the modules along it, or None."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def _within(module: str, rooms: tuple[str, ...]) -> bool:
    return any(module == r or module.startswith(f"{r}.") for r in rooms)


@pytest.mark.parametrize("module", [m for m in MODULES if not m.endswith("__main__")])
def test_every_module_imports(module: str) -> None:
    importlib.import_module(module)


def test_the_package_has_no_import_cycle() -> None:
    graph = {m: _imports(m) for m in MODULES}
    cycle = _cycle(graph)
    assert cycle is None, "import cycle at module level: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("module", BELOW_ALL)
def test_schema_and_checks_import_nothing_above_them(module: str) -> None:
    """Not even inside a function: the schema reads registries, never a callback or the report."""
    imported = _imports(module, anywhere=True) - PART_CONFIGS
    above = sorted(m for m in imported if _within(m, ABOVE_THE_SCHEMA))
    assert not above, f"{module} imports {above}"


def test_importing_the_schema_loads_nothing_above_it() -> None:
    """What `import dcgan.config` really loads, registries imported by `pkgutil` included."""
    code = "import sys, dcgan.config; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [m for m in out if _within(m, ABOVE_THE_SCHEMA) and m not in PART_CONFIGS]
