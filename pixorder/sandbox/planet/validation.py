"""Validation of order-like payloads (creation, pricing, bulk) into an :class:`OrderSpec`."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shapely.geometry import LineString, Point

from .. import price_book
from ..geometry import (
    GeometryError,
    areas_km2,
    check_strip_length,
    lengths_km,
    line_strip,
    parse_geometries,
    point_square,
)
from ..keys import KeyGrant
from ..state import SandboxState
from ..timeutil import parse_iso
from .catalog import (
    ASSURED_PRODUCT,
    KIND_WINDOW,
    NAME,
    ORDER_TYPES,
    POINT_SIDE_KM,
    SCHEDULING_TYPES,
    STRIP_WIDTH_KM,
    default_product,
    product_grant,
)
from .errors import FieldErrors, NotPermitted

PL_NUMBER = re.compile(r"^PL-[A-Za-z0-9_-]+$")
_RRULE_COUNT = re.compile(r"(?:^|;)COUNT=(\d+)")
_RRULE_FREQ = re.compile(r"(?:^|;)FREQ=([A-Z]+)")
_RRULE_INTERVAL = re.compile(r"(?:^|;)INTERVAL=(\d+)")
_FREQ_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 30, "YEARLY": 365}
DATETIME_FORMAT_ERROR = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]]Z."


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


class Footprint:
    """A geometry as sent, parsed and measured; Planet's stored geometry (the 5×5 km square of a Point,
    the strip of a LineString, a Polygon as sent) is built on first use, since pricing never needs it."""

    def __init__(self, source: dict[str, Any], geom: Any, area: float) -> None:
        self.source, self.geom, self.area = source, geom, area
        self._geometry: dict[str, Any] | None = None

    @property
    def geometry(self) -> dict[str, Any]:
        if self._geometry is None:
            if isinstance(self.geom, Point):
                self._geometry = point_square(self.geom.x, self.geom.y)
            elif isinstance(self.geom, LineString):
                self._geometry = line_strip(self.geom, STRIP_WIDTH_KM)
            else:
                self._geometry = {"type": "Polygon", "coordinates": self.source["coordinates"]}
        return self._geometry


def footprints(geojsons: list[Any]) -> list[Footprint | GeometryError]:
    """Each geometry as a :class:`Footprint` with its area in km², or the GeometryError refusing it;
    the areas and strip lengths of all of them are measured in one batch."""
    out: list[Footprint | GeometryError] = []
    lines: list[int] = []
    polygons: list[int] = []
    for index, (geojson, geom) in enumerate(zip(geojsons, parse_geometries(geojsons, ("Point", "LineString", "Polygon")))):
        if isinstance(geom, GeometryError):
            out.append(geom)
            continue
        # Point and strip areas are exact by construction (side², width × length): measuring the
        # rounded output coordinates would report e.g. 25.0005 instead of the documented 25.0.
        if isinstance(geom, Point):
            out.append(Footprint(geojson, geom, POINT_SIDE_KM**2))
            continue
        (lines if isinstance(geom, LineString) else polygons).append(index)
        out.append(Footprint(geojson, geom, 0.0))
    for index, length in zip(lines, lengths_km([out[i].geom for i in lines])):  # type: ignore[union-attr]
        try:
            check_strip_length(length)
        except GeometryError as exc:
            out[index] = exc
            continue
        out[index].area = STRIP_WIDTH_KM * length  # type: ignore[union-attr]
    for index, area in zip(polygons, areas_km2([out[i].geom for i in polygons])):  # type: ignore[union-attr]
        out[index].area = area  # type: ignore[union-attr]
    return out


def measure_payloads(payloads: list[Any]) -> list[Footprint | GeometryError | None]:
    """The footprint of each payload's geometry, all measured at once (None where there is none to measure)."""
    present = [i for i, p in enumerate(payloads) if isinstance(p, dict) and "geometry" in p]
    out: list[Footprint | GeometryError | None] = [None] * len(payloads)
    for index, measured in zip(present, footprints([payloads[i]["geometry"] for i in present])):
        out[index] = measured
    return out


