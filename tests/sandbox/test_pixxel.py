"""Pixxel v0 in the sandbox, over real HTTP on loopback: endpoints, documented shapes, pricing, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from pixorder import sandbox as sandbox_pkg

DATA = Path(__file__).resolve().parents[1] / "data" / "pixxel"
BANGALORE = [[77.5, 12.9], [77.6, 12.9], [77.6, 13.0], [77.5, 13.0], [77.5, 12.9]]  # ~120 km²
TINY = [[77.50, 12.90], [77.51, 12.90], [77.51, 12.91], [77.50, 12.91], [77.50, 12.90]]  # ~1.2 km²


def example(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def fc(*rings: list[list[float]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}} for ring in rings]}


def z(sb: sandbox_pkg.Sandbox, days: float) -> str:
    return (sb.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def pixxel_client(sandbox: sandbox_pkg.Sandbox) -> Iterator[httpx.Client]:
    """A client on ``/v0`` with the sandbox key, sent as Pixxel wants it: no Bearer prefix."""
    with httpx.Client(base_url=sandbox.url + "/v0", headers={"Authorization": sandbox.keys["pixxel"]},
                      timeout=60) as client:
        yield client


@pytest.fixture()
def pixxel(sandbox: sandbox_pkg.Sandbox) -> Iterator[httpx.Client]:
    yield from pixxel_client(sandbox)


def tasking(sb: sandbox_pkg.Sandbox, **fields: Any) -> dict[str, Any]:
    item = {"name": "field A", "geometry": fc(BANGALORE), "recurrence": "ONCE", "start_date": z(sb, 10),
            "end_date": z(sb, 15), "no_of_occurrences": 0, "cloud_cover": 20, "off_nadir": 20,
            "delivery_speed": "STANDARD", "usecase": "agriculture", "project_id": "p-1"}
    item.update(fields)
    return item


def place(client: httpx.Client, *items: dict[str, Any], dry_run: bool = False) -> dict[str, Any]:
    response = client.post("/orders", json={"dry_run": dry_run, "order_items": list(items)})
    assert response.status_code == 201, response.text
    return response.json()


def refused(client: httpx.Client, *items: dict[str, Any]) -> list[str]:
    """Fields named by a 400 VALIDATION_ERROR for this order."""
    response = client.post("/orders", json={"order_items": list(items)})
    assert response.status_code == 400, response.text
    body = response.json()["error"]  # the official envelope: {"error": {code, message, details}}
    assert set(response.json()) == {"error"}
    assert body["code"] == "VALIDATION_ERROR" and isinstance(body["message"], str)
    return [d["field"] for d in body["details"]]


# ---------------------------------------------------------------------------------------------
# shape comparison against the documented examples
# ---------------------------------------------------------------------------------------------


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}[type(value)]


def assert_shape(documented: Any, actual: Any, path: str = "$") -> None:
    """Every documented key is present with the documented JSON type (null and "<any>" match anything)."""
    if documented is None or documented == "<any>":
        return
    assert json_type(actual) == json_type(documented), f"{path}: {json_type(actual)} != {json_type(documented)}"
    if isinstance(documented, dict):
        missing = set(documented) - set(actual)
        assert not missing, f"{path}: missing {sorted(missing)}"
        for key, value in documented.items():
            assert_shape(value, actual[key], f"{path}.{key}")
    elif isinstance(documented, list) and documented and actual and documented[0] != {}:
        for i, element in enumerate(actual):
            assert_shape(documented[0], element, f"{path}[{i}]")


# ---------------------------------------------------------------------------------------------
# auth, errors, catalogue endpoints
# ---------------------------------------------------------------------------------------------


def test_ping_at_the_root_needs_no_auth(sandbox):
    response = httpx.get(sandbox.url + "/ping")  # official: GET /ping, no security, a JSON string
    assert response.status_code == 200 and response.json() == "pong"


def test_auth_failures_have_pixxel_error_shape(sandbox, pixxel):
    key = sandbox.keys["pixxel"]
    for headers in ({"Authorization": ""}, {"Authorization": "wrong"}, {"Authorization": f"Bearer {key}"}):
        response = httpx.get(sandbox.url + "/v0/order-items", headers=headers)
        assert response.status_code == 401
        body = response.json()
        assert set(body) == {"error"}
        assert body["error"]["code"] == "UNAUTHORIZED" and body["error"]["message"]
    bearer = httpx.get(sandbox.url + "/v0/bandsets", headers={"Authorization": f"Bearer {key}"}).json()
    assert "Bearer" in bearer["error"]["message"]


def test_unknown_paths_and_methods_use_pixxel_error_shape(sandbox, pixxel):
    missing = pixxel.get("/orders/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"
    assert pixxel.get("/order-items/nope").json()["error"]["code"] == "NOT_FOUND"
    unknown = pixxel.get("/no-such-endpoint")
    assert unknown.status_code == 404 and set(unknown.json()["error"]) >= {"code", "message"}


def test_bandsets_cover_vnir_swir_vswir(pixxel):
    bandsets = {b["name"]: b for b in pixxel.get("/bandsets").json()["bandsets"]}
    assert {"VNIR", "SWIR", "VSWIR"} <= set(bandsets)
    for bandset in bandsets.values():
        assert set(bandset) == {"id", "name", "description", "captures", "bands"}
        assert all(set(band) == {"name", "wavelength"} for band in bandset["bands"])
    wavelengths = {name: [b["wavelength"] for b in bandsets[name]["bands"]] for name in ("VNIR", "SWIR", "VSWIR")}
    assert (min(wavelengths["VNIR"]), max(wavelengths["VNIR"])) == (470, 900)
    assert (min(wavelengths["SWIR"]), max(wavelengths["SWIR"])) == (900, 2500)
    assert (min(wavelengths["VSWIR"]), max(wavelengths["VSWIR"])) == (470, 2500)
    assert len(wavelengths["VNIR"]) >= 100 and len(wavelengths["VSWIR"]) > len(wavelengths["SWIR"])
    # official clerk.Bandset: captures is an integer count (a VSWIR product needs two captures)
    assert {name: b["captures"] for name, b in bandsets.items()} == {"VNIR": 1, "VNIR-8": 1, "SWIR": 1, "VSWIR": 2}


def test_projects_default_project_per_org(sandbox, pixxel):
    listed = pixxel.get("/projects", params={"page_num": 1, "page_size": 10}).json()
    assert set(listed) == {"count", "projects"} and listed["count"] == 1  # official frontier.listProjects
    (project,) = listed["projects"]
    assert {"id", "name", "title", "org_id", "members_count", "metadata"} <= set(project)
    assert pixxel.get("/projects", params={"page_num": 2}).json() == {"count": 1, "projects": []}
    one = pixxel.get(f"/projects/{project['id']}").json()
    assert set(one) == {"project"}  # official frontier.getProjectById wraps it
    assert one["project"] == {k: v for k, v in project.items() if k != "members_count"}
    assert pixxel.get("/projects/other").status_code == 404
    other = httpx.get(sandbox.url + "/v0/projects", headers={"Authorization": sandbox.keys["pixxel"] + ".acme"})
    assert other.json()["projects"][0]["id"] != project["id"]


# ---------------------------------------------------------------------------------------------
# create order: the documented example and the documented shapes
# ---------------------------------------------------------------------------------------------


def documented_request(sb: sandbox_pkg.Sandbox, client: httpx.Client) -> dict[str, Any]:
    """The docs' curl body (tests/data/pixxel/README.md) with its remaining placeholders made real."""
    body = example("create-order.request.json")
    item = body["order_items"][0]
    vnir = next(b for b in client.get("/bandsets").json()["bandsets"] if b["name"] == "VNIR")
    item["bandset"]["bandset_id"] = vnir["id"]  # was "string"
    item["item_ids"] = []  # was ["string"]: no such scene; empty makes it the tasking item the rest describes
    item["start_date"], item["end_date"] = z(sb, 10), z(sb, 16)  # 2020 dates are in the past
    return body


