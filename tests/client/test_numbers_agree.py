"""Numbers that agree (issue 14): the same AOI priced and ordered gives the same areas and amounts,
price per billed km² × billed area = amount, an area is never counted twice, and each area says what
it is (drawn: pixorder's measure of the AOI; billed: the provider's count, with its rounding)."""

import math
from datetime import timedelta

import httpx
import pytest
import shapely.geometry

import pixorder
from pixorder import AOI, ArchiveRequest
from tests.client.conftest import request

BENGALURU = AOI.from_bounds(77.50, 12.90, 77.62, 13.00, name="Bengaluru")  # notebook 04's AOI, 144.05 km²


def _two_clearest_scenes(client, sandbox):
    since = (sandbox.now() - timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ")
    found = httpx.post(f"{client.base_url}/v0/archives/search", timeout=30,
                       headers={"Authorization": sandbox.keys["pixxel"]},
                       json={"intersects": BENGALURU.__geo_interface__, "datetime": f"{since}/..", "limit": 50})
    found.raise_for_status()
    features = found.json()["features"]
    features.sort(key=lambda f: (f["properties"].get("eo:cloud_cover", 0), f["id"]))
    return [f["id"] for f in features[:2]], features[:2]


def test_pixxel_archive_bills_each_scene_and_the_price_per_km2_adds_up(sandbox, connect):
    client = connect("pixxel")
    ids, scenes = _two_clearest_scenes(client, sandbox)
    rate = 5.0  # USD per km² of VNIR archive in the sandbox's price book (half the tasking rate)
    archive = ArchiveRequest(aoi=BENGALURU, item_ids=ids, name="Bengaluru archive")
    quote = client.pricing.estimate(archive)
    # Each scene is billed its clip of the AOI in whole km² rounded up, at least 100 km² (in notebook 04
    # the two clearest scenes cover 130 km² and a 14 km² corner: 130 + 100 = 230 km² at 5 USD = 1,150 USD;
    # before, the quote said 144 km² billed for the same 1,150 USD).
    clips = [shapely.geometry.shape(f["geometry"]).intersection(shapely.geometry.shape(BENGALURU.__geo_interface__))
             for f in scenes]
    expected = sum(max(math.ceil(AOI(clip).area_km2), 100) for clip in clips)
    assert quote.area_km2 == pytest.approx(144.05, abs=0.01)
    assert quote.billed_area_km2 == expected
    assert quote.amount == expected * rate
    assert quote.amount_per_km2 == rate
    assert quote.amount_per_km2 * quote.billed_area_km2 == quote.amount

    order = client.orders.create(archive, max_amount=quote.amount)
    assert (order.area_km2, order.billed_area_km2, order.amount) == (quote.area_km2, expected, quote.amount)
    again = client.orders.get(order.id)
    assert (again.billed_area_km2, again.amount) == (expected, quote.amount)
    assert again.items[0].billed_area_km2 == expected


def test_geopera_archive_counts_the_aoi_once_and_bills_each_capture(connect):
    client = connect("geopera")
    archive = ArchiveRequest(aoi=BENGALURU, item_ids=["example-capture-0001", "example-capture-0002"])
    quote = client.pricing.estimate(archive)
    assert quote.area_km2 == pytest.approx(144.05, abs=0.01)
    assert quote.billed_area_km2 == pytest.approx(2 * 144.049, abs=0.001)  # two captures, 12 AUD/km² each
    assert quote.amount == pytest.approx(quote.billed_area_km2 * 12.0, abs=0.01)
    assert quote.amount_per_km2 == pytest.approx(12.0, abs=1e-4)

    placed = client.orders.create(archive, max_amount=quote.amount)
    order = client.orders.get(placed.id)
    assert order.area_km2 == pytest.approx(quote.area_km2, abs=0.01)  # was 288.1: the AOI counted per capture
    assert order.billed_area_km2 == pytest.approx(quote.billed_area_km2, abs=0.001)
    assert order.amount == quote.amount
    frame = client.orders.list().to_geodataframe()
    row = frame[frame["id"] == order.id].iloc[0]
    assert row["area_km2"] == pytest.approx(144.05, abs=0.01) and row["billed_area_km2"] == pytest.approx(288.098)


def test_pixxel_point_order_shows_drawn_and_billed_and_two_statuses(connect):
    client = connect("pixxel")
    point = {"type": "Point", "coordinates": [77.5, 12.9]}  # a 5×5 km square
    quote = client.pricing.estimate(request(point))
    order = client.orders.create(request(point), max_amount=quote.amount)
    assert order.area_km2 == pytest.approx(25.0, abs=0.01)  # drawn (Pixxel's own measure is in raw)
    assert order.billed_area_km2 == 100.0  # Pixxel's minimum
    assert (quote.area_km2, quote.billed_area_km2, quote.amount) == (order.area_km2, 100.0, order.amount)
    # Pixxel's order.status is a payment status: the life cycle (DRAFT until placed with the satellite
    # operator) and the payment are two things, never "status DRAFT (PAID)".
    assert (str(order.status), order.provider_status, order.payment_status) == ("DRAFT", "DRAFT", "PAID")
    row = client.orders.list().to_geodataframe().set_index("id").loc[order.id]
    assert (row["status"], row["provider_status"], row["payment_status"]) == ("DRAFT", "DRAFT", "PAID")
    assert row["billed_area_km2"] == 100.0
    assert "status=DRAFT payment=PAID" in repr(order)


def test_planet_order_area_is_the_drawn_one_and_billed_is_planets(connect):
    client = connect("planet")
    aoi = AOI.from_bounds(10.0, 50.0, 10.8, 50.5)
    placed = client.orders.create(request(aoi))
    order = client.orders.get(placed.id)
    assert order.area_km2 == pytest.approx(aoi.area_km2, abs=0.005)
    assert order.billed_area_km2 == round(order.raw["requested_sqkm"], 3)  # Planet's measure, to 0.001 km²
    assert order.billed_area_km2 == pytest.approx(aoi.area_km2, abs=0.05)


def test_amount_per_km2_is_per_billed_km2():
    quote = pixorder.Quote(provider="pixxel", amount=1000.0, unit="USD", area_km2=25.0, billed_area_km2=100.0)
    assert quote.amount_per_km2 == 10.0  # not 40: the 25 km² drawn are billed as 100


def test_a_sensor_typo_points_to_the_public_call(connect):
    """Geopera's own message says "see orders.tasking.sensors" (an operation id); a user calls client.sensors()."""
    typo = request(sensor="pneo-3cm")
    with pytest.raises(pixorder.ApiError) as priced:
        connect("geopera").pricing.estimate(typo)
    with pytest.raises(pixorder.ApiError) as ordered:
        connect("geopera").orders.create(typo)
    with pytest.raises(pixorder.ApiError) as pixxel:
        connect("pixxel").pricing.estimate(request(bandset="VNR"))
    for raised in (priced, ordered, pixxel):
        assert "see client.sensors()" in str(raised.value)
        assert "orders.tasking.sensors" not in str(raised.value) and "/v0/bandsets" not in str(raised.value)
    assert "Unknown sensor 'pneo-3cm'" in str(priced.value)


@pytest.mark.parametrize("api", ["pixxel", "planet", "geopera"])
def test_billed_area_agrees_through_check_the_quote_and_the_placed_order(connect, api):
    """The same AOI (≈113.4 km², not a whole number) through check(), the quote and the placed order."""
    import pixorder

    client = connect(api)
    aoi = pixorder.AOI({"type": "Polygon", "coordinates": [[[10.0, 50.0], [10.14235, 50.0], [10.14235, 50.1],
                                                              [10.0, 50.1], [10.0, 50.0]]]})
    assert 113.0 < aoi.area_km2 < 114.0 and aoi.area_km2 != round(aoi.area_km2)
    sensor = None
    if api == "geopera":
        sensor = next(s for s in client.sensors() if s.id == "pneo-30cm")
    checked = aoi.billed_area_km2(api, sensor=sensor)
    said = " ".join(c.message for c in aoi.check(api, sensor=sensor))
    assert f"{checked:,.2f} km²" in said or f"{checked:,.0f} km²" in said, said
    req = pixorder.TaskingRequest(aoi=aoi, start="2027-03-01", end="2027-03-21",
                                  sensor=sensor.id if sensor else None, name="numbers agree")
    quote = client.pricing.estimate(req)
    order = client.orders.create(req)
    assert round(quote.billed_area_km2, 2) == round(checked, 2), (quote.billed_area_km2, checked)
    if order.billed_area_km2 is not None:
        assert round(order.billed_area_km2, 2) == round(checked, 2), (order.billed_area_km2, checked)
    if api == "pixxel":
        assert checked == 114.0  # Pixxel bills whole km², rounded up
    else:
        assert checked == pytest.approx(aoi.area_km2, abs=0.005)
