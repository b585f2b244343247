"""Pixxel API v0 emulation at ``/v0`` (sources: shared/api-docs/pixxel-v0-*.txt, shared/api-notes.md §1, §4).

Auth: ``Authorization: <KEY>`` with **no** ``Bearer`` prefix (sandbox key ``sandbox-pixxel-key``;
``<key>.<org>`` is another organisation). Every error, 401 included, has Pixxel's body
``{"code", "message", "details"?}``; validation errors are 400 ``{"code": "VALIDATION_ERROR",
"message", "details": [{"field", "message"}]}`` with dotted/indexed field paths such as
``order_items[0].geometry.features[1].geometry.type``.

Endpoints:

* ``POST /orders`` ``{dry_run=false, order_items[1..50]}`` → 201, the order. Up to 50 items per order
  is the sandbox's limit (Pixxel publishes none); many items in one dry run is the bulk pricing form.
  An item with a non-empty ``item_ids`` is an ARCHIVE item, a recurrence other than ONCE makes it
  RECURRING, anything else is TASKING. ``dry_run: true`` prices the same way but stores nothing: the
  order and items get fresh ids that 404, status/payment_status are UNPAID, ``transaction_id`` and
  ``paid_at`` are ``""``; ``tokens_used`` is still filled in because a dry run is a quote (the docs
  say tokens are "populated only after payment"; a quote without them would be useless).
* ``GET /orders`` (``user_id``, ``limit`` default 10, at most 100, ``offset``) →
  ``{orders, pagination: {total, offset, limit}}``; ``GET /orders/{id}``.
* ``GET /order-items``: ``user_id``, ``type``, ``status``, ``order_ids``, ``created_by``,
  ``project_ids``, ``ids`` take comma lists (or repeated parameters); ranges are
  ``created_at=<from>,<to>`` (ISO timestamps) and ``area=<min>,<max>`` (km²), inclusive, either bound
  may be empty (``area=100,`` is ≥100); a single value without a comma is an exact match.
  ``limit`` default 10, at most 1000; ``offset``. Ordered by ``created_at`` descending then ``id``
  descending, so pages are stable. No name filter: Pixxel documents none.
  → ``{order_items, pagination: {limit, offset, total}}``; ``GET /order-items/{id}`` with ``tasks``.
* ``GET /bandsets``, ``GET /projects`` (one default project per organisation; ``project_id`` in an
  order may be any non-empty string, as the docs' example uses ``"1234567890"``), ``GET /projects/{id}``,
  ``GET /ping`` (authenticated; ``{"message": "pong"}``).
* ``POST /archives/search`` (STAC-like: ``bbox`` | ``intersects``, ``datetime`` ``"a/b"`` with ``..``
  for an open end, ``limit`` default 10 at most 500, ``offset``) → a GeoJSON FeatureCollection of
  deterministic scenes ``{type, features[{type, id, collection, bbox, geometry, properties{datetime,
  satellite, image_type, cloud_cover, off_nadir, gsd, number_of_bands, price_per_km2}}],
  context{returned, limit, matched, offset}}``, newest first. Scene ids look like Pixxel's
  (``TD1_006800_20230528_L2A_20230615_03001067``: satellite, grid cell, acquisition date, level,
  processing date, serial) and encode their footprint, so ordering them needs no catalogue table.
  There is no cancel endpoint, as in Pixxel's API (cancelling is done through support).

Item fields: every documented one, plus ``geometry`` (the AOI as sent; an extension a client can read),
``tasks`` and ``validation_errors`` (both shown in the list example). ``area`` is the int km² of the
AOI measured in a transverse Mercator centred on it (UTM-like); pricing applies the 100 km² minimum.
Ranges the docs leave unpublished are sandbox choices: ``cloud_cover`` 0–100, ``off_nadir`` 0–45 (int),
a window (``end_date - start_date``) of at most 90 days, recurring orders of 2–52 occurrences whose
windows may not overlap, at most 100 archive scenes per item, multi-polygon parts at most 200 km apart.

Life cycle (sandbox clock, :func:`step`): a placed (non-dry-run) order is paid at once (``status``
PAID, item ``payment_status`` PAID). Items start DRAFT with one DRAFT task per occurrence; a task is
placed 5 days before its occurrence's start (or at once when that is already past) → REQUESTED, and
the item turns ACTIVE at its first placement (``last_feasibility_check`` is refreshed at each
placement); at the occurrence start → IN_PROGRESS; at its end → FULFILLED (``number_of_strips`` set,
``delivery_status`` SUCCESSFUL, ``order_item_id`` becomes the delivered scene id, the scene is added
to the item's ``images``) or FAILED, decided by a hash of the task id weighted by feasibility. When
every task is done the item is COMPLETED, PARTIALLY_COMPLETED (some failed) or FAILED (all failed);
``payment_status`` stays PAID. Archive items get one task per scene (``order_item_id`` = the scene
id), IN_PROGRESS at once and FULFILLED 24 h later. A recurring item's task is transacted when it is
placed (own ``transaction_id``, its share of the tokens); other tasks share the item's.

Seeding (``POST /_sandbox/seed {"provider": "pixxel", "count": N, "org"?, "items_per_order"?}``):
N order items (varied type, status, area, dates, small polygons) in orders of ``items_per_order``
(default 50), inserted with executemany from JSON templates; they are history (no pending
transitions). Listing reads the stored JSON text and splices it into the response without parsing.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import shapely
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from shapely.geometry import MultiPolygon, box, mapping, shape
from shapely.ops import unary_union

from . import price_book
from .geometry import GeometryError, area_km2, parse_geometry
from .keys import DEFAULT_ORG, org_for_key
from .registry import ProviderSpec
from .state import SandboxState
from .store import Doc
from .timeutil import UTC, iso, parse_iso
from .web import ApiError, BodyError, read_json

NAME = "pixxel"
BASE = "/v0"
KIND_ORDER = "order"
KIND_ITEM = "order_item"

MAX_BODY_BYTES = 5_000_000
MAX_ITEMS_PER_ORDER = 50
MAX_ARCHIVE_SCENES_PER_ITEM = 100
ITEMS_DEFAULT_LIMIT, ITEMS_MAX_LIMIT = 10, 1000
ORDERS_DEFAULT_LIMIT, ORDERS_MAX_LIMIT = 10, 100
SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT = 10, 500
MIN_START_LEAD = timedelta(hours=24)
MAX_WINDOW = timedelta(days=90)
PLACEMENT_LEAD = timedelta(days=5)
ARCHIVE_DELIVERY = timedelta(hours=24)
MAX_OFF_NADIR = 45
MAX_OCCURRENCES = 52
MAX_PART_DISTANCE_KM = 200.0

RECURRENCES = ("ONCE", "WEEKLY", "BIWEEKLY", "MONTHLY", "BIMONTHLY", "QUARTERLY")
# (days, months) between occurrences. BIMONTHLY = every two months (the reading that fits the
# sequence WEEKLY, BIWEEKLY, MONTHLY, ..., QUARTERLY).
RECURRENCE_STEP: dict[str, tuple[int, int]] = {
    "WEEKLY": (7, 0), "BIWEEKLY": (14, 0), "MONTHLY": (0, 1), "BIMONTHLY": (0, 2), "QUARTERLY": (0, 3),
}
DELIVERY_SPEEDS = ("STANDARD", "EXPEDITED")
ITEM_TYPES = ("TASKING", "ARCHIVE", "RECURRING")
ITEM_STATUSES = ("DRAFT", "ACTIVE", "COMPLETED", "CANCELLED", "FAILED", "PARTIALLY_COMPLETED")
TASK_TERMINAL = ("FULFILLED", "FAILED")
# How often a task fails, in percent, by the item's feasibility status.
FAILURE_PERCENT = {"SUCCESS": 10, "WEAK_SUCCESS": 40, "FAILED": 85}

_NS = uuid.UUID("6f1c3c1e-5d3b-4a57-9d8e-0c3f1d9a7e21")  # namespace of the sandbox's stable uuids


def stable_uuid(*parts: str) -> str:
    return str(uuid.uuid5(_NS, "/".join(parts)))


def org_uuid(org: str) -> str:
    return stable_uuid("org", org)


def user_uuid(org: str) -> str:
    """The one user behind an organisation's sandbox key."""
    return stable_uuid("user", org)


