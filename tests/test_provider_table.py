"""The provider table is the one place provider facts live, and the sandbox agrees with it.

The sandbox keeps its own price book and limits (it must not share the client's knowledge: a mistake
in one shared copy would pass every test). These contract tests hold the two copies against each
other, so a change to one side that the other does not follow fails here.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from pixorder.client.core import make_adapter
from pixorder.providers import table

ROOT = Path(__file__).resolve().parents[1] / "pixorder"


# --- the client reads the table ---------------------------------------------------------------

@pytest.mark.parametrize("name", table.NAMES)
def test_each_adapter_reads_its_row(name):
    info = table.get(name)
    adapter = make_adapter(name)
    assert type(adapter).info is info
    assert (adapter.name, adapter.default_base_url, adapter.api_root, adapter.env_var) == \
        (info.name, info.host, info.api_root, info.env_var)
    assert (adapter.name_limit, adapter.body_limit, adapter.min_lead_hours) == \
        (info.name_limit, info.body_limit, info.min_lead_hours)
    assert (adapter.bulk_limit, adapter.bulk_order_limit) == (info.bulk_price_limit, info.bulk_order_limit)
    assert adapter.archive_bulk_limit == (info.archive_bulk_price_limit or info.bulk_price_limit)
    assert dict(adapter.rate_limits) == dict(info.rate_limits)


def test_no_adapter_module_writes_a_limit_again():
    """The adapters' classes assign none of the table's facts: a second copy would drift."""
    facts = {"name", "default_base_url", "api_root", "env_var", "name_limit", "body_limit", "bulk_limit",
             "archive_bulk_limit", "bulk_order_limit", "rate_limits", "min_lead_hours"}
    for name in table.NAMES:
        module = table.get(name).adapter.partition(":")[0]
        tree = ast.parse((ROOT.parent / (module.replace(".", "/") + ".py")).read_text())
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            assigned = {t.id for n in cls.body if isinstance(n, (ast.Assign, ast.AnnAssign))
                        for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)}
            assert not assigned & facts, f"{module}.{cls.name} repeats {sorted(assigned & facts)}"


def _code_constants(tree: ast.Module) -> list[ast.Constant]:
    """The constants of a module's code: docstrings (examples and prose) left out."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) not in docstrings]


@pytest.mark.parametrize("name", table.NAMES)
def test_no_adapter_module_writes_a_minimum_a_host_or_an_api_root_again(name):
    """Planet's parse_order and parse_pricing wrote ``25.0``, Pixxel's paths ``"/v0/…"``, Geopera's
    ``"/v1/op/…"``: copies of the table's row that would not follow it. Code reads the row (docstrings may
    show the values)."""
    info = table.get(name)
    module = info.adapter.partition(":")[0]
    tree = ast.parse((ROOT.parent / (module.replace(".", "/") + ".py")).read_text())
    copies = [(n.lineno, n.value) for n in _code_constants(tree)
              if (isinstance(n.value, float) and info.min_billed_area_km2 and n.value == info.min_billed_area_km2)
              or (isinstance(n.value, str) and (n.value.startswith(info.api_root + "/") or info.host in n.value))]
    assert not copies, f"{module} repeats its table row's values at lines {copies}"


def test_client_aoi_frames_and_widgets_list_the_table():
    from pixorder import aoi, frames
    from pixorder.client import compare
    from pixorder.widgets import clients

    assert aoi.PROVIDERS == table.NAMES
    assert aoi.MIN_BILLED_AREA_KM2 == {p.name: p.min_billed_area_km2 for p in table.PROVIDERS.values()}
    assert aoi.MAX_BODY_BYTES == {p.name: p.body_limit for p in table.PROVIDERS.values()}
    assert frames.PROVIDERS[: len(table.NAMES)] == table.NAMES
    assert tuple(compare.DEFAULT_PROVIDERS) == table.NAMES
    assert tuple(clients.PROVIDERS) == table.NAMES


def test_no_module_spells_the_provider_list():
    """``("pixxel", "planet", "geopera")`` is written in the table only."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        if "sandbox" in path.parts or path.name == "table.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
                if {"pixxel", "planet", "geopera"} <= set(values):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders


def test_connect_names_every_key_variable():
    """What ``help(connect)`` tells a user about keys is the table's."""
    from pixorder.client.sync import connect

    doc = inspect.getdoc(connect) or ""
    for info in table.PROVIDERS.values():
        assert info.env_var in doc


def test_missing_key_error_names_the_tables_variable(monkeypatch):
    import pixorder
    from pixorder.errors import AuthError

    for info in table.PROVIDERS.values():
        monkeypatch.delenv(info.env_var, raising=False)
        with pytest.raises(AuthError, match=info.env_var):
            pixorder.AsyncClient(info.name)


def test_unknown_provider_is_refused():
    from pixorder.errors import ValidationError

    with pytest.raises(ValidationError):
        table.get("maxar")
    with pytest.raises(ValidationError):
        make_adapter("maxar")


# --- the contract: the sandbox's own copy agrees --------------------------------------------

