"""Geopera v1 sandbox over HTTP: tasking and archive life cycles on the clock, credits, idempotency, listing."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .geopera_helpers import (
    LARGE,
    SMALL,
    Geopera,
    assert_422,
    assert_problem,
    assert_schema,
    fc,
    geopera_client,  # noqa: F401 - the geopera fixture
    square,
)


def status(geopera: Geopera, order_id: str) -> tuple[str, str | None]:
    order = geopera.order(order_id)
    return order["status"], order["subStatus"]


def pending(geopera: Geopera, **filters: str) -> list[dict]:
    return geopera.ok("orders.tasking.decisions.pending", filters)["content"]


def test_tasking_life_cycle_with_feasibility_study(geopera: Geopera, sandbox):
    credits_before = geopera.balance()
    order_id = geopera.place_tasking(LARGE, params={"maxOffNadir": 20})
    assert status(geopera, order_id) == ("CREATED", None)
    assert geopera.ok("orders.tasking.feasibility_studies.list", {"orderId": order_id})["totalElements"] == 0
    assert pending(geopera) == []

    sandbox.advance(hours=1)
    assert status(geopera, order_id) == ("BEING_PLACED", "FEASIBILITY_WAITING_UPLOAD")
    sandbox.advance(hours=6)
    assert status(geopera, order_id) == ("BEING_PLACED", "FEASIBILITY_WAITING_RESPONSE")
    studies = geopera.ok("orders.tasking.feasibility_studies.list", {"orderId": order_id, "decision": "NOT_DECIDED"})
    assert studies["totalElements"] == 1
    (study,) = studies["content"]
    assert study["orderId"] == order_id and study["workspaceId"] == "ws-1" and len(study["options"]) == 2
    assert {"id", "description", "startDate", "endDate", "totalAud", "credits"} <= set(study["options"][0])
    assert [(row["kind"], row["id"]) for row in pending(geopera)] == [("FEASIBILITY", study["id"])]
    assert pending(geopera, kinds="QUOTATION") == []

    # Refused decisions: an unknown option is a 422, another org's study a 404.
    assert_422(geopera.post("orders.tasking.feasibility_decide", {"study_id": study["id"], "acceptedOptionId": "nope"}),
               ["body", "acceptedOptionId"])
    acme = Geopera(sandbox, "gpra_sandbox_key.acme")
    assert_problem(acme.post("orders.tasking.feasibility_decide",
                             {"study_id": study["id"], "acceptedOptionId": study["options"][1]["id"]}), 404)
    acme.close()

    option = study["options"][1]  # the extended, cheaper window
    decided = geopera.ok("orders.tasking.feasibility_decide", {"study_id": study["id"], "acceptedOptionId": option["id"]},
                         form="resource", headers={"Idempotency-Key": str(uuid.uuid4())})
    assert decided["decision"] == "ACCEPTED" and decided["acceptedOptionId"] == option["id"]
    assert status(geopera, order_id) == ("BEING_PLACED", "QUOTATION_WAITING_UPLOAD")
    assert_problem(geopera.post("orders.tasking.feasibility_decide",
                                {"study_id": study["id"], "acceptedOptionId": option["id"]}), 409)
    assert pending(geopera) == []

    sandbox.advance(hours=7)
    assert status(geopera, order_id) == ("BEING_PLACED", "QUOTATION_WAITING_RESPONSE")
    (quotation,) = geopera.ok("orders.tasking.quotations.list", {"orderId": order_id})["content"]
    assert quotation["decision"] == "NOT_DECIDED"
    assert (quotation["totalAud"], quotation["credits"]) == (option["totalAud"], option["credits"])
    assert [(row["kind"], row["id"]) for row in pending(geopera, kinds="quotation,feasibility")] == [("QUOTATION", quotation["id"])]
    assert geopera.balance() == credits_before  # nothing is debited before acceptance

    accepted = geopera.ok("orders.tasking.quotation_decide", {"quotation_id": quotation["id"], "decision": "ACCEPTED"})
    assert accepted["decision"] == "ACCEPTED"
    assert geopera.balance() == credits_before - option["credits"]
    order = geopera.order(order_id)
    assert (order["status"], order["subStatus"], order["reservedCredits"]) == ("PLACED", "QUOTATION_ACCEPTED", option["credits"])
    for decision in ("ACCEPTED", "REJECTED"):
        assert_problem(geopera.post("orders.tasking.quotation_decide", {"quotation_id": quotation["id"], "decision": decision}), 409)

    sandbox.advance(days=3)  # the window starts 3 days after placement
    assert status(geopera, order_id) == ("BEING_FULFILLED", "QUOTATION_ACCEPTED")
    coverage = geopera.ok("orders.coverage.get", {"order_id": order_id})
    assert 0 < coverage["coveredKm2"] < coverage["requestedKm2"]
    assert geopera.ok("orders.list_assets", {"order_id": order_id})["features"] == []
    assert_problem(geopera.post("orders.cancel", {"order_id": order_id}), 409)  # fulfilment has started

    sandbox.advance(days=30)  # past the extended window's end
    assert status(geopera, order_id) == ("FULFILLED", "QUOTATION_ACCEPTED")
    assets = geopera.ok("orders.list_assets", {"order_id": order_id})
    (item,) = assets["features"]
    assert item["stac_version"] == "1.0.0" and item["properties"]["orderId"] == order_id and "data" in item["assets"]
    coverage = geopera.ok("orders.coverage.get", {"order_id": order_id})
    assert coverage["coveredKm2"] == coverage["requestedKm2"] and coverage["remainderKm2"] == 0
    assert_problem(geopera.post("orders.cancel", {"order_id": order_id}), 409)


def test_small_aoi_goes_straight_to_a_quotation_and_rejection_fails_the_order(geopera: Geopera, sandbox):
    order_id = geopera.place_tasking(SMALL)
    sandbox.advance(hours=1)
    assert status(geopera, order_id) == ("BEING_PLACED", "QUOTATION_WAITING_UPLOAD")
    sandbox.advance(hours=6)
    assert status(geopera, order_id) == ("BEING_PLACED", "QUOTATION_WAITING_RESPONSE")
    assert geopera.ok("orders.tasking.feasibility_studies.list", {"orderId": order_id})["content"] == []
    (quotation,) = geopera.ok("orders.tasking.quotations.list", {"orderId": order_id})["content"]
    assert quotation["totalAud"] == geopera.order(order_id)["totalAud"]
    rejected = geopera.ok("orders.tasking.quotation_decide", {"quotation_id": quotation["id"], "decision": "REJECTED"},
                          form="resource")
    assert rejected["decision"] == "REJECTED"
    assert status(geopera, order_id) == ("FAILED_PERMANENTLY", "QUOTATION_REJECTED")
    assert_problem(geopera.post("orders.tasking.quotation_decide", {"quotation_id": quotation["id"], "decision": "ACCEPTED"}), 409)
    assert_problem(geopera.post("orders.cancel", {"order_id": order_id}), 409)  # already final


def test_quotation_expires_after_seven_days_410(geopera: Geopera, sandbox):
    order_id = geopera.place_tasking(SMALL)
    sandbox.advance(hours=7)
    (quotation,) = geopera.ok("orders.tasking.quotations.list", {"orderId": order_id})["content"]
    sandbox.advance(days=7, hours=1)
    assert_problem(geopera.post("orders.tasking.quotation_decide", {"quotation_id": quotation["id"], "decision": "ACCEPTED"}), 410)
    assert status(geopera, order_id) == ("FAILED_PERMANENTLY", "QUOTATION_EXPIRED")
    assert pending(geopera) == []
    assert geopera.ok("orders.tasking.quotations.list", {"decision": "EXPIRED"})["totalElements"] == 1


def test_accepting_without_enough_credits_is_402_and_changes_nothing(geopera: Geopera, sandbox):
    order_id = geopera.place_tasking(SMALL)
    sandbox.advance(hours=7)
    (quotation,) = geopera.ok("orders.tasking.quotations.list", {"orderId": order_id})["content"]
    geopera.set_balance(quotation["credits"] - 1)
    body = {"quotation_id": quotation["id"], "decision": "ACCEPTED"}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert_problem(geopera.post("orders.tasking.quotation_decide", body, headers=key), 402)
    assert geopera.balance() == quotation["credits"] - 1
    assert status(geopera, order_id) == ("BEING_PLACED", "QUOTATION_WAITING_RESPONSE")
    geopera.set_balance(quotation["credits"])
    # A failed spend stores nothing under its key, so the same key may be retried once credits arrive.
    assert geopera.ok("orders.tasking.quotation_decide", body, headers=key)["decision"] == "ACCEPTED"
    assert geopera.balance() == 0


def test_cancel_before_the_study_voids_it(geopera: Geopera, sandbox):
    order_id = geopera.place_tasking(LARGE)
    cancelled = geopera.ok("orders.cancel", {"order_id": order_id})
    assert_schema(cancelled, "OrderCancelOutput")
    assert cancelled == {"orderId": order_id, "status": "FAILED_PERMANENTLY", "subStatus": "CANCELLED",
                         "refundedAud": 0.0, "refundedCredits": 0}
    sandbox.advance(hours=8)
    assert status(geopera, order_id) == ("FAILED_PERMANENTLY", "CANCELLED")
    assert pending(geopera) == []


def test_archive_flow_reserves_fulfils_and_cancel_refunds(geopera: Geopera, sandbox):
    start = geopera.balance()
    captures = [{"id": "CAP-1", "geometry": SMALL}, {"id": "CAP-2", "geometry": square(11, 45, 0.1)}]
    estimate = geopera.ok("orders.archive.estimate", {"captures": captures})
    order_id = geopera.place_archive(*captures)
    order = geopera.order(order_id)
    assert (order["type"], order["status"], order["dataProductId"]) == ("ARCHIVE", "PLACED", "archive")
    assert order["totalAud"] == estimate["total_aud"] and order["reservedCredits"] == estimate["total_credits"]
    assert geopera.balance() == start - estimate["total_credits"]

    cancelled = geopera.ok("orders.cancel", {"order_id": order_id}, form="resource")
    assert_schema(cancelled, "OrderCancelOutput")
    assert (cancelled["refundedCredits"], cancelled["refundedAud"]) == (estimate["total_credits"], estimate["total_aud"])
    assert geopera.balance() == start
    assert_problem(geopera.post("orders.cancel", {"order_id": order_id}), 409)  # cancelled twice
    assert geopera.balance() == start

    second = geopera.place_archive(*captures)
    sandbox.advance(hours=2)
    assert status(geopera, second) == ("BEING_FULFILLED", None)
    assert_problem(geopera.post("orders.cancel", {"order_id": second}), 409)
    assert geopera.ok("orders.list_assets", {"order_id": second})["features"] == []
    sandbox.advance(days=1)
    assert status(geopera, second) == ("FULFILLED", None)
    assets = geopera.ok("orders.list_assets", {"order_id": second})
    assert [f["id"] for f in assets["features"]] == ["CAP-1", "CAP-2"]
    assert geopera.balance() == start - estimate["total_credits"]

    geopera.set_balance(estimate["total_credits"] - 1)
    response = geopera.post("orders.archive.place", {"captures": captures}, headers={"Idempotency-Key": "k-402"})
    assert_problem(response, 402)


# -- idempotency --------------------------------------------------------------------------------


def test_idempotent_place_replays_byte_for_byte_on_its_own_path_form(geopera: Geopera, sandbox):
    body = {"sensor": "pneo-30cm", "featureCollection": fc(SMALL), "displayName": "idem", "workspaceId": "ws"}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = geopera.post("orders.tasking.place", body, headers=key)
    assert first.status_code == 202
    again = geopera.post("orders.tasking.place", body, headers=key)
    assert (again.status_code, again.content) == (202, first.content)
    reordered = geopera.http.post("/v1/op/orders.tasking.place", headers={**key, "content-type": "application/json"},
                                  content=json.dumps(dict(reversed(list(body.items()))), indent=2))
    assert (reordered.status_code, reordered.content) == (202, first.content)  # same JSON value, other key order
    assert_problem(geopera.post("orders.tasking.place", {**body, "displayName": "other"}, headers=key), 409)
    assert geopera.ok("orders.list", {"displayName": "idem"})["totalElements"] == 1
    # Keys are claimed per (org, path, key) (docs.geopera.com idempotency, api-notes §5): through the
    # other path form the same key is a new claim, so it places a second order; the first path replays.
    other_form = geopera.post("orders.tasking.place", body, form="resource", headers=key)
    assert other_form.status_code == 202 and other_form.content != first.content
    assert geopera.post("orders.tasking.place", body, form="resource", headers=key).content == other_form.content
    assert geopera.post("orders.tasking.place", body, headers=key).content == first.content
    assert geopera.ok("orders.list", {"displayName": "idem"})["totalElements"] == 2
    # Keys are bound per organisation: another org's identical call is its own order.
    acme = Geopera(sandbox, "gpra_sandbox_key.acme")
    assert acme.post("orders.tasking.place", body, headers=key).content != first.content
    acme.close()

    sandbox.advance(hours=23)
    assert geopera.post("orders.tasking.place", body, headers=key).content == first.content
    sandbox.advance(hours=2)  # 25 h: the key has expired, so the call is a new order
    fresh = geopera.post("orders.tasking.place", body, headers=key)
    assert fresh.status_code == 202 and fresh.content != first.content
    assert geopera.ok("orders.list", {"displayName": "idem"})["totalElements"] == 3


@pytest.mark.parametrize("operation", ["orders.place", "orders.cancel", "orders.tasking.quotation_decide",
                                       "orders.tasking.feasibility_decide"])
def test_every_spend_operation_honours_the_key(geopera: Geopera, sandbox, operation: str):
    order_id = geopera.place_tasking(SMALL)
    studied = geopera.place_tasking(LARGE)
    sandbox.advance(hours=7)
    (quotation,) = geopera.ok("orders.tasking.quotations.list", {"orderId": order_id})["content"]
    (study,) = geopera.ok("orders.tasking.feasibility_studies.list", {"orderId": studied})["content"]
    body = {
        "orders.place": {"workspaceId": "ws", "dataProduct": "pneo-30cm", "featureCollection": fc(SMALL)},
        "orders.cancel": {"order_id": order_id},
        "orders.tasking.quotation_decide": {"quotation_id": quotation["id"], "decision": "ACCEPTED"},
        "orders.tasking.feasibility_decide": {"study_id": study["id"], "acceptedOptionId": study["options"][0]["id"]},
    }[operation]
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = geopera.post(operation, body, headers=key)
    assert first.status_code == 200, first.text
    assert geopera.post(operation, body, headers=key).content == first.content  # replayed, not a 409
    # The other path form is another (org, path, key) claim: it runs again instead of replaying.
    other_form = geopera.post(operation, body, form="resource", headers=key)
    assert other_form.status_code in (200, 409) and other_form.content != first.content
    assert geopera.post(operation, body).status_code in (200, 409)  # without a key: executed again


def test_concurrent_identical_placements_with_one_key_create_one_order(geopera: Geopera, sandbox):
    body = {"captures": [{"id": "CAP-1", "geometry": SMALL}], "displayName": "race", "workspaceId": "ws"}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    start = geopera.balance()

    def place(form: str) -> httpx.Response:
        with httpx.Client(base_url=sandbox.url, headers={"Authorization": "Bearer gpra_sandbox_key"}) as client:
            return client.post(Geopera.path("orders.archive.place", form), json=body, headers=key)

    forms = ["op", "resource"] * 8
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(place, forms))
    assert {r.status_code for r in responses} == {202}
    # One order per (org, path, key) claim: the two path forms are two claims, each run exactly once.
    by_form = {form: {r.content for r, f in zip(responses, forms) if f == form} for form in ("op", "resource")}
    assert [len(contents) for contents in by_form.values()] == [1, 1] and by_form["op"] != by_form["resource"]
    assert geopera.ok("orders.list", {"displayName": "race"})["totalElements"] == 2
    orders = [geopera.order(json.loads(next(iter(c)))["results"][0]["id"]) for c in by_form.values()]
    assert geopera.balance() == start - sum(order["credits"] for order in orders)  # debited once per claim


# -- listing ------------------------------------------------------------------------------------


def test_list_filters_sort_and_pagination_walk(geopera: Geopera, sandbox):
    ids = [geopera.place_tasking(SMALL, displayName=f"Field {i}", tags=[f"t{i % 3}", "all"],
                                 sensor=("pneo-30cm" if i % 2 else "spot-1.5m")) for i in range(7)]
    archive = geopera.place_archive(displayName="Archive field", tags=["all"])
    sandbox.seed("geopera", 40)
    total = 48
    seen: list[str] = []
    page = 0
    while True:
        body = geopera.ok("orders.list", {"page": page, "size": 5}, form="resource" if page % 2 else "op")
        assert (body["totalElements"], body["totalPages"], body["number"], body["size"]) == (total, 10, page, 5)
        seen += [row["id"] for row in body["content"]]
        if page == body["totalPages"] - 1:
            assert len(body["content"]) == 3
            break
        page += 1
    assert len(seen) == len(set(seen)) == total
    created = [geopera.order(i)["createdAt"] for i in seen[:8]]
    assert created == sorted(created, reverse=True)  # createdAt,desc by default: our orders come first
    ascending = geopera.ok("orders.list", {"sort": "createdAt,asc", "size": 100})["content"]
    assert [row["id"] for row in ascending] == seen[::-1]
    assert geopera.ok("orders.list", {"page": 10, "size": 5})["content"] == []

    def listed(**filters: object) -> list[str]:
        return [row["id"] for row in geopera.ok("orders.list", {"size": 100, **filters})["content"]]

    assert listed(type="ARCHIVE", tags="all") == [archive]
    assert set(listed(tags="t1")) == {ids[1], ids[4]}
    assert set(listed(tags="t1,all")) == {ids[1], ids[4]}  # every listed tag must be held
    assert set(listed(displayName="field 1")) == {ids[1]}  # contains, case-insensitive
    assert set(listed(dataProductIds="spot-1.5m", tags="all")) == set(ids[0::2])
    assert set(listed(orderIds=f"{ids[0]},{archive}")) == {ids[0], archive}
    assert set(listed(status="CREATED")) == set(ids)
    assert len(listed(status="FULFILLED,FAILED_PERMANENTLY")) == 40
    assert set(listed(workspaceId="ws-1")) == {*ids, archive}
    sandbox.advance(hours=1)
    assert set(listed(subStatus="QUOTATION_WAITING_UPLOAD")) == set(ids)


def test_seed_is_fast_and_listable(geopera: Geopera, sandbox):
    result = sandbox.seed("geopera", 20_000)
    assert result["inserted"] == 20_000
    body = geopera.ok("orders.list", {"size": 50, "page": 3, "type": "ARCHIVE"})
    assert body["totalElements"] == 5000 and len(body["content"]) == 50
    assert all(row["status"] in ("FULFILLED", "FAILED_PERMANENTLY") for row in body["content"])
    for order_type in ("ARCHIVE", "TASKING"):  # seeded history is as readable as placed orders
        row = geopera.ok("orders.list", {"size": 1, "type": order_type, "status": "FULFILLED"})["content"][0]
        assert len(geopera.ok("orders.list_assets", {"order_id": row["id"]})["features"]) == 1
    tasking = geopera.ok("orders.list", {"size": 1, "type": "TASKING", "status": "FULFILLED"})["content"][0]
    assert geopera.ok("orders.coverage.get", {"order_id": tasking["id"]})["coveredPercent"] == 100
