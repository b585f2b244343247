"""Planet Tasking API v2 emulation at ``/tasking/v2`` (source: shared/api-docs/planet-tasking-v2-orders.txt,
shared/api-notes.md §2).

Auth: ``Authorization: api-key <KEY>`` or HTTP Basic with the key as username and an empty password.
Bad or missing credentials → 401 ``{"detail": ...}`` (Planet's API is DRF-based).

Errors (api-notes: shape undocumented; this sandbox's choice, DRF-style):

* field validation → 400 ``{"<field>": ["message", ...]}``;
* everything else → ``{"detail": "message"}`` with 400 (refused edit/cancel), 401, 404 (``Not found.``),
  413 (POST body over 1 MB), 5xx (injected faults).

Endpoints (ids accepted with and without a trailing slash, as the docs show both):

* ``POST /orders/`` → 201, the order. Point → 5×5 km square, LineString → 5 km strip (6–100 km),
  Polygon kept; ``original_geometry`` is the geometry as sent. Defaults: elevation 60–90°,
  start now, end start+30 days, ``scheduling_type`` FLEXIBLE (ASSURED with an ``imaging_window``),
  ``pl_number``/``product`` from the key's defaults. Extra fields beyond the doc example:
  ``pl_number``, ``product``, ``estimated_quota_cost``, ``rank``, ``cloud_threshold``.
* ``GET /orders/``: filters ANDed (``name``, ``name__icontains``, ``status``, ``status__in``,
  ``pl_number``, ``product``, ``scheduling_type``, ``order_type``, ``created_time__gt/gte/lt/lte``,
  ``updated_time__*``, ``start_time__*``, ``end_time__*``), ``ordering`` (comma list, ``-`` for
  descending; default ``-created_time``; unknown fields ignored as DRF does), ``limit`` (default 50,
  at most 1000) and ``offset``; envelope ``{count, next, previous, results}`` with absolute URLs.
* ``GET /orders/{id}/``; ``PUT /orders/{id}/`` (edit); ``DELETE /orders/{id}/`` → 204 (cancel).
* ``GET /orders/{id}/pricing/``; ``POST /pricing/`` with one payload or a list (≤100 payloads, a
  sandbox choice; the real limit is the 1 MB body) with per-payload failures.
* ``POST /imaging-windows/search/`` → 201 + ``Location``; ``GET /imaging-windows/search/{id}/``.

Editing (PUT): only ``name``, ``rank``, ``start_time`` and ``end_time``. Allowed in PENDING, REQUESTED
and IN_PROGRESS (the docs' table lists PENDING and IN_PROGRESS; the Planet notebook adds REQUESTED);
``start_time`` only in PENDING or REQUESTED. RECEIVED is refused: neither source lists it. Other fields
may be sent unchanged (clients often PUT back what they read) but a different value is a 400,
geometry included. The response follows the docs' example: ``start_time`` and ``end_time`` (the fields
the table says are editable) plus ``name``/``rank`` when they were sent.

Cancelling (DELETE): allowed in RECEIVED, PENDING, REQUESTED and IN_PROGRESS → CANCELLED, 204.
Refused edits and cancels answer 400 ``{"detail": ...}`` naming the status.

Life cycle on the sandbox clock (deterministic):

* RECEIVED → 1 sandbox hour after creation → PENDING, or REJECTED when infeasible: footprint over
  3000 km² (the sandbox's tessellation limit) or an elevation range narrower than 5°;
* PENDING / REQUESTED → IN_PROGRESS at ``start_time`` (REQUESTED only arises from seeding);
* IN_PROGRESS → FULFILLED at start + 40 % of the window when the order's id hash is even
  (:func:`will_fulfil`), otherwise → EXPIRED at ``end_time``;
* CANCELLED only via DELETE. FULFILLED, CANCELLED, REJECTED and EXPIRED are final.

Pricing (price_book): estimated_quota_cost = max(area, 25 km²) × multipliers (imaging_mode by
order_type; tasking_tier by scheduling_type/product; high elevation ≥75° ×1.1; cloud ≤10 % ×1.15;
monitoring occurrences).
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from shapely.geometry import LineString, Point

from . import price_book
from .geometry import GeometryError, area_km2, length_km, line_strip, parse_geometry, point_square
from .keys import org_for_key
from .registry import ProviderSpec
from .state import SandboxState
from .store import Doc
from .timeutil import iso, parse_iso
from .web import ApiError, BodyError, bearer_or_raw, page_url, read_json

NAME = "planet"
BASE = "/tasking/v2"
KIND_ORDER = "order"
KIND_SEARCH = "imaging_window_search"
KIND_WINDOW = "imaging_window"

MAX_BODY_BYTES = 1_000_000
POINT_SIDE_KM = 5.0
STRIP_WIDTH_KM = 5.0
DEFAULT_LIMIT, MAX_LIMIT = 50, 1000
BULK_PRICING_MAX = 100
MAX_FEASIBLE_SQKM = 3000.0
MIN_ELEVATION_SPAN_DEG = 5.0
RECEIVED_DELAY = timedelta(hours=1)
FULFIL_FRACTION = 0.4
CANCEL_NOTICE = timedelta(hours=24)
IMAGING_WINDOW_HORIZON = timedelta(days=7)

STATUSES = ("RECEIVED", "PENDING", "REQUESTED", "IN_PROGRESS", "FULFILLED", "CANCELLED", "REJECTED", "EXPIRED")
EDITABLE_STATUSES = ("PENDING", "REQUESTED", "IN_PROGRESS")
START_EDITABLE_STATUSES = ("PENDING", "REQUESTED")
CANCELLABLE_STATUSES = ("RECEIVED", "PENDING", "REQUESTED", "IN_PROGRESS")
EDITABLE_FIELDS = ("name", "rank", "start_time", "end_time")
SCHEDULING_TYPES = ("FLEXIBLE", "LOCK_IN", "MONITORING", "EXPRESS", "ASSURED", "ARCHIVE")
ORDER_TYPES = ("IMAGE", "STEREO", "VIDEO")
ORDERING_FIELDS = {
    "created_time": "created_at",
    "updated_time": "updated_time",
    "name": "name",
    "start_time": "start_time",
    "end_time": "end_time",
    "status": "status",
}
_PL_NUMBER = re.compile(r"^PL-[A-Za-z0-9_-]+$")
_RRULE_COUNT = re.compile(r"(?:^|;)COUNT=(\d+)")
_RRULE_FREQ = re.compile(r"(?:^|;)FREQ=([A-Z]+)")
_RRULE_INTERVAL = re.compile(r"(?:^|;)INTERVAL=(\d+)")
_FREQ_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 30, "YEARLY": 365}


# ---------------------------------------------------------------------------------------------
# errors and auth
# ---------------------------------------------------------------------------------------------


def error(status: int, message: str) -> ApiError:
    return ApiError(status, {"detail": message})


class FieldErrors(Exception):
    """DRF-style validation errors: ``{"field": ["message"]}``."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors

    def api_error(self) -> ApiError:
        return ApiError(400, self.errors)


