"""Print which srkit modules each srkit module imports, and any import cycle.

Every module of the package is parsed (nothing is imported or run); all its ``import`` statements count,
those inside functions too, with relative imports resolved.  ``from . import zoo`` points at the module
``srkit.zoo``; ``from .data import load_benchmark`` at ``srkit.data``.

    python tools/import_graph.py            # one line per module: module -> imported srkit modules
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "srkit"


def module_names(package_dir: Path = PACKAGE_DIR) -> dict[str, Path]:
    """``{dotted module name: file}`` for every ``.py`` file of the package."""
    root = package_dir.name
    names = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join([root, *parts])] = path
    return names


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest known module that ``name`` (a dotted name) starts with."""
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in modules:
            return candidate
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``module`` imports anywhere in its source."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    root = next(iter(modules)).split(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == root or alias.name.startswith(root + "."):
                    target = _resolve(alias.name, modules)
                    if target:
                        found.add(target)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                if node.level > 1:
                    base = base[: len(base) - (node.level - 1)]
                base = ".".join(base)
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
                if not (target == root or target.startswith(root + ".")):
                    continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                resolved = sub if sub in modules else _resolve(target, modules)
                if resolved:
                    found.add(resolved)
    found.discard(module)
    return found


def import_graph(package_dir: Path = PACKAGE_DIR) -> dict[str, list[str]]:
    """``{module: sorted list of the package's modules it imports}`` for every module of the package."""
    modules = module_names(package_dir)
    return {m: sorted(imports_of(m, p, modules)) for m, p in sorted(modules.items())}


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """One import cycle as ``[a, b, ..., a]``, or ``None`` when the graph has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for n in graph.get(m, []):
            if state.get(n) == 1:
                return path[path.index(n):] + [n]
            if n not in state:
                cycle = visit(n)
                if cycle:
                    return cycle
        path.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            cycle = visit(m)
            if cycle:
                return cycle
    return None


def main() -> int:
    """Print the graph; exit status 1 if it has a cycle."""
    graph = import_graph()
    width = max(len(m) for m in graph)
    for m, targets in graph.items():
        print(f"{m:<{width}} -> {', '.join(targets) if targets else '-'}")
    cycle = find_cycle(graph)
    if cycle:
        print("import cycle: " + " -> ".join(cycle), file=sys.stderr)
        return 1
    print("no import cycle")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
