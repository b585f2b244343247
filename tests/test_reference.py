"""The client-reference scheme lives in one module, and every adapter reads its orders back with it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pixorder.client.core import make_adapter
from pixorder.providers import reference, table

ROOT = Path(__file__).resolve().parents[1] / "pixorder"


def test_only_the_reference_module_spells_the_scheme():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if "sandbox" in path.parts or path == ROOT / "providers" / "reference.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "pxo-" in node.value:
                docstring_like = "\n" in node.value or ">>>" in node.value
                if not docstring_like:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.JoinedStr) and any(
                    isinstance(v, ast.Constant) and str(v.value).startswith("-p") for v in node.values):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} (part suffix)")
    assert not offenders


@pytest.mark.parametrize("name", table.NAMES)
def test_a_placed_order_reads_its_reference_back(name):
    """What ``create_order`` sends carries the reference where the table says, and parses back."""
    import pixorder

    adapter = make_adapter(name)
    if name == "pixxel":
        adapter.project_id, adapter.bandsets = "p-1", {"VNIR": "b-1"}
    request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [4.35, 50.85]},
                                      start="2030-01-01", end="2030-01-20", sensor="pneo-30cm" if name == "geopera" else None,
                                      name="Field 7")
    ref = reference.part(reference.new(), 2)
    call = adapter.create_order(request, reference=ref)
    sent = call.json
    if table.get(name).reference_carrier == "tags":
        assert reference.from_tags(sent["tags"]) == ref
    else:
        names = [sent.get("name")] + [i.get("name") for i in sent.get("order_items", [])]
        assert ref in {reference.from_name(n) for n in names if n}


def test_a_long_name_is_shortened_to_carry_the_reference():
    ref = reference.new()
    name = reference.in_name("x" * 300, ref, limit=255)
    assert len(name) == 255 and reference.from_name(name) == ref and "…" in name
