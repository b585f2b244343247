"""AOIMap: draw or upload an area of interest, see its footprint, area and provider rules."""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as W
import traitlets

from pixorder.aoi import AOI
from pixorder.errors import ValidationError
from pixorder.widgets import render

__all__ = ["AOIMap", "UploadError", "aoi_from_features", "aoi_from_upload", "view_for_bounds"]

PROVIDERS = ("pixxel", "planet", "geopera")
UPLOAD_TYPES = (".geojson", ".json", ".zip", ".gpkg", ".kml")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# The map's size as laid out below; used to pick a zoom level without a browser round trip.
MAP_HEIGHT_PX = 480
ASSUMED_WIDTH_PX = 700
_SEVERITY_STYLE = {"info": "#555", "bends": "#8a5a00", "breaks": "#b00020"}


class UploadError(ValueError):
    """An uploaded file that is not a usable AOI; the message is written for the user."""


# ------------------------------------------------------------------------------------------ plain logic
def _clean_feature(feature: Mapping[str, Any]) -> dict[str, Any]:
    # Drawn features carry leaflet styling in properties; the AOI needs only the geometry.
    return {"type": "Feature", "properties": {}, "geometry": feature.get("geometry")}


def aoi_from_features(features: Sequence[Mapping[str, Any]]) -> AOI | None:
    """The AOI for what is drawn on the map: every shape merged; None when nothing is drawn.

    Markers become 5×5 km squares and polylines 5 km wide strips (``AOI`` does that).

    >>> aoi_from_features([{"type": "Feature", "properties": {},
    ...                     "geometry": {"type": "Point", "coordinates": [10.0, 50.0]}}]).kind
    'point'
    >>> aoi_from_features([]) is None
    True
    """
    usable = [_clean_feature(f) for f in features if isinstance(f, Mapping) and f.get("geometry")]
    if not usable:
        return None
    return AOI({"type": "FeatureCollection", "features": usable})


