"""Provider-neutral pydantic models: what pixorder hands to users, whatever the provider said."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Annotated, Any, Generic, TypeVar

import pydantic
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, model_validator

from pixorder.errors import PixorderWarning, ValidationError
from pixorder.providers._wire import iso_z

#: model class → its HTML table for notebooks. :mod:`pixorder.frames` builds the tables and registers
#: them when imported (the client and ``import pixorder``'s names import it); models never import frames.
_HTML_REPRS: dict[type, Callable[[Any], str]] = {}


def register_html_repr(cls: type, build: Callable[[Any], str]) -> None:
    """Make ``build(model)`` the HTML repr of ``cls``'s instances (used by :mod:`pixorder.frames`).

    Args:
        cls: the model class (exact type: subclasses are not covered).
        build: model → HTML text; a later registration for ``cls`` replaces an earlier one.

    >>> class Toy:
    ...     pass
    >>> register_html_repr(Toy, lambda model: "<b>toy</b>")
    >>> html_repr(Toy())
    '<b>toy</b>'
    """
    _HTML_REPRS[cls] = build


def html_repr(model: Any) -> str | None:
    """``model``'s HTML table, or None (the notebook then shows its text repr) when none is registered.

    Args:
        model: any object; looked up by its exact type.

    Returns:
        str | None: the HTML (``Quote``, ``Order``, ``Quotation`` and ``ImagingWindow`` get a one-row
        table once :mod:`pixorder.frames` is imported, as the client does), else None.

    >>> import pixorder.frames
    >>> html_repr(Quote(provider="planet", amount=25.0, unit="SQKM")).startswith("<div>")
    True
    >>> html_repr(Sensor(provider="planet", id="Flexible Tasking")) is None
    True
    """
    build = _HTML_REPRS.get(type(model))
    return None if build is None else build(model)


__all__ = [
    "ArchiveRequest",
    "Delivery",
    "DeliverySpeed",
    "FeasibilityOption",
    "FeasibilityStatus",
    "FeasibilityStudy",
    "ImagingWindow",
    "ItemType",
    "OpenEnum",
    "Order",
    "OrderItem",
    "OrderStatus",
    "Page",
    "Quotation",
    "QuotationStatus",
    "Quote",
    "Recurrence",
    "RequiredUTCDateTime",
    "Sensor",
    "Task",
    "TaskStatus",
    "TaskingRequest",
    "UTCDateTime",
    "Uplift",
    "drawn_area_km2",
    "elevation_to_off_nadir",
    "format_amount",
    "html_repr",
    "off_nadir_to_elevation",
    "parse_datetime",
    "register_html_repr",
    "shortened",
]


# ----------------------------------------------------------------------------------------------- enums
class OpenEnum(str, Enum):
    """A string enum that never crashes on a value it does not know.

    Known values match case-insensitively, with ``-`` and spaces read as ``_``; the docs' slash-joined
    examples (``"FAILED/WEAK_SUCCESS/SUCCESS"``) read as their first known value; synonyms across doc
    versions (``COMPLETED`` and ``FULFILLED``) map through ``_synonyms``. Anything else is kept as a
    pseudo-member holding the raw string, so ``status == "SOMETHING_NEW"`` still works.

    >>> TaskStatus("COMPLETED") is TaskStatus.FULFILLED
    True
    >>> FeasibilityStatus("FAILED/WEAK_SUCCESS/SUCCESS")
    <FeasibilityStatus.FAILED: 'FAILED'>
    >>> TaskStatus("WARP_SPEED").value
    'WARP_SPEED'
    """

    @classmethod
    def _synonym_map(cls) -> dict[str, str]:
        return {}

    @staticmethod
    def key(text: str) -> str:
        """``text`` as the enums compare words: stripped, upper case, ``-`` and spaces read as ``_``.

        >>> OpenEnum.key(" being-placed ")
        'BEING_PLACED'
        """
        return re.sub(r"[\s\-]+", "_", text.strip()).upper()

    @classmethod
    def _lookup(cls, text: str) -> OpenEnum | None:
        key = OpenEnum.key(text)
        key = cls._synonym_map().get(key, key)
        for member in cls:
            if member.value == key:
                return member
        return None

    @classmethod
    def _missing_(cls, value: object) -> OpenEnum | None:
        if not isinstance(value, str):
            return None
        for part in value.split("/") if "/" in value else [value]:
            found = cls._lookup(part)
            if found is not None:
                return found
        pseudo = str.__new__(cls, value)
        pseudo._name_ = value
        pseudo._value_ = value
        return pseudo

    @property
    def known(self) -> bool:
        """False for a value the provider sent that pixorder does not know yet."""
        return self._name_ in type(self).__members__

    def __str__(self) -> str:
        return str(self.value)


class OrderStatus(OpenEnum):
    """Life-cycle status of an order or order item, in one vocabulary for every provider.

    The providers' words are read through synonyms (Planet ``COMPLETED``, Geopera ``BEING_FULFILLED``,
    US/UK ``CANCELED``/``CANCELLED``, …); the word a provider used stays in ``Order.provider_status``.

    >>> OrderStatus("COMPLETED"), OrderStatus("Canceled"), OrderStatus("being fulfilled")
    (<OrderStatus.FULFILLED: 'FULFILLED'>, <OrderStatus.CANCELLED: 'CANCELLED'>, <OrderStatus.IN_PROGRESS: 'IN_PROGRESS'>)
    >>> OrderStatus("ON_HOLD").known
    False
    """

    DRAFT = "DRAFT"
    RECEIVED = "RECEIVED"
    REQUESTED = "REQUESTED"
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    IN_PROGRESS = "IN_PROGRESS"
    PARTIALLY_FULFILLED = "PARTIALLY_FULFILLED"
    FULFILLED = "FULFILLED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    FAILED = "FAILED"

    @classmethod
    def _synonym_map(cls) -> dict[str, str]:
        return {
            "COMPLETED": "FULFILLED",
            "PARTIALLY_COMPLETED": "PARTIALLY_FULFILLED",
            "CANCELED": "CANCELLED",
            "CREATED": "RECEIVED",
            "BEING_PLACED": "RECEIVED",
            "PLACED": "PENDING",
            "BEING_FULFILLED": "IN_PROGRESS",
            "FAILED_PERMANENTLY": "FAILED",
        }


class TaskStatus(OpenEnum):
    """Status of a task (one acquisition attempt); COMPLETED/FULFILLED and SUBMITTED/REQUESTED are synonyms.

    >>> TaskStatus("SUBMITTED"), TaskStatus("completed")
    (<TaskStatus.REQUESTED: 'REQUESTED'>, <TaskStatus.FULFILLED: 'FULFILLED'>)
    """

    DRAFT = "DRAFT"
    REQUESTED = "REQUESTED"
    CREATED = "CREATED"
    IN_PROGRESS = "IN_PROGRESS"
    FULFILLED = "FULFILLED"
    PARTIALLY_FULFILLED = "PARTIALLY_FULFILLED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"

    @classmethod
    def _synonym_map(cls) -> dict[str, str]:
        # Pixxel's official OpenAPI says SUBMITTED where its older pages say REQUESTED.
        return {"COMPLETED": "FULFILLED", "CANCELED": "CANCELLED", "PARTIALLY_COMPLETED": "PARTIALLY_FULFILLED",
                "SUBMITTED": "REQUESTED"}


class FeasibilityStatus(OpenEnum):
    """How feasible a tasking request is, as the provider judges it (Pixxel's ``feasibility``).

    >>> FeasibilityStatus("weak success"), FeasibilityStatus("FAILED/WEAK_SUCCESS/SUCCESS")
    (<FeasibilityStatus.WEAK_SUCCESS: 'WEAK_SUCCESS'>, <FeasibilityStatus.FAILED: 'FAILED'>)
    """

    NOT_APPLICABLE = "NOT_APPLICABLE"
    UNSPECIFIED = "UNSPECIFIED"
    FAILED = "FAILED"
    WEAK_SUCCESS = "WEAK_SUCCESS"
    SUCCESS = "SUCCESS"


class ItemType(OpenEnum):
    """What an order or item buys: a new acquisition (tasking), archive scenes, or a recurring tasking.

    >>> ItemType("archive")
    <ItemType.ARCHIVE: 'ARCHIVE'>
    """

    TASKING = "TASKING"
    ARCHIVE = "ARCHIVE"
    RECURRING = "RECURRING"


class DeliverySpeed(OpenEnum):
    """How fast the imagery is delivered; a request takes STANDARD or EXPEDITED (an uplift at Pixxel).

    >>> DeliverySpeed("expedited")
    <DeliverySpeed.EXPEDITED: 'EXPEDITED'>
    >>> DeliverySpeed("EXPRESS").known   # a word a provider sent is kept, never a crash
    False
    """

    STANDARD = "STANDARD"
    EXPEDITED = "EXPEDITED"
    NOT_APPLICABLE = "NOT_APPLICABLE"


class QuotationStatus(OpenEnum):
    """The decision on a quotation or feasibility study (Geopera): NOT_DECIDED until accepted or rejected.

    >>> QuotationStatus("PENDING"), QuotationStatus("waiting")
    (<QuotationStatus.NOT_DECIDED: 'NOT_DECIDED'>, <QuotationStatus.NOT_DECIDED: 'NOT_DECIDED'>)
    """

    NOT_DECIDED = "NOT_DECIDED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"

    @classmethod
    def _synonym_map(cls) -> dict[str, str]:
        return {"PENDING": "NOT_DECIDED", "WAITING": "NOT_DECIDED"}


class Recurrence(OpenEnum):
    """How often a tasking request repeats; the interval in days drives the occurrence dates.

    ``interval_days``: 7, 14, 30, 60 or 91 days; None for ONCE and NOT_APPLICABLE. A recurring
    ``TaskingRequest`` needs ``occurrences`` ≥ 2.

    >>> Recurrence("monthly").interval_days, Recurrence.ONCE.interval_days
    (30, None)
    """

    ONCE = "ONCE"
    WEEKLY = "WEEKLY"
    BIWEEKLY = "BIWEEKLY"
    MONTHLY = "MONTHLY"
    BIMONTHLY = "BIMONTHLY"
    QUARTERLY = "QUARTERLY"
    NOT_APPLICABLE = "NOT_APPLICABLE"

    @property
    def interval_days(self) -> int | None:
        return {"WEEKLY": 7, "BIWEEKLY": 14, "MONTHLY": 30, "BIMONTHLY": 60, "QUARTERLY": 91}.get(self.value)


# ------------------------------------------------------------------------------------------- datetimes
_DMY = re.compile(r"^(\d{2})-(\d{2})-(\d{4})$")
_FRACTION = re.compile(r"(\.\d+)")


def parse_datetime(value: Any, field: str = "datetime") -> datetime | None:
    """Read every datetime form the providers' docs show; always tz-aware UTC, ``""`` → None.

    Args:
        value: a ``datetime`` (naive means UTC), a ``date``, a Unix timestamp (seconds), an ISO 8601
            string (``Z`` or an offset; a space for ``T``; any count of fractional digits), a
            ``DD-MM-YYYY`` date, ``""`` or None.
        field: the field named in the error.

    Returns:
        datetime | None: tz-aware, in UTC; None for None or a blank string.

    Raises:
        ValidationError: a value that is none of these, an impossible date, a non-finite timestamp,
            a whole number from 1000 to 9999 (a year, not seconds since 1970), or a moment outside
            years 1–9999 in UTC.

    >>> parse_datetime("2022-11-14 12:55:49.1+00:00")
    datetime.datetime(2022, 11, 14, 12, 55, 49, 100000, tzinfo=datetime.timezone.utc)
    >>> parse_datetime("25-05-2024")
    datetime.datetime(2024, 5, 25, 0, 0, tzinfo=datetime.timezone.utc)
    >>> parse_datetime("") is None
    True
    >>> parse_datetime(1700000000)
    datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc)
    >>> parse_datetime(2027, "start")
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: start: looks like a year, not a moment: give a date such as '2027-01-01' (got 2027)
    >>> parse_datetime("31-02-2030", "start")
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: start: is not a valid DD-MM-YYYY date (day is out of range for month) (got '31-02-2030')
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValidationError(field, "must be a finite timestamp", value)
        if isinstance(value, int) and 1000 <= value <= 9999:  # 2027 s after 1970 is never meant: a year is
            raise ValidationError(field, f"looks like a year, not a moment: give a date such as '{value}-01-01'",
                                  value)
        try:
            moment = datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise ValidationError(field, "must be a Unix timestamp between years 1 and 9999", value) from None
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        dmy = _DMY.match(text)
        if dmy:
            day, month, year = (int(g) for g in dmy.groups())
            try:
                moment = datetime(year, month, day)
            except ValueError as exc:
                raise ValidationError(field, f"is not a valid DD-MM-YYYY date ({exc})", value) from None
        else:
            text = text.replace(" ", "T", 1) if "T" not in text else text
            if text.endswith(("Z", "z")):
                text = text[:-1] + "+00:00"
            # fromisoformat wants 3 or 6 fractional digits on older Pythons: pad or trim to 6.
            text = _FRACTION.sub(lambda m: "." + (m.group(1)[1:] + "000000")[:6], text, count=1)
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                raise ValidationError(field, "must be an ISO 8601 datetime or DD-MM-YYYY date", value) from None
    else:
        raise ValidationError(field, "must be a datetime, a date or an ISO 8601 string", value)
    try:
        if moment.tzinfo is None:
            return moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):  # an offset that pushes the moment past year 9999 or before 1
        raise ValidationError(field, "must fall between years 1 and 9999 in UTC", value) from None


