"""Pixxel API v0 adapter: wire payloads ⇄ neutral models (sans-IO).

Sends what Pixxel's official OpenAPI requires (``project_id``, ``usecase``, a ``name`` of at most
100 characters, ``recurrence`` among ONCE/MONTHLY/BIMONTHLY/QUARTERLY) and reads both the official
forms and the older pages' (FULFILLED or COMPLETED, SUBMITTED or REQUESTED, integer or float
amounts, item ``geometry`` or only ``images``).
"""

from __future__ import annotations

import re
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
    iso_z,
    listed,
    mapping,
    merged,
    number,
    text,
)
from pixorder.providers.base import Adapter, Call, Request, every_page

PROVIDER = "pixxel"
PREFIX = table.get(PROVIDER).api_root  # "/v0": every path starts with the table's API root
# Pixxel does not name the currency of base_amount / final_amount; its dashboard shows USD [I].
UNIT = "USD"
# The official schema requires a usecase and publishes no list of values; "other" says nothing false [I].
DEFAULT_USECASE = "other"
#: an item's field in a refusal's details: ``order_items[37].geometry`` → 37, ``geometry``
_ITEM_FIELD = re.compile(r"^order_items\[(\d+)\]\.?(.*)$")
RECURRENCES = table.get(PROVIDER).recurrences  # official clerk.OrderItemRecurrence
#: Pixxel bills whole km², rounded up, and at least this much per item (per scene for archive items).
MIN_BILLED_KM2 = table.get(PROVIDER).min_billed_area_km2


def parse_uplift(payload: Mapping[str, Any]) -> m.Uplift:
    """One ``uplifts[]`` entry of an order item: a surcharge on its base amount.

    Args:
        payload: the uplift's JSON object (``title``, ``subtitle``, ``percentage``, ``amount``).

    Returns:
        Uplift: ``name`` the title (``"uplift"`` when none), ``percentage`` in percent, ``amount`` in USD.

    >>> parse_uplift({"title": "Cloud cover", "subtitle": "≤ 10 %", "percentage": 20, "amount": 2000})
    Uplift(name='Cloud cover', percentage=20.0, amount=2000.0, description='≤ 10 %')
    """
    return m.Uplift(
        name=text(payload.get("title")) or "uplift",
        description=text(payload.get("subtitle")),
        percentage=number(payload.get("percentage")),
        amount=number(payload.get("amount")),
    )


def parse_task(payload: Mapping[str, Any]) -> m.Task:
    """One acquisition task of an order item (``tasks[]``).

    Args:
        payload: the task's JSON object.

    Returns:
        Task: ``status`` in neutral words (COMPLETED reads as FULFILLED), ``start``/``end`` from
        ``start_date``/``end_date`` (UTC), ``number_of_strips``, ``tokens_used``.

    >>> task = parse_task({"id": "t-1", "order_item_id": "i-1", "status": "COMPLETED", "number_of_strips": 2})
    >>> task, task.number_of_strips
    (<Task pixxel 't-1' item=i-1 status=FULFILLED>, 2)
    """
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

    Args:
        payload: an order item's JSON object (``type``, ``area``, ``images``).

    Returns:
        float | None: km²; None when the item says neither ``area`` nor (archive) measurable scenes.
        An archive item whose scenes cannot be measured is billed ``area`` or 100 km² per scene,
        whichever is more.

    >>> billed_area_km2({"type": "TASKING", "area": 42}), billed_area_km2({"type": "TASKING", "area": 130.2})
    (100.0, 131.0)
    >>> billed_area_km2({"type": "ARCHIVE", "area": 144, "images": [{"item_id": "a"}, {"item_id": "b"}]})
    200.0
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
    """One order item (``order_items[]`` of an order, a row of ``GET /v0/order-items``).

    Args:
        payload: the item's JSON object.

    Returns:
        OrderItem: ``status`` the item's life cycle, ``payment_status`` its payment; ``amount``
        (``final_amount``) and ``base_amount`` in USD; ``area_km2`` the AOI's area when the item
        carries its ``geometry`` (official items do not: None), ``billed_area_km2`` see
        :func:`billed_area_km2`; ``off_nadir`` degrees; ``cloud_cover`` percent; ``tasks``.

    >>> item = parse_order_item({"id": "i-1", "order_id": "o-1", "name": "Field 7 [pxo-0123456789abcdef]",
    ...     "type": "TASKING", "status": "ACTIVE", "payment_status": "PAID", "area": 42,
    ...     "base_amount": 10000, "final_amount": 12000, "tasks": [{"id": "t-1", "status": "SCHEDULED"}]})
    >>> item
    <OrderItem pixxel 'i-1' TASKING status=ACTIVE payment=PAID amount=12,000.00 USD billed=100 km² 1 task>
    """
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
    """One Pixxel order (``GET /v0/orders/{id}``, the answer of ``POST /v0/orders``).

    Pixxel's ``order.status`` is a payment status: it becomes ``payment_status``; ``status`` is the
    items' life cycle (their one status, else ACTIVE, DRAFT or PARTIALLY_FULFILLED when an item has it).

    Args:
        payload: the order's JSON object.
        dry_run: True for the answer of a dry run (``Order.dry_run``).

    Returns:
        Order: ``amount`` (``total_amount``) in USD, ``billed_area_km2`` the items' sum, ``reference``
        from the items' names, ``items`` the order items, ``geometry`` their footprints (None when no
        item carries one).

    >>> order = parse_order({"id": "o-1", "status": "PAID", "total_amount": 12000, "order_items": [
    ...     {"id": "i-1", "name": "Field 7 [pxo-0123456789abcdef]", "type": "TASKING", "status": "ACTIVE",
    ...      "area": 42}]})
    >>> order
    <Order pixxel 'o-1' TASKING status=ACTIVE payment=PAID amount=12,000.00 USD billed=100 km² 1 item>
    >>> order.reference
    'pxo-0123456789abcdef'
    """
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
    """One page of ``GET /v0/order-items`` (``{order_items, pagination}``).

    Args:
        payload: the page's JSON object.

    Returns:
        Page[OrderItem]: ``items`` and the ``pagination``'s ``total``, ``offset`` and ``limit``.

    >>> page = parse_order_items_page({"order_items": [{"id": "i-1", "status": "ACTIVE"}],
    ...                                "pagination": {"total": 1, "offset": 0, "limit": 100}})
    >>> page.total, [i.id for i in page.items]
    (1, ['i-1'])
    """
    page = mapping(payload.get("pagination"))
    return m.Page[m.OrderItem](
        items=[parse_order_item(i) for i in array(payload.get("order_items")) if isinstance(i, Mapping)],
        total=integer(page.get("total")),
        offset=integer(page.get("offset")),
        limit=integer(page.get("limit")),
    )


