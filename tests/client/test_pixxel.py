"""Pixxel through the client: bandsets, dry-run pricing (its bulk form), orders, items, tasks."""

import httpx
import pytest

import pixorder
from pixorder import errors as E
from pixorder.models import ItemType
from tests.client.conftest import FIELD, POINT, request


def test_sensors_are_the_bandsets(connect):
    sensors = connect("pixxel").sensors()
    names = {s.name for s in sensors}
    assert {"VNIR", "SWIR", "VSWIR"} <= {n.upper() for n in names if n}
    frame = sensors.to_geodataframe()
    assert len(frame) == len(sensors) and frame["bands"].str.len().gt(0).all()


def test_small_aoi_billed_100_and_expedited_costs_20_percent_more(connect):
    client = connect("pixxel")
    standard = client.pricing.estimate(request(FIELD))
    expedited = client.pricing.estimate(request(FIELD, delivery_speed="EXPEDITED"))
    assert standard.area_km2 < 100 and standard.billed_area_km2 == 100
    assert standard.unit == "USD" and standard.amount > 0
    assert expedited.amount == pytest.approx(standard.amount * 1.2, rel=1e-6)
    assert any("expedited" in (u.name + (u.description or "")).lower() for u in expedited.uplifts)


def test_quote_equals_a_raw_dry_run(sandbox, connect):
    client = connect("pixxel")
    quote = client.pricing.estimate(request(FIELD))
    body = {"dry_run": True, "order_items": [client.aio.adapter.item_payload(request(FIELD), "raw")]}
    raw = httpx.post(f"{sandbox.url}/v0/orders", json=body, headers={"Authorization": sandbox.keys["pixxel"]})
    assert raw.status_code == 201
    assert quote.amount == raw.json()["order_items"][0]["final_amount"]


def test_bulk_pricing_uses_one_dry_run_per_50(connect):
    client = connect("pixxel")
    client.sensors()
    before = client.transport.stats.requests
    aois = [{"type": "Point", "coordinates": [20 + i * 0.05, 10.0]} for i in range(120)]
    quotes = client.pricing.estimate([request(a) for a in aois])
    assert client.transport.stats.requests - before == 3
    assert len(quotes) == 120 and all(q.ok for q in quotes)
    assert [q.request_index for q in quotes] == list(range(120))


def test_dry_run_stores_nothing_and_order_is_placed_once(connect):
    client = connect("pixxel")
    preview = client.orders.create(request(FIELD, name="pixxel preview"), dry_run=True)
    assert preview.dry_run and preview.amount > 0
    with pytest.raises(E.NotFound):
        client.orders.get(preview.id)
    order = client.orders.create(request(FIELD, name="pixxel order"))
    assert order.payment_status == "PAID" and order.reference.startswith("pxo-")
    assert order.items[0].type is ItemType.TASKING
    again = client.orders.get(order.id)
    assert again.id == order.id and again.amount == order.amount


def test_recurring_order_has_a_task_per_occurrence(sandbox, connect):
    client = connect("pixxel")
    # start/end is the first occurrence's window; the next ones follow a month apart
    req = pixorder.TaskingRequest(aoi=FIELD, start="2027-03-01T00:00:00Z", end="2027-03-21T00:00:00Z",
                                  recurrence="MONTHLY", occurrences=3, name="monthly watch")
    once = client.pricing.estimate(pixorder.TaskingRequest(aoi=FIELD, start="2027-03-01T00:00:00Z",
                                                           end="2027-03-21T00:00:00Z"))
    order = client.orders.create(req)
    (item,) = order.items
    assert item.type is ItemType.RECURRING and item.occurrences == 3
    assert order.amount == pytest.approx(3 * once.amount, rel=0.01)
    items = client.order_items.list(order_ids=order.id).collect()
    assert len(items) == 1 and len(items[0].tasks) == 3
    tasks = client.tasks.list(order_ids=order.id).to_geodataframe()
    assert len(tasks) == 3 and str(tasks["start"].dtype) == "datetime64[ns, UTC]"


@pytest.mark.parametrize("page_size", [None, 2])
def test_order_items_frame_fast_path_equals_model_path(connect, page_size):
    client = connect("pixxel", page_size=page_size)
    for i in range(3):
        client.orders.create(request(FIELD, name=f"frame check {i}"))
    fast = client.order_items.list().to_geodataframe()
    slow = client.order_items.list().collect().to_geodataframe()
    assert len(fast) == len(slow) >= 3
    assert list(fast.columns) == list(slow.columns)
    for column in fast.columns:
        if column == "geometry":
            # The official items carry no AOI: geometry comes from delivered images, so it may be missing
            # (in both paths alike) until imagery is delivered.
            assert fast.geometry.isna().tolist() == slow.geometry.isna().tolist()
            present = ~fast.geometry.isna()
            assert fast.geometry[present].geom_equals(slow.geometry[present]).all()
        else:
            assert fast[column].astype(str).tolist() == slow[column].astype(str).tolist(), column
            assert fast[column].dtype == slow[column].dtype or column in ("status", "type", "provider")