def _datetime_validator(value: Any, info: pydantic.ValidationInfo) -> datetime | None:
    return parse_datetime(value, info.field_name or "datetime")


UTCDateTime = Annotated[
    datetime | None,
    BeforeValidator(_datetime_validator),
    PlainSerializer(iso_z, return_type=str | None),
]
"""A tz-aware UTC datetime read from any of the providers' forms; None when absent or ``""``."""


def _required_datetime_validator(value: Any, info: pydantic.ValidationInfo) -> datetime:
    field = info.field_name or "datetime"
    moment = parse_datetime(value, field)
    if moment is None:
        raise ValidationError(field, "is required")
    return moment


RequiredUTCDateTime = Annotated[
    datetime,
    BeforeValidator(_required_datetime_validator),
    PlainSerializer(iso_z, return_type=str),
]
"""A tz-aware UTC datetime that must be given (a request's ``start`` and ``end``)."""


# ------------------------------------------------------------------------------ angles (Planet's form)
EARTH_RADIUS_KM = 6371.0088
DEFAULT_ORBIT_KM = 500.0


def off_nadir_to_elevation(off_nadir_deg: float, orbit_km: float = DEFAULT_ORBIT_KM) -> float:
    """Satellite elevation angle seen from the target for an off-nadir angle (spherical Earth).

    Args:
        off_nadir_deg: off-nadir angle at the satellite, degrees (0 = looking straight down).
        orbit_km: the satellite's altitude, km (default 500).

    Returns:
        float: elevation angle above the target's horizon, degrees (90 = overhead).

    >>> round(off_nadir_to_elevation(0), 1)
    90.0
    >>> round(off_nadir_to_elevation(25), 1)
    62.9
    """
    ratio = (EARTH_RADIUS_KM + orbit_km) / EARTH_RADIUS_KM * math.sin(math.radians(off_nadir_deg))
    return math.degrees(math.acos(min(1.0, ratio)))


