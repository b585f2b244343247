"""Planet Tasking API v2 adapter: wire payloads ⇄ neutral models (sans-IO)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from pixorder import models as m
from pixorder.aoi.rules import billed_km2
from pixorder.errors import ValidationError
from pixorder.providers import reference as ref
from pixorder.providers import table
from pixorder.providers._wire import array, footprint, integer, listed, mapping, number, text
from pixorder.providers.base import Adapter, BulkOutcome, Call, Job, Request, every_page

PROVIDER = "planet"
PREFIX = table.get(PROVIDER).api_root
MIN_BILLED_KM2 = table.get(PROVIDER).min_billed_area_km2
UNIT = "SQKM"  # Planet prices in quota units of square kilometres


def parse_order(payload: Mapping[str, Any]) -> m.Order:
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
        # requested_sqkm is Planet's own measure of the AOI (0.001 km²); it bills at least 25 km².
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
    """One pricing answer (``GET /orders/{id}/pricing`` or one slot of ``POST /pricing/``)."""
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
    return m.Quote(
        provider=PROVIDER,
        raw=dict(payload),
        amount=number(payload.get("estimated_quota_cost")),
        base_amount=base,
        unit=text(payload.get("units")) or UNIT,
        uplifts=uplifts,
        area_km2=area_km2,
        billed_area_km2=None if area_km2 is None else billed_km2(PROVIDER, area_km2),
        request_index=index,
        geometry=geometry,
    )


def parse_bulk_pricing(payload: Mapping[str, Any]) -> list[m.Quote]:
    return [parse_pricing(d, index=i) for i, d in enumerate(array(payload.get("pricing_details")))]


def parse_orders_page(payload: Mapping[str, Any]) -> m.Page[m.Order]:
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


def product_name(sensor: str | None) -> str | None:
    """Planet's product name for a sensor id, reading older ids as aliases; unknown ids pass unchanged.

    >>> product_name("one_time_tasking"), product_name("assured tasking"), product_name("PL-Custom")
    ('Flexible Tasking', 'Assured Tasking', 'PL-Custom')
    """
    if sensor is None:
        return None
    key = "_".join(str(sensor).strip().lower().replace("-", " ").split())
    return PRODUCT_ALIASES.get(key, sensor)


def needs_imaging_window(request: Request) -> bool:
    """Whether Planet refuses ``request`` without an ``imaging_window`` (Assured Tasking)."""
    return isinstance(request, m.TaskingRequest) and product_name(request.sensor) == ASSURED


_FILTER_NAMES = {
    "name": "name__icontains",
    "status": "status",
    "created_after": "created_time__gte",
    "created_before": "created_time__lt",
    "start_after": "start_time__gte",
    "start_before": "start_time__lte",
    "reference": "name__icontains",
}


def _geometry_of(aoi: Any) -> dict[str, Any]:
    # Send what the user drew: Planet turns a Point into its own 5×5 km square and a line into a strip.
    original = getattr(aoi, "original_geometry", None)
    if original is not None and not isinstance(original, dict):
        original = getattr(original, "__geo_interface__", None)
    if isinstance(original, dict) and original.get("type") in ("Point", "LineString"):
        return dict(original)
    return dict(aoi.__geo_interface__)


class PlanetAdapter(Adapter, provider="planet"):
    """Planet Tasking v2: products as sensors, bulk pricing and bulk create, one polygon per order."""

    def auth_headers(self, api_key: str) -> dict[str, str]:
        return {"Authorization": f"api-key {api_key}"}

    def sensors(self) -> list[m.Sensor]:  # type: ignore[override]
        return [m.Sensor(provider=PROVIDER, raw=dict(p), unit=UNIT, **p) for p in PRODUCTS]

    def validate(self, request: Request) -> None:
        """Assured Tasking needs an ``imaging_window`` to be priced or ordered: refused here, before any call."""
        if needs_imaging_window(request) and not request.imaging_window:  # type: ignore[union-attr]
            raise ValidationError(
                "imaging_window", "is required for Planet Assured Tasking: find windows with "
                "client.imaging_windows.search(request), then set imaging_window=<window id> on the request")

    def order_payload(self, request: Request, name: str | None = None) -> dict[str, Any]:
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
        if request.delivery_speed is m.DeliverySpeed.EXPEDITED:
            payload["scheduling_type"] = "EXPRESS"
        return payload

    def price(self, requests: Sequence[Request], first_index: int = 0) -> Call[list[m.Quote]]:
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
        name = ref.in_name(request.name, reference, limit=self.name_limit)
        if dry_run:
            # Planet has no dry run: a pricing preview of the same payload is the honest equivalent.
            payload = self.order_payload(request, name)

            def parse_preview(body: Any, headers: Any) -> m.Order:
                quote = parse_pricing(body)
                return m.Order(provider=PROVIDER, raw=dict(body), id=f"dry-run-{reference}", name=name,
                               amount=quote.amount, unit=quote.unit, area_km2=_area(request), dry_run=True,
                               start=getattr(request, "start", None), end=getattr(request, "end", None),
                               reference=reference, order_type=m.ItemType.TASKING, geometry=dict(request.aoi.__geo_interface__))

            return Call("POST", PREFIX + "/pricing/", parse_preview, json=payload)
        return Call("POST", PREFIX + "/orders/", lambda body, h: parse_order(body), json=self.order_payload(request, name),
                    spend=True, expect=(201, 200))

    def find_by_reference(self, reference: str) -> Call[list[m.Order]]:
        return Call("GET", PREFIX + "/orders/", lambda body, h: [o for o in parse_orders_page(body).items
                                                         if o.reference == reference],
                    params={"name__icontains": reference, "limit": 50})

    def get_order(self, order_id: str) -> Call[m.Order]:
        return Call("GET", PREFIX + f"/orders/{order_id}/", lambda body, h: parse_order(body))

    def list_orders(self, filters: Any, offset: int, limit: int) -> Call[m.Page[m.Order]]:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        for key, value in filters.items():
            if value is None:
                continue
            if isinstance(value, (list, tuple)) and key == "status":
                key = "status__in"
            params[_FILTER_NAMES.get(key, key)] = m.format_datetime(value) if hasattr(value, "isoformat") else str(listed(value))

        def parse(body: Any, headers: Any) -> m.Page[m.Order]:
            page = parse_orders_page(body)
            page.offset, page.limit = offset, limit
            return page

        return Call("GET", PREFIX + "/orders/", parse, params=params)

    def edit_order(self, order_id: str, changes: Any) -> Call[m.Order | None]:
        allowed = {"name", "rank", "start_time", "end_time", "start", "end"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValidationError(sorted(unknown)[0], "Planet can edit only name, rank, start_time and end_time")
        body = {{"start": "start_time", "end": "end_time"}.get(k, k): m.format_datetime(v) if hasattr(v, "isoformat") else v
                for k, v in changes.items()}
        return Call("PUT", PREFIX + f"/orders/{order_id}/", lambda body, h: None, json=body)

    def cancel_order(self, order_id: str) -> Call[m.Order | None]:
        return Call("DELETE", PREFIX + f"/orders/{order_id}/", lambda body, h: None, expect=(204, 200))

    def list_tasks(self, filters: Any, offset: int, limit: int) -> Call[Any]:
        raise self._unsupported("tasks.list()", "Planet reports captures per order: use deliveries.list(order_id)")

    # --- bulk create: POST /bulk/ with a client-chosen id, poll, read each payload's outcome -----
    def bulk_order_payload(self, request: Request, reference: str) -> dict[str, Any]:
        return self.order_payload(request, ref.in_name(request.name, reference, limit=self.name_limit))

    def submit_bulk(self, bulk_id: str, payloads: Sequence[Mapping[str, Any]]) -> Call[None]:
        # 202 with no body and a Location path; a reused id is a 409 (handled by the caller).
        return Call("POST", PREFIX + "/bulk/", lambda body, h: None,
                    json={"id": bulk_id, "order_payloads": list(payloads)}, spend=True, expect=(202, 201, 200))

    def get_bulk(self, bulk_id: str) -> Call[Job]:
        return Call("GET", PREFIX + f"/bulk/{bulk_id}/", lambda body, h: parse_bulk(body, bulk_id))

    def bulk_outcomes(self, bulk_id: str, offset: int, limit: int) -> Call[m.Page[BulkOutcome]]:
        return Call("GET", PREFIX + f"/bulk/{bulk_id}/payloads/", lambda body, h: parse_bulk_payloads(body, offset),
                    params={"limit": limit, "offset": offset})

    # --- deliveries: the order's fulfilling captures --------------------------------------------
    async def deliveries(self, order_id: str, send: Any) -> list[m.Delivery]:
        return await every_page(send, lambda offset: Call(
            "GET", PREFIX + "/captures/", lambda body, h: parse_captures_page(body),
            params={"order_id": order_id, "fulfilling": "true", "limit": 1000, "offset": offset}))

    # --- imaging windows (Assured Tasking) ------------------------------------------------------
    def search_imaging_windows(self, request: m.TaskingRequest) -> Call[str]:
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
        return Call("GET", path, lambda body, h: parse_window_search(body))

    def check_feasibility(self, request: m.TaskingRequest) -> Call[Any]:
        raise self._unsupported(
            "feasibility.check()", "Planet decides feasibility after orders.create() (RECEIVED → PENDING or "
            "REJECTED); for Assured Tasking search imaging windows")


def _times_and_elevation(request: m.TaskingRequest) -> dict[str, Any]:
    """The window and the lowest satellite elevation, as orders, pricing and window searches send them."""
    fields: dict[str, Any] = {"start_time": m.format_datetime(request.start), "end_time": m.format_datetime(request.end)}
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


def parse_bulk(payload: Any, bulk_id: str) -> Job:
    """``GET /bulk/{id}``: PENDING → RUNNING → COMPLETE, with payload counts."""
    body = mapping(payload)
    status = (text(body.get("status")) or "PENDING").upper()
    counts = {key.removesuffix("_payload_count"): integer(body.get(key)) or 0
              for key in ("payload_count", "processing_payload_count", "successful_payload_count",
                          "failed_payload_count") if key in body}
    return Job(id=str(body.get("id") or bulk_id), status=status, done=status in BULK_DONE,
               failed=status in ("FAILED", "CANCELLED"), counts=counts)


def parse_bulk_payloads(payload: Any, offset: int) -> m.Page[BulkOutcome]:
    """``GET /bulk/{id}/payloads``: each payload's status, order id, and why it failed."""
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
    return m.Delivery(
        provider=PROVIDER, raw=dict(payload), id=str(payload.get("id")), order_id=text(payload.get("order_id")),
        item_id=next(iter(array(payload.get("item_ids"))), None), status=text(payload.get("status")),
        capture_id=text(payload.get("id")), acquired_at=payload.get("acquired_time"),
        published_at=payload.get("published_time"), cloud_cover=_percent(payload.get("cloud_cover")),
        geometry=footprint(payload.get("captured_area")) or footprint(payload.get("area_of_interest")),
    )


def parse_captures_page(payload: Any) -> m.Page[m.Delivery]:
    body = mapping(payload)
    return m.Page[m.Delivery](items=[parse_capture(c) for c in array(body.get("results")) if isinstance(c, Mapping)],
                              total=integer(body.get("count")), next=text(body.get("next")))


# -------------------------------------------------------------------------------- imaging windows
def parse_imaging_window(payload: Mapping[str, Any], geometry: dict[str, Any] | None = None) -> m.ImagingWindow:
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
    """A poll of an imaging-window search: CREATED → IN_PROGRESS → DONE (windows) or FAILED."""
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
