"""Constants, stable ids, time formats and small helpers shared by the Pixxel sandbox modules."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from shapely.geometry import mapping

from ..timeutil import UTC

NAME = "pixxel"
BASE = "/v0"
KIND_ORDER = "order"
KIND_ITEM = "order_item"
KIND_STORE = "store"
KIND_DELIVERY = "delivery"
KIND_DOWNLOAD = "download"

# Stored item bodies keep the AOI under this key; every read removes it (json_remove in SQL), since
# the official schema has no geometry on order items.
HIDDEN_AOI = "_aoi"

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
MAX_NAME_LENGTH = 100  # official OpenAPI: docOriginalOrderItem.name maxLength 100
DEFAULT_CLOUD_COVER = DEFAULT_OFF_NADIR = 20  # official OpenAPI: "default: 20"

# Official OpenAPI enums (clerk.*).
RECURRENCES = ("ONCE", "MONTHLY", "BIMONTHLY", "QUARTERLY")
RECURRENCE_MONTHS = {"MONTHLY": 1, "BIMONTHLY": 2, "QUARTERLY": 3}  # BIMONTHLY = every two months
# STANDARD and NOT_APPLICABLE are the spec's enum; EXPEDITED (+20 %, 24 h) is documented on the
# developer guide's tasking page and kept as the sandbox's one addition.
DELIVERY_SPEEDS = ("STANDARD", "EXPEDITED", "NOT_APPLICABLE")
ITEM_TYPES = ("TASKING", "ARCHIVE", "RECURRING")
ITEM_STATUSES = ("DRAFT", "ACTIVE", "FULFILLED", "CANCELLED", "FAILED", "PARTIALLY_FULFILLED")
ITEM_FINAL = ("FULFILLED", "PARTIALLY_FULFILLED", "FAILED", "CANCELLED")
TASK_TERMINAL = ("FULFILLED", "FAILED")

_NS = uuid.UUID("6f1c3c1e-5d3b-4a57-9d8e-0c3f1d9a7e21")  # namespace of the sandbox's stable uuids


@lru_cache(maxsize=4096)
def stable_uuid(*parts: str) -> str:
    """A UUID derived from ``parts``: the same parts always give the same id."""
    return str(uuid.uuid5(_NS, "/".join(parts)))


def org_uuid(org: str) -> str:
    """The organisation's id as the API shows it."""
    return stable_uuid("org", org)


def user_uuid(org: str) -> str:
    """The one user behind an organisation's sandbox key."""
    return stable_uuid("user", org)


def default_project_id(org: str) -> str:
    """The id of the organisation's default project."""
    return stable_uuid("project", org, "default")


def seed_uuid(run: str, kind: int, i: int) -> str:
    """UUID-shaped ids for seeded rows, cheap to format (uuid4() per row would dominate seeding)."""
    return f"{run[:8]}-{kind:04x}-4{(i >> 24) & 0xFFF:03x}-8{(i >> 12) & 0xFFF:03x}-{i:012x}"


def hash_of(*parts: str) -> int:
    """A stable 64-bit hash of ``parts`` (drives every deterministic choice of the emulation)."""
    return int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:8], "big")


def geojson(geom: Any) -> dict[str, Any]:
    """A shapely geometry as plain GeoJSON (lists, not tuples)."""
    return json.loads(json.dumps(mapping(geom)))


# ---------------------------------------------------------------------------------------------
# time formats (the docs mix three)
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1024)  # an order's items share their few moments; strftime per item was a tenth of a dry run
def order_ts(moment: datetime) -> str:
    """Order timestamps look like ``2020-01-01T00:00:00+00:00`` in the docs."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


@lru_cache(maxsize=1024)
def date_z(moment: datetime) -> str:
    """Item ``start_date``/``end_date``: ``2020-10-22T00:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def task_date(moment: datetime) -> str:
    """Task dates are ``DD-MM-YYYY``."""
    return moment.astimezone(UTC).strftime("%d-%m-%Y")


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` shifted by whole calendar months (the day clipped to the month's length)."""
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    days_in_month = (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days
    return moment.replace(year=year, month=month, day=min(moment.day, days_in_month))