def test_minimum_billed_areas_agree_with_the_sandbox_price_book():
    from pixorder.sandbox import price_book

    assert table.get("pixxel").min_billed_area_km2 == price_book.PIXXEL_MIN_BILLABLE_KM2
    assert table.get("planet").min_billed_area_km2 == price_book.PLANET_MIN_BILLABLE_SQKM
    # Geopera's minimums are per sensor: the table's floor is at most every sensor's own.
    floor = table.get("geopera").min_billed_area_km2
    assert all(floor <= rate["min_km2"] for rate in price_book.GEOPERA_SENSOR_RATES_AUD.values())
    assert floor <= price_book.GEOPERA_ARCHIVE_MIN_KM2


def test_bulk_body_and_name_limits_agree_with_the_sandbox():
    from pixorder.sandbox import geopera
    from pixorder.sandbox.pixxel import common as pixxel
    from pixorder.sandbox.planet import catalog as planet

    assert table.get("planet").body_limit == planet.MAX_BODY_BYTES
    assert table.get("planet").bulk_price_limit == planet.BULK_PRICING_MAX
    assert table.get("planet").bulk_order_limit == planet.BULK_MAX_PAYLOADS
    assert table.get("pixxel").bulk_price_limit == pixxel.MAX_ITEMS_PER_ORDER
    assert table.get("pixxel").name_limit == pixxel.MAX_NAME_LENGTH
    assert table.get("geopera").bulk_price_limit == geopera.MAX_GROUPS


def test_rate_limits_agree_with_the_sandbox():
    from pixorder.sandbox import geopera_limits
    from pixorder.sandbox.planet import limits as planet_limits

    planet = table.get("planet").rate_limits
    assert planet["default"] == (planet_limits.PER_SECOND, 1.0)
    assert planet["default/minute"] == (planet_limits.PER_MINUTE, 60.0)
    geopera = table.get("geopera").rate_limits
    assert geopera["default"] == (geopera_limits.DEFAULTS["default_per_minute"], geopera_limits.WINDOW_SECONDS)
    assert geopera["place"] == (geopera_limits.DEFAULTS["placement_per_minute"], geopera_limits.WINDOW_SECONDS)
    assert geopera["spend"] == (geopera_limits.DEFAULTS["spend_per_minute"], geopera_limits.WINDOW_SECONDS)


def test_api_roots_and_keys_agree_with_the_sandbox():
    from pixorder.sandbox.keys import SANDBOX_KEYS
    from pixorder.sandbox.paths import PROVIDER_PREFIXES

    assert set(PROVIDER_PREFIXES) == set(table.NAMES) == set(SANDBOX_KEYS)
    for name, prefix in PROVIDER_PREFIXES.items():
        assert prefix.rstrip("/") == table.get(name).api_root


def test_name_limit_agrees_with_what_the_planet_sandbox_refuses(sandbox):
    """The table's name limit is the longest name the sandbox takes; one character more is refused."""
    import httpx

    limit = table.get("planet").name_limit
    body = {"name": "n" * limit, "geometry": {"type": "Point", "coordinates": [4.35, 50.85]},
            "start_time": "2030-01-01T00:00:00Z", "end_time": "2030-01-20T00:00:00Z",
            "product": "Flexible Tasking"}
    headers = {"Authorization": f"api-key {sandbox.keys['planet']}"}
    with httpx.Client(base_url=sandbox.url + table.get("planet").api_root, headers=headers, timeout=30) as http:
        assert http.post("/orders/", json=body).status_code == 201
        refused = http.post("/orders/", json={**body, "name": "n" * (limit + 1)})
        assert refused.status_code == 400 and "name" in refused.json()


def test_no_shared_module_branches_on_a_provider_name():
    """A fourth provider touches the table, its adapter, its sandbox package and tests: no module shared by
    the providers decides anything by comparing a provider's name (its quirks are the table's fields)."""
    import ast
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1] / "pixorder"
    own = {root / "providers" / f"{name}.py" for name in ("pixxel", "planet", "geopera", "table")}
    names = {"pixxel", "planet", "geopera"}
    found = []
    for path in sorted(root.rglob("*.py")):
        if path in own or "sandbox" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
                literals = [o for o in operands if isinstance(o, ast.Constant) and o.value in names]
                literals += [e for o in operands if isinstance(o, (ast.Tuple, ast.List, ast.Set))
                             for e in o.elts if isinstance(e, ast.Constant) and e.value in names]
                if literals:
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    assert not found, found


def test_a_providers_quirks_are_read_from_its_row(monkeypatch):
    """Change Pixxel's row and the shared code follows: its billed rounding and its part-gap rule."""
    import dataclasses
    from types import MappingProxyType

    import pixorder
    from pixorder.providers import table

    def square(lon: float) -> list:
        return [[[lon, 10.0], [lon + 0.1, 10.0], [lon + 0.1, 10.1], [lon, 10.1], [lon, 10.0]]]

    two_fields = pixorder.AOI({"type": "MultiPolygon", "coordinates": [square(20.0), square(20.9)]})  # ~85 km apart

    def rule(aoi: pixorder.AOI) -> str:
        return next(c.severity for c in aoi.check("pixxel") if c.rule == "max_part_distance")

    assert rule(two_fields) == "info" and two_fields.billed_area_km2("pixxel") == 243.0
    row = dataclasses.replace(table.PROVIDERS["pixxel"], billed_area_step_km2=5.0, max_part_gap_km=50.0)
    monkeypatch.setattr(table, "PROVIDERS", MappingProxyType({**table.PROVIDERS, "pixxel": row}))
    assert rule(two_fields) == "breaks" and two_fields.billed_area_km2("pixxel") == 245.0
