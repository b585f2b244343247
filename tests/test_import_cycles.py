"""No import cycle inside ``pixorder/``: every import counts, at module level or inside a function.

A function-level import still makes a cycle (it only moves the moment the loop is closed), and so
does an import under ``if TYPE_CHECKING:`` (the two modules still know each other). Importing
``a.b.c`` also runs the packages ``a.b`` and ``a`` (except the importer's own packages, which are
already running).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pixorder"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every pixorder module ``name`` imports, wherever in the file the import stands."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                targets.append(sub if sub in known else module)
        for target in targets:
            if target.split(".")[0] != "pixorder":
                continue
            while target not in known and "." in target:
                target = target.rsplit(".", 1)[0]
            own = set(_ancestors(name)) | {name}
            for dep in [*_ancestors(target), target]:
                if dep in known and dep not in own:
                    found.add(dep)
    return found


def graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return cycles


def test_the_walker_sees_function_level_and_type_checking_imports(tmp_path):
    """The walker itself: a cycle closed inside a function, or under TYPE_CHECKING, is found."""
    edges = {"pixorder.a": {"pixorder.b"}, "pixorder.b": {"pixorder.a"}, "pixorder.c": set()}
    assert find_cycles(edges) == [["pixorder.a", "pixorder.b"]]
    src = tmp_path / "m.py"
    src.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pixorder.models import Quote\n"
                   "def f():\n    from pixorder.frames import quotes_frame\n")
    assert imports_of("pixorder.x", src, {"pixorder", "pixorder.models", "pixorder.frames", "pixorder.x"}) == \
        {"pixorder.models", "pixorder.frames"}


def test_no_import_cycle_in_pixorder():
    cycles = find_cycles(graph())
    assert not cycles, "import cycles: " + "; ".join(" ⇄ ".join(c) for c in cycles)


def test_models_do_not_import_frames_and_results_do_not_import_the_client():
    edges = graph()
    assert "pixorder.frames" not in edges["pixorder.models"]
    assert "pixorder.client.core" not in edges["pixorder.client.results"]
    assert "pixorder.sandbox.state" not in edges["pixorder.sandbox.faults"]
