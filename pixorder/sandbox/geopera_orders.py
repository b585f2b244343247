"""Geopera v1 sandbox state: orders, feasibility studies, quotations, templates, credit accounts.

Everything that reads or writes the store for Geopera lives here; :mod:`.geopera` is the HTTP layer.
Documents (provider ``geopera``): ``order``, ``study``, ``quotation``, ``template``, ``account``.
A document's ``body`` is what the API returns, minus keys starting with ``_`` (internal schedule and
index fields, stripped by :func:`public`).

Tasking life cycle (sandbox clock; ``t0`` = placement, see docs/geopera-wire.md for the shapes):

* ``CREATED`` → ``t0 + 5 min`` → ``BEING_PLACED`` with subStatus ``FEASIBILITY_WAITING_UPLOAD`` when
  a study is needed (large or high-latitude AOI, :func:`.geopera_catalog.feasibility_required`),
  else ``QUOTATION_WAITING_UPLOAD``;
* ``t0 + 6 h``: the study (2–3 options) or quotation appears → ``FEASIBILITY_WAITING_RESPONSE`` /
  ``QUOTATION_WAITING_RESPONSE``. Until then the study/quotation exists but is not listed;
* ``feasibility_decide`` → ``QUOTATION_WAITING_UPLOAD``; the quotation (the chosen option's price and
  window) appears 6 h later; a quotation expires 7 days after it appears (then decision ``EXPIRED``,
  order ``FAILED_PERMANENTLY``/``QUOTATION_EXPIRED``; deciding it answers 410);
* ``quotation_decide`` ACCEPTED debits the credits (402 when the balance is short) → ``PLACED``/
  ``QUOTATION_ACCEPTED`` → ``BEING_FULFILLED`` at the window start → ``FULFILLED`` at its end;
  REJECTED → ``FAILED_PERMANENTLY``/``QUOTATION_REJECTED``.

Archive orders debit their credits when placed → ``PLACED`` → ``t0 + 1 h`` ``BEING_FULFILLED`` →
``t0 + 24 h`` ``FULFILLED``. ``orders.cancel`` works before fulfilment starts (CREATED, BEING_PLACED,
PLACED), refunds what was debited and voids open studies/quotations (decision ``CANCELLED``).

Credits: every organisation starts with :data:`INITIAL_CREDITS`; the balance is the ``account``
document (read and set through ``/_sandbox/geopera/balance``).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import shapely

from . import geopera_catalog as catalog
from . import price_book
from .geometry import area_km2
from .store import Doc, Store
from .timeutil import iso, parse_iso

NAME = "geopera"
KIND_ORDER, KIND_STUDY, KIND_QUOTATION = "order", "study", "quotation"
KIND_TEMPLATE, KIND_ACCOUNT = "template", "account"

INITIAL_CREDITS = 1_000_000
PLACING_DELAY = timedelta(minutes=5)
UPLOAD_DELAY = timedelta(hours=6)
QUOTATION_TTL = timedelta(days=7)
ARCHIVE_FULFILMENT_START = timedelta(hours=1)
ARCHIVE_FULFILMENT = timedelta(hours=24)
HIDDEN = "UPLOADING"  # status column of a study/quotation that has not appeared yet
CANCELLABLE = ("CREATED", "BEING_PLACED", "PLACED")
FINAL = ("FULFILLED", "FAILED_PERMANENTLY")


class Refused(Exception):
    """A request the current state refuses: ``status`` is 402, 404, 409 or 410."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def new_id() -> str:
    return str(uuid.uuid4())


def public(body: dict[str, Any]) -> dict[str, Any]:
    """The wire form of a stored body: internal ``_`` keys removed."""
    return {key: value for key, value in body.items() if not key.startswith("_")}


def tag_index(tags: list[str]) -> str:
    # Tags are matched with the store's LIKE-based ``icontains`` on this delimited string, so a tag
    # filter is one indexed-free scan without parsing JSON arrays (and is case-insensitive).
    return "\x1f" + "\x1f".join(tags) + "\x1f" if tags else ""


# -- credits ------------------------------------------------------------------------------------


def balance(store: Store, org: str) -> int:
    doc = store.get(NAME, KIND_ACCOUNT, org)
    return int(doc.body["creditBalance"]) if doc else INITIAL_CREDITS


def set_balance(store: Store, org: str, credits: int, now: datetime) -> int:
    body = {"org": org, "creditBalance": int(credits), "updatedAt": iso(now)}
    store.put(Doc(NAME, KIND_ACCOUNT, org, body, org, iso(now)))
    return int(credits)


