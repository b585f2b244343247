"""orders.create_many over real HTTP: Planet's bulk endpoint (chunks, client ids, lost answers, 413),
the others one by one; and the refusals made before any call (Assured Tasking without a window)."""

from __future__ import annotations

import asyncio
import math
from collections import Counter

import pytest

import pixorder
from pixorder import errors as E
from pixorder.client.transport import Transport
from pixorder.providers.base import Call, json_size
from pixorder.providers.planet import PlanetAdapter, product_name
from tests.client.conftest import END, FIELD, START, request

BULK = "/tasking/v2/bulk/"


def field(i: int) -> dict:
    lon, lat = 10.0 + (i % 40) * 0.1, 45.0 + (i // 40) * 0.1
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.06, lat], [lon + 0.06, lat + 0.04],
                                                [lon, lat + 0.04], [lon, lat]]]}


def circle(i: int, vertices: int = 5000) -> dict:
    """A ≈12 km² disc drawn with ``vertices`` points: an order payload of about 150 KB."""
    lon, lat = 20.0 + i * 0.1, 40.0
    ring = [[round(lon + 0.025 * math.cos(2 * math.pi * k / vertices), 9),
             round(lat + 0.02 * math.sin(2 * math.pi * k / vertices), 9)] for k in range(vertices)]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


def bulk_posts(sandbox, since: int = 0) -> list[dict]:
    return [r for r in sandbox.received("planet")[since:] if r["method"] == "POST" and r["path"].rstrip("/") == BULK.rstrip("/")]


def references_listed(client) -> Counter:
    return Counter(o.reference for o in client.orders.list().collect() if o.reference)


def test_planet_create_many_is_one_bulk_call_with_a_row_per_request(sandbox, connect):
    client = connect("planet")
    requests = [request(field(i), name=f"bulk {i}") for i in range(5)]
    requests.insert(2, request(field(9), name="bad product", sensor="Unknown Tasking"))
    before = len(sandbox.received("planet"))
    rows = client.orders.create_many(requests)

    assert [r.request_index for r in rows] == list(range(6))
    assert [r.ok for r in rows] == [True, True, False, True, True, True]
    assert rows[2].id is None and rows[2].error_type == "ApiError" and "product" in rows[2].error
    placed = [r for r in rows if r.ok]
    assert all(str(r.status) == "RECEIVED" and r.amount and r.reference for r in placed)
    assert [r.name.split(" [")[0] for r in placed] == [f"bulk {i}" for i in range(5)]
    routes = client.transport.stats.by_route
    assert routes["POST /tasking/v2/bulk/"] == 1 and "POST /tasking/v2/orders/" not in routes
    assert len(bulk_posts(sandbox, before)) == 1
    # each order carries its own reference, found once; reconcile works per order
    listed = references_listed(client)
    assert all(listed[r.reference] == 1 for r in placed) and listed[rows[2].reference] == 0
    assert client.orders.reconcile(placed[3].reference).id == placed[3].id
    frame = rows.to_geodataframe()
    assert list(frame["request_index"]) == list(range(6)) and frame["error"].notna().sum() == 1
    assert frame["id"].isna().sum() == 1 and str(frame["created_at"].dtype) == "datetime64[ns, UTC]"
    assert frame.crs == "EPSG:4326"


@pytest.mark.slow
def test_planet_bulk_chunks_stay_under_the_1_mb_body_limit(sandbox, connect):
    client = connect("planet")
    requests = [request(circle(i), name=f"big {i}") for i in range(14)]
    sizes = [json_size(client.aio.adapter.order_payload(r, "x" * 40)) for r in requests]
    assert min(sizes) > 100_000 and sum(sizes) > 1_500_000  # one chunk by count, not by size
    before = len(sandbox.received("planet"))
    rows = client.orders.create_many(requests)

    assert all(r.ok for r in rows), [r.error for r in rows if not r.ok]
    posts = bulk_posts(sandbox, before)
    assert len(posts) >= 2 and all(json_size(p["body"]) <= 1_000_000 for p in posts)
    assert sum(len(p["body"]["order_payloads"]) for p in posts) == 14
    assert 413 not in client.transport.stats.by_status


@pytest.mark.slow
def test_planet_bulk_refused_with_413_is_split_and_retried(sandbox, connect):
    client = connect("planet")
    client.aio.adapter.body_limit = 5_000_000  # as if the API allowed more: the server's 413 decides
    requests = [request(circle(i + 20), name=f"split {i}") for i in range(10)]
    before = len(sandbox.received("planet"))
    rows = client.orders.create_many(requests)

    assert all(r.ok for r in rows), [r.error for r in rows if not r.ok]
    assert client.transport.stats.by_status.get(413) == 1
    posts = bulk_posts(sandbox, before)
    assert len(posts) == 3  # the whole chunk (refused unread), then its two halves
    assert [len(p["body"]["order_payloads"]) for p in posts[1:]] == [5, 5]
    assert sum(references_listed(client)[r.reference] for r in rows) == 10


def test_a_lost_bulk_answer_is_asked_about_never_posted_twice(sandbox, connect):
    client = connect("planet")
    requests = [request(field(i + 50), name=f"lost {i}") for i in range(4)]
    before = len(sandbox.received("planet"))
    sandbox.faults(rate=1.0, drop_after=True, methods=["POST"], paths=[BULK], provider="planet")
    try:
        rows = client.orders.create_many(requests)
    finally:
        sandbox.faults(rate=0)
    assert all(r.ok for r in rows)
    assert len(bulk_posts(sandbox, before)) == 1  # received (GET /bulk/{id} said so): polled, not resent
    assert client.transport.stats.by_route["GET /tasking/v2/bulk/{id}/"] >= 2
    listed = references_listed(client)
    assert [listed[r.reference] for r in rows] == [1, 1, 1, 1]


