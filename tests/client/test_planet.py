"""Planet through the client: pricing (single and bulk), orders life cycle, safe spending."""

import asyncio

import httpx
import pytest

import pixorder
from pixorder import errors as E
from tests.client.conftest import END, FIELD, POINT, START, request


def raw_price(sandbox, payload):
    response = httpx.post(f"{sandbox.url}/tasking/v2/pricing/", json=payload,
                          headers={"Authorization": f"api-key {sandbox.keys['planet']}"})
    response.raise_for_status()
    return response.json()


def test_point_quote_matches_the_sandbox_and_the_25_km2_square(sandbox, connect):
    client = connect("planet")
    quote = client.pricing.estimate(request(POINT))
    expected = raw_price(sandbox, {"geometry": POINT, "start_time": "2027-03-01T00:00:00Z",
                                   "end_time": "2027-03-21T00:00:00Z"})
    assert quote.amount == pytest.approx(expected["estimated_quota_cost"])
    assert quote.unit == "SQKM"
    assert quote.area_km2 == pytest.approx(25, abs=0.3)
    assert quote.billed_area_km2 == pytest.approx(25, abs=0.3)
    assert quote.provider == "planet"


def test_small_polygon_billed_as_25(connect):
    quote = connect("planet").pricing.estimate(request(FIELD))
    assert quote.area_km2 < 25
    assert quote.billed_area_km2 == 25.0


def test_bulk_pricing_300_aois_uses_three_calls_and_keeps_order(connect):
    client = connect("planet")
    aois = [{"type": "Point", "coordinates": [10 + i * 0.01, 45.0]} for i in range(299)]
    aois.append({"type": "Polygon", "coordinates": [[[0, 0], [3, 0], [3, 3], [0, 3], [0, 0]]]})  # far too big
    before = client.transport.stats.requests
    quotes = client.pricing.estimate([request(a) for a in aois])
    assert client.transport.stats.requests - before == 3
    assert len(quotes) == 300
    assert [q.request_index for q in quotes] == list(range(300))
    assert all(q.ok for q in quotes[:299])
    frame = quotes.to_geodataframe()
    assert len(frame) == 300 and frame.crs.to_epsg() == 4326
    assert frame["amount"].iloc[:299].notna().all()


def test_order_life_cycle_create_get_list_edit_cancel(sandbox, connect):
    client = connect("planet")
    order = client.orders.create(request(POINT, name="client test order"))
    assert order.status is pixorder.models.OrderStatus.RECEIVED
    assert order.reference and order.reference.startswith("pxo-")
    assert order.geometry["type"] == "Polygon"
    fetched = client.orders.get(order.id)
    assert fetched.id == order.id and fetched.name == order.name
    listed = client.orders.list(name="client test order").to_geodataframe()
    assert order.id in set(listed["id"])
    sandbox.advance(hours=2)
    edited = client.orders.edit(order.id, name="renamed")
    assert edited.name == f"renamed [{order.reference}]"  # the reference survives a rename
    assert edited.reference == order.reference
    cancelled = client.orders.cancel(order.id)
    assert cancelled.status is pixorder.models.OrderStatus.CANCELLED
    with pytest.raises(E.ApiError) as info:
        client.orders.cancel(order.id)
    assert info.value.status in (400, 409) and info.value.body


def test_dry_run_never_spends(connect):
    client = connect("planet")
    before = len(client.orders.list().collect())
    preview = client.orders.create(request(POINT), dry_run=True)
    assert preview.dry_run and preview.amount > 0
    assert len(client.orders.list().collect()) == before


def test_max_amount_refuses_before_placing(connect):
    client = connect("planet")
    before = len(client.orders.list().collect())
    with pytest.raises(E.SpendLimitExceeded) as info:
        client.orders.create(request(POINT), max_amount=1.0)
    assert info.value.amount > 1.0
    assert len(client.orders.list().collect()) == before


def test_lost_answer_after_commit_is_found_not_reordered(sandbox, connect):
    client = connect("planet")
    sandbox.faults(rate=1.0, drop_after=True, provider="planet", methods=["POST"])
    try:
        order = client.orders.create(request(POINT, name="dropped answer"))
    finally:
        sandbox.faults(rate=0)
    same = [o for o in client.orders.list(name=order.reference).collect()]
    assert [o.id for o in same] == [order.id]


