"""Planet 2.0.0 reference items over real HTTP: captures, products, list filters, the extra statuses,
replaced-orders pricing, 403 outside the key's contract, rate limits (api-notes §5)."""

from __future__ import annotations

import json

import httpx
import pytest

from pixorder.sandbox.planet import outcome

from .helpers import assured_window, create_order, future


def _client(sandbox, key: str) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url + "/tasking/v2", headers={"Authorization": f"api-key {key}"})


def _order_with_outcome(sandbox, planet: httpx.Client, wanted: str, **fields) -> dict:
    while True:
        order = create_order(planet, start_time=future(sandbox, 2), end_time=future(sandbox, 12), **fields)
        if outcome(order["id"]) == wanted:
            return order
        assert planet.delete(f"/orders/{order['id']}/").status_code == 204


# -- captures ---------------------------------------------------------------------------------------


def test_captures_follow_the_life_cycle_and_fulfilling_filter(sandbox, planet: httpx.Client) -> None:
    good = _order_with_outcome(sandbox, planet, "FULFILLED", name="good")
    bad = _order_with_outcome(sandbox, planet, "EXPIRED", name="bad")
    listing = lambda **params: planet.get("/captures/", params=params).json()  # noqa: E731
    assert listing(order_id=good["id"])["count"] == 0  # nothing scheduled before the order starts
    sandbox.advance(days=2.1)
    scheduled = listing(order_id=good["id"])["results"]
    assert [c["status"] for c in scheduled] == ["SCHEDULED"] and scheduled[0]["fulfilling"] is False
    assert scheduled[0]["planned_acquisition_time"] == planet.get(f"/orders/{good['id']}/").json()[
        "next_planned_acquisition_time"]
    sandbox.advance(days=4)  # acquired: the order is FINALIZING, its capture PROCESSING
    assert planet.get(f"/orders/{good['id']}/").json()["status"] == "FINALIZING"
    assert listing(order_id=good["id"])["results"][0]["status"] == "PROCESSING"
    sandbox.advance(days=7)
    fulfilling = listing(order_id=good["id"], fulfilling="true")
    assert fulfilling["count"] == 1
    capture = fulfilling["results"][0]
    assert (capture["status"], capture["assessment"], capture["order_id"]) == ("PUBLISHED", "SUCCESS", good["id"])
    assert capture["acquired_time"] and capture["published_time"] and capture["item_ids"]
    assert capture["captured_area"] == good["geometry"]
    assert planet.get(f"/captures/{capture['id']}/").json() == capture
    assert planet.get(f"/captures/{capture['id']}").json() == capture
    assert listing(order_id=bad["id"], fulfilling="true")["count"] == 0
    invalid = listing(order_id=bad["id"], fulfilling="false")["results"]
    assert [(c["status"], c["assessment"]) for c in invalid] == [("PUBLISHED", "INVALID")]
    assert listing(fulfilling="true")["count"] == 1 and listing()["count"] == 2
    assert planet.get("/captures/", params={"fulfilling": "maybe"}).status_code == 400
    assert planet.get("/captures/00000000-0000-4000-8000-000000000000/").status_code == 404
    other = _client(sandbox, sandbox.keys["planet"] + ".acme")
    assert other.get("/captures/").json()["count"] == 0
    assert other.get(f"/captures/{capture['id']}/").status_code == 404


def test_failed_orders_have_a_failed_capture(sandbox, planet: httpx.Client) -> None:
    order = _order_with_outcome(sandbox, planet, "FAILED")
    sandbox.advance(days=13)
    assert planet.get(f"/orders/{order['id']}/").json()["status"] == "FAILED"
    capture = planet.get("/captures/", params={"order_id": order["id"]}).json()["results"][0]
    assert capture["status"] == "FAILED" and capture["status_description"] and capture["fulfilling"] is False


# -- products and the key's contract --------------------------------------------------------------------


def test_products_of_the_key_and_a_key_without_assured(sandbox, planet: httpx.Client) -> None:
    products = planet.get("/products/").json()
    names = [p["product"] for p in products["results"]]
    assert products["count"] == len(names) and "Assured Tasking" in names and "Flexible Tasking" in names
    assert all(p["pl_number"].startswith("PL-") for p in products["results"])
    assert [p["product"] for p in products["results"] if p["is_default"]] == ["Flexible Tasking"]
    limited = _client(sandbox, sandbox.keys["planet"] + "-without-assured_tasking")
    assert "Assured Tasking" not in [p["product"] for p in limited.get("/products/").json()["results"]]
    window = assured_window(sandbox, planet, [10.0, 45.0])
    body = {"name": "a", "geometry": {"type": "Point", "coordinates": [10.0, 45.0]}, "product": "Assured Tasking",
            "imaging_window": window["id"]}
    for path in ("/orders/", "/pricing/"):
        refused = limited.post(path, json=body)
        assert refused.status_code == 403, path
        assert set(refused.json()) == {"detail"} and "Assured Tasking" in refused.json()["detail"]
    search = limited.post("/imaging-windows/search/", json={"geometry": body["geometry"], "product": "Assured Tasking"})
    assert search.status_code == 403
    assert limited.post("/orders/", json={"name": "flexible", "geometry": body["geometry"]}).status_code == 201
    assert planet.post("/orders/", json=body).status_code == 201  # the full key may


