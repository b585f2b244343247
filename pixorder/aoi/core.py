"""Areas of interest: any shape or file in, one validated (Multi)Polygon in EPSG:4326 out, with its area."""

from __future__ import annotations

import functools
import html
import json
import math
import os
import re
import sys
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyproj
import shapely
from shapely import affinity
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from pixorder.errors import ValidationError

__all__ = [
    "AOI",
    "MIN_BILLED_AREA_KM2",
    "PROVIDERS",
    "RuleCheck",
    "areas_km2",
]

PROVIDERS: tuple[str, ...] = ("pixxel", "planet", "geopera")
#: Smallest area each provider bills (km²); Geopera documents none in our sources.
MIN_BILLED_AREA_KM2: dict[str, float] = {"pixxel": 100.0, "planet": 25.0, "geopera": 0.0}
#: Pixxel refuses a multi-part AOI whose parts cannot be linked in hops of at most this many km.
PIXXEL_MAX_PART_GAP_KM = 200.0
POINT_SQUARE_SIDE_M = 5000.0
STRIP_WIDTH_M = 5000.0
STRIP_LENGTH_KM = (6.0, 100.0)
_DENSIFY_M = 500.0  # vertex spacing of squares and strips before they are turned back into lon/lat
# An AOI within 0.1 % of a provider minimum meets it (a point's square is 25 km² to within 1e-7).
_MIN_AREA_SLACK = 1e-3


def _minimum_km2(provider: str, sensor: Any) -> float:
    """The provider's documented minimum, raised to ``sensor``'s own (a Sensor or a number of km²)."""
    minimum = MIN_BILLED_AREA_KM2[provider]
    if sensor is None:
        return minimum
    own = sensor if isinstance(sensor, (int, float)) else getattr(sensor, "min_area_km2", None)
    if own is None:
        return minimum
    if isinstance(own, bool) or not isinstance(own, (int, float)) or not math.isfinite(own) or own < 0:
        raise ValidationError("sensor", f"a minimum area must be a number of km² ≥ 0, got {own!r}")
    return max(minimum, float(own))

Severity = Literal["info", "bends", "breaks"]
Kind = Literal["point", "strip", "polygon"]

_GEOD = pyproj.Geod(ellps="WGS84")
_WGS84 = pyproj.CRS.from_epsg(4326)


# ------------------------------------------------------------------------------------------------ areas
# WGS84 constants for the authalic (equal-area) sphere.
_A = 6378137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
_E = math.sqrt(_E2)


def _q(s: float) -> float:
    return (1 - _E2) * (s / (1 - _E2 * s * s) + math.atanh(_E * s) / _E)


_QP = _q(1.0)
_RQ2 = _A * _A * _QP / 2  # authalic radius squared, m²
_A2R = _A * _A / _RQ2
_K_SB = (1 - _E2) / _QP
_C_ALPHA = _A2R / 12.0
_C_PR2 = (_A2R * (1 - _E2)) ** 2
_C_GAMMA = _A2R * (1 - _E2) ** 2
_D2R = math.pi / 180.0
_CHUNK = 8192  # vertices per block: keeps the temporaries in cache


def _edge_terms(lon: np.ndarray, lat_deg: np.ndarray) -> np.ndarray:
    """Signed area (unit authalic sphere) between each edge and the equator, for consecutive vertices.

    Latitudes go to authalic latitudes (an exact equal-area map of the ellipsoid onto a sphere); each
    edge then contributes the exact spherical area under its great circle, plus a small term for how
    far a WGS84 geodesic bends away from that great circle (second order in the eccentricity).
    """
    u = np.tan(lat_deg * (_D2R / 2))
    s = 2.0 * u / (1.0 + u * u)  # sin(lat), via tan (vectorised far better than np.sin)
    s2 = s * s
    iw = 1.0 / (1.0 - _E2 * s2)
    c2 = 1.0 - s2
    sb = _K_SB * (s * iw + np.arctanh(_E * s) / _E)  # sin(authalic latitude)
    cb2 = np.maximum(1.0 - sb * sb, 1e-300)
    t = sb / (1.0 + np.sqrt(cb2))  # tan(authalic latitude / 2)
    siw = s * iw
    iw2 = iw * iw
    alpha = sb * cb2 / 12.0 - _C_ALPHA * siw * c2
    gamma = 0.25 * iw2 * (_C_PR2 * sb * c2 * iw2 / cb2 - _C_GAMMA * siw)
    dlon = lon[1:] - lon[:-1]
    wrap = np.abs(dlon) > 180.0  # an edge across ±180° goes the short way round
    if wrap.any():
        dlon[wrap] -= np.copysign(360.0, dlon[wrap])
    dl = dlon * _D2R
    dp = (lat_deg[1:] - lat_deg[:-1]) * _D2R
    t1 = t[:-1]
    t2 = t[1:]
    e = 2.0 * np.arctan(np.tan(0.5 * dl) * (t1 + t2) / (1.0 + t1 * t2))
    e -= 0.5 * ((alpha[1:] + alpha[:-1]) * dl * dl + (gamma[1:] + gamma[:-1]) * dp * dp) * dl
    return e


