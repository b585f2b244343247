"""AOIMap driven like the browser drives it: draw-control data syncs, draw events, uploads."""

from __future__ import annotations

import doctest
import io
import json
import math
import zipfile
from pathlib import Path

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


BOWTIE = {"type": "Feature", "properties": {"style": {"color": "#3388ff"}},
          "geometry": {"type": "Polygon", "coordinates": [[[10, 50], [10.1, 50.1], [10.1, 50], [10, 50.1], [10, 50]]]}}
FIJI = {"type": "Polygon", "coordinates": [[[177, -18.5], [-179, -18.5], [-179, -16], [177, -16], [177, -18.5]]]}


def _circle(lon: float, lat: float, radius_m: float, kind: str = "circle") -> dict:
    """What Geoman syncs for a drawn circle: a Point, its Leaflet options (radius in metres) as style."""
    return {"type": "Feature", "properties": {"type": kind, "style": {"radius": radius_m, "color": "#3388ff"}},
            "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def test_a_map_without_aoi_opens_on_a_region_not_the_world():
    m = AOIMap()
    assert tuple(m.map.center) == (48.0, 10.0) and m.map.zoom == 5  # central Europe, coasts in sight
    assert "Draw a shape" in m.summary.value


def test_shapes_drawn_past_the_dateline_come_back_by_whole_turns():
    m = AOIMap()
    m.draw.set_state({"data": [box(370.0, 50.0, 370.1, 50.1)]})  # drawn after panning once round the world
    assert m.value == AOI(box(10.0, 50.0, 10.1, 50.1))
    assert m.value.bounds == pytest.approx((10.0, 50.0, 10.1, 50.1))
    assert m.area_text == "79.66 km²" and "79.66 km²" in m.summary.value
    assert "pixorder-error" not in m.status.value
    # the footprint stays where the user drew, in Leaflet's count of longitude
    ring = m.footprint.data["features"][0]["geometry"]["coordinates"][0]
    assert min(x for x, _ in ring) == pytest.approx(370.0) and max(x for x, _ in ring) == pytest.approx(370.1)

    m.draw.set_state({"data": [box(-346.7, 50.0, -346.6, 50.1)]})  # panned once the other way
    assert m.value.bounds == pytest.approx((13.3, 50.0, 13.4, 50.1))
    m.draw.set_state({"data": [point(190.0, -17.0)]})  # a marker east of the dateline
    assert m.value.kind == "point" and m.value.area_km2 == pytest.approx(25.0, rel=1e-3)
    west, _, east, _ = m.value.bounds
    assert -170.03 < west < east < -169.97


def test_drawn_circle_is_a_circle_of_its_radius():
    m = AOIMap()
    m.draw._handle_custom_msg({"event": "pm:create", "geo_json": [_circle(10.0, 50.0, 10_000)]}, [])
    m.draw.set_state({"data": [_circle(10.0, 50.0, 10_000)]})
    assert m.value.kind == "polygon"
    assert m.value.area_km2 == pytest.approx(math.pi * 10**2, rel=1e-3)  # 314 km², not a 25 km² square
    assert "314.03 km²" in m.summary.value
    west, south, east, north = m.value.bounds
    assert (north - south) * 111.2 == pytest.approx(20.0, rel=5e-3)  # 20 km across, north to south
    assert (east - west) * 111.32 * math.cos(math.radians(50)) == pytest.approx(20.0, rel=5e-3)
    # A circle *marker* has a radius in screen pixels: it is a marker, so a 5×5 km square.
    m.draw.set_state({"data": [_circle(10.0, 50.0, 10, kind="circlemarker")]})
    assert m.value.kind == "point" and m.value.area_km2 == pytest.approx(25.0, rel=1e-3)


def test_an_aoi_across_the_antimeridian_opens_centred_near_180():
    m = AOIMap(value=FIJI)
    assert m.value.bounds == (-180.0, -18.5, 180.0, -16.0)  # stored split at ±180
    lat, lon = m.map.center
    assert lon == pytest.approx(179.0) and lat == pytest.approx(-17.25) and m.map.zoom == 7
    # shown and editable as one shape from 177° to 181°, not at both edges of the world
    (drawn,) = m.draw.data
    xs = [x for x, _ in drawn["geometry"]["coordinates"][0]]
    assert drawn["geometry"]["type"] == "Polygon" and (min(xs), max(xs)) == (177.0, 181.0)
    assert m.footprint.data["features"][0]["geometry"] == drawn["geometry"]
    m.draw.set_state({"data": [drawn]})  # the browser syncs it back after an edit: the same AOI
    assert m.value == AOI(FIJI) and m.value.area_km2 == pytest.approx(AOI(FIJI).area_km2)


def test_an_aoi_larger_than_any_provider_takes_is_flagged_as_breaking_a_rule():
    m = AOIMap()
    m.draw.set_state({"data": [box(10.0, 50.0, 11.0, 51.0)]})  # 7,892 km²: drawn zoomed out
    assert m.area_text == "7,892.06 km²"
    assert "pixorder-large-aoi" in m.summary.value
    assert "breaks</span>" in m.summary.value and "zoom in" in m.summary.value
    assert "5,000 km²" in m.summary.value
    m.draw.set_state({"data": [box(10.0, 50.0, 10.5, 50.5)]})  # 1,983 km²: large, but a provider may take it
    assert "pixorder-large-aoi" not in m.summary.value and "breaks" not in m.summary.value


def test_a_shape_that_crosses_itself_gets_a_repair_button():
    m = AOIMap()
    assert m.repair_button.layout.display == "none"
    m.draw.set_state({"data": [BOWTIE]})
    assert m.value is None
    assert "crosses itself at (10.05, 50.05)" in m.status.value and "press Repair" in m.status.value
    assert "repair=True" not in m.status.value
    assert m.repair_button.layout.display != "none"
    m.repair_button.click()
    assert m.value == AOI(BOWTIE, repair=True)
    assert m.value.n_parts == 2 and m.area_text == "39.83 km²"  # two triangles of 19.9 km²
    assert m.draw.data[0]["geometry"]["type"] == "MultiPolygon"  # the map shows the repaired shape
    assert m.repair_button.layout.display == "none" and "Repaired" in m.status.value

    # an uploaded file the same way
    _upload(m, "bowtie.geojson", json.dumps(BOWTIE).encode())
    assert "press Repair" in m.status.value and m.repair_button.layout.display != "none"
    m.repair_button.click()
    assert m.value.name == "bowtie" and m.area_text == "39.83 km²"


def test_helper_layers_never_take_clicks_meant_for_the_drawn_shapes():
    m = AOIMap(value=box(10.0, 50.0, 10.1, 50.1))
    layers = list(m.map.layers)
    assert m.basemap in layers and m.footprint in layers
    for layer in (m.basemap, m.footprint):
        pane = m.map.panes[layer.pane]
        # a pane under Leaflet's overlay pane (400), where Geoman draws, that takes no pointer events
        assert pane["pointerEvents"] == "none" and pane["zIndex"] < 400
        assert layer.pm_ignore is True  # Geoman's eraser and edit modes leave it alone
        # the style the browser applies to each feature (Leaflet path options)
        for feature in layer.data["features"]:
            style = feature["properties"]["style"]
            assert style["interactive"] is False and style["pane"] == layer.pane
    assert m.map.panes[m.basemap.pane]["zIndex"] < 200  # below the tiles: online tiles cover it when they load
    assert m.footprint.data["features"], "the footprint is shown"


def test_offline_basemap_is_natural_earth_shipped_as_package_data():
    m = AOIMap()
    names = {f["properties"]["name"] for f in m.basemap.data["features"]}
    assert len(names) == 177 and {"Fiji", "Germany", "Brazil", "Antarctica"} <= names
    data_file = aoi_map_module.BASEMAP_FILE
    assert data_file.stat().st_size < 300_000
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert '[tool.setuptools.package-data]\n"pixorder.widgets" = ["data/*.geojson"]' in pyproject
    assert AOIMap().basemap is m.basemap  # one widget for every map: its data is sent once


def test_how_to_draw_each_shape_is_written_beside_the_map():
    m = AOIMap()
    text = m.help.value
    for words in ("Polygon", "Rectangle", "two clicks", "Circle", "Marker", "Line", "Edit", "Drag", "Erase"):
        assert words in text
    assert m.help in m.children[0].children  # beside the map, not in the docs only


def test_no_api_key_in_widget_state(clients):
    AOIMap(value={"type": "Point", "coordinates": [10.0, 50.0]})
    assert_no_key_in_widget_state()


def test_docstring_examples():
    result = doctest.testmod(aoi_map_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


AOI_DATA = Path(__file__).parents[1] / "data" / "aoi"


def test_kmz_uploads_and_the_pin_left_out_is_said():
    m = AOIMap()
    _upload(m, "field_and_pin.kmz", (AOI_DATA / "field_and_pin.kmz").read_bytes())
    assert m.value is not None and round(m.value.area_km2, 1) == 3.2  # the field, not the pin's 25 km²
    assert "Field label" in m.status.value and "left out" in m.status.value
    assert ".kmz" in m.upload.accept


def test_upload_without_prj_asks_for_a_crs_and_the_crs_field_reads_it():
    m = AOIMap()
    content = (AOI_DATA / "field_utm_noprj.zip").read_bytes()
    _upload(m, "field.zip", content)
    assert m.value is None
    assert ".prj" in m.status.value and "CRS field" in m.status.value
    m.crs.value = "EPSG:32632"  # typed after the refusal: the upload is read again
    assert m.value is not None and round(m.value.area_km2, 1) == 3.2
    assert "EPSG:32632" in m.status.value


def test_upload_with_an_epsg_typed_crs_member_gives_the_dict_s_area():
    content = (AOI_DATA / "field_3857.geojson").read_bytes()
    m = AOIMap()
    _upload(m, "field.geojson", content)
    assert m.value.area_km2 == pytest.approx(AOI(json.loads(content)).area_km2, rel=1e-9)
