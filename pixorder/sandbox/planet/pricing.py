"""Planet pricing: the price book model, replaced-orders pricing, order pricing and bulk preview.

Replaced orders (the rule this sandbox uses; Planet documents only the response: "some other orders
had to be cancelled to create this order", and the cost is their sum): an imaging window is an
exclusive slot, so a new Assured Tasking order naming an imaging window that live Assured orders
of the same organisation already hold (any status but a final one or PENDING_CANCELLATION)
*replaces* them. Creating it cancels them, and its pricing says ``determined_by:
"replaced_orders"`` with ``replaced_orders[{order_id, name, cost}]`` and ``estimated_quota_cost`` =
the sum of their costs. ``POST /pricing/`` with that window previews the same answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import price_book
from ..keys import KeyGrant
from ..state import SandboxState
from ..store import Doc
from ..timeutil import parse_iso
from .catalog import FINAL_STATUSES, KIND_ORDER, NAME
from .errors import FieldErrors, NotPermitted
from .validation import OrderSpec, measure_payloads, rrule_occurrences, validate_order

KIND_ORDER_PRICING = "order_pricing"  # stored only for orders priced by replaced_orders


def pricing_for(
    area: float, order_type: str, scheduling_type: str, product: str,
    elevation_min: float, cloud_threshold: float | None, occurrences: int,
) -> dict[str, Any]:
    multipliers = price_book.planet_multipliers(
        order_type=order_type,
        tier=price_book.planet_tier(scheduling_type, product),
        sat_elevation_angle_min=elevation_min,
        cloud_threshold=cloud_threshold,
        occurrences=occurrences,
    )
    return price_book.planet_pricing(area, multipliers)


def model_pricing(spec: OrderSpec) -> dict[str, Any]:
    return pricing_for(spec.area_sqkm, spec.order_type, spec.scheduling_type, spec.product,
                       spec.sat_elevation_angle_min, spec.cloud_threshold, spec.occurrences)


def orders_replaced_by(state: SandboxState, org: str, spec: OrderSpec) -> list[Doc]:
    """The org's live orders holding the imaging window ``spec`` names (see the module docstring)."""
    if not spec.imaging_window:
        return []
    held = state.store.query(NAME, KIND_ORDER, org=org, where=[("imaging_window", "=", spec.imaging_window)])
    return [doc for doc in held if doc.body["status"] not in (*FINAL_STATUSES, "PENDING_CANCELLATION")]


def spec_pricing(state: SandboxState, org: str, spec: OrderSpec) -> dict[str, Any]:
    """The pricing body (no ``order_id``) of a new order: by replaced orders when it replaces some."""
    pricing = model_pricing(spec)
    replaced = orders_replaced_by(state, org, spec)
    if replaced:
        rows = [{"order_id": doc.id, "name": doc.body["name"], "cost": doc.body["estimated_quota_cost"]}
                for doc in replaced]
        pricing.update(estimated_quota_cost=round(sum(row["cost"] for row in rows), 3),
                       determined_by="replaced_orders", replaced_orders=rows)
    return pricing


def stored_order_pricing(state: SandboxState, order: dict[str, Any]) -> dict[str, Any]:
    """``GET /orders/{id}/pricing``: stored when replaced orders decided it, else recomputed from the
    order (so it always equals its ``estimated_quota_cost``)."""
    stored = state.store.get(NAME, KIND_ORDER_PRICING, order["id"])
    if stored is not None:
        return {"order_id": order["id"], **stored.body}
    occurrences = rrule_occurrences(order["rrule"], parse_iso(order["start_time"]), parse_iso(order["end_time"]))
    pricing = pricing_for(order["requested_sqkm"], order["order_type"], order["scheduling_type"], order["product"],
                          order["sat_elevation_angle_min"], order.get("cloud_threshold"), occurrences)
    return {"order_id": order["id"], **pricing}


def bulk_pricing(payloads: list[Any], state: SandboxState, org: str, grant: KeyGrant, now: datetime) -> dict[str, Any]:
    """``POST /pricing/`` with a list: per-payload failures are reported and left out of the total."""
    details: list[dict[str, Any]] = []
    total = 0.0
    measured = measure_payloads(payloads)
    for payload, footprint in zip(payloads, measured):
        try:
            spec = validate_order(payload, state, now, grant, for_pricing=True, measured=footprint)
            pricing = spec_pricing(state, org, spec)
        except FieldErrors as exc:
            details.append({"message": {"error": f"Failed to calculate order pricing. {exc.summary()}"}})
            continue
        except NotPermitted as exc:
            details.append({"message": {"error": f"Failed to calculate order pricing. {exc.message}"}})
            continue
        total += pricing["estimated_quota_cost"]
        details.append(pricing)
    return {"total_estimated_quota_cost": round(total, 3), "pricing_details": details}
