"""AOI: inputs, geometry rules, areas against pyproj.Geod, provider rule checks, exports."""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from pixorder.aoi import AOI, RuleCheck, areas_km2
from pixorder.errors import ValidationError

DATA = Path(__file__).parent / "data" / "aoi"
GEOD = pyproj.Geod(ellps="WGS84")

PLANET_POINT = (149.44135, 28.49240)
# Planet's documented 5×5 km square for that point: south-west and north-east corners.
PLANET_SW = (149.415829, 28.469843)
PLANET_NE = (149.466896, 28.514958)
DOC_STRIP = [[10.92041015625, 48.91527985344383], [10.78857421875, 49.0738659012854]]


def geod_km2(geom) -> float:
    """Reference area; Geod sums signed ring areas, so holes must be wound against the exterior."""
    return abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))[0]) / 1e6


def geod_m(a, b) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def square(lon: float, lat: float, size: float) -> shapely.Polygon:
    return shapely.box(lon, lat, lon + size, lat + size)


def raises(field: str, match: str | None = None):
    """pytest.raises for a ValidationError on ``field``; the caller checks ``.value`` further if needed."""
    return pytest.raises(ValidationError, match=rf"^{field}: .*" + (match or ""))


# ------------------------------------------------------------------------------------------- areas
HOLED = shapely.MultiPolygon(
    [
        shapely.Polygon(
            [(20, 60), (20.8, 60), (20.8, 60.6), (20, 60.6)],
            [[(20.2, 60.2), (20.2, 60.4), (20.5, 60.4), (20.5, 60.2)]],
        ),
        shapely.Polygon([(21.5, 60.0), (22.0, 60.3), (21.4, 60.5)]),
    ]
)
AREA_CASES = {
    "1x1 equator": square(10, 0, 1),
    "1x1 lat 45": square(10, 45, 1),
    "1x1 lat 60": square(-70, 60, 1),
    "1x1 lat 69-70": square(100, 69, 1),
    "1x1 lat -46..-45": square(150, -46, 1),
    "1x1 lat -70": square(-10, -70, 1),
    "0.1 box lat 60": square(5, 60, 0.1),
    "0.01 box lat 45": square(5, 45, 0.01),
    "triangle lat 45": shapely.Polygon([(10, 45), (10.9, 45.2), (10.3, 45.95)]),
    "thin diagonal strip lat 70": shapely.Polygon([(0, 69.0), (0.05, 69.0), (1.0, 69.95), (0.95, 69.95)]),
    "multipolygon with a hole lat 60": HOLED,
}


@pytest.mark.parametrize("geom", AREA_CASES.values(), ids=AREA_CASES.keys())
def test_area_matches_geodesic_area(geom):
    aoi = AOI(geom)
    assert aoi.area_km2 == pytest.approx(geod_km2(geom), rel=5e-3)
    # in fact far closer than the 0.5 % promised
    assert aoi.area_km2 == pytest.approx(geod_km2(geom), rel=1e-5)


@pytest.mark.parametrize(
    "ring",
    [
        [[179.5, 10], [180.5, 10], [180.5, 11], [179.5, 11], [179.5, 10]],  # longitudes beyond 180
        [[179.5, 10], [-179.5, 10], [-179.5, 11], [179.5, 11], [179.5, 10]],  # ring jumps across ±180
        [[-179.5, -60], [-180.5, -60], [-180.5, -61], [-179.5, -61], [-179.5, -60]],  # beyond -180, south
    ],
    ids=["0..360 convention", "jump across 180", "beyond -180"],
)
def test_antimeridian_polygon_is_split_and_keeps_its_area(ring):
    aoi = AOI({"type": "Polygon", "coordinates": [ring]})
    west, south, east, north = aoi.bounds
    assert aoi.geometry.geom_type == "MultiPolygon" and aoi.n_parts == 2
    assert (west, east) == (-180.0, 180.0)
    for part in aoi.geometry.geoms:
        lons = shapely.get_coordinates(part)[:, 0]
        assert lons.min() >= -180 and lons.max() <= 180
        assert part.exterior.is_ccw
        assert geod_km2(part) == pytest.approx(geod_km2(aoi.geometry) / 2, rel=1e-3)  # split at 180, mid-way
    lats = [p[1] for p in ring]
    west_edge = 179.5 if ring[0][0] > 0 else -180.5
    unsplit = shapely.box(west_edge, min(lats), west_edge + 1, max(lats))  # Geod takes longitudes beyond 180
    assert aoi.area_km2 == pytest.approx(geod_km2(unsplit), rel=5e-3)
    assert aoi.area_km2 == pytest.approx(geod_km2(unsplit), rel=1e-4)
    assert aoi.part_gap_km == 0.0  # the halves touch at the antimeridian


