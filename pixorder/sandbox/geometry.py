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
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, mapping, shape
from shapely.geometry.polygon import orient

SUPPORTED_TYPES = ("Point", "LineString", "Polygon", "MultiPolygon")


class GeometryError(ValueError):
    """A geometry the API must refuse; the message is safe to show to the user."""


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS 84 UTM zone containing (lon, lat)."""
    zone = min(int((lon + 180) // 6) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


@lru_cache(maxsize=512)
def _local_transformers(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    # A PROJ pipeline, not Transformer.from_crs: the latter looks both CRSs up in proj.db and costs
    # ~12 ms per new centre, which dominated bulk pricing of AOIs spread over the globe (0.06 ms here).
    tmerc = f"+proj=tmerc +lat_0={lat} +lon_0={lon} +k=1 +x_0=0 +y_0=0 +ellps=WGS84"
    forward = Transformer.from_pipeline(
        f"+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step {tmerc}")
    inverse = Transformer.from_pipeline(
        f"+proj=pipeline +step +inv {tmerc} +step +proj=unitconvert +xy_in=rad +xy_out=deg")
    return forward, inverse


def _local(geom: Any) -> tuple[Transformer, Transformer]:
    centre = geom.centroid if not geom.is_empty else Point(0, 0)
    # Rounding the centre lets nearby requests share cached transformers; 0.01° moves nothing that matters.
    return _local_transformers(round(centre.x, 2), round(centre.y, 2))


def parse_geometry(geojson: Any, allowed: tuple[str, ...] = SUPPORTED_TYPES) -> Any:
    """A shapely geometry from GeoJSON, or GeometryError saying what is wrong with it."""
    if not isinstance(geojson, dict) or "type" not in geojson:
        raise GeometryError("Expected a GeoJSON geometry object with 'type' and 'coordinates'.")
    if geojson["type"] not in allowed:
        raise GeometryError(f"Unsupported geometry type {geojson['type']!r}; expected one of {', '.join(allowed)}.")
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
        raise GeometryError("Coordinates must be [longitude, latitude] within [-180, 180] and [-90, 90].")
    if not geom.is_valid:
        raise GeometryError(f"Invalid geometry: {shapely.is_valid_reason(geom)}.")
    return geom


def _project(geom: Any, transformer: Transformer) -> Any:
    return shapely.transform(geom, transformer.transform, interleaved=False)


def area_km2(geom: Any) -> float:
    """Area in km² of a shapely geometry (or GeoJSON dict) in lon/lat."""
    if isinstance(geom, dict):
        geom = parse_geometry(geom)
    forward, _ = _local(geom)
    return _project(geom, forward).area / 1e6


def length_km(geom: Any) -> float:
    forward, _ = _local(geom)
    return _project(geom, forward).length / 1000


def point_square(lon: float, lat: float, side_km: float = 5.0) -> dict[str, Any]:
    """GeoJSON Polygon of a north-aligned square of ``side_km`` centred on the point."""
    forward, inverse = _local_transformers(lon, lat)
    half = side_km * 500.0
    ring = [(-half, -half), (half, -half), (half, half), (-half, half), (-half, -half)]
    return _geojson_polygon(Polygon(ring), inverse)


def line_strip(
    line: LineString, width_km: float = 5.0, min_length_km: float = 6.0, max_length_km: float = 100.0
) -> dict[str, Any]:
    """GeoJSON Polygon of a strip ``width_km`` wide around the line, flat at both ends.

    Raises GeometryError when the line is shorter than ``min_length_km`` or longer than ``max_length_km``.
    """
    forward, inverse = _local(line)
    projected = _project(line, forward)
    length = projected.length / 1000
    if length < min_length_km:
        raise GeometryError(f"Strip length {length:.2f} km is below the minimum of {min_length_km:g} km.")
    if length > max_length_km:
        raise GeometryError(f"Strip length {length:.2f} km exceeds the maximum of {max_length_km:g} km.")
    strip = projected.buffer(width_km * 500.0, cap_style="flat", join_style="mitre")
    return _geojson_polygon(strip, inverse)


def _geojson_polygon(projected: Polygon, inverse: Transformer) -> dict[str, Any]:
    lonlat = orient(_project(projected, inverse), sign=1.0)
    geo = mapping(lonlat)
    # Six decimals (~0.1 m) like Planet's example; GeoJSON wants lists, not tuples.
    return {
        "type": "Polygon",
        "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring] for ring in geo["coordinates"]],
    }
