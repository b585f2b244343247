"""AOIMap: draw or upload an area of interest, see its footprint, area and provider rules."""

from __future__ import annotations

import functools
import json
import math
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as W
import numpy as np
import pyproj
import shapely
import traitlets
from shapely import affinity
from shapely.geometry import mapping, shape

from pixorder.aoi import AOI, as_aoi, rules
from pixorder.aoi.shapes import wrap_turns
from pixorder.errors import ValidationError
from pixorder.providers import table
from pixorder.widgets import render

__all__ = ["AOIMap", "LARGE_AOI_KM2", "UploadError", "aoi_from_features", "aoi_from_upload", "aoi_view",
           "circle_polygon", "view_for_bounds", "wrap_feature"]

PROVIDERS = table.NAMES
UPLOAD_TYPES = (".geojson", ".json", ".zip", ".gpkg", ".kml", ".kmz")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# The map's size as laid out below; used to pick a zoom level without a browser round trip.
MAP_HEIGHT_PX = 480
ASSUMED_WIDTH_PX = 700
_SEVERITY_STYLE = {"info": "#555", "bends": "#8a5a00", "breaks": "#b00020"}
#: Above this area the widget flags the AOI as a rule it breaks. No provider documents a maximum
#: (Planet tessellates large areas, Pixxel's and Geopera's feasibility worsen past 1,000-5,000 km²),
#: but no provider tasks a country in one order: an AOI this large was almost always drawn zoomed out.
LARGE_AOI_KM2 = rules.LARGE_AOI_KM2
#: Where a map without an AOI opens: a region (central Europe) where the offline basemap's coasts
#: and borders show where one is, never the whole world at zoom 1.
DEFAULT_CENTER = (48.0, 10.0)
DEFAULT_ZOOM = 5
#: Map panes for the helper layers. Both sit below Leaflet's overlay pane (z-index 400), where
#: Geoman puts the drawn shapes, and take no pointer events: a click always reaches a drawn shape.
#: The basemap lies even below the tile pane (200), so online tiles cover it once they load.
BASEMAP_PANE = "pixorder-basemap"
HELPER_PANE = "pixorder-helpers"
PANES = {BASEMAP_PANE: {"zIndex": 150, "pointerEvents": "none"},
         HELPER_PANE: {"zIndex": 390, "pointerEvents": "none"}}
#: Path options that make a vector layer inert: no click, hover or Geoman edit ever lands on it.
INERT = {"interactive": False, "bubblingMouseEvents": False, "pmIgnore": True, "snapIgnore": True}
BASEMAP_FILE = Path(__file__).with_name("data") / "countries_110m.geojson"
CIRCLE_VERTICES = 128
_GEOD = pyproj.Geod(ellps="WGS84")
_REPAIR_HINT = re.compile(r";?\s*pass repair=True to fix it\.?$")

HELP_HTML = """<div class='pixorder-map-help' style='font-size:12px;line-height:1.45'>
<b>How to draw</b> (tools on the left of the map)
<ul style='margin:2px 0 0 0;padding-left:16px'>
<li><b>Polygon</b>: click each corner, then click the first point again to close it.</li>
<li><b>Rectangle</b>: click one corner, then the opposite corner: two clicks, no dragging.</li>
<li><b>Circle</b>: click the centre, then click at the radius. It becomes a circle polygon of that
radius; to change its size, erase it and draw it again.</li>
<li><b>Marker</b>: one click; the 5×5 km square around it is ordered.</li>
<li><b>Line</b>: click along it, then click the last point again; a 5 km wide strip is ordered.</li>
<li><b>Edit</b> (pencil): drag a vertex; click a middle handle to add one.</li>
<li><b>Drag</b> (cross arrows): move a whole shape.</li>
<li><b>Erase</b> (eraser): click a shape to remove it; click the tool again to stop erasing.</li>
</ul>
Several shapes make one AOI. Zoom in to your area first; coasts and borders show even offline.
</div>"""


class UploadError(ValueError):
    """An uploaded file that is not a usable AOI; the message, written for the user, names the file.

    A ``ValueError``; :func:`aoi_from_upload` raises it and ``AOIMap`` shows its message.

    >>> try:
    ...     aoi_from_upload("field.geojson", b"")
    ... except UploadError as exc:
    ...     print(exc)
    field.geojson: the file is empty
    """


