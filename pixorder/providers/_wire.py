"""Small readers shared by the adapters for payloads whose keys vary between doc versions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

_MISSING = object()


def json_size(payload: Any) -> int:
    """Bytes of ``payload`` encoded as the transport sends it (compact JSON, UTF-8): what the chunking of
    bulk calls and the AOI rules' request-size check both measure.

    >>> json_size({"type": "Point", "coordinates": [10.5, 50.25]})
    43
    """
    return len(orjson.dumps(payload))


def first(payload: Mapping[str, Any], *keys: str, default: Any = None) -> Any:
    """The first key present (and not None) among ``keys``: for camelCase / snake_case variants."""
    if not isinstance(payload, Mapping):
        return default
    for key in keys:
        value = payload.get(key, _MISSING)
        if value is not _MISSING and value is not None:
            return value
    return default


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one: a wrong type reads like a missing value."""
    return value if isinstance(value, Mapping) else {}


def array(value: Any) -> list[Any]:
    """``value`` if it is a JSON array, else an empty one: a wrong type reads like a missing value."""
    return value if isinstance(value, list) else []


def number(value: Any) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def integer(value: Any) -> int | None:
    as_float = number(value)
    return None if as_float is None else int(as_float)


def text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def footprint(value: Any) -> dict[str, Any] | None:
    """A GeoJSON geometry dict from a geometry, Feature or FeatureCollection (features unioned)."""
    if not isinstance(value, Mapping):
        return None
    kind = value.get("type")
    if kind == "Feature":
        return footprint(value.get("geometry"))
    if kind == "FeatureCollection":
        geoms = [g for g in (footprint(f) for f in array(value.get("features"))) if g]
        if not geoms:
            return None
        if len(geoms) == 1:
            return geoms[0]
        polys: list[Any] = []
        for g in geoms:
            if g.get("type") == "Polygon":
                polys.append(g["coordinates"])
            elif g.get("type") == "MultiPolygon":
                polys.extend(g["coordinates"])
        return {"type": "MultiPolygon", "coordinates": polys} if polys else geoms[0]
    if kind in ("Polygon", "MultiPolygon", "Point", "LineString", "MultiPoint", "MultiLineString"):
        coords = value.get("coordinates")
        if not _has_numbers(coords):
            return None  # the docs' placeholder geometries ({"coordinates": [[[0]]], "type": "string"})
        return dict(value)
    return None


def merged(geometries: Sequence[Mapping[str, Any] | None]) -> dict[str, Any] | None:
    """One footprint for several GeoJSON geometries (as :func:`footprint` reads a FeatureCollection);
    missing ones left out.

    >>> merged([{"type": "Point", "coordinates": [1, 2]}])
    {'type': 'Point', 'coordinates': [1, 2]}
    """
    return footprint(feature_collection(*(g for g in geometries if g)))


def feature_collection(*geometries: Mapping[str, Any]) -> dict[str, Any]:
    """GeoJSON geometries as a FeatureCollection, one Feature each with empty ``properties``: how Pixxel's
    items and Geopera's groups carry an AOI.

    >>> feature_collection({"type": "Point", "coordinates": [1, 2]})["features"][0]["properties"]
    {}
    """
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": dict(g)} for g in geometries]}


def listed(value: Any) -> Any:
    """A filter value as the APIs take it: a list or tuple comma-joined, an enum as its value.

    >>> listed(["PENDING", "FULFILLED"]), listed("PENDING")
    ('PENDING,FULFILLED', 'PENDING')
    """
    if isinstance(value, (list, tuple)):
        return ",".join(str(getattr(v, "value", v)) for v in value)
    return getattr(value, "value", value)


def _has_numbers(coords: Any) -> bool:
    # A usable position has at least two numbers.
    while isinstance(coords, list) and coords and isinstance(coords[0], list):
        coords = coords[0]
    return isinstance(coords, list) and len(coords) >= 2 and all(isinstance(c, (int, float)) for c in coords[:2])
