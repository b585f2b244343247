"""Every example payload in shared/api-docs parses into models with nothing dropped, and into frames."""

import json
from pathlib import Path

import pandas as pd
import pytest

from pixorder import frames
from pixorder import models as m
from pixorder.providers import pixxel, planet
from tests.data import doc_payload as load


@pytest.mark.parametrize("name", ["pixxel-create-order.response.json", "pixxel-get-order.response.json"])
def test_pixxel_order_examples_parse_with_raw_kept(name):
    payload = load(name)
    order = pixxel.parse_order(payload)
    assert order.raw == payload
    assert order.id == payload["id"]
    assert order.payment_status == "PAID"
    assert order.amount == 1000
    assert order.created_at.isoformat() == "2020-01-01T00:00:00+00:00"
    (item,) = order.items
    assert item.raw == payload["order_items"][0]
    # Pixxel's "area" is its own count of the AOI (whole km²): billed as it is (≥ 100 km²); the example's
    # geometry is a placeholder, so there is no drawn area to show.
    assert item.billed_area_km2 == 1000 and item.area_km2 is None
    assert item.base_amount == 10000 and item.amount == 12000
    assert item.feasibility is m.FeasibilityStatus.FAILED
    assert item.type is m.ItemType.TASKING
    assert item.status is m.OrderStatus.DRAFT
    uplift = payload["order_items"][0]["uplifts"][0]
    assert item.uplifts[0].percentage == uplift["percentage"] and item.uplifts[0].name == uplift["title"]
    frame = frames.orders_frame([order])
    assert len(frame) == 1 and frame.crs.to_epsg() == 4326
    assert frame["n_items"].iloc[0] == 1


def test_pixxel_order_items_example_with_tasks():
    payload = load("pixxel-list-order-items.response.json")
    page = pixxel.parse_order_items_page(payload)
    assert page.total == 0 and page.limit == 10
    (item,) = page.items
    assert item.raw == payload["order_items"][0]
    (task,) = item.tasks
    assert task.raw == payload["order_items"][0]["tasks"][0]
    assert task.status is m.TaskStatus.FULFILLED  # COMPLETED in the older docs
    assert task.start.isoformat() == "2024-05-15T00:00:00+00:00"  # DD-MM-YYYY
    assert task.order_item_id == "TD1_006800_20230528_L2A_20230615_03001067"
    items = frames.order_items_frame(page.items)
    tasks = frames.tasks_frame(item.tasks)
    assert len(items) == 1 and len(tasks) == 1
    assert str(items["created_at"].dtype) == "datetime64[ns, UTC]"
    assert str(tasks["start"].dtype) == "datetime64[ns, UTC]"
    assert isinstance(items["status"].dtype, pd.CategoricalDtype)
    assert items["status"].iloc[0] == "DRAFT"
    assert items["amount"].iloc[0] == 12000.0 and items["area_km2"].dtype == "float64"


def test_planet_create_example_parses():
    payload = load("planet-create-order.response.json")
    order = planet.parse_order(payload)
    assert order.raw == payload
    assert order.status is m.OrderStatus.RECEIVED
    assert order.billed_area_km2 == 25.0  # requested_sqkm, Planet's count
    assert order.area_km2 == pytest.approx(25.0, abs=0.01)  # the 5×5 km square Planet made of the point, as drawn
    assert order.geometry["type"] == "Polygon"
    assert order.start.year == 2020 and order.created_at.tzinfo is not None
    frame = frames.orders_frame([order])
    assert len(frame) == 1
    assert frame.geometry.iloc[0].bounds == pytest.approx((149.415818, 28.469843, 149.466896, 28.514958))


@pytest.mark.parametrize(
    ("name", "amount", "n_uplifts"),
    [("planet-order-pricing-model.response.json", 70.48, 1), ("planet-order-pricing-replaced.response.json", 75.0, 5)],
)
def test_planet_pricing_examples(name, amount, n_uplifts):
    payload = load(name)
    quote = planet.parse_pricing(payload)
    assert quote.raw == payload
    assert quote.amount == amount and quote.unit == "SQKM"
    assert len(quote.uplifts) == n_uplifts


def test_planet_bulk_pricing_partial_failure_is_per_request():
    payload = load("planet-bulk-pricing-partial.response.json")
    quotes = planet.parse_bulk_pricing(payload)
    assert [q.ok for q in quotes] == [False, True, True]
    assert quotes[0].error == "Failed to calculate order pricing."
    assert sum(q.amount for q in quotes if q.ok) == pytest.approx(payload["total_estimated_quota_cost"])
    frame = frames.quotes_frame(quotes)
    assert len(frame) == 3
    assert frame["error"].iloc[0] == "Failed to calculate order pricing."
    assert frame["amount"].isna().tolist() == [True, False, False]
    assert list(frame["request_index"]) == [0, 1, 2]


def test_planet_bulk_pricing_example_totals():
    payload = load("planet-bulk-pricing.response.json")
    quotes = planet.parse_bulk_pricing(payload)
    assert sum(q.amount for q in quotes) == payload["total_estimated_quota_cost"] == 50.0