# ------------------------------------------------------------------------------------------ plain logic
def _shifted(geom: Any, dx: float) -> Any:
    return affinity.translate(geom, xoff=dx) if dx else geom


def wrap_feature(feature: Mapping[str, Any]) -> dict[str, Any]:
    """The feature's geometry moved by whole turns (±360·k) so that its centre lies within [-180, 180).

    Leaflet keeps counting longitude when the map is panned across the dateline, so a shape drawn
    there arrives at 370.1° or -346.7°. A shape that crosses ±180° keeps its continuous longitudes
    (e.g. 179 → 181); ``AOI`` splits it there.

    >>> wrap_feature({"type": "Feature", "properties": {},
    ...               "geometry": {"type": "Point", "coordinates": [370.0, 50.0]}})["geometry"]
    {'type': 'Point', 'coordinates': [10.0, 50.0]}
    """
    geometry = feature.get("geometry")
    if not isinstance(geometry, Mapping):
        return dict(feature)
    geom = shape(geometry)
    moved, k = wrap_turns(geom)  # the AOI's own rule (pixorder.aoi.shapes), so map and AOI agree
    if not k:
        return dict(feature)
    return {**feature, "geometry": json.loads(json.dumps(mapping(moved)))}  # tuples → lists, like GeoJSON


def _circle_radius_m(feature: Mapping[str, Any]) -> float | None:
    """The radius in metres of a drawn circle, or None for any other feature.

    Geoman's circle arrives as a Point with ``properties.type == "circle"`` and its Leaflet options
    (``radius`` in metres) in ``properties.style``; a ``radius`` property is read too. A circle
    *marker* has a radius in screen pixels: it is a marker, not a circle.
    """
    geometry = feature.get("geometry") or {}
    if geometry.get("type") != "Point":
        return None
    props = feature.get("properties") or {}
    kind = props.get("type")
    if kind == "circlemarker":
        return None
    radius = props.get("radius")
    if radius is None and kind == "circle":
        radius = (props.get("style") or {}).get("radius")
    if isinstance(radius, bool) or not isinstance(radius, (int, float)) or not radius > 0:
        return None
    return float(radius)


def circle_polygon(lon: float, lat: float, radius_m: float, vertices: int = CIRCLE_VERTICES) -> dict[str, Any]:
    """A geodesic circle of ``radius_m`` metres around (lon, lat) as a GeoJSON Polygon.

    Each vertex lies ``radius_m`` from the centre along a geodesic on the WGS84 ellipsoid, so the
    circle is round on the ground at any latitude. Longitudes stay continuous across ±180°.

    >>> ring = circle_polygon(10.0, 50.0, 10_000)["coordinates"][0]
    >>> len(ring), round(AOI({"type": "Polygon", "coordinates": [ring]}).area_km2, 1)
    (129, 314.0)
    """
    azimuths = np.linspace(0.0, 360.0, vertices, endpoint=False)
    lons, lats, _ = _GEOD.fwd(np.full(vertices, float(lon)), np.full(vertices, float(lat)), azimuths,
                              np.full(vertices, float(radius_m)))
    lons = np.asarray(lons, dtype=float)
    lons += 360.0 * np.round((float(lon) - lons) / 360.0)  # the centre's side of ±180°
    ring = [[round(float(x), 7), round(float(y), 7)] for x, y in zip(lons, lats)]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _clean_feature(feature: Mapping[str, Any]) -> dict[str, Any]:
    # Drawn features carry leaflet styling in properties; the AOI needs only the geometry.
    feature = wrap_feature(feature)
    geometry = feature.get("geometry")
    radius = _circle_radius_m(feature)
    if radius is not None and geometry is not None:
        lon, lat = geometry["coordinates"][:2]
        geometry = circle_polygon(lon, lat, radius)
    return {"type": "Feature", "properties": {}, "geometry": geometry}


def aoi_from_features(features: Sequence[Mapping[str, Any]], *, repair: bool = False) -> AOI | None:
    """The AOI for what is drawn on the map: every shape merged; None when nothing is drawn.

    Markers become 5×5 km squares and polylines 5 km wide strips (``AOI`` does that); circles
    become geodesic circles of their radius. Shapes drawn after panning across the dateline are
    moved back by whole turns. ``repair=True`` repairs a self-touching ring (``AOI(repair=True)``).

    >>> aoi_from_features([{"type": "Feature", "properties": {},
    ...                     "geometry": {"type": "Point", "coordinates": [10.0, 50.0]}}]).kind
    'point'
    >>> round(aoi_from_features([{"type": "Feature", "properties": {"type": "circle", "style": {"radius": 10000}},
    ...                           "geometry": {"type": "Point", "coordinates": [10.0, 50.0]}}]).area_km2)
    314
    >>> aoi_from_features([]) is None
    True
    """
    usable = [_clean_feature(f) for f in features if isinstance(f, Mapping) and f.get("geometry")]
    if not usable:
        return None
    return AOI({"type": "FeatureCollection", "features": usable}, repair=repair)


