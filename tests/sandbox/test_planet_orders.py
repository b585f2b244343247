"""Planet Tasking v2 orders over real HTTP: create, get, list, edit, cancel, life cycle, auth."""

from __future__ import annotations

import base64
import math

import httpx
import pytest

from pixorder.sandbox.planet import outcome, will_fulfil

from .helpers import create_order, future, planet_example

DOC_CORNERS = planet_example("create-order.response.json")["geometry"]["coordinates"][0]


def _metres_apart(a: list[float], b: list[float]) -> float:
    dy = (a[1] - b[1]) * 111_320
    dx = (a[0] - b[0]) * 111_320 * math.cos(math.radians(a[1]))
    return math.hypot(dx, dy)


def _assert_same_shape(ours: object, doc: object, path: str = "$") -> None:
    """Every field of the doc example exists in ours with the same JSON type (null in the doc: any)."""
    if doc is None:
        return
    if isinstance(doc, dict):
        assert isinstance(ours, dict), path
        for key, value in doc.items():
            assert key in ours, f"{path}.{key} missing"
            _assert_same_shape(ours[key], value, f"{path}.{key}")
    elif isinstance(doc, list):
        assert isinstance(ours, list), path
        if doc and ours:
            _assert_same_shape(ours[0], doc[0], f"{path}[0]")
    elif isinstance(doc, bool):
        assert isinstance(ours, bool), path
    elif isinstance(doc, (int, float)):
        assert isinstance(ours, type(doc)) and not isinstance(ours, bool), f"{path}: {ours!r} vs {doc!r}"
    else:
        assert isinstance(ours, type(doc)), path


# -- creation ------------------------------------------------------------------------------------


def test_doc_example_point_order_matches_documented_response(planet: httpx.Client) -> None:
    response = planet.post("/orders/", json=planet_example("create-order.request.json"))
    assert response.status_code == 201
    order = response.json()
    _assert_same_shape(order, planet_example("create-order.response.json"))
    assert order["status"] == "RECEIVED" and order["name"] == "Order 01"
    assert order["original_geometry"] == {"type": "Point", "coordinates": [149.44135, 28.4924]}
    assert order["requested_sqkm"] == pytest.approx(25.0, abs=0.3)
    corners = order["geometry"]["coordinates"][0]
    assert len(corners) == 5
    for ours, doc in zip(corners, DOC_CORNERS):
        assert _metres_apart(ours, doc) < 50
    assert order["sat_elevation_angle_min"] == 60.0 and order["sat_elevation_angle_max"] == 90.0
    assert order["scheduling_type"] == "FLEXIBLE" and order["order_type"] == "IMAGE"


def test_doc_example_with_product_is_accepted(planet: httpx.Client) -> None:
    order = planet.post("/orders/", json=planet_example("create-order-with-product.request.json")).json()
    assert (order["pl_number"], order["product"]) == ("PL-YourPlNumber", "one_time_tasking")


def test_doc_example_with_its_geometry_typo_is_refused_naming_geometry(planet: httpx.Client) -> None:
    body = planet_example("create-order-with-product.request.json")
    body["geometry"]["type'"] = body["geometry"].pop("type")  # the docs' verbatim typo
    response = planet.post("/orders/", json=body)
    assert response.status_code == 400 and "geometry" in response.json()


def test_doc_example_strip_order_becomes_5km_wide_polygon(planet: httpx.Client) -> None:
    response = planet.post("/orders/", json=planet_example("create-strip-order.request.json"))
    assert response.status_code == 201
    order = response.json()
    assert order["geometry"]["type"] == "Polygon" and order["original_geometry"]["type"] == "LineString"
    assert order["requested_sqkm"] == pytest.approx(20.1 * 5, rel=0.01)  # the line is 20.1 km long


@pytest.mark.parametrize("length_deg, ok", [(0.03, False), (0.1, True), (0.85, True), (1.0, False)])
def test_strip_length_must_be_6_to_100_km(planet: httpx.Client, length_deg: float, ok: bool) -> None:
    line = {"type": "LineString", "coordinates": [[20.0, 0.0], [20.0 + length_deg, 0.0]]}  # 1° ≈ 111 km
    response = planet.post("/orders/", json={"name": "strip", "geometry": line})
    assert (response.status_code == 201) is ok, response.text
    if not ok:
        assert "geometry" in response.json()


