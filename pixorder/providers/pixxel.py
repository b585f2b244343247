"""Pixxel API v0 adapter: wire payloads ⇄ neutral models (sans-IO).

Sends what Pixxel's official OpenAPI requires (``project_id``, ``usecase``, a ``name`` of at most
100 characters, ``recurrence`` among ONCE/MONTHLY/BIMONTHLY/QUARTERLY) and reads both the official
forms and the older pages' (FULFILLED or COMPLETED, SUBMITTED or REQUESTED, integer or float
amounts, item ``geometry`` or only ``images``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pixorder import errors as E
from pixorder import models as m
from pixorder.aoi.rules import billed_km2
from pixorder.providers import reference as ref
from pixorder.providers import table
from pixorder.providers._wire import (
    array,
    feature_collection,
    first,
    footprint,
    integer,
    listed,
    mapping,
    merged,
    number,
    text,
)
from pixorder.providers.base import Adapter, Call, Request, every_page

PROVIDER = "pixxel"
# Pixxel does not name the currency of base_amount / final_amount; its dashboard shows USD [I].
UNIT = "USD"
# The official schema requires a usecase and publishes no list of values; "other" says nothing false [I].
DEFAULT_USECASE = "other"
RECURRENCES = ("ONCE", "MONTHLY", "BIMONTHLY", "QUARTERLY")  # official clerk.OrderItemRecurrence
#: Pixxel bills whole km², rounded up, and at least this much per item (per scene for archive items).
MIN_BILLED_KM2 = table.get(PROVIDER).min_billed_area_km2


def parse_uplift(payload: Mapping[str, Any]) -> m.Uplift:
    return m.Uplift(
        name=text(payload.get("title")) or "uplift",
        description=text(payload.get("subtitle")),
        percentage=number(payload.get("percentage")),
        amount=number(payload.get("amount")),
    )


def parse_task(payload: Mapping[str, Any]) -> m.Task:
    return m.Task(
        provider=PROVIDER,
        raw=dict(payload),
        id=str(payload.get("id")),
        order_item_id=text(payload.get("order_item_id")),
        type=text(payload.get("type")),
        status=text(payload.get("status")),
        delivery_status=text(payload.get("delivery_status")),
        start=payload.get("start_date"),
        end=payload.get("end_date"),
        number_of_strips=integer(payload.get("number_of_strips")),
        tokens_used=number(payload.get("tokens_used")),
        created_at=payload.get("created_at"),
        updated_at=payload.get("updated_at"),
    )


def _item_geometry(payload: Mapping[str, Any]) -> dict[str, Any] | None:
    geometry = footprint(payload.get("geometry"))
    if geometry is None:
        images = [footprint(i.get("geometry")) for i in array(payload.get("images")) if isinstance(i, Mapping)]
        images = [g for g in images if g]
        if images:
            geometry = merged(images)
    return geometry


def billed_area_km2(payload: Mapping[str, Any]) -> float | None:
    """What Pixxel bills for one item: whole km² rounded up, at least 100 km² (for archive, per scene).

    Pixxel's ``area`` is its own measure of the AOI in whole km² (``ceil``), before the minimum. An
    archive item's scenes are billed one by one (the notebook's two scenes of 130 and 14 km² are billed
    130 + 100 = 230 km²), so their clipped footprints in ``images[]`` are measured each.
    """
    area = number(payload.get("area"))
    if text(payload.get("type")) == "ARCHIVE":
        scenes = [footprint(i.get("geometry")) for i in array(payload.get("images")) if isinstance(i, Mapping)]
        measured = [m.drawn_area_km2(g) for g in scenes]
        if measured and all(a is not None for a in measured):
            return float(sum(billed_km2(PROVIDER, a) for a in measured if a is not None))
        if area is not None:  # Pixxel's own total, at least the minimum for each scene
            return billed_km2(PROVIDER, area, minimum=MIN_BILLED_KM2 * max(len(scenes), 1))
        return None
    return None if area is None else billed_km2(PROVIDER, area)


def _first_option(value: Any) -> str | None:
    # The docs write enums as slash-joined examples ("PAID/PARTIAL-REFUND/..."): read the first.
    value = text(value)
    return value.split("/")[0] if value else None


#: an order item's fields read key by key: (field, payload key, kind). The model parser and the fast
#: frame path (:func:`order_item_columns`) both read them from here, each kind its own way (below).
ITEM_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("order_id", "order_id", "text"), ("name", "name", "text"), ("type", "type", "text"),
    ("status", "status", "text"), ("payment_status", "payment_status", "option"),
    ("base_amount", "base_amount", "number"), ("amount", "final_amount", "number"),
    ("tokens_used", "tokens_used", "number"), ("cloud_cover", "cloud_cover", "number"),
    ("off_nadir", "off_nadir", "number"), ("delivery_speed", "delivery_speed", "text"),
    ("feasibility", "feasibility_status", "text"), ("image_type", "image_type", "text"),
    ("recurrence", "recurrence", "text"), ("occurrences", "no_of_occurrences", "integer"),
    ("start", "start_date", "time"), ("end", "end_date", "time"),
    ("created_at", "created_at", "time"), ("updated_at", "updated_at", "time"),
)
# How the model parser reads each kind (the models parse times); the fast path: numbers raw (build_frame
# converts whole columns) and times as text.
_MODEL_READ: dict[str, Any] = {"text": text, "option": _first_option, "number": number, "integer": integer,
                               "time": lambda value: value}
_COLUMN_READ: dict[str, Any] = {**_MODEL_READ, "number": None, "time": text}


def parse_order_item(payload: Mapping[str, Any]) -> m.OrderItem:
    return m.OrderItem(
        provider=PROVIDER,
        raw=dict(payload),
        id=str(payload.get("id")),
        **{name: _MODEL_READ[kind](payload.get(key)) for name, key, kind in ITEM_FIELDS},
        area_km2=m.drawn_area_km2(footprint(payload.get("geometry"))),  # the AOI; images[] are scene clips
        billed_area_km2=billed_area_km2(payload),
        unit=UNIT,
        uplifts=[parse_uplift(u) for u in array(payload.get("uplifts")) if isinstance(u, Mapping)],
        geometry=_item_geometry(payload),
        tasks=[parse_task(t) for t in array(payload.get("tasks")) if isinstance(t, Mapping)],
    )


def _order_status(items: list[m.OrderItem]) -> m.OrderStatus | None:
    # Pixxel's order.status is a payment status; the life-cycle status lives on each item.
    statuses = {i.status for i in items if i.status is not None}
    if not statuses:
        return None
    if len(statuses) == 1:
        return statuses.pop()
    for candidate in (m.OrderStatus.ACTIVE, m.OrderStatus.DRAFT, m.OrderStatus.PARTIALLY_FULFILLED):
        if candidate in statuses:
            return candidate
    return sorted(statuses, key=str)[0]


def _drawn_area(items: list[m.OrderItem]) -> float | None:
    """The area of the items' AOIs (older pages' item ``geometry``), overlaps once; None when not sent."""
    aois = [footprint(i.raw.get("geometry")) for i in items]
    if not aois or any(a is None for a in aois):
        return None
    if len(aois) == 1:
        return items[0].area_km2
    return m.drawn_area_km2(merged(aois))


def _item_status_words(items: list[m.OrderItem]) -> str | None:
    words = [w for w in dict.fromkeys(text(i.raw.get("status")) for i in items) if w]
    return "/".join(words) if words else None


def parse_order(payload: Mapping[str, Any], *, dry_run: bool = False) -> m.Order:
    items = [parse_order_item(i) for i in array(payload.get("order_items")) if isinstance(i, Mapping)]
    geoms = [i.geometry for i in items if i.geometry]
    geometry = merged(geoms) if geoms else None
    kinds = {i.type for i in items if i.type is not None}
    billed = [i.billed_area_km2 for i in items]
    status = _order_status(items)
    return m.Order(
        provider=PROVIDER,
        raw=dict(payload),
        id=str(payload.get("id")),
        name=items[0].name if len(items) == 1 else text(first(payload, "name")),
        status=status,
        # Pixxel's order.status is a payment status (PAID, ...): the life-cycle words are the items'.
        provider_status=_item_status_words(items),
        payment_status=_first_option(payload.get("status")),
        order_type=kinds.pop() if len(kinds) == 1 else None,
        amount=number(payload.get("total_amount")),
        unit=UNIT,
        area_km2=_drawn_area(items),
        billed_area_km2=sum(b for b in billed if b is not None) if billed and all(b is not None for b in billed) else None,
        start=min((i.start for i in items if i.start), default=None),
        end=max((i.end for i in items if i.end), default=None),
        created_at=payload.get("created_at"),
        updated_at=payload.get("updated_at"),
        geometry=geometry,
        reference=_reference(items),
        dry_run=dry_run,
        items=items,
    )


def _reference(items: list[m.OrderItem]) -> str | None:
    return next((r for r in (ref.from_name(i.name) for i in items) if r), None)


def parse_order_items_page(payload: Mapping[str, Any]) -> m.Page[m.OrderItem]:
    page = mapping(payload.get("pagination"))
    return m.Page[m.OrderItem](
        items=[parse_order_item(i) for i in array(payload.get("order_items")) if isinstance(i, Mapping)],
        total=integer(page.get("total")),
        offset=integer(page.get("offset")),
        limit=integer(page.get("limit")),
    )


def parse_orders_page(payload: Mapping[str, Any]) -> m.Page[m.Order]:
    page = mapping(payload.get("pagination"))
    return m.Page[m.Order](
        items=[parse_order(o) for o in array(payload.get("orders")) if isinstance(o, Mapping)],
        total=integer(page.get("total")),
        offset=integer(page.get("offset")),
        limit=integer(page.get("limit")),
    )


def parse_bandsets(payload: Mapping[str, Any]) -> list[m.Sensor]:
    sensors = []
    for b in array(payload.get("bandsets")):
        bands = [str(band.get("name")) for band in array(b.get("bands")) if isinstance(band, Mapping)]
        name = text(b.get("name"))
        sensors.append(m.Sensor(
            provider=PROVIDER, raw=dict(b), id=str(b.get("id")), name=name, bands=bands,
            image_type=text(first(b, "image_type", "name")), description=text(b.get("description")),
            resolution_m=5.0,  # Pixxel's Fireflies: 5 m hyperspectral [V pixxel.space]
            min_area_km2=MIN_BILLED_KM2, unit=UNIT,
        ))
    return sensors


def quotes_from_dry_run(payload: Mapping[str, Any], requests: Sequence[Request], first_index: int) -> list[m.Quote]:
    """One quote per item of a dry-run order, in the order the items were sent."""
    order = parse_order(payload, dry_run=True)
    quotes = []
    for offset, request in enumerate(requests):
        item = order.items[offset] if offset < len(order.items) else None
        if item is None:
            quotes.append(m.Quote(provider=PROVIDER, error="no price returned for this item",
                                  request_index=first_index + offset))
            continue
        quotes.append(m.Quote(
            provider=PROVIDER, raw=item.raw, sensor=item.image_type or request.sensor,
            area_km2=float(request.aoi.area_km2), billed_area_km2=item.billed_area_km2,
            base_amount=item.base_amount, amount=item.amount, unit=UNIT, uplifts=item.uplifts,
            tokens=item.tokens_used if item.tokens_used is not None else number(item.raw.get("tokens_used")),
            feasibility=item.feasibility, request_index=first_index + offset,
            geometry=dict(request.aoi.__geo_interface__),
        ))
    return quotes


class PixxelAdapter(Adapter, provider="pixxel"):
    """Pixxel v0. Prices through a dry-run order (its bulk form: one order, many items)."""

    page_sizes = {"orders": 100, "order_items": 1000, "tasks": 1000}

    def __init__(self) -> None:
        #: filled by the client on first use: the default project and bandset ids
        self.project_id: str | None = None
        self.bandsets: dict[str, str] = {}

    async def prepare(self, send: Any) -> None:
        # Orders need a project and a bandset id: the account's first project, bandsets by name.
        projects = await send(self.projects())
        sensors = await send(self.sensors())
        self.project_id = projects[0] if projects else None
        self.bandsets = {(s.name or s.id).upper(): s.id for s in sensors}

    def auth_headers(self, api_key: str) -> dict[str, str]:
        return {"Authorization": api_key}  # no Bearer prefix [V]

    def sensors(self) -> Call[list[m.Sensor]]:
        return Call("GET", "/v0/bandsets", lambda body, h: parse_bandsets(body))

    def projects(self) -> Call[list[str]]:
        def parse(body: Any, headers: Any) -> list[str]:
            rows = body.get("projects") if isinstance(body, Mapping) else body
            return [str(p.get("id")) for p in array(rows) if isinstance(p, Mapping)]

        return Call("GET", "/v0/projects", parse)

    def _bandset_id(self, request: m.TaskingRequest) -> str | None:
        wanted = request.bandset or request.sensor
        if wanted is None:
            return self.bandsets.get("VNIR") or next(iter(self.bandsets.values()), None)
        return self.bandsets.get(str(wanted).upper(), wanted)

    def item_payload(self, request: Request, name: str) -> dict[str, Any]:
        """One ``order_items[]`` entry of ``POST /v0/orders`` for a neutral request."""
        geometry = feature_collection(request.aoi.__geo_interface__)
        item: dict[str, Any] = {"name": ref.shorten(name, self.name_limit), "geometry": geometry,
                                "usecase": getattr(request, "usecase", None) or DEFAULT_USECASE}
        project = request.project_id or self.project_id
        if project:
            item["project_id"] = project
        if isinstance(request, m.ArchiveRequest):
            item["item_ids"] = list(request.item_ids)
            return item
        recurrence = request.recurrence.value
        if recurrence == m.Recurrence.NOT_APPLICABLE.value:
            recurrence = "ONCE"  # a request without recurrence is a one-off (the model sets occurrences=1)
        if recurrence not in RECURRENCES:
            raise E.ValidationError("recurrence", f"Pixxel offers {', '.join(RECURRENCES)}", recurrence)
        item.update({
            "recurrence": recurrence,
            "start_date": m.format_datetime(request.start),
            "cloud_cover": int(round(request.cloud_cover)),
            "delivery_speed": request.delivery_speed.value,
        })
        if recurrence == "ONCE":
            item["end_date"] = m.format_datetime(request.end)  # exclusive, like the neutral window's end
        else:
            # The spec takes either no_of_occurrences or end_date for a recurring item, not both.
            item["no_of_occurrences"] = request.occurrences
        if request.off_nadir is not None:  # left out, Pixxel uses 20
            item["off_nadir"] = int(round(request.off_nadir))
        bandset = self._bandset_id(request)
        if bandset:
            item["bandset"] = {"bandset_id": bandset}
        return item

    def price(self, requests: Sequence[Request], first_index: int = 0) -> Call[list[m.Quote]]:
        items = [self.item_payload(r, r.name or f"pixorder quote {first_index + i}") for i, r in enumerate(requests)]
        return Call("POST", "/v0/orders", lambda body, h: quotes_from_dry_run(body, requests, first_index),
                    json={"dry_run": True, "order_items": items}, expect=(201, 200))

    def create_order(self, request: Request, *, reference: str, dry_run: bool = False) -> Call[m.Order]:
        name = ref.in_name(request.name, reference, limit=self.name_limit)
        body = {"dry_run": dry_run, "order_items": [self.item_payload(request, name)]}

        def parse(b: Any, h: Any) -> m.Order:
            order = parse_order(b, dry_run=dry_run)
            if order.geometry is None:  # the official items carry no AOI: it is the one sent
                order.geometry = dict(request.aoi.__geo_interface__)
            # The area drawn is the request's, as on the quote: the same AOI priced and ordered, one number.
            order.area_km2 = float(request.aoi.area_km2)
            return order

        return Call("POST", "/v0/orders", parse, json=body, spend=not dry_run, expect=(201, 200))

    def find_by_reference(self, reference: str) -> Call[list[m.Order]]:
        # Pixxel has no name filter: scan the newest items for the reference carried in the name.
        def parse(body: Any, headers: Any) -> list[m.Order]:
            page = parse_order_items_page(body)
            found = [i for i in page.items if ref.carried_in(i.name, reference)]
            return [m.Order(provider=PROVIDER, raw=i.raw, id=i.order_id or i.id, name=i.name, status=i.status,
                            reference=reference, items=[i]) for i in found]

        return Call("GET", "/v0/order-items", parse, params={"limit": 500, "offset": 0})

    def get_order(self, order_id: str) -> Call[m.Order]:
        return Call("GET", f"/v0/orders/{order_id}", lambda body, h: parse_order(body))

    def list_orders(self, filters: Any, offset: int, limit: int) -> Call[m.Page[m.Order]]:
        params = {"limit": limit, "offset": offset, **{k: v for k, v in filters.items() if v is not None}}
        return Call("GET", "/v0/orders", lambda body, h: parse_orders_page(body), params=params)

    def list_order_items(self, filters: Any, offset: int, limit: int) -> Call[m.Page[m.OrderItem]]:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        for key, value in filters.items():
            if value is None:
                continue
            params[key] = listed(value)
        return Call("GET", "/v0/order-items", lambda body, h: parse_order_items_page(body), params=params)

    def list_tasks(self, filters: Any, offset: int, limit: int) -> Call[m.Page[m.Task]]:
        inner = self.list_order_items(filters, offset, limit)

        def parse(body: Any, headers: Any) -> m.Page[m.Task]:
            items = parse_order_items_page(body)
            tasks = [t for i in items.items for t in i.tasks]
            return m.Page[m.Task](items=tasks, total=items.total, offset=items.offset, limit=items.limit,
                                  consumed=len(items.items))

        return inner.reading(parse)

    def cancel_order(self, order_id: str) -> Call[Any]:
        raise self._unsupported(
            "orders.cancel()", "Pixxel has no cancel endpoint: write to Pixxel support at least 72 h before "
            "the item's start_date (inside 72 h it is refused)")

    def edit_order(self, order_id: str, changes: Any) -> Call[Any]:
        raise self._unsupported("orders.edit()", "Pixxel orders cannot be edited: place a new order")

    # --- the fast path for big listings: raw rows straight to frame columns --------------------
    fast_frames = frozenset({"order_items"})

    def page_rows(self, body: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], int | None]:
        return page_rows(body)

    def frame_columns(self, entity: str, rows: Sequence[Mapping[str, Any]]) -> tuple[dict[str, list[Any]], list[Any]]:
        return order_item_columns(rows)

    def check_feasibility(self, request: m.TaskingRequest) -> Call[Any]:
        raise self._unsupported(
            "feasibility.check()", "Pixxel reports feasibility_status on each item: pricing.estimate() (a dry run)"
            " returns it on the quote")

    async def deliveries(self, order_id: str, send: Any) -> list[m.Delivery]:
        """The order's catalogs (one per delivered product, ``POST /v0/catalogs/search``) and one signed
        download link for them (``POST /v0/catalogs/download`` with the items' ``order_item_ids``)."""
        # The order's items with their tasks (GET /v0/orders/{id} lists items without tasks): a catalog
        # names its task, the download wants the items.
        items_page = await send(self.list_order_items({"order_ids": order_id}, 0, 1000))
        order_items = [item for item in items_page.items if item.order_id in (None, order_id)]
        item_of_task = {t.id: item.id for item in order_items for t in item.tasks}
        # The spec's default page is 2 catalogs; 100 is its maximum.
        found = await every_page(send, lambda offset: Call(
            "POST", "/v0/catalogs/search", lambda body, h: parse_catalogs_page(body, order_id, item_of_task),
            json={"order_ids": [order_id], "limit": 100, "offset": offset}))
        if not found:
            return found
        known = {item.id for item in order_items if item.id is not None}
        items = sorted({d.item_id for d in found if d.item_id in known and d.item_id is not None}) or sorted(known)
        url = await send(Call("POST", "/v0/catalogs/download", lambda body, h: text(mapping(body).get("signed_url")),
                              json={"order_item_ids": items}, expect=(201, 200)))
        expires = _expiry(url)
        for delivery in found:
            delivery.url, delivery.expires_at = url, expires
        return found


def _item_geometry_json(row: Mapping[str, Any]) -> Any:
    geometry = row.get("geometry")
    if isinstance(geometry, Mapping) and geometry.get("type") == "FeatureCollection":
        features = array(geometry.get("features"))
        if len(features) == 1 and isinstance(features[0], Mapping):
            return features[0].get("geometry")
    return _item_geometry(row) if geometry is not None or row.get("images") else None


def order_item_columns(rows: Sequence[Mapping[str, Any]]) -> tuple[dict[str, list[Any]], list[Any]]:
    """Frame columns straight from raw order items: the fast path for big listings (no models).

    Gives the same frame as ``order_items_frame([parse_order_item(r) for r in rows])``.
    """
    geometries = [_item_geometry_json(r) for r in rows]
    columns: dict[str, list[Any]] = {"provider": [PROVIDER] * len(rows), "id": [str(r.get("id")) for r in rows]}
    for name, key, kind in ITEM_FIELDS:
        read = _COLUMN_READ[kind]
        columns[name] = [r.get(key) for r in rows] if read is None else [read(r.get(key)) for r in rows]
    columns.update({
        "area_km2": [m.drawn_area_km2(footprint(r.get("geometry"))) for r in rows],
        "billed_area_km2": [billed_area_km2(r) for r in rows], "unit": [UNIT] * len(rows),
        "n_tasks": [len(array(r.get("tasks"))) for r in rows],
    })
    return columns, geometries


def page_rows(body: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], int | None]:
    rows = body.get("order_items")
    if rows is None:
        rows = array(body.get("orders"))
    return rows, integer(mapping(body.get("pagination")).get("total"))



