"""Multi-part AOIs at Planet (one order per part) and AOIs from frames through compare(), against the sandbox."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

import pixorder
from pixorder.aoi import AOI
from pixorder.client.core import split_parts
from pixorder.frames import to_geodataframe
from tests.client.conftest import END, START

DATA = Path(__file__).parents[1] / "data" / "aoi"


def test_two_fields_price_at_planet_as_two_orders_with_a_total(connect):
    client = connect("planet")
    aoi = AOI(DATA / "two_fields.geojson")
    req = pixorder.TaskingRequest(aoi=aoi, start=START, end=END)
    quote = client.pricing.estimate(req)
    assert quote.error is None and len(quote.parts) == 2
    assert [p.part for p in quote.parts] == [0, 1]
    assert quote.amount == pytest.approx(sum(p.amount for p in quote.parts))
    assert quote.billed_area_km2 == pytest.approx(aoi.billed_area_km2("planet"), abs=0.005)  # to the cent of a km²
    for check in aoi.check("planet"):
        assert check.billed_area_km2 == pytest.approx(quote.billed_area_km2, abs=0.005)
    frame = pixorder.compare(aoi, {"start": START, "end": END}, providers=[client])
    assert len(frame) == 3 and list(frame["part"].astype("Int64").fillna(-1)) == [0, 1, -1]
    assert frame["amount"].iloc[2] == pytest.approx(frame["amount"].iloc[:2].sum())


def test_two_fields_place_at_planet_as_two_orders(connect, sandbox):
    client = connect("planet")
    req = pixorder.TaskingRequest(aoi=DATA / "two_fields.geojson", start=START, end=END, name="fields")
    order = client.orders.create(req, reference="pxo-0123456789abcdef")
    assert [p.reference for p in order.parts] == ["pxo-0123456789abcdef-p1", "pxo-0123456789abcdef-p2"]
    assert len({p.id for p in order.parts}) == 2 and order.reference == "pxo-0123456789abcdef"
    for part in order.parts:
        placed = client.orders.get(part.id)
        assert placed.geometry["type"] == "Polygon"  # one polygon per order, as Planet takes
        assert client.orders.reconcile(part.reference).id == part.id


def test_an_ambiguous_part_names_every_reference(connect, sandbox):
    from pixorder import errors as E

    client = connect("planet", retries=0)
    req = pixorder.TaskingRequest(aoi=DATA / "two_fields.geojson", start=START, end=END)
    parts, owners = split_parts("planet", [req])
    assert len(parts) == 2 and owners == [0, 0]
    assert split_parts("pixxel", [req])[0] == [req]  # Pixxel takes a multi-part AOI whole
    sandbox.faults(rate=1.0, drop_after=True, provider="planet", seed=3)  # every answer lost after commit
    try:
        with pytest.raises(E.AmbiguousSpend) as err:
            client.orders.create(req, reference="pxo-fedcba9876543210")
    finally:
        sandbox.faults(rate=0)
    references = ["pxo-fedcba9876543210-p1", "pxo-fedcba9876543210-p2"]
    assert err.value.references == references
    assert all(r in str(err.value) for r in references)
    assert [client.orders.reconcile(r) is not None for r in references] == [True, True]  # both were committed


def test_geodataframe_in_web_mercator_and_geoseries_price_through_compare(connect):
    client = connect("geopera")
    field = shapely.box(10.0, 50.0, 10.06, 50.04)
    frame = gpd.GeoDataFrame({"name": ["field"]}, geometry=[field], crs=4326).to_crs(3857)
    expected = AOI(field).area_km2
    for value in (frame, frame.geometry):
        quotes = pixorder.compare(value, {"start": START, "end": END}, providers=[client])
        assert len(quotes) == 1 and quotes["error"].isna().all()
        assert quotes["area_km2"].iloc[0] == pytest.approx(expected, rel=1e-6)


def test_a_multi_part_order_carries_the_billed_total_of_its_quote(connect):
    """The order placed (or dry-run) for a multi-part AOI bills what its quote bills: the parts' total,
    each part its own; so do the rows of create_many and the order frame."""
    client = connect("planet")
    req = pixorder.TaskingRequest(aoi=DATA / "two_fields.geojson", start=START, end=END, name="fields")
    quote = client.pricing.estimate(req)
    assert quote.billed_area_km2 and len(quote.parts) == 2
    placed = client.orders.create(req)
    (row,) = client.orders.create_many([req])
    # (an order placed reads Planet's requested_sqkm, to the thousandth of a km²: equal to the cent)
    for order in (client.orders.create(req, dry_run=True), placed, row):
        assert order.billed_area_km2 == pytest.approx(quote.billed_area_km2, abs=0.005), order
        assert [p.billed_area_km2 for p in order.parts] == pytest.approx([q.billed_area_km2 for q in quote.parts],
                                                                          abs=0.005)
    frame = to_geodataframe([placed])
    assert frame["billed_area_km2"].iloc[0] == pytest.approx(quote.billed_area_km2, abs=0.005)
    one = pixorder.TaskingRequest(aoi=AOI(DATA / "two_fields.geojson").parts()[0], start=START, end=END)
    assert client.orders.create(one, dry_run=True).billed_area_km2 == pytest.approx(
        client.pricing.estimate(one).billed_area_km2)