# Keys of the older pages' examples that the official schema does not have (clerk.OrderItem has no
# geometry, tasks or validation_errors; the example responses show tasks in the list and validation_errors).
NOT_IN_OFFICIAL_ITEM = {"geometry", "tasks", "validation_errors"}


def older(example_item: dict[str, Any], *, tasks: bool = False) -> dict[str, Any]:
    return {k: v for k, v in example_item.items() if k not in NOT_IN_OFFICIAL_ITEM or (tasks and k == "tasks")}


def test_documented_example_is_accepted_and_matches_documented_shapes(sandbox, pixxel):
    order = place(pixxel, *documented_request(sandbox, pixxel)["order_items"])
    documented = example("pixxel-create-order.response.json")
    documented["order_items"] = [older(i) for i in documented["order_items"]]
    assert_shape(documented, order)
    (item,) = order["order_items"]
    assert item["project_id"] == "1234567890" and item["name"] == "Order Item 1"
    assert item["type"] == "TASKING" and item["status"] == "DRAFT" and item["payment_status"] == "PAID"
    assert order["status"] == "PAID" and order["paid_at"] and order["transaction_id"]
    assert item["bandset"]["bands"][0] == {"name": "B001", "wavelength": 470}
    assert item["image_type"] == "VNIR" and item["number_of_bands"] == 150
    assert item["cloud_delivery"] == {"config": "d5f40033-4abd-48a1-a2f1-276df6edfeaf", "path": "my-bucket/my-folder"}
    assert not NOT_IN_OFFICIAL_ITEM & set(item)  # items inside an order: no geometry, tasks, validation_errors
    assert item["feasibility_status"] in ("FAILED", "WEAK_SUCCESS", "SUCCESS")
    assert len(item["occurrences"]) == 1
    assert isinstance(item["tokens_used"], int) and all(isinstance(u["amount"], int) for u in item["uplifts"])

    got = pixxel.get(f"/orders/{order['id']}").json()
    documented = example("pixxel-get-order.response.json")
    documented["order_items"] = [older(i) for i in documented["order_items"]]
    assert_shape(documented, got)
    assert got == order
    listed = pixxel.get("/order-items").json()
    documented = example("pixxel-list-order-items.response.json")
    documented["order_items"] = [older(i, tasks=True) for i in documented["order_items"]]
    assert_shape(documented, listed)
    (listed_item,) = listed["order_items"]
    assert set(listed_item) - {"tasks"} == set(item) and not {"geometry", "validation_errors"} & set(listed_item)
    (task,) = listed_item["tasks"]
    assert task["status"] == "DRAFT" and task["type"] == "TASKING"
    assert task["delivery_status"] == "PENDING"  # official enum; never ""
    assert task["start_date"].count("-") == 2 and len(task["start_date"]) == 10  # DD-MM-YYYY
    single = pixxel.get(f"/order-items/{item['id']}").json()
    assert single == listed_item
    assert_shape(documented["order_items"][0], single)


