"""Reading orders and order items: ``GET /v0/orders[/{id}]``, ``GET /v0/order-items[/{id}]``.

* ``GET /orders`` (``user_id``, ``limit`` default 10, at most 100, ``offset``) →
  ``{orders, pagination: {total, offset, limit}}``, newest first; ``GET /orders/{id}``. Items inside
  an order carry no ``tasks`` (``clerk.OrderItem``).
* ``GET /order-items``: ``user_id``, ``type``, ``status`` (DRAFT, ACTIVE, FULFILLED,
  PARTIALLY_FULFILLED, CANCELLED, FAILED), ``order_ids``, ``created_by``, ``project_ids``, ``ids``
  take comma lists (or repeated parameters); ranges are ``created_at=<from>,<to>`` (ISO timestamps)
  and ``area=<min>,<max>`` (km²), inclusive, either bound may be empty (``area=100,`` is ≥100); a
  single value without a comma is an exact match. ``limit`` default 10, at most 1000; ``offset``.
  Ordered by ``created_at`` then ``id``, both descending, so pages are stable.
  → ``{order_items, pagination: {limit, offset, total}}``; ``GET /order-items/{id}`` with ``tasks``.

Stored JSON is spliced into responses without parsing; SQLite's ``json_remove`` drops the stored AOI
(and the tasks, inside orders) on the way out.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from fastapi import Request

from ..state import SandboxState
from ..timeutil import iso, parse_iso
from .common import (
    HIDDEN_AOI,
    ITEM_STATUSES,
    ITEM_TYPES,
    ITEMS_DEFAULT_LIMIT,
    ITEMS_MAX_LIMIT,
    KIND_ITEM,
    KIND_ORDER,
    NAME,
    ORDERS_DEFAULT_LIMIT,
    ORDERS_MAX_LIMIT,
)
from .errors import not_found, validation_failed

ITEM_JSON = f"json_remove(body, '$.{HIDDEN_AOI}')"
ITEM_IN_ORDER_JSON = f"json_remove(body, '$.{HIDDEN_AOI}', '$.tasks')"


def int_param(request: Request, key: str, default: int, low: int, high: int) -> int:
    """An integer query parameter in [low, high] (400 naming it otherwise)."""
    value = request.query_params.get(key)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise validation_failed([{"field": key, "message": "must be an integer"}]) from None
    if not low <= number <= high:
        raise validation_failed([{"field": key, "message": f"must be between {low} and {high}"}])
    return number


def list_param(request: Request, key: str) -> list[str]:
    """A comma list (or repeated parameter) as a list of non-empty values."""
    values = []
    for raw in request.query_params.getlist(key):
        values += [v.strip() for v in raw.split(",") if v.strip()]
    return values


def _range_param(request: Request, key: str, parse: Callable[[str], Any]) -> tuple[Any, Any] | None:
    raw = request.query_params.get(key)
    if raw is None or raw.strip() == "":
        return None
    low_text, comma, high_text = raw.partition(",")
    if not comma:
        high_text = low_text  # a single value: exact match
    try:
        low = parse(low_text.strip()) if low_text.strip() else None
        high = parse(high_text.strip()) if high_text.strip() else None
    except (ValueError, TypeError):
        raise validation_failed([{"field": key, "message": "expected '<from>,<to>' (either may be empty)"}]) from None
    return low, high


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def item_filters(request: Request) -> tuple[str, list[Any]]:
    """SQL conditions (ANDed) and parameters for GET /order-items."""
    parts: list[str] = []
    params: list[Any] = []

    def one_of(column: str, values: list[str]) -> None:
        if values:
            parts.append(f"{column} IN ({','.join('?' * len(values))})")
            params.extend(values)

    for key, allowed in (("type", ITEM_TYPES), ("status", ITEM_STATUSES)):
        values = [v.upper() for v in list_param(request, key)]
        bad = [v for v in values if v not in allowed]
        if bad:
            raise validation_failed([{"field": key, "message": f"must be among {', '.join(allowed)}"}])
        one_of("status" if key == "status" else "json_extract(body, '$.type')", values)
    one_of("id", list_param(request, "ids"))
    one_of("json_extract(body, '$.order_id')", list_param(request, "order_ids"))
    one_of("json_extract(body, '$.project_id')", list_param(request, "project_ids"))
    one_of("json_extract(body, '$.user_id')", list_param(request, "user_id"))
    one_of("json_extract(body, '$.created_by')", list_param(request, "created_by"))
    created = _range_param(request, "created_at", lambda s: iso(parse_iso(s)))
    if created:
        if created[0] is not None:
            parts.append("created_at >= ?")
            params.append(created[0])
        if created[1] is not None:
            parts.append("created_at <= ?")
            params.append(created[1])
    area = _range_param(request, "area", _float)
    if area:
        if area[0] is not None:
            parts.append("json_extract(body, '$.area') >= ?")
            params.append(area[0])
        if area[1] is not None:
            parts.append("json_extract(body, '$.area') <= ?")
            params.append(area[1])
    return " AND ".join(parts), params


def list_items(state: SandboxState, org: str, request: Request) -> str:
    """``GET /order-items`` as JSON text."""
    limit = int_param(request, "limit", ITEMS_DEFAULT_LIMIT, 1, ITEMS_MAX_LIMIT)
    offset = int_param(request, "offset", 0, 0, 2**62)
    extra, params = item_filters(request)
    where = "provider=? AND kind=? AND org=?" + (f" AND {extra}" if extra else "")
    base = [NAME, KIND_ITEM, org, *params]
    with state.store.transaction() as conn:
        total, rows = state.store.newest_page(conn, ITEM_JSON, where, base, limit, offset)
    pagination = json.dumps({"limit": limit, "offset": offset, "total": total}, separators=(",", ":"))
    return '{"order_items":[' + ",".join(rows) + '],"pagination":' + pagination + "}"


def get_item(state: SandboxState, org: str, item_id: str) -> str:
    """``GET /order-items/{id}`` as JSON text (with its tasks)."""
    rows = state.store.execute(f"SELECT {ITEM_JSON} FROM docs WHERE provider=? AND kind=? AND id=? AND org=?",
                               (NAME, KIND_ITEM, item_id, org))
    if not rows:
        raise not_found("Order item", item_id)
    return rows[0][0]


_ORDER_ITEM_SQL = f"SELECT id, {ITEM_IN_ORDER_JSON} FROM docs WHERE provider=? AND kind=? AND org=? AND id IN ({{}})"


def _items_by_id(state: SandboxState, org: str, ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        sql = _ORDER_ITEM_SQL.format(",".join("?" * len(chunk)))
        found.update(dict(state.store.execute(sql, (NAME, KIND_ITEM, org, *chunk))))
    return found


def _order_json(order: dict[str, Any], items: dict[str, str]) -> str:
    """An order's JSON with its items' stored JSON spliced in (no re-parsing of item bodies)."""
    ids = order.get("order_item_ids", [])
    head = {k: v for k, v in order.items() if k != "order_item_ids"}
    head["order_items"] = "\0ITEMS\0"
    text = json.dumps(dict(sorted(head.items())), separators=(",", ":"))
    return text.replace('"\\u0000ITEMS\\u0000"', "[" + ",".join(items[i] for i in ids if i in items) + "]")


def list_orders(state: SandboxState, org: str, request: Request) -> str:
    """``GET /orders`` as JSON text."""
    limit = int_param(request, "limit", ORDERS_DEFAULT_LIMIT, 1, ORDERS_MAX_LIMIT)
    offset = int_param(request, "offset", 0, 0, 2**62)
    users = list_param(request, "user_id")
    where = [("user_id", "in", users)] if users else []
    total = state.store.count(NAME, KIND_ORDER, org=org, where=where)
    docs = state.store.query(NAME, KIND_ORDER, org=org, where=where, order_by=[("created_at", True)],
                             limit=limit, offset=offset)
    items = _items_by_id(state, org, [i for d in docs for i in d.body.get("order_item_ids", [])])
    pagination = json.dumps({"total": total, "offset": offset, "limit": limit}, separators=(",", ":"))
    return '{"orders":[' + ",".join(_order_json(d.body, items) for d in docs) + '],"pagination":' + pagination + "}"


def get_order(state: SandboxState, org: str, order_id: str) -> str:
    """``GET /orders/{id}`` as JSON text."""
    doc = state.store.get(NAME, KIND_ORDER, order_id, org=org)
    if doc is None:
        raise not_found("Order", order_id)
    return _order_json(doc.body, _items_by_id(state, org, doc.body.get("order_item_ids", [])))
