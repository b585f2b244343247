"""``as_aois`` builds plain shapes all at once (``pixorder.aoi.batch``): it must give what ``as_aoi`` gives.

For every kind of input, alone and inside a mixed batch: the same geometry (coordinate for coordinate),
the same area (within 1e-9), the same kind, name, strip length, source report and GeoJSON mapping;
for a bad item, the error ``as_aoi`` raises, with the item's position in front of its field.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import mapping

from pixorder.aoi import AOI, as_aoi, as_aois
from pixorder.aoi.batch import build_many, build_series
from pixorder.errors import ValidationError

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from _common import aois as benchmark_aois  # noqa: E402

BOX = [[[10.0, 50.0], [10.1, 50.0], [10.1, 50.1], [10.0, 50.1], [10.0, 50.0]]]
HOLE = [[10.02, 50.02], [10.02, 50.05], [10.05, 50.05], [10.05, 50.02], [10.02, 50.02]]
LINE = [[10.0, 50.0], [10.1, 50.05]]

# Every kind of input; the batch builds some, the rest go to AOI() alone: both must agree.
GOOD = {
    "point": {"type": "Point", "coordinates": [149.44135, 28.49240]},
    "point tuple": {"type": "Point", "coordinates": (10, 50)},
    "point ints": {"type": "Point", "coordinates": [10, -50]},
    "point numpy floats": {"type": "Point", "coordinates": [np.float64(10.5), np.float64(50.5)]},
    "point with z": {"type": "Point", "coordinates": [10.0, 50.0, 300.0]},
    "point at -180": {"type": "Point", "coordinates": [-180.0, 10.0]},
    "point at 180": {"type": "Point", "coordinates": [180.0, 10.0]},
    "point near 180": {"type": "Point", "coordinates": [179.99, -20.0]},
    "point 0-360": {"type": "Point", "coordinates": [370.0, 50.0]},
    "point near a pole": {"type": "Point", "coordinates": [10.0, 89.9]},
    "line": {"type": "LineString", "coordinates": LINE},
    "line of three": {"type": "LineString", "coordinates": [[10.0, 50.0], [10.05, 50.0], [10.1, 50.05]]},
    "line across 180 (continuous)": {"type": "LineString", "coordinates": [[179.95, 10.0], [180.05, 10.02]]},
    "line across 180 (wrapped)": {"type": "LineString", "coordinates": [[179.95, 10.0], [-179.95, 10.02]]},
    "line 0-360": {"type": "LineString", "coordinates": [[370.0, 50.0], [370.1, 50.05]]},
    "line with z": {"type": "LineString", "coordinates": [[10.0, 50.0, 1.0], [10.1, 50.05, 2.0]]},
    "line mixed dims": {"type": "LineString", "coordinates": [[10.0, 50.0, 1.0], [10.1, 50.05]]},
    "polygon": {"type": "Polygon", "coordinates": BOX},
    "polygon clockwise": {"type": "Polygon", "coordinates": [BOX[0][::-1]]},
    "polygon with a hole": {"type": "Polygon", "coordinates": [BOX[0], HOLE]},
    "polygon open ring": {"type": "Polygon", "coordinates": [BOX[0][:-1]]},
    "polygon across 180": {"type": "Polygon", "coordinates": [[[179.9, 0], [-179.9, 0], [-179.9, 0.1],
                                                                [179.9, 0.1], [179.9, 0]]]},
    "polygon 0-360": {"type": "Polygon", "coordinates": [[[x + 360, y] for x, y in BOX[0]]]},
    "polygon with extra members": {"type": "Polygon", "coordinates": BOX, "bbox": [10, 50, 10.1, 50.1]},
    "polygon in a crs member": {"type": "Polygon", "coordinates": BOX,
                                "crs": {"type": "name", "properties": {"name": "EPSG:4326"}}},
    "feature": {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": BOX},
                "properties": {"name": "field 7"}},
    "feature without properties": {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]},
                                   "properties": None},
    "feature with a number name": {"type": "Feature", "geometry": {"type": "LineString", "coordinates": LINE},
                                   "properties": {"name": 7}},
    "feature collection": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": BOX}, "properties": {}}]},
    "multipoint": {"type": "MultiPoint", "coordinates": [[10, 50], [10.01, 50]]},
    "shapely point": shapely.Point(10, 50),
    "shapely point z": shapely.Point(10, 50, 5),
    "shapely line": shapely.LineString(LINE),
    "shapely polygon": shapely.Polygon(BOX[0], [HOLE]),
    "shapely clockwise polygon": shapely.Polygon(BOX[0][::-1]),
    "shapely multipolygon": shapely.MultiPolygon([shapely.box(0, 0, 0.1, 0.1), shapely.box(1, 0, 1.1, 0.1)]),
    "shapely ring": shapely.LinearRing(BOX[0]),
    "wkt point": "POINT (10 50)",
    "wkt polygon": "  polygon ((0 0, 0.1 0, 0.1 0.1, 0 0.1, 0 0))",
    "wkt point z": "POINT Z (10 50 3)",
    "ewkt": "SRID=4326;POINT (10 50)",
    "geojson text": '{"type": "Point", "coordinates": [10, 50]}',
    "an AOI": AOI.from_bounds(0, 0, 0.1, 0.1, name="box"),
}

BAD = {
    "latitude over 90": {"type": "Point", "coordinates": [10.0, 95.0]},
    "point too near a pole": {"type": "Point", "coordinates": [10.0, 89.95]},
    "nan": {"type": "Point", "coordinates": [math.nan, 50.0]},
    "infinity in a polygon": {"type": "Polygon", "coordinates": [[[0, 0], [math.inf, 0], [1, 1], [0, 0]]]},
    "nan in a line": {"type": "LineString", "coordinates": [[10.0, 50.0], [math.nan, 50.05]]},
    "text for a number": {"type": "Point", "coordinates": ["10", 50]},
    "a number beyond floats": {"type": "Point", "coordinates": [10**400, 50]},
    "a number beyond floats in a polygon": {"type": "Polygon", "coordinates": [[[0, 0], [10**400, 0], [1, 1], [0, 0]]]},
    "bool for a number": {"type": "LineString", "coordinates": [[True, 50.0], [10.1, 50.05]]},
    "one position": {"type": "LineString", "coordinates": [[10.0, 50.0]]},
    "short ring": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]},
    "empty polygon": {"type": "Polygon", "coordinates": []},
    "bowtie": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
    "no area": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [2, 0], [0, 0]]]},
    "strip too short": {"type": "LineString", "coordinates": [[10.0, 50.0], [10.01, 50.0]]},
    "strip too long": {"type": "LineString", "coordinates": [[10.0, 50.0], [12.0, 50.0]]},
    "metres without a crs": shapely.box(500_000, 5_000_000, 501_000, 5_001_000),
    "bad wkt": "POLYGON ((0 0, 1 1",
    "not a shape": 42,
    "unknown type": {"type": "Circle", "coordinates": [0, 0]},
    "feature without geometry": {"type": "Feature", "geometry": None, "properties": {}},
    "a crs by link": {"type": "Point", "coordinates": [0, 0], "crs": {"type": "link", "properties": {"href": "x"}}},
}


def assert_same(one: AOI, other: AOI) -> None:
    assert one.geometry.geom_type == other.geometry.geom_type
    assert np.array_equal(shapely.get_coordinates(one.geometry), shapely.get_coordinates(other.geometry))
    assert shapely.equals_exact(one.geometry, other.geometry, tolerance=0)
    assert other.area_km2 == pytest.approx(one.area_km2, rel=1e-9)
    assert (one.kind, one.name, one.length_km, one.source, one.report) == \
        (other.kind, other.name, other.length_km, other.source, other.report)
    assert one.original_geometry.equals(other.original_geometry)
    assert one.__geo_interface__ == other.__geo_interface__ == mapping(one.geometry)
    assert repr(one) == repr(other)


@pytest.mark.parametrize("value", GOOD.values(), ids=GOOD.keys())
def test_the_batch_gives_what_one_at_a_time_gives(value):
    alone = as_aoi(value)
    assert_same(alone, as_aois([value])[0])
    # and inside a mixed batch, whatever surrounds it
    mixed = as_aois([GOOD["point"], value, GOOD["line"], GOOD["polygon"], value])
    assert_same(alone, mixed[1])
    assert_same(alone, mixed[4])
    assert_same(as_aoi(GOOD["line"]), mixed[2])


@pytest.mark.parametrize("value", BAD.values(), ids=BAD.keys())
def test_a_bad_item_gives_the_single_error_with_its_position(value):
    with pytest.raises(ValidationError) as alone:
        as_aoi(value)
    batch = [GOOD["point"], GOOD["line"], value, GOOD["polygon"]]
    with pytest.raises(ValidationError) as inside:
        as_aois(batch)
    assert inside.value.field == f"aoi_or_aois[2].{alone.value.field}"
    assert (inside.value.rule, repr(inside.value.value)) == (alone.value.rule, repr(alone.value.value))
    assert str(inside.value) == f"aoi_or_aois[2].{alone.value}"
    assert inside.value.__cause__ is not None


def test_the_first_bad_item_is_the_one_named():
    values = [GOOD["point"], BAD["nan"], GOOD["line"], BAD["bowtie"]]
    with pytest.raises(ValidationError, match=r"^aoi_or_aois\[1\]\.geometry\.coordinates: .*finite"):
        as_aois(values)


def test_the_benchmark_shapes_agree_one_by_one():
    shapes = benchmark_aois(300, seed=11)
    batch = as_aois(shapes)
    assert all(b is not None for b in build_many(shapes))  # all plain: all built at once
    for value, aoi in zip(shapes, batch):
        assert_same(as_aoi(value), aoi)
    assert [a.kind for a in batch[:3]] == ["polygon", "point", "strip"]


def test_batch_areas_are_measured_once_and_equal_the_lazy_ones():
    shapes = benchmark_aois(30, seed=3)
    batch = as_aois(shapes)
    assert all(a._area is not None for a in batch)  # filled by the batch
    for value, aoi in zip(shapes, batch):
        alone = as_aoi(value)
        assert alone._area is None
        assert alone.area_km2 == aoi.area_km2  # the same function on the same geometry: the same float


def test_geo_interface_of_a_batch_is_shapelys_mapping_and_a_fresh_dict():
    batch = as_aois([GOOD["polygon with a hole"], GOOD["point near 180"], GOOD["shapely multipolygon"],
                     GOOD["line"], GOOD["polygon"]])
    for aoi in batch:
        assert aoi.__geo_interface__ == mapping(aoi.geometry)
    first = batch[0].__geo_interface__
    first["type"] = "edited"
    assert batch[0].__geo_interface__["type"] == "Polygon"


def test_options_read_every_item_alone_with_them():
    named = as_aois([GOOD["point"], GOOD["polygon"]], name="x")
    assert [a.name for a in named] == ["x", "x"]
    assert_same(as_aoi(GOOD["polygon"], name="x"), named[1])
    with pytest.raises(ValidationError, match=r"^aoi_or_aois\[1\]\.geometry: polygon crosses itself"):
        as_aois([GOOD["point"], BAD["bowtie"]], name="x")
    repaired = as_aois([GOOD["point"], BAD["bowtie"]], repair=True)
    assert_same(as_aoi(BAD["bowtie"], repair=True), repaired[1])


def test_tuples_aois_and_empty_lists():
    aoi = GOOD["an AOI"]
    assert as_aois((aoi, GOOD["point"]))[0] is aoi
    with pytest.raises(ValidationError, match="aoi_or_aois: must hold at least one AOI"):
        as_aois([])


FRAME_ROWS = [shapely.Polygon(BOX[0]), shapely.Point(10, 50), shapely.LineString(LINE),
              shapely.Polygon(BOX[0], [HOLE]), GOOD["shapely multipolygon"], shapely.Point(179.99, 0),
              shapely.Point(10, 50, 7), shapely.Polygon(BOX[0][::-1])]


@pytest.mark.parametrize("crs", [4326, 3857, 32632, None])
def test_frame_rows_are_what_each_row_alone_gives(crs):
    gpd = pytest.importorskip("geopandas")
    frame = gpd.GeoDataFrame({"id": list("abcdefgh")}, geometry=FRAME_ROWS, crs=4326)
    if crs is None:
        frame = frame.set_crs(None, allow_override=True)
    elif crs != 4326:
        frame = frame.to_crs(crs)
    for value in (frame, frame.geometry):
        batch = as_aois(value)
        assert len(batch) == len(frame)
        for i, aoi in enumerate(batch):
            assert_same(as_aoi(frame.geometry.iloc[[i]]), aoi)
    built = build_series(frame.geometry)
    assert [b is not None for b in built] == [True, True, True, True, False, False, True, True]
    assert built[0].source.crs == ("EPSG:4326" if crs in (4326, None) else f"EPSG:{crs}")


def test_frame_rows_name_their_position():
    gpd = pytest.importorskip("geopandas")
    frame = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[shapely.box(0, 0, 0.1, 0.1), shapely.box(0, 95, 1, 96)],
                             crs=4326)
    with pytest.raises(ValidationError, match=r"^aoi_or_aois\[1\]\.geometry\.coordinates: latitude"):
        as_aois(frame)
    frame = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[shapely.box(0, 0, 0.1, 0.1), None], crs=4326)
    with pytest.raises(ValidationError, match=r"^aoi_or_aois\[1\]\.geometry: the GeoSeries has no features"):
        as_aois(frame)
    metres = gpd.GeoSeries([shapely.box(500_000, 5_000_000, 501_000, 5_001_000)])
    with pytest.raises(ValidationError, match=r"^aoi_or_aois\[0\]\.crs: the GeoSeries has no CRS"):
        as_aois(metres)


def test_frame_ids_are_kept_by_compare_rows():
    gpd = pytest.importorskip("geopandas")
    from pixorder.client.compare import aoi_list

    frame = gpd.GeoDataFrame({"id": ["north", "south"]}, geometry=[shapely.Point(10, 50), shapely.Point(10, -50)],
                             crs=4326)
    aois, ids = aoi_list(frame)
    assert ids == ["north", "south"] and [round(a.bounds[1]) for a in aois] == [50, -50]


def test_plain_items_are_the_ones_built_at_once():
    built = build_many(list(GOOD.values()))
    at_once = {name for name, b in zip(GOOD, built) if b is not None}
    assert at_once == {
        "point", "point tuple", "point ints", "point near a pole", "line", "line of three", "polygon",
        "polygon clockwise", "polygon with a hole", "polygon with extra members", "feature",
        "feature without properties", "feature with a number name", "shapely point", "shapely point z",
        "shapely line", "shapely polygon", "shapely clockwise polygon", "wkt point", "wkt polygon", "wkt point z"}
    assert build_many(list(BAD.values())) == [None] * len(BAD)  # every error comes from AOI() itself


def test_a_copy_or_pickle_of_a_batch_aoi_carries_only_its_own_data():
    import copy
    import pickle

    batch = as_aois(benchmark_aois(50, seed=5))
    one = batch[7]
    for clone in (pickle.loads(pickle.dumps(one)), copy.deepcopy(one)):
        assert clone._shared is None
        assert_same(one, clone)
    assert len(pickle.dumps(one)) < 5_000  # one AOI, not the batch's fifty


def _outcome(read, value):
    try:
        return read(value)
    except ValidationError as exc:
        return exc


lon = st.floats(-370, 370, allow_nan=False)
lat = st.floats(-91, 91, allow_nan=False)
position = st.tuples(lon, lat).map(list)


@st.composite
def plain_shape(draw):
    kind = draw(st.sampled_from(["Point", "LineString", "Polygon", "shapely"]))
    x, y = draw(position)
    if kind == "Point":
        return {"type": "Point", "coordinates": [x, y]}
    if kind == "LineString":
        dx, dy = draw(st.floats(-1.2, 1.2)), draw(st.floats(-0.6, 0.6))
        return {"type": "LineString", "coordinates": [[x, y], [x + dx, y + dy]]}
    w, h = draw(st.floats(0.0, 2.0)), draw(st.floats(0.0, 2.0))
    ring = [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]
    if kind == "shapely":
        return shapely.Polygon(ring)
    return {"type": "Polygon", "coordinates": [ring]}


@settings(max_examples=150, deadline=None)
@given(st.lists(plain_shape(), min_size=1, max_size=6))
def test_any_plain_shapes_anywhere_agree(values):
    alone = [_outcome(as_aoi, v) for v in values]
    batch = _outcome(as_aois, values)
    errors = [(i, a) for i, a in enumerate(alone) if isinstance(a, ValidationError)]
    if errors:
        i, first = errors[0]
        assert isinstance(batch, ValidationError)
        assert str(batch) == f"aoi_or_aois[{i}].{first}"
        return
    assert not isinstance(batch, ValidationError)
    for one, other in zip(alone, batch):
        assert_same(one, other)


def test_mappings_of_many_are_shapelys_mapping():
    from pixorder.aoi.core import _mappings

    holed = shapely.Polygon(BOX[0], [HOLE])
    geoms = [holed, shapely.MultiPolygon([holed, shapely.box(1, 0, 1.1, 0.1)]), shapely.box(0, 0, 1, 1),
             shapely.Point(1, 2), shapely.Polygon()]
    assert _mappings(geoms) == [mapping(g) for g in geoms]
    assert _mappings(geoms[2:3]) == [mapping(geoms[2])]
