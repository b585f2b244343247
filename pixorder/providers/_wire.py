"""Small readers shared by the adapters for payloads whose keys vary between doc versions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson

_MISSING = object()


def json_size(payload: Any) -> int:
    """Bytes of ``payload`` encoded as the transport sends it (compact JSON, UTF-8): what ``Adapter.body_limit``
    (Planet's 1 MB) is measured against, by the chunking of bulk calls and the AOI rules' request-size check.

    Args:
        payload: a JSON value (a ``Call``'s ``json``).

    Returns:
        int: its size in bytes.

    >>> json_size({"name": "Zürich"})  # {"name":"Zürich"}: "ü" is two bytes
    18
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


def iso_z(moment: datetime | None) -> str | None:
    """A UTC datetime as the APIs write it (``2027-03-01T00:00:00Z``); None stays None. The one datetime
    form pixorder writes: the adapters' payloads and filters, and the models' dumps.

    Every request of a bulk call shares its window, so the text is worked out once per moment.

    >>> from datetime import timezone
    >>> iso_z(datetime(2027, 3, 1, tzinfo=timezone.utc)), iso_z(None)
    ('2027-03-01T00:00:00Z', None)
    """
    # Equal moments at different offsets are equal keys: the offset is part of the key.
    return None if moment is None else _iso_z(moment, moment.utcoffset())


@lru_cache(maxsize=512)
def _iso_z(moment: datetime, offset: Any) -> str:
    return moment.isoformat().replace("+00:00", "Z")


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
    """A filter value as the APIs take it: a list or tuple comma-joined (a missing end of a range left
    empty), an enum as its value, a datetime as :func:`iso_z` writes it; anything else as it is.

    >>> from datetime import timezone
    >>> listed(["PENDING", "FULFILLED"]), listed("PENDING"), listed((datetime(2027, 3, 1, tzinfo=timezone.utc), None))
    ('PENDING,FULFILLED', 'PENDING', '2027-03-01T00:00:00Z,')
    """
    if isinstance(value, (list, tuple)):
        return ",".join("" if v is None else str(listed(v)) for v in value)
    value = getattr(value, "value", value)
    return iso_z(value) if isinstance(value, datetime) else value


def _has_numbers(coords: Any) -> bool:
    # A usable position has at least two numbers.
    while isinstance(coords, list) and coords and isinstance(coords[0], list):
        coords = coords[0]
    return isinstance(coords, list) and len(coords) >= 2 and all(isinstance(c, (int, float)) for c in coords[:2])
