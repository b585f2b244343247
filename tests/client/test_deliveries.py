"""deliveries.list over real HTTP, after the sandbox clock has carried orders through their life cycles.

The module advances its own sandbox's clock past the orders' windows, so it keeps to itself.
"""

from __future__ import annotations

import io
import zipfile
from datetime import timezone

import httpx
import pytest

import pixorder
from pixorder.models import OrderStatus, QuotationStatus
from tests.client.conftest import request


def field(i: int) -> dict:
    lon, lat = 12.0 + i * 0.1, 46.0
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.06, lat], [lon + 0.06, lat + 0.04],
                                                [lon, lat + 0.04], [lon, lat]]]}


def past_the_windows(sandbox) -> None:
    """Move the clock beyond 2027-03-21 (the requests' end) plus the providers' delivery delays."""
    days = (2027 - sandbox.now().year + 1) * 366
    sandbox.advance(days=days)


def test_deliveries_for_every_provider(sandbox, connect):
    planet, pixxel, geopera = connect("planet"), connect("pixxel"), connect("geopera")
    # The sandbox fulfils an order or not by its id's hash (Planet about half, Pixxel's tasks about
    # 60 %): enough orders that one of each is fulfilled but for a chance below one in 10⁵.
    planet_rows = planet.orders.create_many([request(field(i), name=f"deliver {i}") for i in range(20)])
    pixxel_orders = [pixxel.orders.create(request(field(i + 30), name=f"deliver {i}")) for i in range(12)]
    geopera_order = geopera.orders.create(request(field(50), name="deliver", sensor="pneo-30cm"))
    nothing_yet = {p: c.deliveries.list(o) for p, c, o in (("planet", planet, planet_rows[0].id),
                                                            ("pixxel", pixxel, pixxel_orders[0].id),
                                                            ("geopera", geopera, geopera_order.id))}
    assert all(len(found) == 0 for found in nothing_yet.values()), nothing_yet
    sandbox.advance(hours=12)
    (quotation,) = [q for q in geopera.quotations.list(order_id=geopera_order.id).collect()
                    if q.status is QuotationStatus.NOT_DECIDED]
    geopera.quotations.decide(quotation.id, accept=True)
    past_the_windows(sandbox)

    # Planet: one fulfilling capture per FULFILLED order, none for FAILED or EXPIRED ones
    statuses = []
    for row in planet_rows:
        order = planet.orders.get(row.id)
        statuses.append(order.status)
        captures = planet.deliveries.list(row.id)
        if order.status is OrderStatus.FULFILLED:
            (capture,) = captures
            assert capture.capture_id and capture.order_id == row.id and capture.status == "PUBLISHED"
            assert capture.acquired_at.tzinfo == timezone.utc and capture.published_at >= capture.acquired_at
            assert capture.item_id and capture.cloud_cover == 4.0 and capture.geometry["type"] == "Polygon"
        else:
            assert len(captures) == 0
    assert OrderStatus.FULFILLED in statuses, statuses

    # Pixxel: a catalog per fulfilled task, with a signed URL that downloads the product without auth
    fulfilled = [o for o in pixxel_orders if pixxel.orders.get(o.id).status is OrderStatus.FULFILLED]
    assert fulfilled
    products = pixxel.deliveries.list(fulfilled[0].id)
    assert len(products) >= 1
    product = products[0]
    assert product.status == "SUCCESS" and product.item_id == fulfilled[0].items[0].id
    assert product.url.startswith(sandbox.url + "/storage/pixxel/") and product.expires_at > sandbox.now()
    download = httpx.get(product.url, timeout=30)
    assert download.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert any(n.endswith("metadata.json") for n in names)
    frame = products.to_geodataframe()
    assert list(frame.columns[:4]) == ["provider", "id", "order_id", "item_id"]
    assert str(frame["acquired_at"].dtype) == "datetime64[ns, UTC]" and frame.crs == "EPSG:4326"

    # Geopera: the delivered STAC items, with the order's coverage
    assert geopera.orders.get(geopera_order.id).status is OrderStatus.FULFILLED
    items = geopera.deliveries.list(geopera_order.id)
    assert len(items) == 1 and items[0].url.endswith("/image.tif") and items[0].covered_percent == 100.0
    assert items[0].geometry is not None and items[0].acquired_at is not None


def test_deliveries_of_an_unknown_order_is_not_found_naming_it(sandbox, connect):
    """An order id the provider does not know is ``NotFound`` naming the id, at every provider; a known
    order with nothing delivered yet is an empty list (the lookup that tells them apart costs one call)."""
    for api in ("planet", "pixxel", "geopera"):
        client = connect(api)
        with pytest.raises(pixorder.NotFound) as info:
            client.deliveries.list("no-such-order")
        assert "no-such-order" in str(info.value), (api, str(info.value))
        order = client.orders.create(request(field(60), name="known"))
        assert client.deliveries.list(order.id) == [], api
