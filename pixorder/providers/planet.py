"""Planet Tasking API v2 adapter: wire payloads ⇄ neutral models (sans-IO)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pixorder import models as m
from pixorder.errors import ValidationError
from pixorder.providers._wire import array, footprint, integer, mapping, number, text
from pixorder.providers.base import Adapter, Call, Request, with_reference

PROVIDER = "planet"
BASE_URL = "https://api.planet.com"
PREFIX = "/tasking/v2"
UNIT = "SQKM"  # Planet prices in quota units of square kilometres
REFERENCE_PREFIX = "pxo-"


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
        billed_area_km2=None if requested is None else max(requested, 25.0),
        start=payload.get("start_time"),
        end=payload.get("end_time"),
        created_at=payload.get("created_time"),
        updated_at=payload.get("updated_time"),
        geometry=geometry,
        reference=_reference(name),
    )


def _reference(name: str | None) -> str | None:
    if name and name.endswith("]"):
        at = name.rfind("[" + REFERENCE_PREFIX)
        if at >= 0:
            return name[at + 1 : -1]
    return None


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
        billed_area_km2=None if area_km2 is None else max(area_km2, 25.0),
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

# Planet's tasking products, offered by every key's PL number [V docs: product names]; the catalogue
# itself has no endpoint, so it lives here.
PRODUCTS = [
    {"id": "one_time_tasking", "name": "Flexible Tasking (SkySat)", "resolution_m": 0.5, "image_type": "optical",
     "bands": ["PAN", "B", "G", "R", "NIR"], "min_area_km2": 25.0},
    {"id": "Assured Tasking", "name": "Assured Tasking (SkySat)", "resolution_m": 0.5, "image_type": "optical",
     "bands": ["PAN", "B", "G", "R", "NIR"], "min_area_km2": 25.0},
    {"id": "Monitoring Tasking", "name": "Monitoring (SkySat, rrule)", "resolution_m": 0.5,
     "image_type": "optical", "bands": ["PAN", "B", "G", "R", "NIR"], "min_area_km2": 25.0},
]

_FILTER_NAMES = {
    "name": "name__icontains",
    "status": "status",
    "created_after": "created_time__gte",
    "created_before": "created_time__lt",
    "start_after": "start_time__gte",
    "start_before": "start_time__lte",
    "reference": "name__icontains",
}


def _iso(moment: Any) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def _geometry_of(aoi: Any) -> dict[str, Any]:
    # Send what the user drew: Planet turns a Point into its own 5×5 km square and a line into a strip.
    original = getattr(aoi, "original_geometry", None)
    if original is not None and not isinstance(original, dict):
        original = getattr(original, "__geo_interface__", None)
    if isinstance(original, dict) and original.get("type") in ("Point", "LineString"):
        return dict(original)
    return dict(aoi.__geo_interface__)


class PlanetAdapter(Adapter):
    name = PROVIDER
    default_base_url = BASE_URL
    api_root = PREFIX
    name_limit = 255  # Planet answers 400 "no more than 255 characters"
    env_var = "PL_API_KEY"
    bulk_limit = 100  # the real limit is the 1 MB body; 100 payloads stay far below it
    rate_limits = {"default": (10, 1.0)}  # 10 requests/s per key [V]

    def auth_headers(self, api_key: str) -> dict[str, str]:
        return {"Authorization": f"api-key {api_key}"}

    def sensors(self) -> list[m.Sensor]:  # type: ignore[override]
        return [m.Sensor(provider=PROVIDER, raw=dict(p), unit=UNIT, **p) for p in PRODUCTS]

    def order_payload(self, request: Request, name: str | None = None) -> dict[str, Any]:
        if isinstance(request, m.ArchiveRequest):
            raise self._unsupported("archive orders", "Planet's archive is ordered through the Orders API v2")
        payload: dict[str, Any] = {"geometry": _geometry_of(request.aoi)}
        if name is not None:
            payload["name"] = name
        payload["start_time"] = _iso(request.start)
        payload["end_time"] = _iso(request.end)
        if request.elevation_min is not None:
            payload["sat_elevation_angle_min"] = round(request.elevation_min, 2)
            payload["sat_elevation_angle_max"] = 90.0
        if request.sensor:
            payload["product"] = request.sensor
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
                quote.sensor = request.sensor or "one_time_tasking"
                quotes.append(quote)
            return quotes

        return Call("POST", PREFIX + "/pricing/", parse, json=payloads)

    def create_order(self, request: Request, *, reference: str, dry_run: bool = False) -> Call[m.Order]:
        name = with_reference(request.name, reference, "pixorder order", self.name_limit)
        if dry_run:
            # Planet has no dry run: a pricing preview of the same payload is the honest equivalent.
            payload = self.order_payload(request, name)

            def parse_preview(body: Any, headers: Any) -> m.Order:
                quote = parse_pricing(body)
                return m.Order(provider=PROVIDER, raw=dict(body), id=f"dry-run-{reference}", name=name,
                               amount=quote.amount, unit=quote.unit, area_km2=_area(request), dry_run=True,
                               start=request.start, end=request.end, reference=reference,
                               order_type=m.ItemType.TASKING, geometry=dict(request.aoi.__geo_interface__))

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
            if isinstance(value, (list, tuple)):
                key, value = (f"{key}__in" if key == "status" else key), ",".join(map(str, value))
            params[_FILTER_NAMES.get(key, key)] = _iso(value) if hasattr(value, "isoformat") else str(value)

        def parse(body: Any, headers: Any) -> m.Page[m.Order]:
            page = parse_orders_page(body)
            page.offset, page.limit = offset, limit
            return page

        return Call("GET", PREFIX + "/orders/", parse, params=params)

    def edit_order(self, order_id: str, changes: Any) -> Call[None]:
        allowed = {"name", "rank", "start_time", "end_time", "start", "end"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValidationError(sorted(unknown)[0], "Planet can edit only name, rank, start_time and end_time")
        body = {{"start": "start_time", "end": "end_time"}.get(k, k): _iso(v) if hasattr(v, "isoformat") else v
                for k, v in changes.items()}
        return Call("PUT", PREFIX + f"/orders/{order_id}/", lambda body, h: None, json=body)

    def cancel_order(self, order_id: str) -> Call[None]:
        return Call("DELETE", PREFIX + f"/orders/{order_id}/", lambda body, h: None, expect=(204, 200))

    def list_tasks(self, filters: Any, offset: int, limit: int) -> Call[Any]:
        raise self._unsupported("tasks.list()", "Planet reports captures per order: use orders.get(id).raw")

    def check_feasibility(self, request: m.TaskingRequest) -> Call[Any]:
        raise self._unsupported(
            "feasibility.check()", "Planet decides feasibility after orders.create() (RECEIVED → PENDING or "
            "REJECTED); for Assured Tasking search imaging windows")


def _area(request: Request) -> float | None:
    return float(request.aoi.area_km2)
