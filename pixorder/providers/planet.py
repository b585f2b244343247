"""Planet Tasking API v2 adapter: wire payloads ⇄ neutral models (sans-IO)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pixorder import models as m
from pixorder.providers._wire import footprint, integer, number, text

PROVIDER = "planet"
BASE_URL = "https://api.planet.com/tasking/v2"
UNIT = "SQKM"  # Planet prices in quota units of square kilometres
REFERENCE_PREFIX = "pxo-"


def parse_order(payload: Mapping[str, Any]) -> m.Order:
    status = text(payload.get("status"))
    name = text(payload.get("name"))
    return m.Order(
        provider=PROVIDER,
        raw=dict(payload),
        id=str(payload.get("id")),
        name=name,
        status=status,
        provider_status=status,
        order_type=m.ItemType.TASKING,
        amount=number(payload.get("estimated_quota_cost")),
        unit=UNIT,
        area_km2=number(payload.get("requested_sqkm")),
        start=payload.get("start_time"),
        end=payload.get("end_time"),
        created_at=payload.get("created_time"),
        updated_at=payload.get("updated_time"),
        geometry=footprint(payload.get("geometry")),
        reference=_reference(name),
    )


def _reference(name: str | None) -> str | None:
    if name and name.endswith("]"):
        at = name.rfind("[" + REFERENCE_PREFIX)
        if at >= 0:
            return name[at + 1 : -1]
    return None


def parse_pricing(payload: Mapping[str, Any], *, index: int | None = None,
                  area_km2: float | None = None, geometry: dict | None = None) -> m.Quote:
    """One pricing answer (``GET /orders/{id}/pricing`` or one slot of ``POST /pricing/``)."""
    message = payload.get("message")
    if isinstance(message, Mapping) and "estimated_quota_cost" not in payload:
        error = message.get("error") or message.get("detail") or str(message)
        return m.Quote(provider=PROVIDER, raw=dict(payload), error=str(error), request_index=index,
                       area_km2=area_km2, geometry=geometry, unit=UNIT)
    model = payload.get("pricing_model") or {}
    base = number(model.get("base_price"))
    uplifts = []
    for mult in model.get("multipliers") or []:
        value = number(mult.get("value"))
        pct = None if value is None else round((value - 1.0) * 100.0, 6)
        uplifts.append(m.Uplift(name=str(mult.get("name")), percentage=pct, description=text(mult.get("description")),
                                amount=None if base is None or pct is None else round(base * pct / 100.0, 6)))
    for replaced in payload.get("replaced_orders") or []:
        uplifts.append(m.Uplift(name="replaced_order", amount=number(replaced.get("cost")),
                                description=text(replaced.get("name"))))
    return m.Quote(
        provider=PROVIDER,
        raw=dict(payload),
        amount=number(payload.get("estimated_quota_cost")),
        base_amount=base,
        unit=text(payload.get("units")) or UNIT,
        uplifts=uplifts,
        area_km2=area_km2,
        billed_area_km2=None if area_km2 is None else max(area_km2, 25.0),
        request_index=index,
        geometry=geometry,
    )


def parse_bulk_pricing(payload: Mapping[str, Any]) -> list[m.Quote]:
    return [parse_pricing(d, index=i) for i, d in enumerate(payload.get("pricing_details") or [])]


def parse_orders_page(payload: Mapping[str, Any]) -> m.Page[m.Order]:
    return m.Page[m.Order](
        items=[parse_order(o) for o in payload.get("results") or []],
        total=integer(payload.get("count")),
        next=text(payload.get("next")),
    )