def test_dry_run_prices_but_stores_nothing(sandbox, pixxel):
    quote = place(pixxel, tasking(sandbox), dry_run=True)
    (item,) = quote["order_items"]
    assert quote["status"] == "UNPAID" and quote["paid_at"] == "" and quote["transaction_id"] == ""
    assert item["payment_status"] == "UNPAID" and item["final_amount"] > 0 and item["tokens_used"] > 0
    assert "tasks" not in item
    assert pixxel.get(f"/orders/{quote['id']}").status_code == 404
    assert pixxel.get(f"/order-items/{item['id']}").status_code == 404
    assert pixxel.get("/order-items").json()["pagination"]["total"] == 0
    assert pixxel.get("/orders").json()["pagination"]["total"] == 0
    real = place(pixxel, tasking(sandbox))
    assert real["id"] != quote["id"] and real["total_amount"] == quote["total_amount"]


def test_bulk_pricing_up_to_50_items(sandbox, pixxel):
    quote = place(pixxel, *[tasking(sandbox, name=f"aoi {i}") for i in range(50)], dry_run=True)
    assert len(quote["order_items"]) == 50
    assert quote["total_amount"] == pytest.approx(sum(i["final_amount"] for i in quote["order_items"]))
    assert refused(pixxel, *[tasking(sandbox)] * 51) == ["order_items"]