def test_cancel_and_feasibility_check_are_not_supported_with_advice(connect):
    client = connect("pixxel")
    with pytest.raises(E.NotSupported, match="72 h"):
        client.orders.cancel("anything")
    with pytest.raises(E.NotSupported, match="dry run"):
        client.feasibility.check(request(POINT))


def test_lost_answer_is_reconciled_through_item_names(sandbox, connect):
    client = connect("pixxel")
    client.sensors()
    sandbox.faults(rate=1.0, drop_after=True, provider="pixxel", methods=["POST"])
    try:
        order = client.orders.create(request(FIELD, name="pixxel dropped"))
    finally:
        sandbox.faults(rate=0)
    named = [i for i in client.order_items.list().collect() if i.name and order.reference in i.name]
    assert len(named) == 1 and named[0].order_id == order.id


def test_validation_error_body_is_surfaced(connect):
    client = connect("pixxel")
    req = pixorder.TaskingRequest(aoi=FIELD, start="2027-03-01T00:00:00Z", end="2027-03-21T00:00:00Z",
                                  off_nadir=55)  # fine for pixorder (≤ 60), over the sandbox's 45
    with pytest.raises(E.ApiError) as info:
        client.orders.create(req)
    assert info.value.status == 400 and "off_nadir" in str(info.value)
    assert info.value.code == "VALIDATION_ERROR"
    assert info.value.body["error"]["code"] == "VALIDATION_ERROR"  # the official envelope, kept as received


def test_official_required_fields_and_name_limit_through_the_client(sandbox, connect):
    client = connect("pixxel")
    adapter = client.aio.adapter
    assert adapter.name_limit == 100
    long_name = "field survey " * 15  # 195 characters
    order = client.orders.create(request(FIELD, name=long_name))
    (item,) = order.items
    assert len(item.name) <= 100 and item.name.endswith(f"… [{order.reference}]")  # shortened visibly
    assert item.name.startswith("field survey field survey")
    assert client.orders.reconcile(order.reference).id == order.id  # the reference survived whole
    raw = item.raw
    assert raw["project_id"] and raw["usecase"] == "other" and raw["cloud_cover"] == 20
    short = client.orders.create(request(FIELD, name="short", usecase="agriculture"))
    assert short.items[0].name == f"short [{short.reference}]" and short.items[0].raw["usecase"] == "agriculture"
    with pytest.raises(E.ValidationError) as weekly:
        client.pricing.estimate(request(FIELD, recurrence="WEEKLY", occurrences=3))
    assert weekly.value.field == "recurrence" and "MONTHLY" in weekly.value.rule


def test_refused_orders_raise_typed_errors_from_the_official_envelope(sandbox, connect):
    client = connect("pixxel")
    client.sensors()
    client.aio.adapter.project_id = None  # as if the workspace had no project: the spec requires one
    with pytest.raises(E.ApiError) as refused:
        client.pricing.estimate(request(FIELD))
    assert refused.value.status == 400 and refused.value.code == "VALIDATION_ERROR"
    assert "order_items[0].project_id: is required" in str(refused.value)


def test_reconcile_finds_an_order_placed_before_thousands_of_newer_items(sandbox, connect, monkeypatch):
    """Pixxel cannot filter items by name: reconcile read only the newest 500 items, so an order placed
    before them was "never placed" (None). It pages on now, to the listing's end or a bound."""
    from pixorder.providers import pixxel

    client = connect("pixxel")
    order = client.orders.create(request(FIELD, name="pixxel long ago"))
    sandbox.advance(days=30)
    sandbox.seed("pixxel", 2500)  # 2,500 items placed after it
    rows = client.order_items.list().collect()
    assert len(rows) == 2501 and [i.order_id for i in rows].index(order.id) == 2500  # the oldest
    before = client.transport.stats.requests
    found = client.orders.reconcile(order.reference)
    assert found is not None and (found.id, found.reference) == (order.id, order.reference)
    assert found.amount == order.amount and found.billed_area_km2 == 100.0
    assert client.transport.stats.requests - before == 3 + 1  # three pages of 1,000 items, then the order
    assert client.orders.reconcile("pxo-ffffffffffffffff") is None  # the whole listing read: none
    monkeypatch.setattr(pixxel, "REFERENCE_SCAN_ITEMS", 2000)
    with pytest.raises(E.NotSupported, match="beyond the newest 2,000 order items"):
        client.orders.reconcile(order.reference)
