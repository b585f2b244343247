"""Planet Tasking API v2 adapter: wire payloads ⇄ neutral models (sans-IO)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from pixorder import models as m
from pixorder.aoi.rules import billed_km2
from pixorder.errors import ValidationError
from pixorder.providers import reference as ref
from pixorder.providers import table
from pixorder.providers._wire import array, footprint, integer, iso_z, listed, mapping, number, text
from pixorder.providers.base import Adapter, BulkOutcome, Call, Job, Request, every_page

PROVIDER = "planet"
PREFIX = table.get(PROVIDER).api_root
MIN_BILLED_KM2 = table.get(PROVIDER).min_billed_area_km2
UNIT = "SQKM"  # Planet prices in quota units of square kilometres


def parse_order(payload: Mapping[str, Any]) -> m.Order:
    """One Planet tasking order (``GET /orders/{id}/``, a row of ``GET /orders/``).

    Args:
        payload: the order's JSON object.

    Returns:
        Order: ``amount`` is ``estimated_quota_cost`` in quota units (``SQKM``); ``area_km2`` pixorder's
        measure of the AOI as drawn; ``billed_area_km2`` Planet's ``requested_sqkm``, at least the provider
        table's ``min_billed_area_km2`` (25 km²);
        ``reference`` read from the name; ``raw`` the payload.

    >>> order = parse_order({"id": "o-1", "name": "Field 7 [pxo-0123456789abcdef]", "status": "RECEIVED",
    ...                      "requested_sqkm": 12.5, "estimated_quota_cost": 25.0})
    >>> order
    <Order planet 'o-1' TASKING status=RECEIVED amount=25.00 SQKM billed=25 km²>
    >>> order.reference
    'pxo-0123456789abcdef'
    """
    status = text(payload.get("status"))
    name = text(payload.get("name"))
    geometry = footprint(payload.get("geometry"))
    requested = number(payload.get("requested_sqkm"))
    return m.Order(
        provider=PROVIDER,
        raw=dict(payload),
        id=str(payload.get("id")),
        name=name,
        status=status,
        provider_status=status,
        order_type=m.ItemType.TASKING,
        amount=number(payload.get("estimated_quota_cost")),
        unit=UNIT,
        # requested_sqkm is Planet's own measure of the AOI (0.001 km²); it bills at least the table's minimum.
        area_km2=m.drawn_area_km2(geometry),
        billed_area_km2=None if requested is None else billed_km2(PROVIDER, requested),
        start=payload.get("start_time"),
        end=payload.get("end_time"),
        created_at=payload.get("created_time"),
        updated_at=payload.get("updated_time"),
        geometry=geometry,
        reference=ref.from_name(name),
    )


def parse_pricing(payload: Mapping[str, Any], *, index: int | None = None,
                  area_km2: float | None = None, geometry: dict | None = None) -> m.Quote:
    """One pricing answer (``GET /orders/{id}/pricing`` or one slot of ``POST /pricing/``).

    Args:
        payload: the answer's JSON object; a slot Planet could not price holds a ``message``.
        index: the quote's ``request_index``.
        area_km2: the AOI's area as drawn, km². The quote's ``billed_area_km2`` is Planet's own
            ``base_price`` when it prices in ``SQKM`` (the km² it bills: its measure, to 0.001 km², so that
            ``amount_per_km2`` is Planet's multiplier), else this area, at least the provider table's
            ``min_billed_area_km2`` (25 km²).
        geometry: the AOI as GeoJSON, kept on the quote.

    Returns:
        Quote: ``amount`` (``estimated_quota_cost``) and ``base_amount`` in quota units; one uplift per
        pricing multiplier (``percentage`` = (value − 1) × 100) and per replaced order; a quote holding
        ``error`` when the slot is empty or a refusal.

    >>> quote = parse_pricing({"units": "SQKM", "estimated_quota_cost": 30.0, "pricing_model": {
    ...     "base_price": 25.0, "multipliers": [{"name": "imaging_mode", "value": 1.2}]}}, area_km2=12.0)
    >>> quote.amount, quote.billed_area_km2, [(u.name, u.percentage, u.amount) for u in quote.uplifts]
    (30.0, 25.0, [('imaging_mode', 20.0, 5.0)])
    >>> parse_pricing({"units": "SQKM", "estimated_quota_cost": 928.308, "pricing_model": {"base_price": 928.308}},
    ...               area_km2=928.30893).billed_area_km2
    928.308
    >>> parse_pricing({"message": {"error": "geometry: too large"}}, index=3).error
    'geometry: too large'
    """
    if not isinstance(payload, Mapping):
        return m.Quote(provider=PROVIDER, error="no pricing returned for this payload", request_index=index,
                       area_km2=area_km2, geometry=geometry, unit=UNIT)
    message = payload.get("message")
    if isinstance(message, Mapping) and "estimated_quota_cost" not in payload:
        error = message.get("error") or message.get("detail") or str(message)
        return m.Quote(provider=PROVIDER, raw=dict(payload), error=str(error), request_index=index,
                       area_km2=area_km2, geometry=geometry, unit=UNIT)
    model = mapping(payload.get("pricing_model"))
    base = number(model.get("base_price"))
    uplifts = []
    for mult in array(model.get("multipliers")):
        if not isinstance(mult, Mapping):
            continue
        value = number(mult.get("value"))
        pct = None if value is None else round((value - 1.0) * 100.0, 6)
        uplifts.append(m.Uplift(name=str(mult.get("name")), percentage=pct, description=text(mult.get("description")),
                                amount=None if base is None or pct is None else round(base * pct / 100.0, 6)))
    for replaced in array(payload.get("replaced_orders")):
        if not isinstance(replaced, Mapping):
            continue
        uplifts.append(m.Uplift(name="replaced_order", amount=number(replaced.get("cost")),
                                description=text(replaced.get("name"))))
    unit = text(payload.get("units")) or UNIT
    billed = base if unit == "SQKM" and base is not None else (
        None if area_km2 is None else billed_km2(PROVIDER, area_km2))
    return m.Quote(
        provider=PROVIDER,
        raw=dict(payload),
        amount=number(payload.get("estimated_quota_cost")),
        base_amount=base,
        unit=unit,
        uplifts=uplifts,
        area_km2=area_km2,
        billed_area_km2=billed,
        request_index=index,
        geometry=geometry,
    )


def parse_bulk_pricing(payload: Mapping[str, Any]) -> list[m.Quote]:
    """The answer of ``POST /pricing/`` with many payloads: one quote per ``pricing_details`` slot.

    ``PlanetAdapter.price`` reads the same answer with each request's area and geometry.

    Args:
        payload: the answer's JSON object.

    Returns:
        list[Quote]: in payload order (``request_index`` 0, 1, …); a refused slot holds its ``error``.

    >>> [(q.request_index, q.amount, q.error) for q in parse_bulk_pricing({"pricing_details": [
    ...     {"estimated_quota_cost": 25.0}, {"message": {"error": "geometry: too large"}}]})]
    [(0, 25.0, None), (1, None, 'geometry: too large')]
    """
    return [parse_pricing(d, index=i) for i, d in enumerate(array(payload.get("pricing_details")))]


def parse_orders_page(payload: Mapping[str, Any]) -> m.Page[m.Order]:
    """One page of ``GET /orders/`` (``{count, next, results}``).

    Args:
        payload: the page's JSON object.

    Returns:
        Page[Order]: ``items``, ``total`` (``count``) and ``next`` (the next page's URL, or None).

    >>> page = parse_orders_page({"count": 1, "next": None, "results": [
    ...     {"id": "o-1", "name": "Field 7 [pxo-0123456789abcdef]", "status": "PENDING"}]})
    >>> page.total, [(o.id, o.reference) for o in page.items]
    (1, [('o-1', 'pxo-0123456789abcdef')])
    """
    return m.Page[m.Order](
        items=[parse_order(o) for o in array(payload.get("results")) if isinstance(o, Mapping)],
        total=integer(payload.get("count")),
        next=text(payload.get("next")),
    )


# ------------------------------------------------------------------------------------ requests (sans-IO)

# Planet's tasking products, named as Planet names them (GET /products/ and the tasking docs: "Flexible
# Tasking", "Assured Tasking", "Monitoring Tasking"); these names are the sensor ids. The catalogue is
# static, so sensors() needs no call.
FLEXIBLE, ASSURED, MONITORING = "Flexible Tasking", "Assured Tasking", "Monitoring Tasking"
DEFAULT_PRODUCT = FLEXIBLE
PRODUCTS = [
    {"id": FLEXIBLE, "name": "Flexible Tasking (SkySat)", "resolution_m": 0.5, "image_type": "optical",
     "bands": ["PAN", "B", "G", "R", "NIR"], "min_area_km2": MIN_BILLED_KM2},
    {"id": ASSURED, "name": "Assured Tasking (SkySat)", "resolution_m": 0.5, "image_type": "optical",
     "bands": ["PAN", "B", "G", "R", "NIR"], "min_area_km2": MIN_BILLED_KM2,
     "description": "an acquisition in a chosen imaging window: search windows with "
                    "client.imaging_windows.search(request), then set imaging_window"},
    {"id": MONITORING, "name": "Monitoring Tasking (SkySat)", "resolution_m": 0.5, "image_type": "optical",
     "bands": ["PAN", "B", "G", "R", "NIR"], "min_area_km2": MIN_BILLED_KM2},
]
#: earlier pixorder ids and other spellings, still read: the product each one means
PRODUCT_ALIASES = {
    "one_time_tasking": FLEXIBLE, "flexible_tasking": FLEXIBLE, "flexible": FLEXIBLE,
    "assured_tasking": ASSURED, "assured": ASSURED,
    "monitoring_tasking": MONITORING, "monitoring": MONITORING,
}


#: a recurrence's RFC 5545 cadence, for Monitoring Tasking's ``rrule``
_CADENCES = {"WEEKLY": "FREQ=WEEKLY", "BIWEEKLY": "FREQ=WEEKLY;INTERVAL=2", "MONTHLY": "FREQ=MONTHLY",
             "BIMONTHLY": "FREQ=MONTHLY;INTERVAL=2", "QUARTERLY": "FREQ=MONTHLY;INTERVAL=3"}


def rrule_of(request: Any) -> str | None:
    """The ``rrule`` of a recurring tasking request (its cadence and ``COUNT`` of occurrences), or None
    for a one-off one (or an archive request).

    >>> import pixorder
    >>> rrule_of(pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-09-01",
    ...                                  recurrence="BIMONTHLY", occurrences=3))
    'FREQ=MONTHLY;INTERVAL=2;COUNT=3'
    """
    recurrence = getattr(request, "recurrence", None)
    cadence = _CADENCES.get(getattr(recurrence, "value", ""))
    return None if cadence is None else f"{cadence};COUNT={request.occurrences}"


def product_name(sensor: str | None) -> str | None:
    """Planet's product name for a sensor id, reading older ids as aliases; unknown ids pass unchanged.

    Args:
        sensor: a sensor id (case, spaces, ``-`` and ``_`` ignored for aliases), or None.

    Returns:
        str | None: the product name (``"Flexible Tasking"``, …), ``sensor`` itself, or None.

    >>> product_name("one_time_tasking"), product_name("assured tasking"), product_name("PL-Custom")
    ('Flexible Tasking', 'Assured Tasking', 'PL-Custom')
    """
    if sensor is None:
        return None
    key = "_".join(str(sensor).strip().lower().replace("-", " ").split())
    return PRODUCT_ALIASES.get(key, sensor)


def needs_imaging_window(request: Request) -> bool:
    """Whether Planet refuses ``request`` without an ``imaging_window`` (Assured Tasking).

    Args:
        request: a tasking or archive request.

    Returns:
        bool: True for a tasking request for Assured Tasking (whether or not it has a window).

    >>> import pixorder
    >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [4.35, 50.85]},
    ...                                   start="2030-03-01", end="2030-03-21", sensor="assured_tasking")
    >>> needs_imaging_window(request), needs_imaging_window(request.model_copy(update={"sensor": None}))
    (True, False)
    """
    return isinstance(request, m.TaskingRequest) and product_name(request.sensor) == ASSURED


#: ``GET /orders/``'s filters: pixorder's names → Planet's, then Planet's own, sent as they are (the
#: orders guide: name, created, start and end times; api-notes §2: ``status__in``, ``pl_number``,
#: ``product``, ``scheduling_type``, ``geometry__intersects``; the ``__gt/__gte/__lt/__lte`` time lookups)
ORDER_FILTERS = {
    "name": "name__icontains",
    "reference": "name__icontains",
    "status": "status",  # a list is sent as status__in
    "created_after": "created_time__gte",
    "created_before": "created_time__lt",
    "start_after": "start_time__gte",
    "start_before": "start_time__lte",
    **{key: key for key in ("name__icontains", "status__in", "pl_number", "product", "scheduling_type",
                            "geometry__intersects")},
    **{f"{time}__{lookup}": f"{time}__{lookup}" for time in ("created_time", "updated_time", "start_time", "end_time")
       for lookup in ("gt", "gte", "lt", "lte")},
}
#: the ``status`` filter's words (``Adapter.status_words``): :func:`parse_order` reads each of Planet's
#: statuses as the neutral word it is; FINALIZING and PENDING_CANCELLATION, which no neutral word reads
#: as, under their own names (sent as they are)
ORDER_STATUS_WORDS = {word: (word,) for word in (
    "RECEIVED", "REQUESTED", "PENDING", "IN_PROGRESS", "FINALIZING", "FULFILLED", "FAILED", "CANCELLED",
    "PENDING_CANCELLATION", "REJECTED", "EXPIRED")}
#: an empty ``GET /orders/`` page: the answer to a status filter no Planet order can match
NO_ORDERS: dict[str, Any] = {"count": 0, "next": None, "previous": None, "results": []}



def _geometry_of(aoi: Any) -> dict[str, Any]:
    """Send what the user drew: Planet turns a Point into its own 5×5 km square and a line into a strip.

    Longitudes are moved by whole turns into [-180, 180] as the AOI moved them (``POINT (200 0)`` is
    sent as ``(-160, 0)``: Planet refuses the other); a line that would then cross ±180° is sent as the
    AOI's polygon.

    >>> import pixorder
    >>> _geometry_of(pixorder.AOI("POINT (200 0)"))
    {'type': 'Point', 'coordinates': (-160.0, 0.0)}
    """
    original = getattr(aoi, "original_geometry", None)
    if original is not None and not isinstance(original, dict):
        original = getattr(original, "__geo_interface__", None)
    if isinstance(original, dict) and original.get("type") in ("Point", "LineString"):
        coords = original["coordinates"]
        points = [coords] if original["type"] == "Point" else list(coords)
        turn = -360.0 * ((float(points[0][0]) + 180.0) // 360.0)  # whole turns, as the AOI moved it
        moved = [(float(x) + turn, *rest) for x, *rest in points]
        if all(-180.0 <= x <= 180.0 for x, *_ in moved):
            return {"type": original["type"], "coordinates": moved[0] if original["type"] == "Point" else moved}
    return dict(aoi.__geo_interface__)


class PlanetAdapter(Adapter, provider="planet"):
    """Planet Tasking v2: products as sensors, bulk pricing and bulk create, one polygon per order.

    Paths start at ``/tasking/v2``; amounts are quota units (``SQKM``); the client reference is carried
    at the end of the order's name. Planet has no dry run: a dry-run order is a pricing preview.

    >>> import pixorder
    >>> adapter = PlanetAdapter()
    >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [4.35, 50.85]},
    ...                                   start="2030-03-01", end="2030-03-21", off_nadir=20)
    >>> call = adapter.price([request])
    >>> call.describe(), sorted(call.json[0])
    ('POST /tasking/v2/pricing/',
     ['end_time', 'geometry', 'sat_elevation_angle_max', 'sat_elevation_angle_min', 'start_time'])
    >>> [(q.sensor, q.amount, q.billed_area_km2) for q in call.parse(
    ...     {"pricing_details": [{"units": "SQKM", "estimated_quota_cost": 25.0}]}, {})]
    [('Flexible Tasking', 25.0, 25.0)]
    >>> order = adapter.create_order(request, reference="pxo-0123456789abcdef")
    >>> order.describe(), order.spend, order.json["name"]
    ('POST /tasking/v2/orders/', True, 'pixorder order [pxo-0123456789abcdef]')
    >>> adapter.edit_order("o-1", {"name": "Field 7", "end": request.end}).json
    {'name': 'Field 7', 'end_time': '2030-03-21T00:00:00Z'}
    """

    listing_filters = {"orders": ORDER_FILTERS}
    status_words = {"orders": ORDER_STATUS_WORDS}

    def auth_headers(self, api_key: str) -> dict[str, str]:
        """``Authorization: api-key <key>``.

        Args:
            api_key: the Planet API key (``PL_API_KEY``).

        Returns:
            dict: the header.
        """
        return {"Authorization": f"api-key {api_key}"}

    def sensors(self) -> list[m.Sensor]:  # type: ignore[override]
        """Planet's tasking products as sensors, from pixorder's static catalogue (no call).

        Returns:
            list[Sensor]: the models themselves, not a ``Call``: Flexible, Assured and Monitoring
            Tasking (SkySat, 0.5 m GSD, at least 25 km²), priced in ``SQKM``.
        """
        return [m.Sensor(provider=PROVIDER, raw=dict(p), unit=UNIT, **p) for p in PRODUCTS]

    def validate(self, request: Request) -> None:
        """Assured Tasking needs an ``imaging_window`` to be priced or ordered, and only Monitoring
        Tasking repeats: both refused here, before any call (a MONTHLY×6 request on Flexible Tasking
        was priced and placed as one capture before).

        Args:
            request: a tasking or archive request.

        Returns:
            None: Planet takes the request as far as pixorder knows.

        Raises:
            ValidationError: ``imaging_window``: an Assured Tasking request without one (the message
                says how to find one: ``client.imaging_windows.search(request)``); ``recurrence``: a
                recurring request for another product than Monitoring Tasking.

        >>> import pixorder
        >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [4.35, 50.85]},
        ...                                   start="2030-03-01", end="2030-03-03", sensor="Assured Tasking")
        >>> PlanetAdapter().validate(request)
        Traceback (most recent call last):
        ...
        pixorder.errors.ValidationError: imaging_window: is required for Planet Assured Tasking: ...
        >>> PlanetAdapter().validate(request.model_copy(update={"imaging_window": "w-1"}))
        """
        super().validate(request)  # the recurrences Planet orders at all (the provider table's)
        if needs_imaging_window(request) and not request.imaging_window:  # type: ignore[union-attr]
            raise ValidationError(
                "imaging_window", "is required for Planet Assured Tasking: find windows with "
                "client.imaging_windows.search(request), then set imaging_window=<window id> on the request")
        if rrule_of(request) is not None and product_name(request.sensor) != MONITORING:  # type: ignore[union-attr]
            raise ValidationError(
                "recurrence", f"Planet repeats acquisitions only with {MONITORING}: set sensor='{MONITORING}', "
                "or recurrence='ONCE'", request.recurrence.value)  # type: ignore[union-attr]

    def order_payload(self, request: Request, name: str | None = None) -> dict[str, Any]:
        """The JSON of one order (``POST /orders/``) or one pricing slot (``POST /pricing/``).

        The geometry is sent as drawn (a Point or LineString stays one: Planet makes its own 5×5 km
        square or strip); ``elevation_min`` (degrees; derived from ``off_nadir`` when only that is
        given) becomes ``sat_elevation_angle_min``; an EXPEDITED ``delivery_speed`` becomes ``scheduling_type: EXPRESS``.

        Args:
            request: a tasking request.
            name: the order's name (with the reference in it), or None for a pricing slot.

        Returns:
            dict: ``geometry``, ``start_time``, ``end_time`` and, when set, ``name``, ``product``,
            ``imaging_window``, ``rrule`` (a recurring Monitoring request: ``rrule_of``), the elevation
            angles and ``scheduling_type``.

        Raises:
            NotSupported: an ``ArchiveRequest`` (Planet's archive is the Orders API, not tasking).
            ValidationError: Assured Tasking without an ``imaging_window`` (see :meth:`validate`).
        """
        if isinstance(request, m.ArchiveRequest):
            raise self._unsupported("archive orders", "Planet's archive is ordered through the Orders API v2")
        self.validate(request)
        payload: dict[str, Any] = {"geometry": _geometry_of(request.aoi)}
        if name is not None:
            payload["name"] = name
        payload.update(_times_and_elevation(request))
        if request.sensor:
            payload["product"] = product_name(request.sensor)
        if request.imaging_window:
            payload["imaging_window"] = request.imaging_window
        rrule = rrule_of(request)
        if rrule is not None:  # Monitoring Tasking's cadence (validate refuses it on other products)
            payload["rrule"] = rrule
        if request.delivery_speed is m.DeliverySpeed.EXPEDITED:
            payload["scheduling_type"] = "EXPRESS"
        return payload

    def price(self, requests: Sequence[Request], first_index: int = 0) -> Call[list[m.Quote]]:
        """``POST /pricing/`` with one payload per request (at most ``bulk_limit``; the body ≤ 1 MB).

        Args:
            requests: tasking requests, one polygon each.
            first_index: the ``request_index`` of the first quote.

        Returns:
            Call[list[Quote]]: one quote per request, in order, with ``sensor`` the product name,
            ``area_km2`` the AOI's area and ``billed_area_km2`` at least 25 km².

        Raises:
            NotSupported: an ``ArchiveRequest`` among ``requests``.
            ValidationError: Assured Tasking without an ``imaging_window``.
        """
        payloads = [self.order_payload(r) for r in requests]

        def parse(body: Any, headers: Any) -> list[m.Quote]:
            quotes = []
            for offset, (detail, request) in enumerate(zip(array(body.get("pricing_details")), requests)):
                quote = parse_pricing(detail, index=first_index + offset, area_km2=_area(request),
                                      geometry=dict(request.aoi.__geo_interface__))
                quote.sensor = product_name(request.sensor) or DEFAULT_PRODUCT
                quotes.append(quote)
            return quotes

        return Call("POST", PREFIX + "/pricing/", parse, json=payloads)

    def create_order(self, request: Request, *, reference: str, dry_run: bool = False) -> Call[m.Order]:
        """``POST /orders/`` (a spend), the reference at the end of the name (≤ 255 characters).

        Args:
            request: a tasking request, one polygon.
            reference: the client reference.
            dry_run: True: a pricing preview of the same payload (``POST /pricing/``, no spend), read
                as an ``Order`` with ``dry_run=True``, ``id`` ``"dry-run-<reference>"`` and the quote's
                ``billed_area_km2``.

        Returns:
            Call[Order]: the order as Planet created it (``RECEIVED``).

        Raises:
            NotSupported: an ``ArchiveRequest``.
            ValidationError: Assured Tasking without an ``imaging_window``.
        """
        name = ref.in_name(request.name, reference, limit=self.name_limit)
        if dry_run:
            # Planet has no dry run: a pricing preview of the same payload is the honest equivalent.
            payload = self.order_payload(request, name)

            def parse_preview(body: Any, headers: Any) -> m.Order:
                quote = parse_pricing(body, area_km2=_area(request))  # billed as the quote bills it
                return m.Order(provider=PROVIDER, raw=dict(body), id=f"dry-run-{reference}", name=name,
                               amount=quote.amount, unit=quote.unit, area_km2=_area(request),
                               billed_area_km2=quote.billed_area_km2, dry_run=True,
                               start=getattr(request, "start", None), end=getattr(request, "end", None),
                               reference=reference, order_type=m.ItemType.TASKING, geometry=dict(request.aoi.__geo_interface__))

            return Call("POST", PREFIX + "/pricing/", parse_preview, json=payload)
        return Call("POST", PREFIX + "/orders/", lambda body, h: parse_order(body), json=self.order_payload(request, name),
                    spend=True, expect=(201, 200))

    def find_by_reference(self, reference: str) -> Call[list[m.Order]]:
        """``GET /orders/?name__icontains=<reference>``: the orders whose name carries it.

        Args:
            reference: the client reference.

        Returns:
            Call[list[Order]]: among the first 50 matches, those whose name ends in ``[<reference>]``.
        """
        return Call("GET", PREFIX + "/orders/", lambda body, h: [o for o in parse_orders_page(body).items
                                                         if o.reference == reference],
                    params={"name__icontains": reference, "limit": 50})

    def get_order(self, order_id: str) -> Call[m.Order]:
        """``GET /orders/{id}/``.

        Args:
            order_id: Planet's order id.

        Returns:
            Call[Order]: see :func:`parse_order`.
        """
        return Call("GET", PREFIX + f"/orders/{order_id}/", lambda body, h: parse_order(body))

    def list_orders(self, filters: Any, offset: int, limit: int) -> Call[m.Page[m.Order]]:
        """``GET /orders/`` with limit/offset and Planet's filter names.

        ``name`` and ``reference`` → ``name__icontains``; ``status`` and ``status__in`` take
        pixorder's neutral words (``OrderStatus``: ``"canceled"`` is CANCELLED) or Planet's own
        (:meth:`Adapter.status_filter`), one or a list (several words → ``status__in``; a word no
        Planet order can have, e.g. DRAFT, selects nothing and nothing is sent);
        ``created_after``/``created_before`` → ``created_time__gte``/``__lt``; ``start_after``/
        ``start_before`` → ``start_time__gte``/``__lte``; Planet's own names (:data:`ORDER_FILTERS`:
        ``pl_number``, ``product``, ``scheduling_type``, ``geometry__intersects``, the time lookups)
        as they are. Datetimes go as UTC ISO, a list comma-joined, a geometry as GeoJSON.

        Args:
            filters: filter name → value (None values are left out).
            offset: rows to skip, from the newest.
            limit: rows per page.

        Returns:
            Call[Page[Order]]: the page, with ``total`` (``count``) and ``next``.

        Raises:
            ValidationError: a filter :data:`ORDER_FILTERS` does not name (before any call).
        """
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        statuses: list[str] | None = None
        for key, value in self.wire_filters("orders", filters).items():
            if key in ("status", "status__in"):
                words = self.status_filter("orders", value).words
                # status and status__in both given: Planet ANDs them, so the words both name
                statuses = list(words) if statuses is None else [w for w in statuses if w in words]
                continue
            if hasattr(value, "__geo_interface__") or isinstance(value, Mapping):
                value = json.dumps(dict(getattr(value, "__geo_interface__", value)))
            params[key] = str(listed(value))
        if statuses is not None and len(statuses) == 1:
            params["status"] = statuses[0]
        elif statuses:
            params["status__in"] = ",".join(statuses)

        def parse(body: Any, headers: Any) -> m.Page[m.Order]:
            page = parse_orders_page(body)
            page.offset, page.limit = offset, limit
            return page

        return Call("GET", PREFIX + "/orders/", parse, params=params, answer=NO_ORDERS if statuses == [] else None)

    def edit_order(self, order_id: str, changes: Any) -> Call[m.Order | None]:
        """``PUT /orders/{id}/`` with the changed fields (``start``/``end`` sent as ``start_time``/``end_time``).

        Args:
            order_id: Planet's order id.
            changes: any of ``name``, ``rank``, ``start``/``start_time``, ``end``/``end_time`` → new value.

        Returns:
            Call[None]: the client reads the order again.

        Raises:
            ValidationError: a field Planet cannot edit (named), before any call.
        """
        allowed = {"name", "rank", "start_time", "end_time", "start", "end"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValidationError(sorted(unknown)[0], "Planet can edit only name, rank, start_time and end_time")
        body = {{"start": "start_time", "end": "end_time"}.get(k, k): iso_z(v) if hasattr(v, "isoformat") else v
                for k, v in changes.items()}
        return Call("PUT", PREFIX + f"/orders/{order_id}/", lambda body, h: None, json=body)

    def cancel_order(self, order_id: str) -> Call[m.Order | None]:
        """``DELETE /orders/{id}/`` (Planet answers 204).

        Args:
            order_id: Planet's order id.

        Returns:
            Call[None]: the client reads the order again (``CANCELLED``).
        """
        return Call("DELETE", PREFIX + f"/orders/{order_id}/", lambda body, h: None, expect=(204, 200))

    def list_tasks(self, filters: Any, offset: int, limit: int) -> Call[Any]:
        """Planet has no tasks: its orders report captures (``deliveries``).

        Args:
            filters: ignored.
            offset: ignored.
            limit: ignored.

        Raises:
            NotSupported: always, pointing to ``deliveries.list(order_id)``.
        """
        raise self._unsupported("tasks.list()", "Planet reports captures per order: use deliveries.list(order_id)")

    # --- bulk create: POST /bulk/ with a client-chosen id, poll, read each payload's outcome -----
    def bulk_order_payload(self, request: Request, reference: str) -> dict[str, Any]:
        """One ``order_payloads[]`` entry of ``POST /bulk/``: :meth:`order_payload` with the reference in the name.

        Args:
            request: a tasking request, one polygon.
            reference: the order's client reference.

        Returns:
            dict: the order's JSON.

        Raises:
            NotSupported: an ``ArchiveRequest``.
            ValidationError: Assured Tasking without an ``imaging_window``.
        """
        return self.order_payload(request, ref.in_name(request.name, reference, limit=self.name_limit))

    def submit_bulk(self, bulk_id: str, payloads: Sequence[Mapping[str, Any]]) -> Call[None]:
        """``POST /bulk/`` ``{id, order_payloads}`` (a spend; Planet answers 202, 409 for a reused id).

        Args:
            bulk_id: the client-chosen bulk id (Planet's exactly-once handle).
            payloads: at most 1,000 payloads of :meth:`bulk_order_payload`, ≤ 1 MB in all.

        Returns:
            Call[None]: poll with :meth:`get_bulk`.
        """
        # 202 with no body and a Location path; a reused id is a 409 (handled by the caller).
        return Call("POST", PREFIX + "/bulk/", lambda body, h: None,
                    json={"id": bulk_id, "order_payloads": list(payloads)}, spend=True, expect=(202, 201, 200))

    def get_bulk(self, bulk_id: str) -> Call[Job]:
        """``GET /bulk/{id}/``.

        Args:
            bulk_id: the id given to :meth:`submit_bulk`.

        Returns:
            Call[Job]: see :func:`parse_bulk`; a 404 means Planet never received the bulk.
        """
        return Call("GET", PREFIX + f"/bulk/{bulk_id}/", lambda body, h: parse_bulk(body, bulk_id))

    def bulk_outcomes(self, bulk_id: str, offset: int, limit: int) -> Call[m.Page[BulkOutcome]]:
        """``GET /bulk/{id}/payloads/``: one page of each payload's outcome.

        Args:
            bulk_id: the id given to :meth:`submit_bulk`.
            offset: payloads to skip.
            limit: payloads per page.

        Returns:
            Call[Page[BulkOutcome]]: see :func:`parse_bulk_payloads`.
        """
        return Call("GET", PREFIX + f"/bulk/{bulk_id}/payloads/", lambda body, h: parse_bulk_payloads(body, offset),
                    params={"limit": limit, "offset": offset})

    # --- deliveries: the order's fulfilling captures --------------------------------------------
    async def deliveries(self, order_id: str, send: Any) -> list[m.Delivery]:
        """The order's fulfilling captures: ``GET /captures/?order_id=…&fulfilling=true``, every page.

        The capture listing answers an order id it does not know with no captures, as it answers an
        order with none yet: when it lists none, the order is read (``GET /orders/{id}/``), whose 404
        tells an unknown order.

        Args:
            order_id: Planet's order id.
            send: a coroutine function that sends a ``Call`` (the client's ``send``).

        Returns:
            list[Delivery]: one per capture (see :func:`parse_capture`); empty while none fulfils it.

        Raises:
            NotFound: Planet has no such order (the message names the URL, so the id).
            ApiError: as ``send`` raises it.

        >>> import asyncio
        >>> pages = [{"count": 1, "results": [{"id": "c-1", "order_id": "o-1", "status": "PUBLISHED",
        ...                                    "cloud_cover": 0.12}]}]
        >>> async def send(call):
        ...     return call.parse(pages.pop(0), {})
        >>> [(d.capture_id, d.status, d.cloud_cover) for d in asyncio.run(PlanetAdapter().deliveries("o-1", send))]
        [('c-1', 'PUBLISHED', 12.0)]
        """
        found = await every_page(send, lambda offset: Call(
            "GET", PREFIX + "/captures/", lambda body, h: parse_captures_page(body),
            params={"order_id": order_id, "fulfilling": "true", "limit": 1000, "offset": offset}))
        if not found:
            await send(self.get_order(order_id))  # NotFound for an order Planet does not know
        return found

    # --- imaging windows (Assured Tasking) ------------------------------------------------------
    def search_imaging_windows(self, request: m.TaskingRequest) -> Call[str]:
        """``POST /imaging-windows/search/`` for Assured Tasking over ``request``'s AOI and window.

        The search takes a Point or a two-point LineString: an AOI drawn so is sent as drawn, any
        other as its representative point.

        Args:
            request: a tasking request (its ``sensor`` is not read: the search is for Assured Tasking).

        Returns:
            Call[str]: the path to poll, from the ``Location`` header (or the answer's ``id``); an
            answer with neither fails to read (the client raises ``ApiError``).
        """
        payload = {"geometry": _window_geometry(request.aoi), "product": ASSURED, **_times_and_elevation(request)}

        def parse(body: Any, headers: Any) -> str:
            location = headers.get("location") or headers.get("Location")
            if not location:
                search_id = mapping(body).get("id")
                if not search_id:
                    raise ValueError("the search answered without a Location or an id")
                return PREFIX + f"/imaging-windows/search/{search_id}/"
            return _path_of(location)

        return Call("POST", PREFIX + "/imaging-windows/search/", parse, json=payload, expect=(201, 200, 202))

    def poll_imaging_windows(self, path: str) -> Call[Job]:
        """``GET`` the search's path.

        Args:
            path: from :meth:`search_imaging_windows`.

        Returns:
            Call[Job]: see :func:`parse_window_search`.
        """
        return Call("GET", path, lambda body, h: parse_window_search(body))

    def check_feasibility(self, request: m.TaskingRequest) -> Call[Any]:
        """Planet has no feasibility check: it decides after the order is placed.

        Args:
            request: ignored.

        Raises:
            NotSupported: always (RECEIVED → PENDING or REJECTED after ``orders.create()``; for
                Assured Tasking, search imaging windows).
        """
        raise self._unsupported(
            "feasibility.check()", "Planet decides feasibility after orders.create() (RECEIVED → PENDING or "
            "REJECTED); for Assured Tasking search imaging windows")


def _times_and_elevation(request: m.TaskingRequest) -> dict[str, Any]:
    """The window and the lowest satellite elevation, as orders, pricing and window searches send them."""
    fields: dict[str, Any] = {"start_time": iso_z(request.start), "end_time": iso_z(request.end)}
    if request.elevation_min is not None:
        fields["sat_elevation_angle_min"] = round(request.elevation_min, 2)
        fields["sat_elevation_angle_max"] = 90.0
    return fields


def _area(request: Request) -> float | None:
    return float(request.aoi.area_km2)


def _path_of(location: str) -> str:
    """The path (and query) of a ``Location``: Planet sends a path; older answers an absolute URL."""
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _window_geometry(aoi: Any) -> dict[str, Any]:
    """What the imaging-window search takes: a Point or a two-point LineString; else the AOI's centre."""
    geometry = _geometry_of(aoi)
    if geometry.get("type") == "Point":
        return geometry
    if geometry.get("type") == "LineString" and len(geometry.get("coordinates", [])) == 2:
        return geometry
    from shapely.geometry import shape

    centre = shape(aoi.__geo_interface__).representative_point()
    return {"type": "Point", "coordinates": [round(centre.x, 6), round(centre.y, 6)]}


# ------------------------------------------------------------------------------------------- bulk
BULK_DONE = ("COMPLETE", "COMPLETED", "FAILED", "CANCELLED")
#: ``GET /bulk/{id}``'s payload counts → the ``Job.counts`` key each is read into
BULK_COUNTS = {"payload_count": "total", "processing_payload_count": "processing",
               "successful_payload_count": "successful", "failed_payload_count": "failed"}


def parse_bulk(payload: Any, bulk_id: str) -> Job:
    """``GET /bulk/{id}``: PENDING → RUNNING → COMPLETE, with payload counts.

    Args:
        payload: the answer's JSON object.
        bulk_id: the id asked for (used when the answer has none).

    Returns:
        Job: ``status`` upper-cased; ``done`` for COMPLETE(D), FAILED or CANCELLED; ``failed`` for the
        last two; ``counts`` the payload counts Planet sent, keyed :data:`BULK_COUNTS`' values: ``total``
        (``payload_count``), ``processing``, ``successful`` and ``failed`` (``<key>_payload_count``).

    >>> parse_bulk({"id": "b-1", "status": "running", "payload_count": 3, "processing_payload_count": 1,
    ...             "successful_payload_count": 1, "failed_payload_count": 1}, "b-1").counts
    {'total': 3, 'processing': 1, 'successful': 1, 'failed': 1}
    >>> parse_bulk({"id": "b-1", "status": "running", "payload_count": 2, "successful_payload_count": 1}, "b-1")
    Job(id='b-1', status='RUNNING', done=False, failed=False, error=None, counts={'total': 2, 'successful': 1},
        result=[])
    """
    body = mapping(payload)
    status = (text(body.get("status")) or "PENDING").upper()
    counts = {name: integer(body.get(key)) or 0 for key, name in BULK_COUNTS.items() if key in body}
    return Job(id=str(body.get("id") or bulk_id), status=status, done=status in BULK_DONE,
               failed=status in ("FAILED", "CANCELLED"), counts=counts)


def parse_bulk_payloads(payload: Any, offset: int) -> m.Page[BulkOutcome]:
    """``GET /bulk/{id}/payloads``: each payload's status, order id, and why it failed.

    Args:
        payload: the page's JSON object (``{count, next, results}``).
        offset: the page's offset (a row without ``index`` is placed by it).

    Returns:
        Page[BulkOutcome]: ``ok`` for SUCCESS; ``pending`` while PENDING, PROCESSING or RUNNING;
        ``message`` from ``message`` or ``errors``.

    >>> parse_bulk_payloads({"count": 2, "results": [{"index": 0, "status": "SUCCESS", "order_id": "o-1"},
    ...     {"index": 1, "status": "FAILED", "message": "geometry: invalid"}]}, 0).items
    [BulkOutcome(index=0, ok=True, order_id='o-1', message=None, pending=False),
     BulkOutcome(index=1, ok=False, order_id=None, message='geometry: invalid', pending=False)]
    """
    body = mapping(payload)
    rows = []
    for position, row in enumerate(array(body.get("results"))):
        if not isinstance(row, Mapping):
            continue
        index = integer(row.get("index"))
        status = (text(row.get("status")) or "").upper()
        message = text(row.get("message"))
        if message is None and row.get("errors"):
            message = str(row.get("errors"))
        rows.append(BulkOutcome(index=offset + position if index is None else index, ok=status == "SUCCESS",
                                order_id=text(row.get("order_id")), message=message,
                                pending=status in ("", "PENDING", "PROCESSING", "RUNNING")))
    return m.Page[BulkOutcome](items=rows, total=integer(body.get("count")), offset=offset,
                               next=text(body.get("next")))


# --------------------------------------------------------------------------------------- captures
def _percent(value: Any) -> float | None:
    # Capture cloud cover comes as a fraction 0–1 [3P]; pixorder speaks percent.
    number_ = number(value)
    return None if number_ is None else round(number_ * 100.0, 6) if number_ <= 1.0 else number_


def parse_capture(payload: Mapping[str, Any]) -> m.Delivery:
    """One capture of ``GET /captures/`` as a delivery.

    Args:
        payload: the capture's JSON object.

    Returns:
        Delivery: ``capture_id`` and ``id`` the capture's id, ``item_id`` its first scene id,
        ``cloud_cover`` in percent (Planet sends a fraction 0–1), ``geometry`` the captured area
        (else the AOI); ``url`` None (a capture carries no link; its scene ids are in ``raw["item_ids"]``).

    >>> d = parse_capture({"id": "c-1", "order_id": "o-1", "status": "PUBLISHED", "cloud_cover": 0.12,
    ...                    "item_ids": ["20300302_101500_ssc1_u0001"], "acquired_time": "2030-03-02T10:15:00Z"})
    >>> d.item_id, d.cloud_cover, d.acquired_at.isoformat()
    ('20300302_101500_ssc1_u0001', 12.0, '2030-03-02T10:15:00+00:00')
    """
    return m.Delivery(
        provider=PROVIDER, raw=dict(payload), id=str(payload.get("id")), order_id=text(payload.get("order_id")),
        item_id=next(iter(array(payload.get("item_ids"))), None), status=text(payload.get("status")),
        capture_id=text(payload.get("id")), acquired_at=payload.get("acquired_time"),
        published_at=payload.get("published_time"), cloud_cover=_percent(payload.get("cloud_cover")),
        geometry=footprint(payload.get("captured_area")) or footprint(payload.get("area_of_interest")),
    )


def parse_captures_page(payload: Any) -> m.Page[m.Delivery]:
    """One page of ``GET /captures/`` (``{count, next, results}``).

    Args:
        payload: the page's JSON (anything else reads as an empty page).

    Returns:
        Page[Delivery]: ``items``, ``total`` (``count``) and ``next``.

    >>> page = parse_captures_page({"count": 1, "next": None, "results": [{"id": "c-1", "order_id": "o-1"}]})
    >>> page.total, [d.capture_id for d in page.items]
    (1, ['c-1'])
    """
    body = mapping(payload)
    return m.Page[m.Delivery](items=[parse_capture(c) for c in array(body.get("results")) if isinstance(c, Mapping)],
                              total=integer(body.get("count")), next=text(body.get("next")))


# -------------------------------------------------------------------------------- imaging windows
def parse_imaging_window(payload: Mapping[str, Any], geometry: dict[str, Any] | None = None) -> m.ImagingWindow:
    """One imaging window of a DONE search.

    Args:
        payload: the window's JSON object.
        geometry: the search's geometry (GeoJSON), kept on the window.

    Returns:
        ImagingWindow: ``cloud_forecast`` in percent (the mean of the ``cloud_forecast[]``
        predictions, or the older single number), ``cloud_forecasts`` the forecasts as sent,
        ``off_nadir_min``/``off_nadir_max`` in degrees, ``start``/``end`` UTC.

    >>> w = parse_imaging_window({"id": "w-1", "start_time": "2030-03-02T10:00:00Z",
    ...     "end_time": "2030-03-02T10:05:00Z", "cloud_forecast": [{"prediction": 0.1}, {"prediction": 0.3}],
    ...     "off_nadir_angle_min": 5, "off_nadir_angle_max": 20})
    >>> w.cloud_forecast, w.off_nadir_min, w.off_nadir_max
    (20.0, 5.0, 20.0)
    """
    forecasts = [dict(f) for f in array(payload.get("cloud_forecast")) if isinstance(f, Mapping)]
    predictions = [p for p in (number(f.get("prediction")) for f in forecasts) if p is not None]
    # the mean of the predictions (fractions), or the older flat form: one number
    cloud = (round(sum(predictions) / len(predictions) * 100.0, 3) if predictions
             else _percent(payload.get("cloud_forecast")))
    return m.ImagingWindow(
        provider=PROVIDER, raw=dict(payload), id=str(payload.get("id")), start=payload.get("start_time"),
        end=payload.get("end_time"), cloud_forecast=cloud, cloud_forecasts=forecasts,
        off_nadir_min=number(payload.get("off_nadir_angle_min")),
        off_nadir_max=number(payload.get("off_nadir_angle_max")),
        satellite_type=text(payload.get("satellite_type")), product=text(payload.get("product")),
        pl_number=text(payload.get("pl_number")), geometry=geometry,
    )


def parse_window_search(payload: Any) -> Job:
    """A poll of an imaging-window search: CREATED → IN_PROGRESS → DONE (windows) or FAILED.

    Args:
        payload: the search's JSON object.

    Returns:
        Job: ``done`` for DONE or FAILED; ``result`` the ``ImagingWindow`` models (see
        :func:`parse_imaging_window`); ``error`` ``"<error_code>: <error_message>"`` when FAILED.

    >>> job = parse_window_search({"id": "s-1", "status": "DONE",
    ...                            "imaging_windows": [{"id": "w-1", "cloud_forecast": 0.2}]})
    >>> job.done, [(w.id, w.cloud_forecast) for w in job.result]
    (True, [('w-1', 20.0)])
    >>> parse_window_search({"id": "s-1", "status": "FAILED", "error_code": "NO_ACCESS",
    ...                      "error_message": "no product"}).error
    'NO_ACCESS: no product'
    """
    body = mapping(payload)
    status = (text(body.get("status")) or "CREATED").upper()
    geometry = footprint(body.get("geometry"))
    failed = status == "FAILED"
    error = None
    if failed:
        code, message = text(body.get("error_code")), text(body.get("error_message"))
        error = f"{code}: {message}" if code and message else message or code or "the search failed"
    windows = [parse_imaging_window(w, geometry) for w in array(body.get("imaging_windows")) if isinstance(w, Mapping)]
    return Job(id=str(body.get("id")), status=status, done=status in ("DONE", "FAILED"), failed=failed,
               error=error, result=windows)
