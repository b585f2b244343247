"""Requests sized for the server: bulk pricing chunks respect the body limit as well as the count."""

import math

import pixorder
from pixorder.providers.base import json_size
from tests.client.conftest import request
from tests.infra.proxy import Proxy


def field(i, vertices=650):
    """A round field of ≈3 km² whose GeoJSON is about 20 KB (650 vertices at full precision)."""
    lon0, lat0 = 5.0 + (i % 20) * 0.05, 45.0 + (i // 20) * 0.05
    ring = [[lon0 + 0.01 * math.cos(2 * math.pi * k / vertices) + 1e-9 * k,
             lat0 + 0.01 * math.sin(2 * math.pi * k / vertices)] for k in range(vertices)]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def test_hundred_20kb_fields_price_at_planet_in_one_call(sandbox, connect):
    client = connect("planet")
    requests = [request(field(i)) for i in range(100)]
    assert 15_000 < json_size(client.aio.adapter.order_payload(requests[0])) < 25_000
    before = client.transport.stats.requests
    quotes = client.pricing.estimate(requests)
    assert len(quotes) == 100
    assert [q.error for q in quotes if q.error] == []
    assert all(q.amount and q.amount > 0 for q in quotes)
    calls = client.transport.stats.requests - before
    assert 3 <= calls <= 4  # 2 MB of payloads: chunks under 1 MB each, not 100 calls and not 1


def test_a_chunk_refused_with_413_is_split_and_retried(sandbox):
    # A gateway in front of the API refuses bodies over 300 kB, below the API's documented 1 MB.
    with Proxy(sandbox.url, max_body=300_000) as proxy:
        client = pixorder.connect("sandbox", api="planet", base_url=proxy.url, backoff=0.01, progress=False)
        quotes = client.pricing.estimate([request(field(i)) for i in range(60)])
        client.close()
    assert proxy.refused > 0  # the server really refused
    assert len(quotes) == 60 and not [q.error for q in quotes if q.error]
    assert [q.request_index for q in quotes] == list(range(60))


def test_a_long_name_never_reaches_a_server_that_refuses_it(sandbox, connect):
    for api, limit in (("planet", 255), ("pixxel", 100)):
        client = connect(api)
        order = client.orders.create(request(name="N" * 250), reference="pxo-longname0000001")
        sent = [e["body"] for e in sandbox.received(api) if e["method"] == "POST"
                and "pxo-longname0000001" in str(e["body"])]
        names = [b["name"] if "name" in b else b["order_items"][0]["name"] for b in sent]
        assert names and all(len(n) <= limit for n in names), [len(n) for n in names]
        assert names[0].endswith("… [pxo-longname0000001]")
        assert order.reference == "pxo-longname0000001"
        assert client.orders.reconcile("pxo-longname0000001").id == order.id