def authenticate(request: Request) -> str:
    """The organisation of the request's key; 401 in Planet's shape otherwise."""
    header = request.headers.get("authorization")
    if not header:
        raise ApiError(401, {"detail": "Authentication credentials were not provided."},
                       headers={"WWW-Authenticate": 'api-key realm="api"'})
    key = bearer_or_raw(header, "api-key") or _basic_username(header)
    org = org_for_key(NAME, key)
    if org is None:
        raise ApiError(401, {"detail": "Invalid API key."}, headers={"WWW-Authenticate": 'api-key realm="api"'})
    return org


def _basic_username(header: str) -> str | None:
    encoded = bearer_or_raw(header, "basic")
    if not encoded:
        return None
    try:
        username, _, _password = base64.b64decode(encoded).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return username


async def _json_body(request: Request) -> Any:
    try:
        return await read_json(request, max_bytes=MAX_BODY_BYTES)
    except BodyError as exc:
        raise error(exc.status, str(exc)) from None


# ---------------------------------------------------------------------------------------------
# payload validation
# ---------------------------------------------------------------------------------------------


@dataclass
class OrderSpec:
    """A validated order-like payload (creation or pricing)."""

    name: str | None
    geometry: dict[str, Any]
    original_geometry: dict[str, Any]
    area_sqkm: float
    order_type: str
    sat_elevation_angle_min: float
    sat_elevation_angle_max: float
    start_time: datetime
    end_time: datetime
    scheduling_type: str
    product: str
    pl_number: str
    rrule: str | None
    exclusivity_days: int
    imaging_window: str | None
    cloud_threshold: float | None
    n_stereo_pov: int | None
    rank: int | None

    @property
    def occurrences(self) -> int:
        return rrule_occurrences(self.rrule, self.start_time, self.end_time)

    def pricing(self) -> dict[str, Any]:
        return pricing_for(
            self.area_sqkm, self.order_type, self.scheduling_type, self.product,
            self.sat_elevation_angle_min, self.cloud_threshold, self.occurrences,
        )


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