# ------------------------------------------------------------------------------------------------
# Pixxel's official OpenAPI: every example it gives parses with nothing dropped
# ------------------------------------------------------------------------------------------------

PIXXEL_SPEC = Path(__file__).parent / "data" / "pixxel" / "pixxel-openapi.json"


def spec_example(spec, schema):
    """The example the spec gives for a schema, assembled from its properties' ``example`` values."""
    if "$ref" in schema:
        return spec_example(spec, spec["components"]["schemas"][schema["$ref"].split("/")[-1]])
    if "example" in schema:
        return schema["example"]
    if "allOf" in schema:
        return spec_example(spec, schema["allOf"][0])
    if schema.get("type") == "array" and "items" in schema:
        item = spec_example(spec, schema["items"])
        return [] if item is None else [item]
    if "properties" in schema:
        return {k: v for k, v in ((k, spec_example(spec, p)) for k, p in schema["properties"].items())
                if v is not None}
    return None


@pytest.fixture(scope="module")
def official():
    spec = json.loads(PIXXEL_SPEC.read_text())
    return lambda name: spec_example(spec, {"$ref": f"#/components/schemas/{name}"})


def test_pixxel_official_order_example_parses_with_nothing_dropped(official):
    payload = official("clerk.Order")
    order = pixxel.parse_order(payload)
    assert order.raw == payload and order.id == payload["id"]
    assert order.payment_status == "PAID" and order.amount == 1000
    (item,) = order.items
    example = payload["order_items"][0]
    assert item.raw == example
    # every documented field has its model counterpart filled in
    assert item.status is m.OrderStatus.DRAFT and item.type is m.ItemType.TASKING
    assert item.tokens_used == example["tokens_used"] == 100 and item.billed_area_km2 == 1000
    assert item.base_amount == 10000 and item.amount == 12000 and item.feasibility is m.FeasibilityStatus.FAILED
    assert item.delivery_speed is m.DeliverySpeed.STANDARD and item.recurrence is m.Recurrence.ONCE
    assert item.cloud_cover == 0 and item.off_nadir == 0 and item.occurrences == 0 and item.image_type == "VNIR"
    assert item.start.isoformat() == "2020-10-22T00:00:00+00:00" and item.created_at.year == 2024
    assert item.payment_status == "PAID" and item.order_id == example["order_id"] and item.name == "order item 1"


def test_pixxel_official_list_example_with_submitted_and_fulfilled(official):
    payload = official("clerk.ListOrderItemsResponse")
    page = pixxel.parse_order_items_page(payload)
    assert page.total == 100 and page.limit == 10 and page.offset == 0
    (item,) = page.items
    (task,) = item.tasks
    example = payload["order_items"][0]["tasks"][0]
    assert task.raw == example and task.status is m.TaskStatus.FULFILLED and task.delivery_status == "SUCCESSFUL"
    assert task.tokens_used == 10 and task.number_of_strips == 4 and task.type is m.ItemType.ARCHIVE
    assert task.start.isoformat() == "2024-05-15T00:00:00+00:00"
    submitted = pixxel.parse_task({**example, "status": "SUBMITTED"})
    assert submitted.status is m.TaskStatus.REQUESTED  # SUBMITTED (official) = REQUESTED (older pages)
    fulfilled = pixxel.parse_order_item({**payload["order_items"][0], "status": "PARTIALLY_FULFILLED"})
    assert fulfilled.status is m.OrderStatus.PARTIALLY_FULFILLED
    frame = frames.order_items_frame(page.items)
    assert len(frame) == 1 and frame["tokens_used"].iloc[0] == 100


def test_pixxel_official_bandsets_and_uplift_examples(official):
    payload = official("clerk.ListBandsets")
    (sensor,) = pixxel.parse_bandsets(payload)
    assert sensor.raw == payload["bandsets"][0] and sensor.name == "Agriculture" and sensor.bands == ["B001"]
    assert sensor.raw["captures"] == 1  # an integer in the official schema
    uplift = pixxel.parse_uplift({"title": "Delivery speed", "subtitle": "EXPEDITED", "percentage": 20,
                                  "amount": 200, "item_id": ""})
    assert uplift.amount == 200 and uplift.percentage == 20  # integer amounts read like floats


def test_pixxel_error_envelopes_both_forms():
    from pixorder import errors as E
    from pixorder.providers.base import error_from_response

    details = [{"field": "order_items[0].name", "message": "must be at most 100 characters"}]
    official_form = {"error": {"code": "VALIDATION_ERROR", "message": "Request validation failed", "details": details}}
    older_form = official_form["error"]
    for body in (official_form, older_form):
        error = error_from_response("pixxel", 400, body, {})
        assert type(error) is E.ApiError and error.code == "VALIDATION_ERROR" and error.body == body
        assert "order_items[0].name: must be at most 100 characters" in str(error)
    missing = error_from_response("pixxel", 404, {"error": {"code": "NOT_FOUND", "message": "Order x not found"}}, {})
    assert isinstance(missing, E.NotFound) and missing.code == "NOT_FOUND" and "Order x not found" in str(missing)