def parse_orders_page(payload: Mapping[str, Any]) -> m.Page[m.Order]:
    """One page of ``GET /v0/orders`` (``{orders, pagination}``).

    Args:
        payload: the page's JSON object.

    Returns:
        Page[Order]: ``items`` (see :func:`parse_order`) and the ``pagination``'s ``total``,
        ``offset`` and ``limit``.

    >>> page = parse_orders_page({"orders": [{"id": "o-1", "status": "PAID", "order_items": []}],
    ...                           "pagination": {"total": 1, "offset": 0, "limit": 100}})
    >>> page.total, [o.id for o in page.items]
    (1, ['o-1'])
    """
    page = mapping(payload.get("pagination"))
    return m.Page[m.Order](
        items=[parse_order(o) for o in array(payload.get("orders")) if isinstance(o, Mapping)],
        total=integer(page.get("total")),
        offset=integer(page.get("offset")),
        limit=integer(page.get("limit")),
    )


def parse_bandsets(payload: Mapping[str, Any]) -> list[m.Sensor]:
    """``GET /v0/bandsets``: each bandset as a sensor.

    Args:
        payload: the answer's JSON object (``{bandsets: [...]}``).

    Returns:
        list[Sensor]: ``id`` the bandset id, ``name`` (VNIR, SWIR, …), ``bands`` the band names;
        ``resolution_m`` 5.0 (the Fireflies' GSD) and ``min_area_km2`` 100 for every bandset.

    >>> [(s.id, s.name, s.bands, s.resolution_m, s.min_area_km2) for s in parse_bandsets(
    ...     {"bandsets": [{"id": "b-1", "name": "VNIR", "bands": [{"name": "B001", "wavelength": 473}]}]})]
    [('b-1', 'VNIR', ['B001'], 5.0, 100.0)]
    """
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
    """One quote per item of a dry-run order, in the order the items were sent.

    Args:
        payload: the answer of ``POST /v0/orders`` with ``dry_run: true``.
        requests: the requests priced, one item each, in order.
        first_index: the ``request_index`` of the first quote.

    Returns:
        list[Quote]: one per request: ``amount`` (``final_amount``) and ``base_amount`` in USD,
        ``area_km2`` the request's AOI, ``billed_area_km2`` Pixxel's, ``tokens``, ``feasibility``; a
        request without an item in the answer gets a quote holding ``error``.

    >>> import pixorder
    >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [77.55, 12.95]},
    ...                                   start="2030-03-01", end="2030-03-21")
    >>> answer = {"id": "dry", "order_items": [{"id": "i-1", "type": "TASKING", "area": 25, "base_amount": 10000,
    ...                                         "final_amount": 12000, "feasibility_status": "SUCCESS"}]}
    >>> quotes = quotes_from_dry_run(answer, [request, request], 0)
    >>> [(q.amount, q.billed_area_km2, str(q.feasibility), q.error) for q in quotes]
    [(12000.0, 100.0, 'SUCCESS', None), (None, None, 'None', 'no price returned for this item')]
    """
    # Only what a quote holds is read from each item: the order around them is not built.
    items = [i for i in array(payload.get("order_items")) if isinstance(i, Mapping)]
    bandsets: dict[Any, Any] = {}  # each item repeats its bandset's bands: equal ones are kept once
    quotes = []
    for offset, request in enumerate(requests):
        item = items[offset] if offset < len(items) else None
        if item is None:
            quotes.append(m.Quote(provider=PROVIDER, error="no price returned for this item",
                                  request_index=first_index + offset))
            continue
        raw = dict(item)
        bandset = raw.get("bandset")
        if isinstance(bandset, Mapping) and bandset.get("bandset_id") is not None:
            raw["bandset"] = kept = bandsets.setdefault(str(bandset.get("bandset_id")), bandset)
            if kept != bandset:  # same id, other bands: keep this item's own
                raw["bandset"] = bandset
        quotes.append(m.Quote(
            provider=PROVIDER, raw=raw, sensor=text(item.get("image_type")) or request.sensor,
            area_km2=float(request.aoi.area_km2), billed_area_km2=billed_area_km2(item),
            base_amount=number(item.get("base_amount")), amount=number(item.get("final_amount")), unit=UNIT,
            uplifts=[parse_uplift(u) for u in array(item.get("uplifts")) if isinstance(u, Mapping)],
            tokens=number(item.get("tokens_used")), feasibility=text(item.get("feasibility_status")),
            request_index=first_index + offset, geometry=request.aoi.__geo_interface__,
        ))
    return quotes