def footprint(geojson: Any) -> tuple[dict[str, Any], float]:
    """Planet's stored geometry for what the user sent, and its area in km²."""
    geom = parse_geometry(geojson, ("Point", "LineString", "Polygon"))
    # Point and strip areas are exact by construction (side², width × length): measuring the
    # rounded output coordinates would report e.g. 25.0005 instead of the documented 25.0.
    if isinstance(geom, Point):
        return point_square(geom.x, geom.y), POINT_SIDE_KM**2
    if isinstance(geom, LineString):
        return line_strip(geom, STRIP_WIDTH_KM), STRIP_WIDTH_KM * length_km(geom)
    return {"type": "Polygon", "coordinates": geojson["coordinates"]}, area_km2(geom)


def _number(payload: dict[str, Any], key: str, default: float | None, low: float, high: float,
            errors: dict[str, list[str]]) -> float | None:
    value = payload.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        errors[key] = ["A valid number is required."]
        return default
    if not low <= value <= high:
        errors[key] = [f"Ensure this value is between {low:g} and {high:g}."]
        return default
    return float(value)


def _time(payload: dict[str, Any], key: str, default: datetime, errors: dict[str, list[str]]) -> datetime:
    value = payload.get(key)
    if value is None:
        return default
    try:
        return parse_iso(value)
    except (TypeError, ValueError):
        errors[key] = ["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]]Z."]
        return default


def _choice(payload: dict[str, Any], key: str, default: str, choices: tuple[str, ...],
            errors: dict[str, list[str]]) -> str:
    value = payload.get(key) or default
    if value not in choices:
        errors[key] = [f'"{value}" is not a valid choice. Choose one of {", ".join(choices)}.']
        return default
    return value


def validate_order(payload: Any, state: SandboxState, now: datetime, *, for_pricing: bool = False) -> OrderSpec:
    """Validate an order(-like) payload; raises FieldErrors naming every bad field."""
    if not isinstance(payload, dict):
        raise FieldErrors({"non_field_errors": ["Invalid data. Expected a dictionary."]})
    errors: dict[str, list[str]] = {}
    name = payload.get("name")
    if not for_pricing and (not isinstance(name, str) or not name.strip()):
        errors["name"] = ["This field is required."]
    elif name is not None and (not isinstance(name, str) or len(name) > 255):
        errors["name"] = ["Ensure this field is a string with no more than 255 characters."]

    geometry, area = {}, 0.0
    if "geometry" not in payload:
        errors["geometry"] = ["This field is required."]
    else:
        try:
            geometry, area = footprint(payload["geometry"])
        except GeometryError as exc:
            errors["geometry"] = [str(exc)]

    elevation_min = _number(payload, "sat_elevation_angle_min", 60.0, 0, 90, errors)
    elevation_max = _number(payload, "sat_elevation_angle_max", 90.0, 0, 90, errors)
    if elevation_min is not None and elevation_max is not None and elevation_min > elevation_max:
        errors["sat_elevation_angle_min"] = ["sat_elevation_angle_min must not exceed sat_elevation_angle_max."]
    cloud_threshold = _number(payload, "cloud_threshold", None, 0, 100, errors)

    product = payload.get("product") or price_book.PLANET_DEFAULT_PRODUCT
    if product not in price_book.PLANET_PRODUCTS:
        errors["product"] = [f'Product "{product}" is not available for this contract. '
                             f'Available: {", ".join(price_book.PLANET_PRODUCTS)}.']
    pl_number = payload.get("pl_number") or price_book.PLANET_DEFAULT_PL_NUMBER
    if not isinstance(pl_number, str) or not _PL_NUMBER.match(pl_number):
        errors["pl_number"] = ['Expected a PL-number like "PL-1163400".']

    order_type = _choice(payload, "order_type", "IMAGE", ORDER_TYPES, errors)
    window_id = payload.get("imaging_window")
    default_scheduling = "ASSURED" if window_id else "FLEXIBLE"
    scheduling_type = _choice(payload, "scheduling_type", default_scheduling, SCHEDULING_TYPES, errors)

    start_time = _time(payload, "start_time", now, errors)
    end_time = _time(payload, "end_time", start_time + timedelta(days=30), errors)
    if window_id is not None:
        start_time, end_time = _window_times(state, window_id, errors, start_time, end_time)
    elif product == "Assured Tasking" and not for_pricing:
        errors["imaging_window"] = ["This field is required for Assured Tasking orders."]
    if end_time <= start_time:
        errors["end_time"] = ["end_time must be after start_time."]
    elif end_time <= now and not for_pricing:
        errors["end_time"] = ["end_time must be in the future."]

    rrule = payload.get("rrule")
    _check_rrule(rrule, scheduling_type, start_time, end_time, errors)
    exclusivity_days = payload.get("exclusivity_days", 0)
    if isinstance(exclusivity_days, bool) or not isinstance(exclusivity_days, int) or exclusivity_days < 0:
        errors["exclusivity_days"] = ["A valid non-negative integer is required."]
    rank = payload.get("rank")
    if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int)):
        errors["rank"] = ["A valid integer is required."]
    if errors:
        raise FieldErrors(errors)
    return OrderSpec(
        name=name, geometry=geometry, original_geometry=payload["geometry"], area_sqkm=area,
        order_type=order_type, sat_elevation_angle_min=elevation_min, sat_elevation_angle_max=elevation_max,
        start_time=start_time, end_time=end_time, scheduling_type=scheduling_type, product=product,
        pl_number=pl_number, rrule=rrule, exclusivity_days=exclusivity_days, imaging_window=window_id,
        cloud_threshold=cloud_threshold, n_stereo_pov=2 if order_type == "STEREO" else None, rank=rank,
    )