def default_project_id(org: str) -> str:
    return stable_uuid("project", org, "default")


# ---------------------------------------------------------------------------------------------
# catalog: bandsets
# ---------------------------------------------------------------------------------------------


def _bands(start_nm: float, stop_nm: float, count: int, first: int = 1) -> list[dict[str, Any]]:
    step = (stop_nm - start_nm) / (count - 1)
    return [{"name": f"B{first + i:03d}", "wavelength": round(start_nm + i * step)} for i in range(count)]


def _build_bandsets() -> list[dict[str, Any]]:
    # Fireflies (VNIR, 470–900 nm, 150 bands at ~2.9 nm) and Honeybee-class SWIR (900–2500 nm,
    # ~10 nm); VSWIR is both. The 8-band set mirrors a "custom" subset a user would save.
    vnir = _bands(470, 900, 150)
    swir = _bands(900, 2500, 161)
    vswir = vnir + _bands(910, 2500, 160, first=151)
    custom8 = [{"name": f"B{i:03d}", "wavelength": w} for i, w in
               ((1, 470), (15, 510), (31, 556), (66, 660), (82, 706), (87, 720), (104, 769), (150, 900))]
    specs = [
        ("VNIR", "Full VNIR range, 470–900 nm at ~2.9 nm sampling (Fireflies)", ["Firefly"], vnir),
        ("VNIR-8", "Eight VNIR bands (blue, green, red, red edge, NIR) for agriculture", ["Firefly"], custom8),
        ("SWIR", "Short-wave infrared, 900–2500 nm at 10 nm sampling (Honeybee)", ["Honeybee"], swir),
        ("VSWIR", "Visible to short-wave infrared, 470–2500 nm (Honeybee)", ["Honeybee"], vswir),
    ]
    return [
        {"id": stable_uuid("bandset", name), "name": name, "description": desc, "captures": captures,
         "image_type": "VNIR" if name.startswith("VNIR") else name, "bands": bands}
        for name, desc, captures, bands in specs
    ]


BANDSETS: list[dict[str, Any]] = _build_bandsets()
_BANDSET_BY_KEY: dict[str, dict[str, Any]] = {
    **{b["id"]: b for b in BANDSETS}, **{b["name"].upper(): b for b in BANDSETS}
}
DEFAULT_BANDSET = BANDSETS[0]


def find_bandset(bandset_id: str) -> dict[str, Any] | None:
    """By id, or leniently by name (``"VNIR"``) since clients often know only the name."""
    return _BANDSET_BY_KEY.get(bandset_id) or _BANDSET_BY_KEY.get(bandset_id.upper())


# ---------------------------------------------------------------------------------------------
# errors and auth
# ---------------------------------------------------------------------------------------------

_CODES = {
    400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE", 422: "VALIDATION_ERROR", 429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR", 502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT",
}


def error(status: int, message: str, code: str | None = None, details: list[dict[str, str]] | None = None) -> ApiError:
    """Pixxel's error body ``{code, message, details?}`` (the bandsets page documents it for 400/500)."""
    body: dict[str, Any] = {"code": code or _CODES.get(status, "ERROR"), "message": message}
    if details is not None:
        body["details"] = details
    return ApiError(status, body)


def validation_failed(details: list[dict[str, str]]) -> ApiError:
    fields = ", ".join(d["field"] for d in details[:5])
    return error(400, f"Request validation failed: {fields}", "VALIDATION_ERROR", details)


def _validation_error(exc: Exception) -> ApiError:
    errors = getattr(exc, "errors", lambda: [])()
    details = [{"field": ".".join(str(p) for p in e.get("loc", ())[1:]) or "body", "message": str(e.get("msg"))}
               for e in errors]
    return validation_failed(details or [{"field": "body", "message": str(exc)}])


def not_found(what: str, ident: str) -> ApiError:
    return error(404, f"{what} {ident} not found", "NOT_FOUND")


def authenticate(request: Request) -> str:
    """The organisation of the request's key; 401 in Pixxel's shape otherwise."""
    header = (request.headers.get("authorization") or "").strip()
    if not header:
        raise error(401, "Missing Authorization header; send 'Authorization: <API_KEY>'.")
    org = org_for_key(NAME, header)
    if org is None:
        if header.lower().startswith("bearer ") and org_for_key(NAME, header[7:].strip()):
            raise error(401, "Send the API key without a 'Bearer' prefix: 'Authorization: <API_KEY>'.")
        raise error(401, "Invalid API key.")
    return org


# ---------------------------------------------------------------------------------------------
# time formats (the docs mix three)
# ---------------------------------------------------------------------------------------------


def order_ts(moment: datetime) -> str:
    """Order timestamps look like ``2020-01-01T00:00:00+00:00`` in the docs."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def date_z(moment: datetime) -> str:
    """Item ``start_date``/``end_date``: ``2020-10-22T00:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def task_date(moment: datetime) -> str:
    """Task dates are ``DD-MM-YYYY``."""
    return moment.astimezone(UTC).strftime("%d-%m-%Y")


def add_months(moment: datetime, months: int) -> datetime:
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    days_in_month = (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days
    return moment.replace(year=year, month=month, day=min(moment.day, days_in_month))


def occurrence_windows(start: datetime, end: datetime, recurrence: str, count: int) -> list[tuple[datetime, datetime]]:
    if recurrence == "ONCE":
        return [(start, end)]
    days, months = RECURRENCE_STEP[recurrence]

    def shift(moment: datetime, i: int) -> datetime:
        return add_months(moment, months * i) + timedelta(days=days * i)

    return [(shift(start, i), shift(end, i)) for i in range(count)]


def _hash(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:8], "big")


