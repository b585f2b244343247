"""The public face (as httpx checks its own): every name in ``pixorder.__all__`` resolves, the list is
sorted and complete, and what type checkers see matches what runs."""

from __future__ import annotations

import ast
from pathlib import Path

import pixorder


def test_all_is_sorted_and_matches_the_lazy_table():
    assert pixorder.__all__ == sorted(pixorder.__all__)
    assert set(pixorder.__all__) == set(pixorder._EXPORTS)


def test_every_exported_name_resolves():
    for name in pixorder.__all__:
        value = getattr(pixorder, name)
        assert value is not None, name
        assert getattr(value, "__name__", name) == name, f"{name} resolves to {value!r}"


def test_type_checking_imports_name_every_export():
    """The ``if TYPE_CHECKING:`` block imports exactly the exported names, from where they live."""
    tree = ast.parse(Path(pixorder.__file__).read_text())
    block = next(n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING")
    seen = {alias.name: node.module for node in block.body if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert set(seen) == set(pixorder.__all__)
    for name, module in seen.items():
        assert getattr(__import__(module, fromlist=[name]), name) is getattr(pixorder, name), name