def _window_times(state: SandboxState, window_id: Any, errors: dict[str, list[str]],
                  start: datetime, end: datetime) -> tuple[datetime, datetime]:
    doc = state.store.get(NAME, KIND_WINDOW, str(window_id))
    if doc is None:
        errors["imaging_window"] = [f'Imaging window "{window_id}" does not exist. Search for imaging windows first.']
        return start, end
    return parse_iso(doc.body["start_time"]), parse_iso(doc.body["end_time"])


def _check_rrule(rrule: Any, scheduling_type: str, start: datetime, end: datetime,
                 errors: dict[str, list[str]]) -> None:
    if rrule is None:
        if scheduling_type == "MONITORING":
            errors["rrule"] = ["This field is required for MONITORING orders."]
        return
    if not isinstance(rrule, str) or not _RRULE_FREQ.search(rrule):
        errors["rrule"] = ['Expected an RFC 5545 RRULE such as "FREQ=WEEKLY;COUNT=4".']
    elif _RRULE_FREQ.search(rrule).group(1) not in _FREQ_DAYS:
        errors["rrule"] = ["Monitoring cadence must be at least one day (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)."]
    elif rrule_occurrences(rrule, start, end) > 365:
        errors["rrule"] = ["A monitoring order may have at most 365 instances."]


def rrule_occurrences(rrule: str | None, start: datetime, end: datetime) -> int:
    """Instances of a monitoring rrule: COUNT when given, else the window divided by the cadence."""
    if not rrule:
        return 1
    count = _RRULE_COUNT.search(rrule)
    if count:
        return max(int(count.group(1)), 1)
    freq = _RRULE_FREQ.search(rrule)
    interval = _RRULE_INTERVAL.search(rrule)
    step_days = _FREQ_DAYS.get(freq.group(1) if freq else "", 1) * (int(interval.group(1)) if interval else 1)
    return max(1, math.floor((end - start).total_seconds() / 86400 / step_days) + 1)


# ---------------------------------------------------------------------------------------------
# orders and their life cycle
# ---------------------------------------------------------------------------------------------


def new_order(spec: OrderSpec, org: str, now: datetime, order_id: str | None = None) -> dict[str, Any]:
    """The order body in the documented response shape, status RECEIVED."""
    order = {
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
        "estimated_quota_cost": spec.pricing()["estimated_quota_cost"],
        "rank": spec.rank,
        "cloud_threshold": spec.cloud_threshold,
    }
    return order


def will_fulfil(order_id: str) -> bool:
    """The sandbox's deterministic outcome: orders whose id hash is even get FULFILLED, others EXPIRE."""
    return hashlib.sha256(order_id.encode()).digest()[-1] % 2 == 0


def _fulfil_time(order: dict[str, Any]) -> datetime:
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
        return _fulfil_time(order) if will_fulfil(order["id"]) else parse_iso(order["end_time"])
    return None


def is_feasible(order: dict[str, Any]) -> bool:
    span = order["sat_elevation_angle_max"] - order["sat_elevation_angle_min"]
    return order["requested_sqkm"] <= MAX_FEASIBLE_SQKM and span >= MIN_ELEVATION_SPAN_DEG