def test_antimeridian_conventions_give_the_same_aoi():
    beyond = AOI(
        {"type": "Polygon", "coordinates": [[[179.5, 0], [180.5, 0], [180.5, 1], [179.5, 1], [179.5, 0]]]}
    )
    jump = AOI(
        {"type": "Polygon", "coordinates": [[[179.5, 0], [-179.5, 0], [-179.5, 1], [179.5, 1], [179.5, 0]]]}
    )
    box = AOI.from_bounds(179.5, 0, -179.5, 1)
    assert beyond == jump == box


def test_a_shape_round_the_whole_globe_is_refused_in_words_that_say_so():
    """box(-180, -90, 180, 90) (the world, a newcomer's first try) said "Too few points in geometry
    component at (-180, -90)": its edge from -180° to 180° reads as crossing ±180° with no width."""
    for world in (shapely.box(-180, -90, 180, 90), shapely.box(-180, 40, 180, 50)):
        with pytest.raises(ValidationError, match="the whole way round the globe: an AOI must span less than 360°"):
            AOI(world)
    # a box written across ±180° is still read as crossing it (20° wide, not 340°)
    assert AOI(shapely.box(-170, 40, 170, 50)) == AOI(shapely.box(170, 40, 190, 50))
    assert AOI(shapely.box(-170, 40, 170, 50)).area_km2 == pytest.approx(1_748_003, rel=1e-6)


def test_longitude_out_of_range_is_brought_back_by_whole_turns():
    # Issue 14: longitudes beyond ±180 are moved by whole turns (this test refused them before).
    aoi = AOI({"type": "Polygon", "coordinates": [[[190, 0], [191, 0], [191, 1], [190, 1], [190, 0]]]})
    assert aoi.bounds == pytest.approx((-170, 0, -169, 1))
    assert aoi.area_km2 == pytest.approx(geod_km2(shapely.box(-170, 0, -169, 1)), rel=1e-9)
    assert "longitudes moved by -360°" in aoi.report
    assert AOI({"type": "Point", "coordinates": [181, 0]}) == AOI({"type": "Point", "coordinates": [-179, 0]})


def test_areas_km2_matches_geod_on_random_polygons():
    rng = np.random.default_rng(20240611)
    polys = []
    for _ in range(400):
        lat = rng.uniform(-70, 70)
        lon = rng.uniform(-179, 179)
        size = 10 ** rng.uniform(-2.5, 0)  # ~300 m to 1°
        n = int(rng.integers(3, 40))
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
        radii = size * rng.uniform(0.4, 1.0, n) / 2
        xy = np.column_stack(
            [lon + radii * np.cos(angles) / np.cos(np.radians(lat)), lat + radii * np.sin(angles)]
        )
        polys.append(shapely.Polygon(xy))
    polys.append(HOLED)
    polys.append(shapely.Polygon([(0, 0), (0, 1), (1, 1), (1, 0)]))  # clockwise
    expected = np.array([geod_km2(p) for p in polys])
    got = areas_km2(polys)
    assert got.shape == (len(polys),)
    rel = np.abs(got / expected - 1)
    assert rel.max() < 1e-4, f"worst relative error {rel.max():.2e}"
    assert rel.max() < 1e-7  # measured: 8.5e-10
    # the same answer for a shapely array and for one geometry at a time
    assert np.array_equal(areas_km2(np.array(polys, dtype=object)), got)
    assert areas_km2(polys[0])[0] == got[0]