def elevation_to_off_nadir(elevation_deg: float, orbit_km: float = DEFAULT_ORBIT_KM) -> float:
    """Off-nadir angle for a satellite elevation angle seen from the target; inverse of the above.

    Planet's requests take a minimum elevation angle; pixorder's requests take a maximum off-nadir angle.

    Args:
        elevation_deg: elevation angle above the target's horizon, degrees (90 = overhead).
        orbit_km: the satellite's altitude, km (default 500).

    Returns:
        float: off-nadir angle at the satellite, degrees.

    >>> round(elevation_to_off_nadir(62.9), 1), round(elevation_to_off_nadir(90), 1)
    (25.0, 0.0)
    """
    ratio = EARTH_RADIUS_KM / (EARTH_RADIUS_KM + orbit_km) * math.cos(math.radians(elevation_deg))
    return math.degrees(math.asin(ratio))


# ------------------------------------------------------------------------------------- areas, reprs
_DRAWN = ("the AOI's area as drawn, km²: pixorder's geodesic measure on WGS84, not rounded "
          "(what AOI.area_km2 says)")
_BILLED = ("the area the provider bills, km², counted and rounded its way: Pixxel whole km² rounded up, at "
           "least 100 km² per item (per scene for archive); Planet its own measure to 0.001 km², at least "
           "25 km²; Geopera 0.001 km², at least the sensor's minimum (per capture for archive)")


def drawn_area_km2(geometry: Any) -> float | None:
    """The area (km²) of a GeoJSON geometry as ``AOI.area_km2`` measures it; parts that overlap count once.

    None when there is no geometry or it is not an area pixorder can measure.

    >>> round(drawn_area_km2({"type": "Point", "coordinates": [10.0, 50.0]}), 1)   # a point's 5×5 km square
    25.0
    """
    if not geometry:
        return None
    try:
        import shapely
        import shapely.geometry

        from pixorder.aoi import AOI

        shape = shapely.geometry.shape(geometry)
        if shape.geom_type == "MultiPolygon":  # scenes' clips or repeated captures of one AOI: count once
            shape = shapely.union_all([shapely.make_valid(part) for part in shape.geoms])
        return float(AOI(shape).area_km2)
    except Exception:  # a geometry a provider sent that pixorder cannot measure: no number, not a crash
        return None


def format_amount(amount: float | None, unit: str | None = None) -> str:
    """An amount as pixorder shows it (reprs, widgets): thousands separated, two decimals, then the unit.

    >>> format_amount(1234.5, "USD"), format_amount(25.0), format_amount(None, "USD")
    ('1,234.50 USD', '25.00', '—')
    """
    if amount is None:
        return "—"
    return f"{amount:,.2f} {unit}" if unit else f"{amount:,.2f}"


#: how many characters of an error a model's one-line repr and its notebook table show
ERROR_CHARS = 80


