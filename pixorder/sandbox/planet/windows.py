"""Imaging windows for Assured Tasking: ``POST /imaging-windows/search/`` and its poll.

* ``POST /imaging-windows/search/`` → 201 ``{"id", "status": "CREATED"}`` with a **relative**
  ``Location: /tasking/v2/imaging-windows/search/{id}/`` (a path, as Planet's ``Location`` headers are).
* ``GET /imaging-windows/search/{id}/``: each poll moves the search one step, CREATED → IN_PROGRESS →
  DONE (a client must poll until DONE or FAILED, as with the real API). FAILED carries ``error_code``
  and ``error_message``: this sandbox fails searches above 82° of latitude, which SkySat's orbit does
  not reach. DONE carries ``imaging_windows[]``.

A window (shape per the 2.0.0 reference and [3P] stapi-fastapi-planet / go-sar-vendor): ``id``,
``start_time``, ``end_time``, ``cloud_forecast: [{start_time, end_time, prediction, historical}]``
(``prediction``/``historical``: cloud fraction 0–1), ``off_nadir_angle_min``,
``off_nadir_angle_max`` (degrees, from the pass's elevation range), ``satellite_type`` (SKYSAT),
``assured_tasking_tier``, ``pl_number``, ``product``. One pass a day around 10:30 local solar time,
jittered deterministically by place and day, so the same search finds the same windows.
"""

from __future__ import annotations

import math
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from shapely.geometry import LineString, Point

from .. import price_book
from ..geometry import GeometryError, parse_geometry
from ..keys import KeyGrant
from ..state import SandboxState
from ..store import Doc
from ..timeutil import iso
from .catalog import (
    ASSURED_PRODUCT,
    BASE,
    IMAGING_WINDOW_HORIZON,
    KIND_SEARCH,
    KIND_WINDOW,
    NAME,
    SATELLITE_TYPE,
)
from .errors import FieldErrors, error
from .validation import PL_NUMBER, check_product, number, time_field

EARTH_RADIUS_KM = 6371.0
ORBIT_ALTITUDE_KM = 450.0  # SkySat
MAX_LATITUDE = 82.0
WINDOW_MINUTES = 8
SEARCH_STEPS = ("CREATED", "IN_PROGRESS", "DONE")


def validate_search(payload: Any, now: datetime, grant: KeyGrant) -> tuple[Point, dict[str, Any]]:
    if not isinstance(payload, dict):
        raise FieldErrors({"non_field_errors": ["Invalid data. Expected a dictionary."]})
    check_product(payload.get("product", ASSURED_PRODUCT), grant)
    errors: dict[str, list[str]] = {}
    point = Point(0, 0)
    try:
        geom = parse_geometry(payload.get("geometry"), ("Point", "LineString"))
        if isinstance(geom, LineString) and len(geom.coords) != 2:
            raise GeometryError("A LineString for imaging windows must have exactly two points.")
        point = geom if isinstance(geom, Point) else geom.interpolate(0.5, normalized=True)
    except GeometryError as exc:
        errors["geometry"] = [str(exc)]
    if payload.get("product", ASSURED_PRODUCT) != ASSURED_PRODUCT:
        errors["product"] = [f'Imaging windows are only available for product "{ASSURED_PRODUCT}".']
    pl_number = payload.get("pl_number") or price_book.PLANET_DEFAULT_PL_NUMBER
    if not isinstance(pl_number, str) or not PL_NUMBER.match(pl_number):
        errors["pl_number"] = ['Expected a PL-number like "PL-1163400".']
    start = time_field(payload, "start_time", now, errors)
    end = time_field(payload, "end_time", now + IMAGING_WINDOW_HORIZON, errors)
    if end <= start:
        errors["end_time"] = ["end_time must be after start_time."]
    elif end > now + IMAGING_WINDOW_HORIZON + timedelta(minutes=1):
        errors["end_time"] = ["Imaging windows can be searched at most 7 days ahead."]
    # Older examples use satellite_elevation_angle_* (api-notes §4.5); accept both spellings.
    for short, old in (("sat_elevation_angle_min", "satellite_elevation_angle_min"),
                       ("sat_elevation_angle_max", "satellite_elevation_angle_max")):
        if short not in payload and old in payload:
            payload[short] = payload[old]
    low = number(payload, "sat_elevation_angle_min", 60.0, 0, 90, errors)
    high = number(payload, "sat_elevation_angle_max", 90.0, 0, 90, errors)
    if low is not None and high is not None and low > high:
        errors["sat_elevation_angle_min"] = ["sat_elevation_angle_min must not exceed sat_elevation_angle_max."]
    if errors:
        raise FieldErrors(errors)
    return point, {"pl_number": pl_number, "start": start, "end": end, "low": low, "high": high,
                   "geometry": payload["geometry"]}