def test_areas_km2_follows_geodesic_edges_on_large_polygons():
    # Edges of several degrees bend away from great circles; a spherical formula alone is off by ~5e-4 here.
    rng = np.random.default_rng(7)
    polys = []
    for _ in range(100):
        lat, lon, size = rng.uniform(-65, 65), rng.uniform(-170, 170), rng.uniform(2, 6)
        n = int(rng.integers(3, 12))
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
        radii = size * rng.uniform(0.3, 1.0, n) / 2
        xy = np.column_stack(
            [lon + radii * np.cos(angles) / np.cos(np.radians(lat)), lat + radii * np.sin(angles)]
        )
        polys.append(shapely.Polygon(xy))
    expected = np.array([geod_km2(p) for p in polys])
    rel = np.abs(areas_km2(polys) / expected - 1)
    assert rel.max() < 1e-5, f"worst relative error {rel.max():.2e}"  # measured: 3.7e-7


def test_areas_km2_other_inputs():
    got = areas_km2([None, shapely.Point(0, 0), shapely.LineString([(0, 0), (1, 1)]), square(0, 0, 0.1)])
    assert math.isnan(got[0]) and got[1] == 0 and got[2] == 0
    assert got[3] == pytest.approx(geod_km2(square(0, 0, 0.1)), rel=1e-6)
    series = gpd.GeoSeries([square(0, 0, 0.1), HOLED], crs=4326)
    assert areas_km2(series) == pytest.approx([geod_km2(square(0, 0, 0.1)), geod_km2(HOLED)], rel=1e-6)
    assert areas_km2([]).shape == (0,)


@settings(max_examples=60, deadline=None)
@given(
    lon=st.floats(-179, 178),
    lat=st.floats(-70, 69),
    width=st.floats(0.01, 1.0),
    height=st.floats(0.01, 1.0),
    clockwise=st.booleans(),
)
def test_any_box_is_ccw_and_its_area_is_geodesic(lon, lat, width, height, clockwise):
    ring = [(lon, lat), (lon + width, lat), (lon + width, lat + height), (lon, lat + height)]
    aoi = AOI(shapely.Polygon(ring[::-1] if clockwise else ring))
    assert aoi.geometry.exterior.is_ccw
    assert aoi.area_km2 == pytest.approx(geod_km2(shapely.Polygon(ring)), rel=5e-3)


# ----------------------------------------------------------------------------------- points, strips
def test_point_becomes_planets_5km_square():
    aoi = AOI({"type": "Point", "coordinates": list(PLANET_POINT)})
    assert aoi.kind == "point"
    assert aoi.area_km2 == pytest.approx(25, abs=0.3)
    assert geod_km2(aoi.geometry) == pytest.approx(25, abs=0.3)
    west, south, east, north = aoi.bounds
    assert geod_m((west, south), PLANET_SW) < 10  # metres
    assert geod_m((east, north), PLANET_NE) < 10
    assert aoi.original_geometry.equals(shapely.Point(PLANET_POINT))
    # the square is centred on the point and its sides are 5 km
    assert geod_m((west, PLANET_POINT[1]), PLANET_POINT) == pytest.approx(2500, abs=5)
    assert geod_m((PLANET_POINT[0], north), PLANET_POINT) == pytest.approx(2500, abs=5)
    assert aoi.n_vertices > 5  # edges densified


