"""Planet's bulk endpoint: create, edit or cancel up to 1,000 orders in one asynchronous call.

Wire shapes (developers.planet.com/docs/tasking/examples/bulk, api-notes §2; [I] marks what this
sandbox inferred where the guide is silent):

* ``POST /bulk/`` with ``{"id"?: <client UUID>, "order_payloads": [...]}`` (create: each payload as
  for ``POST /orders/``), ``{"id"?, "edit_payloads": [{"id": <order id>, "name"?, "rank"?,
  "start_time"?, "end_time"?}]}`` [I: edit payloads are PUT bodies plus the order id] or
  ``{"id"?, "cancel_payloads": [{"id": <order id>}]}`` [I: the order ids to DELETE; a bare id
  string is accepted too]. Exactly one list, 1–1000 payloads, and the 1 MB body limit of every POST.
  → **202 with no body** and ``Location: /tasking/v2/bulk/{id}`` (a path). Without ``id`` the
  sandbox picks a UUID.
* A client id seen before → **409** ``{"detail": "A bulk with id … already exists."}`` and nothing is
  created again; when the bulk is the caller's own the 409 also carries its ``Location``, so a client
  that resent after a lost answer goes on polling. [I: 409 rather than replaying the 202; the real
  API keys bulks by id, and a conflict says plainly that the first request was received.]
* ``GET /bulk/{id}`` → ``{id, status: PENDING|RUNNING|COMPLETE, operation_type: CREATE|EDIT|CANCEL
  [I], created_time, updated_time, completed_time [I], payload_count, processing_payload_count,
  successful_payload_count, failed_payload_count}``; an unknown id (or another organisation's) →
  404 ``{"detail": "Not found."}``: that is how a client learns a lost POST never arrived.
* ``GET /bulk/{id}/payloads`` → DRF page ``{count, next, previous, results: [{index, status:
  PENDING|PROCESSING|SUCCESS|FAILED, order_id, errors, message}]}`` in payload order [I: item keys].
  ``order_id`` is the created (or edited/cancelled) order; a failed payload has ``errors`` in the
  shape the single call would have answered (``{"geometry": ["…"]}`` or ``{"detail": "…"}``) and
  ``message``, one line naming the reason. An invalid payload fails alone.

Processing: with no latency configured for Planet (``/_sandbox/faults`` ``latency_ms``) a bulk is
processed before the 202 is sent, so the first GET says COMPLETE. With a latency of L ms it stays
PENDING for 2L ms, then RUNNING for 2L ms, then is processed (on the sandbox clock, applied by the
due-transition layer before any Planet request), so a client sees every status.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request

from ..keys import KeyGrant
from ..state import SandboxState
from ..store import Doc
from ..timeutil import iso, parse_iso
from ..web import ApiError
from .catalog import BASE, BULK_MAX_PAYLOADS, KIND_BULK, NAME
from .errors import FieldErrors, NotPermitted, error
from .lifecycle import apply_edit, as_doc, cancel, create_order, load_order, refusal_reason
from .listing import envelope, limit_offset
from .validation import validate_order

OPERATIONS = {"order_payloads": "CREATE", "edit_payloads": "EDIT", "cancel_payloads": "CANCEL"}


def location(bulk_id: str) -> str:
    return f"{BASE}/bulk/{bulk_id}"


def processing_delay(state: SandboxState) -> float:
    """Seconds a bulk stays PENDING (and then RUNNING): twice Planet's configured fault latency, so a
    client whose every call takes that latency still sees each status."""
    configs = state.faults.snapshot()["config"]
    config = configs.get(NAME) or configs.get("*") or {}
    return 2 * float(config.get("latency_ms", 0)) / 1000


def submit(state: SandboxState, org: str, grant: KeyGrant, payload: Any, now: datetime) -> str:
    """Validate and store a bulk request; process it now or schedule it. Returns its id."""
    if not isinstance(payload, dict):
        raise FieldErrors({"non_field_errors": ["Invalid data. Expected a dictionary."]}).api_error()
    lists = [key for key in OPERATIONS if key in payload]
    if len(lists) != 1:
        raise FieldErrors({"non_field_errors": [
            f"Send exactly one of {', '.join(OPERATIONS)}."]}).api_error()
    key = lists[0]
    payloads = payload[key]
    if not isinstance(payloads, list) or not 1 <= len(payloads) <= BULK_MAX_PAYLOADS:
        raise FieldErrors({key: [f"Expected a list of 1 to {BULK_MAX_PAYLOADS} payloads."]}).api_error()
    bulk_id = payload.get("id")
    if bulk_id is None:
        bulk_id = str(uuid.uuid4())
    else:
        try:
            bulk_id = str(uuid.UUID(str(bulk_id)))
        except ValueError:
            raise FieldErrors({"id": ["Must be a valid UUID."]}).api_error() from None
    delay = processing_delay(state)
    bulk = {
        "id": bulk_id, "status": "PENDING", "operation_type": OPERATIONS[key],
        "created_time": iso(now), "updated_time": iso(now), "completed_time": None,
        "payload_count": len(payloads), "processing_payload_count": len(payloads),
        "successful_payload_count": 0, "failed_payload_count": 0,
        "_payloads": payloads, "_results": [], "_lacks": sorted(grant.lacks), "_delay_s": delay,
    }
    with state.store.transaction():
        existing = state.store.get(NAME, KIND_BULK, bulk_id)
        if existing is not None:
            headers = {"Location": location(bulk_id)} if existing.org == org else {}
            raise ApiError(409, {"detail": f"A bulk with id {bulk_id} already exists."}, headers=headers)
        try:
            if delay <= 0:
                _process(state, bulk, org, now)
            state.store.insert(_as_doc(bulk, org))
        except sqlite3.IntegrityError:
            raise ApiError(409, {"detail": f"A bulk with id {bulk_id} already exists."}) from None
    return bulk_id


def _next_due(bulk: dict[str, Any]) -> datetime | None:
    delay = timedelta(seconds=bulk["_delay_s"])
    if bulk["status"] == "PENDING":
        return parse_iso(bulk["created_time"]) + delay
    if bulk["status"] == "RUNNING":
        return parse_iso(bulk["updated_time"]) + delay
    return None


def _as_doc(bulk: dict[str, Any], org: str) -> Doc:
    due = _next_due(bulk)
    return Doc(NAME, KIND_BULK, bulk["id"], bulk, org=org, created_at=bulk["created_time"], status=bulk["status"],
               due_at=iso(due) if due else None)


def step(state: SandboxState, doc: Doc, now: datetime) -> Doc:
    """The clock's stepper for bulks: PENDING → RUNNING → processed, COMPLETE."""
    bulk = doc.body
    due = _next_due(bulk)
    while due is not None and due <= now:
        at = max(due, parse_iso(bulk["updated_time"]))
        if bulk["status"] == "PENDING":
            bulk.update(status="RUNNING", updated_time=iso(at))
        else:
            _process(state, bulk, doc.org, at)
        due = _next_due(bulk)
    return _as_doc(bulk, doc.org)