def debit(store: Store, org: str, credits: int, now: datetime, what: str) -> None:
    """Take ``credits`` from the org's balance (call inside a store transaction); 402 if short."""
    available = balance(store, org)
    if credits > available:
        raise Refused(402, f"Insufficient credits for {what}: {credits} needed, {available} available.")
    set_balance(store, org, available - credits, now)


# -- orders -------------------------------------------------------------------------------------


def _order_body(*, order_id: str, org: str, kind: str, name: str, workspace: str, product: str, tags: list[str],
                feature_collection: dict[str, Any], params: dict[str, Any], aud: float, credits: int,
                area: float, billed: float, now: datetime) -> dict[str, Any]:
    return {
        "id": order_id, "displayName": name, "workspaceId": workspace, "dataProductId": product, "type": kind,
        "status": "CREATED", "subStatus": None, "createdAt": iso(now), "updatedAt": iso(now), "tags": tags,
        "featureCollection": feature_collection, "params": params, "totalAud": aud, "credits": credits,
        "reservedCredits": 0, "areaKm2": round(area, 3),
        "billedAreaKm2": round(billed, 3), "_tags": tag_index(tags),
    }


def place_tasking(store: Store, org: str, request: catalog.TaskingRequest, *, name: str, workspace: str,
                  tags: list[str], now: datetime) -> str:
    """Store a tasking order and its not-yet-visible study or quotation; returns the order id."""
    quote = request.quote()
    order_id = new_id()
    body = _order_body(order_id=order_id, org=org, kind="TASKING", name=name, workspace=workspace,
                       product=request.sensor, tags=tags, feature_collection=request.feature_collection,
                       params=request.params, aud=quote["aud"], credits=quote["credits"], area=request.area_km2,
                       billed=quote["billable_km2"], now=now)
    needs_study, reason = catalog.feasibility_required(request.aoi, request.area_km2)
    appears = now + UPLOAD_DELAY
    body["_group"] = {"groupId": request.group_id, "sensor": request.sensor, "occurrences": request.occurrences,
                      "recurrence": request.recurrence}
    body["_feasibilityReason"] = reason
    with store.transaction():
        if needs_study:
            study_id = new_id()
            study = {"id": study_id, "orderId": order_id, "workspaceId": workspace, "decision": "NOT_DECIDED",
                     "createdAt": iso(appears), "options": catalog.feasibility_options(request, study_id),
                     "_appearsAt": iso(appears)}
            body["_next"] = "FEASIBILITY_WAITING_UPLOAD"
            store.insert(Doc(NAME, KIND_STUDY, study_id, study, org, iso(appears), HIDDEN, iso(appears)))
        else:
            body["_next"] = "QUOTATION_WAITING_UPLOAD"
            _new_quotation(store, org, body, quote["aud"], quote["credits"], request.start, request.end, now)
        body["_appearsAt"] = iso(appears)
        store.insert(Doc(NAME, KIND_ORDER, order_id, body, org, iso(now), "CREATED", iso(now + PLACING_DELAY)))
    return order_id


def _new_quotation(store: Store, org: str, order: dict[str, Any], aud: float, credits: int, start: datetime,
                   end: datetime, now: datetime) -> dict[str, Any]:
    appears = now + UPLOAD_DELAY
    quotation_id = new_id()
    quotation = {"id": quotation_id, "orderId": order["id"], "workspaceId": order["workspaceId"],
                 "decision": "NOT_DECIDED", "totalAud": aud, "credits": credits, "createdAt": iso(appears),
                 "expiresAt": iso(appears + QUOTATION_TTL), "startDate": iso(start), "endDate": iso(end)}
    store.insert(Doc(NAME, KIND_QUOTATION, quotation_id, quotation, org, iso(appears), HIDDEN, iso(appears)))
    order["_quotationAppearsAt"] = iso(appears)
    order["_expiresAt"] = quotation["expiresAt"]
    order["_window"] = [iso(start), iso(end)]
    return quotation


