"""GeoJSON (dict or text, geometry, Feature or FeatureCollection, any ``crs`` member) to shapely."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from pixorder.errors import ValidationError, shorten

# ------------------------------------------------------------------------------------ input loading
_GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}


def crs_member(obj: Mapping) -> str | None:
    """The CRS named by a GeoJSON ``crs`` member (2008 spec), in every form GDAL reads, or None.

    ``{"type": "name", "properties": {"name": "EPSG:3857"}}`` (also ``urn:ogc:def:crs:EPSG::3857`` and
    ``urn:ogc:def:crs:OGC:1.3:CRS84``), ``{"type": "EPSG", "properties": {"code": 3857}}`` and
    ``{"type": "OGC", "properties": {"urn": ...}}``. A ``link`` member (a CRS at a URL) is refused:
    pixorder does not fetch URLs; pass ``crs=`` instead.

    Args:
        obj: a GeoJSON object (geometry, Feature or FeatureCollection) as a dict.

    Returns:
        The CRS as text pyproj reads (``"EPSG:3857"``, a URN), or None when ``obj`` has no ``crs`` member.

    Raises:
        ValidationError: ``crs``: a ``link`` member, or a member in no form GDAL reads.

    >>> crs_member({"crs": {"type": "EPSG", "properties": {"code": 3857}}})
    'EPSG:3857'
    >>> crs_member({"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}})
    'urn:ogc:def:crs:EPSG::3857'
    >>> crs_member({"crs": {"type": "link", "properties": {"href": "https://example.com/crs"}}})
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: crs: the GeoJSON names its CRS by a link, which pixorder does not fetch; pass crs='EPSG:…' instead (got 'https://example.com/crs')
    """
    member = obj.get("crs")
    if member is None:
        return None
    props = member.get("properties") if isinstance(member, Mapping) else None
    kind = str(member.get("type", "")).lower() if isinstance(member, Mapping) else ""
    if isinstance(props, Mapping):
        if kind == "name" and isinstance(props.get("name"), str):
            return props["name"]
        if kind == "epsg" and isinstance(props.get("code"), (int, str)) and not isinstance(props.get("code"), bool):
            return f"EPSG:{props['code']}"
        if kind == "ogc" and isinstance(props.get("urn"), str):
            return props["urn"]
        if kind == "link":
            raise ValidationError("crs", "the GeoJSON names its CRS by a link, which pixorder does not fetch; "
                                  "pass crs='EPSG:…' instead", props.get("href"))
    raise ValidationError("crs", "the GeoJSON crs member is not one GDAL reads (name, EPSG or OGC); "
                          "pass crs='EPSG:…' instead", shorten(repr(member), 60))


def features(obj: Any) -> list[tuple[BaseGeometry, dict[str, Any]]]:
    """Each feature's geometry (in the object's own coordinates, no CRS applied) with its properties, in order.

    A bare geometry is one feature with no properties; a Feature's properties go with whatever
    geometry it wraps; a FeatureCollection gives its features in order. Positions are checked here:
    pairs (or more) of finite numbers, LineStrings of 2 positions or more, rings of 4 or more (an open
    ring is closed).

    Args:
        obj: a GeoJSON geometry, Feature or FeatureCollection, as a dict.

    Returns:
        A list of (shapely geometry, properties dict) pairs, one per feature.

    Raises:
        ValidationError: ``geometry`` for anything that is not such an object (a Feature without
            geometry, an empty FeatureCollection, an unknown type), ``geometry.coordinates`` for
            positions that are not finite number pairs or too few for their shape.

    >>> features({"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "geometry": {"type": "Point", "coordinates": [10, 50]}, "properties": {"name": "a"}},
    ...     {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[10, 50], [10.1, 50]]},
    ...      "properties": None}]})
    [(<POINT (10 50)>, {'name': 'a'}), (<LINESTRING (10 50, 10.1 50)>, {})]
    >>> features({"type": "Feature", "geometry": None})
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: geometry: a Feature without geometry cannot be an AOI
    """
    if not isinstance(obj, Mapping):
        raise ValidationError("geometry", "must be a GeoJSON object", shorten(repr(obj), 60))
    kind = obj.get("type")
    if kind == "FeatureCollection":
        members = obj.get("features")
        if not isinstance(members, list):
            raise ValidationError("geometry", "a FeatureCollection needs a list of features")
        if not members:
            raise ValidationError("geometry", "the FeatureCollection has no features")
        out = []
        for feature in members:
            if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
                raise ValidationError("geometry", "every member of features must be a Feature")
            out.extend(features(feature))
        return out
    if kind == "Feature":
        geometry = obj.get("geometry")
        if geometry is None:
            raise ValidationError("geometry", "a Feature without geometry cannot be an AOI")
        props = obj.get("properties")
        own = dict(props) if isinstance(props, Mapping) else {}
        return [(g, dict(own)) for g, _ in features(geometry)]  # the Feature's properties, whatever it wraps
    if kind in _GEOMETRY_TYPES:
        return [(_geojson_geometry(obj), {})]
    raise ValidationError("geometry", "must be a GeoJSON geometry, Feature or FeatureCollection", kind)


#: the properties (or a file's columns) a feature's name is read from, first found first
NAME_KEYS = ("name", "Name", "NAME", "title", "label")


def feature_label(props: Mapping[str, Any]) -> str | None:
    """A feature's name: the first non-empty text among its :data:`NAME_KEYS` properties, else None.

    >>> feature_label({"Name": "north field"}), feature_label({"name": "", "title": "b"}), feature_label({})
    ('north field', 'b', None)
    """
    for key in NAME_KEYS:
        value = props.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def column_labels(frame: Any) -> list[str | None]:
    """Each row's name, read from the first of :data:`NAME_KEYS` that ``frame`` (a file's layer, a
    GeoDataFrame) has as a column; None where it holds no text, and for every row without such a column.

    >>> import pandas as pd
    >>> column_labels(pd.DataFrame({"NAME": ["north", ""], "area": [1, 2]}))
    ['north', None]
    """
    for column in NAME_KEYS:
        if column in getattr(frame, "columns", ()):
            return [v if isinstance(v, str) and v else None for v in frame[column]]
    return [None] * len(frame)


def feature_name(obj: Mapping) -> str | None:
    """The ``name`` property of a single Feature (the AOI's default name), else None.

    Args:
        obj: a GeoJSON object as a dict.

    Returns:
        The Feature's ``name`` when it is a string; None for anything else (a geometry, a
        FeatureCollection, a name that is not text).

    >>> feature_name({"type": "Feature", "geometry": None, "properties": {"name": "north field"}})
    'north field'
    >>> feature_name({"type": "Point", "coordinates": [10, 50]}) is None
    True
    """
    if obj.get("type") == "Feature":
        candidate = (obj.get("properties") or {}).get("name")
        return candidate if isinstance(candidate, str) else None
    return None


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
            "geometry.coordinates", "positions must be [longitude, latitude] number pairs", shorten(repr(seq), 60)
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
