"""Planet orders: creation, the life cycle on the sandbox clock, captures, editing and cancelling.

Life cycle (deterministic; each transition is stamped with the sandbox time it was due):

* RECEIVED → 1 sandbox hour after creation → PENDING, or REJECTED when infeasible: footprint over
  3000 km² (the sandbox's tessellation limit) or an elevation range narrower than 5°;
* PENDING / REQUESTED → IN_PROGRESS at ``start_time`` (REQUESTED only arises from seeding); a capture
  is SCHEDULED for the planned acquisition (start + 40 % of the window);
* then the order's outcome, fixed by a hash of its id (:func:`outcome`; half fulfil, a quarter
  expire, a quarter fail):

  - FULFILLED: at the planned acquisition → FINALIZING (the capture is acquired and PROCESSING), then
    6 sandbox hours later → FULFILLED (the capture is PUBLISHED, assessment SUCCESS, fulfilling);
  - EXPIRED: at ``end_time`` → EXPIRED (the capture was published but assessed INVALID);
  - FAILED: at ``end_time`` → FAILED (the capture FAILED: no imagery could be acquired).

* Cancelling (DELETE, or a bulk cancel) is allowed in RECEIVED, PENDING, REQUESTED and IN_PROGRESS.
  It is immediate (CANCELLED), except for an IN_PROGRESS order whose planned acquisition is less than
  24 h away: the capture is already on the satellite's schedule, so the order goes
  PENDING_CANCELLATION and 1 sandbox hour later CANCELLED (the capture is REMOVED).

FULFILLED, FAILED, CANCELLED, REJECTED and EXPIRED are final. Injected faults (``/_sandbox/faults``)
make requests fail, never orders: FAILED comes from the clock as above.

Editing (PUT): only ``name``, ``rank``, ``start_time`` and ``end_time``. Allowed in PENDING, REQUESTED
and IN_PROGRESS (the docs' table lists PENDING and IN_PROGRESS; the Planet notebook adds REQUESTED);
``start_time`` only in PENDING or REQUESTED. Other fields may be sent unchanged (clients often PUT back
what they read) but a different value is a 400, geometry included.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from ..state import SandboxState
from ..store import Doc
from ..timeutil import iso, parse_iso
from ..web import ApiError
from .catalog import (
    CANCEL_NOTICE,
    CANCELLABLE_STATUSES,
    EDITABLE_FIELDS,
    EDITABLE_STATUSES,
    FINALIZING_DELAY,
    FULFIL_FRACTION,
    KIND_CAPTURE,
    KIND_ORDER,
    MAX_FEASIBLE_SQKM,
    MIN_ELEVATION_SPAN_DEG,
    NAME,
    PENDING_CANCELLATION_DELAY,
    RECEIVED_DELAY,
    SATELLITE_TYPE,
    START_EDITABLE_STATUSES,
)
from .errors import FieldErrors, error
from .pricing import KIND_ORDER_PRICING, orders_replaced_by, spec_pricing
from .validation import OrderSpec, time_field


def new_order(spec: OrderSpec, org: str, now: datetime, order_id: str | None = None,
              estimated_quota_cost: float | None = None) -> dict[str, Any]:
    """The order body in the documented response shape, status RECEIVED."""
    return {
        "id": order_id or str(uuid.uuid4()),
        "geometry": spec.geometry,
        "original_geometry": spec.original_geometry,
        "order_type": spec.order_type,
        "sat_elevation_angle_min": spec.sat_elevation_angle_min,
        "sat_elevation_angle_max": spec.sat_elevation_angle_max,
        "start_time": iso(spec.start_time),
        "end_time": iso(spec.end_time),
        "n_stereo_pov": spec.n_stereo_pov,
        "is_cancellable": True,
        "cancellable_until": iso(spec.start_time - CANCEL_NOTICE),
        "requested_sqkm": round(spec.area_sqkm, 3),
        "created_time": iso(now),
        "updated_time": iso(now),
        "name": spec.name,
        "created_by": f"user@{org}.sandbox.invalid",
        "status": "RECEIVED",
        "fulfilled_sqkm": 0.0,
        "capture_status_published_count": 0,
        "capture_assessment_success_count": 0,
        "capture_assessment_invalid_count": 0,
        "scheduling_type": spec.scheduling_type,
        "rrule": spec.rrule,
        "exclusivity_days": spec.exclusivity_days,
        "next_planned_acquisition_time": None,
        "last_acquired_time": None,
        "imaging_window": spec.imaging_window,
        "pl_number": spec.pl_number,
        "product": spec.product,
        "estimated_quota_cost": estimated_quota_cost,
        "rank": spec.rank,
        "cloud_threshold": spec.cloud_threshold,
    }


def create_order(state: SandboxState, org: str, spec: OrderSpec, now: datetime) -> dict[str, Any]:
    """Store a new order (cancelling the orders it replaces, see :mod:`.pricing`); returns its body."""
    with state.store.transaction():
        pricing = spec_pricing(state, org, spec)
        order = new_order(spec, org, now, estimated_quota_cost=pricing["estimated_quota_cost"])
        state.store.insert(as_doc(order, org))
        if pricing["determined_by"] == "replaced_orders":
            for doc in orders_replaced_by(state, org, spec):
                if doc.id == order["id"]:
                    continue
                doc.body.update(status="CANCELLED", is_cancellable=False, next_planned_acquisition_time=None,
                                updated_time=iso(now))
                remove_capture(state, doc.body, now)
                state.store.put(as_doc(doc.body, org))
            state.store.put(Doc(NAME, KIND_ORDER_PRICING, order["id"], pricing, org=org, created_at=iso(now)))
    return order


def outcome(order_id: str) -> str:
    """The sandbox's deterministic outcome of an order: FULFILLED, EXPIRED or FAILED (by its id hash)."""
    last = hashlib.sha256(order_id.encode()).digest()[-1]
    if last % 2 == 0:
        return "FULFILLED"
    return "EXPIRED" if last % 4 == 1 else "FAILED"