def number(payload: dict[str, Any], key: str, default: float | None, low: float, high: float,
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


def time_field(payload: dict[str, Any], key: str, default: datetime, errors: dict[str, list[str]]) -> datetime:
    value = payload.get(key)
    if value is None:
        return default
    try:
        return parse_iso(value)
    except (TypeError, ValueError):
        errors[key] = [DATETIME_FORMAT_ERROR]
        return default


def _choice(payload: dict[str, Any], key: str, default: str, choices: tuple[str, ...],
            errors: dict[str, list[str]]) -> str:
    value = payload.get(key) or default
    if value not in choices:
        errors[key] = [f'"{value}" is not a valid choice. Choose one of {", ".join(choices)}.']
        return default
    return value


def check_product(product: Any, grant: KeyGrant) -> None:
    """403 for a known product outside the key's contract (unknown products are a 400 elsewhere)."""
    if isinstance(product, str) and product in price_book.PLANET_PRODUCTS and not grant.has(product_grant(product)):
        raise NotPermitted(f'You do not have permission to use product "{product}": it is not part of '
                           "the contract of this API key. See GET /tasking/v2/products/.")


def validate_order(payload: Any, state: SandboxState, now: datetime, grant: KeyGrant, *,
                   for_pricing: bool = False, measured: Footprint | GeometryError | None = None) -> OrderSpec:
    """Validate an order(-like) payload.

    Raises :class:`NotPermitted` (403) for a product outside the key's contract, else
    :class:`FieldErrors` naming every bad field. Assured Tasking needs an ``imaging_window`` (an id
    from the imaging-window search) for ordering and for pricing alike (Planet 2.0.0 reference).
    ``measured``: the payload's geometry already through :func:`footprints` (a batch measures many at
    once). A pricing leaves the spec's ``geometry`` empty: nothing is priced by it.
    """
    if not isinstance(payload, dict):
        raise FieldErrors({"non_field_errors": ["Invalid data. Expected a dictionary."]})
    product = payload.get("product") or default_product(grant)
    check_product(product, grant)
    errors: dict[str, list[str]] = {}
    name = payload.get("name")
    if not for_pricing and (not isinstance(name, str) or not name.strip()):
        errors["name"] = ["This field is required."]
    elif name is not None and (not isinstance(name, str) or len(name) > 255):
        errors["name"] = ["Ensure this field is a string with no more than 255 characters."]

    area = 0.0
    if "geometry" not in payload:
        errors["geometry"] = ["This field is required."]
    else:
        if measured is None:
            measured = footprints([payload["geometry"]])[0]
        if isinstance(measured, GeometryError):
            errors["geometry"] = [str(measured)]
        else:
            area = measured.area

    elevation_min = number(payload, "sat_elevation_angle_min", 60.0, 0, 90, errors)
    elevation_max = number(payload, "sat_elevation_angle_max", 90.0, 0, 90, errors)
    if elevation_min is not None and elevation_max is not None and elevation_min > elevation_max:
        errors["sat_elevation_angle_min"] = ["sat_elevation_angle_min must not exceed sat_elevation_angle_max."]
    cloud_threshold = number(payload, "cloud_threshold", None, 0, 100, errors)

    if not isinstance(product, str) or product not in price_book.PLANET_PRODUCTS:  # a JSON object is no product
        errors["product"] = [f'Product "{product}" is not available for this contract. '
                             f'Available: {", ".join(price_book.PLANET_PRODUCTS)}.']
    pl_number = payload.get("pl_number") or price_book.PLANET_DEFAULT_PL_NUMBER
    if not isinstance(pl_number, str) or not PL_NUMBER.match(pl_number):
        errors["pl_number"] = ['Expected a PL-number like "PL-1163400".']

    order_type = _choice(payload, "order_type", "IMAGE", ORDER_TYPES, errors)
    window_id = payload.get("imaging_window")
    default_scheduling = "ASSURED" if window_id or product == ASSURED_PRODUCT else "FLEXIBLE"
    scheduling_type = _choice(payload, "scheduling_type", default_scheduling, SCHEDULING_TYPES, errors)

    start_time = time_field(payload, "start_time", now, errors)
    end_time = time_field(payload, "end_time", start_time + timedelta(days=30), errors)
    if window_id is not None:
        start_time, end_time = _window_times(state, window_id, errors, start_time, end_time)
    elif product == ASSURED_PRODUCT or scheduling_type == "ASSURED":
        errors["imaging_window"] = ["This field is required for Assured Tasking orders. Search for imaging "
                                    "windows with POST /tasking/v2/imaging-windows/search/ and send one's id."]
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
    assert elevation_min is not None and elevation_max is not None  # number() gives None only with an error
    assert isinstance(measured, Footprint)  # a geometry error was raised above
    return OrderSpec(
        name=name, geometry={} if for_pricing else measured.geometry, original_geometry=payload["geometry"], area_sqkm=area,
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
    freq = _RRULE_FREQ.search(rrule) if isinstance(rrule, str) else None
    if freq is None:
        errors["rrule"] = ['Expected an RFC 5545 RRULE such as "FREQ=WEEKLY;COUNT=4".']
    elif freq.group(1) not in _FREQ_DAYS:
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