def test_documented_strip():
    aoi = AOI({"type": "LineString", "coordinates": DOC_STRIP})
    assert aoi.kind == "strip"
    length = geod_m(DOC_STRIP[0], DOC_STRIP[1]) / 1000
    assert aoi.length_km == pytest.approx(length, rel=1e-9)
    assert aoi.length_km == pytest.approx(20.5, rel=0.03)  # the documentation's rounded figure
    assert 95 <= aoi.area_km2 <= 106
    assert aoi.area_km2 == pytest.approx(aoi.length_km * 5, rel=0.01)  # 5 km wide, flat ends
    assert aoi.area_km2 == pytest.approx(geod_km2(aoi.geometry), rel=1e-5)
    assert aoi.original_geometry.equals(shapely.LineString(DOC_STRIP))


@pytest.mark.parametrize(("end", "measured"), [((10.0, 50.027), "3.0"), ((12.1, 50.0), "150.")])
def test_strip_length_out_of_range(end, measured):
    line = [[10.0, 50.0], list(end)]
    expected = geod_m(line[0], line[1]) / 1000
    with raises("length_km", rf"strip length must be between 6 and 100 km \(measured {measured}") as err:
        AOI({"type": "LineString", "coordinates": line})
    assert err.value.field == "length_km"
    assert err.value.value == pytest.approx(expected, abs=1e-3)


def test_strip_across_antimeridian():
    aoi = AOI(shapely.LineString([(179.95, -17.0), (-179.95, -17.0)]))  # ~10.6 km along the parallel
    assert aoi.kind == "strip" and aoi.geometry.geom_type == "MultiPolygon"
    assert aoi.length_km == pytest.approx(geod_m((179.95, -17.0), (180.05, -17.0)) / 1000, rel=1e-9)
    assert aoi.area_km2 == pytest.approx(aoi.length_km * 5, rel=0.01)


# -------------------------------------------------------------------------------- validity, winding
BOWTIE = {"type": "Polygon", "coordinates": [[[10, 40], [11, 41], [11, 40], [10, 41], [10, 40]]]}


def test_bowtie_is_refused_with_the_crossing_point():
    with raises("geometry", r"polygon crosses itself at \(10\.5, 40\.5\)"):
        AOI(BOWTIE)


def test_bowtie_repaired():
    aoi = AOI(BOWTIE, repair=True)
    assert aoi.geometry.is_valid and aoi.geometry.geom_type == "MultiPolygon"
    triangles = shapely.MultiPolygon(
        [
            shapely.Polygon([(10, 40), (10.5, 40.5), (10, 41)]),
            shapely.Polygon([(11, 40), (11, 41), (10.5, 40.5)]),
        ]
    )
    assert aoi.area_km2 == pytest.approx(geod_km2(triangles), rel=1e-4)


