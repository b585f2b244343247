"""Order-item life cycle on the sandbox clock (:func:`step` is the core's stepper).

A placed (non-dry-run) order is paid at once (``status`` PAID, item ``payment_status`` PAID). Items
start DRAFT with one DRAFT task per occurrence; a task is placed 5 days before its occurrence's start
(or at once when that is already past) → SUBMITTED, and the item turns ACTIVE at its first placement
(``last_feasibility_check`` is refreshed at each placement); at the occurrence start → IN_PROGRESS;
at its end → FULFILLED (``number_of_strips`` set, ``delivery_status`` SUCCESSFUL, ``order_item_id``
becomes the delivered scene id, the scene is added to the item's ``images``) or FAILED
(``delivery_status`` NOT_APPLICABLE), decided by a hash of the task id weighted by feasibility. Until
then ``delivery_status`` is PENDING. When every task is done the item is FULFILLED,
PARTIALLY_FULFILLED (some failed) or FAILED (all failed); ``payment_status`` stays PAID. Archive
items get one task per scene (``order_item_id`` = the scene id), IN_PROGRESS at once and FULFILLED
24 h later. A recurring item's task is transacted when it is placed (own ``transaction_id``); other
tasks share the item's. Tokens are whole numbers, split over the tasks so they add up to the item's.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from shapely.geometry import shape

from ..store import Doc
from ..timeutil import UTC, iso, parse_iso
from . import catalog
from .common import (
    ARCHIVE_DELIVERY,
    HIDDEN_AOI,
    ITEM_FINAL,
    KIND_ITEM,
    PLACEMENT_LEAD,
    TASK_TERMINAL,
    geojson,
    hash_of,
    task_date,
)
from .validation import feasibility

# How often a task fails, in percent, by the item's feasibility status.
FAILURE_PERCENT = {"SUCCESS": 10, "WEAK_SUCCESS": 40, "FAILED": 85}
_STAGES = ("DRAFT", "SUBMITTED", "IN_PROGRESS")  # then FULFILLED or FAILED


def _scene_day(scene_id: str) -> str:
    return iso(datetime.strptime(scene_id.split("_")[2], "%Y%m%d").replace(tzinfo=UTC))


def new_tasks(item: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """One task per occurrence (tasking) or per scene (archive), all DRAFT."""
    created, user = iso(now), item["created_by"]
    if item["type"] == "ARCHIVE":
        # The acquisition date is the scene id's third part (TD1_006800_20230528_...).
        sources = [(img["item_id"], _scene_day(img["item_id"]), _scene_day(img["item_id"])) for img in item["images"]]
    else:
        sources = [(item["id"], o["start"], o["end"]) for o in item["occurrences"]]
    tasks = []
    for ref, start, end in sources:
        tasks.append({
            "created_at": created,
            "created_by": user,
            "delivery_status": "PENDING",
            "end_date": task_date(parse_iso(end)),
            "id": str(uuid.uuid4()),
            "number_of_strips": 0,
            "order_item_id": ref,
            "start_date": task_date(parse_iso(start)),
            "status": "DRAFT",
            "tokens_used": 0,
            "transaction_id": "",
            "type": "ARCHIVE" if item["type"] == "ARCHIVE" else "TASKING",
            "updated_at": created,
            "updated_by": user,
        })
    return tasks


def task_schedule(item: dict[str, Any], index: int) -> tuple[datetime, datetime, datetime]:
    """When task ``index`` is placed (→SUBMITTED), starts (→IN_PROGRESS) and ends (→FULFILLED/FAILED)."""
    created = parse_iso(item["created_at"])
    if item["type"] == "ARCHIVE":
        return created, created, created + ARCHIVE_DELIVERY
    occurrence = item["occurrences"][index]
    start, end = parse_iso(occurrence["start"]), parse_iso(occurrence["end"])
    return max(created, start - PLACEMENT_LEAD), start, end


def task_succeeds(task_id: str, feasibility_status: str) -> bool:
    """Whether a task delivers (deterministic, weighted by the item's feasibility)."""
    if feasibility_status == "NOT_APPLICABLE":
        return True  # archive scenes already exist
    return hash_of("task", task_id) % 100 >= FAILURE_PERCENT.get(feasibility_status, 40)


def task_tokens(item_tokens: int, count: int, index: int) -> int:
    """Task ``index``'s whole share of the item's tokens (the first tasks take the remainder)."""
    share, rest = divmod(int(item_tokens), max(count, 1))
    return share + (1 if index < rest else 0)


def _aoi(item: dict[str, Any]) -> Any:
    try:
        return shape(item[HIDDEN_AOI])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _delivered_scene(item: dict[str, Any], task: dict[str, Any], at: datetime) -> str:
    aoi = _aoi(item)
    cell = catalog.cell_of(aoi.centroid.x, aoi.centroid.y) if aoi is not None else 0
    h = hash_of("capture", task["id"])
    acquired = at - timedelta(hours=1 + h % 48)
    return f"FF0{1 + h % 3}_{cell:06d}_{acquired:%Y%m%d}_L2A_{at:%Y%m%d}_{(h >> 8) % 10**8:08d}"


def _advance_task(item: dict[str, Any], index: int, now: datetime) -> datetime | None:
    """Apply task ``index``'s due transitions; return the time of its next one (None when done)."""
    task = item["tasks"][index]
    if task["status"] in TASK_TERMINAL or task["status"] not in _STAGES:
        return None
    times = task_schedule(item, index)
    stage = _STAGES.index(task["status"])
    while stage < 3 and times[stage] <= now:
        at = times[stage]
        stage += 1
        if stage == 1:
            _place(item, task, index, at)
        elif stage == 2:
            task["status"] = "IN_PROGRESS"
        else:
            _finish(item, task, at)
        task["updated_at"] = item["updated_at"] = iso(at)
    return times[stage] if stage < 3 else None


def _place(item: dict[str, Any], task: dict[str, Any], index: int, at: datetime) -> None:
    task["status"] = "SUBMITTED"
    if item["type"] == "RECURRING":
        # Recurring tasking is transacted per task when it is requested (docs, task.transaction_id).
        task["transaction_id"] = str(uuid.uuid5(uuid.UUID(task["id"]), "transaction"))
    else:
        task["transaction_id"] = item["transaction_id"]
    task["tokens_used"] = task_tokens(item["tokens_used"], len(item["tasks"]), index)
    if item["status"] == "DRAFT":
        item["status"] = "ACTIVE"
    if item["type"] != "ARCHIVE":
        aoi = _aoi(item)
        latitude = aoi.centroid.y if aoi is not None else 0.0
        item["feasibility_status"] = feasibility(float(item["area"]), item["cloud_cover"], item["off_nadir"], latitude)
        item["last_feasibility_check"] = iso(at)


def _finish(item: dict[str, Any], task: dict[str, Any], at: datetime) -> None:
    if task_succeeds(task["id"], item["feasibility_status"]):
        task["status"] = "FULFILLED"
        task["delivery_status"] = "SUCCESSFUL"
        task["number_of_strips"] = 1 + hash_of("strips", task["id"]) % 4
        if task["type"] == "TASKING":
            scene = _delivered_scene(item, task, at)
            task["order_item_id"] = scene
            aoi = _aoi(item)
            item["images"].append({"item_id": scene, "geometry": geojson(aoi) if aoi is not None else None})
    else:
        task["status"] = "FAILED"
        task["delivery_status"] = "NOT_APPLICABLE"


def settle_item(item: dict[str, Any]) -> None:
    """Set the item's final status once every task is done."""
    statuses = [t["status"] for t in item["tasks"]]
    if statuses and all(s in TASK_TERMINAL for s in statuses):
        failed = statuses.count("FAILED")
        item["status"] = "FULFILLED" if failed == 0 else "FAILED" if failed == len(statuses) else "PARTIALLY_FULFILLED"


def step(doc: Doc, now: datetime) -> Doc:
    """The core's stepper: apply every transition of an order item due by ``now``."""
    item = doc.body
    if doc.kind != KIND_ITEM or item["status"] in ITEM_FINAL:
        doc.due_at = None
        return doc
    upcoming = [t for i in range(len(item["tasks"])) if (t := _advance_task(item, i, now)) is not None]
    settle_item(item)
    doc.status = item["status"]
    doc.due_at = iso(min(upcoming)) if upcoming else None
    return doc