def shortened(text: str, limit: int = ERROR_CHARS) -> str:
    """``text`` on one line (runs of whitespace and line breaks as one space), cut to ``limit``
    characters with ``…``: how reprs and notebook tables show a provider's error, however long.

    >>> shortened("planet HTTP 400:\\n  bad AOI"), shortened("x" * 100, limit=10)
    ('planet HTTP 400: bad AOI', 'xxxxxxxxx…')
    """
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _areas(drawn: float | None, billed: float | None) -> list[str]:
    return [f"area={drawn:,.2f} km²" if drawn is not None else "",
            f"billed={billed:,.3f}".rstrip("0").rstrip(".") + " km²" if billed is not None else ""]


def _statuses(status: Any, payment: str | None) -> list[str]:
    return [f"status={status}" if status is not None else "", f"payment={payment}" if payment else ""]


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _day(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment is not None else "…"


def geometry_summary(geometry: Any) -> str:
    """``"Polygon, 5 vertices, bbox 10.000,50.000 → 10.100,50.100"``: a geometry in one short line.

    Args:
        geometry: a GeoJSON geometry dict (lon/lat); anything else gives ``""``.

    Returns:
        str: type, vertex count (a closing vertex counts) and bbox in degrees, as the one-line reprs show it.

    >>> geometry_summary({"type": "Polygon", "coordinates": [[[10, 50], [10.1, 50], [10.1, 50.1], [10, 50.1], [10, 50]]]})
    'Polygon, 5 vertices, bbox 10.000,50.000 → 10.100,50.100'
    >>> geometry_summary(None)
    ''
    """
    if not isinstance(geometry, dict):
        return ""
    points: list[tuple[float, float]] = []

    def walk(coords: Any) -> None:
        if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
            points.append((float(coords[0]), float(coords[1])))
        elif isinstance(coords, (list, tuple)):
            for c in coords:
                walk(c)

    walk(geometry.get("coordinates"))
    if not points:
        return str(geometry.get("type", "geometry"))
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (f"{geometry.get('type')}, {_count(len(points), 'vertex', 'vertices')}, "
            f"bbox {min(xs):.3f},{min(ys):.3f} → {max(xs):.3f},{max(ys):.3f}")


def _compact(kind: str, parts: Sequence[str], geometry: Any) -> str:
    """``<Kind a b c geometry=…>``: one line with what a user checks; ``raw`` and nested rows left out."""
    text = " ".join(p for p in parts if p)
    summary = geometry_summary(geometry)
    if summary:
        text += f" geometry=({summary})"
    return f"<{kind} {text}>"


# ---------------------------------------------------------------------------------------- base models
class _Translated(BaseModel):
    """Refuses bad values with pixorder's ValidationError naming the field, never pydantic's own."""

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as exc:
            raise _translate(exc) from None


class _Result(_Translated):
    """Base of everything read from a provider: keeps ``provider`` and the payload as received."""

    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True, use_enum_values=False)

    provider: str
    raw: dict[str, Any] = Field(default_factory=dict, repr=False, description="the payload as received")

    def __str__(self) -> str:
        # print(quote) shows what the repr shows (one line a user checks), not every field and
        # coordinate pydantic's str lists.
        return repr(self)


class _Request(_Translated):
    """Base of request models: refuses bad input with pixorder's ValidationError naming the field.

    Changing a field re-validates the whole request as if it had been built with the new value:
    fields derived from others are derived again (``off_nadir`` ⇄ ``elevation_min``, ``occurrences``
    of a one-off), and a value that is refused raises ``pixorder.ValidationError`` and leaves the
    request exactly as it was. ``req.model_copy(update=...)`` is the way to a changed copy; it is
    validated the same way.
    """

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            super().__setattr__(name, value)
            return
        fresh = self._revalidated({name: value})
        self.__dict__.update(fresh.__dict__)
        object.__setattr__(self, "__pydantic_fields_set__", set(fresh.model_fields_set))

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any:
        """A copy with ``update`` applied and the whole request validated again (derived fields too)."""
        if not update:
            return super().model_copy(deep=deep)
        return self._revalidated(dict(update))

    def with_aoi(self, aoi: Any) -> Any:
        """A copy of this request for another AOI, everything else as it is.

        No rule of a request depends on its AOI, so only the AOI is taken in (through ``as_aoi``,
        the one way in) and nothing else is validated again: pricing many AOIs with one request
        costs one validation, not one per AOI.

        Args:
            aoi: an ``AOI`` or anything ``AOI()`` accepts (GeoJSON, shapely, WKT, a file path, …).

        Returns:
            A request of the same type with ``aoi`` replaced.

        Raises:
            pixorder.ValidationError: ``aoi`` is not a valid AOI, named as the constructor names it.

        >>> req = TaskingRequest(aoi={"type": "Point", "coordinates": [10.0, 50.0]},
        ...                      start="2027-01-10", end="2027-01-20", off_nadir=25)
        >>> other = req.with_aoi({"type": "Point", "coordinates": [12.0, 48.0]})
        >>> round(other.aoi.area_km2), other.off_nadir, other.elevation_min == req.elevation_min
        (25, 25.0, True)
        """
        return BaseModel.model_copy(self, update={"aoi": _coerce_aoi(aoi)})

    def _revalidated(self, changes: dict[str, Any]) -> Any:
        unknown = sorted(set(changes) - set(type(self).model_fields))
        if unknown:
            raise ValidationError(unknown[0], f"is not a field of {type(self).__name__}", changes[unknown[0]])
        # What the user set, not what was derived from it: derived fields are derived again.
        given = {k: getattr(self, k) for k in self.model_fields_set}
        # off_nadir and elevation_min say one thing two ways: changing one re-derives the other.
        paired = {"off_nadir": "elevation_min", "elevation_min": "off_nadir"}
        for changed in changes:
            if paired.get(changed) not in (None, *changes):
                given.pop(paired[changed], None)
        return type(self)(**{**given, **changes})


def _translate(exc: pydantic.ValidationError) -> ValidationError:
    errors = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(p) for p in err["loc"]) or "request"
        ctx = err.get("ctx") or {}
        inner = ctx.get("error")
        if isinstance(inner, ValidationError):
            errors.append({"field": inner.field, "rule": inner.rule, "value": inner.value})
            continue
        rule = err["msg"].removeprefix("Value error, ")
        errors.append({"field": field, "rule": rule, "value": err.get("input")})
    first = errors[0]
    return ValidationError(first["field"], first["rule"], first.get("value"), errors=errors)


# ------------------------------------------------------------------------------------------- requests
def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _coerce_aoi(value: Any) -> Any:
    return _aoi_package().as_aoi(value)