def _ring_layout(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates of every ring, the ring of each coordinate, whether a ring is an exterior, its owner."""
    types = shapely.get_type_id(geoms)
    if len(geoms) and np.all(types == 3) and not shapely.get_num_interior_rings(geoms).any():
        coords, ring_of = shapely.get_coordinates(geoms, return_index=True)
        return coords, ring_of, np.ones(len(geoms), bool), np.arange(len(geoms))
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    exterior = np.ones(len(rings), bool)
    exterior[1:] = ring_part[1:] != ring_part[:-1]
    return coords, ring_of, exterior, part_owner[ring_part]


def areas_km2(geometries: Any) -> np.ndarray:
    """Geodesic areas (km², WGS84) of many lon/lat polygons at once, as a float array.

    Accepts one shapely geometry, a sequence or array of them, or a GeoSeries in EPSG:4326.
    Polygons and MultiPolygons count their holes; other geometry types give 0, missing values NaN.
    Edges are geodesics, as in ``pyproj.Geod.geometry_area_perimeter``; results agree with it to about
    1e-7 (relative) for ordinary shapes, and a ring that jumps across ±180° is read the short way round.

    >>> import shapely
    >>> areas_km2([shapely.box(10, 45, 11, 46), shapely.box(0, 0, 0.1, 0.1)]).round(1).tolist()
    [8686.4, 123.1]
    """
    if isinstance(geometries, BaseGeometry):
        geometries = [geometries]
    geoms = np.asarray(geometries, dtype=object).ravel()
    if geoms.size == 0:
        return np.zeros(0)
    coords, ring_of, exterior, owner = _ring_layout(geoms)
    n = len(coords)
    edges = np.zeros(max(n - 1, 0))
    for i0 in range(0, n - 1, _CHUNK):
        i1 = min(i0 + _CHUNK, n - 1)
        block = coords[i0 : i1 + 1]
        edges[i0:i1] = _edge_terms(block[:, 0], block[:, 1])
    if n > 1:
        edges[ring_of[1:] != ring_of[:-1]] = 0.0  # no edge between two rings
        ring_area = np.abs(np.bincount(ring_of[:-1], weights=edges, minlength=len(exterior)))
    else:
        ring_area = np.zeros(len(exterior))
    ring_area[~exterior] *= -1.0
    out = np.bincount(owner, weights=ring_area, minlength=len(geoms)) * (_RQ2 / 1e6)
    out[shapely.is_missing(geoms)] = np.nan
    return out


# ------------------------------------------------------------------------------------------ rule checks
@dataclass(frozen=True)
class RuleCheck:
    """What a provider will make of an AOI, found before any network call.

    ``severity`` is ``"info"`` (nothing to do), ``"bends"`` (accepted, but billed or shaped differently
    from what was drawn) or ``"breaks"`` (the provider will refuse it).
    """

    provider: str
    rule: str
    severity: Severity
    message: str
    billed_area_km2: float

    def __str__(self) -> str:
        return self.message


# ----------------------------------------------------------------------------------------------- the AOI
class AOI:
    """An area of interest: one valid (Multi)Polygon in EPSG:4326 with its geodesic area.

    ``source`` may be a GeoJSON geometry, Feature or FeatureCollection (dict or JSON text), a shapely
    geometry, anything with ``__geo_interface__``, a GeoDataFrame or GeoSeries (any CRS), WKT, or a
    path to a GeoJSON, GeoPackage, zipped Shapefile or KML file. ``crs`` names the CRS of the input
    coordinates when the input does not carry one (default EPSG:4326).

    A Point becomes the 5×5 km square around it, a LineString the 5 km wide strip along it (6–100 km
    long); several features are merged into one shape. Rings are closed and wound counter-clockwise
    (holes clockwise), shapes across ±180° are split there. A self-intersecting polygon is refused
    unless ``repair=True``. Every refusal is a :class:`pixorder.errors.ValidationError`.

    >>> aoi = AOI({"type": "Point", "coordinates": [149.44135, 28.49240]})
    >>> aoi.kind, round(aoi.area_km2, 1)
    ('point', 25.0)
    >>> AOI("POLYGON ((0 0, 0.1 0, 0.1 0.1, 0 0.1, 0 0))")
    AOI(polygon, 123.09 km², bounds=(0.00000, 0.00000, 0.10000, 0.10000))
    >>> AOI({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: geometry: polygon crosses itself at (0.5, 0.5); pass repair=True to fix it
    """

    __slots__ = ("_geometry", "_original", "_kind", "_name", "_length_km", "_area", "_gap", "_mapping")

    def __init__(self, source: Any, *, crs: Any = None, repair: bool = False, name: str | None = None):
        if name is not None and not isinstance(name, str):
            raise ValidationError("name", "must be a string", name)
        if isinstance(source, AOI):
            for slot in AOI.__slots__:
                setattr(self, slot, getattr(source, slot))
            self._name = name if name is not None else source._name
            return
        items, default_name = _load(source, crs)
        geometry, kind, length_km = _build(items, repair=bool(repair))
        self._geometry = geometry
        self._original = items[0] if len(items) == 1 else shapely.GeometryCollection(items)
        self._kind: Kind = kind
        self._name = name if name is not None else default_name
        self._length_km = length_km
        self._area: float | None = None
        self._gap: float | None = None
        self._mapping: dict[str, Any] | None = None

    @classmethod
    def from_bounds(
        cls, west: float, south: float, east: float, north: float, *, name: str | None = None
    ) -> AOI:
        """The lon/lat box between the given edges (degrees); ``west > east`` means it crosses ±180°.

        >>> AOI.from_bounds(179.5, -0.5, -179.5, 0.5).geometry.geom_type
        'MultiPolygon'
        """
        values = [west, south, east, north]
        if not all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in values):
            raise ValidationError("bounds", "west, south, east and north must be numbers", tuple(values))
        west, south, east, north = (float(v) for v in values)
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            raise ValidationError("bounds", "bounds must be finite numbers", (west, south, east, north))
        if not (-180 <= west <= 180 and -180 <= east <= 180):
            raise ValidationError("bounds", "west and east must be within [-180, 180]", (west, east))
        if not (-90 <= south < north <= 90):
            raise ValidationError("bounds", "need -90 <= south < north <= 90", (south, north))
        if west == east:
            raise ValidationError("bounds", "west and east must differ", (west, east))
        if west > east:
            east += 360.0
        if east - west >= 180:
            raise ValidationError("bounds", "an AOI must span less than 180° of longitude", (west, east))
        return cls(shapely.box(west, south, east, north), name=name)

    # ----------------------------------------------------------------------------------- properties
    @property
    def geometry(self) -> BaseGeometry:
        """The shape as a shapely Polygon or MultiPolygon in EPSG:4326 (lon, lat)."""
        return self._geometry

    @property
    def original_geometry(self) -> BaseGeometry:
        """The input geometry in EPSG:4326 before squares, strips, repair or splitting were applied."""
        return self._original

    @property
    def kind(self) -> Kind:
        """``"point"`` (5×5 km square), ``"strip"`` (5 km wide corridor) or ``"polygon"``."""
        return self._kind

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def length_km(self) -> float | None:
        """Geodesic length of a strip's centre line, km (None for other kinds)."""
        return self._length_km

    @property
    def crs(self) -> str:
        return "EPSG:4326"

    @property
    def area_km2(self) -> float:
        """Area on the WGS84 ellipsoid in km², with geodesic edges (see :func:`areas_km2`)."""
        if self._area is None:
            self._area = float(areas_km2([self._geometry])[0])
        return self._area

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees; a shape split at ±180° spans -180..180."""
        return tuple(float(v) for v in self._geometry.bounds)  # type: ignore[return-value]

    @property
    def n_parts(self) -> int:
        return int(shapely.get_num_geometries(self._geometry))

    @property
    def n_vertices(self) -> int:
        return int(shapely.get_num_coordinates(self._geometry))

    @property
    def part_gap_km(self) -> float:
        """Largest geodesic gap (km) to bridge when linking all parts by their nearest points; 0 for one part.

        Parts split at ±180° touch, so they count as linked.
        """
        if self._gap is None:
            self._gap = _largest_gap_km(self._geometry)
        return self._gap

    # ------------------------------------------------------------------------------ provider rules
    def billed_area_km2(self, provider: str, sensor: Any = None) -> float:
        """The area ``provider`` will bill for this AOI (its minimum when the AOI is smaller).

        ``sensor`` (a :class:`~pixorder.models.Sensor` from ``client.sensors()``, or its minimum in
        km²) adds that sensor's own minimum: Geopera's minimums are per sensor.

        >>> AOI.from_bounds(0, 0, 0.05, 0.05).billed_area_km2("pixxel")
        100.0
        """
        return max(self.area_km2, _minimum_km2(_provider(provider), sensor))

    def check(self, provider: str, sensor: Any = None) -> list[RuleCheck]:
        """What ``provider`` will make of this AOI, before any call: info, rules it bends, rules it breaks.

        ``sensor``: a :class:`~pixorder.models.Sensor` (or its minimum area in km²) whose own
        minimum billable area also applies; without it, Geopera's per-sensor minimum is unknown.

        >>> for c in AOI.from_bounds(0, 0, 0.05, 0.05).check("pixxel"):
        ...     print(c.severity, c.message)
        bends Pixxel bills at least 100 km²: billed as 100 km² (AOI is 30.8 km²)
        info billed area 100.0 km²
        """
        p = _provider(provider)
        area = self.area_km2
        minimum = _minimum_km2(p, sensor)
        billed = max(area, minimum)
        sensor_id = getattr(sensor, "id", None)
        out: list[RuleCheck] = []

        def add(rule: str, severity: Severity, message: str) -> None:
            out.append(RuleCheck(p, rule, severity, message, billed))

        label = {"pixxel": "Pixxel", "planet": "Planet", "geopera": "Geopera"}[p]
        if self._kind == "point":
            add("point", "info", f"the point was turned into a 5×5 km square ({_km2(area)} km²)")
        if p == "planet" and self._kind == "strip" and self._length_km is not None:
            lo, hi = STRIP_LENGTH_KM
            add(
                "strip_length",
                "info",
                f"strip {self._length_km:.1f} km long, 5 km wide ({label} accepts {lo:g}–{hi:g} km)",
            )
        if area < minimum * (1 - _MIN_AREA_SLACK):
            who = f"{label} {sensor_id}" if sensor_id and minimum > MIN_BILLED_AREA_KM2[p] else label
            add(
                "minimum_area",
                "bends",
                f"{who} bills at least {minimum:g} km²: billed as {minimum:g} km² (AOI is {_km2(area)} km²)",
            )
        if p == "pixxel" and self.n_parts > 1:
            gap = self.part_gap_km
            if gap > PIXXEL_MAX_PART_GAP_KM:
                add(
                    "max_part_distance",
                    "breaks",
                    f"parts are {gap:.1f} km apart; Pixxel accepts the parts of one AOI at most "
                    f"{PIXXEL_MAX_PART_GAP_KM:g} km apart",
                )
            else:
                add("max_part_distance", "info", f"{self.n_parts} parts, at most {gap:.1f} km apart")
        note = "" if minimum or sensor is not None else \
            f" ({label}'s minimum depends on the sensor: min_area_km2 in client.sensors())"
        add("billed_area", "info", f"billed area {_km2(billed)} km²{note}")
        return out

    # ----------------------------------------------------------------------------------- exports
    @property
    def __geo_interface__(self) -> dict[str, Any]:
        # Built once: payloads and quotes ask for it per request, and mapping() is not free.
        # Each caller gets its own outer dict, so editing it cannot change the AOI.
        if self._mapping is None:
            self._mapping = mapping(self._geometry)
        return dict(self._mapping)

    def to_feature(self) -> dict[str, Any]:
        """A GeoJSON Feature dict with properties ``name``, ``kind`` and ``area_km2``."""
        return {
            "type": "Feature",
            "geometry": _listify(self.__geo_interface__),
            "properties": {"name": self._name, "kind": self._kind, "area_km2": round(self.area_km2, 6)},
        }

    def to_geojson(self, **dumps_kwargs: Any) -> str:
        """The Feature of :meth:`to_feature` as JSON text.

        >>> json.loads(AOI.from_bounds(0, 0, 0.1, 0.1).to_geojson())["properties"]["kind"]
        'polygon'
        """
        return json.dumps(self.to_feature(), **dumps_kwargs)

    def to_gdf(self) -> Any:
        """A one-row GeoDataFrame in EPSG:4326 with columns ``name``, ``kind``, ``area_km2``, ``geometry``."""
        import geopandas

        return geopandas.GeoDataFrame(
            {"name": [self._name], "kind": [self._kind], "area_km2": [self.area_km2]},
            geometry=[self._geometry],
            crs="EPSG:4326",
        )

    # ---------------------------------------------------------------------------------- dunder
    def __repr__(self) -> str:
        w, s, e, n = self.bounds
        named = f", name={self._name!r}" if self._name else ""
        return (
            f"AOI({self._kind}, {self.area_km2:.2f} km², bounds=({w:.5f}, {s:.5f}, {e:.5f}, {n:.5f}){named})"
        )

    def _repr_html_(self) -> str:
        w, s, e, n = self.bounds
        rows = [
            ("kind", self._kind),
            ("area", f"{self.area_km2:,.2f} km²"),
            ("bounds (W, S, E, N)", f"{w:.5f}, {s:.5f}, {e:.5f}, {n:.5f}"),
            ("vertices", f"{self.n_vertices:,}"),
            ("parts", str(self.n_parts)),
        ]
        if self._length_km is not None:
            rows.insert(2, ("length", f"{self._length_km:.2f} km"))
        title = html.escape(self._name) if self._name else "AOI"
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        return f"<table class='pixorder-aoi'><caption>{title}</caption>{body}</table>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AOI):
            return NotImplemented
        return bool(self._geometry.equals(other._geometry))

    def __hash__(self) -> int:
        return hash(tuple(round(v, 9) for v in self.bounds))


# ------------------------------------------------------------------------------------ input loading
_WKT_START = re.compile(
    r"^(SRID=\d+\s*;\s*)?(POINT|LINESTRING|LINEARRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON"
    r"|GEOMETRYCOLLECTION)\b",
    re.IGNORECASE,
)
_GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}


def _load(source: Any, crs: Any) -> tuple[list[BaseGeometry], str | None]:
    """Turn any accepted input into shapely geometries in EPSG:4326 (one per feature) and a default name."""
    if source is None:
        raise ValidationError("geometry", "an AOI needs a geometry, a file or a GeoDataFrame", source)
    if _is_geopandas(source):
        return _from_geopandas(source, crs, field="geometry"), None
    if isinstance(source, (str, os.PathLike)):
        text = source.strip() if isinstance(source, str) else None
        if text is not None and text.startswith("{"):
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValidationError(
                    "geometry", f"not valid GeoJSON text: {exc.msg}", _short(text)
                ) from None
            return _from_geojson(obj, crs)
        wkt = _WKT_START.match(text) if text is not None else None
        if wkt is not None:
            srid = re.search(r"\d+", wkt.group(1) or "")
            if crs is None and srid:  # EWKT: SRID=3857;POLYGON(...)
                crs = f"EPSG:{srid.group(0)}"
            try:
                geom = shapely.from_wkt(text[len(wkt.group(1) or "") :] if wkt.group(1) else text)
            except shapely.errors.ShapelyError as exc:
                raise ValidationError("geometry", f"not valid WKT: {exc}", _short(text)) from None
            return [_reproject(geom, _crs_or_wgs84(crs))], None
        path = Path(text if text is not None else source)
        if text is not None and not path.expanduser().exists():
            raise ValidationError(
                "path", "file not found, and the text is neither GeoJSON nor WKT", _short(text)
            )
        return _read_file(path, crs), path.stem
    if isinstance(source, BaseGeometry):
        return [_reproject(source, _crs_or_wgs84(crs))], None
    if isinstance(source, Mapping):
        return _from_geojson(source, crs)
    interface = getattr(source, "__geo_interface__", None)
    if isinstance(interface, Mapping):
        return _from_geojson(interface, crs)
    raise ValidationError(
        "geometry",
        "expected GeoJSON, WKT, a shapely geometry, a GeoDataFrame/GeoSeries or a file path",
        type(source).__name__,
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_geopandas(obj: Any) -> bool:
    gpd = sys.modules.get("geopandas")
    return gpd is not None and isinstance(obj, (gpd.GeoDataFrame, gpd.GeoSeries))


def _from_geopandas(obj: Any, crs: Any, *, field: str) -> list[BaseGeometry]:
    series = obj.geometry if hasattr(obj, "columns") else obj
    if series.crs is not None:
        if crs is not None and not _parse_crs(crs).equals(series.crs, ignore_axis_order=True):
            raise ValidationError("crs", f"the data is already in {series.crs.to_string()}", crs)
        source_crs = pyproj.CRS.from_user_input(series.crs)
    else:
        source_crs = _crs_or_wgs84(crs)
    geoms = [g for g in np.asarray(series.values, dtype=object) if g is not None and not g.is_empty]
    if not geoms:
        where = "the file" if field == "path" else "the GeoDataFrame"
        raise ValidationError(field, f"{where} has no features with a geometry")
    return [_reproject(g, source_crs) for g in geoms]


def _from_geojson(obj: Mapping, crs: Any) -> tuple[list[BaseGeometry], str | None]:
    if crs is None:
        crs = _legacy_geojson_crs(obj)
    items = _geojson_items(obj)
    name = None
    if obj.get("type") == "Feature":
        candidate = (obj.get("properties") or {}).get("name")
        name = candidate if isinstance(candidate, str) else None
    target = _crs_or_wgs84(crs)
    return [_reproject(g, target) for g in items], name


def _legacy_geojson_crs(obj: Mapping) -> str | None:
    member = obj.get("crs")
    if isinstance(member, Mapping) and isinstance(member.get("properties"), Mapping):
        name = member["properties"].get("name")
        return name if isinstance(name, str) else None
    return None


def _geojson_items(obj: Any) -> list[BaseGeometry]:
    if not isinstance(obj, Mapping):
        raise ValidationError("geometry", "must be a GeoJSON object", _short(repr(obj)))
    kind = obj.get("type")
    if kind == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list):
            raise ValidationError("geometry", "a FeatureCollection needs a list of features")
        if not features:
            raise ValidationError("geometry", "the FeatureCollection has no features")
        items: list[BaseGeometry] = []
        for feature in features:
            if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
                raise ValidationError("geometry", "every member of features must be a Feature")
            items.extend(_geojson_items(feature))
        return items
    if kind == "Feature":
        geometry = obj.get("geometry")
        if geometry is None:
            raise ValidationError("geometry", "a Feature without geometry cannot be an AOI")
        return _geojson_items(geometry)
    if kind in _GEOMETRY_TYPES:
        return [_geojson_geometry(obj)]
    raise ValidationError("geometry", "must be a GeoJSON geometry, Feature or FeatureCollection", kind)


def _geojson_geometry(obj: Mapping) -> BaseGeometry:
    kind = obj.get("type")
    if kind == "GeometryCollection":
        members = obj.get("geometries")
        if not isinstance(members, list):
            raise ValidationError("geometry", "a GeometryCollection needs a list of geometries")
        return shapely.GeometryCollection([_geojson_geometry(_as_mapping(m)) for m in members])
    coords = obj.get("coordinates")
    if not isinstance(coords, (list, tuple)):
        raise ValidationError("geometry.coordinates", f"a {kind} needs a list of coordinates", coords)
    if kind == "Point":
        return shapely.Point() if len(coords) == 0 else shapely.Point(_positions([coords])[0])
    if kind == "MultiPoint":
        return shapely.MultiPoint(_positions(coords)) if coords else shapely.MultiPoint()
    if kind == "LineString":
        return _linestring(coords)
    if kind == "MultiLineString":
        return shapely.MultiLineString([_linestring(_as_list(c)) for c in coords])
    if kind == "Polygon":
        return _polygon(coords)
    return shapely.MultiPolygon([_polygon(_as_list(c)) for c in coords])  # MultiPolygon


def _as_mapping(value: Any) -> Mapping:
    if not isinstance(value, Mapping) or value.get("type") not in _GEOMETRY_TYPES:
        raise ValidationError("geometry", "a GeometryCollection may only hold GeoJSON geometries")
    return value


def _as_list(value: Any) -> list:
    if not isinstance(value, (list, tuple)):
        raise ValidationError("geometry.coordinates", "coordinates are nested lists of positions", value)
    return list(value)


def _numeric_rows(seq: Any) -> np.ndarray | None:
    try:
        arr = np.asarray(seq)
    except (ValueError, TypeError):  # ragged
        return None
    return arr if arr.ndim == 2 and arr.shape[1] >= 2 and arr.dtype.kind in "iuf" else None


def _positions(seq: Any) -> np.ndarray:
    """An (n, 2) float array from GeoJSON positions; refuses anything but finite number pairs."""
    arr = _numeric_rows(seq)
    if arr is None and isinstance(seq, (list, tuple)):  # [lon, lat] mixed with [lon, lat, z]
        arr = _numeric_rows([p[:2] if isinstance(p, (list, tuple)) else p for p in seq])
    if arr is None:
        raise ValidationError(
            "geometry.coordinates", "positions must be [longitude, latitude] number pairs", _short(repr(seq))
        )
    arr = arr[:, :2].astype(float)
    bad = ~np.isfinite(arr)
    if bad.any():
        index = int(np.nonzero(bad.any(axis=1))[0][0])
        raise ValidationError(
            "geometry.coordinates",
            f"coordinates must be finite numbers, not NaN or infinity (position {index})",
            arr[index].tolist(),
        )
    return arr


def _linestring(coords: Any) -> BaseGeometry:
    if len(coords) == 0:
        return shapely.LineString()
    pts = _positions(coords)
    if len(pts) < 2:
        raise ValidationError("geometry.coordinates", "a LineString needs at least 2 positions", len(pts))
    return shapely.LineString(pts)


def _polygon(coords: Any) -> BaseGeometry:
    if len(coords) == 0:
        return shapely.Polygon()
    rings = []
    for i, ring in enumerate(coords):
        pts = _positions(_as_list(ring))
        if len(pts) and not np.array_equal(pts[0], pts[-1]):
            pts = np.vstack([pts, pts[:1]])  # close an open ring
        if len(pts) < 4:
            raise ValidationError(
                "geometry.coordinates",
                f"a polygon ring needs at least 4 positions, first = last (ring {i} has {len(pts)})",
            )
        rings.append(pts)
    return shapely.Polygon(rings[0], rings[1:])


# ------------------------------------------------------------------------------------------ files
_FILE_TYPES = {".geojson", ".json", ".gpkg", ".kml", ".shp", ".zip", ".kmz"}


def _read_file(path: Path, crs: Any) -> list[BaseGeometry]:
    path = path.expanduser()
    if not path.exists():
        raise ValidationError("path", "file not found", str(path))
    if path.is_dir():
        raise ValidationError(
            "path", "is a folder; give the file itself (a zipped Shapefile, ...)", str(path)
        )
    suffix = path.suffix.lower()
    if suffix not in _FILE_TYPES:
        raise ValidationError(
            "path",
            f"unsupported file type {suffix or path.name!r}: use GeoJSON, GeoPackage, a zipped Shapefile or KML",
            str(path),
        )
    sources = [str(path)]
    if suffix in (".zip", ".kmz"):
        wanted = ".shp" if suffix == ".zip" else ".kml"
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise ValidationError("path", f"not a readable zip archive ({exc})", str(path)) from None
        members = [n for n in names if n.lower().endswith(wanted) and not n.startswith("__MACOSX/")]
        if not members:
            raise ValidationError("path", f"the zip archive holds no {wanted} file", str(path))
        sources = [f"/vsizip/{path.resolve().as_posix()}/{member}" for member in members]

    import pyogrio

    items: list[BaseGeometry] = []
    for source in sources:
        try:
            layers = [
                name for name, geometry_type in pyogrio.list_layers(source) if geometry_type is not None
            ]
            frames = [pyogrio.read_dataframe(source, layer=layer) for layer in layers]
        except Exception as exc:  # pyogrio/GDAL raise many kinds; all mean the same to the user
            raise ValidationError("path", f"cannot read {path.name}: {exc}", str(path)) from None
        for frame in frames:
            if len(frame):
                items.extend(_from_geopandas(frame, crs, field="path"))
    if not items:
        raise ValidationError("path", "the file has no features with a geometry", str(path))
    return items


# ------------------------------------------------------------------------------------------- CRS
def _parse_crs(crs: Any) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_user_input(crs)
    except (pyproj.exceptions.CRSError, TypeError, ValueError) as exc:
        raise ValidationError("crs", f"unknown CRS ({exc})", crs) from None


def _crs_or_wgs84(crs: Any) -> pyproj.CRS:
    return _WGS84 if crs is None else _parse_crs(crs)


@functools.lru_cache(maxsize=32)
def _to_wgs84(crs: pyproj.CRS) -> pyproj.Transformer | None:
    if crs.equals(_WGS84, ignore_axis_order=True):
        return None
    try:
        return pyproj.Transformer.from_crs(crs, _WGS84, always_xy=True)
    except pyproj.exceptions.ProjError as exc:
        raise ValidationError(
            "crs", f"cannot convert {crs.name} to EPSG:4326 ({exc})", crs.to_string()
        ) from None


def _reproject(geom: BaseGeometry, crs: pyproj.CRS) -> BaseGeometry:
    geom = shapely.force_2d(geom)
    _check_finite(geom)
    transformer = _to_wgs84(crs)
    if transformer is None:
        return geom
    out = shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    if not np.isfinite(shapely.get_coordinates(out)).all():
        raise ValidationError("crs", f"coordinates lie outside what {crs.name} can convert to EPSG:4326")
    return out


def _local_projection(proj: str, lon: float, lat: float) -> pyproj.Transformer:
    """Lon/lat degrees ⇄ metres in a ``proj`` projection (``tmerc``, ``aeqd``) centred on (lon, lat)."""
    lon = (lon + 180.0) % 360.0 - 180.0
    scale = " +k=1" if proj == "tmerc" else ""
    return pyproj.Transformer.from_pipeline(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        f"+step +proj={proj} +lat_0={lat:.10f} +lon_0={lon:.10f}{scale} +x_0=0 +y_0=0 +ellps=WGS84"
    )


def _project(
    geom: BaseGeometry, transformer: pyproj.Transformer, *, inverse: bool = False, lon_near: float = 0.0
) -> BaseGeometry:
    """Lon/lat → local metres, or back (``inverse``) with longitudes kept continuous near ``lon_near``."""
    if inverse:

        def fn(xy: np.ndarray) -> np.ndarray:
            lon, lat = transformer.transform(xy[:, 0], xy[:, 1], direction="INVERSE")
            return np.column_stack([lon_near + (np.asarray(lon) - lon_near + 180.0) % 360.0 - 180.0, lat])
    else:

        def fn(xy: np.ndarray) -> np.ndarray:
            return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

    return shapely.transform(geom, fn)


# ------------------------------------------------------------------------------------------ geometry
def _build(items: list[BaseGeometry], *, repair: bool) -> tuple[BaseGeometry, Kind, float | None]:
    singles = list(_flatten(items))
    if not singles:
        raise ValidationError("geometry", "geometry is empty")
    polygons: list[BaseGeometry] = []
    kinds: list[Kind] = []
    length_km = None
    for geom in singles:
        _check_latitudes(geom)
        if geom.geom_type == "Point":
            polygons.extend(_point_square(geom))
            kinds.append("point")
        elif geom.geom_type == "LineString":
            parts, length_km = _strip(geom)
            polygons.extend(parts)
            kinds.append("strip")
        else:
            polygons.extend(_polygon_parts(geom, repair=repair))
            kinds.append("polygon")
    kind: Kind = kinds[0] if len(kinds) == 1 else "polygon"
    merged = polygons[0] if len(polygons) == 1 else _polygonal(shapely.union_all(polygons))
    if merged.is_empty or merged.area == 0:
        raise ValidationError("geometry", "the shape has no area")
    return _orient(merged), kind, (length_km if kind == "strip" else None)


def _flatten(items: Iterable[BaseGeometry]) -> Iterable[BaseGeometry]:
    for geom in items:
        if geom is None or geom.is_empty:
            continue
        kind = geom.geom_type
        if kind in ("Point", "LineString", "Polygon"):
            yield geom
        elif kind == "LinearRing":
            yield shapely.Polygon(geom)
        elif kind in ("MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection"):
            yield from _flatten(geom.geoms)
        else:  # pragma: no cover - shapely has no other types today
            raise ValidationError("geometry", "unsupported geometry type", kind)


def _check_finite(geom: BaseGeometry) -> None:
    xy = shapely.get_coordinates(geom)
    bad = ~np.isfinite(xy)
    if bad.any():
        row = xy[np.nonzero(bad.any(axis=1))[0][0]]
        raise ValidationError(
            "geometry.coordinates", "coordinates must be finite numbers, not NaN or infinity", row.tolist()
        )


def _check_latitudes(geom: BaseGeometry) -> None:
    lat = shapely.get_coordinates(geom)[:, 1]
    bad = np.abs(lat) > 90
    if bad.any():
        raise ValidationError("geometry.coordinates", "latitude must be within [-90, 90]", float(lat[bad][0]))


def _check_longitudes(geom: BaseGeometry) -> None:
    """Longitudes must be within [-180, 180], except for a shape that runs across ±180° (e.g. 179 → 181)."""
    west, _, east, _ = geom.bounds
    if -180 <= west and east <= 180:
        return
    crosses = (west < 180 < east or west < -180 < east) and east - west < 360 and -360 <= west and east <= 360
    if not crosses:
        bad = west if west < -180 else east
        raise ValidationError("geometry.coordinates", "longitude must be within [-180, 180]", bad)


def _unwrap(lon: np.ndarray) -> np.ndarray:
    """Longitudes made continuous: a step of more than 180° is read as crossing ±180°."""
    step = np.diff(lon)
    shift = np.where(step > 180, -360.0, np.where(step < -180, 360.0, 0.0))
    out = np.array(lon, dtype=float)
    out[1:] += np.cumsum(shift)
    return out


def _unwrap_ring(ring: Any) -> np.ndarray:
    xy = np.asarray(ring.coords)[:, :2].copy()
    xy[:, 0] = _unwrap(xy[:, 0])
    if abs(xy[-1, 0] - xy[0, 0]) > 1e-9:
        raise ValidationError("geometry", "a ring goes round a pole; split it into parts that do not")
    return xy


def _unwrap_polygon(poly: BaseGeometry) -> BaseGeometry:
    rings = [poly.exterior, *poly.interiors]
    if not any(np.abs(np.diff(np.asarray(r.coords)[:, 0])).max(initial=0) > 180 for r in rings):
        return poly
    shell = _unwrap_ring(poly.exterior)
    centre = (shell[:, 0].min() + shell[:, 0].max()) / 2
    holes = []
    for ring in poly.interiors:
        hole = _unwrap_ring(ring)
        hole[:, 0] += 360.0 * round((centre - (hole[:, 0].min() + hole[:, 0].max()) / 2) / 360.0)
        holes.append(hole)
    return shapely.Polygon(shell, holes)


def _polygon_parts(poly: BaseGeometry, *, repair: bool) -> list[BaseGeometry]:
    poly = _unwrap_polygon(poly)
    _check_longitudes(poly)
    if not poly.is_valid:
        if not repair:
            raise ValidationError("geometry", _invalid_reason(poly))
        poly = _polygonal(shapely.make_valid(poly))
        if poly.is_empty:
            raise ValidationError("geometry", "nothing with an area is left after repair")
    if poly.area == 0:
        raise ValidationError("geometry", "the polygon has no area")
    return _split_antimeridian(poly)


def _invalid_reason(poly: BaseGeometry) -> str:
    reason = explain_validity(poly)
    match = re.match(r"^(.*)\[(\S+) (\S+)\]$", reason)
    if not match:
        return f"polygon is not valid: {reason}; pass repair=True to fix it"
    what, x, y = match.group(1), float(match.group(2)), float(match.group(3))
    where = f"({x:.6g}, {y:.6g})"
    if what == "Self-intersection":
        return f"polygon crosses itself at {where}; pass repair=True to fix it"
    return f"polygon is not valid: {what} at {where}; pass repair=True to fix it"


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Only the Polygon parts of ``geom`` (as a Polygon, a MultiPolygon or an empty Polygon)."""
    polys = [g for g in _flatten([geom]) if g.geom_type == "Polygon" and g.area > 0]
    if not polys:
        return shapely.Polygon()
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def _split_antimeridian(geom: BaseGeometry) -> list[BaseGeometry]:
    """Pieces of a polygon in continuous longitudes, each moved into [-180, 180]."""
    west, _, east, _ = geom.bounds
    if -180 <= west and east <= 180:
        return [geom]
    pieces = []
    for k in range(math.floor((west + 180) / 360), math.floor((east + 180) / 360) + 1):
        window = shapely.box(-180 + 360 * k, -90, 180 + 360 * k, 90)
        piece = _polygonal(shapely.intersection(geom, window))
        if not piece.is_empty:
            pieces.append(affinity.translate(piece, xoff=-360.0 * k) if k else piece)
    return pieces


def _orient(geom: BaseGeometry) -> BaseGeometry:
    orient_polygons = getattr(shapely, "orient_polygons", None)
    if orient_polygons is not None:
        return orient_polygons(geom, exterior_cw=False)
    from shapely.geometry.polygon import orient  # shapely < 2.1

    if geom.geom_type == "Polygon":
        return orient(geom, 1.0)
    return shapely.MultiPolygon([orient(p, 1.0) for p in geom.geoms])


def _point_square(point: BaseGeometry) -> list[BaseGeometry]:
    lon, lat = point.x, point.y
    if not -180 <= lon <= 180:
        raise ValidationError("geometry.coordinates", "longitude must be within [-180, 180]", lon)
    if abs(lat) > 89.9:
        raise ValidationError("geometry.coordinates", "a point this close to a pole cannot be squared", lat)
    local = _local_projection("tmerc", lon, lat)
    half = POINT_SQUARE_SIDE_M / 2
    square = shapely.segmentize(shapely.box(-half, -half, half, half), _DENSIFY_M)
    return _split_antimeridian(_project(square, local, inverse=True, lon_near=lon))


def _strip(line: BaseGeometry) -> tuple[list[BaseGeometry], float]:
    xy = shapely.get_coordinates(line)
    xy[:, 0] = _unwrap(xy[:, 0])
    line = shapely.LineString(xy)
    _check_longitudes(line)
    length_km = float(_GEOD.line_length(xy[:, 0], xy[:, 1])) / 1000.0
    lo, hi = STRIP_LENGTH_KM
    if not lo <= length_km <= hi:
        error = ValidationError(
            "length_km", f"strip length must be between {lo:g} and {hi:g} km (measured {length_km:.1f} km)"
        )
        error.value = round(length_km, 3)
        raise error
    centre = line.centroid
    local = _local_projection("tmerc", centre.x, centre.y)
    strip = shapely.buffer(_project(line, local), STRIP_WIDTH_M / 2, cap_style="flat", join_style="round")
    strip = shapely.segmentize(strip, _DENSIFY_M)
    return _split_antimeridian(_project(strip, local, inverse=True, lon_near=centre.x)), length_km


# ---------------------------------------------------------------------------------- rule helpers
def _provider(provider: Any) -> str:
    p = provider.strip().lower() if isinstance(provider, str) else None
    if p not in PROVIDERS:
        raise ValidationError("provider", f"must be one of {', '.join(PROVIDERS)}", provider)
    return p


def _km2(value: float) -> str:
    return f"{value:,.1f}" if value >= 1 else f"{value:.3g}"


def _listify(obj: Any) -> Any:
    if isinstance(obj, (list, tuple)):
        return [_listify(v) for v in obj]
    if isinstance(obj, Mapping):
        return {k: _listify(v) for k, v in obj.items()}
    return obj


def _centre(geom: BaseGeometry) -> tuple[float, float]:
    """Area-weighted mean position of the parts, on the sphere (right for shapes split at ±180°)."""
    parts = shapely.get_parts(geom)
    weights = areas_km2(parts)
    centroids = shapely.centroid(parts)
    lon = np.radians(shapely.get_x(centroids))
    lat = np.radians(shapely.get_y(centroids))
    v = (
        weights[:, None]
        * np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    ).sum(0)
    return math.degrees(math.atan2(v[1], v[0])), math.degrees(math.atan2(v[2], math.hypot(v[0], v[1])))


def _largest_gap_km(geom: BaseGeometry) -> float:
    """Bottleneck of the minimum spanning tree of the parts: the widest hop needed to link them all."""
    parts = shapely.get_parts(geom)
    n = len(parts)
    if n < 2:
        return 0.0
    lon0, lat0 = _centre(geom)
    local = _local_projection("aeqd", lon0, lat0)
    projected = np.empty(n, dtype=object)
    projected[:] = [_project(p, local) for p in parts]
    dist = shapely.distance(projected[:, None], projected[None, :])
    linked = np.zeros(n, bool)
    linked[0] = True
    best = dist[0].copy()
    best_from = np.zeros(n, int)
    widest = (-1.0, 0, 0)
    for _ in range(n - 1):
        candidates = np.where(linked, np.inf, best)
        j = int(np.argmin(candidates))
        if candidates[j] > widest[0]:
            widest = (float(candidates[j]), int(best_from[j]), j)
        linked[j] = True
        closer = dist[j] < best
        best = np.where(closer, dist[j], best)
        best_from = np.where(closer, j, best_from)
    _, i, j = widest
    if widest[0] <= 0:
        return 0.0
    hop = _project(shapely.shortest_line(projected[i], projected[j]), local, inverse=True, lon_near=lon0)
    (lon1, lat1), (lon2, lat2) = hop.coords
    return float(_GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0