def will_fulfil(order_id: str) -> bool:
    """Whether the order will be FULFILLED (else it EXPIREs or FAILs at its end time)."""
    return outcome(order_id) == "FULFILLED"


def acquisition_time(order: dict[str, Any]) -> datetime:
    start, end = parse_iso(order["start_time"]), parse_iso(order["end_time"])
    return start + (end - start) * FULFIL_FRACTION


def next_due(order: dict[str, Any]) -> datetime | None:
    """When the order's next transition happens, or None for final statuses."""
    status = order["status"]
    if status == "RECEIVED":
        return parse_iso(order["created_time"]) + RECEIVED_DELAY
    if status in ("PENDING", "REQUESTED"):
        return parse_iso(order["start_time"])
    if status == "IN_PROGRESS":
        return acquisition_time(order) if will_fulfil(order["id"]) else parse_iso(order["end_time"])
    if status == "FINALIZING":
        return acquisition_time(order) + FINALIZING_DELAY
    if status == "PENDING_CANCELLATION":
        return parse_iso(order["updated_time"]) + PENDING_CANCELLATION_DELAY
    return None


def is_feasible(order: dict[str, Any]) -> bool:
    span = order["sat_elevation_angle_max"] - order["sat_elevation_angle_min"]
    return order["requested_sqkm"] <= MAX_FEASIBLE_SQKM and span >= MIN_ELEVATION_SPAN_DEG