@functools.cache
def _aoi_package() -> Any:
    # Imported on first use (models must not import aoi at import time), then kept: a function-level
    # ``from … import`` costs microseconds on every call, and requests are built by the ten thousand.
    import pixorder.aoi

    return pixorder.aoi


class TaskingRequest(_Request):
    """A new acquisition to price or order, in provider-neutral terms.

    >>> from datetime import datetime, timezone
    >>> req = TaskingRequest(aoi={"type": "Point", "coordinates": [10.0, 50.0]},
    ...                      start="2027-01-10", end="2027-01-20", cloud_cover=20, off_nadir=25)
    >>> round(req.aoi.area_km2), req.recurrence.value, req.occurrences
    (25, 'ONCE', 1)
    >>> TaskingRequest(aoi=req.aoi, start="2027-01-10", end="2027-01-20", cloud_cover=150)
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: cloud_cover: must be between 0 and 100 (a percentage) (got 150)
    """

    aoi: Annotated[Any, BeforeValidator(_coerce_aoi)] = Field(description="an AOI or anything AOI() accepts")
    start: RequiredUTCDateTime = Field(description="start of the acquisition window (UTC)")
    end: RequiredUTCDateTime = Field(description="end of the acquisition window (UTC)")
    sensor: str | None = Field(None, description="provider sensor / product id; None picks the default")
    name: str | None = None
    cloud_cover: float = Field(20.0, description="maximum cloud cover, percent")
    off_nadir: float | None = Field(None, description="maximum off-nadir angle, degrees (0-60)")
    elevation_min: float | None = Field(None, description="minimum satellite elevation angle (Planet form)")
    recurrence: Recurrence = Recurrence.ONCE
    occurrences: int | None = Field(None, description="number of acquisitions for a recurring request")
    delivery_speed: DeliverySpeed = DeliverySpeed.STANDARD
    bandset: str | None = Field(None, description="Pixxel bandset id or name (VNIR, SWIR, VSWIR)")
    project_id: str | None = None
    usecase: str | None = None
    priority: str | None = None
    tags: list[str] = Field(default_factory=list)
    imaging_window: str | None = Field(
        None, description="Planet Assured Tasking: the id of an imaging window, from "
        "client.imaging_windows.search(request); the order is acquired in that window")

    @pydantic.field_validator("cloud_cover", mode="before")
    @classmethod
    def _cloud(cls, v: Any) -> float:
        if not (_is_number(v) and math.isfinite(v) and 0 <= v <= 100):
            raise ValidationError("cloud_cover", "must be between 0 and 100 (a percentage)", v)
        if 0 < v < 1:  # 0.2 is 0.2 %, rarely what is meant: a fraction for 20 %?
            import warnings

            warnings.warn(f"cloud_cover={v} is {v} %, not {v * 100:g} %: cloud_cover is a percentage (0–100)",
                          PixorderWarning, stacklevel=2)
        return float(v)

    @pydantic.field_validator("off_nadir", mode="before")
    @classmethod
    def _off_nadir(cls, v: Any) -> float | None:
        if v is not None and not (_is_number(v) and math.isfinite(v) and 0 <= v <= 60):
            raise ValidationError("off_nadir", "must be between 0 and 60 degrees", v)
        return v

    @pydantic.field_validator("elevation_min", mode="before")
    @classmethod
    def _elevation(cls, v: Any) -> float | None:
        if v is not None and not (_is_number(v) and math.isfinite(v) and 0 <= v <= 90):
            raise ValidationError("elevation_min", "must be between 0 and 90 degrees", v)
        return v

    @model_validator(mode="after")
    def _consistent(self) -> TaskingRequest:
        if self.end <= self.start:
            raise ValidationError("end", f"must be after start ({self.start.isoformat()})", self.end.isoformat())
        if not self.recurrence.known:
            known = ", ".join(m.value for m in Recurrence)
            raise ValidationError("recurrence", f"must be one of {known}", self.recurrence.value)
        if not self.delivery_speed.known or self.delivery_speed is DeliverySpeed.NOT_APPLICABLE:
            # Results keep unknown words; a request must not send one to a provider.
            raise ValidationError("delivery_speed", "must be STANDARD or EXPEDITED", self.delivery_speed.value)
        if self.off_nadir is not None and self.elevation_min is not None:
            implied = off_nadir_to_elevation(self.off_nadir)
            if abs(implied - self.elevation_min) > 0.5:
                raise ValidationError(
                    "elevation_min", f"contradicts off_nadir={self.off_nadir} (implies {implied:.1f}°)",
                    self.elevation_min,
                )
        if self.off_nadir is None and self.elevation_min is not None:
            object.__setattr__(self, "off_nadir", round(elevation_to_off_nadir(self.elevation_min), 3))
        if self.off_nadir is not None and self.elevation_min is None:
            object.__setattr__(self, "elevation_min", round(off_nadir_to_elevation(self.off_nadir), 3))
        if self.recurrence in (Recurrence.ONCE, Recurrence.NOT_APPLICABLE):
            if self.occurrences not in (None, 1):
                raise ValidationError("occurrences", "must be 1 for a one-off request", self.occurrences)
            object.__setattr__(self, "occurrences", 1)
        else:
            if self.occurrences is None or self.occurrences < 2:
                raise ValidationError(
                    "occurrences", f"a {self.recurrence.value} request needs an occurrence count ≥ 2: give "
                                   f"occurrences= (how many acquisitions, e.g. occurrences=6), or recurrence='ONCE'",
                    self.occurrences,
                )
            if self.occurrences > 365:
                raise ValidationError("occurrences", "must be at most 365", self.occurrences)
        return self

    @property
    def window_days(self) -> float:
        return (self.end - self.start) / timedelta(days=1)


