"""No module of portable/ and providers/ depends on itself through others, and portable/ reaches providers/ only
from its developer entry points (ARCHITECTURE.md, rules 1 and 6). That every module imports is checked in a fresh
interpreter, in tests/integration/architecture/test_import_graph.py.

An import inside a function counts as much as one at the top: loaded later, it still ties
the two modules together, and the next refactoring turns it into a failing import.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("portable", "providers")


def project_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported_by(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules that `name` imports anywhere in its source (in a function, under TYPE_CHECKING)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            # `from package import name` imports the submodule when there is one, else the package.
            found.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names)
    return (found & known) - {name}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as the path around it (first module repeated at the end), or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        path.append(module)
        for target in sorted(graph[module]):
            cycle = visit(target)
            if cycle:
                return cycle
        path.pop()
        done.add(module)
        return None

    return next((cycle for module in sorted(graph) if (cycle := visit(module))), None)


def test_no_module_depends_on_itself_through_others() -> None:
    modules = project_modules()
    graph = {name: imported_by(name, path, set(modules)) for name, path in modules.items()}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_sees_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


DEVELOPER_ENTRY_POINTS = {"portable.__main__", "portable.testing"}


def imports_of_providers(path: Path) -> list[tuple[int, str]]:
    """(line, where) of each import of providers in `path`: "module" at import time, "function" inside a
    function, "typing" under TYPE_CHECKING."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = where
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = "function"
            elif isinstance(child, ast.If) and ast.unparse(child.test) == "TYPE_CHECKING":
                inner = "typing"
            names = (
                [alias.name for alias in child.names]
                if isinstance(child, ast.Import)
                else [child.module or ""]
                if isinstance(child, ast.ImportFrom)
                else []
            )
            if any(name == "providers" or name.startswith("providers.") for name in names):
                found.append((child.lineno, where))
            visit(child, inner)

    visit(ast.parse(path.read_text(), str(path)), "module")
    return found


def test_portable_reaches_providers_only_from_its_developer_entry_points_and_never_at_import() -> None:
    for name, path in project_modules().items():
        if not name.startswith("portable"):
            continue
        found = imports_of_providers(path)
        if name in DEVELOPER_ENTRY_POINTS:
            assert found and all(where != "module" for _, where in found), (name, found)
        else:
            assert found == [], f"{path} imports providers at lines {[line for line, _ in found]}"
