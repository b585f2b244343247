"""Planet pricing (order pricing, preview, bulk with partial failures) and imaging-window search."""

from __future__ import annotations

import httpx
import pytest

from .helpers import assured_window, create_order, future, planet_example, poll_windows
from .test_planet_orders import _assert_same_shape

TOO_LONG_STRIP = {"type": "LineString", "coordinates": [[20.0, 0.0], [21.5, 0.0]]}  # ~167 km
BIG_POLYGON = {"type": "Polygon", "coordinates": [[[10, 45], [10.1, 45], [10.1, 45.1], [10, 45.1], [10, 45]]]}


def test_order_pricing_matches_doc_shape_and_estimate(planet: httpx.Client) -> None:
    order = create_order(planet)
    for path in (f"/orders/{order['id']}/pricing/", f"/orders/{order['id']}/pricing"):
        pricing = planet.get(path).json()
        _assert_same_shape(pricing, planet_example("order-pricing-model.response.json"))
        assert pricing["order_id"] == order["id"] and pricing["units"] == "SQKM"
        assert pricing["estimated_quota_cost"] == order["estimated_quota_cost"] == 25.0
        assert pricing["pricing_model"]["multipliers"] == [{"name": "imaging_mode", "value": 1.0, "description": "single-image"}]
    assert planet.get("/orders/00000000-0000-4000-8000-000000000000/pricing/").status_code == 404