def place_archive(store: Store, org: str, captures: list[dict[str, Any]], *, name: str, workspace: str,
                  tags: list[str], now: datetime) -> str:
    """Store an archive order and debit its credits at once (402 when the balance is short)."""
    estimate = archive_estimate(captures, split_by_date=False)
    if estimate["errors"]:
        first = estimate["errors"][0]
        raise ValueError(f"captures[{first['index']}]: {first['detail']}")
    order_id = new_id()
    features = [{"type": "Feature", "id": str(c["id"]), "geometry": c["geometry"],
                 "properties": {k: v for k, v in c.items() if k not in ("id", "geometry")}} for c in captures]
    # The AOI's area counts each km² once (captures of one place overlap); what is billed is per capture.
    area = area_km2(shapely.union_all([catalog.parse_aoi(c["geometry"])[0] for c in captures]))
    billed = sum(g["billedAreaKm2"] for g in estimate["groups"])
    body = _order_body(order_id=order_id, org=org, kind="ARCHIVE", name=name, workspace=workspace, product="archive",
                       tags=tags, feature_collection={"type": "FeatureCollection", "features": features},
                       params={"captureIds": [str(c["id"]) for c in captures]}, aud=estimate["total_aud"],
                       credits=estimate["total_credits"], area=area, billed=billed, now=now)
    body.update(status="PLACED", reservedCredits=estimate["total_credits"])
    with store.transaction():
        debit(store, org, estimate["total_credits"], now, "this archive order")
        store.insert(Doc(NAME, KIND_ORDER, order_id, body, org, iso(now), "PLACED", iso(now + ARCHIVE_FULFILMENT_START)))
    return order_id


def archive_estimate(captures: list[Any], *, split_by_date: bool) -> dict[str, Any]:
    """ArchiveEstimateOutput: each capture billed at least the minimum area; bad captures in ``errors``."""
    groups: dict[str, dict[str, Any]] = {}
    errors = []
    for index, capture in enumerate(captures):
        capture_id = capture.get("id") if isinstance(capture, dict) else None
        try:
            if not isinstance(capture_id, (str, int)) or isinstance(capture_id, bool) or str(capture_id) == "":
                raise catalog.GroupError("A capture needs an 'id'.")
            aoi, _ = catalog.parse_aoi(capture.get("geometry"))
        except catalog.GroupError as exc:
            detail = str(exc).replace("featureCollection", "geometry")
            errors.append({"index": index, "captureId": capture_id, "detail": detail})
            continue
        quote = price_book.geopera_archive_quote(area_km2(aoi))
        day = _capture_day(capture) if split_by_date else "all"
        group = groups.setdefault(day, {"captureIds": [], "areaKm2": 0.0, "billedAreaKm2": 0.0, "totalAud": 0.0, "credits": 0})
        if split_by_date:
            group["date"] = day
        group["captureIds"].append(str(capture_id))
        group["areaKm2"] = round(group["areaKm2"] + quote["area_km2"], 3)
        group["billedAreaKm2"] = round(group["billedAreaKm2"] + quote["billable_km2"], 3)
        group["totalAud"] = round(group["totalAud"] + quote["aud"], 2)
        group["credits"] = catalog.credits_for(group["totalAud"])
    listed = [groups[key] for key in sorted(groups)]
    return {"groups": listed, "errors": errors, "total_aud": round(sum(g["totalAud"] for g in listed), 2),
            "total_credits": sum(g["credits"] for g in listed)}


def _capture_day(capture: dict[str, Any]) -> str:
    """The acquisition date of a capture (``datetime``/``acquired``/``acquisitionDate``), else "undated"."""
    properties: dict[str, Any] = capture["properties"] if isinstance(capture.get("properties"), dict) else {}
    for key in ("datetime", "acquired", "acquisitionDate", "date"):
        value = capture.get(key, properties.get(key))
        if isinstance(value, str):
            try:
                return parse_iso(value).date().isoformat()
            except ValueError:
                continue
    return "undated"


def get_order(store: Store, org: str, order_id: str) -> Doc:
    doc = store.get(NAME, KIND_ORDER, order_id, org=org)
    if doc is None:
        raise Refused(404, f"Order {order_id} not found.")
    return doc


def _touch(doc: Doc, status: str, sub: str | None, at: datetime, due: datetime | str | None) -> None:
    doc.status = status
    doc.body.update(status=status, subStatus=sub, updatedAt=iso(at))
    doc.due_at = iso(due) if isinstance(due, datetime) else due