# ---------------------------------------------------------------------------------------------
# pricing
# ---------------------------------------------------------------------------------------------


def priced(client: httpx.Client, item: dict[str, Any]) -> dict[str, Any]:
    return place(client, item, dry_run=True)["order_items"][0]


def test_areas_under_100_km2_are_billed_as_100(sandbox, pixxel):
    item = priced(pixxel, tasking(sandbox, geometry=fc(TINY)))
    assert item["area"] == 2  # the real 1.2 km², in whole km² rounded up
    assert item["base_amount"] == 100 * 10  # VNIR 10 per km² on the 100 km² minimum
    assert item["final_amount"] == item["base_amount"] and item["uplifts"] == []
    assert item["tokens_used"] == item["final_amount"] / 10 and isinstance(item["tokens_used"], int)
    big = priced(pixxel, tasking(sandbox))
    assert big["area"] == 121 and big["base_amount"] == 121 * 10


def test_uplifts_expedited_cloud_and_off_nadir(sandbox, pixxel):
    standard = priced(pixxel, tasking(sandbox))
    expedited = priced(pixxel, tasking(sandbox, delivery_speed="EXPEDITED"))
    assert expedited["base_amount"] == standard["base_amount"]
    assert expedited["final_amount"] == pytest.approx(standard["base_amount"] * 1.2)
    (uplift,) = expedited["uplifts"]
    assert uplift["percentage"] == 20 and uplift["amount"] == round(standard["base_amount"] * 0.2)
    assert isinstance(uplift["amount"], int)  # official clerk.Uplift.amount is an integer
    assert set(uplift) == {"title", "subtitle", "percentage", "amount", "item_id"}
    tight = priced(pixxel, tasking(sandbox, cloud_cover=10, off_nadir=10))
    assert sorted(u["percentage"] for u in tight["uplifts"]) == [10, 15]
    assert tight["final_amount"] == standard["base_amount"] + sum(u["amount"] for u in tight["uplifts"])
    assert tight["final_amount"] == pytest.approx(standard["base_amount"] * 1.25, abs=1)  # whole uplift amounts


def test_price_depends_on_bandset_and_is_deterministic(sandbox, pixxel):
    ids = {b["name"]: b["id"] for b in pixxel.get("/bandsets").json()["bandsets"]}
    prices = {}
    for name in ("VNIR", "SWIR", "VSWIR"):
        first = priced(pixxel, tasking(sandbox, bandset={"bandset_id": ids[name]}))
        again = priced(pixxel, tasking(sandbox, bandset={"bandset_id": ids[name]}))
        assert first["final_amount"] == again["final_amount"] and first["image_type"] == name
        prices[name] = first["base_amount"] / first["area"]
    assert prices == {"VNIR": 10, "SWIR": 14, "VSWIR": 18}


