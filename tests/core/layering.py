"""The import graph of a package, read from its source with ``ast`` (nothing is imported).

An edge ``a → b`` means module ``a`` executes an import of module ``b`` somewhere: at the top,
inside a function or a method (imports hidden in functions are still dependencies: they only
move the failure from import time to the first call), in relative form (``from . import x``,
``from ..collect import services``), or as ``from package import name`` where ``name`` is a
submodule of ``package`` (the edge then goes to the submodule, not to the package). A call of
``import_module("miroir.x.y")`` with a literal name counts too; a computed name (a registry
looping over its entries) cannot be read and does not.

Two choices, so that a cycle found is one to fix:

- **Imports under ``if TYPE_CHECKING:`` do not count**: they never run, and they are how a
  module names a type of a module that depends on it.
- **A package's ``__init__`` importing its own submodules counts, and importing a submodule
  does not make its importer depend on the parent packages.** Python runs ``a/__init__.py``
  before ``a/b.py``, but that order is not a dependency of the importer on ``a``'s contents:
  counting it would turn every package that re-exports its submodules (``selectors/__init__``
  gathering ``selectors/units``…) into a cycle with each of them. What is still caught is a
  submodule importing a name *from* its package's ``__init__`` (``from miroir.x import f`` in
  ``miroir/x/y.py``) while that ``__init__`` imports the submodule: a real cycle, which only
  works today by the accident of import order.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int


def module_files(root: Path, package: str) -> dict[str, Path]:
    """Return every module of ``package`` (found under ``root``) by dotted name."""
    modules: dict[str, Path] = {}
    for path in sorted((root / package.replace(".", "/")).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Imports(ast.NodeVisitor):
    """Collects the dotted names a module imports, with their lines, skipping TYPE_CHECKING."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.is_package = is_package
        # Each entry: (line, base, names) — ``names`` empty for ``import base``.
        self.found: list[tuple[int, str, tuple[str, ...]]] = []

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.found.append((node.lineno, alias.name, ()))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            package = self.module.split(".")
            if not self.is_package:
                package = package[:-1]
            package = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            base = ".".join([*package, *([node.module] if node.module else [])])
        else:
            base = node.module or ""
        names = tuple(alias.name for alias in node.names if alias.name != "*")
        self.found.append((node.lineno, base, names))

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        if (
            name == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and not node.args[0].value.startswith(".")
        ):
            self.found.append((node.lineno, node.args[0].value, ()))
        self.generic_visit(node)


def _deepest_module(name: str, modules: dict[str, Path]) -> str | None:
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def import_edges(root: Path, package: str) -> list[Edge]:
    """Return every import of a module of ``package`` by a module of ``package``."""
    modules = module_files(root, package)
    edges: list[Edge] = []
    for module, path in modules.items():
        visitor = _Imports(module, is_package=path.name == "__init__.py")
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        for line, base, names in visitor.found:
            targets = []
            for name in names:
                if f"{base}.{name}" in modules:
                    targets.append(f"{base}.{name}")
                else:
                    targets.append(_deepest_module(base, modules))
            if not names:
                targets.append(_deepest_module(base, modules))
            for target in dict.fromkeys(targets):
                if target is not None and target != module:
                    edges.append(Edge(module, target, line))
    return edges


def _graph(edges: list[Edge]) -> dict[str, dict[str, Edge]]:
    graph: dict[str, dict[str, Edge]] = {}
    for edge in edges:
        graph.setdefault(edge.source, {}).setdefault(edge.target, edge)
        graph.setdefault(edge.target, {})
    return graph


def import_cycles(edges: list[Edge]) -> list[list[list[Edge]]]:
    """Return, per group of modules that import each other, the shortest cycle through each.

    The groups are the strongly connected components of the graph (Tarjan); a group's cycles
    are deduplicated, so every module of the group appears in at least one of them.
    """
    graph = _graph(edges)
    groups = _components(graph)
    found = []
    for group in groups:
        cycles: dict[tuple[str, ...], list[Edge]] = {}
        for member in group:
            cycle = _shortest_cycle(member, set(group), graph)
            key = tuple(sorted(edge.source for edge in cycle))
            cycles.setdefault(key, cycle)
        found.append(list(cycles.values()))
    return found


def _components(graph: dict[str, dict[str, Edge]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(start: str) -> None:
        # Iterative Tarjan: the graph of a large project is deeper than the recursion limit.
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(groups)


def _shortest_cycle(start: str, members: set[str], graph: dict[str, dict[str, Edge]]) -> list[Edge]:
    came_from: dict[str, Edge] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target, edge in sorted(graph[node].items()):
            if target not in members:
                continue
            if target == start:
                path = [edge]
                while path[0].source != start:
                    path.insert(0, came_from[path[0].source])
                return path
            if target not in came_from:
                came_from[target] = edge
                queue.append(target)
    raise AssertionError(f"no cycle through {start} in its own group")


def describe(cycle: list[Edge]) -> str:
    """Return a cycle as ``a (line 12) → b (line 40) → a``."""
    steps = [f"{edge.source} (line {edge.line})" for edge in cycle]
    return " → ".join([*steps, cycle[0].source])
