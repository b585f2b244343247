"""Listings that neither repeat nor skip, while rows arrive and a server caps its page size.

The server here is the sandbox behind a small proxy (tests/infra/proxy.py) that behaves like real
infrastructure: it caps ``limit`` below what the client asks for, and creates, edits and cancels
orders between two pages, exactly at the request the test chooses.
"""

import asyncio

import httpx
import pytest

import pixorder
from tests.client.conftest import POINT, request
from tests.infra.proxy import Proxy

N = 120


def _planet(sandbox, org, base_url=None, **options):
    return pixorder.connect("sandbox", api="planet", base_url=base_url or sandbox.url,
                            api_key=f"{sandbox.keys['planet']}.{org}", backoff=0.01, progress=False, **options)


def test_planet_listing_while_orders_arrive_and_pages_are_capped(sandbox):
    placer = _planet(sandbox, "listing")
    existing = [placer.orders.create(request(POINT, name=f"existing {i}")).id for i in range(N)]
    placer_http = httpx.Client(base_url=sandbox.url, headers={"Authorization": f"api-key {sandbox.keys['planet']}.listing"})

    async def churn(number, req):
        # Between pages: three new orders, one renamed, one cancelled (newest-first, so every later
        # offset shifts by three).
        if req.url.path.endswith("/orders/") and req.method == "GET" and number in (2, 4):
            for k in range(3):
                await asyncio.to_thread(placer.orders.create, request(POINT, name=f"arrived {number}.{k}"))
            await asyncio.to_thread(placer.orders.edit, existing[number], name=f"renamed {number}")
            await asyncio.to_thread(placer_http.delete, f"/tasking/v2/orders/{existing[-number]}/")

    try:
        with Proxy(sandbox.url, cap_limit=20, before=churn) as proxy:
            client = _planet(sandbox, "listing", base_url=proxy.url, page_size=50)
            ids = [o.id for o in client.orders.list()]
            assert proxy.capped > 0  # the server really gave fewer rows than asked
        assert len(ids) == len(set(ids)), f"{len(ids) - len(set(ids))} rows came twice"
        missing = set(existing) - set(ids)
        assert not missing, f"{len(missing)} orders that existed at the start were skipped"
        assert N <= len(ids) <= N + 6
    finally:
        placer_http.close()
        placer.close()


def test_pixxel_frame_with_a_capped_server_misses_no_row(sandbox):
    sandbox.seed("pixxel", 300, org="capped", items_per_order=10)
    key = f"{sandbox.keys['pixxel']}.capped"
    direct = pixorder.connect("sandbox", api="pixxel", base_url=sandbox.url, api_key=key, progress=False)
    truth = {i.id for i in direct.order_items.list()}
    assert len(truth) == 300
    with Proxy(sandbox.url, cap_limit=40) as proxy:
        client = pixorder.connect("sandbox", api="pixxel", base_url=proxy.url, api_key=key, page_size=100,
                                  progress=False)
        frame = client.order_items.list().to_geodataframe()
        assert proxy.capped > 0
    assert len(frame) == 300
    assert set(frame["id"]) == truth
    direct.close()
    client.close()


@pytest.mark.parametrize("api", ["pixxel", "geopera"])
def test_listing_while_orders_arrive_other_providers(sandbox, api):
    key = f"{sandbox.keys[api]}.arrive{api}"
    placer = pixorder.connect("sandbox", api=api, base_url=sandbox.url, api_key=key, backoff=0.01, progress=False)
    sensor = "pneo-30cm" if api == "geopera" else None
    before = [placer.orders.create(request(name=f"before {i}", sensor=sensor)).id for i in range(45)]
    client = pixorder.connect("sandbox", api=api, base_url=sandbox.url, api_key=key, page_size=10, progress=False)
    ids = []
    for n, order in enumerate(client.orders.list()):
        ids.append(order.id)
        if n in (0, 15, 31):  # new orders land at the front while we read
            placer.orders.create(request(name=f"arrived {n}", sensor=sensor))
    assert len(ids) == len(set(ids))
    assert set(before) <= set(ids)
    placer.close()
    client.close()
