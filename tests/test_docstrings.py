"""Docstrings that answer: every public call says what it takes, returns and raises, with an example.

The examples themselves run as doctests (``--doctest-modules`` on ``pixorder/``; the sandbox starts
in-process on first use). This module checks that they are there:

* every public function, class and method outside the sandbox has a docstring;
* one that raises (a ``raise`` in its own body) has a ``Raises:`` section;
* one has an example (``>>>``), on itself or, for a method, on its class.

``docstring_gaps.txt`` lists the calls that did not meet this when the rule came in; it may only
shrink: a new call that misses it fails, and so does a listed call that has been fixed (remove it).
"""

from __future__ import annotations

import ast
import doctest
import sys
from pathlib import Path

import pytest

import pixorder.errors
import pixorder.models

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pixorder"
GAPS_FILE = Path(__file__).with_name("docstring_gaps.txt")


@pytest.mark.parametrize("module", [pixorder.models, pixorder.errors])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def _raises(node: ast.AST) -> bool:
    """A ``raise`` in the function's own body (not in a nested function or class)."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        if isinstance(child, ast.Raise) and child.exc is not None:
            return True
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(child))
    return False


def _public(name: str) -> bool:
    return not name.startswith("_")


def problems() -> set[str]:
    found: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "sandbox" in rel.parts or any(p.startswith("_") and p != "__init__.py" for p in rel.parts):
            continue
        module = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        tree = ast.parse(path.read_text())

        def check(node: ast.AST, qualname: str, owner_doc: str = "") -> None:
            doc = ast.get_docstring(node) or ""
            if not doc:
                found.add(f"{qualname}: no docstring")
                return
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                overloaded = any(isinstance(d, ast.Name) and d.id == "overload" for d in node.decorator_list)
                if overloaded:
                    return
                if _raises(node) and "Raises:" not in doc:
                    found.add(f"{qualname}: raises, no Raises: section")
            if ">>>" not in doc and ">>>" not in owner_doc:
                found.add(f"{qualname}: no example")

        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _public(node.name):
                check(node, f"{module}.{node.name}")
            elif isinstance(node, ast.ClassDef) and _public(node.name):
                check(node, f"{module}.{node.name}")
                class_doc = ast.get_docstring(node) or ""
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and _public(item.name):
                        if any(isinstance(d, ast.Name) and d.id in ("property", "overload")
                               or isinstance(d, ast.Attribute) and d.attr in ("setter", "getter")
                               for d in item.decorator_list):
                            continue
                        check(item, f"{module}.{node.name}.{item.name}", class_doc)
    return found


def known_gaps() -> set[str]:
    return {line.strip() for line in GAPS_FILE.read_text().splitlines() if line.strip() and not line.startswith("#")}


def test_every_public_call_has_a_docstring_raises_and_an_example():
    new = sorted(problems() - known_gaps())
    assert not new, "public calls that do not say what they do:\n" + "\n".join(new)


def test_the_list_of_known_gaps_only_shrinks():
    fixed = sorted(known_gaps() - problems())
    assert not fixed, "fixed since: remove from tests/docstring_gaps.txt:\n" + "\n".join(fixed)


def test_the_checker_catches_what_it_should(tmp_path, monkeypatch):
    """A call without docstring, one that raises without saying so, and one without example."""
    package = tmp_path / "pixorder"
    package.mkdir()
    (package / "toy.py").write_text(
        'def bare(x):\n    return x\n\n'
        'def silent(x):\n    """Says nothing of errors.\n\n    >>> silent(1)\n    """\n    raise ValueError(x)\n\n'
        'def no_example(x):\n    """Doubles.\n\n    Raises:\n        ValueError: never.\n    """\n    return 2 * x\n'
    )
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", package)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert problems() == {"pixorder.toy.bare: no docstring", "pixorder.toy.silent: raises, no Raises: section",
                          "pixorder.toy.no_example: no example"}