def test_recurring_order_with_three_occurrences(sandbox, pixxel):
    once = priced(pixxel, tasking(sandbox))
    order = place(pixxel, tasking(sandbox, recurrence="MONTHLY", no_of_occurrences=3, end_date=None))
    (item,) = order["order_items"]
    assert item["type"] == "RECURRING" and item["recurrence"] == "MONTHLY" and item["no_of_occurrences"] == 3
    assert item["base_amount"] == 3 * once["base_amount"] and item["final_amount"] == 3 * once["final_amount"]
    assert len(item["occurrences"]) == 3
    assert len(pixxel.get(f"/order-items/{item['id']}").json()["tasks"]) == 3
    starts = [o["start"] for o in item["occurrences"]]
    assert starts == sorted(starts) and len(set(starts)) == 3
    # each occurrence is one month; consecutive periods touch (end exclusive = next start)
    assert [o["end"] for o in item["occurrences"]][:2] == starts[1:]


def test_recurring_by_end_date_which_is_exclusive(sandbox, pixxel):
    start = sandbox.now().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=10)
    end = start.replace(month=start.month % 12 + 1, year=start.year + (start.month == 12), day=min(start.day, 28))
    end = start + (end - start) * 2 + timedelta(days=1)  # two whole months and a day: three occurrences
    item = priced(pixxel, tasking(sandbox, recurrence="BIMONTHLY", start_date=f"{start:%Y-%m-%dT%H:%M:%SZ}",
                                  end_date=f"{end:%Y-%m-%dT%H:%M:%SZ}"))
    assert item["recurrence"] == "BIMONTHLY" and len(item["occurrences"]) == 2  # every two months
    assert item["end_date"] == f"{end:%Y-%m-%dT%H:%M:%SZ}"  # the last period is clipped to it
    quarterly = priced(pixxel, tasking(sandbox, recurrence="QUARTERLY", no_of_occurrences=4, end_date=None))
    assert len(quarterly["occurrences"]) == 4
    # WEEKLY and BIWEEKLY are not in the official enum; both forms of a recurring item at once are refused
    assert refused(pixxel, tasking(sandbox, recurrence="WEEKLY", no_of_occurrences=3)) == ["order_items[0].recurrence"]
    assert refused(pixxel, tasking(sandbox, recurrence="MONTHLY", no_of_occurrences=3)) == [
        "order_items[0].no_of_occurrences"]
    assert refused(pixxel, tasking(sandbox, recurrence="MONTHLY", end_date=None)) == [
        "order_items[0].no_of_occurrences"]


# ---------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------