def test_a_bulk_never_received_is_resent_with_the_same_id_then_ambiguous(sandbox, connect):
    client = connect("planet", retries=3)
    requests = [request(field(i + 60), name=f"never {i}") for i in range(3)]
    before = len(sandbox.received("planet"))
    sandbox.faults(rate=1.0, drop_before=True, methods=["POST"], paths=[BULK], provider="planet")
    try:
        rows = client.orders.create_many(requests)
    finally:
        sandbox.faults(rate=0)
    posts = bulk_posts(sandbox, before)
    assert len(posts) == 3 and len({p["body"]["id"] for p in posts}) == 1  # 404 each time: resent, same id
    assert [r.error_type for r in rows] == ["AmbiguousSpend"] * 3
    assert all(r.reference and r.reference in r.error for r in rows)
    assert [client.orders.reconcile(r.reference) for r in rows] == [None, None, None]


@pytest.mark.parametrize("provider", ["pixxel", "geopera"])
def test_create_many_elsewhere_places_each_concurrently(sandbox, connect, provider):
    client = connect(provider)
    sensor = "pneo-30cm" if provider == "geopera" else None
    requests = [request(field(i + 100), name=f"many {i}", sensor=sensor) for i in range(12)]
    requests[5] = request(field(5), name="bad", sensor="no-such-sensor")
    rows = client.orders.create_many(requests, concurrency=4)
    assert [r.request_index for r in rows] == list(range(12))
    assert [r.ok for r in rows].count(True) == 11 and rows[5].id is None and rows[5].error
    listed = references_listed(client)
    assert all(listed[r.reference] == 1 for r in rows if r.ok) and listed[rows[5].reference] == 0


async def test_create_many_async_and_reference_checks(sandbox):
    async with pixorder.AsyncClient("sandbox", api="planet", base_url=sandbox.url, progress=False) as client:
        rows = await client.orders.create_many([request(field(70), name="a"), request(field(71), name="b")],
                                               references=["pxo-aaaaaaaaaaaaaaa1", "pxo-aaaaaaaaaaaaaaa2"])
        assert [r.reference for r in rows] == ["pxo-aaaaaaaaaaaaaaa1", "pxo-aaaaaaaaaaaaaaa2"]
        assert all(r.ok for r in rows)
        with pytest.raises(E.ValidationError) as refused:
            await client.orders.create_many([request(), request()], references=["pxo-x", "pxo-x"])
        assert refused.value.field == "references"
        with pytest.raises(E.ValidationError) as refused:
            await client.orders.create_many(request())
        assert refused.value.field == "requests"


def assured(**kwargs):
    return pixorder.TaskingRequest(aoi=FIELD, start=START, end=END, sensor="Assured Tasking", **kwargs)


def test_assured_tasking_without_a_window_is_refused_before_any_call(sandbox, connect):
    client = connect("planet")
    before = len(sandbox.received("planet"))
    for attempt in (lambda: client.pricing.estimate(assured()),
                    lambda: client.pricing.estimate([request(), assured()]),
                    lambda: client.orders.create(assured()),
                    lambda: client.orders.create(assured(), dry_run=True)):
        with pytest.raises(pixorder.ValidationError) as refused:
            attempt()
        assert refused.value.field == "imaging_window"
        assert "client.imaging_windows.search(request)" in str(refused.value)
    (row,) = client.orders.create_many([assured(name="no window")])
    assert row.error_type == "ValidationError" and "imaging_window" in row.error
    assert client.transport.stats.requests == 0
    assert len(sandbox.received("planet")) == before
    # older ids read as aliases: the same refusal for "assured_tasking"
    with pytest.raises(pixorder.ValidationError):
        client.orders.create(pixorder.TaskingRequest(aoi=FIELD, start=START, end=END, sensor="assured_tasking"))


def test_planet_products_follow_planets_names_and_old_ids_still_work(sandbox, connect):
    client = connect("planet")
    ids = [s.id for s in client.sensors()]
    assert ids == ["Flexible Tasking", "Assured Tasking", "Monitoring Tasking"]
    import httpx

    served = httpx.get(sandbox.url + "/tasking/v2/products/",
                       headers={"Authorization": f"api-key {sandbox.keys['planet']}"}).json()
    assert set(ids) <= {p["product"] for p in served["results"]}
    assert product_name("one_time_tasking") == "Flexible Tasking"
    quote = client.pricing.estimate(request(sensor="one_time_tasking"))
    assert quote.sensor == "Flexible Tasking" and quote.amount > 0
    body = sandbox.received("planet")[-1]["body"]
    assert body[0]["product"] == "Flexible Tasking"


def test_planet_rate_limits_are_the_2_0_0_reference_and_both_apply():
    assert PlanetAdapter.rate_limits == {"default": (40, 1.0), "default/minute": (300, 60.0)}
    transport = Transport(PlanetAdapter(), "k", "http://127.0.0.1:9", rate_limits={"default": (100, 1.0),
                                                                                    "default/slow": (2, 0.3)})

    now, waits = [0.0], []

    async def fake_sleep(seconds: float) -> None:  # a fake clock: the limiters' waits are recorded, not slept
        waits.append(round(seconds, 9))
        now[0] += seconds

    for limiter in transport._limiters.values():
        limiter._clock, limiter._sleep = (lambda: now[0]), fake_sleep

    async def three() -> None:
        for _ in range(3):
            await transport._limit(Call("GET", "/x", lambda b, h: None).bucket)

    asyncio.run(three())
    # the second, slower limit (2 per 0.3 s, kept 0.5 % longer) held the third call back; 100/s never did
    assert waits == [0.3015]
