"""Provider rules: minimum and rounded billed areas, part gaps, one geometry per order, request size; ``check()``.

Billed areas are computed in one place, :func:`billed_km2`, which ``AOI.check()``,
``AOI.billed_area_km2()`` and the quotes' ``billed_area_km2`` follow: Pixxel reports and bills whole
km², so its billed area is rounded **up** to the whole km² (113.4 km² bills as 114); Planet and
Geopera bill the area itself, not rounded. Areas are measured once, geodesically on WGS84
(:func:`pixorder.aoi.areas_km2`), and shown with two decimals (0.01 km²) everywhere. A multi-part AOI at Planet is billed part by part (each
part is its own order, with its own 25 km² minimum), and the parts never overlap (the AOI is their
union), so no area is counted twice.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pixorder.errors import ValidationError
from pixorder.providers import table
from pixorder.providers._wire import json_size


class AOI(Protocol):
    """What the rules read of an :class:`pixorder.aoi.AOI` (the AOI module imports the rules, not back).

    Areas in km², lengths and gaps in km; ``__geo_interface__`` is the GeoJSON geometry sent to a
    provider. Any object with these members can be checked.

    >>> from pixorder import aoi
    >>> shape: AOI = aoi.AOI.from_bounds(0, 0, 0.1, 0.1)
    >>> shape.kind, shape.n_parts, shape.n_vertices, round(shape.area_km2, 2)
    ('polygon', 1, 5, 123.09)
    """

    @property
    def area_km2(self) -> float: ...
    @property
    def n_parts(self) -> int: ...
    @property
    def n_vertices(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def length_km(self) -> float | None: ...
    @property
    def part_gap_km(self) -> float: ...
    @property
    def __geo_interface__(self) -> dict[str, Any]: ...

    def parts(self) -> Sequence[AOI]:
        """Each polygon of the AOI as its own AOI (a one-part AOI gives itself).

        Returns:
            The parts, in the order the AOI's MultiPolygon holds them.
        """
        ...

    def simplify(self, tolerance_m: float) -> AOI:
        """A smaller footprint: vertices closer than ``tolerance_m`` metres to the outline dropped.

        Args:
            tolerance_m: the simplification tolerance in metres on the ground.

        Returns:
            The simplified AOI (its area within 1 % of this one's).
        """
        ...

__all__ = [
    "MAX_BODY_BYTES",
    "MIN_BILLED_AREA_KM2",
    "ONE_GEOMETRY_PER_ORDER",
    "PROVIDERS",
    "RuleCheck",
    "billed_km2",
    "billed_total_km2",
    "check",
    "order_aois",
    "request_body_bytes",
]

# Every provider fact below is read from the provider table (pixorder.providers.table), never written here.
PROVIDERS: tuple[str, ...] = table.NAMES
LABELS: dict[str, str] = {p.name: p.label for p in table.PROVIDERS.values()}
#: Smallest area each provider bills (km²); Geopera documents none in our sources (its sensors have their own).
MIN_BILLED_AREA_KM2: dict[str, float] = {p.name: p.min_billed_area_km2 for p in table.PROVIDERS.values()}
#: Providers that take one Polygon per order: pixorder prices and places each part of a multi-part
#: AOI as its own order there (Planet normalises an order's geometry to one Polygon and refuses
#: a MultiPolygon).
ONE_GEOMETRY_PER_ORDER: frozenset[str] = frozenset(p.name for p in table.PROVIDERS.values()
                                                   if p.one_geometry_per_order)
#: Largest request body each provider accepts, in bytes. Only Planet publishes one ("POST bodies are
#: limited to 1 MB", taken as 10⁶ bytes, the smaller reading). Pixxel and Geopera publish none: their
#: vertex budget is not known, so pixorder reports a large body there as information only.
MAX_BODY_BYTES: dict[str, int | None] = {p.name: p.body_limit for p in table.PROVIDERS.values()}
#: Bytes a request adds around the geometry (name, dates, product, ...): a generous allowance.
BODY_OVERHEAD_BYTES = 1_000
# An AOI within 0.1 % of a provider minimum meets it (a point's square is 25 km² to within 1e-7).
_MIN_AREA_SLACK = 1e-3
#: Tolerances (m) tried when suggesting ``AOI.simplify(tolerance_m=...)`` for an oversized request.
_SUGGESTED_TOLERANCES_M = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)

Severity = Literal["info", "bends", "breaks"]


@dataclass(frozen=True)
class RuleCheck:
    """What a provider will make of an AOI, found before any network call.

    ``severity`` is ``"info"`` (nothing to do), ``"bends"`` (accepted, but billed or shaped differently
    from what was drawn) or ``"breaks"`` (the provider will refuse it, or pixorder will change how it
    is ordered: the message says what pixorder does). ``billed_area_km2`` is rounded as in
    :func:`billed_km2`. ``str()`` gives the message.

    >>> c = RuleCheck("planet", "minimum_area", "bends", "Planet bills at least 25 km²: billed as 25 km²", 25.0)
    >>> c.severity, str(c)
    ('bends', 'Planet bills at least 25 km²: billed as 25 km²')
    """

    provider: str
    rule: str
    severity: Severity
    message: str
    billed_area_km2: float

    def __str__(self) -> str:
        return self.message


def provider_name(provider: Any) -> str:
    """``provider`` as one of :data:`PROVIDERS` (case and spaces ignored).

    Args:
        provider: a provider's name, in any case, with or without spaces around it.

    Returns:
        The name as the provider table has it (``"pixxel"``, ``"planet"``, ``"geopera"``).

    Raises:
        ValidationError: ``provider`` not in the provider table (raised by the table's ``get``).

    >>> provider_name(" Planet "), provider_name("PIXXEL")
    ('planet', 'pixxel')
    >>> provider_name("maxar")
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: provider: must be one of pixxel, planet, geopera (got 'maxar')
    """
    return table.get(provider).name


def minimum_km2(provider: str, sensor: Any) -> float:
    """The provider's documented minimum billed area, raised to ``sensor``'s own, in km².

    Args:
        provider: a name from :data:`PROVIDERS` (as :func:`provider_name` gives it).
        sensor: None, a :class:`~pixorder.models.Sensor` (its ``min_area_km2``), or a number of km².

    Returns:
        The larger of the provider's minimum and the sensor's, km².

    Raises:
        ValidationError: ``sensor`` whose minimum is not a finite number of km² ≥ 0.

    >>> minimum_km2("planet", None), minimum_km2("geopera", 40), minimum_km2("pixxel", 40)
    (25.0, 40.0, 100.0)
    >>> minimum_km2("planet", -1)
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: sensor: a minimum area must be a number of km² ≥ 0, got -1
    """
    minimum = MIN_BILLED_AREA_KM2[provider]
    if sensor is None:
        return minimum
    own = sensor if isinstance(sensor, (int, float)) else getattr(sensor, "min_area_km2", None)
    if own is None:
        return minimum
    if isinstance(own, bool) or not isinstance(own, (int, float)) or not math.isfinite(own) or own < 0:
        raise ValidationError("sensor", f"a minimum area must be a number of km² ≥ 0, got {own!r}")
    return max(minimum, float(own))


def billed_km2(provider: str, area_km2: float, minimum: float | None = None) -> float:
    """The area ``provider`` bills for one order of ``area_km2`` km², rounded as that provider does.

    At least the provider's minimum (or ``minimum``), rounded up to the table's ``billed_area_step_km2``
    where it has one (Pixxel reports and bills whole km²); Planet and Geopera bill the area as measured.

    >>> billed_km2("pixxel", 113.4), billed_km2("planet", 113.4), billed_km2("planet", 10.0)
    (114.0, 113.4, 25.0)
    """
    p = provider_name(provider)
    floor = MIN_BILLED_AREA_KM2[p] if minimum is None else minimum
    area = max(float(area_km2), floor)
    step = table.get(p).billed_area_step_km2
    if step:
        return float(math.ceil(round(area / step, 6)) * step)  # 113.0000000001 is 113, not 114
    return area


def request_body_bytes(geometry: Any) -> int:
    """Bytes of a request carrying ``geometry`` (a GeoJSON dict): its compact JSON plus the overhead.

    Args:
        geometry: a GeoJSON geometry dict, as an AOI's ``__geo_interface__``.

    Returns:
        Its compact JSON's length as sent (``providers._wire.json_size``) plus :data:`BODY_OVERHEAD_BYTES`
        (1,000) for the rest of a request.

    >>> request_body_bytes({"type": "Point", "coordinates": [10, 50]})
    1038
    """
    return json_size(geometry) + BODY_OVERHEAD_BYTES


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"


def _km2(value: float) -> str:
    return f"{value:,.1f}" if value >= 1 else f"{value:.3g}"


def _suggest_tolerance(aoi: AOI, fits: Callable[[AOI], bool]) -> float | None:
    for tolerance in _SUGGESTED_TOLERANCES_M:
        try:
            smaller = aoi.simplify(tolerance)
        except ValidationError:
            return None  # the area would change by more than the bound: no tolerance fits
        if fits(smaller):
            return tolerance
    return None


def order_aois(aoi: AOI, provider: str) -> list[AOI]:
    """The AOI of each order ``provider`` gets for ``aoi``: one per part at a provider that takes one
    polygon per order (:data:`ONE_GEOMETRY_PER_ORDER`: Planet), else ``aoi`` whole.

    The one place that split is decided: the rules here, ``AOI.billed_area_km2()`` and the client's
    pricing and ordering (``pixorder.client.core.split_parts``) all follow it.

    >>> from pixorder.aoi import AOI
    >>> two = AOI("MULTIPOLYGON (((0 0, 0.1 0, 0.1 0.1, 0 0)), ((3 0, 3.1 0, 3.1 0.1, 3 0)))")
    >>> len(order_aois(two, "planet")), len(order_aois(two, "pixxel"))
    (2, 1)
    """
    if provider in ONE_GEOMETRY_PER_ORDER and aoi.n_parts > 1:
        return list(aoi.parts())
    return [aoi]


def billed_total_km2(aoi: AOI, provider: str, sensor: Any = None) -> float:
    """What ``provider`` bills for ``aoi``: :func:`billed_km2` of each of its orders (:func:`order_aois`),
    summed; ``sensor`` as in :func:`minimum_km2`. ``AOI.billed_area_km2()`` and :func:`check` report it.

    >>> from pixorder.aoi import AOI
    >>> billed_total_km2(AOI.from_bounds(0, 0, 0.05, 0.05), "pixxel")
    100.0
    """
    p = provider_name(provider)
    minimum = minimum_km2(p, sensor)
    return sum(billed_km2(p, order.area_km2, minimum) for order in order_aois(aoi, p))


#: Above this area an AOI is flagged as a rule it breaks at every provider: none publishes a maximum,
#: but none tasks a region this large in one order (a map left at world zoom draws millions of km²).
LARGE_AOI_KM2 = 5_000.0


def check(aoi: AOI, provider: str, sensor: Any = None) -> list[RuleCheck]:
    """The rules of :meth:`pixorder.aoi.AOI.check` (see there), for any object with :class:`AOI`'s members.

    Args:
        aoi: the AOI.
        provider: a provider's name (see :func:`provider_name`).
        sensor: None, a :class:`~pixorder.models.Sensor` or its minimum area in km² (see :func:`minimum_km2`).

    Returns:
        One :class:`RuleCheck` per rule that applies, the billed area (km²) last; each carries the
        billed area.

    Raises:
        ValidationError: ``provider`` unknown, or ``sensor`` with an unusable minimum.

    >>> from pixorder.aoi import AOI
    >>> two = AOI("MULTIPOLYGON (((0 0, 0.1 0, 0.1 0.1, 0 0)), ((3 0, 3.1 0, 3.1 0.1, 3 0)))")
    >>> for c in check(two, "pixxel"):
    ...     print(c.rule, c.severity, c.message)
    max_part_distance breaks parts are 322.8 km apart; Pixxel accepts the parts of one AOI at most 200 km apart
    billed_area info billed area 124.00 km²
    """
    p = provider_name(provider)
    area = aoi.area_km2
    minimum = minimum_km2(p, sensor)
    orders = order_aois(aoi, p)
    split = len(orders) > 1
    part_areas = [order.area_km2 for order in orders]
    billed = billed_total_km2(aoi, p, sensor)
    sensor_id = getattr(sensor, "id", None)
    label = LABELS[p]
    out: list[RuleCheck] = []

    def add(rule: str, severity: Severity, message: str) -> None:
        out.append(RuleCheck(p, rule, severity, message, billed))

    if area > LARGE_AOI_KM2:
        add("max_area", "breaks",
            f"{_km2(area)} km² is far larger than {label} tasks in one order (pixorder flags anything over "
            f"{LARGE_AOI_KM2:,.0f} km²; no provider publishes a maximum): check the AOI, or split it")
    if aoi.kind == "point":
        add("point", "info", f"the point was turned into a 5×5 km square ({_km2(area)} km²)")
    if table.get(p).takes_points_and_lines and aoi.kind == "strip" and aoi.length_km is not None:
        from pixorder.aoi.shapes import STRIP_LENGTH_KM

        lo, hi = STRIP_LENGTH_KM
        add("strip_length", "info", f"strip {aoi.length_km:.1f} km long, 5 km wide ({label} accepts {lo:g}–{hi:g} km)")
    if split:
        small = sum(1 for a in part_areas if a < minimum * (1 - _MIN_AREA_SLACK))
        extra = f"; {small} part{'s' if small > 1 else ''} under {minimum:g} km² billed as {minimum:g} km² each" \
            if small else ""
        add("one_geometry_per_order", "breaks",
            f"{label} takes one polygon per order and this AOI has {aoi.n_parts} parts: pixorder prices and "
            f"places it as {aoi.n_parts} orders, one per part{extra}")
    elif area < minimum * (1 - _MIN_AREA_SLACK):
        who = f"{label} {sensor_id}" if sensor_id and minimum > MIN_BILLED_AREA_KM2[p] else label
        add("minimum_area", "bends",
            f"{who} bills at least {minimum:g} km²: billed as {minimum:g} km² (AOI is {_km2(area)} km²)")
    max_gap = table.get(p).max_part_gap_km
    if max_gap is not None and aoi.n_parts > 1:
        gap = aoi.part_gap_km
        if gap > max_gap:
            add("max_part_distance", "breaks",
                f"parts are {gap:.1f} km apart; {label} accepts the parts of one AOI at most {max_gap:g} km apart")
        else:
            add("max_part_distance", "info", f"{aoi.n_parts} parts, at most {gap:.1f} km apart")
    _check_size(aoi, p, label, add)
    note = "" if minimum or sensor is not None else \
        f" ({label}'s minimum depends on the sensor: min_area_km2 in client.sensors())"
    shown = f"{billed:,.2f}"  # every provider's billed area to 0.01 km² (Pixxel's is a whole number)
    add("billed_area", "info", f"billed area {shown} km²{note}")
    return out


def _check_size(aoi: AOI, p: str, label: str, add: Callable[[str, Severity, str], None]) -> None:
    limit = MAX_BODY_BYTES[p]
    if limit is None and aoi.n_vertices < 20_000:
        return
    size = max(request_body_bytes(order.__geo_interface__) for order in order_aois(aoi, p))
    if limit is None:
        strictest = min(b for b in MAX_BODY_BYTES.values() if b is not None)
        if size > strictest:
            add("request_size", "info", f"request body {_mb(size)} ({aoi.n_vertices:,} vertices); {label} "
                f"publishes no limit, Planet refuses more than 1 MB")
        return
    if size <= limit:
        return

    def fits(smaller: AOI) -> bool:
        return max(request_body_bytes(order.__geo_interface__) for order in order_aois(smaller, p)) <= limit

    tolerance = _suggest_tolerance(aoi, fits)
    hint = (f"AOI.simplify(tolerance_m={tolerance:g}) gives a smaller footprint" if tolerance is not None
            else "simplify it (AOI.simplify(tolerance_m=...)) or split it into smaller AOIs")
    add("request_size", "breaks",
        f"request body {_mb(size)} > {label}'s {_mb(limit)} limit ({aoi.n_vertices:,} vertices); {hint}")