def test_clockwise_input_comes_out_counter_clockwise_with_holes_clockwise():
    shell_cw = [[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]
    hole_ccw = [[0.2, 0.2], [0.4, 0.2], [0.4, 0.4], [0.2, 0.4], [0.2, 0.2]]
    assert not shapely.LinearRing(shell_cw).is_ccw and shapely.LinearRing(hole_ccw).is_ccw
    aoi = AOI({"type": "Polygon", "coordinates": [shell_cw, hole_ccw]})
    assert aoi.geometry.exterior.is_ccw
    assert len(aoi.geometry.interiors) == 1 and not aoi.geometry.interiors[0].is_ccw
    full, hole = geod_km2(shapely.box(0, 0, 1, 1)), geod_km2(shapely.box(0.2, 0.2, 0.4, 0.4))
    assert aoi.area_km2 == pytest.approx(full - hole, rel=1e-6)
    mapping = aoi.__geo_interface__
    assert len(mapping["coordinates"]) == 2


def test_open_ring_is_closed():
    aoi = AOI({"type": "Polygon", "coordinates": [[[0, 0], [0.1, 0], [0.1, 0.1], [0, 0.1]]]})
    ring = aoi.to_feature()["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5
    assert aoi.area_km2 == pytest.approx(geod_km2(square(0, 0, 0.1)), rel=1e-6)


@pytest.mark.parametrize(
    ("source", "field", "match"),
    [
        ({"type": "Point", "coordinates": [float("nan"), 10]}, "geometry.coordinates", "finite"),
        ('{"type": "Point", "coordinates": [NaN, 10]}', "geometry.coordinates", "finite"),
        (shapely.Polygon([(0, 0), (1, 0), (1, float("inf")), (0, 1)]), "geometry.coordinates", "finite"),
        ({"type": "Point", "coordinates": [10, 95]}, "geometry.coordinates", "latitude"),
        (shapely.box(0, 89, 1, 91), "geometry.coordinates", "latitude"),
        ({"type": "FeatureCollection", "features": []}, "geometry", "the FeatureCollection has no features"),
        ({"type": "GeometryCollection", "geometries": []}, "geometry", "empty"),
        ({"type": "Polygon", "coordinates": []}, "geometry", "empty"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]},
            "geometry.coordinates",
            "at least 4",
        ),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0]]]}, "geometry.coordinates", "at least 4"),
        (
            {"type": "Polygon", "coordinates": [[["0", "0"], [1, 0], [1, 1]]]},
            "geometry.coordinates",
            "number",
        ),
        ({"type": "LineString", "coordinates": [[0, 0]]}, "geometry.coordinates", "at least 2"),
        ({"type": "Feature", "geometry": None, "properties": {}}, "geometry", "without geometry"),
        ({"type": "Circle", "coordinates": [0, 0]}, "geometry", "must be a GeoJSON"),
        ("not json, not wkt", "path", "neither GeoJSON, KML nor WKT"),
        ("POLYGON ((0 0, 1 0, 1 1))", "geometry", "not valid WKT"),
        ("{broken", "geometry", "not valid GeoJSON"),
        (42, "geometry", "expected GeoJSON"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [2, 0], [0, 0]]]}, "geometry", ""),
    ],
)
def test_bad_inputs_raise_validation_error(source, field, match):
    with pytest.raises(ValidationError) as err:
        AOI(source)
    assert err.value.field == field
    assert match in str(err.value)
    assert isinstance(err.value, ValueError)


def test_from_bounds():
    aoi = AOI.from_bounds(10, 45, 11, 46, name="box")
    assert aoi.name == "box" and aoi.bounds == (10, 45, 11, 46)
    assert aoi.area_km2 == pytest.approx(geod_km2(square(10, 45, 1)), rel=1e-6)
    with raises("bounds"):
        AOI.from_bounds(10, 46, 11, 45)
    with raises("bounds"):
        AOI.from_bounds(10, 45, float("nan"), 46)


# ------------------------------------------------------------------------------------ other inputs
def test_inputs_that_mean_the_same_shape_give_the_same_aoi():
    poly = shapely.Polygon([(5, 50), (5.2, 50), (5.2, 50.1), (5, 50.1)])
    mapping = shapely.geometry.mapping(poly)

    class Drawn:  # e.g. a shape from a map widget
        __geo_interface__ = mapping

    reference = AOI(poly)
    for source in (
        mapping,
        json.dumps(mapping),
        {"type": "Feature", "geometry": mapping, "properties": {}},
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": mapping, "properties": {}}],
        },
        poly.wkt,
        Drawn(),
        gpd.GeoSeries([poly], crs=4326),
        gpd.GeoDataFrame(geometry=[poly]),  # no CRS: taken as EPSG:4326
        reference,
    ):
        assert AOI(source) == reference, source