def test_validation_errors_name_the_field(sandbox, pixxel):
    point = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [77.5, 12.9]}}]}
    assert refused(pixxel, tasking(sandbox, geometry=point)) == ["order_items[0].geometry.features[0].geometry.type"]
    assert refused(pixxel, tasking(sandbox, geometry={"type": "Polygon", "coordinates": [BANGALORE]})) == [
        "order_items[0].geometry"]
    assert refused(pixxel, tasking(sandbox, start_date=z(sandbox, 0.5))) == ["order_items[0].start_date"]
    assert refused(pixxel, tasking(sandbox, end_date=z(sandbox, 9))) == ["order_items[0].end_date"]
    assert refused(pixxel, tasking(sandbox, start_date="yesterday")) == ["order_items[0].start_date"]
    assert refused(pixxel, tasking(sandbox, cloud_cover=101)) == ["order_items[0].cloud_cover"]
    assert refused(pixxel, tasking(sandbox, off_nadir=46)) == ["order_items[0].off_nadir"]
    assert refused(pixxel, tasking(sandbox, off_nadir=12.5)) == ["order_items[0].off_nadir"]
    assert refused(pixxel, tasking(sandbox, recurrence="DAILY")) == ["order_items[0].recurrence"]
    assert refused(pixxel, tasking(sandbox, delivery_speed="ASAP")) == ["order_items[0].delivery_speed"]
    assert refused(pixxel, tasking(sandbox, bandset={"bandset_id": "nope"})) == ["order_items[0].bandset.bandset_id"]
    assert refused(pixxel, tasking(sandbox, recurrence="MONTHLY", no_of_occurrences=1, end_date=None)) == [
        "order_items[0].no_of_occurrences"]
    far = fc(BANGALORE, [[x + 5, y] for x, y in BANGALORE])  # ~540 km apart
    assert refused(pixxel, tasking(sandbox, geometry=far)) == ["order_items[0].geometry"]
    near = fc(BANGALORE, [[x + 0.5, y] for x, y in BANGALORE])
    assert priced(pixxel, tasking(sandbox, geometry=near))["area"] == 241
    bad_json = pixxel.post("/orders", content=b"{nope", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["error"]["code"] == "VALIDATION_ERROR"
    assert pixxel.post("/orders", json={"order_items": []}).json()["error"]["details"][0]["field"] == "order_items"
    assert pixxel.post("/orders", json={"dry_run": "yes", "order_items": [tasking(sandbox)]}).status_code == 400


def test_faults_apply_under_v0(sandbox, pixxel):
    sandbox.faults(rate=1.0, statuses=[503], provider="pixxel")
    try:
        response = pixxel.get("/bandsets")
        assert response.status_code == 503 and set(response.json()["error"]) >= {"code", "message"}
    finally:
        sandbox.faults(rate=0)
    assert pixxel.get("/bandsets").status_code == 200


def test_organisations_are_isolated(sandbox, pixxel):
    order = place(pixxel, tasking(sandbox))
    other = httpx.Client(base_url=sandbox.url + "/v0", headers={"Authorization": sandbox.keys["pixxel"] + ".acme"})
    with other:
        assert other.get(f"/orders/{order['id']}").status_code == 404
        assert other.get("/order-items").json()["pagination"]["total"] == 0


def test_list_orders_with_pagination_and_user_filter(sandbox, pixxel):
    ids = [place(pixxel, tasking(sandbox, name=f"o{i}"))["id"] for i in range(5)]
    page = pixxel.get("/orders", params={"limit": 2, "offset": 0}).json()
    assert page["pagination"] == {"total": 5, "offset": 0, "limit": 2}
    seen = []
    for offset in range(0, 5, 2):
        seen += [o["id"] for o in pixxel.get("/orders", params={"limit": 2, "offset": offset}).json()["orders"]]
    assert seen == list(reversed(ids))  # newest first
    user = page["orders"][0]["user_id"]
    assert pixxel.get("/orders", params={"user_id": user}).json()["pagination"]["total"] == 5
    assert pixxel.get("/orders", params={"user_id": "someone-else"}).json()["orders"] == []
    assert pixxel.get("/orders", params={"limit": 0}).status_code == 400


# ---------------------------------------------------------------------------------------------
# the official request schema: required fields, defaults, limits
# ---------------------------------------------------------------------------------------------


def test_official_required_fields_defaults_and_name_limit(sandbox, pixxel):
    # cloud_cover and off_nadir default to 20 when left out (they were a 400 before)
    item = tasking(sandbox)
    del item["cloud_cover"], item["off_nadir"]
    quoted = priced(pixxel, item)
    assert quoted["cloud_cover"] == 20 and quoted["off_nadir"] == 20
    # name is optional ...
    unnamed = tasking(sandbox)
    del unnamed["name"]
    assert priced(pixxel, unnamed)["name"] == ""
    # ... and at most 100 characters
    assert priced(pixxel, tasking(sandbox, name="n" * 100))["name"] == "n" * 100
    response = pixxel.post("/orders", json={"order_items": [tasking(sandbox, name="n" * 150)]})
    assert response.status_code == 400
    (detail,) = response.json()["error"]["details"]
    assert detail["field"] == "order_items[0].name" and "100" in detail["message"]
    # project_id, usecase and geometry are required
    for key in ("project_id", "usecase", "geometry"):
        missing = tasking(sandbox)
        del missing[key]
        assert refused(pixxel, missing) == [f"order_items[0].{key}"], key
    assert refused(pixxel, tasking(sandbox, project_id=""), tasking(sandbox, usecase=" ")) == [
        "order_items[0].project_id", "order_items[1].usecase"]