# ---------------------------------------------------------------------------------------------
# archive scenes: a deterministic global catalogue on a 0.5° grid
# ---------------------------------------------------------------------------------------------

CELL_DEG = 0.5
GRID_COLS = int(360 / CELL_DEG)
ARCHIVE_EPOCH = datetime(2022, 7, 1, tzinfo=UTC)  # Pixxel's technology demonstrators flew from 2022
FIREFLY_EPOCH = datetime(2025, 2, 1, tzinfo=UTC)
ARCHIVE_IMAGE_TYPE = "VNIR"
MAX_SEARCH_CELLS = 400


def _cell_of(lon: float, lat: float) -> int:
    row = min(int((lat + 90) // CELL_DEG), int(180 / CELL_DEG) - 1)
    col = min(int((lon + 180) // CELL_DEG), GRID_COLS - 1)
    return row * GRID_COLS + col


def _cell_origin(cell: int) -> tuple[float, float]:
    row, col = divmod(cell, GRID_COLS)
    return col * CELL_DEG - 180, row * CELL_DEG - 90


def _cell_revisit(cell: int) -> tuple[int, int]:
    """(revisit period in days, phase in days) of a cell: every cell has its own pass schedule."""
    h = _hash("cell", str(cell))
    period = 9 + h % 8
    return period, (h >> 8) % period


def _scene(cell: int, acquired: date) -> dict[str, Any]:
    """The scene over ``cell`` acquired on ``acquired`` (a date on the cell's revisit schedule)."""
    h = _hash("scene", str(cell), acquired.isoformat())
    moment = datetime(acquired.year, acquired.month, acquired.day, tzinfo=UTC) + timedelta(seconds=18000 + h % 28800)
    satellite = f"FF0{1 + h % 3}" if moment >= FIREFLY_EPOCH else f"TD{1 + h % 2}"
    processed = acquired + timedelta(days=3 + (h >> 5) % 20)
    scene_id = f"{satellite}_{cell:06d}_{acquired:%Y%m%d}_L2A_{processed:%Y%m%d}_{(h >> 10) % 10**8:08d}"
    west, south = _cell_origin(cell)
    # A ~40 km wide strip placed somewhere in the cell: footprints vary from pass to pass.
    dx, dy = ((h >> 20) % 100) / 1000, ((h >> 30) % 50) / 1000
    footprint = box(*(round(v, 6) for v in (west + dx, south + dy, west + dx + 0.4, south + dy + 0.45)))
    gsd = 5.0 if satellite.startswith("FF") else 10.0
    rate = price_book.pixxel_archive_rate(ARCHIVE_IMAGE_TYPE)
    return {
        "id": scene_id,
        "moment": moment,
        "geometry": footprint,
        "properties": {
            "datetime": iso(moment),
            "satellite": satellite,
            "image_type": ARCHIVE_IMAGE_TYPE,
            "cloud_cover": (h >> 40) % 60,
            "off_nadir": (h >> 48) % 30,
            "gsd": gsd,
            "number_of_bands": len(DEFAULT_BANDSET["bands"]),
            "price_per_km2": rate,
        },
    }


def _acquisition_dates(cell: int, start: datetime, end: datetime) -> list[date]:
    period, phase = _cell_revisit(cell)
    first = max(start, ARCHIVE_EPOCH).date()
    last = end.date()
    offset = (first - ARCHIVE_EPOCH.date()).days
    k = max(0, math.ceil((offset - phase) / period))
    dates = []
    day = ARCHIVE_EPOCH.date() + timedelta(days=phase + k * period)
    while day <= last:
        dates.append(day)
        day += timedelta(days=period)
    return dates


def scene_by_id(scene_id: str, now: datetime) -> dict[str, Any] | None:
    """The scene named ``scene_id`` if it exists in the catalogue at ``now``, else None."""
    parts = scene_id.split("_")
    if len(parts) != 6 or not parts[1].isdigit():
        return None
    try:
        acquired = datetime.strptime(parts[2], "%Y%m%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    cell = int(parts[1])
    if cell >= GRID_COLS * int(180 / CELL_DEG) or acquired.date() not in _acquisition_dates(cell, acquired, acquired):
        return None
    scene = _scene(cell, acquired.date())
    return scene if scene["id"] == scene_id and scene["moment"] <= archive_horizon(now) else None


def archive_horizon(now: datetime) -> datetime:
    """Scenes reach the archive two days after acquisition."""
    return now - timedelta(days=2)


def search_scenes(aoi: Any, start: datetime, end: datetime) -> list[dict[str, Any]]:
    west, south, east, north = aoi.bounds
    first, last = _cell_of(west, south), _cell_of(east, north)
    rows = range(first // GRID_COLS, last // GRID_COLS + 1)
    cols = range(first % GRID_COLS, last % GRID_COLS + 1)
    if len(rows) * len(cols) > MAX_SEARCH_CELLS:
        raise error(400, f"Search area too large: at most {MAX_SEARCH_CELLS} half-degree cells.", "VALIDATION_ERROR",
                    [{"field": "intersects", "message": "area too large"}])
    prepared = shapely.prepared.prep(aoi)
    scenes = []
    for row in rows:
        for col in cols:
            cell = row * GRID_COLS + col
            for acquired in _acquisition_dates(cell, start - timedelta(days=1), end):
                scene = _scene(cell, acquired)
                if start <= scene["moment"] <= end and prepared.intersects(scene["geometry"]):
                    scenes.append(scene)
    scenes.sort(key=lambda s: (s["moment"], s["id"]), reverse=True)
    return scenes


def scene_feature(scene: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": scene["id"],
        "collection": "pixxel-archive",
        "bbox": [round(v, 6) for v in scene["geometry"].bounds],
        "geometry": _geojson(scene["geometry"]),
        "properties": scene["properties"],
    }


def _geojson(geom: Any) -> dict[str, Any]:
    return json.loads(json.dumps(mapping(geom)))  # tuples → lists


# ---------------------------------------------------------------------------------------------
# validating an order
# ---------------------------------------------------------------------------------------------


class Problems:
    """Collects ``{field, message}`` details so one response lists every bad field."""

    def __init__(self) -> None:
        self.details: list[dict[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.details.append({"field": field, "message": message})

    def raise_if_any(self) -> None:
        if self.details:
            raise validation_failed(self.details)


def _int_field(item: dict[str, Any], key: str, at: str, low: int, high: int, problems: Problems,
               required: bool = True, default: int = 0) -> int:
    value = item.get(key)
    if value is None:
        if required:
            problems.add(f"{at}.{key}", "is required")
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        problems.add(f"{at}.{key}", "must be an integer")
        return default
    if not low <= value <= high:
        problems.add(f"{at}.{key}", f"must be between {low} and {high}")
        return default
    return int(value)


def _str_field(item: dict[str, Any], key: str, at: str, problems: Problems, *, required: bool = False,
               choices: tuple[str, ...] | None = None, default: str = "") -> str:
    value = item.get(key)
    if value is None:
        if required:
            problems.add(f"{at}.{key}", "is required")
        return default
    if not isinstance(value, str) or (required and not value.strip()):
        problems.add(f"{at}.{key}", "must be a non-empty string" if required else "must be a string")
        return default
    if choices is not None and value not in choices:
        problems.add(f"{at}.{key}", f"must be one of {', '.join(choices)}")
        return default
    return value


def parse_aoi(fc: Any, at: str, problems: Problems) -> Any:
    """The AOI of a FeatureCollection of Polygons/MultiPolygons as one shapely geometry, or None."""
    if not isinstance(fc, dict) or fc.get("type") != "FeatureCollection":
        problems.add(at, "must be a GeoJSON FeatureCollection")
        return None
    features = fc.get("features")
    if not isinstance(features, list) or not features:
        problems.add(f"{at}.features", "must be a non-empty list of Features")
        return None
    parts = []
    for i, feature in enumerate(features):
        where = f"{at}.features[{i}]"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.add(f"{where}.type", "must be 'Feature'")
            continue
        geometry = feature.get("geometry")
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind not in ("Polygon", "MultiPolygon"):
            problems.add(f"{where}.geometry.type", f"must be Polygon or MultiPolygon, not {kind!r}")
            continue
        try:
            parts.append(parse_geometry(geometry, ("Polygon", "MultiPolygon")))
        except GeometryError as exc:
            problems.add(f"{where}.geometry", str(exc))
    if not parts or len(parts) != len(features):
        return None
    aoi = unary_union(parts)
    polygons = list(aoi.geoms) if isinstance(aoi, MultiPolygon) else [aoi]
    if len(polygons) > 1:
        # Pixxel: "the closest polygons may be at most 200 km apart" — every part needs a neighbour.
        for k, poly in enumerate(polygons):
            nearest = min(_distance_km(poly, other) for j, other in enumerate(polygons) if j != k)
            if nearest > MAX_PART_DISTANCE_KM:
                problems.add(at, f"polygons must be at most {MAX_PART_DISTANCE_KM:g} km from their nearest neighbour")
                return None
    return aoi


def _distance_km(a: Any, b: Any) -> float:
    from .geometry import _local  # the core's local projection, so distances agree with areas

    forward, _ = _local(unary_union([a, b]))

    def project(coords: Any) -> Any:
        x, y = forward.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(a, project).distance(shapely.transform(b, project)) / 1000


def _parse_time(item: dict[str, Any], key: str, at: str, problems: Problems) -> datetime | None:
    value = item.get(key)
    if value is None:
        problems.add(f"{at}.{key}", "is required")
        return None
    try:
        return parse_iso(value)
    except (ValueError, TypeError):
        problems.add(f"{at}.{key}", "must be an ISO-8601 timestamp such as 2020-10-22T00:00:00Z")
        return None


def feasibility(area: float, cloud_cover: int, off_nadir: int, latitude: float) -> str:
    """Deterministic feasibility: the tighter the constraints and the larger the AOI, the worse."""
    score = 0
    score += 2 if cloud_cover < 10 else 1 if cloud_cover < 30 else 0
    score += 2 if off_nadir < 10 else 1 if off_nadir < 20 else 0
    score += 2 if area > 5000 else 1 if area > 1000 else 0
    score += 2 if abs(latitude) > 70 else 0
    return "FAILED" if score >= 4 else "WEAK_SUCCESS" if score >= 2 else "SUCCESS"


def build_item(raw: Any, index: int, ctx: dict[str, Any], problems: Problems) -> dict[str, Any] | None:
    """Validate one requested item and build its stored body (without ids of order/payment)."""
    at = f"order_items[{index}]"
    if not isinstance(raw, dict):
        problems.add(at, "must be an object")
        return None
    before = len(problems.details)
    now: datetime = ctx["now"]
    org: str = ctx["org"]
    name = _str_field(raw, "name", at, problems, required=True)
    project_id = _str_field(raw, "project_id", at, problems) or default_project_id(org)
    usecase = _str_field(raw, "usecase", at, problems)
    speed = _str_field(raw, "delivery_speed", at, problems, choices=DELIVERY_SPEEDS, default="STANDARD")
    cloud_delivery = raw.get("cloud_delivery")
    if cloud_delivery is not None and not (
        isinstance(cloud_delivery, dict) and all(isinstance(cloud_delivery.get(k), str) for k in ("config", "path"))
    ):
        problems.add(f"{at}.cloud_delivery", "must be null or {config: string, path: string}")
    item_ids = raw.get("item_ids") or []
    if not isinstance(item_ids, list) or not all(isinstance(i, str) for i in item_ids):
        problems.add(f"{at}.item_ids", "must be a list of scene ids")
        item_ids = []
    aoi = None
    if raw.get("geometry") is not None or not item_ids:
        aoi = parse_aoi(raw.get("geometry"), f"{at}.geometry", problems)
    if item_ids:
        body = _archive_item(raw, item_ids, aoi, at, now, speed, problems)
    else:
        body = _tasking_item(raw, aoi, at, now, speed, problems)
    if body is None or len(problems.details) > before:
        return None
    created = iso(now)
    user = user_uuid(org)
    body.update({
        "cloud_delivery": cloud_delivery,
        "created_at": created,
        "created_by": user,
        "delivery_speed": speed,
        "geometry": raw.get("geometry"),
        "name": name,
        "org_id": org_uuid(org),
        "project_id": project_id,
        "updated_at": created,
        "updated_by": user,
        "usecase": usecase,
        "user_id": user,
        "validation_errors": [],
    })
    return dict(sorted(body.items()))


def _tasking_item(raw: dict[str, Any], aoi: Any, at: str, now: datetime, speed: str,
                  problems: Problems) -> dict[str, Any] | None:
    recurrence = _str_field(raw, "recurrence", at, problems, choices=RECURRENCES, default="ONCE")
    cloud = _int_field(raw, "cloud_cover", at, 0, 100, problems)
    off_nadir = _int_field(raw, "off_nadir", at, 0, MAX_OFF_NADIR, problems)
    count = _int_field(raw, "no_of_occurrences", at, 0, MAX_OCCURRENCES, problems, required=False)
    start, end = _parse_time(raw, "start_date", at, problems), _parse_time(raw, "end_date", at, problems)
    if start is not None and start < now + MIN_START_LEAD:
        problems.add(f"{at}.start_date", "must be at least 24 hours after the order is placed")
    if start is not None and end is not None:
        if end <= start:
            problems.add(f"{at}.end_date", "must be after start_date")
        elif end - start > MAX_WINDOW:
            problems.add(f"{at}.end_date", f"must be within {MAX_WINDOW.days} days of start_date")
    if recurrence == "ONCE" and count > 1:
        problems.add(f"{at}.no_of_occurrences", "must be 0 or 1 when recurrence is ONCE")
    if recurrence not in ("ONCE", "") and count < 2:
        problems.add(f"{at}.no_of_occurrences", f"must be between 2 and {MAX_OCCURRENCES} for a recurring order")
    bandset = None
    bandset_ref = raw.get("bandset")
    if bandset_ref is not None:
        ref = bandset_ref.get("bandset_id") if isinstance(bandset_ref, dict) else None
        found = find_bandset(ref) if isinstance(ref, str) else None
        if found is None:
            problems.add(f"{at}.bandset.bandset_id", "unknown bandset; see GET /v0/bandsets")
        else:
            bandset = found
    if problems.details or aoi is None or start is None or end is None:
        return None
    windows = occurrence_windows(start, end, recurrence, max(count, 1))
    if len(windows) > 1 and windows[0][1] > windows[1][0]:
        problems.add(f"{at}.end_date", f"the window must fit between two {recurrence} occurrences")
        return None
    spec = bandset or DEFAULT_BANDSET
    area = area_km2(aoi)
    quote = price_book.pixxel_quote(area, spec["image_type"], delivery_speed=speed, cloud_cover=cloud,
                                    off_nadir=off_nadir, occurrences=len(windows))
    item_type = "TASKING" if recurrence == "ONCE" else "RECURRING"
    return {
        "area": math.ceil(area),  # whole km², rounded up like the billed area
        "bandset": None if bandset is None else {"bandset_id": bandset["id"], "bands": bandset["bands"], "custom": []},
        "base_amount": quote["base_amount"],
        "cloud_cover": cloud,
        "end_date": date_z(end),
        "feasibility_status": feasibility(area, cloud, off_nadir, aoi.centroid.y),
        "final_amount": quote["final_amount"],
        "image_type": spec["image_type"],
        "images": [],
        "last_feasibility_check": iso(now),
        "no_of_occurrences": count,
        "number_of_bands": len(spec["bands"]),
        "occurrences": [{"start": order_ts(s), "end": order_ts(e)} for s, e in windows],
        "off_nadir": off_nadir,
        "recurrence": recurrence,
        "start_date": date_z(start),
        "tokens_used": quote["tokens_used"],
        "type": item_type,
        "uplifts": [{**u, "item_id": ""} for u in quote["uplifts"]],
    }


def _archive_item(raw: dict[str, Any], item_ids: list[str], aoi: Any, at: str, now: datetime, speed: str,
                  problems: Problems) -> dict[str, Any] | None:
    if len(item_ids) > MAX_ARCHIVE_SCENES_PER_ITEM:
        problems.add(f"{at}.item_ids", f"at most {MAX_ARCHIVE_SCENES_PER_ITEM} scenes per item")
        return None
    if len(set(item_ids)) != len(item_ids):
        problems.add(f"{at}.item_ids", "must not repeat a scene")
        return None
    scenes = []
    for i, scene_id in enumerate(item_ids):
        scene = scene_by_id(scene_id, now)
        if scene is None:
            problems.add(f"{at}.item_ids[{i}]", f"unknown archive scene {scene_id!r}; see POST /v0/archives/search")
        elif aoi is not None and not aoi.intersects(scene["geometry"]):
            problems.add(f"{at}.item_ids[{i}]", "scene does not intersect the geometry")
        else:
            scenes.append(scene)
    if problems.details or (aoi is None and raw.get("geometry") is not None):
        return None
    base = final = 0.0
    total_area = 0.0
    uplifts: list[dict[str, Any]] = []
    images = []
    for scene in scenes:
        clip = scene["geometry"] if aoi is None else aoi.intersection(scene["geometry"])
        area = area_km2(clip)
        total_area += area
        quote = price_book.pixxel_archive_quote(area, ARCHIVE_IMAGE_TYPE, delivery_speed=speed)
        base += quote["base_amount"]
        final += quote["final_amount"]
        uplifts += [{**u, "item_id": scene["id"]} for u in quote["uplifts"]]
        images.append({"item_id": scene["id"], "geometry": _geojson(clip)})
    moments = [s["moment"] for s in scenes]
    return {
        "area": math.ceil(total_area),
        "bandset": None,
        "base_amount": round(base, 2),
        "cloud_cover": max(s["properties"]["cloud_cover"] for s in scenes),
        "end_date": date_z(max(moments)),
        "feasibility_status": "NOT_APPLICABLE",
        "final_amount": round(final, 2),
        "image_type": ARCHIVE_IMAGE_TYPE,
        "images": images,
        "last_feasibility_check": "",
        "no_of_occurrences": 0,
        "number_of_bands": len(DEFAULT_BANDSET["bands"]),
        "occurrences": [],
        "off_nadir": max(s["properties"]["off_nadir"] for s in scenes),
        "recurrence": "NOT_APPLICABLE",
        "start_date": date_z(min(moments)),
        "tokens_used": round(final * price_book.PIXXEL_TOKENS_PER_AMOUNT, 2),
        "type": "ARCHIVE",
        "uplifts": uplifts,
    }


def _scene_day(scene_id: str) -> str:
    return iso(datetime.strptime(scene_id.split("_")[2], "%Y%m%d").replace(tzinfo=UTC))


def seed_uuid(run: str, kind: int, i: int) -> str:
    """UUID-shaped ids for seeded rows, cheap to format (uuid4() per row would dominate seeding)."""
    return f"{run[:8]}-{kind:04x}-4{(i >> 24) & 0xFFF:03x}-8{(i >> 12) & 0xFFF:03x}-{i:012x}"


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
            "delivery_status": "",
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


# ---------------------------------------------------------------------------------------------
# life cycle
# ---------------------------------------------------------------------------------------------

_STAGES = ("DRAFT", "REQUESTED", "IN_PROGRESS")  # then FULFILLED or FAILED


def task_schedule(item: dict[str, Any], index: int) -> tuple[datetime, datetime, datetime]:
    """When task ``index`` is placed (→REQUESTED), starts (→IN_PROGRESS) and ends (→FULFILLED/FAILED)."""
    created = parse_iso(item["created_at"])
    if item["type"] == "ARCHIVE":
        return created, created, created + ARCHIVE_DELIVERY
    occurrence = item["occurrences"][index]
    start, end = parse_iso(occurrence["start"]), parse_iso(occurrence["end"])
    return max(created, start - PLACEMENT_LEAD), start, end


def task_succeeds(task_id: str, feasibility_status: str) -> bool:
    if feasibility_status == "NOT_APPLICABLE":
        return True  # archive scenes already exist
    return _hash("task", task_id) % 100 >= FAILURE_PERCENT.get(feasibility_status, 40)


def _delivered_scene(item: dict[str, Any], task: dict[str, Any], at: datetime) -> str:
    geometry = item.get("geometry") or {}
    try:
        centre = unary_union([shape(f["geometry"]) for f in geometry["features"]]).centroid
        cell = _cell_of(centre.x, centre.y)
    except (KeyError, TypeError, ValueError, AttributeError):
        cell = 0
    h = _hash("capture", task["id"])
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
            _place(item, task, at)
        elif stage == 2:
            task["status"] = "IN_PROGRESS"
        else:
            _finish(item, task, at)
        task["updated_at"] = item["updated_at"] = iso(at)
    return times[stage] if stage < 3 else None


def _place(item: dict[str, Any], task: dict[str, Any], at: datetime) -> None:
    task["status"] = "REQUESTED"
    if item["type"] == "RECURRING":
        # Recurring tasking is transacted per task when it is requested (docs, task.transaction_id).
        task["transaction_id"] = str(uuid.uuid5(uuid.UUID(task["id"]), "transaction"))
        task["tokens_used"] = round(item["tokens_used"] / len(item["tasks"]), 2)
    else:
        task["transaction_id"] = item["transaction_id"]
        task["tokens_used"] = round(item["tokens_used"] / len(item["tasks"]), 2)
    if item["status"] == "DRAFT":
        item["status"] = "ACTIVE"
    if item["type"] != "ARCHIVE":
        area = float(item["area"])
        lat = _latitude(item)
        item["feasibility_status"] = feasibility(area, item["cloud_cover"], item["off_nadir"], lat)
        item["last_feasibility_check"] = iso(at)


def _latitude(item: dict[str, Any]) -> float:
    try:
        return float(shape(item["geometry"]["features"][0]["geometry"]).centroid.y)
    except (KeyError, TypeError, ValueError, IndexError):
        return 0.0


def _finish(item: dict[str, Any], task: dict[str, Any], at: datetime) -> None:
    if task_succeeds(task["id"], item["feasibility_status"]):
        task["status"] = "FULFILLED"
        task["delivery_status"] = "SUCCESSFUL"
        task["number_of_strips"] = 1 + _hash("strips", task["id"]) % 4
        if task["type"] == "TASKING":
            scene = _delivered_scene(item, task, at)
            task["order_item_id"] = scene
            item["images"].append({"item_id": scene, "geometry": _aoi_geometry(item)})
    else:
        task["status"] = "FAILED"


def _aoi_geometry(item: dict[str, Any]) -> Any:
    try:
        return _geojson(unary_union([shape(f["geometry"]) for f in item["geometry"]["features"]]))
    except (KeyError, TypeError, ValueError):
        return None


def _settle_item(item: dict[str, Any]) -> None:
    statuses = [t["status"] for t in item["tasks"]]
    if statuses and all(s in TASK_TERMINAL for s in statuses):
        failed = statuses.count("FAILED")
        item["status"] = "COMPLETED" if failed == 0 else "FAILED" if failed == len(statuses) else "PARTIALLY_COMPLETED"


def step(doc: Doc, now: datetime) -> Doc:
    """The core's stepper: apply every transition of an order item due by ``now``."""
    item = doc.body
    if doc.kind != KIND_ITEM or item["status"] in ("COMPLETED", "FAILED", "PARTIALLY_COMPLETED", "CANCELLED"):
        doc.due_at = None
        return doc
    upcoming = [t for i in range(len(item["tasks"])) if (t := _advance_task(item, i, now)) is not None]
    _settle_item(item)
    doc.status = item["status"]
    doc.due_at = iso(min(upcoming)) if upcoming else None
    return doc


# ---------------------------------------------------------------------------------------------
# orders: create, read, list
# ---------------------------------------------------------------------------------------------


def create_order(state: SandboxState, org: str, payload: Any) -> dict[str, Any]:
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
    ctx = {"now": now, "org": org}
    items = [build_item(raw, i, ctx, problems) for i, raw in enumerate(raw_items)]
    problems.raise_if_any()
    order_id = str(uuid.uuid4())
    user = user_uuid(org)
    paid = not dry_run
    transaction = str(uuid.uuid4()) if paid else ""
    for item in items:
        assert item is not None
        item.update({
            "id": str(uuid.uuid4()),
            "order_id": order_id,
            "payment_status": "PAID" if paid else "UNPAID",
            "status": "DRAFT",
            "transaction_id": str(uuid.uuid4()) if paid else "",
        })
        item["tasks"] = new_tasks(item, now) if paid else []
    items = [dict(sorted(item.items())) for item in items if item is not None]  # the docs list keys A–Z
    order = {
        "created_at": order_ts(now),
        "created_by": user,
        "id": order_id,
        "order_items": items,
        "org_id": org_uuid(org),
        "paid_at": order_ts(now) if paid else "",
        "status": "PAID" if paid else "UNPAID",
        "total_amount": round(sum(i["final_amount"] for i in items), 2),
        "transaction_id": transaction,
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


_ORDER_ITEM_SQL = "SELECT id, body FROM docs WHERE provider=? AND kind=? AND org=? AND id IN ({})"


def _items_by_id(state: SandboxState, org: str, ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        sql = _ORDER_ITEM_SQL.format(",".join("?" * len(chunk)))
        found.update(dict(state.store.execute(sql, (NAME, KIND_ITEM, org, *chunk))))
    return found


def _order_json(order: dict[str, Any], items: dict[str, str]) -> str:
    """An order's JSON with its items' stored JSON spliced in (no re-parsing of item bodies)."""
    ids = order.get("order_item_ids", [])
    head = {k: v for k, v in order.items() if k != "order_item_ids"}
    head["order_items"] = "\0ITEMS\0"
    text = json.dumps(dict(sorted(head.items())), separators=(",", ":"))
    return text.replace('"\\u0000ITEMS\\u0000"', "[" + ",".join(items[i] for i in ids if i in items) + "]")


def json_response(text: str, status: int = 200) -> Response:
    return Response(text, status, media_type="application/json")


def _int_param(request: Request, key: str, default: int, low: int, high: int) -> int:
    value = request.query_params.get(key)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise validation_failed([{"field": key, "message": "must be an integer"}]) from None
    if not low <= number <= high:
        raise validation_failed([{"field": key, "message": f"must be between {low} and {high}"}])
    return number


def _list_param(request: Request, key: str) -> list[str]:
    values = []
    for raw in request.query_params.getlist(key):
        values += [v.strip() for v in raw.split(",") if v.strip()]
    return values


def _range_param(request: Request, key: str, parse: Callable[[str], Any]) -> tuple[Any, Any] | None:
    raw = request.query_params.get(key)
    if raw is None or raw.strip() == "":
        return None
    low_text, comma, high_text = raw.partition(",")
    if not comma:
        high_text = low_text  # a single value: exact match
    try:
        low = parse(low_text.strip()) if low_text.strip() else None
        high = parse(high_text.strip()) if high_text.strip() else None
    except (ValueError, TypeError):
        raise validation_failed([{"field": key, "message": "expected '<from>,<to>' (either may be empty)"}]) from None
    return low, high


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def item_filters(request: Request) -> tuple[str, list[Any]]:
    """SQL conditions (ANDed) and parameters for GET /order-items."""
    parts: list[str] = []
    params: list[Any] = []

    def one_of(column: str, values: list[str]) -> None:
        if values:
            parts.append(f"{column} IN ({','.join('?' * len(values))})")
            params.extend(values)

    for key, allowed in (("type", ITEM_TYPES), ("status", ITEM_STATUSES)):
        values = [v.upper() for v in _list_param(request, key)]
        bad = [v for v in values if v not in allowed]
        if bad:
            raise validation_failed([{"field": key, "message": f"must be among {', '.join(allowed)}"}])
        one_of("status" if key == "status" else "json_extract(body, '$.type')", values)
    one_of("id", _list_param(request, "ids"))
    one_of("json_extract(body, '$.order_id')", _list_param(request, "order_ids"))
    one_of("json_extract(body, '$.project_id')", _list_param(request, "project_ids"))
    one_of("json_extract(body, '$.user_id')", _list_param(request, "user_id"))
    one_of("json_extract(body, '$.created_by')", _list_param(request, "created_by"))
    created = _range_param(request, "created_at", lambda s: iso(parse_iso(s)))
    if created:
        if created[0] is not None:
            parts.append("created_at >= ?")
            params.append(created[0])
        if created[1] is not None:
            parts.append("created_at <= ?")
            params.append(created[1])
    area = _range_param(request, "area", _float)
    if area:
        if area[0] is not None:
            parts.append("json_extract(body, '$.area') >= ?")
            params.append(area[0])
        if area[1] is not None:
            parts.append("json_extract(body, '$.area') <= ?")
            params.append(area[1])
    return " AND ".join(parts), params


def list_items(state: SandboxState, org: str, request: Request) -> str:
    limit = _int_param(request, "limit", ITEMS_DEFAULT_LIMIT, 1, ITEMS_MAX_LIMIT)
    offset = _int_param(request, "offset", 0, 0, 2**62)
    extra, params = item_filters(request)
    where = "provider=? AND kind=? AND org=?" + (f" AND {extra}" if extra else "")
    base = [NAME, KIND_ITEM, org, *params]
    with state.store.transaction() as conn:
        total = conn.execute(f"SELECT COUNT(*) FROM docs WHERE {where}", base).fetchone()[0]
        rows = conn.execute(
            f"SELECT body FROM docs WHERE {where} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            [*base, limit, offset],
        ).fetchall()
    pagination = json.dumps({"limit": limit, "offset": offset, "total": total}, separators=(",", ":"))
    return '{"order_items":[' + ",".join(r[0] for r in rows) + '],"pagination":' + pagination + "}"


def list_orders(state: SandboxState, org: str, request: Request) -> str:
    limit = _int_param(request, "limit", ORDERS_DEFAULT_LIMIT, 1, ORDERS_MAX_LIMIT)
    offset = _int_param(request, "offset", 0, 0, 2**62)
    users = _list_param(request, "user_id")
    where = [("user_id", "in", users)] if users else []
    total = state.store.count(NAME, KIND_ORDER, org=org, where=where)
    docs = state.store.query(NAME, KIND_ORDER, org=org, where=where, order_by=[("created_at", True)],
                             limit=limit, offset=offset)
    items = _items_by_id(state, org, [i for d in docs for i in d.body.get("order_item_ids", [])])
    pagination = json.dumps({"total": total, "offset": offset, "limit": limit}, separators=(",", ":"))
    return '{"orders":[' + ",".join(_order_json(d.body, items) for d in docs) + '],"pagination":' + pagination + "}"


def get_order(state: SandboxState, org: str, order_id: str) -> str:
    doc = state.store.get(NAME, KIND_ORDER, order_id, org=org)
    if doc is None:
        raise not_found("Order", order_id)
    return _order_json(doc.body, _items_by_id(state, org, doc.body.get("order_item_ids", [])))


# ---------------------------------------------------------------------------------------------
# archive search
# ---------------------------------------------------------------------------------------------


def archive_search(state: SandboxState, payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise validation_failed([{"field": "body", "message": "must be a JSON object"}])
    problems = Problems()
    aoi = None
    if payload.get("intersects") is not None:
        try:
            aoi = parse_geometry(payload["intersects"], ("Point", "Polygon", "MultiPolygon"))
        except GeometryError as exc:
            problems.add("intersects", str(exc))
    elif payload.get("bbox") is not None:
        bbox = payload["bbox"]
        if (isinstance(bbox, list) and len(bbox) == 4 and all(isinstance(v, (int, float)) for v in bbox)
                and -180 <= bbox[0] < bbox[2] <= 180 and -90 <= bbox[1] < bbox[3] <= 90):
            aoi = box(*bbox)
        else:
            problems.add("bbox", "must be [west, south, east, north] in degrees with west < east and south < north")
    else:
        problems.add("intersects", "one of intersects or bbox is required")
    now = state.clock.now()
    start, end = ARCHIVE_EPOCH, archive_horizon(now)
    window = payload.get("datetime")
    if window is not None:
        try:
            low, _, high = str(window).partition("/")
            if low not in ("", ".."):
                start = max(start, parse_iso(low))
            if high not in ("", ".."):
                end = min(end, parse_iso(high))
            elif not _:
                end = min(end, parse_iso(low))  # a single instant
        except ValueError:
            problems.add("datetime", "must be an RFC 3339 instant or interval 'a/b' ('..' for an open end)")
    limit = _int_field(payload, "limit", "", 1, SEARCH_MAX_LIMIT, problems, required=False, default=SEARCH_DEFAULT_LIMIT)
    offset = _int_field(payload, "offset", "", 0, 10**9, problems, required=False)
    for d in problems.details:
        d["field"] = d["field"].lstrip(".")
    problems.raise_if_any()
    scenes = search_scenes(aoi, start, end) if start <= end else []
    page = scenes[offset:offset + limit]
    return {
        "type": "FeatureCollection",
        "features": [scene_feature(s) for s in page],
        "context": {"returned": len(page), "limit": limit, "matched": len(scenes), "offset": offset},
    }


# ---------------------------------------------------------------------------------------------
# projects
# ---------------------------------------------------------------------------------------------


def default_project(org: str) -> dict[str, Any]:
    user, created = user_uuid(org), "2024-01-01T00:00:00.000000Z"
    return {
        "id": default_project_id(org), "name": "Default project", "description": "Created with the workspace",
        "org_id": org_uuid(org), "created_at": created, "created_by": user, "updated_at": created, "updated_by": user,
    }


# ---------------------------------------------------------------------------------------------
# seeding for benchmarks
# ---------------------------------------------------------------------------------------------

_SEED_STATUSES = ("COMPLETED", "COMPLETED", "COMPLETED", "ACTIVE", "ACTIVE", "DRAFT", "PARTIALLY_COMPLETED", "FAILED",
                  "CANCELLED")
_SEED_TYPES = ("TASKING", "TASKING", "RECURRING", "ARCHIVE")


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
        '{"area":%d,"bandset":null,"base_amount":%s,"cloud_cover":%d,"cloud_delivery":null,'
        '"created_at":"%s","created_by":"%s","delivery_speed":"%s","end_date":"%s",'
        '"feasibility_status":"%s","final_amount":%s,"geometry":{"type":"FeatureCollection","features":'
        '[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[%.5f,%.5f],[%.5f,%.5f],'
        '[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f]]]}}]},"id":"%s","image_type":"VNIR","images":[],"last_feasibility_check":"%s",'
        '"name":"seeded item %d","no_of_occurrences":%d,"number_of_bands":150,"occurrences":[%s],"off_nadir":%d,'
        '"order_id":"%s","org_id":"' + org_id + '","payment_status":"PAID","project_id":"' + project + '",'
        '"recurrence":"%s","start_date":"%s","status":"%s","tasks":[%s],"tokens_used":%s,"transaction_id":"%s",'
        '"type":"%s","updated_at":"%s","updated_by":"%s","uplifts":[],"usecase":"agriculture","user_id":"%s",'
        '"validation_errors":[]}'
    )
    task_template = (
        '{"created_at":"%s","created_by":"%s","delivery_status":"%s","end_date":"%s","id":"%s",'
        '"number_of_strips":%d,"order_item_id":"%s","start_date":"%s","status":"%s","tokens_used":%s,'
        '"transaction_id":"%s","type":"%s","updated_at":"%s","updated_by":"%s"}'
    )
    task_status = {"COMPLETED": "FULFILLED", "ACTIVE": "REQUESTED", "DRAFT": "DRAFT", "FAILED": "FAILED",
                   "PARTIALLY_COMPLETED": "FAILED", "CANCELLED": "CANCELED"}
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
        h = _hash(run, str(i)) if i < 64 else (i * 2654435761 + 97) & 0xFFFFFFFFFFFF  # cheap after the first few
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
        final = round(base * 1.2, 2) if h & 1 else float(base)
        item_id = seed_uuid(run, 1, i)
        lon, lat = -170 + (h >> 16) % 340 + 0.5, -60 + (h >> 24) % 120 + 0.5
        side = math.sqrt(area) / 222
        w, e, so, n = lon - side, lon + side, lat - side, lat + side
        occurrences = f'{{"start":"{start_ts}","end":"{end_ts}"}}' if item_type != "ARCHIVE" else ""
        tasks = ""
        if item_type != "ARCHIVE" or status != "DRAFT":
            t_status = task_status[status]
            fulfilled = t_status == "FULFILLED"
            scene = f"FF01_{_cell_of(lon, lat):06d}_{start_ymd}_L2A_{end_ymd}_{i % 10**8:08d}"
            tasks = task_template % (
                created_iso, user, "SUCCESSFUL" if fulfilled else "", end_task, item_id[:9] + "0002" + item_id[13:],
                1 + h % 4 if fulfilled else 0, scene if fulfilled or item_type == "ARCHIVE" else item_id,
                start_task, t_status, final / 10 if t_status != "DRAFT" else 0,
                "" if t_status == "DRAFT" else item_id[:9] + "0003" + item_id[13:],
                "ARCHIVE" if item_type == "ARCHIVE" else "TASKING", created_iso, user,
            )
        by = others[(h >> 3) & 1]
        body = template % (
            area, base, cloud, created_iso, by, "EXPEDITED" if h & 1 else "STANDARD", end_z,
            feasibility(area, cloud, off_nadir, lat) if item_type != "ARCHIVE" else "NOT_APPLICABLE", final,
            w, so, e, so, e, n, w, n, w, so, item_id, created_iso, i, 3 if item_type == "RECURRING" else 0,
            occurrences, off_nadir, order_id,
            "NOT_APPLICABLE" if item_type == "ARCHIVE" else "ONCE" if item_type == "TASKING" else "MONTHLY",
            start_z, status, tasks, final / 10, item_id[:9] + "0004" + item_id[13:], item_type, created_iso, by, by,
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


# ---------------------------------------------------------------------------------------------
# routes
# ---------------------------------------------------------------------------------------------


async def _json_body(request: Request) -> Any:
    try:
        return await read_json(request, max_bytes=MAX_BODY_BYTES)
    except BodyError as exc:
        raise error(exc.status, str(exc), "VALIDATION_ERROR" if exc.status == 400 else None) from None


def build_router(state: SandboxState) -> APIRouter:
    router = APIRouter(prefix=BASE, tags=["Pixxel v0"])
    auth = Depends(authenticate)

    @router.post("/orders", status_code=201, summary="Create an order (dry_run prices without placing)")
    async def post_order(request: Request, org: str = auth) -> JSONResponse:
        return JSONResponse(create_order(state, org, await _json_body(request)), 201)

    @router.get("/orders", summary="List orders (user_id, limit, offset)")
    async def get_orders(request: Request, org: str = auth) -> Response:
        return json_response(list_orders(state, org, request))

    @router.get("/orders/{order_id}", summary="Get an order with its items")
    async def get_one_order(order_id: str, org: str = auth) -> Response:
        return json_response(get_order(state, org, order_id))

    @router.get("/order-items", summary="List order items (filters, ranges 'from,to', limit ≤ 1000, offset)")
    async def get_items(request: Request, org: str = auth) -> Response:
        return json_response(list_items(state, org, request))

    @router.get("/order-items/{item_id}", summary="Get an order item with its tasks")
    async def get_item(item_id: str, org: str = auth) -> Response:
        rows = state.store.execute("SELECT body FROM docs WHERE provider=? AND kind=? AND id=? AND org=?",
                                   (NAME, KIND_ITEM, item_id, org))
        if not rows:
            raise not_found("Order item", item_id)
        return json_response(rows[0][0])

    @router.get("/bandsets", summary="List bandsets (VNIR, SWIR, VSWIR, ...)")
    async def get_bandsets(org: str = auth) -> dict[str, Any]:
        return {"bandsets": [{k: b[k] for k in ("id", "name", "description", "captures", "bands")} for b in BANDSETS]}

    @router.get("/projects", summary="List projects (one default project per organisation)")
    async def get_projects(org: str = auth) -> dict[str, Any]:
        return {"projects": [default_project(org)], "pagination": {"total": 1, "offset": 0, "limit": 10}}

    @router.get("/projects/{project_id}", summary="Get a project")
    async def get_project(project_id: str, org: str = auth) -> dict[str, Any]:
        if project_id != default_project_id(org):
            raise not_found("Project", project_id)
        return default_project(org)

    @router.get("/ping", summary="Check the API key")
    async def ping(org: str = auth) -> dict[str, Any]:
        return {"message": "pong"}

    @router.post("/archives/search", summary="Search archive scenes (STAC-like: bbox|intersects, datetime, limit, offset)")
    async def search(request: Request, org: str = auth) -> dict[str, Any]:
        return archive_search(state, await _json_body(request))

    return router


PROVIDER = ProviderSpec(
    name=NAME,
    build_router=build_router,
    error=lambda status, message: error(status, message),
    validation_error=_validation_error,
    stepper=step,
    seeders={"order_items": seed_items},
)

__all__ = ["BANDSETS", "PROVIDER", "create_order", "feasibility", "scene_by_id", "search_scenes", "step"]