def test_doc_pricing_preview_example_needs_a_window_then_prices_assured(sandbox, planet: httpx.Client) -> None:
    # The doc's own list of required pricing fields includes "imaging_window: ID of the imaging window
    # (ASSURED orders only)", which its Assured Tasking example leaves out: verbatim it is a 400.
    example = planet_example("pricing-preview.request.json")
    refused = planet.post("/pricing/", json=example)
    assert refused.status_code == 400 and "imaging_window" in refused.json()
    assert "imaging-windows/search" in refused.json()["imaging_window"][0]  # says how to get one
    window = assured_window(sandbox, planet, example["geometry"]["coordinates"])
    response = planet.post("/pricing/", json={**example, "imaging_window": window["id"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "order_id" not in body and body["determined_by"] == "pricing_model"
    tiers = [m for m in body["pricing_model"]["multipliers"] if m["name"] == "tasking_tier"]
    assert tiers and tiers[0]["description"] == "assured"
    assert body["estimated_quota_cost"] == pytest.approx(25.0 * tiers[0]["value"])


def test_doc_bulk_example_matches_documented_response(planet: httpx.Client) -> None:
    response = planet.post("/pricing/", json=planet_example("bulk-pricing.request.json"))
    assert response.status_code == 200
    assert response.json() == planet_example("bulk-pricing.response.json")


def test_bulk_partial_failure_is_excluded_from_total(planet: httpx.Client) -> None:
    payloads = [{"geometry": TOO_LONG_STRIP}, {"geometry": {"type": "Point", "coordinates": [40.7, 64.6]}},
                {"geometry": BIG_POLYGON}, {"name": "no geometry"}]
    body = planet.post("/pricing/", json=payloads).json()
    documented = planet_example("bulk-pricing-partial.response.json")
    _assert_same_shape(body, documented)
    failed, point, polygon, missing = body["pricing_details"]
    _assert_same_shape(failed, documented["pricing_details"][0])
    assert "Failed to calculate order pricing" in failed["message"]["error"] and "100 km" in failed["message"]["error"]
    assert "geometry" in missing["message"]["error"]
    assert point["estimated_quota_cost"] == 25.0
    assert polygon["estimated_quota_cost"] == pytest.approx(87.5, rel=0.02)
    assert body["total_estimated_quota_cost"] == pytest.approx(point["estimated_quota_cost"] + polygon["estimated_quota_cost"])


def test_same_request_same_price(planet: httpx.Client) -> None:
    payloads = [{"geometry": BIG_POLYGON, "order_type": "STEREO", "cloud_threshold": 5, "sat_elevation_angle_min": 80},
                {"geometry": {"type": "Point", "coordinates": [1.5, 2.5]}, "scheduling_type": "EXPRESS"}]
    first = planet.post("/pricing/", json=payloads).json()
    assert all(planet.post("/pricing/", json=payloads).json() == first for _ in range(3))
    names = {m["name"] for m in first["pricing_details"][0]["pricing_model"]["multipliers"]}
    assert names == {"imaging_mode", "cloud_threshold", "elevation_angle"}
    base = first["pricing_details"][0]["pricing_model"]["base_price"]
    assert first["pricing_details"][0]["estimated_quota_cost"] == pytest.approx(base * 2.0 * 1.15 * 1.1, abs=0.001)
    assert first["pricing_details"][1]["estimated_quota_cost"] == pytest.approx(25.0 * 1.2)


def test_monitoring_price_scales_with_occurrences(planet: httpx.Client) -> None:
    body = {"geometry": {"type": "Point", "coordinates": [1.5, 2.5]}, "scheduling_type": "MONITORING", "rrule": "FREQ=WEEKLY;COUNT=4"}
    assert planet.post("/pricing/", json=body).json()["estimated_quota_cost"] == 100.0


def test_single_preview_with_bad_payload_is_400_and_bulk_limit(planet: httpx.Client) -> None:
    bad = planet.post("/pricing/", json={"geometry": TOO_LONG_STRIP})
    assert bad.status_code == 400 and "geometry" in bad.json()
    point = {"geometry": {"type": "Point", "coordinates": [1, 2]}}
    assert planet.post("/pricing/", json=[point] * 100).status_code == 200
    too_many = planet.post("/pricing/", json=[point] * 101)
    assert too_many.status_code == 400 and "100" in too_many.json()["detail"]
    assert planet.post("/pricing/", json=[]).status_code == 400


# -- imaging windows ------------------------------------------------------------------------------


def test_imaging_window_search_poll_and_assured_order(sandbox, planet: httpx.Client) -> None:
    body = {"geometry": {"type": "Point", "coordinates": [40.716725, 64.598217]}, "pl_number": "PL-1163400",
            "product": "Assured Tasking", "start_time": future(sandbox, 0.01), "end_time": future(sandbox, 6)}
    created = planet.post("/imaging-windows/search/", json=body)
    assert created.status_code == 201 and created.json()["status"] == "CREATED"
    location = created.headers["Location"]
    assert location == f"/tasking/v2/imaging-windows/search/{created.json()['id']}/"  # a path, not a URL
    statuses = [planet.get(sandbox.url + location).json()["status"] for _ in range(3)]
    assert statuses == ["IN_PROGRESS", "DONE", "DONE"]
    search = planet.get(sandbox.url + location).json()
    assert len(search["imaging_windows"]) >= 5
    window = search["imaging_windows"][0]
    assert {"id", "start_time", "end_time", "cloud_forecast", "off_nadir_angle_min", "off_nadir_angle_max",
            "satellite_type"} <= set(window)
    assert isinstance(window["cloud_forecast"], list) and 0 <= window["cloud_forecast"][0]["prediction"] <= 1
    assert 0 <= window["off_nadir_angle_min"] <= window["off_nadir_angle_max"] <= 30  # elevation 60–90°
    assert window["satellite_type"] == "SKYSAT"
    again = poll_windows(sandbox, planet, body)
    assert again["imaging_windows"] == search["imaging_windows"]  # deterministic from the geometry

    order = create_order(planet, product="Assured Tasking", imaging_window=window["id"])
    assert order["scheduling_type"] == "ASSURED" and order["imaging_window"] == window["id"]
    assert (order["start_time"], order["end_time"]) == (window["start_time"], window["end_time"])
    unknown = planet.post("/orders/", json={"name": "x", "geometry": body["geometry"], "imaging_window": "nope"})
    assert unknown.status_code == 400 and "imaging_window" in unknown.json()


def test_imaging_window_search_fails_where_no_satellite_passes(sandbox, planet: httpx.Client) -> None:
    body = {"geometry": {"type": "Point", "coordinates": [10.0, 86.0]}, "product": "Assured Tasking"}
    search = poll_windows(sandbox, planet, body)
    assert search["status"] == "FAILED" and search["error_code"] and "82" in search["error_message"]
    assert "imaging_windows" not in search


@pytest.mark.parametrize("path", ["/pricing/", "/orders/"])
def test_assured_tasking_without_a_window_is_refused_naming_the_field(planet: httpx.Client, path: str) -> None:
    body = {"name": "assured", "geometry": {"type": "Point", "coordinates": [10, 45]}, "product": "Assured Tasking"}
    response = planet.post(path, json=body)
    assert response.status_code == 400 and list(response.json()) == ["imaging_window"]
    bulk = planet.post("/pricing/", json=[body]).json()["pricing_details"][0]
    assert "imaging_window" in bulk["message"]["error"]


@pytest.mark.parametrize(
    "fields, bad_field",
    [
        ({"geometry": {"type": "LineString", "coordinates": [[1, 1], [1.1, 1], [1.2, 1]]}}, "geometry"),
        ({"geometry": BIG_POLYGON}, "geometry"),
        ({"product": "Flexible Tasking"}, "product"),
        ({"end_time": "2999-01-01T00:00:00Z"}, "end_time"),
    ],
)
def test_imaging_window_search_validation(planet: httpx.Client, fields: dict, bad_field: str) -> None:
    body = {"geometry": {"type": "LineString", "coordinates": [[1, 1], [1.1, 1]]}, "product": "Assured Tasking", **fields}
    response = planet.post("/imaging-windows/search/", json=body)
    assert response.status_code == 400 and bad_field in response.json()


def test_unknown_search_is_404(planet: httpx.Client) -> None:
    assert planet.get("/imaging-windows/search/nope/").status_code == 404