def test_unknown_product_stays_a_400(planet: httpx.Client) -> None:
    response = planet.post("/orders/", json={"name": "x", "geometry": {"type": "Point", "coordinates": [1, 1]},
                                             "product": "Free Imagery"})
    assert response.status_code == 400 and "product" in response.json()


def test_a_product_that_is_no_string_is_a_400_not_a_crash(planet: httpx.Client) -> None:
    """Found by the schema fuzz: a JSON object as ``product`` was looked up in the product table (500)."""
    point = {"type": "Point", "coordinates": [1, 1]}
    response = planet.post("/orders/", json={"name": "x", "geometry": point, "product": {"a": 1}})
    assert response.status_code == 400 and "product" in response.json()
    priced = planet.post("/pricing/", json=[{"geometry": point, "product": ["Flexible Tasking"]}, {"geometry": point}])
    assert priced.status_code == 200
    details = priced.json()["pricing_details"]
    assert "product" in details[0]["message"]["error"] and details[1]["estimated_quota_cost"] == 25.0


# -- list filters ---------------------------------------------------------------------------------------


def test_geometry_intersects_filters_by_footprint(sandbox, planet: httpx.Client) -> None:
    alps = create_order(planet, name="alps", geometry={"type": "Point", "coordinates": [10.0, 45.0]})
    create_order(planet, name="andes", geometry={"type": "Point", "coordinates": [-70.0, -30.0]})
    box = {"type": "Polygon", "coordinates": [[[9.9, 44.9], [10.1, 44.9], [10.1, 45.1], [9.9, 45.1], [9.9, 44.9]]]}
    hits = planet.get("/orders/", params={"geometry__intersects": json.dumps(box)}).json()
    assert hits["count"] == 1 and [o["id"] for o in hits["results"]] == [alps["id"]]
    near = {"type": "Point", "coordinates": [10.02, 45.02]}  # inside the 5×5 km square, not the point sent
    assert planet.get("/orders/", params={"geometry__intersects": json.dumps(near)}).json()["count"] == 1
    far = "POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))"
    assert planet.get("/orders/", params={"geometry__intersects": far}).json()["count"] == 0
    both = planet.get("/orders/", params={"geometry__intersects": json.dumps(box), "name": "andes"}).json()
    assert both["count"] == 0  # ANDed with the other filters
    bad = planet.get("/orders/", params={"geometry__intersects": "not a geometry"})
    assert bad.status_code == 400 and "geometry__intersects" in bad.json()


def test_start_time_status_in_and_name_filters(sandbox, planet: httpx.Client) -> None:
    soon = create_order(planet, name="Soon order", start_time=future(sandbox, 1), end_time=future(sandbox, 30))
    late = create_order(planet, name="late ORDER", start_time=future(sandbox, 10), end_time=future(sandbox, 30))
    ids = lambda **params: {o["id"] for o in planet.get("/orders/", params=params).json()["results"]}  # noqa: E731
    middle = future(sandbox, 5)
    assert ids(start_time__gte=middle) == {late["id"]} == ids(start_time__gt=middle)
    assert ids(start_time__lte=middle) == {soon["id"]} == ids(start_time__lt=middle)
    assert ids(start_time__lt=soon["start_time"]) == set() and ids(start_time__lte=soon["start_time"]) == {soon["id"]}
    assert ids(name__icontains="order") == {soon["id"], late["id"]}
    assert ids(status__in="RECEIVED,PENDING") == {soon["id"], late["id"]}
    assert ids(status__in="FAILED,FINALIZING") == set()
    assert ids(created_time__lte=future(sandbox, 0.01), ordering="-start_time") == {soon["id"], late["id"]}
    ordered = [o["id"] for o in planet.get("/orders/", params={"ordering": "-start_time"}).json()["results"]]
    assert ordered == [late["id"], soon["id"]]


# -- statuses --------------------------------------------------------------------------------------------