def _process(state: SandboxState, bulk: dict[str, Any], org: str, now: datetime) -> None:
    """Run every payload (each fails alone) and mark the bulk COMPLETE."""
    grant = KeyGrant(org, frozenset(bulk["_lacks"]))
    handler = {"CREATE": _create, "EDIT": _edit, "CANCEL": _cancel}[bulk["operation_type"]]
    results = []
    for index, payload in enumerate(bulk["_payloads"]):
        try:
            order_id = handler(state, org, grant, payload, now)
        except _PayloadFailed as exc:
            results.append({"index": index, "status": "FAILED", "order_id": exc.order_id,
                            "errors": exc.errors, "message": exc.message})
            continue
        results.append({"index": index, "status": "SUCCESS", "order_id": order_id, "errors": None, "message": None})
    failed = sum(1 for r in results if r["status"] == "FAILED")
    bulk.update(status="COMPLETE", updated_time=iso(now), completed_time=iso(now), processing_payload_count=0,
                successful_payload_count=len(results) - failed, failed_payload_count=failed, _results=results)


class _PayloadFailed(Exception):
    def __init__(self, errors: Any, message: str, order_id: str | None = None) -> None:
        super().__init__(message)
        self.errors, self.message, self.order_id = errors, message, order_id


def _create(state: SandboxState, org: str, grant: KeyGrant, payload: Any, now: datetime) -> str:
    try:
        spec = validate_order(payload, state, now, grant)
    except FieldErrors as exc:
        raise _PayloadFailed(exc.errors, exc.summary()) from None
    except NotPermitted as exc:
        raise _PayloadFailed({"detail": exc.message}, exc.message) from None
    return create_order(state, org, spec, now)["id"]


def _target(payload: Any) -> str:
    order_id = payload if isinstance(payload, str) else payload.get("id") if isinstance(payload, dict) else None
    if not isinstance(order_id, str) or not order_id:
        raise _PayloadFailed({"id": ["This field is required."]}, "id: This field is required.")
    return order_id


def _edit(state: SandboxState, org: str, grant: KeyGrant, payload: Any, now: datetime) -> str:
    order_id = _target(payload)
    changes = {k: v for k, v in payload.items() if k != "id"} if isinstance(payload, dict) else {}
    try:
        with state.store.transaction():
            doc = load_order(state, order_id, org)
            apply_edit(doc.body, changes, now)
            state.store.put(as_doc(doc.body, org))
    except ApiError as exc:
        raise _PayloadFailed(exc.body, refusal_reason(exc), order_id) from None
    return order_id


def _cancel(state: SandboxState, org: str, grant: KeyGrant, payload: Any, now: datetime) -> str:
    order_id = _target(payload)
    try:
        with state.store.transaction():
            doc = load_order(state, order_id, org)
            cancel(state, doc.body, now)
            state.store.put(as_doc(doc.body, org))
    except ApiError as exc:
        raise _PayloadFailed(exc.body, refusal_reason(exc), order_id) from None
    return order_id


def _load(state: SandboxState, bulk_id: str, org: str) -> dict[str, Any]:
    doc = state.store.get(NAME, KIND_BULK, bulk_id, org=org)
    if doc is None:
        raise error(404, "Not found.")
    return doc.body


def status(state: SandboxState, bulk_id: str, org: str) -> dict[str, Any]:
    return {k: v for k, v in _load(state, bulk_id, org).items() if not k.startswith("_")}


def payloads_page(request: Request, state: SandboxState, bulk_id: str, org: str) -> dict[str, Any]:
    bulk = _load(state, bulk_id, org)
    if bulk["status"] == "COMPLETE":
        rows = bulk["_results"]
    else:
        pending = "PENDING" if bulk["status"] == "PENDING" else "PROCESSING"
        rows = [{"index": i, "status": pending, "order_id": None, "errors": None, "message": None}
                for i in range(bulk["payload_count"])]
    limit, offset = limit_offset(request.query_params)
    return envelope(request, len(rows), limit, offset, rows[offset:offset + limit])
