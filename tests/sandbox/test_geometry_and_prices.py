"""Unit tests of the sandbox's own geometry helpers and price book."""

from __future__ import annotations

import pytest
from shapely.geometry import LineString, shape

from pixorder.sandbox import price_book
from pixorder.sandbox.geometry import (
    GeometryError,
    area_km2,
    line_strip,
    parse_geometry,
    point_square,
    utm_epsg,
)


@pytest.mark.parametrize("lon, lat", [(149.44135, 28.4924), (0.0, 0.0), (-70.5, -33.4), (179.9, 65.0), (10.0, 78.0)])
def test_point_square_is_25_km2_anywhere(lon: float, lat: float) -> None:
    square = point_square(lon, lat)
    assert area_km2(square) == pytest.approx(25.0, abs=0.3)
    assert shape(square).centroid.distance(shape({"type": "Point", "coordinates": [lon, lat]})) < 1e-3


def test_strip_rules() -> None:
    with pytest.raises(GeometryError, match="minimum"):
        line_strip(LineString([(0, 0), (0.05, 0)]))
    with pytest.raises(GeometryError, match="maximum"):
        line_strip(LineString([(0, 0), (0.95, 0)]))
    strip = line_strip(LineString([(0, 0), (0.5, 0)]))
    assert area_km2(strip) == pytest.approx(5 * 55.66, rel=0.01)


def test_parse_geometry_messages() -> None:
    for bad in (None, {"type": "Point"}, {"type": "Point", "coordinates": [0, 95]}, {"type": "Circle"},
                {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}):
        with pytest.raises(GeometryError):
            parse_geometry(bad)


def test_utm_zone() -> None:
    assert utm_epsg(149.44, 28.49) == 32655 and utm_epsg(-70.5, -33.4) == 32719


def test_price_book_minimums_and_uplifts_are_deterministic() -> None:
    plain = price_book.planet_pricing(3.0, price_book.planet_multipliers())
    assert plain["estimated_quota_cost"] == 25.0 and plain["pricing_model"]["base_price"] == 25.0
    pixxel = price_book.pixxel_quote(40, "VNIR", delivery_speed="EXPEDITED", cloud_cover=5)
    assert pixxel["area"] == 100 and pixxel["base_amount"] == 1000.0
    assert [u["percentage"] for u in pixxel["uplifts"]] == [20, 15] and pixxel["final_amount"] == 1350.0
    assert price_book.pixxel_quote(40, "VNIR", delivery_speed="EXPEDITED", cloud_cover=5) == pixxel
    geopera = price_book.geopera_quote("sandbox-optical-50cm", 10, max_off_nadir=5, occurrences=2)
    assert geopera["billable_km2"] == 25.0 and geopera["aud"] == pytest.approx(25 * 22 * 2 * 1.1)