def cancel(store: Store, org: str, order_id: str, now: datetime) -> dict[str, Any]:
    with store.transaction():
        doc = get_order(store, org, order_id)
        if doc.status not in CANCELLABLE:
            raise Refused(409, f"Order {order_id} is {doc.status}; it can only be cancelled before fulfilment "
                               f"starts ({', '.join(CANCELLABLE)}).")
        refund = int(doc.body.get("reservedCredits") or 0)
        refund_aud = doc.body["totalAud"] if refund else 0.0
        if refund:
            set_balance(store, org, balance(store, org) + refund, now)
        doc.body["reservedCredits"] = 0
        _touch(doc, "FAILED_PERMANENTLY", "CANCELLED", now, None)
        store.put(doc)
        for kind in (KIND_STUDY, KIND_QUOTATION):  # void what would otherwise wait in the inbox forever
            for pending in store.query(NAME, kind, org=org, where=[("orderId", "=", order_id), ("status", "in", [HIDDEN, "NOT_DECIDED"])]):
                pending.status, pending.due_at = "CANCELLED", None
                pending.body["decision"] = "CANCELLED"
                store.put(pending)
    return {"orderId": order_id, "status": "FAILED_PERMANENTLY", "subStatus": "CANCELLED",
            "refundedAud": refund_aud, "refundedCredits": refund}


def update_tags(store: Store, org: str, order_id: str, tags: list[str] | None, now: datetime) -> dict[str, Any]:
    with store.transaction():
        doc = get_order(store, org, order_id)
        merged = list(doc.body.get("tags") or [])
        merged += [tag for tag in dict.fromkeys(tags or []) if tag not in merged]
        doc.body.update(tags=merged, _tags=tag_index(merged), updatedAt=iso(now))
        store.put(doc)
    return public(doc.body)


# -- decisions ----------------------------------------------------------------------------------


def _visible(store: Store, org: str, kind: str, ident: str, what: str) -> Doc:
    doc = store.get(NAME, kind, ident, org=org)
    if doc is None or doc.status == HIDDEN:
        raise Refused(404, f"{what} {ident} not found.")
    return doc


def decide_feasibility(store: Store, org: str, study_id: str, option_id: str, now: datetime) -> dict[str, Any]:
    with store.transaction():
        study = _visible(store, org, KIND_STUDY, study_id, "Feasibility study")
        if study.body["decision"] != "NOT_DECIDED":
            raise Refused(409, f"Feasibility study {study_id} is already {study.body['decision']}.")
        option = next((o for o in study.body["options"] if o["id"] == option_id), None)
        if option is None:
            raise Refused(422, f"Option {option_id!r} is not an option of study {study_id}.")
        order = get_order(store, org, study.body["orderId"])
        if order.body.get("subStatus") != "FEASIBILITY_WAITING_RESPONSE":
            raise Refused(409, f"Order {order.id} is {order.status}/{order.body.get('subStatus')}; it awaits no feasibility decision.")
        study.status = "ACCEPTED"
        study.body.update(decision="ACCEPTED", acceptedOptionId=option_id, decidedAt=iso(now))
        store.put(study)
        quotation = _new_quotation(store, org, order.body, option["totalAud"], option["credits"],
                                   parse_iso(option["startDate"]), parse_iso(option["endDate"]), now)
        order.body.update(totalAud=quotation["totalAud"], credits=quotation["credits"])
        _touch(order, "BEING_PLACED", "QUOTATION_WAITING_UPLOAD", now, quotation["createdAt"])
        store.put(order)
    return public(study.body)


def decide_quotation(store: Store, org: str, quotation_id: str, decision: str, now: datetime) -> dict[str, Any]:
    with store.transaction():
        quotation = _visible(store, org, KIND_QUOTATION, quotation_id, "Quotation")
        if quotation.body["decision"] == "EXPIRED" or (
            quotation.body["decision"] == "NOT_DECIDED" and iso(now) >= quotation.body["expiresAt"]
        ):
            raise Refused(410, f"Quotation {quotation_id} expired at {quotation.body['expiresAt']}.")
        if quotation.body["decision"] != "NOT_DECIDED":
            raise Refused(409, f"Quotation {quotation_id} is already {quotation.body['decision']}.")
        order = get_order(store, org, quotation.body["orderId"])
        if decision == "ACCEPTED":
            debit(store, org, int(quotation.body["credits"]), now, f"quotation {quotation_id}")
            order.body.update(reservedCredits=int(quotation.body["credits"]), totalAud=quotation.body["totalAud"],
                              credits=quotation.body["credits"])
            # Due at the window start even if it has passed: the next step moves it on at once.
            _touch(order, "PLACED", "QUOTATION_ACCEPTED", now, quotation.body["startDate"])
        else:
            _touch(order, "FAILED_PERMANENTLY", "QUOTATION_REJECTED", now, None)
        quotation.status, quotation.due_at = decision, None
        quotation.body.update(decision=decision, decidedAt=iso(now))
        store.put(quotation)
        store.put(order)
    return public(quotation.body)