def _transition(order: dict[str, Any], at: datetime) -> None:
    """Apply the one transition that is due, stamped with the time it happened."""
    status = order["status"]
    if status == "RECEIVED":
        order["status"] = "PENDING" if is_feasible(order) else "REJECTED"
    elif status in ("PENDING", "REQUESTED"):
        order["status"] = "IN_PROGRESS"
        order["next_planned_acquisition_time"] = iso(_fulfil_time(order))
    elif status == "IN_PROGRESS" and will_fulfil(order["id"]):
        order.update(status="FULFILLED", fulfilled_sqkm=order["requested_sqkm"], last_acquired_time=iso(at),
                     capture_status_published_count=1, capture_assessment_success_count=1)
    elif status == "IN_PROGRESS":
        order.update(status="EXPIRED", capture_status_published_count=1, capture_assessment_invalid_count=1)
    if order["status"] not in ("PENDING", "REQUESTED", "IN_PROGRESS"):
        order["next_planned_acquisition_time"] = None
    order["is_cancellable"] = order["status"] in CANCELLABLE_STATUSES
    order["updated_time"] = iso(at)


def step(doc: Doc, now: datetime) -> Doc:
    """The clock's stepper: apply every transition due by ``now``."""
    order = doc.body
    due = next_due(order)
    while due is not None and due <= now:
        # A transition cannot happen before the previous one (e.g. start_time before acceptance).
        _transition(order, max(due, parse_iso(order["updated_time"])))
        due = next_due(order)
    return _as_doc(order, doc.org)


def _as_doc(order: dict[str, Any], org: str) -> Doc:
    due = next_due(order)
    return Doc(NAME, KIND_ORDER, order["id"], order, org=org, created_at=order["created_time"],
               status=order["status"], due_at=iso(due) if due else None)


def _load_order(state: SandboxState, order_id: str, org: str) -> Doc:
    doc = state.store.get(NAME, KIND_ORDER, order_id, org=org)
    if doc is None:
        raise error(404, "Not found.")
    return doc


# ---------------------------------------------------------------------------------------------
# listing
# ---------------------------------------------------------------------------------------------

_EXACT_FILTERS = {"name": "name", "status": "status", "pl_number": "pl_number", "product": "product",
                  "scheduling_type": "scheduling_type", "order_type": "order_type"}
_TIME_FILTERS = {"created_time": "created_at", "updated_time": "updated_time",
                 "start_time": "start_time", "end_time": "end_time"}
_LOOKUPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def list_filters(params: dict[str, str]) -> list[tuple[str, str, Any]]:
    """Store filters from query parameters; raises FieldErrors for bad date/times."""
    where: list[tuple[str, str, Any]] = []
    errors: dict[str, list[str]] = {}
    for key, value in params.items():
        field, _, lookup = key.partition("__")
        if field in _EXACT_FILTERS and not lookup:
            where.append((_EXACT_FILTERS[field], "=", value))
        elif key == "name__icontains":
            where.append(("name", "icontains", value))
        elif key == "status__in":
            where.append(("status", "in", [s.strip() for s in value.split(",") if s.strip()]))
        elif field in _TIME_FILTERS and lookup in _LOOKUPS:
            try:
                where.append((_TIME_FILTERS[field], _LOOKUPS[lookup], iso(parse_iso(value))))
            except ValueError:
                errors[key] = ["Enter a valid date/time."]
    if errors:
        raise FieldErrors(errors)
    return where


def list_ordering(value: str | None) -> list[tuple[str, bool]]:
    ordering = []
    for term in (value or "-created_time").split(","):
        term = term.strip()
        field = ORDERING_FIELDS.get(term.lstrip("-"))
        if field:  # DRF's OrderingFilter silently ignores unknown fields
            ordering.append((field, term.startswith("-")))
    return ordering or [("created_at", True)]


def _int_param(value: str | None, default: int) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return number


def list_page(request: Request, state: SandboxState, org: str) -> dict[str, Any]:
    params = dict(request.query_params)
    try:
        where = list_filters(params)
    except FieldErrors as exc:
        raise exc.api_error() from None
    limit = _int_param(params.get("limit"), DEFAULT_LIMIT)
    limit = DEFAULT_LIMIT if limit <= 0 else min(limit, MAX_LIMIT)  # DRF: bad → default, big → max
    offset = max(_int_param(params.get("offset"), 0), 0)
    count = state.store.count(NAME, KIND_ORDER, org=org, where=where)
    docs = state.store.query(NAME, KIND_ORDER, org=org, where=where,
                             order_by=list_ordering(params.get("ordering")), limit=limit, offset=offset)
    has_next = offset + limit < count
    previous = None
    if offset > 0:
        previous = page_url(request, limit=limit, offset=None if offset - limit <= 0 else offset - limit)
    return {
        "count": count,
        "next": page_url(request, limit=limit, offset=offset + limit) if has_next else None,
        "previous": previous,
        "results": [doc.body for doc in docs],
    }