def aoi_from_upload(name: str, content: bytes) -> AOI:
    """Read an uploaded GeoJSON, zipped Shapefile, GeoPackage or KML file as an AOI.

    Raises :class:`UploadError` with a message that names the file and what is wrong with it.

    >>> aoi_from_upload("field.geojson", b'{"type": "Point", "coordinates": [10, 50]}').kind
    'point'
    >>> aoi_from_upload("points.csv", b"x,y")
    Traceback (most recent call last):
    ...
    pixorder.widgets.aoi_map.UploadError: points.csv: unsupported file type '.csv'; upload GeoJSON, a zipped Shapefile, a GeoPackage or KML
    """
    name = Path(name or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_TYPES:
        raise UploadError(f"{name}: unsupported file type {suffix or name!r}; upload GeoJSON, a zipped "
                          "Shapefile, a GeoPackage or KML")
    if not content:
        raise UploadError(f"{name}: the file is empty")
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadError(f"{name}: the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB")
    stem = Path(name).stem
    try:
        if suffix in (".geojson", ".json"):
            try:
                obj = json.loads(bytes(content).decode("utf-8-sig"))
            except (UnicodeDecodeError, ValueError) as exc:
                raise UploadError(f"{name}: not valid GeoJSON ({exc})") from None
            if isinstance(obj, Mapping) and obj.get("type") == "FeatureCollection" and not obj.get("features"):
                raise UploadError(f"{name}: the layer has no features")
            return AOI(obj, name=stem)
        # Shapefiles, GeoPackages and KML are read by GDAL, which wants a real file with its suffix.
        with tempfile.TemporaryDirectory(prefix="pixorder-upload-") as folder:
            path = Path(folder) / f"upload{suffix}"
            path.write_bytes(bytes(content))
            return AOI(path, name=stem)
    except ValidationError as exc:
        # exc.value may hold the temporary path: show the rule with the user's file name instead.
        raise UploadError(f"{name}: {exc.rule}") from None
    except UploadError:
        raise
    except Exception as exc:  # GDAL, zip and decoding failures come in many types; all mean "unreadable"
        raise UploadError(f"{name}: could not be read ({type(exc).__name__}: {exc})") from None


def view_for_bounds(bounds: tuple[float, float, float, float], width_px: int = ASSUMED_WIDTH_PX,
                    height_px: int = MAP_HEIGHT_PX) -> tuple[tuple[float, float], int]:
    """Centre ``(lat, lon)`` and the largest web-mercator zoom that shows ``bounds`` (W, S, E, N) whole.

    Computed here rather than with ``Map.fit_bounds``, which needs a browser round trip and a
    running event loop (neither exists in tests or in a callback thread).

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
    zoom = int(max(1, min(17, math.floor(min(zoom_x, zoom_y) - 0.3))))  # 0.3: a margin around the shape
    center = (round((south + north) / 2, 6), round((west + east) / 2, 6))
    return center, zoom


def _inside(bounds: tuple[float, float, float, float], view: Any) -> bool:
    """Whether ``bounds`` lies inside the map's current view (``Map.bounds``, synced by the browser)."""
    try:
        (south, west), (north, east) = view
    except (TypeError, ValueError):
        return False
    w, s, e, n = bounds
    return south <= s and n <= north and west <= w and e <= east


def checks_html(aoi: AOI, providers: Sequence[str]) -> str:
    """The AOI's area and, per provider, the rules it bends or breaks (``AOI.check``)."""
    head = (f"<div class='pixorder-area'><b>Area:</b> {render.esc(render.fmt_area(aoi.area_km2))}"
            f" <span style='color:#555'>({render.esc(aoi.kind)})</span></div>")
    rows = []
    for provider in providers:
        try:
            checks = aoi.check(provider)
        except ValidationError as exc:
            rows.append([provider, render.Markup(render.message(str(exc), "error")), ""])
            continue
        for check in checks:
            colour = _SEVERITY_STYLE.get(check.severity, "#333")
            rows.append([provider, render.Markup(f"<span style='color:{colour}'>{render.esc(check.severity)}</span>"),
                         check.message])
    return head + render.table(rows, ["provider", "", "rule"], cls="pixorder-checks")


# ---------------------------------------------------------------------------------------- the widget
class AOITrait(traitlets.Instance):
    """An ``AOI`` or None; anything ``AOI()`` accepts (GeoJSON, shapely, a path, ...) is converted."""

    def __init__(self, **kwargs: Any):
        super().__init__(AOI, allow_none=True, **kwargs)

    def validate(self, obj: Any, value: Any) -> Any:
        if value is not None and not isinstance(value, AOI):
            try:
                value = AOI(value)
            except ValidationError as exc:
                raise traitlets.TraitError(f"not a usable AOI: {exc}") from None
        return super().validate(obj, value)


class AOIMap(W.VBox):
    """A map to draw (polygon, rectangle, marker → 5×5 km square, polyline → strip) or upload an AOI.

    ``value`` is the :class:`pixorder.AOI` (or None): observe it like any trait. The area and the
    provider rules it bends stay in sight under the map; a drawn point or line shows the footprint
    that will be ordered. Works offline: without tiles the map is grey but drawing works.

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
                 center: tuple[float, float] = (20.0, 0.0), zoom: int = 2, basemap: Any = None,
                 **kwargs: Any):
        import ipyleaflet as L

        map_kwargs: dict[str, Any] = {"center": center, "zoom": zoom, "scroll_wheel_zoom": True,
                                      "layout": W.Layout(height=f"{MAP_HEIGHT_PX}px", width="100%")}
        if basemap is not None:
            map_kwargs["basemap"] = basemap
        self.map = L.Map(**map_kwargs)
        path = {"pathOptions": {"color": "#3388ff", "fillOpacity": 0.15}}
        self.draw = L.GeomanDrawControl(
            polygon=path, rectangle=path, polyline={"pathOptions": {"color": "#3388ff"}},
            marker={"markerStyle": {"draggable": True}}, circlemarker={}, circle={},
            cut=False, rotate=False, position="topleft",
        )
        self.footprint = L.GeoJSON(
            data={"type": "FeatureCollection", "features": []}, name="footprint",
            style={"color": "#e65100", "weight": 2, "dashArray": "6 4", "fillOpacity": 0.05},
        )
        self.map.add(self.footprint)
        self.map.add(self.draw)
        self.upload = W.FileUpload(accept=",".join(UPLOAD_TYPES), multiple=False,
                                   description="Upload AOI", tooltip="GeoJSON, zipped Shapefile, GeoPackage or KML")
        self.status = W.HTML()
        self.summary = W.HTML(render.message("Draw a shape on the map or upload a file.", "info"))
        self._syncing = False
        self._from_draw = False
        super().__init__(children=[self.map, W.HBox([self.upload, self.status]), self.summary], **kwargs)
        self.add_class("pixorder-aoimap")
        self.providers = list(providers)
        self.draw.observe(self._on_draw_data, "data")
        self.upload.observe(self._on_upload, "value")
        if value is not None:
            self.value = value

    # ------------------------------------------------------------------------------- public helpers
    @property
    def area_text(self) -> str:
        """The area as shown under the map (e.g. ``"25.00 km²"``), or ``""`` without an AOI."""
        return render.fmt_area(self.value.area_km2) if self.value is not None else ""

    def load_upload(self, name: str, content: bytes) -> bool:
        """Use an uploaded file as the AOI; on failure show why and keep the previous AOI."""
        try:
            aoi = aoi_from_upload(name, content)
        except UploadError as exc:
            self.status.value = render.message(str(exc), "error")
            return False
        self._set_from_outside(aoi)
        self.status.value = render.message(f"Loaded {name}: {render.fmt_area(aoi.area_km2)}", "info")
        return True

    def clear(self) -> None:
        """Remove every shape and the AOI."""
        self.value = None

    # ------------------------------------------------------------------------------------ handlers
    def _on_draw_data(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        try:
            aoi = aoi_from_features(change["new"] or [])
        except Exception as exc:  # shown inline: a callback's exception would vanish in the kernel log
            self.status.value = render.message(f"That shape is not a usable AOI: {exc}", "error")
            return
        self.status.value = ""
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
        if aoi is None:
            if not getattr(self, "_from_draw", False) and self.draw.data:
                self._syncing = True
                try:
                    self.draw.data = []
                finally:
                    self._syncing = False
            self.footprint.data = {"type": "FeatureCollection", "features": []}
            self.summary.value = render.message("Draw a shape on the map or upload a file.", "info")
            return
        self.footprint.data = {"type": "FeatureCollection", "features": [aoi.to_feature()]}
        self.summary.value = checks_html(aoi, self.providers)
        from_draw = getattr(self, "_from_draw", False)
        if not from_draw:
            # An uploaded or assigned AOI becomes the drawn shape, so it can be edited like a drawn one.
            self._syncing = True
            try:
                self.draw.data = [{**aoi.to_feature(), "properties": {}}]
            finally:
                self._syncing = False
        if not (from_draw and _inside(aoi.bounds, self.map.bounds)):
            # Drawing inside the view keeps the view (no jumps while editing); anything else is fitted.
            center, zoom = view_for_bounds(aoi.bounds)
            self.map.center = center
            self.map.zoom = zoom

    @traitlets.observe("providers")
    def _on_providers(self, change: dict[str, Any]) -> None:
        if self.value is not None:
            self.summary.value = checks_html(self.value, self.providers)