def parse_catalog(payload: Mapping[str, Any], order_id: str | None = None,
                  item_of_task: Mapping[str, str] | None = None) -> m.Delivery:
    """One catalog (``clerk.Catalog``: a delivered product, its STAC item in ``details``)."""
    details = mapping(payload.get("details"))
    properties = mapping(details.get("properties"))
    task_id = text(payload.get("task_id"))
    return m.Delivery(
        provider=PROVIDER, raw=dict(payload), id=str(payload.get("id")), order_id=order_id,
        item_id=(item_of_task or {}).get(task_id or "") or text(details.get("id")),
        status=text(payload.get("delivery_status")), acquired_at=properties.get("datetime"),
        published_at=payload.get("created_at"), cloud_cover=number(properties.get("eo:cloud_cover")),
        geometry=footprint(details.get("geometry")),
    )


def parse_catalogs_page(payload: Any, order_id: str | None = None,
                        item_of_task: Mapping[str, str] | None = None) -> m.Page[m.Delivery]:
    body = mapping(payload)
    page = mapping(body.get("pagination"))
    return m.Page[m.Delivery](
        items=[parse_catalog(c, order_id, item_of_task) for c in array(body.get("catalogs")) if isinstance(c, Mapping)],
        total=integer(page.get("total")), offset=integer(page.get("offset")), limit=integer(page.get("limit")),
    )


def _expiry(url: str | None) -> Any:
    """When a signed URL stops working, if it says so (an ``expires`` epoch, or S3's ``X-Amz-*``) [I]."""
    from datetime import datetime, timedelta, timezone
    from urllib.parse import parse_qs, urlsplit

    if not url:
        return None
    query = {k.lower(): v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    try:
        if "expires" in query:
            return datetime.fromtimestamp(int(query["expires"]), tz=timezone.utc)
        if "x-amz-date" in query and "x-amz-expires" in query:
            signed = datetime.strptime(query["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            return signed + timedelta(seconds=int(query["x-amz-expires"]))
    except (ValueError, OverflowError, OSError):
        return None
    return None