class ArchiveRequest(_Request):
    """Archive imagery to price or order: the scenes (``item_ids``) clipped to an AOI.

    Args:
        aoi: an ``AOI`` or anything ``AOI()`` accepts (GeoJSON, WKT, a shapely geometry, a file path, …).
        item_ids: the archive scene / capture ids, at least one (the provider's own ids).
        sensor: the provider's sensor or product id; None for the provider's default.
        name, project_id, tags: as the provider takes them (Pixxel's project; Geopera's tags).

    Raises:
        ValidationError: an AOI that cannot be read, no ``item_ids`` or a blank one, an unknown field.

    >>> req = ArchiveRequest(aoi="POINT (4.35 50.85)", item_ids=["FF02_20260101"])
    >>> req.item_ids, round(req.aoi.area_km2)
    (['FF02_20260101'], 25)
    >>> ArchiveRequest(aoi="POINT (4.35 50.85)", item_ids=[" "])
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: item_ids.0: must not be empty (got ' ')
    """

    aoi: Annotated[Any, BeforeValidator(_coerce_aoi)]
    item_ids: list[str] = Field(min_length=1, description="archive scene / capture ids")
    sensor: str | None = None
    name: str | None = None
    project_id: str | None = None
    tags: list[str] = Field(default_factory=list)

    @pydantic.field_validator("item_ids")
    @classmethod
    def _ids(cls, v: list[str]) -> list[str]:
        for i, item in enumerate(v):
            if not item.strip():
                raise ValidationError(f"item_ids.{i}", "must not be empty", item)
        return v


# -------------------------------------------------------------------------------------------- results
class Sensor(_Result):
    """One orderable sensor or product of a provider (``client.sensors()``).

    ``id`` is what a request's ``sensor`` takes; ``resolution_m`` the GSD in metres; ``bands`` the
    band names; ``min_area_km2`` the smallest billed area (km²); ``price_per_km2`` in ``unit``.

    >>> s = Sensor(provider="geopera", id="pneo-30cm", resolution_m=0.3, min_area_km2=25, unit="AUD")
    >>> s.id, s.resolution_m, s.min_area_km2
    ('pneo-30cm', 0.3, 25.0)
    """

    id: str
    name: str | None = None
    resolution_m: float | None = None
    bands: list[str] = Field(default_factory=list)
    image_type: str | None = None
    min_area_km2: float | None = None
    price_per_km2: float | None = None
    unit: str | None = None
    description: str | None = None


class Uplift(_Translated):
    """One surcharge (or discount, when negative) that built a price.

    ``percentage`` of the base price (50 = +50 %), ``amount`` in the quote's ``unit``.

    >>> Uplift(name="expedited delivery", percentage=50, amount=500)
    Uplift(name='expedited delivery', percentage=50.0, amount=500.0, description=None)
    """

    model_config = ConfigDict(extra="ignore")

    name: str
    percentage: float | None = None
    amount: float | None = None
    description: str | None = None


class Quote(_Result):
    """A price for one request at one provider, or the error that prevented it.

    ``amount`` is in ``unit`` (a currency such as ``USD``/``AUD``, or Planet's quota unit ``SQKM``);
    ``area_km2`` the AOI as drawn and ``billed_area_km2`` the provider's billed area (km²);
    ``amount_per_km2`` = ``amount / billed_area_km2``; ``ok`` is False for a quote holding an ``error``.

    >>> q = Quote(provider="planet", sensor="Flexible Tasking", amount=25.0, unit="SQKM", area_km2=12.3,
    ...           billed_area_km2=25.0)
    >>> q
    <Quote planet Flexible Tasking amount=25.00 SQKM area=12.30 km² billed=25 km² per_km2=1.00 SQKM>
    >>> q.ok, q.amount_per_km2
    (True, 1.0)
    >>> Quote(provider="planet", error="planet HTTP 400: bad AOI").ok
    False
    """

    sensor: str | None = None
    area_km2: float | None = Field(None, description=_DRAWN)
    billed_area_km2: float | None = Field(None, description=_BILLED)
    base_amount: float | None = None
    amount: float | None = None
    unit: str | None = Field(None, description="currency or quota unit the amounts are in")
    uplifts: list[Uplift] = Field(default_factory=list)
    tokens: float | None = None
    credits: float | None = None
    feasibility: FeasibilityStatus | None = None
    error: str | None = None
    request_index: int | None = Field(None, description="position in the batch that was priced")
    geometry: dict[str, Any] | None = None
    part: int | None = Field(None, description="which part (0..n-1) of a multi-part AOI this quote prices, "
                                              "where the provider takes one polygon per order (Planet)")
    parts: list[Quote] = Field(default_factory=list,
                               description="the per-part quotes this total adds up (a multi-part AOI at Planet)")

    @property
    def ok(self) -> bool:
        return self.error is None and self.amount is not None

    @property
    def amount_per_km2(self) -> float | None:
        """The price of one billed km²: ``amount / billed_area_km2`` (the drawn area when nothing is billed).

        So ``amount_per_km2 × billed_area_km2 == amount``, uplifts and recurrences included.
        """
        area = self.billed_area_km2 or self.area_km2
        if self.amount is None or not area:
            return None
        return self.amount / area

    def __repr__(self) -> str:
        if self.error:
            return f"<Quote {self.provider} error={shortened(self.error)!r}>"
        parts = [self.provider, self.sensor or "", f"amount={format_amount(self.amount, self.unit)}",
                 *_areas(self.area_km2, self.billed_area_km2)]
        if self.amount_per_km2 is not None:
            parts.append(f"per_km2={format_amount(self.amount_per_km2, self.unit)}")
        if self.uplifts:
            parts.append(f"uplifts={', '.join(u.name for u in self.uplifts)}")
        if self.feasibility is not None:
            parts.append(f"feasibility={self.feasibility}")
        return _compact("Quote", parts, self.geometry)

    def _repr_html_(self) -> str | None:
        return html_repr(self)


class Task(_Result):
    """One acquisition attempt inside an order item (``client.tasks.list()``).

    ``start``/``end``: the attempt's window (UTC); ``status`` in one vocabulary (``TaskStatus``);
    ``delivery_status`` the provider's word.

    >>> Task(provider="pixxel", id="t-1", status="SUBMITTED", start="2030-03-01", end="2030-03-21")
    <Task pixxel 't-1' status=REQUESTED 2030-03-01 → 2030-03-21>
    """

    id: str
    order_item_id: str | None = None
    type: ItemType | None = None
    status: TaskStatus | None = None
    delivery_status: str | None = None
    start: UTCDateTime = None
    end: UTCDateTime = None
    number_of_strips: int | None = None
    tokens_used: float | None = None
    created_at: UTCDateTime = None
    updated_at: UTCDateTime = None

    def __repr__(self) -> str:
        window = f"{_day(self.start)} → {_day(self.end)}" if self.start or self.end else ""
        return _compact("Task", [self.provider, repr(self.id), f"item={self.order_item_id}" if self.order_item_id else "",
                                 str(self.type or ""), f"status={self.status}" if self.status else "",
                                 f"delivery={self.delivery_status}" if self.delivery_status else "", window], None)