def aoi_from_upload(name: str, content: bytes, *, repair: bool = False, crs: Any = None) -> AOI:
    """Read an uploaded GeoJSON, zipped Shapefile, GeoPackage, KML or KMZ file as an AOI.

    The file goes the one way in every AOI takes (``pixorder.aoi.as_aoi`` on the file): points beside
    polygons are left out, a GeoPackage's polygon layers are used, and ``aoi.source`` says so.

    Args:
        name: the file's name as uploaded; only its suffix (``.geojson``, ``.json``, ``.zip``,
            ``.gpkg``, ``.kml``, ``.kmz``) and its name are used.
        content: the file's bytes (at most 50 MB).
        repair: repair a self-touching ring (``AOI(repair=True)``).
        crs: the CRS of a file that has none (a Shapefile without its ``.prj``), e.g. ``"EPSG:32632"``.

    Returns:
        The AOI, in lon/lat (EPSG:4326).

    Raises:
        UploadError: an unsupported suffix, an empty or too large file, a file that cannot be read,
            or one that is not a usable AOI; the message names the file and what is wrong with it.

    >>> aoi_from_upload("field.geojson", b'{"type": "Point", "coordinates": [10, 50]}').kind
    'point'
    >>> aoi_from_upload("points.csv", b"x,y")
    Traceback (most recent call last):
    ...
    pixorder.widgets.aoi_map.UploadError: points.csv: unsupported file type '.csv'; upload GeoJSON, a zipped Shapefile, a GeoPackage, KML or KMZ
    """
    name = Path(name or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_TYPES:
        raise UploadError(f"{name}: unsupported file type {suffix or name!r}; upload GeoJSON, a zipped "
                          "Shapefile, a GeoPackage, KML or KMZ")
    if not content:
        raise UploadError(f"{name}: the file is empty")
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadError(f"{name}: the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB")
    crs = crs.strip() if isinstance(crs, str) else crs
    stem = Path(name).stem
    try:
        if suffix in (".geojson", ".json"):
            try:
                obj = json.loads(bytes(content).decode("utf-8-sig"))
            except (UnicodeDecodeError, ValueError) as exc:
                raise UploadError(f"{name}: not valid GeoJSON ({exc})") from None
            if isinstance(obj, Mapping) and obj.get("type") == "FeatureCollection" and not obj.get("features"):
                raise UploadError(f"{name}: the layer has no features")
        # Read as a file, like AOI(path): GDAL wants a real file with its suffix.
        with tempfile.TemporaryDirectory(prefix="pixorder-upload-") as folder:
            path = Path(folder) / f"upload{suffix}"
            path.write_bytes(bytes(content))
            aoi = as_aoi(path, name=stem, repair=repair, crs=crs or None)
    except ValidationError as exc:
        # exc.rule may name the temporary file: show the user's file name instead.
        rule = exc.rule.replace(f"upload{suffix}", name)
        if exc.field == "crs" and "no CRS" in rule:
            rule = rule.replace("(e.g. AOI(path, crs='EPSG:32632'), or the upload's CRS field)",
                                "in the CRS field beside the upload (e.g. EPSG:32632)")
        raise UploadError(f"{name}: {rule}") from None
    except UploadError:
        raise
    except Exception as exc:  # GDAL, zip and decoding failures come in many types; all mean "unreadable"
        raise UploadError(f"{name}: could not be read ({type(exc).__name__}: {exc})") from None
    return aoi


def view_for_bounds(bounds: tuple[float, float, float, float], width_px: int = ASSUMED_WIDTH_PX,
                    height_px: int = MAP_HEIGHT_PX) -> tuple[tuple[float, float], int]:
    """Centre ``(lat, lon)`` and the largest web-mercator zoom that shows ``bounds`` (W, S, E, N) whole.

    Computed here rather than with ``Map.fit_bounds``, which needs a browser round trip and a
    running event loop (neither exists in tests or in a callback thread). ``east`` may exceed 180
    for bounds across the dateline (see :func:`continuous_bounds`).

    >>> view_for_bounds((10.0, 50.0, 10.1, 50.1))
    ((50.05, 10.05), 11)
    """
    west, south, east, north = bounds

    def merc_y(lat: float) -> float:
        lat = max(-85.0, min(85.0, lat))
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_span = max(east - west, 1e-6)
    y_span = max(merc_y(north) - merc_y(south), 1e-9)
    # At zoom z the world is 256·2^z px wide: 360° of longitude, 2π of mercator y.
    zoom_x = math.log2(width_px * 360.0 / (256.0 * lon_span))
    zoom_y = math.log2(height_px * 2 * math.pi / (256.0 * y_span))
    # 0.3: a margin around the shape; zoom 2 at least, so a huge AOI still opens on a region.
    zoom = int(max(2, min(17, math.floor(min(zoom_x, zoom_y) - 0.3))))
    center = (round((south + north) / 2, 6), round((west + east) / 2, 6))
    return center, zoom


def continuous_bounds(geom: Any) -> tuple[float, float, float, float]:
    """(W, S, E, N) of ``geom`` with the parts split at ±180° put back together.

    An AOI across the dateline is stored as parts on both sides (bounds -180..180); its continuous
    bounds run e.g. from 177 to 181, so a view of it is centred near 180°, not at longitude 0.

    >>> continuous_bounds(AOI.from_bounds(177.0, -18.0, -179.0, -16.0).geometry)
    (177.0, -18.0, 181.0, -16.0)
    """
    west, south, east, north = (float(v) for v in geom.bounds)
    if east - west <= 180:
        return west, south, east, north
    parts = shapely.get_parts(geom)
    moved = [_shifted(part, 360.0) if part.bounds[0] + part.bounds[2] < 0 else part for part in parts]
    w2, _, e2, _ = (float(v) for v in shapely.total_bounds(moved))
    return (w2, south, e2, north) if e2 - w2 < east - west else (west, south, east, north)


def aoi_view(aoi: AOI) -> tuple[tuple[float, float], int]:
    """Centre ``(lat, lon)`` and zoom that fit ``aoi``, centred near 180° for an AOI across the dateline.

    >>> aoi_view(AOI.from_bounds(177.0, -18.0, -179.0, -16.0))
    ((-17.0, 179.0), 7)
    """
    return view_for_bounds(continuous_bounds(aoi.geometry))


def _near(geom: Any, ref_lon: float) -> Any:
    """``geom`` with each part moved by whole turns to lie nearest ``ref_lon``, for display.

    Leaflet draws vectors at their literal longitudes: a part at -179.5° is a world away from a
    view centred at 179°. Parts that meet again at ±180° are merged into one shape.
    """
    parts = list(shapely.get_parts(geom))
    moved = []
    for part in parts:
        west, _, east, _ = part.bounds
        moved.append(_shifted(part, 360.0 * round((ref_lon - (west + east) / 2) / 360.0)))
    if all(a is b for a, b in zip(moved, parts)):
        return geom
    return shapely.union_all(moved)


def _inside(bounds: tuple[float, float, float, float], view: Any) -> bool:
    """Whether ``bounds`` lies inside the map's current view (``Map.bounds``, synced by the browser)."""
    try:
        (south, west), (north, east) = view
    except (TypeError, ValueError):
        return False
    w, s, e, n = bounds
    return south <= s and n <= north and west <= w and e <= east


def _features_bounds(features: Sequence[Mapping[str, Any]]) -> tuple[float, float, float, float] | None:
    """Bounds of the features as drawn (longitudes as Leaflet counts them, past ±180 when panned)."""
    geoms = []
    for feature in features:
        if isinstance(feature, Mapping) and isinstance(feature.get("geometry"), Mapping):
            try:
                geoms.append(shape(feature["geometry"]))
            except Exception:  # an unreadable geometry is reported by aoi_from_features
                continue
    geoms = [g for g in geoms if not g.is_empty]
    if not geoms:
        return None
    return tuple(float(v) for v in shapely.total_bounds(geoms))  # type: ignore[return-value]


@functools.lru_cache(maxsize=1)
def basemap_data() -> dict[str, Any]:
    """Natural Earth 1:110m countries (public domain) as GeoJSON, shipped in ``widgets/data``.

    Land within 30° of ±180° is repeated on the other side of the dateline, so a view across it
    (Fiji, the Bering Strait) shows the coasts on both sides: Leaflet does not repeat vectors.

    Returns:
        A GeoJSON ``FeatureCollection`` dict (lon/lat degrees): one feature per country with
        ``name`` and ``iso_a3`` properties, then the shifted copies (``copy: True``). Read once and
        cached: do not modify it.

    >>> data = basemap_data()
    >>> data["type"], sorted(data["features"][0]["properties"])
    ('FeatureCollection', ['iso_a3', 'name'])
    >>> copies = [f["properties"]["name"] for f in data["features"] if f["properties"].get("copy")]
    >>> len(data["features"]) - len(copies), sorted(set(copies))[:4]
    (177, ['Antarctica', 'Australia', 'Fiji', 'New Caledonia'])
    """
    data = json.loads(BASEMAP_FILE.read_text(encoding="utf-8"))
    copies = []
    for feature in data["features"]:
        geom = shape(feature["geometry"])
        for west, east, dx in ((-180.0, -150.0, 360.0), (150.0, 180.0, -360.0)):
            piece = shapely.clip_by_rect(geom, west, -90.0, east, 90.0)
            polygons = [g for g in shapely.get_parts(piece) if g.geom_type == "Polygon" and g.area > 0]
            if polygons:
                moved = affinity.translate(shapely.MultiPolygon(polygons), xoff=dx)
                copies.append({"type": "Feature", "properties": {**feature["properties"], "copy": True},
                               "geometry": json.loads(shapely.to_geojson(moved))})
    return {"type": "FeatureCollection", "features": [*data["features"], *copies]}


BASEMAP_STYLE = {"color": "#7a7a7a", "weight": 0.8, "fillColor": "#f3efe6", "fillOpacity": 1.0,
                 "pane": BASEMAP_PANE, **INERT}
FOOTPRINT_STYLE = {"color": "#e65100", "weight": 2, "dashArray": "6 4", "fillOpacity": 0.05,
                   "pane": HELPER_PANE, **INERT}
_BASEMAP_LAYER: Any = None


def basemap_layer() -> Any:
    """The offline basemap layer (one widget shared by every map, so its data is sent once).

    Returns:
        An ``ipyleaflet.GeoJSON`` of :func:`basemap_data` in the basemap pane (below the tiles),
        inert to clicks and Geoman; a new one once the shared one's widget was closed.

    >>> layer = basemap_layer()
    >>> layer is basemap_layer(), layer.name, layer.pane
    (True, 'Countries (Natural Earth 1:110m, offline)', 'pixorder-basemap')
    """
    global _BASEMAP_LAYER
    import ipyleaflet as L

    if _BASEMAP_LAYER is None or getattr(_BASEMAP_LAYER, "comm", None) is None:
        _BASEMAP_LAYER = L.GeoJSON(data=basemap_data(), name="Countries (Natural Earth 1:110m, offline)",
                                   style=BASEMAP_STYLE, pane=BASEMAP_PANE, pm_ignore=True, snap_ignore=True)
    return _BASEMAP_LAYER


def checks_html(aoi: AOI, providers: Sequence[str]) -> str:
    """The AOI's area, the large-AOI flag, and per provider the rules it bends or breaks (``AOI.check``).

    Args:
        aoi: the AOI to check.
        providers: provider names (``"pixxel"``, ``"planet"``, ``"geopera"``); an unknown one gets a
            row with its error instead of checks.

    Returns:
        HTML: an ``Area:`` line, then a ``pixorder-checks`` table of provider, severity (info, bends,
        breaks) and rule.

    >>> import re
    >>> html = checks_html(AOI("POINT (5.45 52.5)"), ["pixxel"])
    >>> re.sub(r"<[^>]+>", "", html.split("<table")[0])
    'Area: 25.00 km² (point)'
    >>> for row in re.findall(r"<tr>(.*?)</tr>", html)[1:]:
    ...     print(" | ".join(re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)))
    pixxel | info | the point was turned into a 5×5 km square (25.0 km²)
    pixxel | bends | Pixxel bills at least 100 km²: billed as 100 km² (AOI is 25.0 km²)
    pixxel | info | billed area 100.00 km²
    """
    head = (f"<div class='pixorder-area'><b>Area:</b> {render.esc(render.fmt_area(aoi.area_km2))}"
            f" <span style='color:#555'>({render.esc(aoi.kind)})</span></div>")
    rows = []
    breaks = render.Markup(f"<span style='color:{_SEVERITY_STYLE['breaks']}'>breaks</span>")
    if aoi.area_km2 > LARGE_AOI_KM2:
        rows.append(["every provider", breaks, render.Markup(
            f"<span class='pixorder-large-aoi'>{render.esc(render.fmt_area(aoi.area_km2))} is far larger than "
            f"any provider tasks in one order (pixorder flags anything over {LARGE_AOI_KM2:,.0f} km²): "
            "zoom in to your area and draw it again</span>")])
    for provider in providers:
        try:
            checks = aoi.check(provider)
        except ValidationError as exc:
            rows.append([provider, render.Markup(render.message(str(exc), "error")), ""])
            continue
        for check in checks:
            if check.rule == "max_area":
                continue  # said once for every provider above, with the hint to zoom in
            colour = _SEVERITY_STYLE.get(check.severity, "#333")
            rows.append([provider, render.Markup(f"<span style='color:{colour}'>{render.esc(check.severity)}</span>"),
                         check.message])
    return head + render.table(rows, ["provider", "severity", "rule"], cls="pixorder-checks")


def _for_user(exc: BaseException) -> tuple[str, bool]:
    """The refusal as the map user should read it, and whether the Repair button can fix it."""
    text = str(exc)
    if isinstance(exc, (ValidationError, UploadError)) and _REPAIR_HINT.search(text):
        return _REPAIR_HINT.sub("; press Repair to fix it", text), True
    return text, False


# ---------------------------------------------------------------------------------------- the widget
class AOITrait(traitlets.Instance):
    """An ``AOI`` or None; anything ``AOI()`` accepts (GeoJSON, shapely, a path, ...) is converted.

    Args:
        **kwargs: for ``traitlets.Instance`` (``help=``, ``default_value=``, ...).

    >>> import traitlets
    >>> class Holder(traitlets.HasTraits):
    ...     aoi = AOITrait()
    >>> holder = Holder(aoi={"type": "Point", "coordinates": [10, 50]})
    >>> holder.aoi.kind, round(holder.aoi.area_km2)
    ('point', 25)
    >>> holder.aoi = 5
    Traceback (most recent call last):
    ...
    traitlets.traitlets.TraitError: not a usable AOI: geometry: expected GeoJSON, WKT, ... (got 'int')
    """

    def __init__(self, **kwargs: Any):
        super().__init__(AOI, allow_none=True, **kwargs)

    def validate(self, obj: Any, value: Any) -> Any:
        """The value to store: ``value`` as an ``AOI`` (None stays None); traitlets calls it on every set.

        Args:
            obj: the object whose trait is being set.
            value: an ``AOI``, None, or anything ``AOI()`` accepts.

        Returns:
            The ``AOI`` (or None).

        Raises:
            traitlets.TraitError: ``AOI()`` refused ``value``; the message says why.
        """
        if value is not None and not isinstance(value, AOI):
            try:
                value = AOI(value)
            except ValidationError as exc:
                raise traitlets.TraitError(f"not a usable AOI: {exc}") from None
        return super().validate(obj, value)


class AOIMap(W.VBox):
    """A map to draw (polygon, rectangle, circle, marker → 5×5 km square, polyline → strip) or upload an AOI.

    ``value`` is the :class:`pixorder.AOI` (or None): observe it like any trait. The area and the
    provider rules it bends stay in sight under the map; a drawn point or line shows the footprint
    that will be ordered. How to draw each shape is written beside the map.

    The map opens on the AOI (fitted, centred near 180° for one across the dateline) or on a region,
    never the whole world. Under the online tiles lies an offline basemap (Natural Earth 1:110m
    countries), so coasts and borders show without internet. The basemap and the footprint outline
    take no clicks: drawing, editing, dragging and erasing always reach the drawn shapes. A shape
    that crosses itself can be fixed with the Repair button.

    >>> from pixorder.widgets import AOIMap
    >>> m = AOIMap()                      # doctest: +SKIP
    >>> m                                 # doctest: +SKIP
    >>> # draw on it, or upload a file; then:
    >>> m.value.area_km2                  # doctest: +SKIP
    >>> m.observe(lambda change: print(change.new), "value")   # doctest: +SKIP
    """

    value = AOITrait(help="the AOI drawn or uploaded, or None")
    providers = traitlets.List(traitlets.Unicode(), default_value=list(PROVIDERS),
                               help="providers whose rules (AOI.check) are shown")

    def __init__(self, value: Any = None, *, providers: Sequence[str] = PROVIDERS,
                 center: tuple[float, float] = DEFAULT_CENTER, zoom: int = DEFAULT_ZOOM, basemap: Any = None,
                 **kwargs: Any):
        import ipyleaflet as L

        map_kwargs: dict[str, Any] = {"center": center, "zoom": zoom, "scroll_wheel_zoom": True,
                                      "panes": PANES, "world_copy_jump": False,
                                      "layout": W.Layout(height=f"{MAP_HEIGHT_PX}px", width="auto",
                                                         flex="1 1 480px")}
        if basemap is not None:
            map_kwargs["basemap"] = basemap
        self.map = L.Map(**map_kwargs)
        path = {"pathOptions": {"color": "#3388ff", "fillOpacity": 0.15}}
        self.draw = L.GeomanDrawControl(
            polygon=path, rectangle=path, polyline={"pathOptions": {"color": "#3388ff"}},
            marker={"markerStyle": {"draggable": True}}, circlemarker={}, circle=path,
            cut=False, rotate=False, position="topleft",
        )
        self.basemap = basemap_layer()
        self.footprint = L.GeoJSON(
            data={"type": "FeatureCollection", "features": []}, name="footprint", style=FOOTPRINT_STYLE,
            pane=HELPER_PANE, pm_ignore=True, snap_ignore=True,
        )
        self.map.add(self.basemap)
        self.map.add(self.footprint)
        self.map.add(self.draw)
        self.help = W.HTML(HELP_HTML, layout=W.Layout(flex="0 1 260px", padding="0 0 0 8px"))
        self.upload = W.FileUpload(accept=",".join(UPLOAD_TYPES), multiple=False, description="Upload AOI",
                                   tooltip="GeoJSON, zipped Shapefile, GeoPackage, KML or KMZ")
        self.crs = W.Text(value="", placeholder="only if the file has none, e.g. EPSG:32632", description="CRS",
                          tooltip="the CRS of an uploaded file that carries none (a Shapefile without .prj)",
                          layout=W.Layout(width="260px"))
        self.repair_button = W.Button(description="Repair", icon="wrench", button_style="warning",
                                      tooltip="Repair the shape (AOI(..., repair=True)) and use it",
                                      layout=W.Layout(display="none", width="auto"))
        self.status = W.HTML()
        self.summary = W.HTML(render.message("Draw a shape on the map or upload a file.", "info"))
        self._syncing = False
        self._from_draw = False
        self._drawn_bounds: tuple[float, float, float, float] | None = None
        self._repairable: Any = None  # what Repair repairs: ("draw", features) or ("upload", name, content)
        self._needs_crs: tuple[str, bytes] | None = None  # an upload refused for want of a CRS
        super().__init__(children=[
            W.HBox([self.map, self.help], layout=W.Layout(flex_flow="row wrap", align_items="flex-start")),
            W.HBox([self.upload, self.crs, self.repair_button, self.status]), self.summary], **kwargs)
        self.add_class("pixorder-aoimap")
        self.providers = list(providers)
        self.draw.observe(self._on_draw_data, "data")
        self.upload.observe(self._on_upload, "value")
        self.crs.observe(self._on_crs, "value")
        self.repair_button.on_click(lambda _: self.repair())
        if value is not None:
            self.value = value

    # ------------------------------------------------------------------------------- public helpers
    @property
    def area_text(self) -> str:
        """The area as shown under the map (e.g. ``"25.00 km²"``), or ``""`` without an AOI."""
        return render.fmt_area(self.value.area_km2) if self.value is not None else ""

    def load_upload(self, name: str, content: bytes, crs: Any = None) -> bool:
        """Use an uploaded file as the AOI; on failure show why and keep the previous AOI.

        ``crs`` (default: the CRS field) is the CRS of a file that carries none. What was used and
        left out of the file (``aoi.source``) is shown under the upload.
        """
        crs = self.crs.value if crs is None else crs
        try:
            aoi = aoi_from_upload(name, content, crs=crs or None)
        except UploadError as exc:
            self._needs_crs = (name, bytes(content)) if ": crs: " in f": {exc}" or "no CRS" in str(exc) else None
            self._refused(exc, ("upload", name, bytes(content)))
            return False
        self._needs_crs = None
        self._accepted()
        self._set_from_outside(aoi)
        self.status.value = render.message(f"Loaded {name}: {render.fmt_area(aoi.area_km2)}. {aoi.report}", "info")
        return True

    def _on_crs(self, change: dict[str, Any]) -> None:
        # The CRS typed after an upload refused for want of one: read that upload again.
        if self._needs_crs is not None and str(change["new"]).strip():
            self.load_upload(*self._needs_crs)

    def repair(self) -> bool:
        """Repair the refused shape (drawn or uploaded) the way ``AOI(..., repair=True)`` does, and use it."""
        pending = self._repairable
        if pending is None:
            return False
        try:
            if pending[0] == "draw":
                aoi = aoi_from_features(pending[1], repair=True)
            else:
                aoi = aoi_from_upload(pending[1], pending[2], repair=True, crs=self.crs.value or None)
        except (ValidationError, UploadError) as exc:
            self._refused(exc, None)
            return False
        self._accepted()
        self.value = aoi  # not from a draw: the map's shapes are replaced by the repaired one
        self.status.value = render.message(f"Repaired: {render.fmt_area(aoi.area_km2) if aoi else ''}", "info")
        return True

    def clear(self) -> None:
        """Remove every shape and the AOI."""
        self.value = None

    # ------------------------------------------------------------------------------------ handlers
    def _refused(self, exc: BaseException, repairable: Any) -> None:
        text, can_repair = _for_user(exc)
        if not isinstance(exc, UploadError):
            text = f"That shape is not a usable AOI: {text}"
        self._repairable = repairable if can_repair else None
        self.repair_button.layout.display = None if self._repairable is not None else "none"
        self.status.value = render.message(text, "error")

    def _accepted(self) -> None:
        self._repairable = None
        self.repair_button.layout.display = "none"

    def _on_draw_data(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        features = list(change["new"] or [])
        try:
            aoi = aoi_from_features(features)
        except Exception as exc:  # shown inline: a callback's exception would vanish in the kernel log
            self._refused(exc, ("draw", features))
            return
        self._accepted()
        self.status.value = ""
        self._drawn_bounds = _features_bounds(features)
        self._from_draw = True
        try:
            self.value = aoi
        finally:
            self._from_draw = False

    def _on_upload(self, change: dict[str, Any]) -> None:
        files = change["new"] or ()
        if not files:
            return
        upload = files[-1]
        self.load_upload(str(upload.get("name", "upload")), bytes(upload.get("content") or b""))
        # Forget the bytes: they would otherwise stay in the widget state saved with the notebook,
        # and the same file could not be picked again.
        self.upload.value = ()

    def _set_from_outside(self, aoi: AOI) -> None:
        self.value = aoi

    @traitlets.observe("value")
    def _on_value(self, change: dict[str, Any]) -> None:
        aoi: AOI | None = change["new"]
        from_draw = getattr(self, "_from_draw", False)
        if aoi is None:
            if not from_draw and self.draw.data:
                self._syncing = True
                try:
                    self.draw.data = []
                finally:
                    self._syncing = False
            self.footprint.data = {"type": "FeatureCollection", "features": []}
            self.summary.value = render.message("Draw a shape on the map or upload a file.", "info")
            return
        drawn = self._drawn_bounds if from_draw else None
        if drawn is not None:
            # Where the user drew, in Leaflet's own count of longitude (past ±180 after panning).
            view = view_for_bounds(drawn)
        else:
            view = aoi_view(aoi)
        ref_lon = view[0][1]
        shown = {"type": "Feature", "properties": {}, "geometry": mapping(_near(aoi.geometry, ref_lon))}
        shown = json.loads(json.dumps(shown))  # tuples → lists, as the browser sends them
        self.footprint.data = {"type": "FeatureCollection", "features": [shown]}
        self.summary.value = checks_html(aoi, self.providers)
        if not from_draw:
            # An uploaded or assigned AOI becomes the drawn shape, so it can be edited like a drawn one.
            self._syncing = True
            try:
                self.draw.data = [shown]
            finally:
                self._syncing = False
        if not (drawn is not None and _inside(drawn, self.map.bounds)):
            # Drawing inside the view keeps the view (no jumps while editing); anything else is fitted.
            center, zoom = view
            self.map.center = center
            self.map.zoom = zoom

    @traitlets.observe("providers")
    def _on_providers(self, change: dict[str, Any]) -> None:
        if self.value is not None:
            self.summary.value = checks_html(self.value, self.providers)