# -- life cycle -----------------------------------------------------------------------------------


def step(doc: Doc, now: datetime) -> Doc:
    """The core's stepper: apply every transition of ``doc`` due by ``now``."""
    steppers: dict[str, Callable[[Doc, datetime], bool]] = {
        KIND_ORDER: _step_order, KIND_STUDY: _step_study, KIND_QUOTATION: _step_quotation}
    stepper = steppers.get(doc.kind)
    while stepper is not None and doc.due_at is not None and doc.due_at <= iso(now):
        if not stepper(doc, parse_iso(doc.due_at)):
            doc.due_at = None
    return doc


def _step_order(doc: Doc, at: datetime) -> bool:
    """One transition at its due time ``at``; False when nothing is scheduled for this state."""
    body, status, sub = doc.body, doc.status, doc.body.get("subStatus")
    if body["type"] == "ARCHIVE":
        if status == "PLACED":
            _touch(doc, "BEING_FULFILLED", None, at, parse_iso(body["createdAt"]) + ARCHIVE_FULFILMENT)
        elif status == "BEING_FULFILLED":
            _fulfil(doc, at)
        else:
            return False
        return True
    if status == "CREATED":
        _touch(doc, "BEING_PLACED", body["_next"], at, body.get("_quotationAppearsAt") or body["_appearsAt"])
    elif sub == "FEASIBILITY_WAITING_UPLOAD":
        _touch(doc, "BEING_PLACED", "FEASIBILITY_WAITING_RESPONSE", at, None)
    elif sub == "QUOTATION_WAITING_UPLOAD":
        _touch(doc, "BEING_PLACED", "QUOTATION_WAITING_RESPONSE", at, body["_expiresAt"])
    elif sub == "QUOTATION_WAITING_RESPONSE":
        _touch(doc, "FAILED_PERMANENTLY", "QUOTATION_EXPIRED", at, None)
    elif status == "PLACED":
        _touch(doc, "BEING_FULFILLED", sub, at, body["_window"][1])
    elif status == "BEING_FULFILLED":
        _fulfil(doc, at)
    else:
        return False
    return True


def _fulfil(doc: Doc, at: datetime) -> None:
    _touch(doc, "FULFILLED", doc.body.get("subStatus"), at, None)
    doc.body["deliveredAt"] = iso(at)


def _step_study(doc: Doc, at: datetime) -> bool:
    if doc.status != HIDDEN:
        return False
    doc.status, doc.due_at = "NOT_DECIDED", None
    return True


def _step_quotation(doc: Doc, at: datetime) -> bool:
    if doc.status == HIDDEN:
        doc.status, doc.due_at = "NOT_DECIDED", doc.body["expiresAt"]
    elif doc.status == "NOT_DECIDED":
        doc.status, doc.due_at = "EXPIRED", None
        doc.body["decision"] = "EXPIRED"
    else:
        return False
    return True


# -- reads ----------------------------------------------------------------------------------------


def page_envelope(rows: list[dict[str, Any]], total: int, page: int, size: int) -> dict[str, Any]:
    return {"content": rows, "totalElements": total, "totalPages": math.ceil(total / size) if size else 0,
            "number": page, "size": size}


def coverage(doc: Doc, now: datetime) -> tuple[float, list[dict[str, Any]]]:
    """Fraction delivered and per-feature coverage of a tasking order at ``now``."""
    status = doc.status
    if status == "FULFILLED":
        fraction = 1.0
    elif status == "BEING_FULFILLED":
        start, end = (parse_iso(t) for t in doc.body["_window"])
        # Capture progresses with the window but is only complete at delivery.
        fraction = min(0.9, max(0.0, (now - start) / (end - start)))
    else:
        fraction = 0.0
    groups = []
    features = doc.body["featureCollection"]
    _, geoms = catalog.parse_aoi(features)
    for index, geom in enumerate(geoms):
        requested = round(area_km2(geom), 3)
        delivered = round(requested * fraction, 3)
        groups.append({"index": index, "requestedKm2": requested, "deliveredKm2": delivered,
                       "remainderKm2": round(requested - delivered, 3), "coveredPercent": round(fraction * 100, 1)})
    return fraction, groups


