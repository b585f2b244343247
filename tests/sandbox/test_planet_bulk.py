"""Planet's bulk endpoint over plain HTTP, as Planet's tasking notebook drives it (api-notes §2, bulk guide)."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from .helpers import create_order, future

POINTS = [[149.44 + i * 0.05, 28.49] for i in range(5)]


def _payloads(prefix: str, bad_index: int | None = None) -> list[dict]:
    payloads = [{"name": f"{prefix} {i}", "geometry": {"type": "Point", "coordinates": point}}
                for i, point in enumerate(POINTS)]
    if bad_index is not None:
        payloads[bad_index]["geometry"] = {"type": "Point", "coordinates": [200.0, 28.49]}  # longitude out of range
    return payloads


def _poll(sandbox, planet: httpx.Client, location: str, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = planet.get(sandbox.url + location).json()
        if status["status"] == "COMPLETE" or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def test_notebook_bulk_flow_five_points_one_invalid(sandbox, planet: httpx.Client) -> None:
    bulk_id = str(uuid.uuid4())
    response = planet.post("/bulk/", json={"id": bulk_id, "order_payloads": _payloads("nb", bad_index=2)})
    assert response.status_code == 202
    assert response.content == b""  # no body
    assert response.headers["Location"] == f"/tasking/v2/bulk/{bulk_id}"  # a path, not an absolute URL

    status = _poll(sandbox, planet, response.headers["Location"])
    assert status["id"] == bulk_id and status["status"] == "COMPLETE"
    assert (status["payload_count"], status["processing_payload_count"], status["successful_payload_count"],
            status["failed_payload_count"]) == (5, 0, 4, 1)

    payloads = planet.get(sandbox.url + response.headers["Location"] + "/payloads").json()
    assert payloads["count"] == 5 and [p["index"] for p in payloads["results"]] == [0, 1, 2, 3, 4]
    failed = payloads["results"][2]
    assert failed["status"] == "FAILED" and failed["order_id"] is None
    assert "geometry" in failed["errors"] and "longitude" in failed["message"]
    created = {p["order_id"] for p in payloads["results"] if p["status"] == "SUCCESS"}
    assert len(created) == 4

    listed = planet.get("/orders/", params={"name__icontains": "nb "}).json()
    assert listed["count"] == 4 and {o["id"] for o in listed["results"]} == created
    assert {o["name"] for o in listed["results"]} == {"nb 0", "nb 1", "nb 3", "nb 4"}
    assert all(o["status"] == "RECEIVED" and o["requested_sqkm"] == 25.0 for o in listed["results"])


def test_a_bulk_id_seen_twice_creates_nothing_again(sandbox, planet: httpx.Client) -> None:
    bulk_id = str(uuid.uuid4())
    body = {"id": bulk_id, "order_payloads": _payloads("twice")}
    assert planet.post("/bulk/", json=body).status_code == 202
    again = planet.post("/bulk/", json=body)
    assert again.status_code == 409 and bulk_id in again.json()["detail"]
    assert again.headers["Location"] == f"/tasking/v2/bulk/{bulk_id}"  # where to poll the first one
    assert planet.get("/orders/").json()["count"] == 5
    other = {"Authorization": f"api-key {sandbox.keys['planet']}.acme"}
    assert httpx.post(sandbox.url + "/tasking/v2/bulk/", json=body, headers=other).status_code == 409
    assert httpx.get(sandbox.url + f"/tasking/v2/bulk/{bulk_id}", headers=other).status_code == 404


def test_unknown_bulk_is_404_so_a_lost_post_can_be_checked(planet: httpx.Client) -> None:
    missing = planet.get(f"/bulk/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found."}
    assert planet.get(f"/bulk/{uuid.uuid4()}/payloads").status_code == 404


def test_with_latency_the_bulk_is_seen_pending_or_running_before_complete(sandbox, planet: httpx.Client) -> None:
    sandbox.faults(latency_ms=150, provider="planet")
    try:
        response = planet.post("/bulk/", json={"order_payloads": _payloads("slow")})
        assert response.status_code == 202
        location = sandbox.url + response.headers["Location"]
        seen, payload_statuses = [], set()
        deadline = time.monotonic() + 15
        while not seen or seen[-1] != "COMPLETE":
            status = planet.get(location).json()
            seen.append(status["status"])
            if status["status"] != "COMPLETE":
                assert status["processing_payload_count"] == 5 and status["successful_payload_count"] == 0
                snapshot = frozenset(p["status"] for p in planet.get(location + "/payloads").json()["results"])
                payload_statuses.add(snapshot)
            assert time.monotonic() < deadline, seen
    finally:
        sandbox.faults(rate=0)
    assert {"PENDING", "RUNNING"} & set(seen[:-1]), seen
    order = ["PENDING", "RUNNING", "COMPLETE"]
    assert [order.index(s) for s in seen] == sorted(order.index(s) for s in seen)  # never goes back
    # Each /payloads answer is one consistent snapshot: all waiting, or all done.
    assert payload_statuses <= {frozenset({"PENDING"}), frozenset({"PROCESSING"}), frozenset({"SUCCESS"})}
    assert planet.get(location).json()["successful_payload_count"] == 5


def test_bulk_edit_and_cancel_fail_per_payload(sandbox, planet: httpx.Client) -> None:
    orders = [create_order(planet, name=f"edit {i}", start_time=future(sandbox, 3), end_time=future(sandbox, 30))
              for i in range(3)]
    sandbox.advance(hours=1.1)  # PENDING: editable
    unknown = str(uuid.uuid4())
    edits = [{"id": orders[0]["id"], "name": "edited 0"}, {"id": unknown, "name": "x"},
             {"id": orders[2]["id"], "end_time": future(sandbox, 40)}]
    response = planet.post("/bulk/", json={"edit_payloads": edits})
    assert response.status_code == 202
    status = _poll(sandbox, planet, response.headers["Location"])
    assert status["operation_type"] == "EDIT"
    assert (status["successful_payload_count"], status["failed_payload_count"]) == (2, 1)
    results = planet.get(sandbox.url + response.headers["Location"] + "/payloads").json()["results"]
    assert results[1]["status"] == "FAILED" and results[1]["order_id"] == unknown and results[1]["message"] == "Not found."
    assert planet.get(f"/orders/{orders[0]['id']}/").json()["name"] == "edited 0"

    assert planet.delete(f"/orders/{orders[1]['id']}/").status_code == 204
    response = planet.post("/bulk/", json={"cancel_payloads": [{"id": o["id"]} for o in orders]})
    status = _poll(sandbox, planet, response.headers["Location"])
    assert (status["operation_type"], status["successful_payload_count"], status["failed_payload_count"]) == ("CANCEL", 2, 1)
    results = planet.get(sandbox.url + response.headers["Location"] + "/payloads").json()["results"]
    assert results[1]["status"] == "FAILED" and "CANCELLED" in results[1]["message"]
    assert {planet.get(f"/orders/{o['id']}/").json()["status"] for o in orders} == {"CANCELLED"}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"order_payloads": []}, "order_payloads"),
        ({"order_payloads": [{"name": "x", "geometry": {"type": "Point", "coordinates": [1, 1]}}] * 1001}, "order_payloads"),
        ({"order_payloads": [], "cancel_payloads": []}, "non_field_errors"),
        ({}, "non_field_errors"),
        ({"id": "not-a-uuid", "order_payloads": [{"name": "x", "geometry": {"type": "Point", "coordinates": [1, 1]}}]}, "id"),
    ],
)
def test_malformed_bulk_requests_are_400_and_create_nothing(planet: httpx.Client, body: dict, field: str) -> None:
    response = planet.post("/bulk/", json=body)
    assert response.status_code == 400 and field in response.json(), response.text
    assert planet.get("/orders/").json()["count"] == 0


def test_bulk_payload_outside_the_contract_fails_alone_with_403_reason(sandbox) -> None:
    headers = {"Authorization": f"api-key {sandbox.keys['planet']}-without-express_tasking"}
    with httpx.Client(base_url=sandbox.url + "/tasking/v2", headers=headers) as limited:
        payloads = _payloads("contract")[:2]
        payloads[1]["product"] = "Express Tasking"
        response = limited.post("/bulk/", json={"order_payloads": payloads})
        assert response.status_code == 202
        status = _poll(sandbox, limited, response.headers["Location"])
        assert (status["successful_payload_count"], status["failed_payload_count"]) == (1, 1)
        failed = limited.get(sandbox.url + response.headers["Location"] + "/payloads").json()["results"][1]
        assert "Express Tasking" in failed["message"] and "contract" in failed["message"]


def test_bulk_accepts_basic_auth_with_the_key_and_an_empty_password(sandbox) -> None:
    response = httpx.post(sandbox.url + "/tasking/v2/bulk/", json={"order_payloads": _payloads("basic")[:1]},
                          auth=(sandbox.keys["planet"], ""))
    assert response.status_code == 202
    assert httpx.get(sandbox.url + response.headers["Location"], auth=(sandbox.keys["planet"], "")).json()[
        "successful_payload_count"] == 1
