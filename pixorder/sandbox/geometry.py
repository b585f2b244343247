"""The sandbox's own geometry helpers (deliberately not shared with ``pixorder.aoi``: see DESIGN.md).

* :func:`area_km2`: area of a GeoJSON geometry in km², measured in a transverse Mercator projection
  centred on the geometry. That is UTM's projection with its central meridian moved onto the AOI and
  scale 1, so the figure agrees with a UTM-zone area to within UTM's own scale error (≤0.1 %) and a
  5×5 km footprint measures 25.000 km² as in Planet's example (``requested_sqkm: 25.0``).
* :func:`point_square`: a Point becomes a north-aligned 5×5 km square. Planet's example turns
  (149.44135, 28.49240) into corners 149.415829, 28.469843 … 149.466896, 28.514958: the bottom and
  top edges lie on parallels ±2.5 km from the point, which a square built in the point's own
  transverse Mercator reproduces to about a metre (a square aligned to the UTM zone 55 grid would
  be rotated by the ~1.2° grid convergence there and miss the corners by ~50 m).
* :func:`line_strip`: a LineString becomes a 5 km wide strip with flat ends, 6–100 km long.
* :func:`parse_geometry`: validation with messages fit for a 400 response.
* Batch forms for bulk requests: :func:`parse_geometries` (each geometry or its GeometryError, as
  :func:`parse_geometry` gives them), :func:`areas_km2` and :func:`lengths_km` (one projection call).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Polygon, mapping, shape
from shapely.geometry.polygon import orient

SUPPORTED_TYPES = ("Point", "LineString", "Polygon", "MultiPolygon")


class GeometryError(ValueError):
    """A geometry the API must refuse; the message is safe to show to the user."""


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS 84 UTM zone containing (lon, lat)."""
    zone = min(int((lon + 180) // 6) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


# The local projection of an AOI is the transverse Mercator centred on it (PROJ's exact Poder/Engsager
# tmerc on WGS 84). Building a PROJ pipeline per centre cost ~0.07 ms (two per AOI: over half of a bulk
# pricing), so every AOI goes through one pipeline instead, and the centre is applied around it exactly
# as PROJ applies its own lon_0 and lat_0: the longitude enters as lon·D − lon_0·D, and the latitude of
# origin only adds the constant Zb to the normalised northing before the scaling by the semi-major axis.
# The pipeline works on the unit ellipsoid (a = 1, the same flattening), so the northing comes back
# before that scaling and Zb, computed here with PROJ's own series, goes in at the same step. The
# figures are PROJ's to the last bit (tests/sandbox/test_geometry_and_prices.py holds them against
# per-centre pipelines), which matters where a price rounds an area (Pixxel's whole km²).
_A = 6378137.0  # WGS 84
_RF = 298.257223563
_D2R = 0.017453292519943296  # PROJ's DEG_TO_RAD
_R2D = 1.0 / _D2R  # what PROJ's unitconvert multiplies radians by for degrees
_RA = 1.0 / _A
_UNIT = Transformer.from_pipeline(
    f"+proj=pipeline +step +proj=tmerc +algo=poder_engsager +a=1 +rf={_RF!r} +lat_0=0 +lon_0=0 +k=1 +x_0=0 +y_0=0")


def _tmerc_constants() -> tuple[float, list[float], list[float]]:
    """Qn and the Gauss series of PROJ's exact tmerc for WGS 84 (setup_exact, term for term)."""
    f = 1 / _RF
    es = 2 * f - f * f
    n = math.pow(math.tan(math.asin(math.sqrt(es)) / 2), 2)
    np_ = n * n
    cbg = [
        n * (-2 + n * (2 / 3.0 + n * (4 / 3.0 + n * (-82 / 45.0 + n * (32 / 45.0 + n * (4642 / 4725.0)))))),
        np_ * (5 / 3.0 + n * (-16 / 15.0 + n * (-13 / 9.0 + n * (904 / 315.0 + n * (-1522 / 945.0))))),
        np_ * n * (-26 / 15.0 + n * (34 / 21.0 + n * (8 / 5.0 + n * (-12686 / 2835.0)))),
        np_ * n * n * (1237 / 630.0 + n * (-12 / 5.0 + n * (-24832 / 14175.0))),
        np_ * n * n * n * (-734 / 315.0 + n * (109598 / 31185.0)),
        np_ * n * n * n * n * (444337 / 155925.0),
    ]
    qn = 1.0 / (1 + n) * (1 + np_ * (1 / 4.0 + np_ * (1 / 64.0 + np_ / 256.0)))
    gtu = [
        n * (0.5 + n * (-2 / 3.0 + n * (5 / 16.0 + n * (41 / 180.0 + n * (-127 / 288.0 + n * (7891 / 37800.0)))))),
        np_ * (13 / 48.0 + n * (-3 / 5.0 + n * (557 / 1440.0 + n * (281 / 630.0 + n * (-1983433 / 1935360.0))))),
        np_ * n * (61 / 240.0 + n * (-103 / 140.0 + n * (15061 / 26880.0 + n * (167603 / 181440.0)))),
        np_ * n * n * (49561 / 161280.0 + n * (-179 / 168.0 + n * (6601661 / 7257600.0))),
        np_ * n * n * n * (34729 / 80640.0 + n * (-3418889 / 1995840.0)),
        np_ * n * n * n * n * (212378941 / 319334400.0),
    ]
    return qn, cbg, gtu


_QN, _CBG, _GTU = _tmerc_constants()


def _zb(lat0: float) -> float:
    """PROJ's Zb of a tmerc with origin latitude ``lat0`` (degrees): gatg, then clens, as in setup_exact."""
    phi0 = lat0 * _D2R  # as PROJ reads +lat_0 (dmstor)
    two_cos, sin_2b = 2 * math.cos(2 * phi0), math.sin(2 * phi0)
    h = h2 = 0.0
    h1 = _CBG[5]
    for coefficient in reversed(_CBG[:5]):
        h = -h2 + two_cos * h1 + coefficient
        h2, h1 = h1, h
    z = phi0 + h * sin_2b
    r = 2 * math.cos(2 * z)
    hr1, hr = 0.0, _GTU[5]
    for coefficient in reversed(_GTU[:5]):
        hr2, hr1 = hr1, hr
        hr = -hr2 + r * hr1 + coefficient
    return -_QN * (z + math.sin(2 * z) * hr)


_ZB: dict[float, float] = {}


def _zbs(lats: Any) -> Any:
    """Zb of each origin latitude (cached: centres are rounded to 0.01°, so few are distinct)."""
    out = []
    for lat0 in lats:
        zb = _ZB.get(lat0)
        if zb is None:
            if len(_ZB) > 100_000:
                _ZB.clear()
            zb = _ZB[lat0] = _zb(lat0)
        out.append(zb)
    return np.asarray(out, dtype=float)


def _forward(lon: Any, lat: Any, lon0: Any, zb: Any) -> Any:
    """Points (degrees) in metres in the tmerc with central meridian ``lon0`` and origin constant ``zb``
    (per point, or one for all), as ``+proj=tmerc +lat_0 +lon_0`` gives them: an (n, 2) array."""
    x, y = _UNIT.transform(lon * _D2R - np.asarray(lon0, dtype=float) * _D2R, lat * _D2R, radians=True)
    return np.column_stack([x * _A, (y + zb) * _A])


def from_local(x: Any, y: Any, centre_lon: float, centre_lat: float) -> tuple[Any, Any]:
    """Lon/lat of points given in metres in the tmerc centred on (centre_lon, centre_lat)."""
    lam, phi = _UNIT.transform(np.asarray(x, dtype=float) * _RA, np.asarray(y, dtype=float) * _RA - _zb(centre_lat),
                               radians=True, direction="INVERSE")
    lam = lam + centre_lon * _D2R
    wrap = np.abs(lam) >= math.pi + 1e-12  # PROJ's adjlon
    if wrap.any():
        turned = lam + math.pi
        lam = np.where(wrap, turned - 2 * math.pi * np.floor(turned / (2 * math.pi)) - math.pi, lam)
    return lam * _R2D, phi * _R2D


def _centres(geoms: Any) -> tuple[list[float], list[float]]:
    """Each geometry's projection centre: its centroid rounded to 0.01° (Python's rounding), (0, 0) if empty."""
    centroids = shapely.centroid(geoms)
    empty = shapely.is_empty(geoms)
    xs = np.where(empty, 0.0, shapely.get_x(centroids)).tolist()
    ys = np.where(empty, 0.0, shapely.get_y(centroids)).tolist()
    # Rounding the centre keeps the figures of the per-centre projections this replaced.
    return [round(x, 2) for x in xs], [round(y, 2) for y in ys]


def project_local(geoms: Any, centres: tuple[Any, Any] | None = None) -> Any:
    """Geometries (an array) in metres, each in the transverse Mercator centred on its own centre
    (``centres``: longitudes and latitudes, one per geometry; by default each one's rounded centroid)."""
    geoms = np.asarray(geoms, dtype=object) if not isinstance(geoms, np.ndarray) else geoms
    if geoms.size == 0:
        return geoms.copy()
    cx, cy = centres if centres is not None else _centres(geoms)
    counts = shapely.get_num_coordinates(geoms)
    per_lon = np.repeat(np.asarray(cx, dtype=float), counts)
    per_zb = np.repeat(_zbs(cy), counts)

    def local(coords: Any) -> Any:
        return _forward(coords[:, 0], coords[:, 1], per_lon, per_zb)

    return shapely.transform(geoms, local)


def _array(geoms: Any) -> Any:
    out = np.empty(len(geoms), dtype=object)
    out[:] = list(geoms)
    return out


def areas_km2(geoms: Any) -> list[float]:
    """Areas in km² of shapely geometries in lon/lat, all projected at once (as :func:`area_km2` each)."""
    if len(geoms) == 0:
        return []
    return (shapely.area(project_local(_array(geoms))) / 1e6).tolist()


def lengths_km(geoms: Any) -> list[float]:
    """Lengths in km of shapely geometries in lon/lat, all projected at once (as :func:`length_km` each)."""
    if len(geoms) == 0:
        return []
    return (shapely.length(project_local(_array(geoms))) / 1000).tolist()


_RANGE = "Coordinates must be [longitude, latitude] within [-180, 180] and [-90, 90]."


def parse_geometry(geojson: Any, allowed: tuple[str, ...] = SUPPORTED_TYPES) -> Any:
    """A shapely geometry from GeoJSON, or GeometryError saying what is wrong with it."""
    if not isinstance(geojson, dict) or "type" not in geojson:
        raise GeometryError("Expected a GeoJSON geometry object with 'type' and 'coordinates'.")
    if geojson["type"] not in allowed:
        raise GeometryError(f"Unsupported geometry type {geojson['type']!r}; expected one of {', '.join(allowed)}.")
    geom = _plain_polygon(geojson) if geojson["type"] == "Polygon" else None
    if geom is None:
        try:
            geom = shape(geojson)
        except Exception as exc:  # shapely raises several types for malformed coordinates
            raise GeometryError(f"Invalid GeoJSON coordinates: {exc}") from None
    if geom.is_empty:
        raise GeometryError("Geometry is empty.")
    minx, miny, maxx, maxy = geom.bounds
    if not all(map(math.isfinite, (minx, miny, maxx, maxy))):
        raise GeometryError("Coordinates must be finite numbers.")
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise GeometryError(_RANGE)
    if not geom.is_valid:
        raise GeometryError(f"Invalid geometry: {shapely.is_valid_reason(geom)}.")
    return geom


def parse_geometries(geojsons: list[Any], allowed: tuple[str, ...] = SUPPORTED_TYPES) -> list[Any]:
    """:func:`parse_geometry` of each, the geometry or the GeometryError it raises; the plain Polygons
    among them (one ring of finite [x, y] numbers, closed or closable into 4+ points) are built and
    checked all at once, anything else one by one."""
    out: list[Any] = [None] * len(geojsons)
    batch: list[int] = []
    rings: list[Any] = []
    for index, geojson in enumerate(geojsons):
        ring = _plain_ring(geojson) if "Polygon" in allowed else None
        if ring is not None:
            batch.append(index)
            rings.append(ring)
    if rings:
        counts = np.array([len(ring) for ring in rings])
        coords = np.concatenate(rings)
        starts = np.cumsum(counts) - counts
        finite = np.logical_and.reduceat(np.isfinite(coords).all(axis=1), starts)
        closed = (coords[starts] == coords[starts + counts - 1]).all(axis=1)
        plain = finite & (counts + ~closed >= 4)  # what shapely would refuse goes one by one, for its message
        if not plain.all():
            batch = [index for index, keep in zip(batch, plain.tolist()) if keep]
            coords, counts = coords[np.repeat(plain, counts)], counts[plain]
        polygons = shapely.polygons(shapely.linearrings(coords, indices=np.repeat(np.arange(len(counts)), counts)))
        # parse_geometry's checks in its order; finite coordinates already hold, and a ring of 4+ is not empty
        bounds, valid = shapely.bounds(polygons).tolist(), shapely.is_valid(polygons).tolist()
        for k, index in enumerate(batch):
            minx, miny, maxx, maxy = bounds[k]
            if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
                out[index] = GeometryError(_RANGE)
            elif not valid[k]:
                out[index] = GeometryError(f"Invalid geometry: {shapely.is_valid_reason(polygons[k])}.")
            else:
                out[index] = polygons[k]
    done = set(batch)
    for index, geojson in enumerate(geojsons):
        if index not in done:
            try:
                out[index] = parse_geometry(geojson, allowed)
            except GeometryError as exc:
                out[index] = exc
    return out


def _plain_ring(geojson: Any) -> Any:
    """The ring of a GeoJSON Polygon without holes as an (n, 2) float array when its vertices are all
    pairs of numbers (shapely's own reading converts them one by one); None otherwise."""
    if not isinstance(geojson, dict) or geojson.get("type") != "Polygon":
        return None
    rings = geojson.get("coordinates")
    if type(rings) is not list or len(rings) != 1:
        return None
    try:
        ring = np.array(rings[0])
    except Exception:  # ragged: shape() says why
        return None
    if ring.ndim != 2 or ring.shape[1] != 2 or ring.dtype.kind not in "fi":
        return None
    return ring.astype(np.float64, copy=False)


def _plain_polygon(geojson: dict[str, Any]) -> Any:
    """The Polygon ``shape(geojson)`` builds, made from whole rings at once when every ring is a list of
    [x, y] numbers (shapely's own constructor converts vertex by vertex in Python); None otherwise, and
    for anything shapely would refuse, so ``shape`` keeps the last word and its error messages."""
    rings = geojson.get("coordinates")
    if type(rings) is not list or not rings:
        return None
    try:
        arrays = [np.array(ring) for ring in rings]
        if not all(a.ndim == 2 and a.shape[1] == 2 and a.dtype.kind in "fi" for a in arrays):
            return None
        shell, *holes = (shapely.linearrings(a.astype(np.float64, copy=False)) for a in arrays)
        return shapely.polygons(shell, holes=holes or None)
    except Exception:  # shapely refuses it: shape() says why, in its own words
        return None


def area_km2(geom: Any) -> float:
    """Area in km² of a shapely geometry (or GeoJSON dict) in lon/lat."""
    if isinstance(geom, dict):
        geom = parse_geometry(geom)
    return areas_km2([geom])[0]


def length_km(geom: Any) -> float:
    return lengths_km([geom])[0]


def point_square(lon: float, lat: float, side_km: float = 5.0) -> dict[str, Any]:
    """GeoJSON Polygon of a north-aligned square of ``side_km`` centred on the point."""
    half = side_km * 500.0
    ring = Polygon([(-half, -half), (half, -half), (half, half), (-half, half), (-half, -half)])
    return _geojson_polygon(ring, lon, lat)


def line_strip(
    line: LineString, width_km: float = 5.0, min_length_km: float = 6.0, max_length_km: float = 100.0
) -> dict[str, Any]:
    """GeoJSON Polygon of a strip ``width_km`` wide around the line, flat at both ends.

    Raises GeometryError when the line is shorter than ``min_length_km`` or longer than ``max_length_km``.
    """
    cx, cy = _centres(_array([line]))
    projected = project_local(_array([line]), (cx, cy))[0]
    check_strip_length(projected.length / 1000, min_length_km, max_length_km)
    strip = projected.buffer(width_km * 500.0, cap_style="flat", join_style="mitre")
    return _geojson_polygon(strip, cx[0], cy[0])


def distance_km(a: Any, b: Any) -> float:
    """Distance in km between two geometries, both projected on the centre of their union."""
    cx, cy = _centres(_array([shapely.union_all([a, b])]))
    pa, pb = project_local(_array([a, b]), (cx * 2, cy * 2))
    return float(pa.distance(pb)) / 1000


def check_strip_length(length: float, min_length_km: float = 6.0, max_length_km: float = 100.0) -> None:
    """GeometryError when a strip of ``length`` km is shorter or longer than allowed."""
    if length < min_length_km:
        raise GeometryError(f"Strip length {length:.2f} km is below the minimum of {min_length_km:g} km.")
    if length > max_length_km:
        raise GeometryError(f"Strip length {length:.2f} km exceeds the maximum of {max_length_km:g} km.")


def _geojson_polygon(projected: Polygon, centre_lon: float, centre_lat: float) -> dict[str, Any]:
    def lonlat_of(coords: Any) -> Any:
        return np.column_stack(from_local(coords[:, 0], coords[:, 1], centre_lon, centre_lat))

    lonlat = orient(shapely.transform(projected, lonlat_of), sign=1.0)
    geo = mapping(lonlat)
    # Six decimals (~0.1 m) like Planet's example; GeoJSON wants lists, not tuples.
    return {
        "type": "Polygon",
        "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring] for ring in geo["coordinates"]],
    }
