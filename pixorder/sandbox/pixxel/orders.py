"""``POST /v0/orders``: validate, price and (unless ``dry_run``) store an order and its items.

``{dry_run=false, order_items[1..50]}`` → 201, the order (``clerk.Order``: its items carry no
``tasks``). Up to 50 items per order is the sandbox's limit (Pixxel publishes none); many items in
one dry run is the bulk pricing form. ``dry_run: true`` prices the same way but stores nothing: the
order and items get fresh ids that 404, status/payment_status are UNPAID, ``transaction_id`` and
``paid_at`` are ``""``; ``tokens_used`` is still filled in because a dry run is a quote.
"""

from __future__ import annotations

import uuid
from typing import Any

from ..state import SandboxState
from ..store import Doc
from ..timeutil import iso
from .common import (
    HIDDEN_AOI,
    KIND_ITEM,
    KIND_ORDER,
    MAX_ITEMS_PER_ORDER,
    NAME,
    order_ts,
    org_uuid,
    user_uuid,
)
from .errors import validation_failed
from .lifecycle import new_tasks
from .validation import Problems, aoi_areas, build_item, parse_aois


def public_item(item: dict[str, Any], *, with_tasks: bool) -> dict[str, Any]:
    """An item as the API shows it: without the stored AOI, and without tasks inside an order."""
    return {k: v for k, v in item.items() if k != HIDDEN_AOI and (with_tasks or k != "tasks")}


def create_order(state: SandboxState, org: str, payload: Any) -> dict[str, Any]:
    """Validate every item (one 400 lists every problem), price them and store the order if paid."""
    problems = Problems()
    if not isinstance(payload, dict):
        raise validation_failed([{"field": "body", "message": "must be a JSON object"}])
    dry_run = payload.get("dry_run", False)
    if not isinstance(dry_run, bool):
        problems.add("dry_run", "must be a boolean")
    raw_items = payload.get("order_items")
    if not isinstance(raw_items, list) or not raw_items:
        problems.add("order_items", "is required and must be a non-empty list")
        raw_items = []
    elif len(raw_items) > MAX_ITEMS_PER_ORDER:
        problems.add("order_items", f"at most {MAX_ITEMS_PER_ORDER} items per order (sandbox limit)")
        raw_items = []
    now = state.clock.now()
    # Every item's AOI parsed first and all of them measured at once (one projection call, not one per item).
    aois = parse_aois([raw.get("geometry") if isinstance(raw, dict) else None for raw in raw_items],
                      [f"order_items[{i}].geometry" for i in range(len(raw_items))])
    ctx = {"now": now, "org": org, "created": iso(now), "dry_run": dry_run is True, "aois": aois,
           "areas": aoi_areas([a for a, _ in aois])}
    built = [build_item(raw, i, ctx, problems) for i, raw in enumerate(raw_items)]
    problems.raise_if_any()
    order_id = str(uuid.uuid4())
    user = user_uuid(org)
    paid = not dry_run
    items: list[dict[str, Any]] = []
    for item in built:
        assert item is not None
        item.update({
            "id": str(uuid.uuid4()),
            "order_id": order_id,
            "payment_status": "PAID" if paid else "UNPAID",
            "status": "DRAFT",
            "transaction_id": str(uuid.uuid4()) if paid else "",
        })
        if paid:
            item["tasks"] = new_tasks(item, now)
        items.append(dict(sorted(item.items())))  # the docs list keys A–Z
    order = {
        "created_at": order_ts(now),
        "created_by": user,
        "id": order_id,
        # a dry run's items carry neither tasks nor the stored AOI: they are shown as they are
        "order_items": [public_item(i, with_tasks=False) for i in items] if paid else items,
        "org_id": org_uuid(org),
        "paid_at": order_ts(now) if paid else "",
        "status": "PAID" if paid else "UNPAID",
        "total_amount": round(sum(i["final_amount"] for i in items), 2),
        "transaction_id": str(uuid.uuid4()) if paid else "",
        "updated_at": order_ts(now),
        "updated_by": user,
        "user_id": user,
    }
    if paid:
        created = iso(now)
        stored_order = {k: v for k, v in order.items() if k != "order_items"}
        stored_order["order_item_ids"] = [i["id"] for i in items]
        with state.store.transaction():
            state.store.insert(Doc(NAME, KIND_ORDER, order_id, stored_order, org, created, "PAID"))
            for item in items:
                # Due now: placement of a task whose start is under 5 days away happens on the next
                # request, so the create response shows every item as DRAFT like Pixxel's example.
                state.store.insert(Doc(NAME, KIND_ITEM, item["id"], item, org, created, "DRAFT", created))
    return order