def _transition(state: SandboxState, order: dict[str, Any], at: datetime) -> None:
    """Apply the one transition that is due, stamped with the time it happened."""
    status = order["status"]
    if status == "RECEIVED":
        order["status"] = "PENDING" if is_feasible(order) else "REJECTED"
    elif status in ("PENDING", "REQUESTED"):
        order["status"] = "IN_PROGRESS"
        order["next_planned_acquisition_time"] = iso(acquisition_time(order))
        update_capture(state, order, at, status="SCHEDULED")
    elif status == "IN_PROGRESS" and will_fulfil(order["id"]):
        order.update(status="FINALIZING", last_acquired_time=iso(at))
        update_capture(state, order, at, status="PROCESSING", acquired_time=iso(at), fulfilling=True)
    elif status == "FINALIZING":
        order.update(status="FULFILLED", fulfilled_sqkm=order["requested_sqkm"],
                     capture_status_published_count=1, capture_assessment_success_count=1)
        update_capture(state, order, at, status="PUBLISHED", published_time=iso(at), assessment="SUCCESS",
                       assessment_time=iso(at), fulfilling=True, cloud_cover=0.04,
                       item_ids=[_item_id(order)], item_types=["SkySatCollect"])
    elif status == "IN_PROGRESS" and outcome(order["id"]) == "EXPIRED":
        order.update(status="EXPIRED", capture_status_published_count=1, capture_assessment_invalid_count=1)
        acquired = iso(acquisition_time(order))
        update_capture(state, order, at, status="PUBLISHED", acquired_time=acquired, published_time=iso(at),
                       assessment="INVALID", assessment_time=iso(at), fulfilling=False, cloud_cover=0.62,
                       status_description="Published; cloud cover over the order's threshold.",
                       item_ids=[_item_id(order)], item_types=["SkySatCollect"])
    elif status == "IN_PROGRESS":
        order["status"] = "FAILED"
        update_capture(state, order, at, status="FAILED", fulfilling=False,
                       status_description="Acquisition failed: the satellite could not image the area.")
    elif status == "PENDING_CANCELLATION":
        order["status"] = "CANCELLED"
        remove_capture(state, order, at)
    if order["status"] not in ("PENDING", "REQUESTED", "IN_PROGRESS"):
        order["next_planned_acquisition_time"] = None
    order["is_cancellable"] = order["status"] in CANCELLABLE_STATUSES
    order["updated_time"] = iso(at)


def step_order(state: SandboxState, doc: Doc, now: datetime) -> Doc:
    """Apply every transition of an order due by ``now``."""
    order = doc.body
    due = next_due(order)
    while due is not None and due <= now:
        # A transition cannot happen before the previous one (e.g. start_time before acceptance).
        _transition(state, order, max(due, parse_iso(order["updated_time"])))
        due = next_due(order)
    return as_doc(order, doc.org)


def as_doc(order: dict[str, Any], org: str) -> Doc:
    due = next_due(order)
    return Doc(NAME, KIND_ORDER, order["id"], order, org=org, created_at=order["created_time"],
               status=order["status"], due_at=iso(due) if due else None)


def load_order(state: SandboxState, order_id: str, org: str) -> Doc:
    doc = state.store.get(NAME, KIND_ORDER, order_id, org=org)
    if doc is None:
        raise error(404, "Not found.")
    return doc


# -- captures ----------------------------------------------------------------------------------


