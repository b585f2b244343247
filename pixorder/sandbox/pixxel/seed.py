"""Bulk seeding for benchmarks: ``POST /_sandbox/seed {"provider": "pixxel", "count": N, "org"?,
"items_per_order"?}``.

N order items (varied type, status, area, dates, small polygons) in orders of ``items_per_order``
(default 50), inserted with executemany from JSON templates; they are history (no pending
transitions) and follow the official shapes like created ones.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from ..keys import DEFAULT_ORG
from ..state import SandboxState
from ..timeutil import UTC, iso
from . import catalog
from .common import (
    HIDDEN_AOI,
    KIND_ITEM,
    KIND_ORDER,
    MAX_ITEMS_PER_ORDER,
    NAME,
    date_z,
    default_project_id,
    hash_of,
    order_ts,
    org_uuid,
    seed_uuid,
    stable_uuid,
    task_date,
    user_uuid,
)
from .validation import feasibility

_SEED_STATUSES = ("FULFILLED", "FULFILLED", "FULFILLED", "ACTIVE", "ACTIVE", "DRAFT", "PARTIALLY_FULFILLED", "FAILED",
                  "CANCELLED")
_SEED_TYPES = ("TASKING", "TASKING", "RECURRING", "ARCHIVE")
# The seeded item's one task: its status and delivery status by the item's status.
_TASK_STATUS = {"FULFILLED": ("FULFILLED", "SUCCESSFUL"), "ACTIVE": ("SUBMITTED", "PENDING"),
                "DRAFT": ("DRAFT", "PENDING"), "FAILED": ("FAILED", "NOT_APPLICABLE"),
                "PARTIALLY_FULFILLED": ("FAILED", "NOT_APPLICABLE"), "CANCELLED": ("CANCELLED", "NOT_APPLICABLE")}


def seed_items(state: SandboxState, params: dict[str, Any]) -> dict[str, Any]:
    """Insert ``count`` order items (with their orders) in one executemany; fast enough for 100k."""
    count = int(params.get("count", 1000))
    per_order = int(params.get("items_per_order", MAX_ITEMS_PER_ORDER))
    org = str(params.get("org") or DEFAULT_ORG)
    if not 0 < count <= 2_000_000 or not 0 < per_order <= 10_000:
        raise ValueError("count must be 1..2000000 and items_per_order 1..10000")
    now = state.clock.now()
    user, org_id, project = user_uuid(org), org_uuid(org), default_project_id(org)
    others = [user, stable_uuid("user", org, "colleague")]
    run = uuid.uuid4().hex[:12]  # several seedings may be stacked without id clashes
    # Constant JSON fragments, computed once; per row only numbers and ids are formatted in.
    template = (
        '{"' + HIDDEN_AOI + '":{"type":"Polygon","coordinates":[[[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f],'
        '[%.5f,%.5f]]]},"area":%d,"bandset":null,"base_amount":%s,"cloud_cover":%d,"cloud_delivery":null,'
        '"created_at":"%s","created_by":"%s","delivery_speed":"%s","end_date":"%s",'
        '"feasibility_status":"%s","final_amount":%s,"id":"%s","image_type":"VNIR","images":[],'
        '"last_feasibility_check":"%s","name":"seeded item %d","no_of_occurrences":%d,"number_of_bands":150,'
        '"occurrences":[%s],"off_nadir":%d,"order_id":"%s","org_id":"' + org_id + '","payment_status":"PAID",'
        '"project_id":"' + project + '","recurrence":"%s","start_date":"%s","status":"%s","tasks":[%s],'
        '"tokens_used":%d,"transaction_id":"%s","type":"%s","updated_at":"%s","updated_by":"%s","uplifts":[],'
        '"usecase":"agriculture","user_id":"%s"}'
    )
    task_template = (
        '{"created_at":"%s","created_by":"%s","delivery_status":"%s","end_date":"%s","id":"%s",'
        '"number_of_strips":%d,"order_item_id":"%s","start_date":"%s","status":"%s","tokens_used":%d,'
        '"transaction_id":"%s","type":"%s","updated_at":"%s","updated_by":"%s"}'
    )
    item_rows: list[tuple[Any, ...]] = []
    order_rows: list[tuple[Any, ...]] = []
    order_items: list[str] = []
    order_id = ""
    order_created = now
    order_prefix = ""
    order_total = 0.0
    days: dict[int, tuple[str, str, str, str]] = {}  # day ordinal → its four date formats, made once

    def day_strings(day: int) -> tuple[str, str, str, str]:
        if day not in days:
            moment = datetime.fromordinal(day).replace(tzinfo=UTC)
            days[day] = (date_z(moment), order_ts(moment), task_date(moment), f"{moment:%Y%m%d}")
        return days[day]

    for i in range(count):
        h = hash_of(run, str(i)) if i < 64 else (i * 2654435761 + 97) & 0xFFFFFFFFFFFF  # cheap after the first few
        k = i % per_order
        if k == 0:
            if order_items:
                order_rows.append(_seed_order_row(org, org_id, user, order_id, order_created, order_items, order_total))
            order_id, order_items, order_total = seed_uuid(run, 0, i // per_order), [], 0.0
            # Whole seconds, so an item's timestamp is the order's plus k µs: one format per order.
            order_created = (now - timedelta(seconds=30 + i * 300)).replace(microsecond=0)
            order_prefix = order_created.strftime("%Y-%m-%dT%H:%M:%S.")
        created_iso = f"{order_prefix}{k:06d}Z"
        status = _SEED_STATUSES[h % len(_SEED_STATUSES)]
        item_type = _SEED_TYPES[(h >> 4) % len(_SEED_TYPES)]
        area = 5 + (h >> 8) % 4000
        cloud, off_nadir = (h >> 20) % 101, (h >> 28) % 46
        start_day = order_created.toordinal() + 2 + (h >> 12) % 20
        start_z, start_ts, start_task, start_ymd = day_strings(start_day)
        end_z, end_ts, end_task, end_ymd = day_strings(start_day + 7)
        base = max(area, 100) * 10
        expedited = bool(h & 1)
        final = round(base * 1.2) if expedited else base
        tokens = math.ceil(final / 10)
        item_id = seed_uuid(run, 1, i)
        lon, lat = -170 + (h >> 16) % 340 + 0.5, -60 + (h >> 24) % 120 + 0.5
        side = math.sqrt(area) / 222
        w, e, so, n = lon - side, lon + side, lat - side, lat + side
        occurrences = f'{{"start":"{start_ts}","end":"{end_ts}"}}' if item_type != "ARCHIVE" else ""
        tasks = ""
        if item_type != "ARCHIVE" or status != "DRAFT":
            t_status, delivery = _TASK_STATUS[status]
            fulfilled = t_status == "FULFILLED"
            scene = f"FF01_{catalog.cell_of(lon, lat):06d}_{start_ymd}_L2A_{end_ymd}_{i % 10**8:08d}"
            tasks = task_template % (
                created_iso, user, delivery, end_task, item_id[:9] + "0002" + item_id[13:],
                1 + h % 4 if fulfilled else 0, scene if fulfilled or item_type == "ARCHIVE" else item_id,
                start_task, t_status, tokens if t_status != "DRAFT" else 0,
                "" if t_status == "DRAFT" else item_id[:9] + "0003" + item_id[13:],
                "ARCHIVE" if item_type == "ARCHIVE" else "TASKING", created_iso, user,
            )
        by = others[(h >> 3) & 1]
        if item_type == "ARCHIVE":
            speed = "EXPEDITED" if expedited else "NOT_APPLICABLE"
        else:
            speed = "EXPEDITED" if expedited else "STANDARD"
        body = template % (
            w, so, e, so, e, n, w, n, w, so, area, base, cloud, created_iso, by, speed, end_z,
            feasibility(area, cloud, off_nadir, lat) if item_type != "ARCHIVE" else "NOT_APPLICABLE", final,
            item_id, created_iso, i, 3 if item_type == "RECURRING" else 0,
            occurrences, off_nadir, order_id,
            "NOT_APPLICABLE" if item_type == "ARCHIVE" else "ONCE" if item_type == "TASKING" else "MONTHLY",
            start_z, status, tasks, tokens, item_id[:9] + "0004" + item_id[13:], item_type, created_iso, by, by,
        )
        item_rows.append((NAME, KIND_ITEM, item_id, org, created_iso, status, None, body))
        order_items.append(item_id)
        order_total += final
    if order_items:
        order_rows.append(_seed_order_row(org, org_id, user, order_id, order_created, order_items, order_total))
    with state.store.transaction() as conn:
        conn.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?)", item_rows)
        conn.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?)", order_rows)
    return {"inserted": len(item_rows), "orders": len(order_rows), "org": org}


def _seed_order_row(org: str, org_id: str, user: str, order_id: str, created: datetime, item_ids: Iterable[str],
                    total: float) -> tuple[Any, ...]:
    body = {
        "created_at": order_ts(created), "created_by": user, "id": order_id, "org_id": org_id,
        "paid_at": order_ts(created), "status": "PAID", "total_amount": round(total, 2),
        "transaction_id": stable_uuid("seed-order", order_id), "updated_at": order_ts(created), "updated_by": user,
        "user_id": user, "order_item_ids": list(item_ids),
    }
    return (NAME, KIND_ORDER, order_id, org, iso(created), "PAID", None, json.dumps(body, separators=(",", ":")))