def test_cancelling_close_to_the_capture_goes_through_pending_cancellation(sandbox, planet: httpx.Client) -> None:
    order = create_order(planet, start_time=future(sandbox, 0.5), end_time=future(sandbox, 2.5))  # acquisition at 1.3 d
    sandbox.advance(days=0.6)
    assert planet.get(f"/orders/{order['id']}/").json()["status"] == "IN_PROGRESS"
    assert planet.delete(f"/orders/{order['id']}/").status_code == 204
    pending = planet.get(f"/orders/{order['id']}/").json()
    assert pending["status"] == "PENDING_CANCELLATION" and pending["is_cancellable"] is False
    assert planet.delete(f"/orders/{order['id']}/").status_code == 400  # already being cancelled
    sandbox.advance(hours=1.1)
    assert planet.get(f"/orders/{order['id']}/").json()["status"] == "CANCELLED"
    capture = planet.get("/captures/", params={"order_id": order["id"]}).json()["results"][0]
    assert capture["status"] == "REMOVED"


# -- replaced orders -------------------------------------------------------------------------------------


def test_a_new_order_on_a_held_window_replaces_orders_and_is_priced_by_them(sandbox, planet: httpx.Client) -> None:
    window = assured_window(sandbox, planet, [10.0, 45.0])
    first = create_order(planet, name="first", product="Assured Tasking", imaging_window=window["id"])
    plain = planet.get(f"/orders/{first['id']}/pricing/").json()
    assert plain["determined_by"] == "pricing_model" and "replaced_orders" not in plain
    body = {"name": "second", "geometry": {"type": "Point", "coordinates": [10.0, 45.0]},
            "product": "Assured Tasking", "imaging_window": window["id"]}
    preview = planet.post("/pricing/", json=body).json()
    assert preview["determined_by"] == "replaced_orders"
    assert preview["replaced_orders"] == [{"order_id": first["id"], "name": "first", "cost": first["estimated_quota_cost"]}]
    second = create_order(planet, **{k: v for k, v in body.items() if k != "geometry"})
    pricing = planet.get(f"/orders/{second['id']}/pricing/").json()
    assert pricing["order_id"] == second["id"] and pricing["determined_by"] == "replaced_orders"
    assert pricing["replaced_orders"] == preview["replaced_orders"]
    assert pricing["estimated_quota_cost"] == second["estimated_quota_cost"] == first["estimated_quota_cost"]
    assert "pricing_model" in pricing  # as in the documented example
    assert planet.get(f"/orders/{first['id']}/").json()["status"] == "CANCELLED"
    other_window = assured_window(sandbox, planet, [20.0, 45.0])
    third = create_order(planet, name="third", product="Assured Tasking", imaging_window=other_window["id"])
    assert planet.get(f"/orders/{third['id']}/pricing/").json()["determined_by"] == "pricing_model"


# -- rate limits ------------------------------------------------------------------------------------------


def test_rate_limits_are_relaxed_by_default_and_documented_when_on(sandbox, planet: httpx.Client) -> None:
    assert all(planet.get("/products/").status_code == 200 for _ in range(45))  # over 40 in a burst: fine
    config = sandbox.rate_limits("planet")
    assert config == {"enabled": True, "per_second": 40, "per_minute": 300}  # the 2.0.0 reference's numbers
    sandbox.reset()
    assert httpx.get(sandbox.url + "/_sandbox/planet/rate-limits").json()["enabled"] is False


def test_burst_limit_answers_429_with_retry_after(sandbox, planet: httpx.Client) -> None:
    sandbox.rate_limits("planet", per_second=3)
    statuses = [planet.get("/products/") for _ in range(4)]
    assert [r.status_code for r in statuses[:3]] == [200, 200, 200]
    throttled = statuses[3]
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "1"
    assert "throttled" in throttled.json()["detail"]
    other = _client(sandbox, sandbox.keys["planet"] + ".acme")  # limits count per key
    assert other.get("/products/").status_code == 200


def test_sustained_limit_answers_429_with_a_longer_retry_after(sandbox, planet: httpx.Client) -> None:
    sandbox.rate_limits("planet", per_minute=5)
    assert [planet.get("/orders/").status_code for _ in range(5)] == [200] * 5
    throttled = planet.post("/orders/", json={"name": "x", "geometry": {"type": "Point", "coordinates": [1, 1]}})
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 50
    sandbox.rate_limits("planet", enabled=False)
    assert planet.get("/orders/").json()["count"] == 0  # the throttled POST created nothing


@pytest.mark.parametrize("body", [{"enabled": "yes"}, {"per_second": 0}])
def test_bad_rate_limit_settings_are_refused(sandbox, body: dict) -> None:
    assert httpx.post(sandbox.url + "/_sandbox/planet/rate-limits", json=body).status_code == 400