def test_ambiguous_when_lookup_also_fails(sandbox, connect):
    client = connect("planet", retries=2)
    sandbox.faults(rate=1.0, drop_after=True, provider="planet")  # every request dropped, reads too
    try:
        with pytest.raises(E.AmbiguousSpend) as info:
            client.orders.create(request(POINT, name="really ambiguous"))
    finally:
        sandbox.faults(rate=0)
    reference = info.value.reference
    settled = client.orders.reconcile(reference)
    # the create did reach the server before the connection dropped, so it exists exactly once
    assert settled is not None and settled.reference == reference


def test_pagination_walks_every_order_once(connect):
    client = connect("planet", page_size=7)
    for i in range(15):
        client.orders.create(request(POINT, name=f"page walk {i}"))
    rows = list(client.orders.list(name="page walk"))
    assert len(rows) == 15 and len({r.id for r in rows}) == 15
    capped = list(client.orders.list(name="page walk", limit=10))
    assert len(capped) == 10


def test_not_supported_names_what_to_do(connect):
    client = connect("planet")
    with pytest.raises(E.NotSupported, match="imaging windows"):
        client.feasibility.check(request(POINT))
    with pytest.raises(E.ValidationError, match="geometry"):
        client.orders.edit("x", geometry=FIELD)


def test_bad_key_is_an_auth_error_with_body(sandbox):
    client = pixorder.connect("sandbox", api="planet", base_url=sandbox.url, api_key="wrong-key-123")
    with pytest.raises(E.AuthError) as info:
        client.orders.get("nope")
    assert info.value.status == 401
    assert "wrong-key-123" not in str(info.value) and "wrong-key-123" not in repr(client)
    client.close()


def test_unknown_order_is_not_found(connect):
    with pytest.raises(E.NotFound):
        connect("planet").orders.get("00000000-0000-0000-0000-000000000000")


def test_async_client_prices_and_orders(sandbox):
    async def main():
        async with pixorder.AsyncClient("sandbox", api="planet", base_url=sandbox.url) as client:
            quote = await client.pricing.estimate(request(POINT))
            order = await client.orders.create(request(POINT, name="async order"))
            rows = [o async for o in client.orders.list(name="async order")]
            return quote, order, rows

    quote, order, rows = asyncio.run(main())
    assert quote.amount > 0 and order.id in {o.id for o in rows}


def test_billed_minimum_is_read_from_the_provider_table(monkeypatch, connect):
    """``parse_order`` and ``parse_pricing`` wrote 25.0 themselves: a table that said otherwise was not
    followed. With the table's minimum at 30 km² (as ``aoi.rules`` reads it), orders and quotes bill 30."""
    from pixorder.aoi import rules
    from pixorder.providers import planet, table

    assert rules.MIN_BILLED_AREA_KM2["planet"] == table.get("planet").min_billed_area_km2 == 25.0
    monkeypatch.setitem(rules.MIN_BILLED_AREA_KM2, "planet", 30.0)
    small = planet.parse_order({"id": "o-1", "status": "RECEIVED", "requested_sqkm": 12.5})
    large = planet.parse_order({"id": "o-2", "status": "RECEIVED", "requested_sqkm": 40.0})
    assert (small.billed_area_km2, large.billed_area_km2) == (30.0, 40.0)
    assert planet.parse_pricing({"estimated_quota_cost": 30.0}, area_km2=12.0).billed_area_km2 == 30.0
    # An answer in SQKM says itself what Planet bills (its base_price): Planet's word over pixorder's table.
    quote = connect("planet").pricing.estimate(request(FIELD))  # ≈19 km² through the client
    assert quote.area_km2 == pytest.approx(19.13, abs=0.01)
    assert quote.billed_area_km2 == quote.base_amount == quote.raw["pricing_model"]["base_price"] == 25.0


