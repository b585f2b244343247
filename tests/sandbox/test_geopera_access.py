"""Geopera scopes (403 problem naming the scope) and per-organisation caps (429 + Retry-After) over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from pixorder.sandbox.geopera import OPERATIONS, REQUIRED_SCOPES

from .geopera_helpers import KEY, SMALL, Geopera, assert_problem, fc, geopera_client  # noqa: F401

SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "api-docs" / "geopera-openapi.json"


def test_required_scopes_are_the_official_specs() -> None:
    if not SPEC.exists():
        pytest.skip("the official spec is not next to the repository")
    spec = json.loads(SPEC.read_text())
    official = {op["operationId"]: op["x-required-scope"] for path, methods in spec["paths"].items()
                for op in methods.values() if isinstance(op, dict) and path.startswith("/v1/op/orders.")}
    assert {op.id: op.scope for op in OPERATIONS} == official
    assert set(REQUIRED_SCOPES) == set(official)


@pytest.mark.parametrize("form", ["op", "resource"])
def test_a_key_without_orders_write_gets_403_naming_the_scope(sandbox, geopera: Geopera, form: str) -> None:
    limited = Geopera(sandbox, KEY + "-without-orders:write")
    try:
        body = {"captures": [{"id": "CAP-1", "geometry": SMALL}], "workspaceId": "ws"}
        refused = limited.post("orders.archive.place", body, form=form)
        problem = assert_problem(refused, 403)
        assert problem["detail"] == "missing scope 'orders:write' for 'orders.archive.place'"
        assert assert_problem(limited.post("orders.cancel", {}, form=form), 403)["detail"] == (
            "missing scope 'orders:write' for 'orders.cancel'")  # refused before the body is validated
        assert limited.ok("orders.list", {}, form=form)["totalElements"] == 0  # orders:read is still granted
        assert limited.ok("orders.tasking.sensors", form=form)["sensors"]
    finally:
        limited.close()
    assert geopera.ok("orders.list", {})["totalElements"] == 0  # nothing was placed
    placed = geopera.post("orders.archive.place", body, form=form)
    assert placed.status_code == 202  # the full key may


def test_a_key_without_items_read_cannot_estimate_and_org_variants_keep_the_restriction(sandbox) -> None:
    limited = Geopera(sandbox, KEY + "-without-items:read.acme")
    try:
        body = {"dataProduct": "pneo-30cm", "featureCollection": fc(SMALL)}
        assert assert_problem(limited.post("orders.estimate", body), 403)["detail"] == (
            "missing scope 'items:read' for 'orders.estimate'")
        assert limited.post("orders.tasking.estimate", {"groups": []}).status_code == 200  # orders:read
    finally:
        limited.close()
    assert httpx.post(sandbox.url + "/v1/op/orders.list", json={},
                      headers={"Authorization": f"Bearer {KEY}-without-"}).status_code == 401


def test_placement_is_capped_at_60_per_minute_per_organisation(sandbox, geopera: Geopera) -> None:
    assert all(geopera.post("orders.archive.place", {}).status_code == 422 for _ in range(65))  # relaxed by default
    config = sandbox.rate_limits("geopera")
    assert (config["placement_per_minute"], config["spend_per_minute"]) == (60, 30)  # the documented caps
    statuses = [geopera.post("orders.archive.place", {}, form=("op", "resource")[i % 2]).status_code for i in range(60)]
    assert statuses == [422] * 60  # counted although invalid: the cap sits before validation
    refused = geopera.post("orders.tasking.place", {})
    problem = assert_problem(refused, 429)
    assert "60" in problem["detail"] and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert geopera.post("orders.cancel", {"order_id": "nope"}).status_code == 404  # other spend: its own cap
    assert geopera.ok("orders.list", {})["totalElements"] == 0  # reads are not capped at 60
    acme = Geopera(sandbox, KEY + ".acme")  # per organisation
    try:
        assert acme.post("orders.archive.place", {}).status_code == 422
    finally:
        acme.close()


def test_other_spend_is_capped_at_30_per_minute_and_reset_relaxes(sandbox, geopera: Geopera) -> None:
    sandbox.rate_limits("geopera")
    assert [geopera.post("orders.cancel", {"order_id": f"o{i}"}).status_code for i in range(30)] == [404] * 30
    refused = geopera.post("orders.tasking.quotation_decide", {"quotation_id": "q", "decision": "ACCEPTED"})
    assert assert_problem(refused, 429)["detail"].startswith("Rate limit exceeded: at most 30 spend")
    assert int(refused.headers["Retry-After"]) >= 1
    sandbox.reset()
    assert geopera.post("orders.cancel", {"order_id": "o"}).status_code == 404


def test_lowered_default_cap_and_bad_settings(sandbox, geopera: Geopera) -> None:
    sandbox.rate_limits("geopera", default_per_minute=2)
    assert [geopera.post("orders.tasking.sensors").status_code for _ in range(3)] == [200, 200, 429]
    bad = httpx.post(sandbox.url + "/_sandbox/geopera/rate-limits", json={"spend_per_minute": 0})
    assert bad.status_code == 400