#: ``GET /v0/order-items``' filters (official OpenAPI), sent as they are; ``order_id`` and ``project_id``
#: are read as the API's ``order_ids`` and ``project_ids``
ITEM_FILTERS = {
    **{key: key for key in ("user_id", "type", "status", "order_ids", "created_by", "created_at", "project_ids",
                            "ids", "area")},
    "order_id": "order_ids", "project_id": "project_ids",
}
#: ``GET /v0/orders``' one filter (official OpenAPI)
ORDER_FILTERS = {"user_id": "user_id"}
#: the item ``status`` filter's words (``Adapter.status_words``): the official OpenAPI's item statuses,
#: each read as the neutral word it is (the older pages' COMPLETED is read as FULFILLED but never sent:
#: the official listing takes the official words). RECEIVED, PENDING, IN_PROGRESS, … no item has.
ITEM_STATUS_WORDS = {word: (word,) for word in ("DRAFT", "ACTIVE", "FULFILLED", "PARTIALLY_FULFILLED", "CANCELLED",
                                                "FAILED")}
#: an empty ``GET /v0/order-items`` page: the answer to a status filter no Pixxel item can match
NO_ITEMS: dict[str, Any] = {"order_items": [], "pagination": {"total": 0}}


def _query(wire: Mapping[str, Any]) -> dict[str, Any]:
    """Filter values as query parameters (``_wire.listed``: an enum as its value, a datetime as UTC ISO,
    a list comma-joined)."""
    return {key: listed(value) for key, value in wire.items()}


#: how many of the newest order items ``PixxelAdapter.lookup_reference`` reads at most (50 pages of
#: 1,000): Pixxel cannot search item names, and a reconcile should not read an account's whole history
REFERENCE_SCAN_ITEMS = 50_000


def _carrying(items: Sequence[m.OrderItem], reference: str) -> list[m.Order]:
    """One ``Order`` per item whose name carries ``reference`` (``id`` its order's id, ``items`` the item)."""
    return [m.Order(provider=PROVIDER, raw=i.raw, id=i.order_id or i.id, name=i.name, status=i.status,
                    reference=reference, items=[i]) for i in items if ref.carried_in(i.name, reference)]