def stac_items(doc: Doc) -> list[dict[str, Any]]:
    """STAC items delivered for a FULFILLED order: one per archive capture or per tasking occurrence."""
    if doc.status != "FULFILLED":
        return []
    body = doc.body
    delivered = body.get("deliveredAt") or body["updatedAt"]
    aoi, geoms = catalog.parse_aoi(body["featureCollection"])
    items = []
    if body["type"] == "ARCHIVE":
        features = body["featureCollection"]["features"]
        units = [(feature.get("id") or f"{body['id']}-{n + 1}", geom, delivered)
                 for n, (feature, geom) in enumerate(zip(features, geoms))]
        sensor = {"id": "archive", "resolutionM": None}
    else:
        group = body.get("_group") or {}
        start = parse_iso(body["_window"][0])
        step_days = catalog.RECURRENCES.get(group.get("recurrence", "ONCE"), 0) or 1
        units = [(f"{body['id']}-{n + 1}", aoi, iso(start + timedelta(days=n * step_days, hours=2)))
                 for n in range(int(group.get("occurrences", 1)))]
        sensor = catalog.SENSORS_BY_ID.get(body["dataProductId"], {"id": body["dataProductId"], "resolutionM": None})
    for item_id, geom, when in units:
        href = f"https://sandbox.geopera.invalid/deliveries/{body['id']}/{item_id}"
        items.append({
            "type": "Feature", "stac_version": "1.0.0", "id": str(item_id), "collection": body["dataProductId"],
            "geometry": _mapping(geom), "bbox": list(geom.bounds),
            "properties": {"datetime": when, "orderId": body["id"], "constellation": sensor["id"],
                           "gsd": sensor.get("resolutionM")},
            "assets": {
                "data": {"href": f"{href}/image.tif", "type": "image/tiff; application=geotiff; profile=cloud-optimized",
                         "roles": ["data"], "title": "Ortho-rectified image"},
                "thumbnail": {"href": f"{href}/thumbnail.png", "type": "image/png", "roles": ["thumbnail"]},
            },
            "links": [],
        })
    return items


def _mapping(geom: Any) -> dict[str, Any]:
    from shapely.geometry import mapping

    return mapping(geom)


# -- seeding --------------------------------------------------------------------------------------


def seed_orders(store: Store, params: dict[str, Any], now: datetime) -> dict[str, Any]:
    """N finished orders (FULFILLED or FAILED_PERMANENTLY) spread over the past year; no due transitions."""
    count = int(params.get("count", 0))
    if not 0 < count <= 1_000_000:
        raise ValueError("count must be from 1 to 1000000")
    org = str(params.get("org") or "sandbox-org")
    workspace = str(params.get("workspaceId") or "default")
    sensors = [s["id"] for s in catalog.SENSORS]
    run = uuid.uuid4().hex[:8]
    docs = []
    for i in range(count):
        created = now - timedelta(days=365) + timedelta(seconds=i * 31_536_000 / count)
        archive = i % 4 == 0
        lon, lat = -120 + (i * 7.31) % 240, -50 + (i * 3.17) % 100
        ring = [[lon, lat], [lon + 0.05, lat], [lon + 0.05, lat + 0.05], [lon, lat + 0.05], [lon, lat]]
        fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                                                         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
        status, sub = ("FAILED_PERMANENTLY", "CANCELLED") if i % 5 == 3 else ("FULFILLED", None if archive else "QUOTATION_ACCEPTED")
        aud = round(25 * (12.0 if archive else 8.0 + i % 25), 2)
        tags = ["seed", f"batch-{i % 10}"]
        body = {
            "id": f"seed{run}-{i:07d}", "displayName": f"seeded order {i}", "workspaceId": workspace,
            "dataProductId": "archive" if archive else sensors[i % len(sensors)],
            "type": "ARCHIVE" if archive else "TASKING", "status": status, "subStatus": sub,
            "createdAt": iso(created), "updatedAt": iso(created + timedelta(days=1)), "tags": tags,
            "featureCollection": fc, "params": {}, "totalAud": aud, "credits": catalog.credits_for(aud),
            "reservedCredits": 0, "areaKm2": 25.0, "billedAreaKm2": 25.0, "_tags": tag_index(tags),
        }
        if status == "FULFILLED":
            body["deliveredAt"] = body["updatedAt"]
            if not archive:
                body["_window"] = [iso(created), body["updatedAt"]]
                body["_group"] = {"occurrences": 1, "recurrence": "ONCE"}
        docs.append(Doc(NAME, KIND_ORDER, str(body["id"]), body, org, str(body["createdAt"]), status, None))
    inserted = store.insert_many(docs)
    return {"inserted": inserted, "org": org}