# ---------------------------------------------------------------------------------------------
# editing and cancelling
# ---------------------------------------------------------------------------------------------


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
    start = _time(payload, "start_time", parse_iso(order["start_time"]), errors)
    end = _time(payload, "end_time", parse_iso(order["end_time"]), errors)
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


def cancel(order: dict[str, Any], now: datetime) -> None:
    status = order["status"]
    if status not in CANCELLABLE_STATUSES:
        raise error(400, f"Order in status {status} cannot be cancelled; cancelling is allowed in "
                         f"{', '.join(CANCELLABLE_STATUSES)}.")
    order.update(status="CANCELLED", is_cancellable=False, next_planned_acquisition_time=None, updated_time=iso(now))


# ---------------------------------------------------------------------------------------------
# pricing
# ---------------------------------------------------------------------------------------------


def stored_order_pricing(order: dict[str, Any]) -> dict[str, Any]:
    """Recomputed from the stored order, so it always equals its ``estimated_quota_cost``."""
    occurrences = rrule_occurrences(order["rrule"], parse_iso(order["start_time"]), parse_iso(order["end_time"]))
    pricing = pricing_for(order["requested_sqkm"], order["order_type"], order["scheduling_type"], order["product"],
                          order["sat_elevation_angle_min"], order.get("cloud_threshold"), occurrences)
    return {"order_id": order["id"], **pricing}


def bulk_pricing(payloads: list[Any], state: SandboxState, now: datetime) -> dict[str, Any]:
    details: list[dict[str, Any]] = []
    total = 0.0
    for payload in payloads:
        try:
            pricing = validate_order(payload, state, now, for_pricing=True).pricing()
        except FieldErrors as exc:
            reasons = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.errors.items())
            details.append({"message": {"error": f"Failed to calculate order pricing. {reasons}"}})
            continue
        total += pricing["estimated_quota_cost"]
        details.append(pricing)
    return {"total_estimated_quota_cost": round(total, 3), "pricing_details": details}


# ---------------------------------------------------------------------------------------------
# imaging windows (Assured Tasking)
# ---------------------------------------------------------------------------------------------


def validate_window_search(payload: Any, now: datetime) -> tuple[Point, dict[str, Any]]:
    if not isinstance(payload, dict):
        raise FieldErrors({"non_field_errors": ["Invalid data. Expected a dictionary."]})
    errors: dict[str, list[str]] = {}
    point = Point(0, 0)
    try:
        geom = parse_geometry(payload.get("geometry"), ("Point", "LineString"))
        if isinstance(geom, LineString) and len(geom.coords) != 2:
            raise GeometryError("A LineString for imaging windows must have exactly two points.")
        point = geom if isinstance(geom, Point) else geom.interpolate(0.5, normalized=True)
    except GeometryError as exc:
        errors["geometry"] = [str(exc)]
    if payload.get("product", "Assured Tasking") != "Assured Tasking":
        errors["product"] = ['Imaging windows are only available for product "Assured Tasking".']
    pl_number = payload.get("pl_number") or price_book.PLANET_DEFAULT_PL_NUMBER
    if not isinstance(pl_number, str) or not _PL_NUMBER.match(pl_number):
        errors["pl_number"] = ['Expected a PL-number like "PL-1163400".']
    start = _time(payload, "start_time", now, errors)
    end = _time(payload, "end_time", now + IMAGING_WINDOW_HORIZON, errors)
    if end <= start:
        errors["end_time"] = ["end_time must be after start_time."]
    elif end > now + IMAGING_WINDOW_HORIZON + timedelta(minutes=1):
        errors["end_time"] = ["Imaging windows can be searched at most 7 days ahead."]
    # Older examples use satellite_elevation_angle_* (api-notes §4.5); accept both spellings.
    for short, old in (("sat_elevation_angle_min", "satellite_elevation_angle_min"),
                       ("sat_elevation_angle_max", "satellite_elevation_angle_max")):
        if short not in payload and old in payload:
            payload[short] = payload[old]
    low = _number(payload, "sat_elevation_angle_min", 60.0, 0, 90, errors)
    high = _number(payload, "sat_elevation_angle_max", 90.0, 0, 90, errors)
    if low is not None and high is not None and low > high:
        errors["sat_elevation_angle_min"] = ["sat_elevation_angle_min must not exceed sat_elevation_angle_max."]
    if errors:
        raise FieldErrors(errors)
    return point, {"pl_number": pl_number, "start": start, "end": end, "low": low, "high": high}


