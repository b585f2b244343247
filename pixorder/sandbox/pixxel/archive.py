"""The archive API (STAC): ``GET /v0/archives/collections[/{cid}[/items[/{id}]]]`` and ``POST
/v0/archives/search``.

Search takes ``collections``, ``ids``, ``bbox`` (west > east crosses the antimeridian) or
``intersects``, ``datetime`` (instant or ``a/b`` with ``..`` for an open end), ``query``
(``{"eo:cloud_cover": {"lt": 10}, ...}`` with eq, neq, lt, lte, gt, gte on item properties),
``sortby`` (``[{"field": "properties.datetime", "direction": "desc"}]``), ``limit`` (default 10, at
most 500) and ``offset``; one of ``ids``, ``bbox`` or ``intersects`` is required (a sandbox limit:
the grid is global). → ``{type: FeatureCollection, features, links, context}``, newest first.
Collection item listings go day by day from the newest archived day (``limit`` ≤ 500, ``offset`` ≤
100 000).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..state import SandboxState
from . import catalog
from .common import SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT
from .delivery import _string_list, _window, area_filter
from .errors import not_found, validation_failed
from .validation import Problems, int_field

MAX_LIST_OFFSET = 100_000
_OPS = {"eq": lambda a, b: a == b, "neq": lambda a, b: a != b, "lt": lambda a, b: a < b,
        "lte": lambda a, b: a <= b, "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b}
# Short names people use for the STAC properties (Pixxel's own example says "cloudcover").
_ALIASES = {"cloudcover": "eo:cloud_cover", "cloud_cover": "eo:cloud_cover", "off_nadir": "view:off_nadir"}


def _collection(cid: str) -> dict[str, Any]:
    if cid not in catalog.COLLECTIONS:
        raise not_found("Collection", cid)
    return catalog.COLLECTIONS[cid]


def list_collections(state: SandboxState, ids: str | None, base_url: str) -> dict[str, Any]:
    """``GET /v0/archives/collections`` (``ids`` a comma list)."""
    wanted = [i.strip() for i in (ids or "").split(",") if i.strip()]
    now = state.clock.now()
    return {"collections": [catalog.collection_body(cid, now, base_url) for cid in catalog.COLLECTIONS
                            if not wanted or cid in wanted]}


def get_collection(state: SandboxState, cid: str, base_url: str) -> dict[str, Any]:
    """``GET /v0/archives/collections/{cid}``."""
    _collection(cid)
    return catalog.collection_body(cid, state.clock.now(), base_url)


def collection_items(state: SandboxState, cid: str, limit: int, offset: int, base_url: str) -> dict[str, Any]:
    """``GET /v0/archives/collections/{cid}/items``."""
    _collection(cid)
    scenes = catalog.scenes_of_collection(cid, state.clock.now(), offset, limit)
    links = [{"rel": "self", "href": f"{base_url}/v0/archives/collections/{cid}/items?limit={limit}&offset={offset}",
              "type": "application/geo+json"}]
    if len(scenes) == limit and offset + limit <= MAX_LIST_OFFSET:
        links.append({"rel": "next", "type": "application/geo+json",
                      "href": f"{base_url}/v0/archives/collections/{cid}/items?limit={limit}&offset={offset + limit}"})
    return {"type": "FeatureCollection", "features": [catalog.stac_item(s, base_url) for s in scenes], "links": links}


def get_item(state: SandboxState, cid: str, scene_id: str, base_url: str) -> dict[str, Any]:
    """``GET /v0/archives/collections/{cid}/items/{id}``."""
    _collection(cid)
    scene = catalog.scene_by_id(scene_id, state.clock.now())
    if scene is None or scene["collection"] != cid:
        raise not_found("Item", scene_id)
    return catalog.stac_item(scene, base_url)


def _query(payload: dict[str, Any], problems: Problems) -> list[tuple[str, str, Any]]:
    query = payload.get("query")
    if query is None:
        return []
    if not isinstance(query, dict) or not all(isinstance(v, dict) for v in query.values()):
        problems.add("query", "must be {property: {op: value}} with op among " + ", ".join(_OPS))
        return []
    terms: list[tuple[str, str, Any]] = []
    for name, ops in query.items():
        for op, value in ops.items():
            if op not in _OPS:
                problems.add(f"query.{name}", f"unknown operator {op!r}; use one of {', '.join(_OPS)}")
            else:
                terms.append((_ALIASES.get(name) or name, op, value))
    return terms


def _matches(properties: dict[str, Any], terms: list[tuple[str, str, Any]]) -> bool:
    for name, op, value in terms:
        actual = properties.get(name)
        try:
            if actual is None or not _OPS[op](actual, value):
                return False
        except TypeError:
            return False
    return True


def _sort_key(sortby: Any, problems: Problems) -> tuple[str, bool]:
    if sortby is None:
        return "datetime", True
    if (not isinstance(sortby, list) or not sortby or not isinstance(sortby[0], dict)
            or not isinstance(sortby[0].get("field", "properties.datetime"), str)):
        problems.add("sortby", "must be [{field, direction: asc|desc}]")
        return "datetime", True
    field = sortby[0].get("field", "properties.datetime")
    field = field.replace("properties->>", "").replace("properties.", "").strip("'\"")
    direction = str(sortby[0].get("direction", "desc")).lower()
    if direction not in ("asc", "desc"):
        problems.add("sortby[0].direction", "must be asc or desc")
    return _ALIASES.get(field) or field, direction != "asc"


def search(state: SandboxState, payload: Any, base_url: str) -> dict[str, Any]:
    """``POST /v0/archives/search`` (official ``cosmos.Search`` → ``cosmos.FeatureCollection``)."""
    if not isinstance(payload, dict):
        raise validation_failed([{"field": "body", "message": "must be a JSON object"}])
    problems = Problems()
    collections = _string_list(payload, "collections", problems)
    ids = _string_list(payload, "ids", problems)
    aoi = area_filter(payload, problems, ("Point", "Polygon", "MultiPolygon"))
    if aoi is None and not ids and not any(k in payload for k in ("bbox", "intersects")):
        problems.add("intersects", "one of ids, bbox or intersects is required")
    low, high = _window(payload.get("datetime"), problems)
    terms = _query(payload, problems)
    sort_field, descending = _sort_key(payload.get("sortby"), problems)
    limit = int_field(payload, "limit", "", 1, SEARCH_MAX_LIMIT, problems, required=False, default=SEARCH_DEFAULT_LIMIT)
    offset = int_field(payload, "offset", "", 0, 10**9, problems, required=False)
    for d in collections:
        if d not in catalog.COLLECTIONS:
            problems.add("collections", f"unknown collection {d!r}; see GET /v0/archives/collections")
    problems.raise_if_any()
    now = state.clock.now()
    start = max(catalog.ARCHIVE_EPOCH, low) if low else catalog.ARCHIVE_EPOCH
    end = min(catalog.archive_horizon(now), high) if high else catalog.archive_horizon(now)
    if ids:
        scenes = [s for i in dict.fromkeys(ids) if (s := catalog.scene_by_id(i, now)) is not None
                  and start <= s["moment"] <= end and (aoi is None or aoi.intersects(s["geometry"]))]
    elif start > end:
        scenes = []
    else:
        parts = list(aoi.geoms) if aoi.geom_type == "MultiPolygon" and aoi.bounds[2] - aoi.bounds[0] > 180 else [aoi]
        scenes = [s for part in parts for s in catalog.search_scenes(part, start, end)]
    items = [catalog.stac_item(s, base_url) for s in scenes
             if not collections or s["collection"] in collections]
    items = [i for i in items if _matches(i["properties"], terms)]

    def key(item: dict[str, Any]) -> tuple[Any, str]:
        value = item["properties"].get(sort_field)
        return (value if value is not None else datetime.min.isoformat(), item["id"])

    try:
        items.sort(key=key, reverse=descending)
    except TypeError:
        items.sort(key=lambda i: (str(key(i)[0]), i["id"]), reverse=descending)
    page = items[offset:offset + limit]
    links = []
    if offset + limit < len(items):
        links.append({"rel": "next", "href": f"{base_url}/v0/archives/search", "type": "application/geo+json",
                      "title": f"POST the same body with offset {offset + limit}"})
    return {"type": "FeatureCollection", "features": page, "links": links,
            "context": {"returned": len(page), "limit": limit, "matched": len(items), "offset": offset}}