def test_polygon_is_kept(planet: httpx.Client) -> None:
    polygon = {"type": "Polygon", "coordinates": [[[10, 45], [10.1, 45], [10.1, 45.1], [10, 45.1], [10, 45]]]}
    order = create_order(planet, geometry=polygon)
    assert order["geometry"] == polygon and order["requested_sqkm"] == pytest.approx(87.5, rel=0.02)


@pytest.mark.parametrize(
    "fields, bad_field",
    [
        ({"name": None}, "name"),
        ({"geometry": None}, "geometry"),
        ({"geometry": {"type": "MultiPoint", "coordinates": [[1, 2]]}}, "geometry"),
        ({"geometry": {"type": "Point", "coordinates": [200, 0]}}, "geometry"),
        ({"sat_elevation_angle_min": 95}, "sat_elevation_angle_min"),
        ({"sat_elevation_angle_min": 80, "sat_elevation_angle_max": 70}, "sat_elevation_angle_min"),
        ({"start_time": "yesterday"}, "start_time"),
        ({"start_time": "2030-01-02T00:00:00Z", "end_time": "2030-01-01T00:00:00Z"}, "end_time"),
        ({"end_time": "2001-01-01T00:00:00Z", "start_time": "2000-01-01T00:00:00Z"}, "end_time"),
        ({"scheduling_type": "SOMETIMES"}, "scheduling_type"),
        ({"product": "Free Imagery"}, "product"),
        ({"pl_number": "12345"}, "pl_number"),
        ({"product": "Assured Tasking"}, "imaging_window"),
        ({"scheduling_type": "MONITORING"}, "rrule"),
        ({"rrule": "FREQ=HOURLY;COUNT=3"}, "rrule"),
    ],
)
def test_invalid_payloads_get_400_naming_the_field(planet: httpx.Client, fields: dict, bad_field: str) -> None:
    body = {"name": "bad", "geometry": {"type": "Point", "coordinates": [10, 45]}, **fields}
    body = {key: value for key, value in body.items() if value is not None}
    response = planet.post("/orders/", json=body)
    assert response.status_code == 400
    assert bad_field in response.json(), response.json()