def imaging_windows(point: Point, start: datetime, end: datetime, low: float, high: float) -> list[dict[str, Any]]:
    """One pass a day around 10:30 local solar time, jittered deterministically by place and day."""
    windows = []
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    while day < end:
        seed = f"{point.x:.5f},{point.y:.5f},{day.date().isoformat()}"
        rng = random.Random(seed)
        solar_hours = (10.5 - point.x / 15) % 24 + rng.uniform(-0.5, 0.5)
        opens = day + timedelta(hours=solar_hours)
        if start <= opens and opens + timedelta(minutes=8) <= end:
            windows.append({
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "planet-window:" + seed)),
                "start_time": iso(opens),
                "end_time": iso(opens + timedelta(minutes=8)),
                "sat_elevation_angle": round(low + (high - low) * rng.random(), 2),
                "cloud_forecast": round(rng.random(), 2),
            })
        day += timedelta(days=1)
    return windows


# ---------------------------------------------------------------------------------------------
# seeding
# ---------------------------------------------------------------------------------------------

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
    statuses = params.get("statuses") or list(STATUSES)
    if not set(statuses) <= set(STATUSES):
        raise ValueError(f"statuses must be among {list(STATUSES)}")
    org = str(params.get("org") or "sandbox-org")
    prefix = str(params.get("name_prefix") or "seed")
    rng = random.Random(params.get("seed", state.seed))
    now = state.clock.now()
    for first in range(0, count, 10_000):  # chunks keep memory flat for very large seeds
        chunk = range(first, min(first + 10_000, count))
        state.store.insert_many(_as_doc(_seed_order(rng, now, i, statuses[i % len(statuses)], org, prefix), org)
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
    order = new_order(spec, org, created, order_id)
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


# ---------------------------------------------------------------------------------------------
# routes
# ---------------------------------------------------------------------------------------------

_ORDER_SCHEMA = {
    "type": "object",
    "required": ["name", "geometry"],
    "properties": {
        "name": {"type": "string"},
        "geometry": {"type": "object", "description": "GeoJSON Point, LineString (strip) or Polygon"},
        "pl_number": {"type": "string"}, "product": {"type": "string"},
        "start_time": {"type": "string", "format": "date-time"}, "end_time": {"type": "string", "format": "date-time"},
        "sat_elevation_angle_min": {"type": "number"}, "sat_elevation_angle_max": {"type": "number"},
        "scheduling_type": {"type": "string", "enum": list(SCHEDULING_TYPES)},
        "order_type": {"type": "string", "enum": list(ORDER_TYPES)},
        "imaging_window": {"type": "string"}, "rrule": {"type": "string"},
        "cloud_threshold": {"type": "number"}, "exclusivity_days": {"type": "integer"}, "rank": {"type": "integer"},
    },
}


def _body_doc(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def build_router(state: SandboxState) -> APIRouter:
    router = APIRouter(prefix=BASE, tags=["Planet Tasking v2"])
    auth = Depends(authenticate)

    def both(path: str, methods: list[str], **kwargs: Any):  # noqa: ANN202 - decorator factory
        """Register ``path`` with and without its trailing slash (the docs use both forms)."""
        def register(func):  # noqa: ANN001, ANN202
            router.add_api_route(path, func, methods=methods, **kwargs)
            router.add_api_route(path.rstrip("/"), func, methods=methods, include_in_schema=False,
                                 **{k: v for k, v in kwargs.items() if k not in ("summary", "openapi_extra")})
            return func
        return register

    @both("/orders/", ["POST"], status_code=201, summary="Create a tasking order", openapi_extra=_body_doc(_ORDER_SCHEMA))
    async def create_order(request: Request, org: str = auth) -> JSONResponse:
        payload = await _json_body(request)
        now = state.clock.now()
        try:
            spec = validate_order(payload, state, now)
        except FieldErrors as exc:
            raise exc.api_error() from None
        order = new_order(spec, org, now)
        state.store.insert(_as_doc(order, org))
        return JSONResponse(order, status_code=201)

    @both("/orders/", ["GET"], summary="List tasking orders (filters ANDed, limit/offset)")
    async def list_orders(request: Request, org: str = auth) -> dict[str, Any]:
        return list_page(request, state, org)

    @both("/orders/{order_id}/", ["GET"], summary="Get a tasking order")
    async def get_order(order_id: str, org: str = auth) -> dict[str, Any]:
        return _load_order(state, order_id, org).body

    @both("/orders/{order_id}/", ["PUT"], summary="Edit name, rank, start_time, end_time",
          openapi_extra=_body_doc({"type": "object"}))
    async def edit_order(order_id: str, request: Request, org: str = auth) -> dict[str, Any]:
        payload = await _json_body(request)
        with state.store.transaction():  # the status check and the update are one atomic step
            doc = _load_order(state, order_id, org)
            response = apply_edit(doc.body, payload, state.clock.now())
            state.store.put(_as_doc(doc.body, org))
        return response

    @both("/orders/{order_id}/", ["DELETE"], status_code=204, summary="Cancel a tasking order")
    async def cancel_order(order_id: str, org: str = auth) -> Response:
        with state.store.transaction():
            doc = _load_order(state, order_id, org)
            cancel(doc.body, state.clock.now())
            state.store.put(_as_doc(doc.body, org))
        return Response(status_code=204)

    @both("/orders/{order_id}/pricing/", ["GET"], summary="Pricing of an existing order")
    async def order_pricing(order_id: str, org: str = auth) -> dict[str, Any]:
        return stored_order_pricing(_load_order(state, order_id, org).body)

    @both("/pricing/", ["POST"], summary="Pricing preview for one order-like payload or a list",
          openapi_extra=_body_doc({"oneOf": [_ORDER_SCHEMA, {"type": "array", "items": _ORDER_SCHEMA}]}))
    async def pricing_preview(request: Request, org: str = auth) -> dict[str, Any]:
        payload = await _json_body(request)
        now = state.clock.now()
        if isinstance(payload, list):
            if not 1 <= len(payload) <= BULK_PRICING_MAX:
                raise error(400, f"Bulk pricing takes between 1 and {BULK_PRICING_MAX} order payloads.")
            return bulk_pricing(payload, state, now)
        try:
            return validate_order(payload, state, now, for_pricing=True).pricing()
        except FieldErrors as exc:
            raise exc.api_error() from None

    @both("/imaging-windows/search/", ["POST"], status_code=201, summary="Start an imaging-window search",
          openapi_extra=_body_doc({"type": "object", "required": ["geometry"]}))
    async def search_windows(request: Request, org: str = auth) -> JSONResponse:
        payload = await _json_body(request)
        now = state.clock.now()
        try:
            point, opts = validate_window_search(payload, now)
        except FieldErrors as exc:
            raise exc.api_error() from None
        search = _store_search(state, org, now, point, opts)
        location = str(request.url_for("get_window_search", search_id=search["id"]))
        return JSONResponse({"id": search["id"], "status": "IN_PROGRESS"}, status_code=201,
                            headers={"Location": location})

    @router.get("/imaging-windows/search/{search_id}/", name="get_window_search", summary="Poll an imaging-window search")
    async def get_window_search(search_id: str, org: str = auth) -> dict[str, Any]:
        doc = state.store.get(NAME, KIND_SEARCH, search_id, org=org)
        if doc is None:
            raise error(404, "Not found.")
        return doc.body

    router.add_api_route("/imaging-windows/search/{search_id}", get_window_search, methods=["GET"],
                         include_in_schema=False)
    return router


def _store_search(state: SandboxState, org: str, now: datetime, point: Point, opts: dict[str, Any]) -> dict[str, Any]:
    windows = imaging_windows(point, opts["start"], opts["end"], opts["low"], opts["high"])
    search = {"id": str(uuid.uuid4()), "status": "DONE", "created_time": iso(now), "pl_number": opts["pl_number"],
              "product": "Assured Tasking", "imaging_windows": windows}
    with state.store.transaction():
        state.store.insert(Doc(NAME, KIND_SEARCH, search["id"], search, org=org, created_at=iso(now), status="DONE"))
        for window in windows:  # kept so an order can name one in imaging_window
            state.store.put(Doc(NAME, KIND_WINDOW, window["id"], window, org="", created_at=iso(now)))
    return search


def _validation_error(exc: Exception) -> ApiError:
    errors = getattr(exc, "errors", lambda: [])()
    return ApiError(400, {str(err.get("loc", ["?"])[-1]): [str(err.get("msg"))] for err in errors} or {"detail": str(exc)})


PROVIDER = ProviderSpec(
    name=NAME,
    build_router=build_router,
    error=error,
    validation_error=_validation_error,
    stepper=step,
    seeders={"orders": seed_orders},
)