class OrderItem(_Result):
    """One line of an order: a tasking request or archive scenes, with its own status and price.

    Amounts in ``unit``; ``area_km2`` drawn and ``billed_area_km2`` billed (km²); ``cloud_cover``
    percent; ``off_nadir`` degrees; ``status`` the life cycle, ``payment_status`` apart (Pixxel).

    >>> OrderItem(provider="pixxel", id="i-1", order_id="o-1", type="TASKING", status="ACTIVE",
    ...           payment_status="PAID", amount=1000, unit="USD", billed_area_km2=100)
    <OrderItem pixxel 'i-1' TASKING status=ACTIVE payment=PAID amount=1,000.00 USD billed=100 km² 0 tasks>
    """

    id: str
    order_id: str | None = None
    name: str | None = None
    type: ItemType | None = None
    status: OrderStatus | None = Field(None, description="life-cycle status (DRAFT, ACTIVE, FULFILLED, ...)")
    payment_status: str | None = Field(None, description="payment status, a separate thing (Pixxel: PAID, ...)")
    area_km2: float | None = Field(None, description=_DRAWN)
    billed_area_km2: float | None = Field(None, description=_BILLED)
    base_amount: float | None = None
    amount: float | None = None
    unit: str | None = None
    uplifts: list[Uplift] = Field(default_factory=list)
    tokens_used: float | None = None
    cloud_cover: float | None = None
    off_nadir: float | None = None
    delivery_speed: DeliverySpeed | None = None
    feasibility: FeasibilityStatus | None = None
    image_type: str | None = None
    recurrence: Recurrence | None = None
    occurrences: int | None = None
    start: UTCDateTime = None
    end: UTCDateTime = None
    created_at: UTCDateTime = None
    updated_at: UTCDateTime = None
    geometry: dict[str, Any] | None = None
    tasks: list[Task] = Field(default_factory=list)

    def __repr__(self) -> str:
        return _compact("OrderItem", [
            self.provider, repr(self.id), str(self.type or ""), *_statuses(self.status, self.payment_status),
            f"amount={format_amount(self.amount, self.unit)}", *_areas(self.area_km2, self.billed_area_km2),
            _count(len(self.tasks), "task"),
        ], self.geometry)


class Order(_Result):
    """An order as the provider holds it; ``items`` for providers that split orders into items.

    A row of ``orders.create_many()`` that placed nothing (or cannot tell) is an ``Order`` too, with
    ``id`` None, ``error`` saying why, ``error_type`` the pixorder error's class name
    (``"AmbiguousSpend"``: settle it with ``orders.reconcile(row.reference)``) and ``request_index``
    its position in the batch.

    ``amount`` is in ``unit``; ``area_km2`` drawn and ``billed_area_km2`` billed (km²); ``start``/``end``
    the acquisition window (UTC); ``reference`` pixorder's client reference (``pxo-…``).

    >>> order = Order(provider="planet", id="o-1", status="COMPLETED", amount=25, unit="SQKM", billed_area_km2=25)
    >>> order, order.ok
    (<Order planet 'o-1' status=FULFILLED amount=25.00 SQKM billed=25 km²>, True)
    >>> row = Order(provider="planet", id=None, error="planet HTTP 400: bad AOI", error_type="ApiError")
    >>> row, row.ok
    (<Order planet None error=ApiError('planet HTTP 400: bad AOI')>, False)
    """

    id: str | None
    name: str | None = None
    status: OrderStatus | None = Field(None, description="life-cycle status, in one vocabulary for every provider")
    provider_status: str | None = Field(None, description="the life-cycle status word the provider used")
    payment_status: str | None = Field(None, description="payment status, a separate thing (Pixxel: PAID, ...)")
    order_type: ItemType | None = None
    amount: float | None = None
    unit: str | None = None
    area_km2: float | None = Field(None, description=_DRAWN)
    billed_area_km2: float | None = Field(None, description=_BILLED)
    start: UTCDateTime = None
    end: UTCDateTime = None
    created_at: UTCDateTime = None
    updated_at: UTCDateTime = None
    geometry: dict[str, Any] | None = None
    reference: str | None = Field(None, description="pixorder's client reference, when it set one")
    dry_run: bool = False
    items: list[OrderItem] = Field(default_factory=list)
    part: int | None = Field(None, description="which part (0..n-1) of a multi-part AOI this order holds")
    parts: list[Order] = Field(default_factory=list,
                               description="the orders placed together, one per part of a multi-part AOI (Planet)")
    request_index: int | None = Field(None, description="position in the batch of orders.create_many()")
    error: str | None = Field(None, description="why this row of a batch placed no order (or cannot tell)")
    error_type: str | None = Field(None, description="class name of that error, e.g. AmbiguousSpend")

    @property
    def ok(self) -> bool:
        """True for an order the provider holds (not an error row of a batch)."""
        return self.error is None and self.id is not None

    def __repr__(self) -> str:
        if self.error:
            # an error row: why it placed nothing (shortened), and the reference to reconcile it by
            error = f"{self.error_type}({shortened(self.error)!r})" if self.error_type else repr(shortened(self.error))
            return _compact("Order", [self.provider, repr(self.id), f"error={error}",
                                      f"reference={self.reference}" if self.reference else ""], self.geometry)
        return _compact("Order", [
            self.provider, repr(self.id), "dry run" if self.dry_run else "", str(self.order_type or ""),
            *_statuses(self.status, self.payment_status), f"amount={format_amount(self.amount, self.unit)}",
            *_areas(self.area_km2, self.billed_area_km2), _count(len(self.items), "item") if self.items else "",
        ], self.geometry)

    def _repr_html_(self) -> str | None:
        return html_repr(self)


