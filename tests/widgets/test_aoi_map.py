"""AOIMap driven like the browser drives it: draw-control data syncs, draw events, uploads."""

from __future__ import annotations

import doctest
import io
import json
import zipfile

import pytest
import traitlets

import pixorder.widgets.aoi_map as aoi_map_module
from pixorder.aoi import AOI
from pixorder.widgets import AOIMap
from tests.widgets.helpers import assert_no_key_in_widget_state, box, line, point


def test_drawn_polygon_becomes_the_value_with_its_area_in_sight():
    m = AOIMap()
    seen = []
    m.observe(lambda change: seen.append(change["new"]), "value")
    m.draw.set_state({"data": [box(10.0, 50.0, 10.1, 50.1)]})
    assert isinstance(m.value, AOI) and m.value.kind == "polygon"
    assert m.value == AOI(box(10.0, 50.0, 10.1, 50.1))
    assert seen == [m.value]
    shown = f"{m.value.area_km2:,.2f} km²"
    assert m.area_text == shown and shown in m.summary.value
    # the rules AOI.check reports are shown for every provider
    for provider in ("pixxel", "planet", "geopera"):
        for check in m.value.check(provider):
            assert check.message.replace("'", "&#x27;") in m.summary.value
    # the view is fitted to the AOI
    lat, lon = m.map.center
    assert 50.0 < lat < 50.1 and 10.0 < lon < 10.1 and m.map.zoom >= 10


def test_marker_shows_the_5km_square_and_polyline_the_strip():
    m = AOIMap()
    m.draw._handle_custom_msg({"event": "pm:create", "geo_json": [point(10.0, 50.0)]}, [])
    m.draw.set_state({"data": [point(10.0, 50.0)]})
    assert m.value.kind == "point" and m.value.area_km2 == pytest.approx(25.0, rel=1e-3)
    (shown,) = m.footprint.data["features"]
    assert shown["geometry"]["type"] == "Polygon"  # the square that will be ordered, not the point
    assert "25.00 km²" in m.summary.value and "5×5 km square" in m.summary.value

    m.draw.set_state({"data": [line((10.0, 50.0), (10.2, 50.0))]})
    assert m.value.kind == "strip"
    assert m.value.length_km == pytest.approx(14.3, abs=0.2)
    assert m.footprint.data["features"][0]["geometry"]["type"] == "Polygon"
    assert "strip" in m.summary.value


def test_edit_and_delete_update_the_value():
    m = AOIMap()
    m.draw.set_state({"data": [box(10.0, 50.0, 10.1, 50.1)]})
    first = m.value
    m.draw.set_state({"data": [box(10.0, 50.0, 10.2, 50.1)]})  # a vertex dragged (Geoman edit mode)
    assert m.value != first and m.value.area_km2 > first.area_km2
    m.draw.set_state({"data": [box(10.0, 50.0, 10.2, 50.1), point(10.5, 50.5)]})
    assert m.value.n_parts == 2
    m.draw.set_state({"data": []})  # every shape deleted
    assert m.value is None and m.footprint.data["features"] == []


def test_assigned_value_is_drawn_and_cleared():
    m = AOIMap(value={"type": "Point", "coordinates": [149.44, 28.49]})
    assert m.value.kind == "point"
    assert len(m.draw.data) == 1  # editable on the map like a drawn shape
    m.clear()
    assert m.value is None and m.draw.data == []
    m.value = box(10.0, 50.0, 10.1, 50.1)  # anything AOI() accepts
    assert m.value == AOI(box(10.0, 50.0, 10.1, 50.1)) and len(m.draw.data) == 1
    with pytest.raises(traitlets.TraitError, match="crosses itself"):
        m.value = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


def _upload(m: AOIMap, name: str, content: bytes) -> None:
    """What the browser sends when a file is picked in the FileUpload."""
    m.upload.set_state({"value": [{"name": name, "type": "", "size": len(content),
                                   "content": memoryview(content), "last_modified": 1_700_000_000_000}]})


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _shapefile_zip(tmp_path) -> bytes:
    aoi = AOI(box(10.0, 50.0, 10.1, 50.1))
    folder = tmp_path / "shp"
    folder.mkdir()
    aoi.to_gdf().to_file(folder / "field.shp")
    return _zip({p.name: p.read_bytes() for p in folder.iterdir()})


def test_uploads_of_every_supported_kind(tmp_path):
    m = AOIMap()
    _upload(m, "field.geojson", json.dumps(box(10.0, 50.0, 10.1, 50.1)).encode())
    assert m.value == AOI(box(10.0, 50.0, 10.1, 50.1)) and "Loaded field.geojson" in m.status.value

    _upload(m, "field.zip", _shapefile_zip(tmp_path))
    assert m.value.area_km2 == pytest.approx(AOI(box(10.0, 50.0, 10.1, 50.1)).area_km2, rel=1e-6)

    gpkg = tmp_path / "farm.gpkg"
    AOI(box(11.0, 51.0, 11.05, 51.05)).to_gdf().to_file(gpkg, driver="GPKG")
    _upload(m, "farm.gpkg", gpkg.read_bytes())
    assert m.value == AOI(box(11.0, 51.0, 11.05, 51.05))
    assert m.draw.data and m.value.name == "farm"
    lat, lon = m.map.center
    assert 51.0 < lat < 51.05 and 11.0 < lon < 11.05


@pytest.mark.parametrize(("name", "content", "says"), [
    ("broken.geojson", b'{"type": "Polygon", "coordinates": [[[0, 0], [1', "not valid GeoJSON"),
    ("no-shp.zip", None, "no .shp"),
    ("points.csv", b"lon,lat\n10,50\n", "unsupported file type"),
    ("empty.geojson", b'{"type": "FeatureCollection", "features": []}', "no features"),
    ("bowtie.geojson", json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
                                  ).encode(), "crosses itself"),
    ("nothing.gpkg", b"", "empty"),
])
def test_bad_uploads_say_why_and_keep_the_previous_aoi(name, content, says):
    if content is None:
        content = _zip({"readme.txt": b"no shapefile here"})
    m = AOIMap()
    m.draw.set_state({"data": [box(10.0, 50.0, 10.1, 50.1)]})
    before = m.value
    _upload(m, name, content)
    assert m.value is before
    assert "pixorder-error" in m.status.value and says in m.status.value and name in m.status.value
    assert "Traceback" not in m.status.value and "/tmp" not in m.status.value


def test_no_api_key_in_widget_state(clients):
    AOIMap(value={"type": "Point", "coordinates": [10.0, 50.0]})
    assert_no_key_in_widget_state()


def test_docstring_examples():
    result = doctest.testmod(aoi_map_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
