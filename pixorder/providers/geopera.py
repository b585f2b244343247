"""Geopera API v1 adapter (orders operations): wire payloads ⇄ neutral models (sans-IO).

Output shapes Geopera leaves untyped follow docs/geopera-wire.md; every read is tolerant of
camelCase / snake_case variants and missing keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pixorder import models as m
from pixorder.errors import ValidationError
from pixorder.providers import reference as ref
from pixorder.providers._wire import (
    array,
    feature_collection,
    first,
    footprint,
    integer,
    listed,
    mapping,
    number,
    text,
)
from pixorder.providers.base import Adapter, Call, Request, error_from_response, public_calls

PROVIDER = "geopera"
UNIT = "AUD"
PAGE_SIZE = 100
#: the keys a total in AUD is read from (estimates, orders, study options, quotations), first found first
TOTAL_AUD = ("totalAud", "total_aud", "aud")


def op_path(operation_id: str) -> str:
    return f"/v1/op/{operation_id}"


def _uplifts(rows: Any) -> list[m.Uplift]:
    return [m.Uplift(name=str(first(u, "name", "title", default="uplift")), percentage=number(u.get("percentage")),
                     amount=number(first(u, "amountAud", "amount_aud", "amount")),
                     description=text(u.get("description")))
            for u in array(rows) if isinstance(u, Mapping)]


def parse_sensor(payload: Mapping[str, Any]) -> m.Sensor:
    pricing = mapping(payload.get("pricing"))
    return m.Sensor(
        provider=PROVIDER, raw=dict(payload), id=str(payload.get("id")), name=text(payload.get("name")),
        resolution_m=number(first(payload, "resolutionM", "resolution_m", "resolution")),
        bands=[str(b) for b in array(payload.get("bands"))],
        image_type=text(first(payload, "imageType", "image_type")),
        min_area_km2=number(first(pricing, "minAreaKm2", "min_area_km2") or first(payload, "minAreaKm2")),
        price_per_km2=number(first(pricing, "audPerKm2", "aud_per_km2")), unit=UNIT,
        description=text(payload.get("description")),
    )


def parse_estimate_group(group: Mapping[str, Any], index: int, request: Request | None) -> m.Quote:
    return m.Quote(
        provider=PROVIDER, raw=dict(group), sensor=text(first(group, "sensor", "sensorId")),
        area_km2=float(request.aoi.area_km2) if request is not None else number(first(group, "areaKm2")),
        billed_area_km2=number(first(group, "billedAreaKm2", "billed_area_km2", "areaKm2")),
        base_amount=number(first(group, "baseAud", "base_aud")),
        amount=number(first(group, *TOTAL_AUD)), unit=UNIT,
        uplifts=_uplifts(group.get("uplifts")), credits=number(first(group, "credits", "totalCredits")),
        feasibility=text(group.get("feasibility")), request_index=index,
        geometry=dict(request.aoi.__geo_interface__) if request is not None else None,
    )


def parse_estimate(body: Mapping[str, Any], requests: Sequence[Request], first_index: int) -> list[m.Quote]:
    """Quotes in request order; a group that failed becomes a quote holding its error."""
    quotes: dict[int, m.Quote] = {}
    groups = array(body.get("groups"))
    for position, group in enumerate(groups):
        if not isinstance(group, Mapping):
            continue
        index = _group_index(group, position)
        request = requests[index] if 0 <= index < len(requests) else None
        quotes[index] = parse_estimate_group(group, first_index + index, request)
    for error in array(body.get("errors")):
        if not isinstance(error, Mapping):
            continue
        index = _group_index(error, -1)
        if 0 <= index < len(requests):
            quotes[index] = m.Quote(provider=PROVIDER, raw=dict(error), unit=UNIT, request_index=first_index + index,
                                    error=public_calls(str(first(error, "detail", "message", "error", default=error))),
                                    area_km2=float(requests[index].aoi.area_km2),
                                    geometry=dict(requests[index].aoi.__geo_interface__))
    return [quotes.get(i) or m.Quote(provider=PROVIDER, error="no estimate returned", request_index=first_index + i)
            for i in range(len(requests))]


def _group_index(row: Mapping[str, Any], default: int) -> int:
    index = row.get("index")
    if isinstance(index, int):
        return index
    group_id = str(first(row, "groupId", "group_id", default=""))
    if group_id.startswith("g") and group_id[1:].isdigit():
        return int(group_id[1:])
    return default


def parse_order(payload: Mapping[str, Any]) -> m.Order:
    status = text(payload.get("status"))
    sub = text(first(payload, "subStatus", "sub_status"))
    tags = [str(t) for t in array(payload.get("tags"))]
    reference = ref.from_tags(tags)
    params = mapping(payload.get("params"))
    neutral = "CANCELLED" if sub == "CANCELLED" else status
    geometry = footprint(first(payload, "featureCollection", "geometry"))
    return m.Order(
        provider=PROVIDER, raw=dict(payload), id=str(first(payload, "id", "orderId", "order_id")),
        name=text(first(payload, "displayName", "display_name", "name")), status=neutral,
        provider_status=f"{status}/{sub}" if sub else status, order_type=text(payload.get("type")),
        amount=number(first(payload, *TOTAL_AUD)), unit=UNIT,
        area_km2=m.drawn_area_km2(geometry) if geometry else number(first(payload, "areaKm2", "area_km2")),
        billed_area_km2=number(first(payload, "billedAreaKm2", "billed_area_km2")),
        start=first(params, "acquisitionStart"), end=first(params, "acquisitionEnd"),
        created_at=first(payload, "createdAt", "created_at"), updated_at=first(payload, "updatedAt", "updated_at"),
        geometry=geometry, reference=reference,
    )


def _page_of(body: Any, parse_row: Any, offset: int, limit: int) -> m.Page[Any]:
    """A page/size answer as rows from ``offset``: page ``offset // limit`` was asked for, so an
    offset inside it (a listing that shifted, a capped page) skips the rows before it."""
    rows = first(body, "content", "items", "data", default=[]) if isinstance(body, Mapping) else body
    total = integer(first(body, "totalElements", "total")) if isinstance(body, Mapping) else None
    rows = array(rows)[offset % limit if limit else 0 :]
    return m.Page[Any](items=[parse_row(r) for r in rows if isinstance(r, Mapping)], total=total,
                       offset=offset, limit=limit)


def parse_study(payload: Mapping[str, Any]) -> m.FeasibilityStudy:
    options = [m.FeasibilityOption(id=str(o.get("id")), description=text(o.get("description")),
                                   amount=number(first(o, *TOTAL_AUD)), unit=UNIT,
                                   start=first(o, "startDate", "start"), end=first(o, "endDate", "end"))
               for o in array(payload.get("options")) if isinstance(o, Mapping)]
    return m.FeasibilityStudy(provider=PROVIDER, raw=dict(payload), id=str(payload.get("id")),
                              order_id=text(first(payload, "orderId", "order_id")),
                              decision=text(payload.get("decision")), options=options,
                              created_at=first(payload, "createdAt", "created_at"))


def parse_quotation(payload: Mapping[str, Any]) -> m.Quotation:
    return m.Quotation(provider=PROVIDER, raw=dict(payload), id=str(payload.get("id")),
                       order_id=text(first(payload, "orderId", "order_id")),
                       status=text(first(payload, "decision", "status")),
                       amount=number(first(payload, *TOTAL_AUD)), unit=UNIT,
                       credits=number(payload.get("credits")),
                       created_at=first(payload, "createdAt", "created_at"),
                       expires_at=first(payload, "expiresAt", "expires_at"))


class GeoperaAdapter(Adapter, provider="geopera"):
    """Geopera v1: tasking and archive estimates, orders tagged with the client reference."""

    def __init__(self, workspace_id: str = "default", default_sensor: str | None = None) -> None:
        self.workspace_id = workspace_id
        self.default_sensor = default_sensor

    async def prepare(self, send: Any) -> None:
        # Geopera prices per sensor: without one named, use the catalogue's first.
        if not self.default_sensor:
            sensors = await send(self.sensors())
            self.default_sensor = sensors[0].id if sensors else None

    def auth_headers(self, api_key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_key}"}

    def sensors(self) -> Call[list[m.Sensor]]:
        return Call("POST", op_path("orders.tasking.sensors"),
                    lambda body, h: [parse_sensor(s) for s in array(body.get("sensors"))], json={})

    def group(self, request: m.TaskingRequest, index: int) -> dict[str, Any]:
        params: dict[str, Any] = {
            "acquisitionStart": m.format_datetime(request.start), "acquisitionEnd": m.format_datetime(request.end),
            "maxCloudCover": request.cloud_cover, "priority": request.delivery_speed.value,
            "recurrence": request.recurrence.value, "occurrences": request.occurrences or 1,
        }
        if request.off_nadir is not None:
            params["maxOffNadir"] = request.off_nadir
        group = {"groupId": f"g{index}", "featureCollection": feature_collection(request.aoi.__geo_interface__), "params": params}
        sensor = request.sensor or self.default_sensor
        if sensor:
            group["sensor"] = sensor
        return group

    def price(self, requests: Sequence[Request], first_index: int = 0) -> Call[list[m.Quote]]:
        archive = [r for r in requests if isinstance(r, m.ArchiveRequest)]
        if len(archive) == len(requests):
            captures = [{"id": item_id, "geometry": dict(r.aoi.__geo_interface__), "index": i}
                        for i, r in enumerate(archive) for item_id in r.item_ids]
            return Call("POST", op_path("orders.archive.estimate"),
                        lambda body, h: self._archive_quotes(body, requests, first_index),
                        json={"captures": captures, "splitByDate": False})
        groups = [self.group(r, i) for i, r in enumerate(requests)]  # type: ignore[arg-type]
        return Call("POST", op_path("orders.tasking.estimate"),
                    lambda body, h: parse_estimate(body, requests, first_index), json={"groups": groups})

    def _archive_quotes(self, body: Any, requests: Sequence[Request], first_index: int) -> list[m.Quote]:
        if len(requests) == 1:
            request = requests[0]
            # Each capture is billed on its own (at least the minimum), so the billed area is the sum
            # over the groups, while the AOI's area counts once however many captures cover it.
            groups = [g for g in array(body.get("groups")) if isinstance(g, Mapping)]
            billed = [number(first(g, "billedAreaKm2", "billed_area_km2")) for g in groups]
            return [m.Quote(provider=PROVIDER, raw=dict(body), unit=UNIT, request_index=first_index,
                            amount=number(first(body, *TOTAL_AUD)),
                            credits=number(first(body, "total_credits", "totalCredits")),
                            billed_area_km2=round(sum(billed), 3) if billed and None not in billed else None,  # type: ignore[arg-type]
                            area_km2=float(request.aoi.area_km2), geometry=dict(request.aoi.__geo_interface__),
                            error=public_calls("; ".join(str(first(e, "detail", default=e))
                                                         for e in array(body.get("errors")))) or None)]
        return parse_estimate(body, requests, first_index)

    def create_order(self, request: Request, *, reference: str, dry_run: bool = False) -> Call[m.Order]:
        name = request.name or ref.DEFAULT_NAME
        if dry_run:
            # Geopera has no dry run: the estimate of the same request is the honest preview.
            estimate = self.price([request])
            quotes_of = estimate.parse
            archive = isinstance(request, m.ArchiveRequest)

            def parse_preview(body: Any, headers: Any) -> m.Order:
                (quote,) = quotes_of(body, headers)
                if quote.error:
                    raise error_from_response(PROVIDER, 422, {"detail": quote.error}, headers)
                return m.Order(provider=PROVIDER, raw=dict(body), id=f"dry-run-{reference}", name=name,
                               amount=quote.amount, unit=UNIT, area_km2=quote.area_km2,
                               billed_area_km2=quote.billed_area_km2, dry_run=True,
                               reference=reference, geometry=quote.geometry,
                               order_type=m.ItemType.ARCHIVE if archive else m.ItemType.TASKING)

            return estimate.reading(parse_preview)
        tags = [reference, *request.tags]
        if isinstance(request, m.ArchiveRequest):
            body: dict[str, Any] = {"captures": [{"id": i, "geometry": dict(request.aoi.__geo_interface__)}
                                                 for i in request.item_ids]}
            path = op_path("orders.archive.place")
        else:
            body = self.group(request, 0)
            path = op_path("orders.tasking.place")
        body.update({"displayName": name, "workspaceId": self.workspace_id, "tags": tags})

        def parse(payload: Any, headers: Any) -> m.Order:
            results = array(payload.get("results"))
            if not results:
                raise error_from_response(PROVIDER, 422, {"detail": str(payload.get("errors"))}, headers)
            order_id = str(first(results[0], "id", "orderId"))
            return m.Order(provider=PROVIDER, raw=dict(payload), id=order_id, name=name, reference=reference)

        # The key is derived from the reference, so every retry of this logical call reuses it.
        key = ref.idempotency_key(reference)
        return Call("POST", path, parse, json=body, spend=True, bucket="place", expect=(200, 201, 202),
                    headers={"Idempotency-Key": key})

    def find_by_reference(self, reference: str) -> Call[list[m.Order]]:
        return Call("POST", op_path("orders.list"),
                    lambda body, h: [o for o in _page_of(body, parse_order, 0, 50).items if o.reference == reference],
                    json={"tags": reference, "size": 50, "page": 0})

    def get_order(self, order_id: str) -> Call[m.Order]:
        return Call("POST", op_path("orders.get"), lambda body, h: parse_order(body), json={"order_id": order_id})

    def list_orders(self, filters: Any, offset: int, limit: int) -> Call[m.Page[m.Order]]:
        size = limit
        body: dict[str, Any] = {"page": offset // size, "size": size}
        names = {"name": "displayName", "reference": "tags", "sub_status": "subStatus"}
        for key, value in filters.items():
            if value is None:
                continue
            body[names.get(key, key)] = str(listed(value))
        return Call("POST", op_path("orders.list"), lambda b, h: _page_of(b, parse_order, offset, limit), json=body)

    def edit_order(self, order_id: str, changes: Any) -> Call[m.Order | None]:
        unknown = set(changes) - {"tags"}
        if not changes:
            raise ValidationError("tags", "name the tags to set: Geopera can change only an order's tags")
        if unknown:
            raise ValidationError(sorted(unknown)[0], "Geopera can change only an order's tags (orders.update)")
        return Call("POST", op_path("orders.update"), lambda body, h: parse_order(body),
                    json={"order_id": order_id, "tags": list(changes["tags"])})

    def cancel_order(self, order_id: str) -> Call[m.Order | None]:
        key = ref.idempotency_key("cancel", order_id)
        return Call("POST", op_path("orders.cancel"), lambda body, h: None, json={"order_id": order_id},
                    spend=True, bucket="spend", headers={"Idempotency-Key": key})

    def list_quotations(self, filters: Any, offset: int, limit: int) -> Call[m.Page[m.Quotation]]:
        body = {"page": offset // limit, "size": limit, **_study_filters(filters)}
        return Call("POST", op_path("orders.tasking.quotations.list"),
                    lambda b, h: _page_of(b, parse_quotation, offset, limit), json=body)

    def decide_quotation(self, quotation_id: str, accept: bool) -> Call[m.Quotation]:
        decision = "ACCEPTED" if accept else "REJECTED"
        key = ref.idempotency_key("quotation", quotation_id, decision)
        return Call("POST", op_path("orders.tasking.quotation_decide"), lambda b, h: parse_quotation(b),
                    json={"quotation_id": quotation_id, "decision": decision}, spend=True, bucket="spend",
                    headers={"Idempotency-Key": key})

    def check_feasibility(self, request: m.TaskingRequest) -> Call[list[m.FeasibilityStudy]]:
        def parse(body: Any, headers: Any) -> list[m.FeasibilityStudy]:
            rows = array(body.get("features")) if isinstance(body, Mapping) else []
            return [m.FeasibilityStudy(provider=PROVIDER, raw=dict(r), id=f"check-{r.get('index', i)}",
                                       required=r.get("feasibilityRequired"), reason=text(r.get("reason")),
                                       geometry=dict(request.aoi.__geo_interface__))
                    for i, r in enumerate(rows)]

        sensor = request.sensor or self.default_sensor or ""
        group = self.group(request, 0)
        return Call("POST", op_path("orders.tasking.feasibility_check"), parse,
                    json={"dataProduct": sensor, "displayName": request.name or "pixorder",
                          "featureCollection": group["featureCollection"], "params": group["params"]})

    def list_feasibility(self, filters: Any, offset: int, limit: int) -> Call[m.Page[m.FeasibilityStudy]]:
        body = {"page": offset // limit, "size": limit, **_study_filters(filters)}
        return Call("POST", op_path("orders.tasking.feasibility_studies.list"),
                    lambda b, h: _page_of(b, parse_study, offset, limit), json=body)

    def decide_feasibility(self, study_id: str, option_id: str) -> Call[m.FeasibilityStudy]:
        key = ref.idempotency_key("study", study_id, option_id)
        return Call("POST", op_path("orders.tasking.feasibility_decide"), lambda b, h: parse_study(b),
                    json={"study_id": study_id, "acceptedOptionId": option_id}, spend=True, bucket="spend",
                    headers={"Idempotency-Key": key})

    def list_tasks(self, filters: Any, offset: int, limit: int) -> Call[Any]:
        raise self._unsupported("tasks.list()", "Geopera tracks acquisition per order: use orders.get() and "
                                "the coverage operations")

    def list_order_items(self, filters: Any, offset: int, limit: int) -> Call[Any]:
        raise self._unsupported("order_items.list()", "each Geopera order is one item: use orders.list()")

    async def deliveries(self, order_id: str, send: Any) -> list[m.Delivery]:
        """Delivered STAC items (``orders.list_assets``; ``url`` = the data asset) with the order's
        coverage (``orders.coverage.get``, tasking orders only: an archive order answers 409). While a
        tasking order is being fulfilled and nothing is delivered yet, one row reports its coverage."""
        rows = await send(Call("POST", op_path("orders.list_assets"), lambda body, h: parse_assets(body, order_id),
                               json={"order_id": order_id}))
        coverage = await send(Call("POST", op_path("orders.coverage.get"), lambda body, h: mapping(body),
                                   json={"order_id": order_id}, expect=(200, 409)))
        percent = number(first(coverage, "coveredPercent", "covered_percent"))
        for row in rows:
            row.covered_percent = percent
        if not rows and percent:
            rows.append(m.Delivery(provider=PROVIDER, raw=dict(coverage), id=f"{order_id}-coverage",
                                   order_id=order_id, status=text(coverage.get("status")), covered_percent=percent))
        return rows


def _study_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    names = {"order_id": "orderId", "status": "decision", "workspace_id": "workspaceId"}
    return {names.get(k, k): str(listed(v)) for k, v in filters.items() if v is not None}


def parse_asset_item(item: Mapping[str, Any], order_id: str | None = None) -> m.Delivery:
    """One delivered STAC item of ``orders.list_assets``."""
    properties = mapping(item.get("properties"))
    assets = mapping(item.get("assets"))
    data = mapping(assets.get("data")) or next((mapping(a) for a in assets.values() if isinstance(a, Mapping)
                                                and "data" in array(a.get("roles"))), {})
    return m.Delivery(
        provider=PROVIDER, raw=dict(item), id=str(item.get("id")),
        order_id=text(first(properties, "orderId", "order_id")) or order_id, item_id=text(item.get("id")),
        status="DELIVERED", url=text(data.get("href")), acquired_at=properties.get("datetime"),
        cloud_cover=number(properties.get("eo:cloud_cover")), geometry=footprint(item.get("geometry")),
    )


def parse_assets(payload: Any, order_id: str | None = None) -> list[m.Delivery]:
    body = mapping(payload)
    rows = first(body, "features", "items", "content", default=[])
    return [parse_asset_item(r, order_id) for r in array(rows) if isinstance(r, Mapping)]
