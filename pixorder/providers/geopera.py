"""Geopera API v1 adapter (orders operations): wire payloads ⇄ neutral models (sans-IO).

Output shapes Geopera leaves untyped follow docs/geopera-wire.md; every read is tolerant of
camelCase / snake_case variants and missing keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pixorder import models as m
from pixorder.errors import ApiError, ValidationError
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
    number,
    text,
)
from pixorder.providers.base import Adapter, Call, Request, error_from_response, public_calls

PROVIDER = "geopera"
PREFIX = table.get(PROVIDER).api_root  # "/v1": every path starts with the table's API root
UNIT = "AUD"
PAGE_SIZE = 100
#: the keys a total in AUD is read from (estimates, orders, study options, quotations), first found first
TOTAL_AUD = ("totalAud", "total_aud", "aud")


#: ``orders.list``'s filters: pixorder's names → ``OrdersListInput``'s, then its own, sent as they are
ORDER_FILTERS = {
    "name": "displayName", "reference": "tags", "sub_status": "subStatus", "workspace_id": "workspaceId",
    **{key: key for key in ("workspaceId", "type", "status", "subStatus", "displayName", "dataProductIds",
                            "orderIds", "tags")},
}
#: the study and quotation listings' filters: pixorder's names → ``StudiesListInput``'s, then its own
STUDY_FILTERS = {
    "order_id": "orderId", "status": "decision", "workspace_id": "workspaceId",
    **{key: key for key in ("id", "workspaceId", "orderId", "decision")},
}
#: the order ``status`` filter's words (``Adapter.status_words``): the inverse of :func:`parse_order`,
#: i.e. of ``OrderStatus``' synonyms (CREATED and BEING_PLACED are RECEIVED, PLACED is PENDING, …).
#: FAILED_PERMANENTLY is FAILED, or CANCELLED when its ``subStatus`` is CANCELLED: the listing cannot
#: ask for "not CANCELLED", so :meth:`GeoperaAdapter.list_orders` keeps the rows asked for.
ORDER_STATUS_WORDS = {
    "RECEIVED": ("CREATED", "BEING_PLACED"), "PENDING": ("PLACED",), "IN_PROGRESS": ("BEING_FULFILLED",),
    "FULFILLED": ("FULFILLED",), "FAILED": ("FAILED_PERMANENTLY",), "CANCELLED": ("FAILED_PERMANENTLY",),
}
#: the studies' and quotations' ``status`` (their ``decision``) filter's words: each read as the neutral
#: ``QuotationStatus`` it is (PENDING and WAITING are NOT_DECIDED); CANCELLED (an order cancelled
#: before the decision) under its own name
DECISION_WORDS = {word: (word,) for word in ("NOT_DECIDED", "ACCEPTED", "REJECTED", "EXPIRED", "CANCELLED")}


def op_path(operation_id: str) -> str:
    """The path of a Geopera operation (``POST /v1/op/{operation_id}``).

    Args:
        operation_id: the operation's id, e.g. ``"orders.tasking.estimate"``.

    Returns:
        str: the path.

    >>> op_path("orders.tasking.estimate")
    '/v1/op/orders.tasking.estimate'
    """
    return f"{PREFIX}/op/{operation_id}"


def _uplifts(rows: Any) -> list[m.Uplift]:
    return [m.Uplift(name=str(first(u, "name", "title", default="uplift")), percentage=number(u.get("percentage")),
                     amount=number(first(u, "amountAud", "amount_aud", "amount")),
                     description=text(u.get("description")))
            for u in array(rows) if isinstance(u, Mapping)]


def parse_sensor(payload: Mapping[str, Any]) -> m.Sensor:
    """One sensor of ``orders.tasking.sensors`` (camelCase or snake_case keys).

    Args:
        payload: the sensor's JSON object.

    Returns:
        Sensor: ``resolution_m`` the GSD in metres, ``min_area_km2`` (the pricing's, else the
        sensor's), ``price_per_km2`` AUD per km² (``pricing.audPerKm2``), ``image_type`` optical or sar.

    >>> s = parse_sensor({"id": "pneo-30cm", "name": "Pléiades Neo", "resolutionM": 0.3, "imageType": "optical",
    ...                   "pricing": {"audPerKm2": 28.0, "minAreaKm2": 25}})
    >>> s.id, s.resolution_m, s.min_area_km2, s.price_per_km2, s.unit
    ('pneo-30cm', 0.3, 25.0, 28.0, 'AUD')
    """
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
    """One priced group of an estimate.

    Args:
        group: the group's JSON object (``totalAud``, ``baseAud``, ``billedAreaKm2``, ``uplifts``, …).
        index: the quote's ``request_index``.
        request: the request priced (its AOI gives ``area_km2`` and ``geometry``), or None (then
            ``area_km2`` is the group's ``areaKm2``).

    Returns:
        Quote: ``amount``/``base_amount`` and uplift amounts in AUD, ``credits``, ``billed_area_km2``
        (km², the sensor's minimum applied), ``feasibility``.

    >>> q = parse_estimate_group({"groupId": "g0", "sensor": "pneo-30cm", "areaKm2": 12.0, "billedAreaKm2": 25.0,
    ...     "baseAud": 700.0, "uplifts": [{"name": "cloud", "percentage": 10, "amountAud": 70.0}],
    ...     "totalAud": 770.0, "credits": 7700, "feasibility": "SUCCESS"}, 0, None)
    >>> q.amount, q.area_km2, q.billed_area_km2, [(u.name, u.amount) for u in q.uplifts], str(q.feasibility)
    (770.0, 12.0, 25.0, [('cloud', 70.0)], 'SUCCESS')
    """
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
    """Quotes in request order; a group that failed becomes a quote holding its error.

    Groups and errors are matched to requests by ``index``, else by ``groupId`` ``"g<i>"``, else
    (groups only) by position.

    Args:
        body: the estimate's JSON object (``{groups, errors, …}``).
        requests: the requests priced, in order.
        first_index: the ``request_index`` of the first quote.

    Returns:
        list[Quote]: one per request (see :func:`parse_estimate_group`); a failed group's quote holds
        ``error`` (operations it names rewritten to pixorder calls), a missing one
        ``"no estimate returned"``.

    >>> import pixorder
    >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [151.2, -33.87]},
    ...                                   start="2030-03-01", end="2030-03-21")
    >>> body = {"groups": [{"groupId": "g0", "totalAud": 770.0}],
    ...         "errors": [{"groupId": "g1", "index": 1,
    ...                     "detail": "Unknown sensor 'x'; see orders.tasking.sensors."}]}
    >>> [(q.request_index, q.amount, q.error) for q in parse_estimate(body, [request, request], 0)]
    [(0, 770.0, None), (1, None, "Unknown sensor 'x'; see client.sensors().")]
    """
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
    """One Geopera order (``orders.get``, a row of ``orders.list``).

    Args:
        payload: the order's JSON object.

    Returns:
        Order: ``status`` CANCELLED when ``subStatus`` is CANCELLED, else Geopera's status;
        ``provider_status`` ``"<status>/<subStatus>"``; ``amount`` (``totalAud``) in AUD; ``area_km2``
        the AOI's (``featureCollection``) area, ``billed_area_km2`` Geopera's; ``start``/``end`` the
        acquisition window; ``reference`` from the tags.

    >>> order = parse_order({"id": "o-1", "displayName": "Field 7", "type": "TASKING", "status": "FAILED_PERMANENTLY",
    ...                      "subStatus": "CANCELLED", "tags": ["pxo-0123456789abcdef"], "totalAud": 770.0,
    ...                      "billedAreaKm2": 25.0})
    >>> order
    <Order geopera 'o-1' TASKING status=CANCELLED amount=770.00 AUD billed=25 km²>
    >>> order.provider_status, order.reference
    ('FAILED_PERMANENTLY/CANCELLED', 'pxo-0123456789abcdef')
    """
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
    """One feasibility study (``orders.tasking.feasibility_studies.list`` content, ``feasibility_decide``).

    Args:
        payload: the study's JSON object.

    Returns:
        FeasibilityStudy: ``decision`` (NOT_DECIDED, ACCEPTED, …) and ``options``, each with ``id``,
        ``amount`` in AUD and its acquisition window (``start``/``end``, UTC).

    >>> study = parse_study({"id": "s-1", "orderId": "o-1", "decision": "NOT_DECIDED", "options": [
    ...     {"id": "opt-1", "description": "one pass", "totalAud": 1200,
    ...      "startDate": "2030-03-01", "endDate": "2030-03-10"}]})
    >>> str(study.decision), [(o.id, o.amount, o.unit) for o in study.options]
    ('NOT_DECIDED', [('opt-1', 1200.0, 'AUD')])
    """
    options = [m.FeasibilityOption(id=str(o.get("id")), description=text(o.get("description")),
                                   amount=number(first(o, *TOTAL_AUD)), unit=UNIT,
                                   start=first(o, "startDate", "start"), end=first(o, "endDate", "end"))
               for o in array(payload.get("options")) if isinstance(o, Mapping)]
    return m.FeasibilityStudy(provider=PROVIDER, raw=dict(payload), id=str(payload.get("id")),
                              order_id=text(first(payload, "orderId", "order_id")),
                              decision=text(payload.get("decision")), options=options,
                              created_at=first(payload, "createdAt", "created_at"))


def parse_quotation(payload: Mapping[str, Any]) -> m.Quotation:
    """One quotation (``orders.tasking.quotations.list`` content, ``quotation_decide``).

    Args:
        payload: the quotation's JSON object.

    Returns:
        Quotation: ``status`` the decision (NOT_DECIDED, ACCEPTED, REJECTED, EXPIRED, …), ``amount``
        in AUD, ``credits``, ``expires_at`` (UTC).

    >>> q = parse_quotation({"id": "q-1", "orderId": "o-1", "decision": "NOT_DECIDED", "totalAud": 770.0,
    ...                      "credits": 7700, "expiresAt": "2030-03-08T00:00:00Z"})
    >>> str(q.status), q.amount, q.credits, q.expires_at.isoformat()
    ('NOT_DECIDED', 770.0, 7700.0, '2030-03-08T00:00:00+00:00')
    """
    return m.Quotation(provider=PROVIDER, raw=dict(payload), id=str(payload.get("id")),
                       order_id=text(first(payload, "orderId", "order_id")),
                       status=text(first(payload, "decision", "status")),
                       amount=number(first(payload, *TOTAL_AUD)), unit=UNIT,
                       credits=number(payload.get("credits")),
                       created_at=first(payload, "createdAt", "created_at"),
                       expires_at=first(payload, "expiresAt", "expires_at"))


def _archive_quote(body: Any, request: m.ArchiveRequest, index: int) -> m.Quote:
    """The quote of one archive request from its own ``orders.archive.estimate`` answer."""
    body = mapping(body)
    # Each capture is billed on its own (at least the minimum), so the billed area is the sum over the
    # groups, while the AOI's area counts once however many captures cover it.
    groups = [g for g in array(body.get("groups")) if isinstance(g, Mapping)]
    billed = [number(first(g, "billedAreaKm2", "billed_area_km2")) for g in groups]
    errors = "; ".join(str(first(e, "detail", default=e)) for e in array(body.get("errors")))
    return m.Quote(provider=PROVIDER, raw=dict(body), unit=UNIT, request_index=index,
                   amount=number(first(body, *TOTAL_AUD)),
                   credits=number(first(body, "total_credits", "totalCredits")),
                   billed_area_km2=round(sum(b for b in billed if b is not None), 3)
                   if billed and None not in billed else None,
                   area_km2=float(request.aoi.area_km2), geometry=dict(request.aoi.__geo_interface__),
                   error=public_calls(errors) or None)


def placement_error(payload: Any, headers: Mapping[str, str]) -> ApiError:
    """The error of a placement Geopera answered without an order (``{"results": [], "errors": [...]}``).

    Args:
        payload: the placement's answer.
        headers: its response headers.

    Returns:
        ApiError: ``status`` the first error row's own (402 when credits ran short, 409, …; 422 when no
        row gives a 4xx status); ``message`` the rows' messages, each after its ``index`` when there are
        several; ``body`` the whole answer.

    >>> err = placement_error({"results": [], "errors": [{"index": 0, "status": 402,
    ...     "detail": "Insufficient credits: 7700 needed, 120 available."}]}, {})
    >>> err.status, err.message
    (402, 'Insufficient credits: 7700 needed, 120 available.')
    >>> placement_error({"results": [], "errors": [{"index": 0, "detail": "bad window"},
    ...                  {"index": 1, "detail": [{"loc": ["params", "priority"], "msg": "unknown"}]}]}, {}).message
    'index 0: bad window; index 1: params.priority: unknown'
    """
    body = mapping(payload)
    rows = [r for r in array(body.get("errors")) if isinstance(r, Mapping)]
    statuses = [integer(r.get("status")) for r in rows]
    status = next((s for s in statuses if s is not None and 400 <= s < 500), 422)
    # Each row is read as an error body of its own (a problem's detail, a 422 list, a message).
    messages = [error_from_response(PROVIDER, status, r, headers).message for r in rows]
    if len(rows) > 1:
        messages = [f"index {r.get('index', i)}: {text}" for i, (r, text) in enumerate(zip(rows, messages))]
    message = "; ".join(messages) or "Geopera placed no order and gave no reason (no results, no errors)"
    error = error_from_response(PROVIDER, status, {"detail": message}, headers)
    error.body = payload  # the whole answer, as the provider sent it
    return error


def _features_of(geometry: Mapping[str, Any]) -> dict[str, Any]:
    """An AOI as Geopera takes it: a FeatureCollection with one Feature per polygon. A MultiPolygon goes
    part by part: Geopera refuses a geometry spanning more than 180° of longitude, which an AOI split at
    ±180° (Fiji) is as one MultiPolygon, and asks for one polygon on each side; it prices the union.

    >>> fiji = {"type": "MultiPolygon", "coordinates": [[[[179.9, -17], [180, -17], [180, -16.9], [179.9, -17]]],
    ...                                                  [[[-180, -17], [-179.9, -17], [-180, -16.9], [-180, -17]]]]}
    >>> [f["geometry"]["type"] for f in _features_of(fiji)["features"]]
    ['Polygon', 'Polygon']
    """
    if geometry.get("type") == "MultiPolygon":
        return feature_collection(*({"type": "Polygon", "coordinates": part} for part in geometry["coordinates"]))
    return feature_collection(geometry)


class GeoperaAdapter(Adapter, provider="geopera"):
    """Geopera v1: tasking and archive estimates, orders tagged with the client reference.

    Every call is ``POST /v1/op/<operation>`` with a JSON body; amounts are AUD. Spends carry an
    ``Idempotency-Key`` derived from what they are about, so every resend reuses it. Geopera prices
    per sensor: ``prepare`` takes the catalogue's first sensor when ``default_sensor`` is not given.

    Args:
        workspace_id: the workspace orders are placed in (``workspaceId``).
        default_sensor: the sensor id for requests that name none (None: read by ``prepare``).

    >>> import asyncio, pixorder
    >>> adapter = GeoperaAdapter(workspace_id="ws-1")
    >>> async def send(call):
    ...     return call.parse({"sensors": [{"id": "pneo-30cm"}, {"id": "spot-150cm"}]}, {})
    >>> asyncio.run(adapter.prepare(send))
    >>> adapter.default_sensor
    'pneo-30cm'
    >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [151.2, -33.87]},
    ...                                   start="2030-03-01", end="2030-03-21", off_nadir=20)
    >>> call = adapter.price([request])
    >>> call.describe(), sorted(call.json["groups"][0]), call.json["groups"][0]["sensor"]
    ('POST /v1/op/orders.tasking.estimate', ['featureCollection', 'groupId', 'params', 'sensor'], 'pneo-30cm')
    >>> order = adapter.create_order(request, reference="pxo-0123456789abcdef")
    >>> order.describe(), order.spend, order.bucket, order.json["tags"], "Idempotency-Key" in order.headers
    ('POST /v1/op/orders.tasking.place', True, 'place', ['pxo-0123456789abcdef'], True)
    >>> order.parse({"results": [{"index": 0, "id": "o-1"}], "errors": []}, {}).id
    'o-1'
    >>> adapter.edit_order("o-1", {"name": "Field 7"})
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: name: Geopera can change only an order's tags (orders.update)
    """

    listing_filters = {"orders": ORDER_FILTERS, "quotations": STUDY_FILTERS, "feasibility": STUDY_FILTERS}
    status_words = {"orders": ORDER_STATUS_WORDS, "quotations": DECISION_WORDS, "feasibility": DECISION_WORDS}

    def __init__(self, workspace_id: str = "default", default_sensor: str | None = None) -> None:
        self.workspace_id = workspace_id
        self.default_sensor = default_sensor

    async def prepare(self, send: Any) -> None:
        """Without a ``default_sensor``, take the first of ``orders.tasking.sensors`` (None when empty).

        Args:
            send: a coroutine function that sends a ``Call`` (the client's ``send``).

        Raises:
            ApiError: as ``send`` raises it (``AuthError`` for a refused key).
        """
        # Geopera prices per sensor: without one named, use the catalogue's first.
        if not self.default_sensor:
            sensors = await send(self.sensors())
            self.default_sensor = sensors[0].id if sensors else None

    def auth_headers(self, api_key: str) -> dict[str, str]:
        """``Authorization: Bearer <key>``.

        Args:
            api_key: the Geopera API key (``GEOPERA_API_KEY``, ``gpra_…``).

        Returns:
            dict: the header.
        """
        return {"Authorization": f"Bearer {api_key}"}

    def sensors(self) -> Call[list[m.Sensor]]:
        """``orders.tasking.sensors`` (body ``{}``).

        Returns:
            Call[list[Sensor]]: see :func:`parse_sensor`.
        """
        return Call("POST", op_path("orders.tasking.sensors"),
                    lambda body, h: [parse_sensor(s) for s in array(body.get("sensors"))], json={})

    def group(self, request: m.TaskingRequest, index: int) -> dict[str, Any]:
        """One estimate group; a tasking placement sends one as its body, a feasibility check its AOI and params.

        Args:
            request: a tasking request; its AOI goes as a one-feature FeatureCollection.
            index: the group's position, sent as ``groupId`` ``"g<index>"``.

        Returns:
            dict: ``groupId``, ``featureCollection``, ``params`` (``acquisitionStart``/``End`` UTC,
            ``maxCloudCover`` percent, ``priority`` the delivery speed, ``recurrence``, ``occurrences``
            and, when set, ``maxOffNadir`` degrees) and ``sensor`` (the request's, else the default).

        >>> import pixorder
        >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [151.2, -33.87]},
        ...     start="2030-03-01", end="2030-03-21", sensor="pneo-30cm", off_nadir=20)
        >>> group = GeoperaAdapter().group(request, 3)
        >>> group["groupId"], group["sensor"], group["params"]
        ('g3', 'pneo-30cm', {'acquisitionStart': '2030-03-01T00:00:00Z', 'acquisitionEnd': '2030-03-21T00:00:00Z',
         'maxCloudCover': 20.0, 'priority': 'STANDARD', 'recurrence': 'ONCE', 'occurrences': 1, 'maxOffNadir': 20.0})
        """
        params: dict[str, Any] = {
            "acquisitionStart": iso_z(request.start), "acquisitionEnd": iso_z(request.end),
            "maxCloudCover": request.cloud_cover, "priority": request.delivery_speed.value,
            "recurrence": request.recurrence.value, "occurrences": request.occurrences or 1,
        }
        if request.off_nadir is not None:
            params["maxOffNadir"] = request.off_nadir
        group = {"groupId": f"g{index}", "featureCollection": _features_of(request.aoi.__geo_interface__),
                 "params": params}
        sensor = request.sensor or self.default_sensor
        if sensor:
            group["sensor"] = sensor
        return group

    def price(self, requests: Sequence[Request], first_index: int = 0) -> Call[list[m.Quote]]:
        """``orders.tasking.estimate`` (one group per tasking request), or ``orders.archive.estimate``
        for one ``ArchiveRequest`` (each of its ``item_ids`` a capture clipped to its AOI). Not a spend.

        Geopera's archive estimate answers one group for all the captures it is sent, with capture ids
        and totals but nothing naming the request, so archive requests are priced one per call
        (``archive_bulk_limit`` is 1; ``client.pricing.estimate()`` sends them so). The two operations
        are different calls, so tasking and archive requests are priced in separate calls.

        Args:
            requests: up to ``bulk_limit`` (100) tasking requests, or one archive request.
            first_index: the ``request_index`` of the first quote.

        Returns:
            Call[list[Quote]]: tasking: see :func:`parse_estimate`; archive: one quote with ``amount``
            (``total_aud``), ``credits`` and ``billed_area_km2`` the sum over its capture groups (each
            capture billed at least the minimum), ``area_km2`` the AOI's (counted once).

        Raises:
            ValidationError: ``requests`` mixes tasking and archive requests, or holds more than one
                archive request (before any call).

        >>> import pixorder
        >>> archive = pixorder.ArchiveRequest(aoi={"type": "Point", "coordinates": [151.2, -33.87]}, item_ids=["cap-1"])
        >>> call = GeoperaAdapter().price([archive])
        >>> call.describe(), call.json["captures"][0]["id"]
        ('POST /v1/op/orders.archive.estimate', 'cap-1')
        >>> [(q.amount, q.billed_area_km2) for q in call.parse({"groups": [{"captureIds": ["cap-1"], "totalAud": 300.0,
        ...     "billedAreaKm2": 25.0}], "errors": [], "total_aud": 300.0, "total_credits": 3000}, {})]
        [(300.0, 25.0)]
        >>> GeoperaAdapter().price([archive, archive])
        Traceback (most recent call last):
        ...
        pixorder.errors.ValidationError: requests: Geopera prices one archive request per call: ...
        """
        tasking = [r for r in requests if isinstance(r, m.TaskingRequest)]
        archive = [r for r in requests if isinstance(r, m.ArchiveRequest)]
        if tasking and archive:
            raise ValidationError(
                "requests", "Geopera prices tasking requests (orders.tasking.estimate) and archive requests "
                "(orders.archive.estimate) with different operations: price them in separate calls "
                "(client.pricing.estimate() splits a mixed list for you)",
                f"{len(tasking)} tasking and {len(archive)} archive requests")
        if archive:
            if len(archive) > 1:
                raise ValidationError(
                    "requests", "Geopera prices one archive request per call: its archive estimate answers one "
                    "group for all the captures sent, so the totals of several requests cannot be told apart "
                    "(client.pricing.estimate() sends them one by one)", f"{len(archive)} archive requests")
            (request,) = archive
            captures = [{"id": item_id, "geometry": dict(request.aoi.__geo_interface__)} for item_id in request.item_ids]
            return Call("POST", op_path("orders.archive.estimate"),
                        lambda body, h: [_archive_quote(body, request, first_index)],
                        json={"captures": captures, "splitByDate": False})
        groups = [self.group(r, i) for i, r in enumerate(tasking)]
        return Call("POST", op_path("orders.tasking.estimate"),
                    lambda body, h: parse_estimate(body, tasking, first_index), json={"groups": groups})

    def create_order(self, request: Request, *, reference: str, dry_run: bool = False) -> Call[m.Order]:
        """``orders.tasking.place`` (one group) or ``orders.archive.place`` (its captures): a spend.

        The body carries ``displayName``, ``workspaceId`` and ``tags`` (the reference first, then the
        request's), and the ``Idempotency-Key`` derived from the reference; it counts against the
        ``"place"`` rate limit (60/min).

        Args:
            request: a tasking or archive request.
            reference: the client reference.
            dry_run: True: the estimate of the same request read as an ``Order`` (``dry_run=True``,
                ``id`` ``"dry-run-<reference>"``); Geopera has no dry run.

        Returns:
            Call[Order]: the placed order's ``id``, ``name`` and ``reference`` (read it again for the
            rest). Its parse raises ``ApiError`` when Geopera placed nothing (no ``results``: see
            :func:`placement_error`, e.g. 402 for credits short) or, for a dry run, 422 when the
            estimate holds an error.
        """
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
            results = array(mapping(payload).get("results"))
            if not results:
                raise placement_error(payload, headers)
            order_id = str(first(results[0], "id", "orderId"))
            return m.Order(provider=PROVIDER, raw=dict(payload), id=order_id, name=name, reference=reference)

        # The key is derived from the reference, so every retry of this logical call reuses it.
        key = ref.idempotency_key(reference)
        return Call("POST", path, parse, json=body, spend=True, bucket="place", expect=(200, 201, 202),
                    headers={"Idempotency-Key": key})

    def find_by_reference(self, reference: str) -> Call[list[m.Order]]:
        """``orders.list`` filtered by the tag ``reference`` (the first page of 50).

        Args:
            reference: the client reference.

        Returns:
            Call[list[Order]]: the orders whose reference tag is ``reference``.
        """
        return Call("POST", op_path("orders.list"),
                    lambda body, h: [o for o in _page_of(body, parse_order, 0, 50).items if o.reference == reference],
                    json={"tags": reference, "size": 50, "page": 0})

    def get_order(self, order_id: str) -> Call[m.Order]:
        """``orders.get`` ``{order_id}``.

        Args:
            order_id: Geopera's order id.

        Returns:
            Call[Order]: see :func:`parse_order`.
        """
        return Call("POST", op_path("orders.get"), lambda body, h: parse_order(body), json={"order_id": order_id})

    def list_orders(self, filters: Any, offset: int, limit: int) -> Call[m.Page[m.Order]]:
        """``orders.list``, page/size (newest first).

        ``name`` → ``displayName`` (contains), ``reference`` → ``tags``, ``sub_status`` → ``subStatus``,
        ``workspace_id`` → ``workspaceId``; ``OrdersListInput``'s own names (:data:`ORDER_FILTERS`) as
        they are; a list is sent comma-joined, an enum as its value. ``status`` takes pixorder's neutral
        words (``OrderStatus``) or Geopera's own, one or a list (:meth:`Adapter.status_filter`): RECEIVED
        is sent as ``CREATED,BEING_PLACED`` (:data:`ORDER_STATUS_WORDS`); CANCELLED alone as
        ``FAILED_PERMANENTLY`` with ``subStatus`` CANCELLED; FAILED (or CANCELLED among other words) as
        ``FAILED_PERMANENTLY``, of which only the rows asked for are kept (a page may then hold fewer
        rows than read, and ``total`` counts the rows read); a word no Geopera order can have (DRAFT,
        …) selects nothing, and nothing is sent.

        >>> call = GeoperaAdapter().list_orders({"status": "cancelled"}, 0, 20)
        >>> call.json["status"], call.json["subStatus"]
        ('FAILED_PERMANENTLY', 'CANCELLED')
        >>> page = GeoperaAdapter().list_orders({"status": ["FAILED", "RECEIVED"]}, 0, 20).parse({"content": [
        ...     {"id": "o-1", "status": "FAILED_PERMANENTLY", "subStatus": "CANCELLED"},
        ...     {"id": "o-2", "status": "FAILED_PERMANENTLY", "subStatus": "QUOTATION_EXPIRED"},
        ...     {"id": "o-3", "status": "CREATED"}], "totalElements": 3}, {})
        >>> [o.id for o in page.items], page.consumed
        (['o-2', 'o-3'], 3)

        Args:
            filters: filter name → value (None values are left out).
            offset: rows to skip (sent as ``page = offset // limit``; rows before ``offset`` in that
                page are skipped).
            limit: rows per page (``size``, 1–1000).

        Returns:
            Call[Page[Order]]: ``total`` from ``totalElements``.

        Raises:
            ValidationError: a filter :data:`ORDER_FILTERS` does not name (before any call).
        """
        wire = self.wire_filters("orders", filters)
        wanted = self.status_filter("orders", wire["status"]) if "status" in wire else None
        keep = None
        if wanted is not None:
            wire["status"] = list(wanted.words)
            broad = "FAILED_PERMANENTLY" in wanted.words and "FAILED_PERMANENTLY" not in wanted.as_given
            if broad and not {"FAILED", "CANCELLED"} <= wanted.statuses:
                if wanted.words == ("FAILED_PERMANENTLY",) and wanted.statuses == {"CANCELLED"} and "subStatus" not in wire:
                    wire["subStatus"] = "CANCELLED"  # exact: Geopera filters it
                else:
                    keep = wanted  # FAILED_PERMANENTLY holds FAILED and CANCELLED: keep the ones asked for

        def parse(b: Any, h: Any) -> m.Page[m.Order]:
            page = _page_of(b, parse_order, offset, limit)
            if keep is not None:
                page.consumed = len(page.items)
                page.items = [o for o in page.items if keep.keeps(o.status, o.raw.get("status"))]
            return page

        body: dict[str, Any] = {"page": offset // limit, "size": limit, **_body_filters(wire)}
        return Call("POST", op_path("orders.list"), parse, json=body,
                    answer=_empty_page(limit) if wanted is not None and not wanted.words else None)

    def edit_order(self, order_id: str, changes: Any) -> Call[m.Order | None]:
        """``orders.update`` ``{order_id, tags}``: the tags are added to the order's, none removed.

        (The merge is docs/geopera-wire.md's choice, which the sandbox follows; Geopera's documents do not say.)

        Args:
            order_id: Geopera's order id.
            changes: ``{"tags": [...]}``, the only field Geopera changes.

        Returns:
            Call[Order]: the order with its tags.

        Raises:
            ValidationError: ``changes`` empty, or naming another field (before any call).
        """
        unknown = set(changes) - {"tags"}
        if not changes:
            raise ValidationError("tags", "name the tags to set: Geopera can change only an order's tags")
        if unknown:
            raise ValidationError(sorted(unknown)[0], "Geopera can change only an order's tags (orders.update)")
        return Call("POST", op_path("orders.update"), lambda body, h: parse_order(body),
                    json={"order_id": order_id, "tags": list(changes["tags"])})

    def cancel_order(self, order_id: str) -> Call[m.Order | None]:
        """``orders.cancel`` ``{order_id}``: a spend (credits refunded), with its own ``Idempotency-Key``.

        Allowed before fulfilment (CREATED, BEING_PLACED, PLACED); Geopera answers 409 after.

        Args:
            order_id: Geopera's order id.

        Returns:
            Call[None]: the client reads the order again.
        """
        key = ref.idempotency_key("cancel", order_id)
        return Call("POST", op_path("orders.cancel"), lambda body, h: None, json={"order_id": order_id},
                    spend=True, bucket="spend", headers={"Idempotency-Key": key})

    def list_quotations(self, filters: Any, offset: int, limit: int) -> Call[m.Page[m.Quotation]]:
        """``orders.tasking.quotations.list``, page/size.

        Args:
            filters: ``order_id``, ``status`` (the decision: pixorder's ``QuotationStatus`` words, so
                PENDING is NOT_DECIDED, or Geopera's own), ``workspace_id`` → value, or
                ``StudiesListInput``'s own ``id``, ``orderId``, ``decision``, ``workspaceId`` (None values
                are left out).
            offset: rows to skip (sent as ``page = offset // limit``; rows before ``offset`` in that
                page are skipped).
            limit: rows per page (``size``).

        Returns:
            Call[Page[Quotation]]: see :func:`parse_quotation`.

        Raises:
            ValidationError: a filter :data:`STUDY_FILTERS` does not name (before any call).
        """
        return self._decision_listing("quotations", "orders.tasking.quotations.list", parse_quotation,
                                      filters, offset, limit)

    def _decision_listing(self, entity: str, operation: str, parse: Any, filters: Any, offset: int,
                          limit: int) -> Call[Any]:
        """A page of quotations or feasibility studies (the two listings differ by operation and reader)."""
        wire, answer = self._decisions(entity, filters, limit)
        body = {"page": offset // limit, "size": limit, **_body_filters(wire)}
        return Call("POST", op_path(operation), lambda b, h: _page_of(b, parse, offset, limit), json=body,
                    answer=answer)

    def _decisions(self, entity: str, filters: Any, limit: int) -> tuple[dict[str, Any], Any]:
        """A study or quotation listing's filters as sent (``status``/``decision`` in Geopera's words), and
        the answer when none can match (a decision no Geopera row has)."""
        wire = self.wire_filters(entity, filters)
        if "decision" not in wire:
            return wire, None
        wire["decision"] = list(self.status_filter(entity, wire["decision"]).words)
        return wire, None if wire["decision"] else _empty_page(limit)

    def decide_quotation(self, quotation_id: str, accept: bool) -> Call[m.Quotation]:
        """``orders.tasking.quotation_decide``: a spend (accepting debits the credits), idempotent per decision.

        Args:
            quotation_id: Geopera's quotation id.
            accept: True sends ACCEPTED, False REJECTED.

        Returns:
            Call[Quotation]: the quotation with its decision.
        """
        decision = "ACCEPTED" if accept else "REJECTED"
        key = ref.idempotency_key("quotation", quotation_id, decision)
        return Call("POST", op_path("orders.tasking.quotation_decide"), lambda b, h: parse_quotation(b),
                    json={"quotation_id": quotation_id, "decision": decision}, spend=True, bucket="spend",
                    headers={"Idempotency-Key": key})

    def check_feasibility(self, request: m.TaskingRequest) -> Call[list[m.FeasibilityStudy]]:
        """``orders.tasking.feasibility_check`` with the request's group (``dataProduct`` its sensor).

        Args:
            request: a tasking request.

        Returns:
            Call[list[FeasibilityStudy]]: one row per AOI feature, ``id`` ``"check-<index>"``,
            ``required`` (a study is needed before ordering) and ``reason``.
        """
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
        """``orders.tasking.feasibility_studies.list``, page/size.

        Args:
            filters: ``order_id``, ``status`` (the decision: pixorder's ``QuotationStatus`` words, so
                PENDING is NOT_DECIDED, or Geopera's own), ``workspace_id`` → value, or
                ``StudiesListInput``'s own ``id``, ``orderId``, ``decision``, ``workspaceId`` (None values
                are left out).
            offset: rows to skip (sent as ``page = offset // limit``; rows before ``offset`` in that
                page are skipped).
            limit: rows per page (``size``).

        Returns:
            Call[Page[FeasibilityStudy]]: see :func:`parse_study`.

        Raises:
            ValidationError: a filter :data:`STUDY_FILTERS` does not name (before any call).
        """
        return self._decision_listing("feasibility", "orders.tasking.feasibility_studies.list", parse_study,
                                      filters, offset, limit)

    def decide_feasibility(self, study_id: str, option_id: str) -> Call[m.FeasibilityStudy]:
        """``orders.tasking.feasibility_decide`` ``{study_id, acceptedOptionId}``: a spend, idempotent per option.

        Args:
            study_id: Geopera's study id.
            option_id: the id of one of the study's options.

        Returns:
            Call[FeasibilityStudy]: the study with ``decision`` ACCEPTED.
        """
        key = ref.idempotency_key("study", study_id, option_id)
        return Call("POST", op_path("orders.tasking.feasibility_decide"), lambda b, h: parse_study(b),
                    json={"study_id": study_id, "acceptedOptionId": option_id}, spend=True, bucket="spend",
                    headers={"Idempotency-Key": key})

    def list_tasks(self, filters: Any, offset: int, limit: int) -> Call[Any]:
        """Geopera has no tasks: it tracks acquisition per order.

        Args:
            filters: ignored.
            offset: ignored.
            limit: ignored.

        Raises:
            NotSupported: always: use ``orders.get()`` and the order's coverage (``deliveries.list``).
        """
        raise self._unsupported("tasks.list()", "Geopera tracks acquisition per order: use orders.get() and "
                                "the coverage operations")

    def list_order_items(self, filters: Any, offset: int, limit: int) -> Call[Any]:
        """Geopera has no order items: each order is one item.

        Args:
            filters: ignored.
            offset: ignored.
            limit: ignored.

        Raises:
            NotSupported: always: use ``orders.list()``.
        """
        raise self._unsupported("order_items.list()", "each Geopera order is one item: use orders.list()")

    async def deliveries(self, order_id: str, send: Any) -> list[m.Delivery]:
        """Delivered STAC items (``orders.list_assets``; ``url`` = the data asset) with the order's
        coverage (``orders.coverage.get``, tasking orders only: an archive order answers 409). While a
        tasking order is being fulfilled and nothing is delivered yet, one row reports its coverage.

        Args:
            order_id: Geopera's order id.
            send: a coroutine function that sends a ``Call`` (the client's ``send``).

        Returns:
            list[Delivery]: one per STAC item (see :func:`parse_asset_item`), each with the order's
            ``covered_percent``; or the one coverage row (``id`` ``"<order_id>-coverage"``); or empty.

        Raises:
            NotFound: Geopera has no such order (``orders.list_assets`` answers 404 naming it).
            ApiError: as ``send`` raises it.

        >>> import asyncio
        >>> answers = {"/v1/op/orders.list_assets": {"type": "FeatureCollection", "features": []},
        ...            "/v1/op/orders.coverage.get": {"orderId": "o-1", "status": "BEING_FULFILLED",
        ...                                          "coveredPercent": 40.0}}
        >>> async def send(call):
        ...     return call.parse(answers[call.path], {})
        >>> [(d.id, d.status, d.covered_percent) for d in asyncio.run(GeoperaAdapter().deliveries("o-1", send))]
        [('o-1-coverage', 'BEING_FULFILLED', 40.0)]
        """
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


def _empty_page(size: int) -> dict[str, Any]:
    """A page/size listing's page with no rows: the answer to a filter no Geopera row can match."""
    return {"content": [], "totalElements": 0, "totalPages": 0, "number": 0, "size": size}


def _body_filters(wire: Mapping[str, Any]) -> dict[str, str]:
    """Filter values as Geopera takes them: strings (a list comma-joined, an enum as its value)."""
    return {key: str(listed(value)) for key, value in wire.items()}


def parse_asset_item(item: Mapping[str, Any], order_id: str | None = None) -> m.Delivery:
    """One delivered STAC item of ``orders.list_assets``.

    Args:
        item: the STAC item's JSON object.
        order_id: the order asked about (used when the item's properties do not name one).

    Returns:
        Delivery: ``status`` DELIVERED, ``url`` the ``data`` asset's href (or of the asset whose roles
        include ``data``), ``acquired_at`` the STAC ``datetime`` (UTC), ``cloud_cover`` percent.

    >>> d = parse_asset_item({"type": "Feature", "id": "cap-1", "properties": {"datetime": "2030-03-02T00:10:00Z",
    ...     "eo:cloud_cover": 4.0}, "assets": {"data": {"href": "https://data.example/cap-1.tif"}}}, "o-1")
    >>> d.order_id, d.item_id, d.url, d.cloud_cover
    ('o-1', 'cap-1', 'https://data.example/cap-1.tif', 4.0)
    """
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
    """``orders.list_assets``: a STAC FeatureCollection (``features``; ``items``/``content`` read too).

    Args:
        payload: the answer's JSON (anything else reads as no items).
        order_id: the order asked about.

    Returns:
        list[Delivery]: one per STAC item (see :func:`parse_asset_item`); empty until FULFILLED.

    >>> [d.id for d in parse_assets({"type": "FeatureCollection", "features": [{"id": "cap-1"}]}, "o-1")]
    ['cap-1']
    """
    body = mapping(payload)
    rows = first(body, "features", "items", "content", default=[])
    return [parse_asset_item(r, order_id) for r in array(rows) if isinstance(r, Mapping)]