def test_feature_collection_is_merged_after_expanding_points_and_lines():
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [10, 50]}},
            {"type": "Feature", "properties": {}, "geometry": mapping_of(square(11, 50, 0.1))},
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "LineString", "coordinates": DOC_STRIP},
            },
        ],
    }
    aoi = AOI(fc)
    assert aoi.kind == "polygon" and aoi.n_parts == 3
    parts = [
        AOI({"type": "Point", "coordinates": [10, 50]}),
        AOI(square(11, 50, 0.1)),
        AOI(DOC_STRIP_GEOJSON),
    ]
    assert aoi.area_km2 == pytest.approx(sum(p.area_km2 for p in parts), rel=1e-9)
    assert aoi.original_geometry.geom_type == "GeometryCollection"


def mapping_of(geom):
    return shapely.geometry.mapping(geom)


DOC_STRIP_GEOJSON = {"type": "LineString", "coordinates": DOC_STRIP}


def test_overlapping_features_are_unioned():
    aoi = AOI(
        {
            "type": "MultiPolygon",
            "coordinates": [
                mapping_of(square(0, 0, 0.2))["coordinates"],
                mapping_of(square(0.1, 0, 0.2))["coordinates"],
            ],
        }
    )
    assert aoi.geometry.geom_type == "Polygon"
    # the union adds vertices on the edges (0.1 0.2, 0.2 0.2...), which nudge the geodesic edges: 1e-4
    assert aoi.area_km2 == pytest.approx(geod_km2(shapely.box(0, 0, 0.3, 0.2)), rel=1e-4)


def test_geodataframe_in_web_mercator_is_reprojected():
    poly = shapely.Polygon([(10, 50), (10.1, 50), (10.1, 50.1), (10, 50.1)])
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[poly], crs=4326).to_crs(3857)
    assert frame.total_bounds[0] > 1e6  # really in metres
    aoi = AOI(frame)
    assert aoi.geometry.equals_exact(poly, 1e-9)
    assert aoi.area_km2 == pytest.approx(geod_km2(poly), rel=1e-6)


def test_crs_argument():
    poly = shapely.Polygon([(10, 50), (10.1, 50), (10.1, 50.1), (10, 50.1)])
    to_utm = pyproj.Transformer.from_crs(4326, 32632, always_xy=True)
    in_utm = shapely.transform(poly, lambda xy: np.column_stack(to_utm.transform(xy[:, 0], xy[:, 1])))
    aoi = AOI(mapping_of(in_utm), crs="EPSG:32632")
    assert aoi.geometry.equals_exact(poly, 1e-9)
    ewkt = AOI("SRID=32632;" + shapely.to_wkt(in_utm, rounding_precision=-1))
    assert ewkt.geometry.equals_exact(poly, 1e-9)
    with raises("crs", "unknown CRS"):
        AOI(mapping_of(poly), crs="EPSG:999999")
    with raises("crs"):
        AOI(gpd.GeoSeries([in_utm], crs=32632), crs="EPSG:4326")  # conflicts with the data's own CRS


# ------------------------------------------------------------------------------------------ files
HOLED_FIELD = shapely.Polygon(
    [(10, 50), (10.1, 50), (10.1, 50.1), (10, 50.1)],
    [[(10.02, 50.02), (10.02, 50.04), (10.04, 50.04), (10.04, 50.02)]],
)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("aoi")
    frame = gpd.GeoDataFrame({"name": ["field"]}, geometry=[HOLED_FIELD], crs=4326)
    out = {"geojson": folder / "field.geojson", "gpkg": folder / "field.gpkg", "kml": folder / "field.kml"}
    pyogrio.write_dataframe(frame, out["geojson"])
    pyogrio.write_dataframe(frame.to_crs(3035), out["gpkg"])  # not in EPSG:4326
    pyogrio.write_dataframe(frame, out["kml"], driver="KML")
    shp_dir = folder / "shp"
    shp_dir.mkdir()
    pyogrio.write_dataframe(frame.to_crs(32632), shp_dir / "field.shp")
    out["zip"] = folder / "field.zip"
    with zipfile.ZipFile(out["zip"], "w") as archive:
        for part in shp_dir.iterdir():
            archive.write(part, f"data/{part.name}")
    out["nozip"] = folder / "readme.zip"
    with zipfile.ZipFile(out["nozip"], "w") as archive:
        archive.writestr("readme.txt", "no shapefile here")
    out["csv"] = folder / "field.csv"
    out["csv"].write_text("lon,lat\n10,50\n")
    out["empty"] = folder / "empty.gpkg"
    pyogrio.write_dataframe(frame.iloc[:0], out["empty"], layer="empty")
    return out