def capture_id(order_id: str) -> str:
    """One capture per order in this sandbox, with an id derived from the order's."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "planet-capture:" + order_id))


def _item_id(order: dict[str, Any]) -> str:
    acquired = parse_iso(order.get("last_acquired_time") or order["updated_time"])
    return acquired.strftime("%Y%m%d_%H%M%S_ssc1_u0001")


def update_capture(state: SandboxState, order: dict[str, Any], at: datetime, **fields: Any) -> None:
    """Create or update the order's capture (shape: the reference's capture object [3P go-sar-vendor])."""
    order_doc = state.store.get(NAME, KIND_ORDER, order["id"])
    existing = state.store.get(NAME, KIND_CAPTURE, capture_id(order["id"]))
    capture = existing.body if existing else {
        "id": capture_id(order["id"]),
        "order_id": order["id"],
        "order_name": order["name"],
        "pl_number": order["pl_number"],
        "product": order["product"],
        "satellite_type": SATELLITE_TYPE,
        "status": "SCHEDULED",
        "status_description": None,
        "fulfilling": False,
        "area_of_interest": order["geometry"],
        "captured_area": None,
        "cloud_cover": None,
        "item_ids": [],
        "item_types": [],
        "strip_id": None,
        "assessment": None,
        "assessment_time": None,
        "created_time": iso(at),
        "updated_time": iso(at),
        "planned_acquisition_time": iso(acquisition_time(order)),
        "acquired_time": None,
        "published_time": None,
    }
    capture.update(fields, updated_time=iso(at))
    if capture.get("acquired_time") and capture["captured_area"] is None and capture["status"] != "FAILED":
        capture["captured_area"] = order["geometry"]
        capture["strip_id"] = parse_iso(capture["acquired_time"]).strftime("s1_%Y%m%d_%H%M%S")
    state.store.put(Doc(NAME, KIND_CAPTURE, capture["id"], capture, org=order_doc.org if order_doc else "",
                        created_at=capture["created_time"], status=capture["status"]))


def remove_capture(state: SandboxState, order: dict[str, Any], at: datetime) -> None:
    if state.store.get(NAME, KIND_CAPTURE, capture_id(order["id"])) is not None:
        update_capture(state, order, at, status="REMOVED", status_description="The order was cancelled.")


# -- editing and cancelling ------------------------------------------------------------------------


def apply_edit(order: dict[str, Any], payload: Any, now: datetime) -> dict[str, Any]:
    """Validate and apply a PUT body to ``order``; returns the documented response body."""
    status = order["status"]
    if status not in EDITABLE_STATUSES:
        raise error(400, f"Order in status {status} cannot be edited; editing is allowed in "
                         f"{', '.join(EDITABLE_STATUSES)}.")
    if not isinstance(payload, dict):
        raise FieldErrors({"non_field_errors": ["Invalid data. Expected a dictionary."]}).api_error()
    errors: dict[str, list[str]] = {}
    _refuse_immutable_changes(order, payload, errors)
    changes: dict[str, Any] = {}
    if "name" in payload:
        if not isinstance(payload["name"], str) or not payload["name"].strip() or len(payload["name"]) > 255:
            errors["name"] = ["Ensure this field is a non-empty string with no more than 255 characters."]
        changes["name"] = payload["name"]
    if "rank" in payload:
        if payload["rank"] is not None and (isinstance(payload["rank"], bool) or not isinstance(payload["rank"], int)):
            errors["rank"] = ["A valid integer is required."]
        changes["rank"] = payload["rank"]
    start = time_field(payload, "start_time", parse_iso(order["start_time"]), errors)
    end = time_field(payload, "end_time", parse_iso(order["end_time"]), errors)
    if "start_time" in payload and start != parse_iso(order["start_time"]) and status not in START_EDITABLE_STATUSES:
        errors["start_time"] = [f"start_time can only be edited in {' or '.join(START_EDITABLE_STATUSES)} status, "
                                f"not {status}."]
    if end <= start:
        errors.setdefault("end_time", []).append("end_time must be after start_time.")
    elif "end_time" in payload and end <= now:
        errors.setdefault("end_time", []).append("end_time must be in the future.")
    if errors:
        raise FieldErrors(errors).api_error()
    order.update(changes, start_time=iso(start), end_time=iso(end), updated_time=iso(now),
                 cancellable_until=iso(start - CANCEL_NOTICE))
    if order["status"] == "IN_PROGRESS":
        order["next_planned_acquisition_time"] = iso(acquisition_time(order))
    response = {key: order[key] for key in ("name", "rank") if key in payload}
    return {**response, "start_time": order["start_time"], "end_time": order["end_time"]}


def _refuse_immutable_changes(order: dict[str, Any], payload: dict[str, Any], errors: dict[str, list[str]]) -> None:
    for key, value in payload.items():
        if key in EDITABLE_FIELDS or key not in order:
            continue  # unknown keys are ignored, as DRF serializers do
        unchanged = value == order[key] or (key == "geometry" and value == order["original_geometry"])
        if not unchanged:
            message = "Geometry cannot be changed after the order is created." if key == "geometry" else (
                f"This field cannot be edited; editable fields are {', '.join(EDITABLE_FIELDS)}.")
            errors[key] = [message]


def cancel(state: SandboxState, order: dict[str, Any], now: datetime) -> None:
    """Cancel ``order`` in place (CANCELLED, or PENDING_CANCELLATION when its capture is < 24 h away)."""
    status = order["status"]
    if status not in CANCELLABLE_STATUSES:
        raise error(400, f"Order in status {status} cannot be cancelled; cancelling is allowed in "
                         f"{', '.join(CANCELLABLE_STATUSES)}.")
    committed = status == "IN_PROGRESS" and timedelta(0) <= acquisition_time(order) - now < CANCEL_NOTICE
    order.update(status="PENDING_CANCELLATION" if committed else "CANCELLED", is_cancellable=False,
                 next_planned_acquisition_time=None, updated_time=iso(now))
    if not committed:
        remove_capture(state, order, now)


def refusal_reason(exc: ApiError) -> str:
    """A one-line reason from a Planet error body (for bulk payload outcomes)."""
    body = exc.body
    if isinstance(body, dict) and set(body) == {"detail"}:
        return str(body["detail"])
    if isinstance(body, dict):
        return "; ".join(f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in body.items())
    return str(body)
