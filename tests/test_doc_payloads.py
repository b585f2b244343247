"""Every example payload in shared/api-docs parses into models with nothing dropped, and into frames."""

import json
from pathlib import Path

import pandas as pd
import pytest

from pixorder import frames
from pixorder import models as m
from pixorder.providers import pixxel, planet

DOCS = Path(__file__).parent / "data" / "docs"


def load(name):
    return json.loads((DOCS / name).read_text())


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
    assert item.area_km2 == 1000 and item.base_amount == 10000 and item.amount == 12000
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
    assert order.area_km2 == 25.0
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