@pytest.mark.parametrize("kind", ["geojson", "gpkg", "zip", "kml"])
def test_file_round_trip(files, kind):
    aoi = AOI(files[kind])
    assert aoi.name == "field"
    assert aoi.geometry.geom_type == "Polygon" and len(aoi.geometry.interiors) == 1
    assert aoi.geometry.normalize().equals_exact(HOLED_FIELD.normalize(), 1e-7)
    assert aoi.area_km2 == pytest.approx(geod_km2(HOLED_FIELD), rel=1e-6)


@pytest.mark.parametrize(
    ("kind", "match"),
    [("nozip", "no .shp"), ("csv", "unsupported file type '.csv'"), ("empty", "no features")],
)
def test_bad_files(files, kind, match):
    with raises("path", match):
        AOI(files[kind])
    with raises("path", "file not found"):
        AOI(files[kind].with_name("missing.geojson"))


def test_committed_kml_fixture():
    aoi = AOI(DATA / "field.kml")  # drawn clockwise with altitudes, inside a folder
    expected = shapely.Polygon(
        [(77.50, 12.90), (77.56, 12.90), (77.56, 12.95), (77.50, 12.95)],
        [[(77.52, 12.92), (77.54, 12.92), (77.54, 12.93), (77.52, 12.93)]],
    )
    assert aoi.geometry.exterior.is_ccw and not aoi.geometry.interiors[0].is_ccw
    assert aoi.geometry.normalize().equals_exact(expected.normalize(), 1e-9)
    assert aoi.area_km2 == pytest.approx(geod_km2(expected), rel=1e-6)


# --------------------------------------------------------------------------------------- checks
def test_pixxel_bills_a_25km2_aoi_as_100():
    aoi = AOI({"type": "Point", "coordinates": list(PLANET_POINT)})
    checks = aoi.check("pixxel")
    assert all(isinstance(c, RuleCheck) and c.provider == "pixxel" for c in checks)
    bends = [c for c in checks if c.severity == "bends"]
    assert [c.rule for c in bends] == ["minimum_area"]
    assert "billed as 100 km² (AOI is 25.0 km²)" in bends[0].message
    assert any(c.severity == "info" and "billed area 100.00 km²" in c.message for c in checks)
    assert {c.billed_area_km2 for c in checks} == {100.0}
    assert aoi.billed_area_km2("pixxel") == 100.0
    assert not [c for c in aoi.check("planet") if c.severity != "info"]  # 25 km² meets Planet's minimum


def test_planet_bills_a_10km2_polygon_as_25():
    aoi = AOI(shapely.box(10, 50, 10.044, 50.0285))
    assert aoi.area_km2 == pytest.approx(10, abs=0.1)
    checks = aoi.check("planet")
    bends = [c for c in checks if c.severity == "bends"]
    assert len(bends) == 1 and "billed as 25 km²" in bends[0].message
    assert aoi.billed_area_km2("planet") == 25.0
    assert [c.rule for c in checks if c.severity == "info"] == ["billed_area"]
    assert [c.severity for c in aoi.check("geopera")] == ["info"]
    assert aoi.billed_area_km2("geopera") == pytest.approx(aoi.area_km2)


def test_planet_reports_strip_length():
    checks = AOI(DOC_STRIP_GEOJSON).check("planet")
    info = [c for c in checks if c.rule == "strip_length"]
    assert info and info[0].severity == "info" and "20.1 km" in info[0].message


