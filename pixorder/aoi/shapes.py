"""Shapes: points to 5×5 km squares, lines to strips, validity, winding, ±180° and whole-turn wrapping."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from pixorder.aoi.area import areas_km2
from pixorder.aoi.projection import GEOD, from_local_tmerc, local_projection, project, to_local_tmerc
from pixorder.errors import ValidationError

POINT_SQUARE_SIDE_M = 5000.0
STRIP_WIDTH_M = 5000.0
STRIP_LENGTH_KM = (6.0, 100.0)
_DENSIFY_M = 500.0  # vertex spacing of squares and strips before they are turned back into lon/lat

Kind = Literal["point", "strip", "polygon"]

__all__ = ["POINT_SQUARE_SIDE_M", "STRIP_LENGTH_KM", "STRIP_WIDTH_M", "build", "flatten", "line_lengths_km",
           "orient_many", "point_squares", "simplified", "strip_polygons", "wrap_turns"]


def wrap_turns(geom: BaseGeometry) -> tuple[BaseGeometry, int]:
    """``geom`` moved by whole turns (−360°·k) so that the middle of its longitudes lies in [-180, 180).

    Leaflet keeps counting longitude when a map is panned round the world (370.1°, −346.7°), and
    some tools write 0–360°. A shape running across ±180° keeps its continuous longitudes (179 → 181),
    which :func:`build` then splits there. Returns the moved shape and k.

    >>> g, k = wrap_turns(shapely.box(370.0, 50.0, 370.1, 50.1))
    >>> [round(v, 9) for v in g.bounds], k
    ([10.0, 50.0, 10.1, 50.1], 1)
    """
    if geom.is_empty:
        return geom, 0
    west, _, east, _ = geom.bounds
    k = math.floor(((west + east) / 2 + 180.0) / 360.0)
    if not k:
        return geom, 0
    # Rounded to 1e-9° (0.1 mm): 370.1 - 360 is 10.100000000000023 in floating point.
    moved = shapely.transform(geom, lambda xy: np.column_stack([np.round(xy[:, 0] - 360.0 * k, 9), xy[:, 1]]))
    return moved, k


def build(items: list[BaseGeometry], *, repair: bool) -> tuple[BaseGeometry, Kind, float | None, list[str]]:
    """One valid, counter-clockwise (Multi)Polygon within ±180° from lon/lat geometries.

    Points become 5×5 km squares, lines 5 km wide strips (6–100 km), polygons are checked (repaired
    with ``repair=True``); shapes are moved back by whole turns and split at ±180°; everything is
    merged (unioned, so overlaps count once).

    Args:
        items: shapely geometries in longitude, latitude (degrees); multi-part ones are taken apart.
        repair: repair a polygon that is not valid (``shapely.make_valid``) instead of refusing it.

    Returns:
        The shape (Polygon or MultiPolygon, exteriors counter-clockwise), its kind (``"point"``,
        ``"strip"`` or ``"polygon"``; several items make a ``"polygon"``), a strip's centre-line
        length in km (else None) and notes on what was changed (for :class:`pixorder.aoi.Source`).

    Raises:
        ValidationError: ``geometry`` or ``geometry.coordinates`` naming the rule broken,
            ``length_km`` for a strip shorter than 6 km or longer than 100 km.

    >>> shape, kind, length_km, notes = build([shapely.LineString([(10, 50), (10.1, 50.05)])], repair=False)
    >>> shape.geom_type, kind, round(length_km, 3), notes
    ('Polygon', 'strip', 9.071, [])
    >>> shape, kind, _, notes = build([shapely.Point(370, 50), shapely.box(10, 50, 10.1, 50.1)], repair=False)
    >>> shape.geom_type, kind, notes
    ('Polygon', 'polygon', ['longitudes moved by -360° (whole turns)'])
    >>> build([shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])], repair=False)
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: geometry: polygon crosses itself at (0.5, 0.5); pass repair=True to fix it
    """
    singles = list(flatten(items))
    if not singles:
        raise ValidationError("geometry", "geometry is empty")
    polygons: list[BaseGeometry] = []
    kinds: list[Kind] = []
    turns: set[int] = set()
    length_km = None
    for geom in singles:
        _check_latitudes(geom)
        if geom.geom_type == "Point":
            geom, k = wrap_turns(geom)
            turns.add(k)
            polygons.extend(_point_square(geom))
            kinds.append("point")
        elif geom.geom_type == "LineString":
            parts, length_km, k = _strip(geom)
            turns.add(k)
            polygons.extend(parts)
            kinds.append("strip")
        else:
            parts, k = _polygon_parts(geom, repair=repair)
            turns.add(k)
            polygons.extend(parts)
            kinds.append("polygon")
    kind: Kind = kinds[0] if len(kinds) == 1 else "polygon"
    merged = polygons[0] if len(polygons) == 1 else _polygonal(shapely.union_all(polygons))
    if merged.is_empty or merged.area == 0:
        raise ValidationError("geometry", "the shape has no area")
    notes = [f"longitudes moved by {-360 * k:+d}° (whole turns)" for k in sorted(turns) if k]
    return _orient(merged), kind, (length_km if kind == "strip" else None), notes


def simplified(geom: BaseGeometry, tolerance_m: float) -> BaseGeometry:
    """``geom`` simplified with shapely's Douglas–Peucker (``preserve_topology=True``) in metres, in an
    azimuthal equidistant projection centred on it; lon/lat out, continuous across ±180°.

    Args:
        geom: a lon/lat (Multi)Polygon (degrees).
        tolerance_m: the Douglas–Peucker tolerance in metres on the ground.

    Returns:
        The simplified shape in lon/lat degrees (not checked: ``AOI.simplify`` checks the area it keeps).

    >>> import numpy as np
    >>> t = np.linspace(0, 2 * np.pi, 2000, endpoint=False)
    >>> ellipse = shapely.Polygon(np.column_stack([10 + 0.1 * np.cos(t), 50 + 0.07 * np.sin(t)]))
    >>> int(shapely.get_num_coordinates(ellipse)), int(shapely.get_num_coordinates(simplified(ellipse, 10)))
    (2001, 65)
    """
    lon0, lat0 = centre(geom)
    local = local_projection("aeqd", lon0, lat0)
    flat = shapely.simplify(project(geom, local), tolerance_m, preserve_topology=True)
    return project(flat, local, inverse=True, lon_near=lon0)


def flatten(items: Iterable[BaseGeometry]) -> Iterable[BaseGeometry]:
    """Every Point, LineString and Polygon inside ``items``, multi-part geometries and collections taken apart.

    Missing and empty geometries are skipped; a LinearRing becomes the Polygon it bounds.

    Args:
        items: shapely geometries (or None).

    Yields:
        Points, LineStrings and Polygons, in order.

    Raises:
        ValidationError: ``geometry`` for a geometry type shapely does not have today.

    >>> list(flatten([shapely.MultiPoint([(0, 0), (1, 1)]), None, shapely.Polygon(),
    ...               shapely.GeometryCollection([shapely.LinearRing([(0, 0), (1, 0), (1, 1), (0, 0)])])]))
    [<POINT (0 0)>, <POINT (1 1)>, <POLYGON ((0 0, 1 0, 1 1, 0 0))>]
    """
    for geom in items:
        if geom is None or geom.is_empty:
            continue
        kind = geom.geom_type
        if kind in ("Point", "LineString", "Polygon"):
            yield geom
        elif kind == "LinearRing":
            yield shapely.Polygon(geom)
        elif kind in ("MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection"):
            yield from flatten(geom.geoms)
        else:  # pragma: no cover - shapely has no other types today
            raise ValidationError("geometry", "unsupported geometry type", kind)


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
    if (np.abs(np.diff(xy[:, 0])) >= 360.0).any():  # box(-180, -90, 180, 90): no way to read its edges
        raise ValidationError("geometry", "an edge runs from -180° to 180° longitude, the whole way round the "
                                          "globe: an AOI must span less than 360° of longitude")
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


def _polygon_parts(poly: BaseGeometry, *, repair: bool) -> tuple[list[BaseGeometry], int]:
    poly, k = wrap_turns(_unwrap_polygon(poly))
    _check_longitudes(poly)
    if not poly.is_valid:
        if not repair:
            raise ValidationError("geometry", _invalid_reason(poly))
        poly = _polygonal(shapely.make_valid(poly))
        if poly.is_empty:
            raise ValidationError("geometry", "nothing with an area is left after repair")
    if poly.area == 0:
        raise ValidationError("geometry", "the polygon has no area")
    return _split_antimeridian(poly), k


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
    polys = [g for g in flatten([geom]) if g.geom_type == "Polygon" and g.area > 0]
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


def orient_many(geoms: Any) -> np.ndarray:
    """Each (Multi)Polygon wound as an AOI is: exteriors counter-clockwise, holes clockwise.

    Args:
        geoms: a sequence or array of shapely Polygons and MultiPolygons.

    Returns:
        An object array of the same shapes, rewound where needed.

    >>> orient_many([shapely.Polygon([(0, 0), (0, 1), (1, 1), (0, 0)])])[0].exterior.is_ccw
    True
    """
    geoms = np.asarray(geoms, dtype=object)
    if getattr(shapely, "orient_polygons", None) is not None:
        return shapely.orient_polygons(geoms, exterior_cw=False)
    out = np.empty(len(geoms), dtype=object)
    out[:] = [_orient(g) for g in geoms]
    return out


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
    return _split_antimeridian(point_squares(np.array([[lon, lat]]))[0])


def _strip(line: BaseGeometry) -> tuple[list[BaseGeometry], float, int]:
    xy = shapely.get_coordinates(line)
    xy[:, 0] = _unwrap(xy[:, 0])
    line, k = wrap_turns(shapely.LineString(xy))
    _check_longitudes(line)
    length_km = float(line_lengths_km([line])[0])
    lo, hi = STRIP_LENGTH_KM
    if not lo <= length_km <= hi:
        error = ValidationError(
            "length_km", f"strip length must be between {lo:g} and {hi:g} km (measured {length_km:.1f} km)"
        )
        error.value = round(length_km, 3)
        raise error
    return _split_antimeridian(strip_polygons([line])[0]), length_km, k


@functools.lru_cache(maxsize=1)
def _square_xy() -> np.ndarray:
    half = POINT_SQUARE_SIDE_M / 2
    xy = shapely.get_coordinates(shapely.segmentize(shapely.box(-half, -half, half, half), _DENSIFY_M))
    xy.setflags(write=False)
    return xy


def point_squares(lonlat: Any) -> np.ndarray:
    """The 5×5 km square around each point, as lon/lat Polygons (one array for many points at once).

    Each square is 5,000 m a side in the transverse Mercator centred on its point, its edges densified
    to a vertex every 500 m (41 vertices), wound counter-clockwise. Longitudes stay continuous around
    the point (a square at 179.99° reaches past 180°): :func:`build` splits such a square at ±180°.
    No checks here: :func:`build` refuses points outside [-180, 180] or within 0.1° of a pole first.

    Args:
        lonlat: (n, 2) longitudes and latitudes in degrees.

    Returns:
        An object array of n shapely Polygons.

    >>> square = point_squares([[149.44135, 28.49240]])[0]
    >>> [round(v, 6) for v in square.bounds]
    [149.415811, 28.46984, 149.466889, 28.514958]
    """
    centres = np.asarray(lonlat, dtype=float).reshape(-1, 2)
    n = len(centres)
    square = _square_xy()
    lonlat_out = from_local_tmerc(np.tile(square, (n, 1)), centres, np.repeat(np.arange(n), len(square)))
    return shapely.polygons(lonlat_out.reshape(n, len(square), 2))


def line_lengths_km(lines: Any) -> np.ndarray:
    """Geodesic length (km, WGS84) of each lon/lat LineString, all at once.

    Args:
        lines: a sequence or array of shapely LineStrings in lon/lat degrees.

    Returns:
        A float array of lengths in km (0 for a line without length).

    >>> line_lengths_km([shapely.LineString([(0, 0), (0.1, 0)])]).round(4).tolist()
    [11.1319]
    """
    lines = np.asarray(lines, dtype=object).ravel()
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    same = owner[1:] == owner[:-1]
    start, end = coords[:-1][same], coords[1:][same]
    metres = np.asarray(GEOD.inv(start[:, 0], start[:, 1], end[:, 0], end[:, 1])[2], dtype=float)
    return np.bincount(owner[1:][same], weights=metres, minlength=len(lines)) / 1000.0


def strip_polygons(lines: Any) -> np.ndarray:
    """The 5 km wide strip along each lon/lat LineString, as lon/lat Polygons (many lines at once).

    Each line is buffered by 2,500 m (flat ends, round joins) in the transverse Mercator centred on its
    centroid, the outline densified to a vertex every 500 m. Longitudes stay continuous around the
    centre: :func:`build` splits a strip across ±180° there. No checks here: :func:`build` checks
    the line (6–100 km, longitudes) first.

    Args:
        lines: a sequence or array of shapely LineStrings in lon/lat degrees.

    Returns:
        An object array of shapely Polygons, one per line.

    >>> strip = strip_polygons([shapely.LineString([(10.0, 50.0), (10.1, 50.05)])])[0]
    >>> strip.geom_type, int(shapely.get_num_coordinates(strip)) > 40
    ('Polygon', True)
    """
    lines = np.asarray(lines, dtype=object).ravel()
    centroids = shapely.centroid(lines)
    centres = np.column_stack([shapely.get_x(centroids), shapely.get_y(centroids)])
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    local = shapely.linestrings(to_local_tmerc(coords, centres, owner), indices=owner)
    strips = shapely.buffer(local, STRIP_WIDTH_M / 2, cap_style="flat", join_style="round")
    strips = shapely.segmentize(strips, _DENSIFY_M)
    xy, owner = shapely.get_coordinates(strips, return_index=True)
    return shapely.set_coordinates(strips, from_local_tmerc(xy, centres, owner))


def centre(geom: BaseGeometry) -> tuple[float, float]:
    """``(lon, lat)``: the area-weighted mean position of the parts, on the sphere (right for shapes split
    at ±180°, whose planar centroid lies near 0°); local projections are centred here.

    >>> [round(v, 3) for v in centre(shapely.MultiPolygon([shapely.box(179, 0, 180, 1), shapely.box(-180, 0, -179, 1)]))]
    [180.0, 0.5]
    """
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
    lon0, lat0 = centre(geom)
    local = local_projection("aeqd", lon0, lat0)
    projected = np.empty(n, dtype=object)
    projected[:] = [project(p, local) for p in parts]
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
    hop = project(shapely.shortest_line(projected[i], projected[j]), local, inverse=True, lon_near=lon0)
    (lon1, lat1), (lon2, lat2) = hop.coords
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0
