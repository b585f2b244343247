"""Bulk seeding of Planet orders for benchmarks and demos (``POST /_sandbox/seed``)."""

from __future__ import annotations

import math
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from .. import price_book
from ..state import SandboxState
from .catalog import CANCELLABLE_STATUSES
from .lifecycle import as_doc, new_order
from .validation import OrderSpec

# The default mix (kept from before FAILED existed, so benchmark data stays the same); FAILED may be
# asked for. Transient statuses with a short due time (FINALIZING, PENDING_CANCELLATION) are not seeded.
SEED_STATUSES = ("RECEIVED", "PENDING", "REQUESTED", "IN_PROGRESS", "FULFILLED", "CANCELLED", "REJECTED", "EXPIRED")
SEEDABLE_STATUSES = (*SEED_STATUSES, "FAILED")
_SEED_WORDS = ("Port watch", "Field survey", "Flood check", "Mine site", "Test order", "Crop monitor", "Coastline")


def seed_orders(state: SandboxState, params: dict[str, Any]) -> dict[str, Any]:
    """Insert ``count`` varied orders at once: ``{count, org?, statuses?, name_prefix?, seed?}``.

    Timings agree with each status (a PENDING order starts in the future, ...), so seeding does not
    trigger a storm of transitions. Footprints are 5×5 km squares computed with a spherical
    approximation, which is plenty for benchmark data and 100× faster than projecting each one.
    """
    count = int(params.get("count", 0))
    if not 0 < count <= 1_000_000:
        raise ValueError("count must be between 1 and 1000000")
    statuses = params.get("statuses") or list(SEED_STATUSES)
    if not set(statuses) <= set(SEEDABLE_STATUSES):
        raise ValueError(f"statuses must be among {list(SEEDABLE_STATUSES)}")
    org = str(params.get("org") or "sandbox-org")
    prefix = str(params.get("name_prefix") or "seed")
    rng = random.Random(params.get("seed", state.seed))
    now = state.clock.now()
    for first in range(0, count, 10_000):  # chunks keep memory flat for very large seeds
        chunk = range(first, min(first + 10_000, count))
        state.store.insert_many(as_doc(_seed_order(rng, now, i, statuses[i % len(statuses)], org, prefix), org)
                                for i in chunk)
    return {"inserted": count, "org": org}


def _seed_order(rng: random.Random, now: datetime, index: int, status: str, org: str, prefix: str) -> dict[str, Any]:
    lon, lat = rng.uniform(-170, 170), rng.uniform(-60, 60)
    created, start, end = _seed_times(rng, now, status)
    half_lat = 2.5 / 110.574
    half_lon = 2.5 / (111.320 * math.cos(math.radians(lat)))
    ring = [[lon - half_lon, lat - half_lat], [lon + half_lon, lat - half_lat], [lon + half_lon, lat + half_lat],
            [lon - half_lon, lat + half_lat], [lon - half_lon, lat - half_lat]]
    spec = OrderSpec(
        name=f"{prefix}-{_SEED_WORDS[index % len(_SEED_WORDS)]}-{index:06d}",
        geometry={"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]},
        original_geometry={"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}, area_sqkm=25.0,
        order_type="IMAGE", sat_elevation_angle_min=60.0, sat_elevation_angle_max=90.0, start_time=start,
        end_time=end, scheduling_type="FLEXIBLE", product=price_book.PLANET_DEFAULT_PRODUCT,
        pl_number=price_book.PLANET_DEFAULT_PL_NUMBER, rrule=None, exclusivity_days=0, imaging_window=None,
        cloud_threshold=None, n_stereo_pov=None, rank=None,
    )
    order_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    order = new_order(spec, org, created, order_id, estimated_quota_cost=25.0)
    order.update(status=status, is_cancellable=status in CANCELLABLE_STATUSES)
    if status == "FULFILLED":
        order.update(fulfilled_sqkm=25.0, capture_status_published_count=1, capture_assessment_success_count=1)
    return order


def _seed_times(rng: random.Random, now: datetime, status: str) -> tuple[datetime, datetime, datetime]:
    days = timedelta(days=1)
    if status == "RECEIVED":
        created = now - timedelta(minutes=rng.uniform(0, 50))
        return created, created + days * rng.uniform(1, 10), created + days * rng.uniform(31, 60)
    if status in ("PENDING", "REQUESTED"):
        start = now + days * rng.uniform(1, 30)
        return now - days * rng.uniform(0.1, 20), start, start + days * 30
    if status == "IN_PROGRESS":
        started = days * rng.uniform(0.1, 5)  # fulfil time (start + 40 %) stays in the future
        return now - started - days, now - started, now + started * 2 + days * rng.uniform(1, 20)
    created = now - days * rng.uniform(62, 120)
    return created, created + days, created + days * 31