def test_malformed_json_and_oversized_bodies(planet: httpx.Client) -> None:
    bad = planet.post("/orders/", content=b"{not json", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and "detail" in bad.json()
    huge = planet.post("/orders/", content=b"[" + b"0," * 600_000 + b"0]", headers={"Content-Type": "application/json"})
    assert huge.status_code == 413 and "detail" in huge.json()


# -- auth and lookups -----------------------------------------------------------------------------


def test_auth_missing_wrong_and_basic(sandbox, planet: httpx.Client) -> None:
    url = sandbox.url + "/tasking/v2/orders/"
    missing = httpx.get(url)
    assert missing.status_code == 401 and set(missing.json()) == {"detail"}
    wrong = httpx.get(url, headers={"Authorization": "api-key not-a-key"})
    assert wrong.status_code == 401 and "detail" in wrong.json()
    bearer = httpx.get(url, headers={"Authorization": f"Bearer {sandbox.keys['planet']}"})
    assert bearer.status_code == 401
    token = base64.b64encode(f"{sandbox.keys['planet']}:".encode()).decode()
    assert httpx.get(url, headers={"Authorization": f"Basic {token}"}).status_code == 200
    assert httpx.get(url, auth=(sandbox.keys["planet"], "")).status_code == 200
    assert httpx.post(url, json={}).status_code == 401  # auth is checked before the body


def test_get_with_and_without_trailing_slash_and_404(planet: httpx.Client) -> None:
    order = create_order(planet)
    assert planet.get(f"/orders/{order['id']}/").json() == order
    assert planet.get(f"/orders/{order['id']}").json() == order
    missing = planet.get("/orders/00000000-0000-4000-8000-000000000000/")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found."}
    assert planet.get("/no-such-endpoint/").status_code == 404


def test_other_organisations_orders_are_invisible(sandbox, planet: httpx.Client) -> None:
    order = create_order(planet)
    other = {"Authorization": f"api-key {sandbox.keys['planet']}.acme"}
    with httpx.Client(base_url=sandbox.url + "/tasking/v2", headers=other) as acme:
        assert acme.get(f"/orders/{order['id']}/").status_code == 404
        assert acme.get("/orders/").json()["count"] == 0


# -- listing --------------------------------------------------------------------------------------


def test_list_filters_are_anded(planet: httpx.Client, sandbox) -> None:
    create_order(planet, name="Alpha test one")
    create_order(planet, name="alpha TEST two", product="one_time_tasking")
    create_order(planet, name="Beta")
    listing = planet.get("/orders/", params={"name__icontains": "test"}).json()
    assert listing["count"] == 2 and {o["name"] for o in listing["results"]} == {"Alpha test one", "alpha TEST two"}
    both = planet.get("/orders/", params={"name__icontains": "test", "product": "one_time_tasking"}).json()
    assert [o["name"] for o in both["results"]] == ["alpha TEST two"]
    assert planet.get("/orders/", params={"name": "Beta"}).json()["count"] == 1
    assert planet.get("/orders/", params={"status": "RECEIVED"}).json()["count"] == 3
    assert planet.get("/orders/", params={"status__in": "PENDING,FULFILLED"}).json()["count"] == 0
    assert planet.get("/orders/", params={"created_time__gt": "2021-01-01T23:59:59Z"}).json()["count"] == 3
    assert planet.get("/orders/", params={"created_time__lt": "2021-01-01T23:59:59Z"}).json()["count"] == 0
    later = future(sandbox, 1)
    assert planet.get("/orders/", params={"created_time__lte": later, "end_time__gte": later}).json()["count"] == 3
    bad = planet.get("/orders/", params={"created_time__gt": "not a date"})
    assert bad.status_code == 400 and "created_time__gt" in bad.json()


def test_list_ordering(planet: httpx.Client) -> None:
    for name in ("b", "c", "a"):
        create_order(planet, name=name)
    names = lambda ordering: [o["name"] for o in planet.get("/orders/", params={"ordering": ordering}).json()["results"]]  # noqa: E731
    assert names("name") == ["a", "b", "c"]
    assert names("-name") == ["c", "b", "a"]
    assert names("created_time") == ["b", "c", "a"]
    assert names("-created_time") == ["a", "c", "b"]
    assert names("status,-name") == ["c", "b", "a"]


def test_pagination_walk_visits_every_filtered_row_once(sandbox, planet: httpx.Client) -> None:
    sandbox.seed("planet", 237, statuses=["PENDING", "FULFILLED", "CANCELLED"])
    expected = planet.get("/orders/", params={"status__in": "PENDING,CANCELLED", "limit": 1000}).json()
    assert expected["count"] == 158 and expected["next"] is None
    seen: list[str] = []
    url: str | None = sandbox.url + "/tasking/v2/orders/?status__in=PENDING,CANCELLED&limit=20&ordering=name"
    pages = 0
    while url:
        page = planet.get(url).json()
        assert page["count"] == 158
        seen += [order["id"] for order in page["results"]]
        url, pages = page["next"], pages + 1
    assert pages == 8 and len(seen) == len(set(seen)) == 158
    assert set(seen) == {order["id"] for order in expected["results"]}


def test_pagination_links_are_absolute_and_keep_filters(sandbox, planet: httpx.Client) -> None:
    sandbox.seed("planet", 45)
    first = planet.get("/orders/", params={"limit": 20, "name__icontains": "seed"}).json()
    assert first["previous"] is None and first["next"].startswith(sandbox.url)
    assert "name__icontains=seed" in first["next"] and "offset=20" in first["next"]
    second = planet.get(first["next"]).json()
    assert second["previous"].startswith(sandbox.url) and "offset" not in second["previous"]
    last = planet.get(second["next"]).json()
    assert last["next"] is None and len(last["results"]) == 5
    assert planet.get("/orders/", params={"limit": 5000}).json()["results"].__len__() == 45  # capped at 1000


# -- life cycle -----------------------------------------------------------------------------------


def _status(planet: httpx.Client, order_id: str) -> str:
    return planet.get(f"/orders/{order_id}/").json()["status"]


def test_life_cycle_received_pending_in_progress_then_fulfilled_expired_or_failed(sandbox, planet: httpx.Client) -> None:
    orders = [create_order(planet, start_time=future(sandbox, 2), end_time=future(sandbox, 12)) for _ in range(8)]
    assert {_status(planet, o["id"]) for o in orders} == {"RECEIVED"}
    sandbox.advance(hours=1.01)
    assert {_status(planet, o["id"]) for o in orders} == {"PENDING"}
    sandbox.advance(days=2)
    assert {_status(planet, o["id"]) for o in orders} == {"IN_PROGRESS"}
    sandbox.advance(days=4.05)  # just past 40 % into the 10-day window: the lucky ones are acquired
    for order in orders:
        assert _status(planet, order["id"]) == ("FINALIZING" if will_fulfil(order["id"]) else "IN_PROGRESS")
    sandbox.advance(days=1)  # FINALIZING lasts 6 sandbox hours
    for order in orders:
        assert _status(planet, order["id"]) == ("FULFILLED" if will_fulfil(order["id"]) else "IN_PROGRESS")
    sandbox.advance(days=6)
    for order in orders:
        final = planet.get(f"/orders/{order['id']}/").json()
        assert final["status"] == outcome(order["id"])
        assert final["is_cancellable"] is False
        if final["status"] == "FULFILLED":
            assert final["fulfilled_sqkm"] == final["requested_sqkm"] and final["last_acquired_time"]
        else:
            assert final["fulfilled_sqkm"] == 0.0


def test_each_outcome_occurs() -> None:
    outcomes = {outcome(f"00000000-0000-4000-8000-{i:012d}") for i in range(40)}
    assert outcomes == {"FULFILLED", "EXPIRED", "FAILED"}


@pytest.mark.parametrize(
    "fields",
    [
        {"geometry": {"type": "Polygon", "coordinates": [[[10, 45], [11, 45], [11, 46], [10, 46], [10, 45]]]}},
        {"sat_elevation_angle_min": 88, "sat_elevation_angle_max": 90},
    ],
)
def test_infeasible_orders_are_rejected(sandbox, planet: httpx.Client, fields: dict) -> None:
    order = create_order(planet, **fields)
    sandbox.advance(hours=2)
    assert _status(planet, order["id"]) == "REJECTED"


def test_status_moves_lazily_with_time_as_well_as_on_advance(sandbox, planet: httpx.Client) -> None:
    order = create_order(planet)
    sandbox._call("POST", "/_sandbox/advance", {"hours": 0.5})
    assert _status(planet, order["id"]) == "RECEIVED"
    sandbox.advance(hours=0.6)  # start_time is now, so acceptance moves it straight to IN_PROGRESS
    assert _status(planet, order["id"]) == "IN_PROGRESS"


# -- editing --------------------------------------------------------------------------------------


def _order_in(sandbox, planet: httpx.Client, status: str) -> dict:
    """An order in ``status``, reached through the life cycle (or seeding for REQUESTED)."""
    if status == "REQUESTED":
        sandbox.seed("planet", 1, statuses=["REQUESTED"])
        return planet.get("/orders/").json()["results"][0]
    if status in ("REJECTED",):
        order = create_order(planet, sat_elevation_angle_min=89, start_time=future(sandbox, 3), end_time=future(sandbox, 20))
    else:
        order = create_order(planet, start_time=future(sandbox, 3), end_time=future(sandbox, 20))
    steps = {"RECEIVED": [], "PENDING": [1 / 24 + 0.01], "REJECTED": [0.05], "IN_PROGRESS": [0.05, 3],
             "CANCELLED": [], "FULFILLED": [0.05, 3, 30], "EXPIRED": [0.05, 3, 30], "FAILED": [0.05, 3, 30]}[status]
    if status in ("FULFILLED", "EXPIRED", "FAILED"):
        while outcome(order["id"]) != status:
            order = create_order(planet, start_time=future(sandbox, 3), end_time=future(sandbox, 20))
    for days in steps:
        sandbox.advance(days=days)
    if status == "CANCELLED":
        assert planet.delete(f"/orders/{order['id']}/").status_code == 204
    order = planet.get(f"/orders/{order['id']}/").json()
    assert order["status"] == status
    return order


@pytest.mark.parametrize("status", ["PENDING", "REQUESTED", "IN_PROGRESS"])
def test_edit_name_and_end_time_allowed(sandbox, planet: httpx.Client, status: str) -> None:
    order = _order_in(sandbox, planet, status)
    new_end = future(sandbox, 40)
    response = planet.put(f"/orders/{order['id']}", json={"name": "renamed", "end_time": new_end, "rank": 3})
    assert response.status_code == 200, response.text
    assert response.json() == {"name": "renamed", "rank": 3, "start_time": order["start_time"], "end_time": new_end}
    stored = planet.get(f"/orders/{order['id']}/").json()
    assert (stored["name"], stored["end_time"], stored["rank"]) == ("renamed", new_end, 3)


@pytest.mark.parametrize("status", ["PENDING", "REQUESTED"])
def test_edit_start_time_allowed_before_start(sandbox, planet: httpx.Client, status: str) -> None:
    order = _order_in(sandbox, planet, status)
    new_start = future(sandbox, 10)
    response = planet.put(f"/orders/{order['id']}/", json={"start_time": new_start})
    assert response.status_code == 200
    assert response.json() == {"start_time": new_start, "end_time": order["end_time"]}  # the doc example's shape


def test_edit_response_matches_doc_example_shape(sandbox, planet: httpx.Client) -> None:
    order = _order_in(sandbox, planet, "PENDING")
    response = planet.put(f"/orders/{order['id']}", json={"start_time": future(sandbox, 4)})
    _assert_same_shape(response.json(), planet_example("edit-order.response.json"))
    assert set(response.json()) == set(planet_example("edit-order.response.json"))


def test_edit_start_time_refused_in_progress(sandbox, planet: httpx.Client) -> None:
    order = _order_in(sandbox, planet, "IN_PROGRESS")
    response = planet.put(f"/orders/{order['id']}/", json={"start_time": future(sandbox, 5)})
    assert response.status_code == 400 and "start_time" in response.json()


@pytest.mark.parametrize("status", ["RECEIVED", "FULFILLED", "CANCELLED", "REJECTED", "EXPIRED", "FAILED"])
def test_edit_refused_outside_editable_statuses(sandbox, planet: httpx.Client, status: str) -> None:
    order = _order_in(sandbox, planet, status)
    response = planet.put(f"/orders/{order['id']}/", json={"name": "too late"})
    assert response.status_code == 400
    assert status in response.json()["detail"]


def test_geometry_and_other_fields_are_immutable(sandbox, planet: httpx.Client) -> None:
    order = _order_in(sandbox, planet, "PENDING")
    moved = {"type": "Point", "coordinates": [11.0, 45.0]}
    response = planet.put(f"/orders/{order['id']}/", json={"geometry": moved})
    assert response.status_code == 400 and "geometry" in response.json()
    assert planet.put(f"/orders/{order['id']}/", json={"product": "Express Tasking"}).status_code == 400
    unchanged = planet.put(f"/orders/{order['id']}/", json={**order, "name": "same shape back"})
    assert unchanged.status_code == 200, unchanged.text
    assert planet.put(f"/orders/{order['id']}/", json={"end_time": order["start_time"]}).status_code == 400


# -- cancelling -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["RECEIVED", "PENDING", "REQUESTED", "IN_PROGRESS"])
def test_cancel_allowed(sandbox, planet: httpx.Client, status: str) -> None:
    order = _order_in(sandbox, planet, status)
    response = planet.delete(f"/orders/{order['id']}")
    assert response.status_code == 204 and response.content == b""
    cancelled = planet.get(f"/orders/{order['id']}/").json()
    assert cancelled["status"] == "CANCELLED" and cancelled["is_cancellable"] is False
    sandbox.advance(days=60)
    assert _status(planet, order["id"]) == "CANCELLED"  # final


@pytest.mark.parametrize("status", ["FULFILLED", "CANCELLED", "REJECTED", "EXPIRED", "FAILED"])
def test_cancel_refused_in_final_statuses(sandbox, planet: httpx.Client, status: str) -> None:
    order = _order_in(sandbox, planet, status)
    response = planet.delete(f"/orders/{order['id']}/")
    assert response.status_code == 400 and status in response.json()["detail"]


def test_cancel_unknown_order_is_404(planet: httpx.Client) -> None:
    assert planet.delete("/orders/00000000-0000-4000-8000-000000000000/").status_code == 404
