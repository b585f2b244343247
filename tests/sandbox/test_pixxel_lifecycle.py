"""Pixxel v0 life cycles on the sandbox clock, and archive search → ARCHIVE items, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from shapely.geometry import shape

from pixorder import sandbox as sandbox_pkg
from pixorder.sandbox import pixxel as px

from .test_pixxel import BANGALORE, fc, pixxel_client, place, refused, tasking, z


@pytest.fixture()
def pixxel(sandbox: sandbox_pkg.Sandbox) -> Iterator[httpx.Client]:
    yield from pixxel_client(sandbox)


def item_of(client: httpx.Client, item_id: str) -> dict[str, Any]:
    response = client.get(f"/order-items/{item_id}")
    assert response.status_code == 200, response.text
    return response.json()


def expected_final(item: dict[str, Any]) -> str:
    outcomes = [px.task_succeeds(t["id"], item["feasibility_status"]) for t in item["tasks"]]
    return "FULFILLED" if all(outcomes) else "FAILED" if not any(outcomes) else "PARTIALLY_FULFILLED"


def test_tasking_item_draft_active_in_progress_done(sandbox, pixxel):
    (item,) = place(pixxel, tasking(sandbox))["order_items"]  # start in 10 days, end in 15
    assert item["status"] == "DRAFT" and "tasks" not in item  # official clerk.OrderItem (inside an order)
    assert item_of(pixxel, item["id"])["tasks"][0]["status"] == "DRAFT"
    checked = item["last_feasibility_check"]

    sandbox.advance(days=4.9)  # placement is 5 days before the start: not yet
    now = item_of(pixxel, item["id"])
    assert now["status"] == "DRAFT" and now["tasks"][0]["status"] == "DRAFT"
    assert now["tasks"][0]["transaction_id"] == "" and now["tasks"][0]["tokens_used"] == 0
    assert now["tasks"][0]["delivery_status"] == "PENDING"

    sandbox.advance(hours=3)
    now = item_of(pixxel, item["id"])
    (task,) = now["tasks"]
    assert now["status"] == "ACTIVE" and task["status"] == "SUBMITTED"  # official; REQUESTED on older pages
    assert task["transaction_id"] == now["transaction_id"] and task["tokens_used"] == now["tokens_used"]
    assert now["last_feasibility_check"] > checked and now["payment_status"] == "PAID"

    sandbox.advance(days=5)  # past the start
    assert item_of(pixxel, item["id"])["tasks"][0]["status"] == "IN_PROGRESS"

    sandbox.advance(days=5)  # past the end
    done = item_of(pixxel, item["id"])
    (task,) = done["tasks"]
    assert done["status"] == expected_final(done) and done["payment_status"] == "PAID"
    if task["status"] == "FULFILLED":
        assert task["delivery_status"] == "SUCCESSFUL" and 1 <= task["number_of_strips"] <= 4
        assert task["order_item_id"].startswith("FF0") and task["order_item_id"].count("_") == 5
        assert done["images"] == [{"item_id": task["order_item_id"], "geometry": done["images"][0]["geometry"]}]
    else:
        assert task["status"] == "FAILED" and done["images"] == [] and task["delivery_status"] == "NOT_APPLICABLE"

    sandbox.advance(days=60)  # final statuses never move again
    assert item_of(pixxel, item["id"]) == done


def test_recurring_tasks_are_placed_one_by_one(sandbox, pixxel):
    (item,) = place(pixxel, tasking(sandbox, recurrence="MONTHLY", no_of_occurrences=3, cloud_cover=5,
                                    off_nadir=5, end_date=None))["order_items"]
    assert item["feasibility_status"] == "FAILED"  # tight limits: failures are likely but not certain
    sandbox.advance(days=5.1)
    now = item_of(pixxel, item["id"])
    assert now["status"] == "ACTIVE"
    assert [t["status"] for t in now["tasks"]] == ["SUBMITTED", "DRAFT", "DRAFT"]
    sandbox.advance(days=33)  # day 38: the first month (day 10 to ~40) runs, the second was placed ~5 days before
    now = item_of(pixxel, item["id"])
    assert [t["status"] for t in now["tasks"]][1:] == ["SUBMITTED", "DRAFT"]
    assert now["tasks"][0]["status"] == "IN_PROGRESS"
    # Recurring tasking is transacted per task (docs): own transaction ids, a third of the tokens each,
    # in whole tokens that add up to the item's.
    first, second = now["tasks"][0], now["tasks"][1]
    assert first["transaction_id"] and first["transaction_id"] != second["transaction_id"]
    assert isinstance(second["tokens_used"], int) and abs(second["tokens_used"] - now["tokens_used"] / 3) < 1
    sandbox.advance(days=100)
    done = item_of(pixxel, item["id"])
    assert all(t["status"] in ("FULFILLED", "FAILED") for t in done["tasks"])
    assert done["status"] == expected_final(done)
    assert sum(t["tokens_used"] for t in done["tasks"]) == done["tokens_used"]


def test_short_lead_is_placed_on_the_next_request(sandbox, pixxel):
    (item,) = place(pixxel, tasking(sandbox, start_date=z(sandbox, 2), end_date=z(sandbox, 4)))["order_items"]
    assert item["status"] == "DRAFT"  # the create response, like the docs' example
    now = item_of(pixxel, item["id"])
    assert now["status"] == "ACTIVE" and now["tasks"][0]["status"] == "SUBMITTED"


def test_item_outcome_rules():
    def settle(*statuses: str) -> str:
        item = {"tasks": [{"status": s} for s in statuses], "status": "ACTIVE"}
        px.settle_item(item)
        return item["status"]

    # official clerk.OrderItemStatus: FULFILLED and PARTIALLY_FULFILLED (COMPLETED on older pages)
    assert settle("FULFILLED", "FULFILLED") == "FULFILLED"
    assert settle("FULFILLED", "FAILED") == "PARTIALLY_FULFILLED"
    assert settle("FAILED") == "FAILED"
    assert settle("FULFILLED", "SUBMITTED") == "ACTIVE"  # not done until every task is


def test_refused_transitions_there_is_no_cancel_or_edit(sandbox, pixxel):
    order = place(pixxel, tasking(sandbox))
    item_id = order["order_items"][0]["id"]
    for method, path in (("DELETE", f"/orders/{order['id']}"), ("PUT", f"/orders/{order['id']}"),
                         ("PATCH", f"/order-items/{item_id}"), ("DELETE", f"/order-items/{item_id}")):
        response = pixxel.request(method, path, json={})
        assert response.status_code == 405, (method, path)
        assert set(response.json()["error"]) >= {"code", "message"}
    assert pixxel.post(f"/orders/{order['id']}/cancel").status_code in (404, 405)
    # A start inside 24 h of placement is refused; so is one in the past, on the sandbox clock.
    sandbox.advance(days=30)
    assert refused(pixxel, tasking(sandbox, start_date=z(sandbox, -1), end_date=z(sandbox, 3))) == [
        "order_items[0].start_date"]


# ---------------------------------------------------------------------------------------------
# archive
# ---------------------------------------------------------------------------------------------

BBOX = [77.5, 12.9, 77.6, 13.0]


def test_archive_search_is_stac_and_deterministic(pixxel):
    first = pixxel.post("/archives/search", json={"bbox": BBOX, "limit": 5})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["type"] == "FeatureCollection" and body["context"]["returned"] == 5
    assert body["context"]["matched"] > 20 and body["context"]["limit"] == 5
    assert pixxel.post("/archives/search", json={"bbox": BBOX, "limit": 5}).json() == body
    feature = body["features"][0]
    assert feature["type"] == "Feature" and feature["id"].split("_")[3] == "L2A"
    assert feature["stac_version"] == "1.0.0" and feature["collection"] in ("pixxel-td", "pixxel-ff")
    assert {"self", "parent", "collection", "root"} <= {link["rel"] for link in feature["links"]}
    assert all(link["href"].startswith("http") for link in feature["links"]) and feature["assets"]
    assert {"datetime", "eo:cloud_cover", "view:off_nadir", "gsd", "platform"} <= set(feature["properties"])
    # the official cosmos.Item types bbox as strings
    assert [float(v) for v in feature["bbox"]] == pytest.approx(list(shape(feature["geometry"]).bounds))
    times = [f["properties"]["datetime"] for f in body["features"]]
    assert times == sorted(times, reverse=True)
    # offset pages do not overlap and follow on
    page2 = pixxel.post("/archives/search", json={"bbox": BBOX, "limit": 5, "offset": 5}).json()
    both = pixxel.post("/archives/search", json={"bbox": BBOX, "limit": 10}).json()
    assert [f["id"] for f in body["features"] + page2["features"]] == [f["id"] for f in both["features"]]
    # intersects and datetime narrow the search
    window = pixxel.post("/archives/search", json={
        "intersects": {"type": "Polygon", "coordinates": [BANGALORE]},
        "datetime": "2024-01-01T00:00:00Z/2024-06-30T23:59:59Z", "limit": 100}).json()
    assert 0 < window["context"]["matched"] < body["context"]["matched"]
    assert all("2024-01-01" <= f["properties"]["datetime"] <= "2024-07" for f in window["features"])
    for bad in ({"bbox": [1, 2, 3]}, {"bbox": BBOX, "datetime": "soon/later"}, {"bbox": BBOX, "limit": 0},
                {"bbox": [-180, -90, 180, 90]}, {}, {"bbox": BBOX, "collections": ["nope"]},
                {"bbox": BBOX, "query": {"eo:cloud_cover": {"about": 3}}}):
        response = pixxel.post("/archives/search", json=bad)
        assert response.status_code == 400 and response.json()["error"]["code"] == "VALIDATION_ERROR", bad


def test_archive_items_priced_per_scene_and_fulfilled(sandbox, pixxel):
    scenes = pixxel.post("/archives/search", json={"bbox": BBOX, "limit": 2}).json()["features"]
    ids = [s["id"] for s in scenes]
    (item,) = place(pixxel, {"name": "archive", "geometry": fc(BANGALORE), "item_ids": ids, "project_id": "p",
                             "usecase": "mapping", "delivery_speed": "EXPEDITED"})["order_items"]
    assert item["type"] == "ARCHIVE" and [i["item_id"] for i in item["images"]] == ids
    tasks = item_of(pixxel, item["id"])["tasks"]
    assert [t["order_item_id"] for t in tasks] == ids and {t["type"] for t in tasks} == {"ARCHIVE"}
    # Each scene's part of the AOI is billed with the 100 km² minimum at the archive rate (VNIR 10 / 2).
    assert item["base_amount"] >= 2 * 100 * 5
    assert [u["item_id"] for u in item["uplifts"]] == ids and {u["percentage"] for u in item["uplifts"]} == {20}
    assert item["final_amount"] == pytest.approx(item["base_amount"] * 1.2)
    assert item_of(pixxel, item["id"])["status"] == "ACTIVE"
    sandbox.advance(days=1.1)
    done = item_of(pixxel, item["id"])
    assert done["status"] == "FULFILLED"
    assert all(t["status"] == "FULFILLED" and t["delivery_status"] == "SUCCESSFUL" for t in done["tasks"])
    base = {"name": "x", "project_id": "p", "usecase": "mapping", "geometry": fc(BANGALORE)}
    assert refused(pixxel, {**base, "item_ids": ["TD1_006800_20230528_L2A_20230615_03001067"]}) == [
        "order_items[0].item_ids[0]"]
    assert refused(pixxel, {**base, "item_ids": ids, "geometry": fc([[x + 3, y] for x, y in BANGALORE])}) == [
        "order_items[0].item_ids[0]", "order_items[0].item_ids[1]"]
    assert refused(pixxel, {"name": "x", "project_id": "p", "usecase": "mapping", "item_ids": ids}) == [
        "order_items[0].geometry"]  # official: geometry is required for archive items too
