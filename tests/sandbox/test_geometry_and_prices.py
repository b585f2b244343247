"""Unit tests of the sandbox's own geometry helpers and price book."""

from __future__ import annotations

from typing import Any

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


def _per_centre(lon0: float, lat0: float) -> tuple[Any, Any]:
    """The local projection as one PROJ pipeline per centre (what the shared pipeline must equal)."""
    from pyproj import Transformer

    tmerc = f"+proj=tmerc +lat_0={lat0} +lon_0={lon0} +k=1 +x_0=0 +y_0=0 +ellps=WGS84"
    return (Transformer.from_pipeline(f"+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step {tmerc}"),
            Transformer.from_pipeline(f"+proj=pipeline +step +inv {tmerc} +step +proj=unitconvert +xy_in=rad +xy_out=deg"))


def test_shared_projection_equals_a_pipeline_per_centre_to_the_bit() -> None:
    """Areas round to whole km² (Pixxel) and 0.001 km² (Planet, Geopera): a client's 5×5 km square measures
    25 km² within 1e-12, so only the very same figures keep every price and area as they were."""
    import random

    import shapely
    from shapely.geometry import MultiPolygon, box

    from pixorder.sandbox.geometry import areas_km2, from_local, lengths_km

    rng = random.Random(3)
    shapes: list[Any] = []
    for i in range(300):
        lon, lat = rng.uniform(-180, 178), rng.uniform(-85, 84)
        cell = box(lon, lat, min(lon + rng.uniform(0.001, 1.5), 180), lat + rng.uniform(0.001, 1.0))
        shapes.append(MultiPolygon([cell, box(lon, lat + 2, lon + 0.3, lat + 2.2)]) if i % 5 == 0 else cell)
    lines = [LineString([(x, y), (x + rng.uniform(-0.4, 0.4), y + rng.uniform(-0.4, 0.4))])
             for x, y in ((rng.uniform(-179, 179), rng.uniform(-80, 80)) for _ in range(100))]
    for geoms, measured, measure in ((shapes, areas_km2(shapes), "area"), (lines, lengths_km(lines), "length")):
        for geom, figure in zip(geoms, measured):
            centre = geom.centroid
            forward, _ = _per_centre(round(centre.x, 2), round(centre.y, 2))
            projected = shapely.transform(geom, forward.transform, interleaved=False)
            assert figure == getattr(projected, measure) / (1e6 if measure == "area" else 1000)
    for lon, lat in ((149.44135, 28.4924), (-179.99, -45.0), (180.0, 0.0), (12.3, 89.9), (-0.0, -0.0)):
        _, inverse = _per_centre(lon, lat)
        xs, ys = [-2500.0, 2500.0, 1234.5], [-2500.0, 2500.0, -77.25]
        expected = inverse.transform(xs, ys)
        assert [list(v) for v in from_local(xs, ys, lon, lat)] == [list(v) for v in expected]


def test_batch_parse_gives_each_geometry_or_error_as_parse_geometry_does() -> None:
    import random

    import shapely

    from pixorder.sandbox.geometry import parse_geometries

    rng = random.Random(8)

    def ring() -> list[Any]:
        x, y, d = rng.uniform(-181, 179), rng.uniform(-91, 89), rng.choice([0.01, 1.0, 3.0])
        points: list[Any] = [[x, y], [x + d, y], [x + d, y + d], [x, y + d]]
        kind = rng.randrange(9)
        if kind == 0:
            points[1], points[2] = points[2], points[1]  # a bow tie
        elif kind == 1:
            points = points[:2]  # too few
        elif kind == 2:
            points[1] = [x + d, y, 3.0]  # a third coordinate
        elif kind == 3:
            points[2] = ["1", 2]
        elif kind == 4:
            points = [[int(a), int(b)] for a, b in points[:3]]
        elif kind == 5:
            points[0] = [float("nan"), y]
        return points + [list(points[0])] if rng.random() < 0.7 else points

    cases: list[Any] = [{"type": "Polygon", "coordinates": [ring()]} for _ in range(400)]
    cases += [{"type": "Polygon", "coordinates": [ring(), ring()]}, {"type": "Point", "coordinates": [1, 2]}, None,
              {"type": "Polygon", "coordinates": []}, {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}]
    for allowed in (("Polygon", "MultiPolygon"), ("Point", "LineString", "Polygon")):
        for geojson, batch in zip(cases, parse_geometries(cases, allowed)):
            try:
                single: Any = parse_geometry(geojson, allowed)
            except GeometryError as exc:
                assert isinstance(batch, GeometryError) and str(batch) == str(exc)
            else:
                assert shapely.to_wkb(batch) == shapely.to_wkb(single)