def test_pixxel_parts_300km_apart_break_the_200km_rule():
    aoi = AOI(DATA / "two_fields.geojson")
    assert aoi.n_parts == 2
    distance_km = geod_m((0.1, 0.05), (3.0, 0.05)) / 1000
    assert aoi.part_gap_km == pytest.approx(distance_km, rel=1e-3)
    breaks = [c for c in aoi.check("pixxel") if c.severity == "breaks"]
    assert len(breaks) == 1 and breaks[0].rule == "max_part_distance"
    assert f"{aoi.part_gap_km:.1f} km apart" in breaks[0].message and "322.8" in breaks[0].message
    close = AOI(shapely.MultiPolygon([square(0, 0, 0.1), square(1.0, 0, 0.1)]))  # 100 km apart
    assert close.part_gap_km == pytest.approx(geod_m((0.1, 0), (1.0, 0)) / 1000, rel=1e-3)
    assert not [c for c in close.check("pixxel") if c.severity == "breaks"]


def test_gap_is_the_widest_hop_linking_all_parts():
    # three parts in a row, 100 km hops: every part has a neighbour within 200 km
    chain = AOI(shapely.MultiPolygon([square(0, 0, 0.1), square(1.0, 0, 0.1), square(1.9, 0, 0.1)]))
    assert chain.part_gap_km == pytest.approx(100, abs=1)
    # two clusters 300 km apart, each tight: breaks even though every part has a close neighbour
    clusters = AOI(
        shapely.MultiPolygon([square(0, 0, 0.1), square(0.2, 0, 0.1), square(3, 0, 0.1), square(3.2, 0, 0.1)])
    )
    assert clusters.part_gap_km == pytest.approx(geod_m((0.3, 0), (3.0, 0)) / 1000, rel=1e-3)
    assert [c.severity for c in clusters.check("pixxel") if c.rule == "max_part_distance"] == ["breaks"]


def test_unknown_provider():
    aoi = AOI(square(0, 0, 0.1))
    with raises("provider", "must be one of pixxel, planet, geopera"):
        aoi.check("maxar")
    with raises("provider"):
        aoi.billed_area_km2("maxar")
    assert aoi.check("Planet")[0].provider == "planet"


# -------------------------------------------------------------------------------------- exports
def test_exports():
    aoi = AOI(HOLED_FIELD, name="field <1>")
    frame = aoi.to_gdf()
    assert frame.crs.to_epsg() == 4326
    assert list(frame.columns) == ["name", "kind", "area_km2", "geometry"]
    assert frame.loc[0, "area_km2"] == pytest.approx(aoi.area_km2)
    assert frame.geometry[0].equals(aoi.geometry)

    feature = json.loads(aoi.to_geojson())
    assert feature["type"] == "Feature"
    assert feature["properties"] == {
        "name": "field <1>",
        "kind": "polygon",
        "area_km2": round(aoi.area_km2, 6),
    }
    assert AOI(feature) == aoi and AOI(feature).name == "field <1>"
    assert aoi.to_feature()["geometry"] == json.loads(json.dumps(aoi.__geo_interface__))

    page = aoi._repr_html_()
    assert f"{aoi.area_km2:,.2f} km²" in page
    assert f"<td>{aoi.n_vertices}</td>" in page and aoi.n_vertices == 10
    assert "field &lt;1&gt;" in page and "<table" in page

    text = repr(aoi)
    assert text.startswith(
        f"AOI(polygon, {aoi.area_km2:.2f} km², bounds=(10.00000, 50.00000, 10.10000, 50.10000)"
    )


def test_equality_and_hash():
    a = AOI(square(0, 0, 0.1))
    b = AOI(shapely.Polygon([(0.1, 0.1), (0, 0.1), (0, 0), (0.1, 0)]))  # same square, another start vertex
    assert a == b and hash(a) == hash(b)
    assert a != AOI(square(0, 0, 0.2))
    assert a != "not an aoi"
