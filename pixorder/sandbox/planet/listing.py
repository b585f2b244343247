"""Listing orders and captures: DRF filters ANDed, ``ordering``, ``limit``/``offset`` pages.

Orders (``GET /orders/``): ``name``, ``name__icontains``, ``status``, ``status__in``, ``pl_number``,
``product``, ``scheduling_type``, ``order_type``, ``imaging_window``;
``created_time``/``updated_time``/``start_time``/``end_time`` with ``__gt``, ``__gte``, ``__lt``,
``__lte``; ``geometry__intersects`` (GeoJSON geometry, or WKT, as django-filter's GeometryFilter
takes; matched against the stored footprint). ``ordering`` is a comma list with ``-`` for
descending (default ``-created_time``; unknown fields ignored as DRF does); ``limit`` defaults to 50,
at most 1000. Envelope ``{count, next, previous, results}`` with absolute URLs.

Captures (``GET /captures/``): ``order_id``, ``fulfilling`` (true/false), ``status``, ``status__in``,
the same time lookups on ``created_time``/``updated_time``/``acquired_time``/``published_time``,
ordering and pages as orders.
"""

from __future__ import annotations

import json
from typing import Any

import shapely
from shapely import wkt
from shapely.geometry import shape
from starlette.requests import Request

from ..state import SandboxState
from ..timeutil import iso, parse_iso
from ..web import page_url
from .catalog import DEFAULT_LIMIT, KIND_CAPTURE, KIND_ORDER, MAX_LIMIT, NAME
from .errors import FieldErrors

ORDER_EXACT = {"name": "name", "status": "status", "pl_number": "pl_number", "product": "product",
               "scheduling_type": "scheduling_type", "order_type": "order_type", "imaging_window": "imaging_window"}
ORDER_TIMES = {"created_time": "created_at", "updated_time": "updated_time",
               "start_time": "start_time", "end_time": "end_time"}
ORDER_ORDERING = {"created_time": "created_at", "updated_time": "updated_time", "name": "name",
                  "start_time": "start_time", "end_time": "end_time", "status": "status"}
CAPTURE_EXACT = {"order_id": "order_id", "status": "status", "pl_number": "pl_number", "product": "product"}
CAPTURE_TIMES = {"created_time": "created_at", "updated_time": "updated_time", "acquired_time": "acquired_time",
                 "published_time": "published_time"}
CAPTURE_ORDERING = {"created_time": "created_at", "updated_time": "updated_time", "acquired_time": "acquired_time",
                    "published_time": "published_time", "status": "status"}
_LOOKUPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_BOOLEAN = {"true": True, "1": True, "false": False, "0": False}


def parse_intersects(value: str) -> shapely.Geometry:
    """A GeoJSON geometry (or Feature) or WKT; raises ValueError."""
    text = value.strip()
    if text.startswith("{"):
        data = json.loads(text)
        if data.get("type") == "Feature":
            data = data.get("geometry") or {}
        geom = shape(data)
    else:
        geom = wkt.loads(text)
    if geom.is_empty:
        raise ValueError("empty geometry")
    return geom if geom.is_valid else geom.buffer(0)


def filters(params: dict[str, str], exact: dict[str, str], times: dict[str, str]) -> list[tuple[str, str, Any]]:
    """Store filters from query parameters; raises FieldErrors for bad values."""
    where: list[tuple[str, str, Any]] = []
    errors: dict[str, list[str]] = {}
    for key, value in params.items():
        field, _, lookup = key.partition("__")
        if field in exact and not lookup:
            where.append((exact[field], "=", value))
        elif field in exact and lookup == "in":
            where.append((exact[field], "in", [s.strip() for s in value.split(",") if s.strip()]))
        elif field == "name" and lookup == "icontains" and "name" in exact:
            where.append(("name", "icontains", value))
        elif key == "fulfilling" and exact is CAPTURE_EXACT:
            if value.lower() not in _BOOLEAN:
                errors[key] = ["Select a valid choice. Use true or false."]
            else:
                where.append(("fulfilling", "=", 1 if _BOOLEAN[value.lower()] else 0))
        elif field in times and lookup in _LOOKUPS:
            try:
                where.append((times[field], _LOOKUPS[lookup], iso(parse_iso(value))))
            except ValueError:
                errors[key] = ["Enter a valid date/time."]
    if errors:
        raise FieldErrors(errors)
    return where


def ordering(value: str | None, fields: dict[str, str]) -> list[tuple[str, bool]]:
    terms = []
    for term in (value or "-created_time").split(","):
        term = term.strip()
        field = fields.get(term.lstrip("-"))
        if field:  # DRF's OrderingFilter silently ignores unknown fields
            terms.append((field, term.startswith("-")))
    return terms or [("created_at", True)]


def _int_param(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def limit_offset(params: Any) -> tuple[int, int]:
    """``limit`` and ``offset`` as DRF's LimitOffsetPagination reads them: a bad or missing limit is the
    default, a big one the maximum; a bad or negative offset is 0."""
    limit = _int_param(params.get("limit"), DEFAULT_LIMIT)
    limit = DEFAULT_LIMIT if limit <= 0 else min(limit, MAX_LIMIT)
    return limit, max(_int_param(params.get("offset"), 0), 0)


def envelope(request: Request, count: int, limit: int, offset: int, results: list[Any]) -> dict[str, Any]:
    """DRF's page: ``{count, next, previous, results}`` with absolute links."""
    previous = None
    if offset > 0:
        previous = page_url(request, limit=limit, offset=None if offset - limit <= 0 else offset - limit)
    return {
        "count": count,
        "next": page_url(request, limit=limit, offset=offset + limit) if offset + limit < count else None,
        "previous": previous,
        "results": results,
    }


def _page(request: Request, state: SandboxState, org: str, kind: str, exact: dict[str, str],
          times: dict[str, str], order_fields: dict[str, str]) -> dict[str, Any]:
    params = dict(request.query_params)
    try:
        where = filters(params, exact, times)
        intersects = None
        if kind == KIND_ORDER and "geometry__intersects" in params:
            try:
                intersects = parse_intersects(params["geometry__intersects"])
            except (ValueError, TypeError, AttributeError, shapely.errors.ShapelyError):
                raise FieldErrors({"geometry__intersects": [
                    "Invalid geometry value: send a GeoJSON geometry or WKT."]}) from None
    except FieldErrors as exc:
        raise exc.api_error() from None
    limit, offset = limit_offset(params)
    order_by = ordering(params.get("ordering"), order_fields)
    if intersects is None:
        count = state.store.count(NAME, kind, org=org, where=where)
        docs = state.store.query(NAME, kind, org=org, where=where, order_by=order_by, limit=limit, offset=offset)
        results = [doc.body for doc in docs]
    else:
        # A spatial filter has no index in this store: filter the other filters' rows in Python.
        shapely.prepare(intersects)
        matching = [doc.body for doc in state.store.query(NAME, kind, org=org, where=where, order_by=order_by)
                    if intersects.intersects(shape(doc.body["geometry"]))]
        count, results = len(matching), matching[offset:offset + limit]
    return envelope(request, count, limit, offset, results)


def orders_page(request: Request, state: SandboxState, org: str) -> dict[str, Any]:
    return _page(request, state, org, KIND_ORDER, ORDER_EXACT, ORDER_TIMES, ORDER_ORDERING)


def captures_page(request: Request, state: SandboxState, org: str) -> dict[str, Any]:
    return _page(request, state, org, KIND_CAPTURE, CAPTURE_EXACT, CAPTURE_TIMES, CAPTURE_ORDERING)