class PixxelAdapter(Adapter, provider="pixxel"):
    """Pixxel v0. Prices through a dry-run order (its bulk form: one order, many items).

    Paths start at ``/v0``; amounts are USD; the client reference is carried at the end of each item's
    name (≤ 100 characters). ``prepare`` reads the account's first project and its bandsets by name.

    >>> import asyncio, pixorder
    >>> adapter = PixxelAdapter()
    >>> answers = {"/v0/projects": {"projects": [{"id": "p-1"}]},
    ...            "/v0/bandsets": {"bandsets": [{"id": "b-vnir", "name": "VNIR"}, {"id": "b-swir", "name": "SWIR"}]}}
    >>> async def send(call):
    ...     return call.parse(answers[call.path], {})
    >>> asyncio.run(adapter.prepare(send))
    >>> adapter.project_id, adapter.bandsets
    ('p-1', {'VNIR': 'b-vnir', 'SWIR': 'b-swir'})
    >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [77.55, 12.95]},
    ...                                   start="2030-03-01", end="2030-03-21", off_nadir=20)
    >>> call = adapter.price([request])
    >>> call.describe(), call.json["dry_run"], call.spend
    ('POST /v0/orders', True, False)
    >>> order = adapter.create_order(request, reference="pxo-0123456789abcdef")
    >>> order.spend, order.json["order_items"][0]["name"]
    (True, 'pixorder order [pxo-0123456789abcdef]')
    >>> adapter.cancel_order("o-1")
    Traceback (most recent call last):
    ...
    pixorder.errors.NotSupported: pixxel does not support orders.cancel(); Pixxel has no cancel endpoint: ...
    """

    page_sizes = {"orders": 100, "order_items": 1000, "tasks": 1000}
    listing_filters = {"orders": ORDER_FILTERS, "order_items": ITEM_FILTERS, "tasks": ITEM_FILTERS}
    status_words = {"order_items": ITEM_STATUS_WORDS, "tasks": ITEM_STATUS_WORDS}

    def __init__(self) -> None:
        #: filled by the client on first use: the default project and bandset ids
        self.project_id: str | None = None
        self.bandsets: dict[str, str] = {}

    async def prepare(self, send: Any) -> None:
        """Read the account's projects and bandsets (``GET /v0/projects``, ``GET /v0/bandsets``).

        Sets ``project_id`` (the first project, None when there is none) and ``bandsets``
        (upper-cased name → id), which :meth:`item_payload` uses.

        Args:
            send: a coroutine function that sends a ``Call`` (the client's ``send``).

        Raises:
            ApiError: as ``send`` raises it (``AuthError`` for a refused key).
        """
        # Orders need a project and a bandset id: the account's first project, bandsets by name.
        projects = await send(self.projects())
        sensors = await send(self.sensors())
        self.project_id = projects[0] if projects else None
        self.bandsets = {(s.name or s.id).upper(): s.id for s in sensors}

    def auth_headers(self, api_key: str) -> dict[str, str]:
        """``Authorization: <key>`` (no ``Bearer`` prefix).

        Args:
            api_key: the Pixxel API key (``PIXXEL_API_KEY``).

        Returns:
            dict: the header.
        """
        return {"Authorization": api_key}  # no Bearer prefix [V]

    def sensors(self) -> Call[list[m.Sensor]]:
        """``GET /v0/bandsets``.

        Returns:
            Call[list[Sensor]]: see :func:`parse_bandsets`.
        """
        return Call("GET", PREFIX + "/bandsets", lambda body, h: parse_bandsets(body))

    def projects(self) -> Call[list[str]]:
        """``GET /v0/projects``.

        Returns:
            Call[list[str]]: the project ids, in the API's order (a bare list is read too).
        """
        def parse(body: Any, headers: Any) -> list[str]:
            rows = body.get("projects") if isinstance(body, Mapping) else body
            return [str(p.get("id")) for p in array(rows) if isinstance(p, Mapping)]

        return Call("GET", PREFIX + "/projects", parse)

    def _bandset_id(self, request: m.TaskingRequest) -> str | None:
        wanted = request.bandset or request.sensor
        if wanted is None:
            return self.bandsets.get("VNIR") or next(iter(self.bandsets.values()), None)
        return self.bandsets.get(str(wanted).upper(), wanted)

    def item_payload(self, request: Request, name: str) -> dict[str, Any]:
        """One ``order_items[]`` entry of ``POST /v0/orders`` for a neutral request.

        The AOI goes as a one-feature FeatureCollection; ``usecase`` defaults to ``"other"``; a
        tasking item gets ``recurrence``, ``start_date``, ``cloud_cover`` (percent) and
        ``delivery_speed``, then ``end_date`` (ONCE) or ``no_of_occurrences`` (recurring), and, when
        known, ``off_nadir`` (whole degrees; Pixxel uses 20 when left out) and ``bandset``
        (``request.bandset`` or ``sensor``, by name or id; else the account's VNIR, else its first). An archive item gets ``item_ids``.

        Args:
            request: a tasking or archive request.
            name: the item's name (shortened visibly to 100 characters).

        Returns:
            dict: the item's JSON.

        Raises:
            ValidationError: ``recurrence``: one Pixxel does not offer (it has ONCE, MONTHLY,
                BIMONTHLY, QUARTERLY).

        >>> import pixorder
        >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [77.55, 12.95]},
        ...     start="2030-03-01", end="2030-06-01", recurrence="MONTHLY", occurrences=3, off_nadir=20)
        >>> item = PixxelAdapter().item_payload(request, "Field 7")
        >>> item["recurrence"], item["no_of_occurrences"], item["off_nadir"], "end_date" in item
        ('MONTHLY', 3, 20, False)
        >>> PixxelAdapter().item_payload(request.model_copy(update={"recurrence": "WEEKLY"}), "Field 7")
        Traceback (most recent call last):
        ...
        pixorder.errors.ValidationError: recurrence: Pixxel offers ONCE, MONTHLY, BIMONTHLY, QUARTERLY (got 'WEEKLY')
        """
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
            "start_date": iso_z(request.start),
            "cloud_cover": int(round(request.cloud_cover)),
            "delivery_speed": request.delivery_speed.value,
        })
        if recurrence == "ONCE":
            item["end_date"] = iso_z(request.end)  # exclusive, like the neutral window's end
        else:
            # The spec takes either no_of_occurrences or end_date for a recurring item, not both.
            item["no_of_occurrences"] = request.occurrences
        if request.off_nadir is not None:  # left out, Pixxel uses 20
            item["off_nadir"] = int(round(request.off_nadir))
        bandset = self._bandset_id(request)
        if bandset:
            item["bandset"] = {"bandset_id": bandset}
        return item

    def refused_items(self, error: E.ApiError, count: int) -> dict[int, str]:
        """The items of a refused dry-run order its ``details`` name (``order_items[37].geometry``), by
        position, each with its field and message (the whole order is refused for one bad item).

        Args:
            error: the refusal (Pixxel's envelope ``{"error": {code, message, details: [{field, message}]}}``).
            count: how many items the order carried.

        Returns:
            dict: item position → ``"<field>: <message>"`` (empty when no item is named).

        >>> refusal = E.ApiError("refused", provider="pixxel", status=400, body={"error": {"code": "VALIDATION_ERROR",
        ...     "details": [{"field": "order_items[1].end_date", "message": "must be within 90 days of start_date"}]}})
        >>> PixxelAdapter().refused_items(refusal, 3)
        {1: 'end_date: must be within 90 days of start_date'}
        """
        body = error.body if isinstance(error.body, Mapping) else {}
        inner = body.get("error")
        envelope: Mapping[str, Any] = inner if isinstance(inner, Mapping) else body
        named: dict[int, str] = {}
        for detail in array(envelope.get("details")):
            if not isinstance(detail, Mapping):
                continue
            found = _ITEM_FIELD.match(str(detail.get("field") or ""))
            if found and int(found.group(1)) < count:
                words = f"{found.group(2)}: {detail.get('message')}" if found.group(2) else str(detail.get("message"))
                named.setdefault(int(found.group(1)), words)
        return named

    def price(self, requests: Sequence[Request], first_index: int = 0) -> Call[list[m.Quote]]:
        """A dry-run ``POST /v0/orders`` with one item per request (at most ``bulk_limit``; no spend).

        Args:
            requests: tasking or archive requests.
            first_index: the ``request_index`` of the first quote.

        Returns:
            Call[list[Quote]]: see :func:`quotes_from_dry_run`.

        Raises:
            ValidationError: a recurrence Pixxel does not offer (see :meth:`item_payload`).
        """
        items = [self.item_payload(r, r.name or f"pixorder quote {first_index + i}") for i, r in enumerate(requests)]
        return Call("POST", PREFIX + "/orders", lambda body, h: quotes_from_dry_run(body, requests, first_index),
                    json={"dry_run": True, "order_items": items}, expect=(201, 200))

    def create_order(self, request: Request, *, reference: str, dry_run: bool = False) -> Call[m.Order]:
        """``POST /v0/orders`` with one item (a spend unless ``dry_run``), the reference in its name.

        Args:
            request: a tasking or archive request.
            reference: the client reference.
            dry_run: True: Pixxel's own dry run (priced, nothing placed).

        Returns:
            Call[Order]: see :func:`parse_order`; ``geometry`` and ``area_km2`` are the request's AOI
            (official items carry none).

        Raises:
            ValidationError: a recurrence Pixxel does not offer (see :meth:`item_payload`).
        """
        name = ref.in_name(request.name, reference, limit=self.name_limit)
        body = {"dry_run": dry_run, "order_items": [self.item_payload(request, name)]}

        def parse(b: Any, h: Any) -> m.Order:
            order = parse_order(b, dry_run=dry_run)
            if order.geometry is None:  # the official items carry no AOI: it is the one sent
                order.geometry = dict(request.aoi.__geo_interface__)
            # The area drawn is the request's, as on the quote: the same AOI priced and ordered, one number.
            order.area_km2 = float(request.aoi.area_km2)
            return order

        return Call("POST", PREFIX + "/orders", parse, json=body, spend=not dry_run, expect=(201, 200))

    def find_by_reference(self, reference: str) -> Call[list[m.Order]]:
        """The newest page of ``GET /v0/order-items`` (``page_sizes["order_items"]`` rows), kept where
        the item's name carries ``reference``: what a placement whose answer was lost polls.

        Pixxel's listing has no name filter (its filters are ids, type, status, creator, project,
        creation time and area), so an older order is found by :meth:`lookup_reference`, which pages on.

        Args:
            reference: the client reference.

        Returns:
            Call[list[Order]]: one ``Order`` per matching item (``id`` its order's id, ``items`` the item).
        """
        return self.list_order_items({}, 0, self.page_sizes["order_items"]).reading(
            lambda body, headers: _carrying(parse_order_items_page(body).items, reference))

    async def lookup_reference(self, reference: str, send: Any) -> list[m.Order]:
        """Every order item carrying ``reference``, reading ``GET /v0/order-items`` page by page from the
        newest (pages of ``page_sizes["order_items"]``) until the page holding a match, the listing's
        end, or :data:`REFERENCE_SCAN_ITEMS` rows.

        Items that arrive meanwhile push older rows to later offsets, so a row may be read twice but
        none is skipped.

        Args:
            reference: the client reference.
            send: a coroutine function that sends a ``Call`` (the client's ``send``).

        Returns:
            list[Order]: one ``Order`` per matching item; empty when the whole listing holds none.

        Raises:
            NotSupported: none among the newest :data:`REFERENCE_SCAN_ITEMS` items, and the listing goes on.
            ApiError: as ``send`` raises it.

        >>> import asyncio
        >>> rows = [{"id": f"i-{n}", "order_id": f"o-{n}", "name": f"item {n}"} for n in range(5)]
        >>> rows[3]["name"] = "Field 7 [pxo-0123456789abcdef]"
        >>> async def send(call):  # a listing of 5 items, 2 per page
        ...     offset, limit = call.params["offset"], call.params["limit"]
        ...     return call.parse({"order_items": rows[offset:offset + limit], "pagination": {"total": 5}}, {})
        >>> adapter = PixxelAdapter()
        >>> adapter.page_sizes = {"order_items": 2}
        >>> [(o.id, o.reference) for o in asyncio.run(adapter.lookup_reference("pxo-0123456789abcdef", send))]
        [('o-3', 'pxo-0123456789abcdef')]
        """
        size = self.page_sizes["order_items"]
        offset = 0
        while offset < REFERENCE_SCAN_ITEMS:
            page = await send(self.list_order_items({}, offset, size))
            found = _carrying(page.items, reference)
            offset += len(page.items)
            if found or not page.items or (page.total is not None and offset >= page.total):
                return found
        raise self._unsupported(
            f"orders.reconcile() beyond the newest {REFERENCE_SCAN_ITEMS:,} order items",
            f"Pixxel's order-item listing has no name filter: find the item named '… [{reference}]' in "
            "Pixxel's dashboard")

    def get_order(self, order_id: str) -> Call[m.Order]:
        """``GET /v0/orders/{id}``.

        Args:
            order_id: Pixxel's order id.

        Returns:
            Call[Order]: see :func:`parse_order`.
        """
        return Call("GET", PREFIX + f"/orders/{order_id}", lambda body, h: parse_order(body))

    def list_orders(self, filters: Any, offset: int, limit: int) -> Call[m.Page[m.Order]]:
        """``GET /v0/orders`` with limit/offset; its one filter is ``user_id`` (official OpenAPI).

        Args:
            filters: filter name → value (None values are left out).
            offset: rows to skip, from the newest.
            limit: rows per page.

        Returns:
            Call[Page[Order]]: see :func:`parse_orders_page`.

        Raises:
            ValidationError: any other filter (before any call): filter items with ``order_items.list()``.
        """
        params = {"limit": limit, "offset": offset, **_query(self.wire_filters("orders", filters))}
        return Call("GET", PREFIX + "/orders", lambda body, h: parse_orders_page(body), params=params)

    def list_order_items(self, filters: Any, offset: int, limit: int) -> Call[m.Page[m.OrderItem]]:
        """``GET /v0/order-items`` with limit/offset and the filters of :data:`ITEM_FILTERS`.

        A list is sent comma-joined (a ``(from, to)`` pair is a ``created_at`` or ``area`` range), an
        enum as its value, a datetime as UTC ISO. ``status`` takes pixorder's neutral words
        (``OrderStatus``: ``"canceled"`` is CANCELLED) or Pixxel's own, one or a list
        (:meth:`Adapter.status_filter`); a word no Pixxel item can have (PENDING, …) selects nothing,
        and nothing is sent.

        Args:
            filters: filter name → value (None values are left out); ``order_id`` is ``order_ids``.
            offset: rows to skip, from the newest.
            limit: rows per page.

        Returns:
            Call[Page[OrderItem]]: see :func:`parse_order_items_page`.

        Raises:
            ValidationError: a filter the listing does not know (before any call).
        """
        return self._items("order_items", self.wire_filters("order_items", filters), offset, limit)

    def _items(self, entity: str, wire: Mapping[str, Any], offset: int, limit: int) -> Call[m.Page[m.OrderItem]]:
        wire = dict(wire)
        if "status" in wire:
            wire["status"] = list(self.status_filter(entity, wire["status"]).words)
        params = {"limit": limit, "offset": offset, **_query(wire)}
        return Call("GET", PREFIX + "/order-items", lambda body, h: parse_order_items_page(body), params=params,
                    answer=NO_ITEMS if wire.get("status") == [] else None)

    def list_tasks(self, filters: Any, offset: int, limit: int) -> Call[m.Page[m.Task]]:
        """The tasks of a page of order items (``GET /v0/order-items``; Pixxel lists no tasks alone).

        Args:
            filters: the order items' filters (:data:`ITEM_FILTERS`; None values are left out):
                ``status`` is the items' (see :meth:`list_order_items`), not the tasks'.
            offset: rows to skip, from the newest.
            limit: rows per page.

        Returns:
            Call[Page[Task]]: every task of the page's items; ``total`` counts items and ``consumed``
            the items read, so the listing pages on by items.

        Raises:
            ValidationError: a filter the listing does not know (before any call).
        """
        inner = self._items("tasks", self.wire_filters("tasks", filters), offset, limit)

        def parse(body: Any, headers: Any) -> m.Page[m.Task]:
            items = parse_order_items_page(body)
            tasks = [t for i in items.items for t in i.tasks]
            return m.Page[m.Task](items=tasks, total=items.total, offset=items.offset, limit=items.limit,
                                  consumed=len(items.items))

        return inner.reading(parse)

    def cancel_order(self, order_id: str) -> Call[Any]:
        """Pixxel has no cancel endpoint.

        Args:
            order_id: ignored.

        Raises:
            NotSupported: always: write to Pixxel support at least 72 h before the item's start_date.
        """
        raise self._unsupported(
            "orders.cancel()", "Pixxel has no cancel endpoint: write to Pixxel support at least 72 h before "
            "the item's start_date (inside 72 h it is refused)")

    def edit_order(self, order_id: str, changes: Any) -> Call[Any]:
        """Pixxel orders cannot be edited.

        Args:
            order_id: ignored.
            changes: ignored.

        Raises:
            NotSupported: always: place a new order.
        """
        raise self._unsupported("orders.edit()", "Pixxel orders cannot be edited: place a new order")

    # --- the fast path for big listings: raw rows straight to frame columns --------------------
    fast_frames = frozenset({"order_items"})

    def page_rows(self, body: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], int | None]:
        """The raw rows and total of a listing page: see the module's :func:`page_rows`.

        Args:
            body: the page's JSON object.

        Returns:
            tuple: the rows as sent and the listing's total (None when not sent).
        """
        return page_rows(body)

    def frame_columns(self, entity: str, rows: Sequence[Mapping[str, Any]]) -> tuple[dict[str, list[Any]], list[Any]]:
        """Frame columns from raw order items: see :func:`order_item_columns`.

        Args:
            entity: ``"order_items"`` (the one entity in ``fast_frames``; not checked).
            rows: raw order items.

        Returns:
            tuple: column name → one value per row, and one GeoJSON geometry (or None) per row.
        """
        return order_item_columns(rows)

    def check_feasibility(self, request: m.TaskingRequest) -> Call[Any]:
        """Pixxel has no feasibility check of its own.

        Args:
            request: ignored.

        Raises:
            NotSupported: always: each item's ``feasibility_status`` is on the quote of
                ``pricing.estimate()`` (a dry run).
        """
        raise self._unsupported(
            "feasibility.check()", "Pixxel reports feasibility_status on each item: pricing.estimate() (a dry run)"
            " returns it on the quote")

    async def deliveries(self, order_id: str, send: Any) -> list[m.Delivery]:
        """The order's catalogs (one per delivered product, ``POST /v0/catalogs/search``) and one signed
        download link for them (``POST /v0/catalogs/download`` with the items' ``order_item_ids``).

        Reads the order's items first (``GET /v0/order-items``) to name each catalog's item by its task.
        That listing answers an order id it does not know with no items: then the order is read
        (``GET /v0/orders/{id}``), whose 404 tells an unknown order.

        Args:
            order_id: Pixxel's order id.
            send: a coroutine function that sends a ``Call`` (the client's ``send``).

        Returns:
            list[Delivery]: one per catalog, each with the same ``url`` and its ``expires_at`` (UTC,
            when the URL says); empty while nothing is delivered (no download link is asked for).

        Raises:
            NotFound: Pixxel has no such order (the message names it).
            ApiError: as ``send`` raises it.

        >>> import asyncio
        >>> answers = {
        ...     "/v0/order-items": {"order_items": [{"id": "i-1", "order_id": "o-1", "tasks": [{"id": "t-1"}]}],
        ...                         "pagination": {"total": 1}},
        ...     "/v0/catalogs/search": {"catalogs": [{"id": "cat-1", "task_id": "t-1",
        ...                                           "delivery_status": "DELIVERED"}], "pagination": {"total": 1}},
        ...     "/v0/catalogs/download": {"signed_url": "https://storage.example/o-1.zip?expires=1900000000"}}
        >>> async def send(call):
        ...     return call.parse(answers[call.path], {})
        >>> [(d.id, d.item_id, d.expires_at.isoformat()) for d in asyncio.run(PixxelAdapter().deliveries("o-1", send))]
        [('cat-1', 'i-1', '2030-03-17T17:46:40+00:00')]
        """
        # The order's items with their tasks (GET /v0/orders/{id} lists items without tasks): a catalog
        # names its task, the download wants the items.
        items_page = await send(self.list_order_items({"order_ids": order_id}, 0, 1000))
        order_items = [item for item in items_page.items if item.order_id in (None, order_id)]
        if not order_items:
            # The item listing answers an order id it does not know with no items: the order's 404 tells.
            await send(self.get_order(order_id))
            return []
        item_of_task = {t.id: item.id for item in order_items for t in item.tasks}
        # The spec's default page is 2 catalogs; 100 is its maximum.
        found = await every_page(send, lambda offset: Call(
            "POST", PREFIX + "/catalogs/search", lambda body, h: parse_catalogs_page(body, order_id, item_of_task),
            json={"order_ids": [order_id], "limit": 100, "offset": offset}))
        if not found:
            return found
        known = {item.id for item in order_items if item.id is not None}
        items = sorted({d.item_id for d in found if d.item_id in known and d.item_id is not None}) or sorted(known)
        url = await send(Call("POST", PREFIX + "/catalogs/download", lambda body, h: text(mapping(body).get("signed_url")),
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

    Args:
        rows: order items' JSON objects, as listed.

    Returns:
        tuple: the ``order_items`` frame's columns (name → one value per row; numbers as sent, the
        frame converts them) and one GeoJSON geometry (or None) per row.

    >>> columns, geometries = order_item_columns([{"id": "i-1", "order_id": "o-1", "status": "ACTIVE", "area": 42,
    ...                                            "final_amount": 12000, "tasks": [{"id": "t-1"}]}])
    >>> columns["billed_area_km2"], columns["amount"], columns["n_tasks"], geometries
    ([100.0], [12000], [1], [None])
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
    """The raw rows (``order_items``, else ``orders``) of a listing page and ``pagination.total``.

    Args:
        body: the page's JSON object.

    Returns:
        tuple: the rows as sent and the listing's total (None when not sent).

    >>> page_rows({"order_items": [{"id": "i-1"}], "pagination": {"total": 7}})
    ([{'id': 'i-1'}], 7)
    """
    rows = body.get("order_items")
    if rows is None:
        rows = array(body.get("orders"))
    return rows, integer(mapping(body.get("pagination")).get("total"))



def parse_catalog(payload: Mapping[str, Any], order_id: str | None = None,
                  item_of_task: Mapping[str, str] | None = None) -> m.Delivery:
    """One catalog (``clerk.Catalog``: a delivered product, its STAC item in ``details``).

    Args:
        payload: the catalog's JSON object.
        order_id: the order it belongs to (a catalog does not say).
        item_of_task: task id → order item id, to name the catalog's item (else the STAC item's id).

    Returns:
        Delivery: ``status`` the ``delivery_status``, ``acquired_at`` the STAC ``datetime`` (UTC),
        ``cloud_cover`` ``eo:cloud_cover`` (percent), ``geometry`` the STAC item's; ``url`` None
        (:meth:`PixxelAdapter.deliveries` sets it).

    >>> d = parse_catalog({"id": "cat-1", "task_id": "t-1", "delivery_status": "DELIVERED",
    ...     "details": {"id": "stac-1", "properties": {"datetime": "2030-03-02T05:30:00Z", "eo:cloud_cover": 3.5}}},
    ...     "o-1", {"t-1": "i-1"})
    >>> d.item_id, d.status, d.cloud_cover, d.acquired_at.isoformat()
    ('i-1', 'DELIVERED', 3.5, '2030-03-02T05:30:00+00:00')
    """
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
    """One page of ``POST /v0/catalogs/search`` (``{catalogs, pagination}``).

    Args:
        payload: the page's JSON (anything else reads as an empty page).
        order_id: the order searched for.
        item_of_task: task id → order item id (see :func:`parse_catalog`).

    Returns:
        Page[Delivery]: ``items`` and the ``pagination``'s ``total``, ``offset`` and ``limit``.

    >>> page = parse_catalogs_page({"catalogs": [{"id": "cat-1", "task_id": "t-1"}], "pagination": {"total": 1}},
    ...                            "o-1", {"t-1": "i-1"})
    >>> page.total, [(d.id, d.item_id) for d in page.items]
    (1, [('cat-1', 'i-1')])
    """
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