def off_nadir(elevation_deg: float) -> float:
    """The satellite's off-nadir angle seeing a target at ``elevation_deg`` (spherical Earth)."""
    ratio = EARTH_RADIUS_KM / (EARTH_RADIUS_KM + ORBIT_ALTITUDE_KM)
    return math.degrees(math.asin(ratio * math.cos(math.radians(elevation_deg))))


def imaging_windows(point: Point, opts: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """One pass a day around 10:30 local solar time, jittered deterministically by place and day."""
    start, end, low, high = opts["start"], opts["end"], opts["low"], opts["high"]
    windows = []
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    while day < end:
        seed = f"{point.x:.5f},{point.y:.5f},{day.date().isoformat()}"
        rng = random.Random(seed)
        solar_hours = (10.5 - point.x / 15) % 24 + rng.uniform(-0.5, 0.5)
        opens = day + timedelta(hours=solar_hours)
        closes = opens + timedelta(minutes=WINDOW_MINUTES)
        elevations = sorted((low + (high - low) * rng.random(), low + (high - low) * rng.random()))
        prediction = round(rng.random() * 0.8, 2)
        if start <= opens and closes <= end:
            windows.append({
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "planet-window:" + seed)),
                "start_time": iso(opens),
                "end_time": iso(closes),
                "pl_number": opts["pl_number"],
                "product": ASSURED_PRODUCT,
                "satellite_type": SATELLITE_TYPE,
                "assured_tasking_tier": "STANDARD",
                "off_nadir_angle_min": round(off_nadir(elevations[1]), 2),
                "off_nadir_angle_max": round(off_nadir(elevations[0]), 2),
                "cloud_forecast": [{
                    "start_time": iso(opens),
                    "end_time": iso(closes),
                    "prediction": prediction,
                    "historical": round(min(1.0, prediction * 0.5 + 0.2), 2),
                }],
            })
        day += timedelta(days=1)
    return windows


def start_search(state: SandboxState, org: str, now: datetime, point: Point, opts: dict[str, Any]) -> dict[str, Any]:
    """Store a new search (status CREATED) and the windows it will report; returns its public body."""
    failed = abs(point.y) > MAX_LATITUDE
    windows = [] if failed else imaging_windows(point, opts, now)
    search = {
        "id": str(uuid.uuid4()), "status": "CREATED", "created_time": iso(now), "updated_time": iso(now),
        "geometry": opts["geometry"], "pl_number": opts["pl_number"], "product": ASSURED_PRODUCT,
        "start_time": iso(opts["start"]), "end_time": iso(opts["end"]),
        "sat_elevation_angle_min": opts["low"], "sat_elevation_angle_max": opts["high"],
        "_windows": windows, "_failed": failed,
    }
    with state.store.transaction():
        state.store.insert(Doc(NAME, KIND_SEARCH, search["id"], search, org=org, created_at=iso(now), status="CREATED"))
        for window in windows:  # kept so an order can name one in imaging_window
            state.store.put(Doc(NAME, KIND_WINDOW, window["id"], window, org="", created_at=iso(now)))
    return public(search)


def search_location(search_id: str) -> str:
    return f"{BASE}/imaging-windows/search/{search_id}/"


def poll(state: SandboxState, org: str, search_id: str, now: datetime) -> dict[str, Any]:
    """Advance the search one step (CREATED → IN_PROGRESS → DONE or FAILED) and return it."""
    with state.store.transaction():
        doc = state.store.get(NAME, KIND_SEARCH, search_id, org=org)
        if doc is None:
            raise error(404, "Not found.")
        search = doc.body
        if search["status"] == "CREATED":
            search["status"] = "IN_PROGRESS"
        elif search["status"] == "IN_PROGRESS" and search["_failed"]:
            search.update(status="FAILED", error_code="NO_ACCESS",
                          error_message=f"No imaging windows: SkySat does not image beyond {MAX_LATITUDE:g}° latitude.")
        elif search["status"] == "IN_PROGRESS":
            search.update(status="DONE", imaging_windows=search["_windows"])
        else:
            return public(search)
        search["updated_time"] = iso(now)
        state.store.put(Doc(NAME, KIND_SEARCH, doc.id, search, org=org, created_at=doc.created_at,
                            status=search["status"]))
    return public(search)


def public(search: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in search.items() if not key.startswith("_")}
