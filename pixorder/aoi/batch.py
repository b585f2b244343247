"""Many AOIs at once: the batch path of :func:`~pixorder.aoi.as_aois`.

A list of plain shapes (GeoJSON Point, LineString and Polygon dicts or Features around one, shapely
Points, LineStrings and Polygons, their WKT) is read, checked and built with shapely's and pyproj's
vectorised functions: one array of coordinates, one projection call for every point square and
strip (:func:`~pixorder.aoi.shapes.point_squares`, :func:`~pixorder.aoi.shapes.strip_polygons`, the
very functions the one-at-a-time path calls), one validity test, one orientation, one area
computation (:func:`~pixorder.aoi.area.areas_km2`). An element that needs anything more (a CRS,
coordinates that are not plain number pairs, a bad or non-finite coordinate and its error, whole
turns, ±180°, an unclosed ring, repair, a strip out of its length range) is not built here:
:func:`build_many` leaves ``None`` in its place and :func:`~pixorder.aoi.as_aois` reads that element
alone with ``AOI(value)``, so both ways give the same AOI and the same error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from pixorder.aoi.area import areas_km2
from pixorder.aoi.coerce import Source, describe_types
from pixorder.aoi.shapes import (
    STRIP_LENGTH_KM,
    Kind,
    line_lengths_km,
    orient_many,
    point_squares,
    strip_polygons,
)

__all__ = ["Built", "build_many", "build_series"]

_NUMBER = frozenset({int, float})  # exact types: bool, numpy scalars and the rest go the single way
_POINT, _LINE, _POLYGON = 0, 1, 3  # shapely type ids
_KINDS: dict[int, Kind] = {_POINT: "point", _LINE: "strip", _POLYGON: "polygon"}
_TYPE_NAMES = {_POINT: "Point", _LINE: "LineString", _POLYGON: "Polygon"}
_PLAIN_WKT = re.compile(r"^\s*(POINT|LINESTRING|POLYGON)\b", re.IGNORECASE)
_MAX_SQUARE_LAT = 89.9  # as shapes._point_square


class Built(NamedTuple):
    """One AOI's parts, checked and built by :func:`build_many` (``AOI._from_checked`` makes the AOI).

    ``geometry`` is the final counter-clockwise Polygon in EPSG:4326, ``original`` the input shape in
    lon/lat, ``length_km`` a strip's centre-line length (km), ``area_km2`` the geodesic area (km²).

    >>> built = build_many([{"type": "Point", "coordinates": [10.0, 50.0]}])[0]
    >>> built.kind, round(built.area_km2, 3), str(built.source)
    ('point', 25.0, 'GeoJSON: 1 point (5×5 km square)')
    """

    geometry: BaseGeometry
    original: BaseGeometry
    kind: Kind
    length_km: float | None
    source: Source
    name: str | None
    area_km2: float


@lru_cache(maxsize=64)
def _source(what: str, crs: str, type_id: int) -> Source:
    return Source(what, crs, (), describe_types([_TYPE_NAMES[type_id]]), (), ())


class _Plain:
    """The plain elements found so far: one lon/lat shapely geometry each, with where it came from."""

    def __init__(self, crs: str = "EPSG:4326") -> None:
        self.crs = crs
        self.index: list[int] = []
        self.geoms: list[Any] = []
        self.what: list[str] = []
        self.names: list[str | None] = []

    def add(self, index: np.ndarray | list[int], geoms: Any, what: list[str], names: list[str | None]) -> None:
        self.index.extend(int(i) for i in index)
        self.geoms.extend(geoms)
        self.what.extend(what)
        self.names.extend(names)


def build_many(values: Sequence[Any]) -> list[Built | None]:
    """Build every plain element of ``values`` at once; ``None`` where an element needs ``AOI(value)``.

    Plain: a GeoJSON Point, LineString or Polygon dict (or a Feature around one; no ``crs`` member)
    with number pairs for positions, a shapely Point, LineString or Polygon, or WKT of one (no SRID);
    with lon/lat coordinates within [-180, 180] × [-90, 90] that need no whole turns or ±180° split,
    closed rings, a valid polygon with an area, a line 6–100 km long. Everything else is ``None``.

    Args:
        values: the items of the list or tuple given to :func:`~pixorder.aoi.as_aois`.

    Returns:
        One :class:`Built` or ``None`` per item, in order.

    >>> [b if b is None else b.kind for b in build_many(["POINT (10 50)", {"type": "Point", "coordinates": [500, 0]}])]
    ['point', None]
    """
    out: list[Built | None] = [None] * len(values)
    plain = _Plain()
    points: list[tuple[int, Any, str | None]] = []
    lines: list[tuple[int, Any, str | None]] = []
    polygons: list[tuple[int, Any, str | None]] = []
    shapes: list[tuple[int, BaseGeometry, str]] = []
    wkt: list[tuple[int, str]] = []
    for i, value in enumerate(values):
        kind = type(value)
        if kind is dict:
            _sort_geojson(i, value, points, lines, polygons)
        elif isinstance(value, BaseGeometry):
            shapes.append((i, value, f"shapely {value.geom_type}"))
        elif kind is str and _PLAIN_WKT.match(value):
            wkt.append((i, value))
    if points:
        index, xy, _ = _positions([(i, [[c]], n) for i, c, n in points])
        names = dict((i, n) for i, _, n in points)
        plain.add(index, shapely.points(xy), ["GeoJSON"] * len(index), [names[i] for i in index])
    for found, make in ((lines, _geojson_lines), (polygons, _geojson_polygons)):
        if found:
            index, geoms = make(found)
            names = dict((i, n) for i, _, n in found)
            plain.add(index, geoms, ["GeoJSON"] * len(index), [names[i] for i in index])
    if wkt:
        parsed = shapely.from_wkt([text.strip() for _, text in wkt], on_invalid="ignore")
        shapes += [(i, g, "WKT") for (i, _), g in zip(wkt, parsed) if g is not None]
    if shapes:
        geoms = np.array([g for _, g, _ in shapes], dtype=object)
        keep = np.isin(shapely.get_type_id(geoms), (_POINT, _LINE, _POLYGON)) & ~shapely.is_empty(geoms)
        kept = [s for s, k in zip(shapes, keep) if k]
        plain.add([i for i, _, _ in kept], shapely.force_2d(geoms[keep]), [w for _, _, w in kept], [None] * len(kept))
    if plain.index:
        _build(plain, out)
    return out


def build_series(series: Any) -> list[Built | None]:
    """Build every plain row of a GeoSeries at once (in its own CRS); ``None`` where a row needs ``AOI(row)``.

    Plain: a Point, LineString or Polygon whose coordinates, in EPSG:4326, meet :func:`build_many`'s
    rules. Each row is what ``AOI(series.iloc[[i]])`` makes of it (source ``GeoSeries``, in the frame's
    CRS); a CRS pixorder cannot convert leaves every row to that path, which names the problem.

    Args:
        series: a GeoSeries (a GeoDataFrame's ``geometry``), any CRS, or none (then lon/lat).

    Returns:
        One :class:`Built` or ``None`` per row, in order.

    >>> import geopandas
    >>> rows = geopandas.GeoSeries([shapely.Point(1113194.9, 6446275.8), None], crs=3857)
    >>> [b if b is None else str(b.source) for b in build_series(rows)]
    ['GeoSeries (in EPSG:3857): 1 point (5×5 km square)', None]
    """
    import pyproj

    from pixorder.aoi.coerce import _crs_text
    from pixorder.aoi.projection import WGS84, to_wgs84_many
    from pixorder.errors import ValidationError

    out: list[Built | None] = [None] * len(series)
    geoms = np.asarray(series.values, dtype=object)
    try:
        crs = WGS84 if series.crs is None else pyproj.CRS.from_user_input(series.crs)
        present = np.flatnonzero(~shapely.is_missing(geoms))
        present = present[np.isin(shapely.get_type_id(geoms[present]), (_POINT, _LINE, _POLYGON))
                          & ~shapely.is_empty(geoms[present])]
        lonlat = to_wgs84_many(geoms[present], crs)
    except (ValidationError, pyproj.exceptions.CRSError):
        return out  # every row alone, which says what is wrong
    plain = _Plain(_crs_text(crs))
    plain.add(present, lonlat, ["GeoSeries"] * len(present), [None] * len(present))
    if plain.index:
        _build(plain, out)
    return out


def _sort_geojson(i: int, value: dict, points: list, lines: list, polygons: list) -> None:
    """Put a plain GeoJSON dict on its list (positions checked later, all at once); leave anything else."""
    if value.get("crs") is not None:
        return
    name = None
    if value.get("type") == "Feature":
        props = value.get("properties")
        value = value.get("geometry")  # type: ignore[assignment]
        if type(value) is not dict or not (props is None or type(props) is dict):
            return
        label = props.get("name") if props else None
        name = label if isinstance(label, str) else None
    kind = value.get("type")
    coords = value.get("coordinates")
    if type(coords) is not list and type(coords) is not tuple:
        return
    if kind == "Point":
        if len(coords) == 2 and type(coords[0]) in _NUMBER and type(coords[1]) in _NUMBER:
            points.append((i, coords, name))
    elif kind == "LineString":
        if len(coords) >= 2:
            lines.append((i, coords, name))
    elif kind == "Polygon":
        if coords and all((type(r) is list or type(r) is tuple) and len(r) >= 4 for r in coords):
            polygons.append((i, coords, name))


def _number_pairs(positions: list) -> np.ndarray | None:
    """``positions`` as an (n, 2) float array when each is a pair of numbers, else None."""
    try:
        arr = np.asarray(positions)
    except (ValueError, TypeError, OverflowError):  # ragged, or nothing numpy reads as numbers
        return None
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.dtype.kind not in "iuf":  # integers beyond 64 bits: "O"
        return None
    return arr.astype(float)


def _positions(found: list[tuple[int, list, Any]]) -> tuple[list[int], np.ndarray, list[list[int]]]:
    """The elements whose every ring holds number pairs: their indexes, all positions, ring lengths.

    ``found`` holds (index, rings, name); all positions are read in one go, and element by element
    only when that fails (then the elements that fail alone are left to the single path).
    """
    flat = [p for _, rings, _ in found for ring in rings for p in ring]
    arr = _number_pairs(flat)
    if arr is not None:
        return [i for i, _, _ in found], arr, [[len(r) for r in rings] for _, rings, _ in found]
    index, parts, counts = [], [], []
    for i, rings, _ in found:
        one = _number_pairs([p for ring in rings for p in ring])
        if one is not None:
            index.append(i)
            parts.append(one)
            counts.append([len(r) for r in rings])
    return index, (np.concatenate(parts) if parts else np.zeros((0, 2))), counts


def _geojson_lines(found: list[tuple[int, Any, Any]]) -> tuple[list[int], np.ndarray]:
    index, xy, counts = _positions([(i, [c], n) for i, c, n in found])
    owner = np.repeat(np.arange(len(index)), [c[0] for c in counts])
    return index, shapely.linestrings(xy, indices=owner) if index else np.array([], dtype=object)


def _geojson_polygons(found: list[tuple[int, Any, Any]]) -> tuple[list[int], np.ndarray]:
    index, xy, counts = _positions(found)
    if not index:
        return [], np.array([], dtype=object)
    ring_lengths = np.array([n for c in counts for n in c])
    ends = np.cumsum(ring_lengths)
    starts = ends - ring_lengths
    open_ring = np.any(xy[starts] != xy[ends - 1], axis=1)  # (a NaN is never equal: left to the single path)
    rings_of = np.array([len(c) for c in counts])
    ring_owner = np.repeat(np.arange(len(index)), rings_of)
    closed = np.bincount(ring_owner, weights=open_ring, minlength=len(index)) == 0
    if not closed.all():
        keep_ring = closed[ring_owner]
        xy = xy[np.repeat(keep_ring, ring_lengths)]
        ring_lengths, ring_owner = ring_lengths[keep_ring], ring_owner[keep_ring]
        index = [i for i, ok in zip(index, closed) if ok]
        ring_owner = np.unique(ring_owner, return_inverse=True)[1]
    if not index:
        return [], np.array([], dtype=object)
    rings = shapely.linearrings(xy, indices=np.repeat(np.arange(len(ring_lengths)), ring_lengths))
    return index, shapely.polygons(rings, indices=ring_owner)


def _any_per(owner: np.ndarray, flags: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(owner, weights=flags, minlength=n) > 0


def _bad_coordinates(xy: np.ndarray) -> np.ndarray:
    """Per coordinate: not finite, or outside [-180, 180] × [-90, 90] (then AOI() says what is wrong)."""
    with np.errstate(invalid="ignore"):
        return ~np.isfinite(xy).all(axis=1) | (np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90)


def _jumps(xy: np.ndarray, ring_of: np.ndarray) -> np.ndarray:
    """Per coordinate after the first of its ring: a step of more than 180° of longitude (±180° crossed)."""
    jump = np.zeros(len(xy), bool)
    if len(xy) > 1:
        jump[1:] = (np.abs(np.diff(xy[:, 0])) > 180) & (ring_of[1:] == ring_of[:-1])
    return jump


def _no_turns(geoms: np.ndarray) -> np.ndarray:
    """The middle of the longitudes lies in [-180, 180): no whole turn to take off (``shapes.wrap_turns``)."""
    bounds = shapely.bounds(geoms)
    return (bounds[:, 0] + bounds[:, 2]) / 2 < 180


def _within_180(geoms: np.ndarray) -> np.ndarray:
    bounds = shapely.bounds(geoms)
    return (bounds[:, 0] >= -180) & (bounds[:, 2] <= 180)


def _build(plain: _Plain, out: list[Built | None]) -> None:
    geoms = np.array(plain.geoms, dtype=object)
    types = shapely.get_type_id(geoms)
    finals, keep_at = [], []
    lengths = np.full(len(geoms), np.nan)

    at = np.flatnonzero(types == _POINT)
    if len(at):
        xy = np.column_stack([shapely.get_x(geoms[at]), shapely.get_y(geoms[at])])
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(xy).all(axis=1) & (xy[:, 0] >= -180) & (xy[:, 0] < 180) \
                & (np.abs(xy[:, 1]) <= _MAX_SQUARE_LAT)
        at, xy = at[ok], xy[ok]
        squares = point_squares(xy)
        inside = _within_180(squares)
        finals.append(squares[inside])
        keep_at.append(at[inside])

    at = np.flatnonzero(types == _LINE)
    if len(at):
        xy, owner = shapely.get_coordinates(geoms[at], return_index=True)
        ok = ~_any_per(owner, _bad_coordinates(xy) | _jumps(xy, owner), len(at)) & _no_turns(geoms[at])
        at = at[ok]
        length = line_lengths_km(geoms[at])
        lo, hi = STRIP_LENGTH_KM
        ok = (length >= lo) & (length <= hi)
        at, length = at[ok], length[ok]
        strips = strip_polygons(geoms[at])
        inside = _within_180(strips)
        lengths[at[inside]] = length[inside]
        finals.append(strips[inside])
        keep_at.append(at[inside])

    at = np.flatnonzero(types == _POLYGON)
    if len(at):
        if shapely.get_num_interior_rings(geoms[at]).any():
            rings, ring_owner = shapely.get_rings(geoms[at], return_index=True)
            xy, ring_of = shapely.get_coordinates(rings, return_index=True)
            owner = ring_owner[ring_of]
        else:  # one ring each (no copies of the rings needed)
            xy, ring_of = shapely.get_coordinates(geoms[at], return_index=True)
            owner = ring_of
        flags = _bad_coordinates(xy) | _jumps(xy, ring_of)
        ok = ~_any_per(owner, flags, len(at)) & _no_turns(geoms[at])
        at = at[ok]
        ok = shapely.is_valid(geoms[at]) & (shapely.area(geoms[at]) > 0)
        at = at[ok]
        finals.append(geoms[at])
        keep_at.append(at)

    if not finals:
        return
    where = np.concatenate(keep_at)
    if not len(where):
        return
    final = orient_many(np.concatenate(finals))
    areas = areas_km2(final)
    for j, geometry, area in zip(where.tolist(), final, areas.tolist()):
        type_id = int(types[j])
        length_km = float(lengths[j]) if type_id == _LINE else None
        out[plain.index[j]] = Built(geometry, plain.geoms[j], _KINDS[type_id], length_km,
                                    _source(plain.what[j], plain.crs, type_id), plain.names[j], area)
