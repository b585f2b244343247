"""Pixxel API v0 adapter: wire payloads ⇄ neutral models (sans-IO)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pixorder import models as m
from pixorder.providers._wire import first, footprint, integer, number, text

PROVIDER = "pixxel"
BASE_URL = "https://api.pixxel.space"
# Pixxel does not name the currency of base_amount / final_amount; its dashboard shows USD [I].
UNIT = "USD"


def parse_uplift(payload: Mapping[str, Any]) -> m.Uplift:
    return m.Uplift(
        name=text(payload.get("title")) or "uplift",
        description=text(payload.get("subtitle")),
        percentage=number(payload.get("percentage")),
        amount=number(payload.get("amount")),
    )


def parse_task(payload: Mapping[str, Any]) -> m.Task:
    return m.Task(
        provider=PROVIDER,
        raw=dict(payload),
        id=str(payload.get("id")),
        order_item_id=text(payload.get("order_item_id")),
        type=text(payload.get("type")),
        status=text(payload.get("status")),
        delivery_status=text(payload.get("delivery_status")),
        start=payload.get("start_date"),
        end=payload.get("end_date"),
        number_of_strips=integer(payload.get("number_of_strips")),
        tokens_used=number(payload.get("tokens_used")),
        created_at=payload.get("created_at"),
        updated_at=payload.get("updated_at"),
    )


def _item_geometry(payload: Mapping[str, Any]) -> dict[str, Any] | None:
    geometry = footprint(payload.get("geometry"))
    if geometry is None:
        images = [footprint(i.get("geometry")) for i in payload.get("images") or [] if isinstance(i, Mapping)]
        images = [g for g in images if g]
        if images:
            geometry = footprint({"type": "FeatureCollection", "features": [
                {"type": "Feature", "geometry": g} for g in images]})
    return geometry


def parse_order_item(payload: Mapping[str, Any]) -> m.OrderItem:
    return m.OrderItem(
        provider=PROVIDER,
        raw=dict(payload),
        id=str(payload.get("id")),
        order_id=text(payload.get("order_id")),
        name=text(payload.get("name")),
        type=text(payload.get("type")),
        status=text(payload.get("status")),
        payment_status=_first_option(payload.get("payment_status")),
        area_km2=number(payload.get("area")),
        base_amount=number(payload.get("base_amount")),
        amount=number(payload.get("final_amount")),
        unit=UNIT,
        uplifts=[parse_uplift(u) for u in payload.get("uplifts") or [] if isinstance(u, Mapping)],
        tokens_used=number(payload.get("tokens_used")),
        cloud_cover=number(payload.get("cloud_cover")),
        off_nadir=number(payload.get("off_nadir")),
        delivery_speed=text(payload.get("delivery_speed")),
        feasibility=text(payload.get("feasibility_status")),
        image_type=text(payload.get("image_type")),
        recurrence=text(payload.get("recurrence")),
        occurrences=integer(payload.get("no_of_occurrences")),
        start=payload.get("start_date"),
        end=payload.get("end_date"),
        created_at=payload.get("created_at"),
        updated_at=payload.get("updated_at"),
        geometry=_item_geometry(payload),
        tasks=[parse_task(t) for t in payload.get("tasks") or [] if isinstance(t, Mapping)],
    )


def _first_option(value: Any) -> str | None:
    # The docs write enums as slash-joined examples ("PAID/PARTIAL-REFUND/..."): read the first.
    value = text(value)
    return value.split("/")[0] if value else None


def _order_status(items: list[m.OrderItem]) -> m.OrderStatus | None:
    # Pixxel's order.status is a payment status; the life-cycle status lives on each item.
    statuses = {i.status for i in items if i.status is not None}
    if not statuses:
        return None
    if len(statuses) == 1:
        return statuses.pop()
    for candidate in (m.OrderStatus.ACTIVE, m.OrderStatus.DRAFT, m.OrderStatus.PARTIALLY_FULFILLED):
        if candidate in statuses:
            return candidate
    return sorted(statuses, key=str)[0]


def parse_order(payload: Mapping[str, Any], *, dry_run: bool = False) -> m.Order:
    items = [parse_order_item(i) for i in payload.get("order_items") or [] if isinstance(i, Mapping)]
    geoms = [i.geometry for i in items if i.geometry]
    geometry = footprint({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": g} for g in geoms]}) if geoms else None
    kinds = {i.type for i in items if i.type is not None}
    area = sum(i.area_km2 for i in items if i.area_km2 is not None) if items else None
    return m.Order(
        provider=PROVIDER,
        raw=dict(payload),
        id=str(payload.get("id")),
        name=items[0].name if len(items) == 1 else text(first(payload, "name")),
        status=_order_status(items),
        provider_status=text(payload.get("status")),
        payment_status=text(payload.get("status")),
        order_type=kinds.pop() if len(kinds) == 1 else None,
        amount=number(payload.get("total_amount")),
        unit=UNIT,
        area_km2=area,
        start=min((i.start for i in items if i.start), default=None),
        end=max((i.end for i in items if i.end), default=None),
        created_at=payload.get("created_at"),
        updated_at=payload.get("updated_at"),
        geometry=geometry,
        reference=_reference(items),
        dry_run=dry_run,
        items=items,
    )


REFERENCE_PREFIX = "pxo-"


def _reference(items: list[m.OrderItem]) -> str | None:
    for item in items:
        name = item.name or ""
        at = name.rfind("[" + REFERENCE_PREFIX)
        if at >= 0 and name.endswith("]"):
            return name[at + 1 : -1]
    return None


def parse_order_items_page(payload: Mapping[str, Any]) -> m.Page[m.OrderItem]:
    page = payload.get("pagination") or {}
    return m.Page[m.OrderItem](
        items=[parse_order_item(i) for i in payload.get("order_items") or []],
        total=integer(page.get("total")),
        offset=integer(page.get("offset")),
        limit=integer(page.get("limit")),
    )


def parse_orders_page(payload: Mapping[str, Any]) -> m.Page[m.Order]:
    page = payload.get("pagination") or {}
    return m.Page[m.Order](
        items=[parse_order(o) for o in payload.get("orders") or []],
        total=integer(page.get("total")),
        offset=integer(page.get("offset")),
        limit=integer(page.get("limit")),
    )