def test_bulk_counts_are_keyed_consistently(sandbox, connect):
    """``GET /bulk/{id}``'s four payload counts read as ``total``, ``processing``, ``successful`` and
    ``failed`` (``payload_count`` was left whole beside the three shortened keys)."""
    from pixorder.client.sync import run_sync

    client = connect("planet")
    adapter = client.aio.adapter
    payloads = [adapter.bulk_order_payload(request(POINT, name=f"bulk count {i}"), f"pxo-bulkcount{i:07d}")
                for i in range(3)]
    payloads[1]["geometry"] = {"type": "Point", "coordinates": [500.0, 0.0]}  # refused alone
    bulk_id = "9a1c0e3c-3f1e-4c55-9f59-3c1d0b9e2a10"
    run_sync(client.aio.send(adapter.submit_bulk(bulk_id, payloads)))
    job = run_sync(client.aio.send(adapter.get_bulk(bulk_id)))
    assert job.done and job.status == "COMPLETE"
    assert job.counts == {"total": 3, "processing": 0, "successful": 2, "failed": 1}
    assert len([o for o in client.orders.list(name="bulk count").collect()]) == 2


def test_a_quote_bills_the_area_planet_prices_so_its_rate_per_km2_is_planets(connect):
    """Planet prices to 0.001 km² (base_price 928.308 SQKM for a field pixorder measures 928.30893 km²):
    the billed area was pixorder's measure, so one quota unit per km² showed as 0.999999 a km²."""
    quote = connect("planet").pricing.estimate(request("POLYGON ((10 60, 10.5 60, 10.5 60.3, 10 60.3, 10 60))"))
    assert quote.billed_area_km2 == quote.raw["pricing_model"]["base_price"] == quote.amount
    assert quote.area_km2 != quote.billed_area_km2 and quote.area_km2 == pytest.approx(quote.billed_area_km2, abs=0.001)
    frame = pixorder.compare("POLYGON ((10 60, 10.5 60, 10.5 60.3, 10 60.3, 10 60))",
                             {"start": START, "end": END}, providers=[connect("planet")])
    assert frame["amount_per_km2"].tolist() == [1.0]


def test_a_recurring_request_is_monitoring_or_refused_never_one_capture(sandbox, connect):
    """Planet's adapter never read ``recurrence``: MONTHLY×6 on Flexible Tasking was priced and placed as
    one capture (25 SQKM). Monitoring Tasking now carries the rrule and is priced for its six
    captures; any other product is refused before anything is sent."""
    client = connect("planet")
    monthly = request(FIELD, recurrence="MONTHLY", occurrences=6)
    with pytest.raises(E.ValidationError, match="recurrence: Planet repeats acquisitions only with Monitoring"):
        client.orders.create(monthly, max_amount=1000)
    assert not [r for r in sandbox.received("planet") if r["method"] == "POST"]  # nothing sent
    monitoring = monthly.model_copy(update={"sensor": "Monitoring Tasking"})
    once = client.pricing.estimate(request(FIELD, sensor="Monitoring Tasking"))
    quote = client.pricing.estimate(monitoring)
    assert quote.amount == pytest.approx(6 * once.amount) and quote.billed_area_km2 == once.billed_area_km2
    order = client.orders.create(monitoring, max_amount=1000)
    assert order.amount == quote.amount
    sent = [r["body"] for r in sandbox.received("planet") if r["path"] == "/tasking/v2/orders/"]
    assert sent[-1]["rrule"] == "FREQ=MONTHLY;COUNT=6" and sent[-1]["product"] == "Monitoring Tasking"


def test_a_point_past_180_is_sent_where_the_aoi_moved_it(sandbox, connect):
    """``POINT (200 0)`` became an AOI at -160° but Planet was sent 200° as drawn and refused it, while
    Geopera priced the moved AOI."""
    quote = connect("planet").pricing.estimate(request("POINT (200 0)"))
    assert quote.error is None and quote.amount == 25.0
    sent = [r["body"] for r in sandbox.received("planet") if r["path"] == "/tasking/v2/pricing/"][-1]
    geometry = sent[0]["geometry"] if isinstance(sent, list) else sent["geometry"]
    assert geometry == {"type": "Point", "coordinates": [-160.0, 0.0]}