class FeasibilityOption(_Translated):
    """One way a feasibility study offers to acquire the order: its price (in ``unit``) and window (UTC).

    Choose it with ``client.feasibility.decide(study.id, option.id)``.

    >>> option = FeasibilityOption(id="opt-1", amount=840.0, unit="AUD", start="2030-03-01", end="2030-03-10")
    >>> option.id, option.amount, option.end.isoformat()
    ('opt-1', 840.0, '2030-03-10T00:00:00+00:00')
    """

    model_config = ConfigDict(extra="ignore")

    id: str
    description: str | None = None
    amount: float | None = None
    unit: str | None = None
    start: UTCDateTime = None
    end: UTCDateTime = None


class FeasibilityStudy(_Result):
    """A provider's answer on whether and how a tasking order can be acquired; an option to choose.

    From ``client.feasibility.check(request)`` (``required``: whether a study is needed before
    ordering, and ``reason``) or ``client.feasibility.list()`` (a study with ``options`` and a
    ``decision``).

    >>> study = FeasibilityStudy(provider="geopera", id="s-1", order_id="o-1", decision="PENDING",
    ...                          options=[{"id": "opt-1", "amount": 840.0, "unit": "AUD"}])
    >>> study.decision, [o.id for o in study.options]
    (<QuotationStatus.NOT_DECIDED: 'NOT_DECIDED'>, ['opt-1'])
    """

    id: str
    order_id: str | None = None
    decision: QuotationStatus | None = None
    required: bool | None = Field(None, description="whether a study is needed before ordering (a check)")
    reason: str | None = None
    options: list[FeasibilityOption] = Field(default_factory=list)
    created_at: UTCDateTime = None
    geometry: dict[str, Any] | None = None


class Quotation(_Result):
    """A priced offer for a tasking order that waits for ACCEPTED or REJECTED (Geopera).

    ``amount`` in ``unit`` (AUD), ``credits`` what accepting debits; ``expires_at`` (UTC) when it
    can no longer be accepted. Decide with ``client.quotations.decide(quotation.id, accept=True)``.

    >>> q = Quotation(provider="geopera", id="q-1", order_id="o-1", status="PENDING", amount=700.0, unit="AUD")
    >>> q.status, q.amount
    (<QuotationStatus.NOT_DECIDED: 'NOT_DECIDED'>, 700.0)
    """

    id: str
    order_id: str | None = None
    status: QuotationStatus | None = None
    amount: float | None = None
    unit: str | None = None
    credits: float | None = None
    created_at: UTCDateTime = None
    expires_at: UTCDateTime = None
    geometry: dict[str, Any] | None = None

    def _repr_html_(self) -> str | None:
        return html_repr(self)


class Delivery(_Result):
    """One delivered product of an order (or a capture of it): where it is and when it was taken.

    Pixxel: a catalog (delivered product) with a signed download ``url`` (valid about an hour);
    Planet: a capture (``capture_id``; the imagery itself is ordered from Planet's Data/Orders API by
    its ``item_ids`` in ``raw``); Geopera: a delivered STAC item (``url`` of its data asset) with the
    order's ``covered_percent``.

    >>> d = Delivery(provider="pixxel", id="c-1", order_id="o-1", status="SUCCESS",
    ...              url="https://example.com/c-1.zip", acquired_at="2030-03-02T10:15:00Z", cloud_cover=3)
    >>> d.acquired_at, d.cloud_cover
    (datetime.datetime(2030, 3, 2, 10, 15, tzinfo=datetime.timezone.utc), 3.0)
    """

    id: str
    order_id: str | None = None
    item_id: str | None = Field(None, description="the order item (Pixxel) or scene/STAC item it belongs to")
    status: str | None = Field(None, description="the provider's word: SUCCESS, PUBLISHED, FULFILLED, …")
    url: str | None = Field(None, description="where the product can be downloaded, when the provider says")
    capture_id: str | None = None
    acquired_at: UTCDateTime = None
    published_at: UTCDateTime = None
    expires_at: UTCDateTime = Field(None, description="when ``url`` stops working (signed URLs)")
    cloud_cover: float | None = Field(None, description="percent")
    covered_percent: float | None = Field(None, description="share of the ordered area delivered, percent")
    geometry: dict[str, Any] | None = None


class ImagingWindow(_Result):
    """A time a satellite can image an AOI (Planet Assured Tasking): order it with its ``id``.

    ``cloud_forecast`` is the mean predicted cloud cover over the window in **percent** (Planet sends
    fractions 0–1 in ``cloud_forecast[].prediction``; the list as sent is in ``cloud_forecasts``).
    ``start``/``end`` in UTC; ``off_nadir_min``/``off_nadir_max`` in degrees.

    >>> w = ImagingWindow(provider="planet", id="w-1", start="2030-03-02T10:00:00Z", end="2030-03-02T10:05:00Z",
    ...                   cloud_forecast=12.5, off_nadir_min=5, off_nadir_max=22)
    >>> w.end - w.start, w.off_nadir_max
    (datetime.timedelta(seconds=300), 22.0)
    """

    id: str
    start: UTCDateTime = None
    end: UTCDateTime = None
    cloud_forecast: float | None = Field(None, description="mean predicted cloud cover, percent")
    cloud_forecasts: list[dict[str, Any]] = Field(default_factory=list, description="the forecasts as sent")
    off_nadir_min: float | None = Field(None, description="degrees")
    off_nadir_max: float | None = Field(None, description="degrees")
    satellite_type: str | None = None
    product: str | None = None
    pl_number: str | None = None
    geometry: dict[str, Any] | None = Field(None, description="the point or line searched")

    def _repr_html_(self) -> str | None:
        return html_repr(self)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a listing, with what is needed to ask for the next.

    ``items`` the rows; ``total`` the listing's row count when the provider says it; ``offset`` and
    ``limit`` where the page starts and how many rows were asked; ``next`` the provider's link to the
    next page, if any. ``has_more`` tells from these whether a next page exists.

    >>> page = Page[int](items=[1, 2], total=5, offset=0)
    >>> len(page), list(page), page.has_more
    (2, [1, 2], True)
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    items: list[T]
    total: int | None = None
    offset: int | None = None
    limit: int | None = None
    next: str | None = None
    consumed: int | None = Field(None, description="rows of the underlying listing this page used up")

    def __iter__(self) -> Iterator[T]:  # type: ignore[override]
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_more(self) -> bool:
        if self.next:
            return True
        if self.total is not None and self.offset is not None:
            return self.offset + len(self.items) < self.total
        return False
