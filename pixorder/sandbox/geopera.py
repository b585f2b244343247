"""Geopera API v1 emulation, orders operations (sources: shared/api-docs/geopera-v1-orders-operations.txt,
geopera-openapi.json, shared/api-notes.md §3–4; output shapes fixed in docs/geopera-wire.md).

Calling convention: every ``orders.*`` operation of Geopera's OpenAPI is served at both
``POST /v1/op/{operation_id}`` and ``POST /v1/{resource}/{action}`` (dots → slashes, e.g.
``/v1/orders/tasking/estimate``) with a JSON body. Auth: ``Authorization: Bearer <key>`` or
``x-api-key: <key>`` (sandbox key ``gpra_sandbox_key``; ``<key>.<org>`` is another organisation).

Keys and scopes: a key carries OAuth-style scopes; the sandbox key has them all and
``gpra_sandbox_key-without-<scope>`` lacks one (see :mod:`.keys`). Each operation needs the
``x-required-scope`` of Geopera's official OpenAPI (:data:`REQUIRED_SCOPES`); without it → 403
``missing scope 'orders:write' for 'orders.archive.place'``. Key, scope and rate cap are checked
before the body is validated, as a gateway does. Caps per organisation (:mod:`.geopera_limits`):
60/min placement, 30/min other spend, 600/min the rest, 429 + ``Retry-After``; relaxed unless
switched on with ``POST /_sandbox/geopera/rate-limits``.

Errors are ``application/problem+json`` ``{type: "about:blank", title, status, detail}``: 401 (no or
bad key), 402 (credits short), 403 (missing scope), 404 (unknown operation or resource; another
organisation's resource is a 404 too), 409 (bad transition, Idempotency-Key reused with another
body), 410 (expired quotation), 429 (over a cap; injected faults too), 5xx (injected faults).
Request validation failures are FastAPI's 422
``{"detail": [{"loc", "msg", "type"}]}`` (HTTPValidationError): the typed inputs are pydantic mirrors
of Geopera's component schemas (:mod:`.geopera_models`); semantic checks of the free-form place
bodies use the same shape, ``loc`` pointing into the body.

Idempotency (spend operations: orders.place, orders.archive.place, orders.tasking.place,
orders.cancel, orders.tasking.feasibility_decide, orders.tasking.quotation_decide): the
``Idempotency-Key`` header is claimed per **(org, path, key)** (docs.geopera.com idempotency) and
kept 24 sandbox hours. The ``/v1/op/{operation_id}`` and ``/v1/{resource}/{action}`` forms of one
operation are two paths, so they do not share keys: a retry must use the path of the first call.
"Same body" means the same JSON value (key order and whitespace do not matter); the stored response
is replayed byte-for-byte; another body → 409. A request that fails (4xx) stores nothing, so it may
be retried.

Life cycles, credits and seeding: :mod:`.geopera_orders`. Sensors, pricing and feasibility:
:mod:`.geopera_catalog`. Sandbox-only admin: ``GET /_sandbox/geopera/balance?org=`` and
``POST /_sandbox/geopera/balance {"org", "credits"}`` (each org starts with 1,000,000 credits);
``GET/POST /_sandbox/geopera/rate-limits``.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, Body, Depends, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

from . import geopera_catalog as catalog
from . import geopera_limits as limits
from . import geopera_models as wire
from . import geopera_orders as orders
from . import rate_switch
from .idempotency import IdempotencyConflict, StoredResponse
from .keys import DEFAULT_ORG, KeyGrant, key_grant
from .registry import ProviderSpec
from .state import SandboxState
from .store import Doc
from .timeutil import iso
from .web import ApiError, FastJSONRoute

NAME = "geopera"
PROBLEM = "application/problem+json"
TAG = "Geopera v1 orders"
MAX_GROUPS = 100
MAX_PAGE_SIZE = 1000
MAX_PAGE = 10**9  # keeps page × size within SQLite's 64-bit OFFSET
SORT_FIELDS = {"createdAt": "created_at", "updatedAt": "updatedAt", "displayName": "displayName", "status": "status"}


# ---------------------------------------------------------------------------------------------
# errors and auth
# ---------------------------------------------------------------------------------------------


def problem_body(status: int, detail: str) -> dict[str, Any]:
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    return {"type": "about:blank", "title": title, "status": status, "detail": detail}


def error(status: int, message: str) -> ApiError:
    """Geopera's problem+json error (also used by the core for faults and unknown paths)."""
    return ApiError(status, problem_body(status, message), media_type=PROBLEM)


def invalid(loc: list[str | int], message: str, kind: str = "value_error") -> ApiError:
    """A 422 in FastAPI's HTTPValidationError shape, for checks the input schema cannot express."""
    return ApiError(422, {"detail": [{"loc": ["body", *loc], "msg": message, "type": kind}]})


def _validation_error(exc: Exception) -> ApiError:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return ApiError(422, {"detail": [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in errors]})


def _refused(exc: orders.Refused) -> ApiError:
    if exc.status == 422:
        return invalid([], exc.detail)
    return error(exc.status, exc.detail)


_bearer = HTTPBearer(auto_error=False, description="A gpra_ API key (sandbox: gpra_sandbox_key).")


def _grant(credentials: HTTPAuthorizationCredentials | None, x_api_key: str | None) -> KeyGrant:
    """The caller's key grant (organisation and missing scopes); 401 problem otherwise."""
    key = credentials.credentials if credentials else x_api_key
    if not key:
        raise ApiError(401, problem_body(401, "Missing credentials: send 'Authorization: Bearer <API key>'."),
                       headers={"WWW-Authenticate": "Bearer"}, media_type=PROBLEM)
    grant = key_grant(NAME, key)
    if grant is None:
        raise ApiError(401, problem_body(401, "Invalid API key."), headers={"WWW-Authenticate": "Bearer"},
                       media_type=PROBLEM)
    return grant


async def authenticate(
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    x_api_key: str | None = Header(None, description="The API key, as the Geopera CLI sends it."),
) -> str:
    """The organisation of the caller's key; 401 problem otherwise."""
    return _grant(credentials, x_api_key).org


def _guard(op: Operation, caps: limits.Caps) -> Callable[..., Awaitable[str]]:
    """A dependency that runs before the body is validated, as Geopera's gateway does: 401 for a bad
    key, 403 naming the missing scope, 429 over the organisation's cap; returns the organisation."""
    tier = limits.tier(op.id, op.spend)

    async def guard(  # async: FastAPI runs a plain function in its thread pool
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
        x_api_key: str | None = Header(None, description="The API key, as the Geopera CLI sends it."),
    ) -> str:
        grant = _grant(credentials, x_api_key)
        if not grant.has(op.scope):
            raise error(403, f"missing scope '{op.scope}' for '{op.id}'")
        try:
            caps.check(grant.org, tier)
        except limits.CapExceeded as exc:
            raise ApiError(429, problem_body(429, str(exc)), headers={"Retry-After": str(exc.retry_after)},
                           media_type=PROBLEM) from None
        return grant.org

    return guard


# ---------------------------------------------------------------------------------------------
# operations
# ---------------------------------------------------------------------------------------------


@dataclass
class Ctx:
    state: SandboxState
    org: str
    now: datetime

    @property
    def store(self) -> Any:
        return self.state.store


Handler = Callable[[Ctx, Any], Any]


@dataclass
class Operation:
    id: str
    input: Any  # a pydantic model, or None for a free-form object body
    handler: Handler
    summary: str
    output: type[BaseModel] | None = None
    status: int = 200
    spend: bool = False

    @property
    def scope(self) -> str:
        return REQUIRED_SCOPES[self.id]


# Each operation's ``x-required-scope`` in Geopera's official OpenAPI (shared/api-docs/geopera-openapi.json).
REQUIRED_SCOPES: dict[str, str] = {
    "orders.archive.estimate": "orders:read", "orders.archive.place": "orders:write",
    "orders.cancel": "orders:write", "orders.coverage.get": "orders:read",
    "orders.coverage.groups.list": "orders:read", "orders.estimate": "items:read", "orders.get": "orders:read",
    "orders.get_schema": "items:read", "orders.list": "orders:read", "orders.list_assets": "items:read",
    "orders.place": "orders:write", "orders.tasking.decisions.pending": "orders:read",
    "orders.tasking.estimate": "orders:read", "orders.tasking.feasibility_check": "orders:read",
    "orders.tasking.feasibility_decide": "orders:write", "orders.tasking.feasibility_studies.list": "orders:read",
    "orders.tasking.groups.list": "admin:read", "orders.tasking.opportunities_list": "orders:read",
    "orders.tasking.place": "orders:write", "orders.tasking.quotation_decide": "orders:write",
    "orders.tasking.quotations.list": "orders:read", "orders.tasking.sensors": "orders:read",
    "orders.tasking.templates.delete": "orders:write", "orders.tasking.templates.list": "orders:read",
    "orders.tasking.templates.save": "orders:write", "orders.update": "orders:write",
}


def _page_args(page: int, size: int) -> tuple[int, int]:
    if not 0 <= page <= MAX_PAGE:
        raise invalid(["page"], f"Input should be from 0 to {MAX_PAGE}", "value_error")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise invalid(["size"], f"Input should be from 1 to {MAX_PAGE_SIZE}", "value_error")
    return page, size


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _order_json(doc: Doc) -> dict[str, Any]:
    return orders.public(doc.body)


def _workspace(body: dict[str, Any]) -> str:
    workspace = body.get("workspaceId", "default")
    if not isinstance(workspace, str) or not workspace:
        raise invalid(["workspaceId"], "Input should be a non-empty string", "string_type")
    return workspace


def _name_and_tags(body: dict[str, Any]) -> tuple[str, list[str]]:
    name = body.get("displayName") or ""
    if not isinstance(name, str):
        raise invalid(["displayName"], "Input should be a valid string", "string_type")
    tags = body.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise invalid(["tags"], "Input should be a list of strings", "list_type")
    return name, list(dict.fromkeys(tags))


# -- pricing and catalogue --------------------------------------------------------------------


def op_sensors(ctx: Ctx, body: wire.TaskingSensorsInput) -> dict[str, Any]:
    return {"sensors": [catalog.sensor_json(sensor) for sensor in catalog.SENSORS]}


def op_tasking_estimate(ctx: Ctx, body: wire.TaskingEstimateInput) -> dict[str, Any]:
    if len(body.groups) > MAX_GROUPS:
        raise error(400, f"At most {MAX_GROUPS} groups per call; got {len(body.groups)}.")
    return catalog.estimate_groups(body.groups, ctx.now)


def op_estimate(ctx: Ctx, body: wire.EstimateInput) -> dict[str, Any]:
    group = {"groupId": "g0", "sensor": body.dataProduct, "featureCollection": body.featureCollection,
             "params": body.params}
    return catalog.estimate_groups([group], ctx.now)


def op_archive_estimate(ctx: Ctx, body: wire.ArchiveEstimateInput) -> dict[str, Any]:
    if len(body.captures) > 500:
        raise error(400, "At most 500 captures per call.")
    return orders.archive_estimate(body.captures, split_by_date=bool(body.splitByDate))


def _check_request(ctx: Ctx, body: wire.FeasibilityCheckInput) -> catalog.TaskingRequest:
    if body.dataProduct not in catalog.SENSORS_BY_ID:
        raise error(404, f"Data product {body.dataProduct!r} not found; see orders.tasking.sensors.")
    group = {"featureCollection": body.featureCollection, "params": body.params or {}}
    try:
        return catalog.parse_group(group, 0, ctx.now, sensor=body.dataProduct)
    except catalog.GroupError as exc:
        raise invalid(exc.loc, str(exc)) from None


def op_feasibility_check(ctx: Ctx, body: wire.FeasibilityCheckInput) -> dict[str, Any]:
    request = _check_request(ctx, body)
    _, geoms = catalog.parse_aoi(request.feature_collection)
    features = []
    for index, geom in enumerate(geoms):
        required, reason = catalog.feasibility_required(geom)
        features.append({"index": index, "feasibilityRequired": required, "reason": reason})
    return {"dataProduct": body.dataProduct, "features": features}


def op_opportunities(ctx: Ctx, body: wire.FeasibilityCheckInput) -> dict[str, Any]:
    request = _check_request(ctx, body)
    return {"dataProduct": body.dataProduct, "opportunities": catalog.opportunities(request)}


def op_get_schema(ctx: Ctx, body: wire.OrderSchemaInput) -> dict[str, Any]:
    if body.data_product_id == "archive":
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Archive order parameters",
                "type": "object", "properties": {"captureIds": {"type": "array", "items": {"type": "string"}}}}
    if body.data_product_id not in catalog.SENSORS_BY_ID:
        raise error(404, f"Data product {body.data_product_id!r} not found.")
    return catalog.params_schema(body.data_product_id)


# -- placing --------------------------------------------------------------------------------------


def _place_tasking_group(ctx: Ctx, group: dict[str, Any], *, name: str, workspace: str, tags: list[str],
                         loc: list[str | int]) -> str:
    try:
        request = catalog.parse_group(group, 0, ctx.now)
    except catalog.GroupError as exc:
        raise invalid([*loc, *exc.loc], str(exc)) from None
    return orders.place_tasking(ctx.store, ctx.org, request, name=name, workspace=workspace, tags=tags, now=ctx.now)


def op_tasking_place(ctx: Ctx, body: dict[str, Any] | None) -> dict[str, Any]:
    body = body or {}
    name, tags = _name_and_tags(body)
    order_id = _place_tasking_group(ctx, body, name=name, workspace=_workspace(body), tags=tags, loc=[])
    return {"results": [{"index": 0, "id": order_id}], "errors": []}


def op_archive_place(ctx: Ctx, body: dict[str, Any] | None) -> dict[str, Any]:
    body = body or {}
    name, tags = _name_and_tags(body)
    workspace = _workspace(body)
    captures = body.get("captures")
    if not isinstance(captures, list) or not captures:
        raise invalid(["captures"], "captures must be a non-empty list of {id, geometry}", "list_type")
    estimate = orders.archive_estimate(captures, split_by_date=False)
    if estimate["errors"]:
        first = estimate["errors"][0]
        raise invalid(["captures", first["index"]], first["detail"])
    try:
        order_id = orders.place_archive(ctx.store, ctx.org, captures, name=name, workspace=workspace, tags=tags, now=ctx.now)
    except orders.Refused as exc:
        raise _refused(exc) from None
    return {"results": [{"index": 0, "id": order_id}], "errors": []}


def op_place(ctx: Ctx, body: wire.OrderPlaceInput) -> dict[str, Any]:
    """One order per feature (UP42 v2 style); a feature that fails is reported in ``errors``."""
    product = body.dataProduct
    if product != "archive" and product not in catalog.SENSORS_BY_ID:
        raise invalid(["dataProduct"], f"Unknown data product {product!r}; use a sensor id or 'archive'.")
    features = body.featureCollection.get("features") if body.featureCollection.get("type") == "FeatureCollection" else None
    if not isinstance(features, list) or not features:
        raise invalid(["featureCollection"], "featureCollection must be a FeatureCollection with at least one feature.")
    tags = list(dict.fromkeys(body.tags or []))
    results, errors = [], []
    for index, feature in enumerate(features):
        single = {"type": "FeatureCollection", "features": [feature]}
        try:
            if not isinstance(feature, dict):
                raise catalog.GroupError("A feature must be a GeoJSON Feature object.")
            if product == "archive":
                capture_id = (feature.get("properties") or {}).get("id") or feature.get("id") or body.params.get("id")
                capture = {"id": capture_id, "geometry": feature.get("geometry")}
                order_id = orders.place_archive(ctx.store, ctx.org, [capture], name=body.displayName,
                                                workspace=body.workspaceId, tags=tags, now=ctx.now)
            else:
                request = catalog.parse_group({"sensor": product, "featureCollection": single, "params": body.params},
                                              index, ctx.now)
                order_id = orders.place_tasking(ctx.store, ctx.org, request, name=body.displayName,
                                                workspace=body.workspaceId, tags=tags, now=ctx.now)
        except (catalog.GroupError, ValueError) as exc:
            errors.append({"index": index, "detail": str(exc)})
            continue
        except orders.Refused as exc:
            errors.append({"index": index, "detail": exc.detail, "status": exc.status})
            continue
        results.append({"index": index, "id": order_id})
    return {"results": results, "errors": errors}


# -- orders -----------------------------------------------------------------------------------------


def _order(ctx: Ctx, order_id: str) -> Doc:
    try:
        return orders.get_order(ctx.store, ctx.org, order_id)
    except orders.Refused as exc:
        raise _refused(exc) from None


def op_get(ctx: Ctx, body: wire.OrderGetInput) -> dict[str, Any]:
    return _order_json(_order(ctx, body.order_id))


def op_list(ctx: Ctx, body: wire.OrdersListInput) -> dict[str, Any]:
    page, size = _page_args(body.page, body.size)
    where: list[tuple[str, str, Any]] = []
    for field, value in (("workspaceId", body.workspaceId), ("type", body.type), ("subStatus", body.subStatus)):
        if value:
            where.append((field, "in", _csv(value)))
    if body.status:
        where.append(("status", "in", _csv(body.status)))
    if body.displayName:
        where.append(("displayName", "icontains", body.displayName))
    if body.dataProductIds:
        where.append(("dataProductId", "in", _csv(body.dataProductIds)))
    if body.orderIds:
        where.append(("id", "in", _csv(body.orderIds)))
    for tag in _csv(body.tags):  # every listed tag must be held (case-insensitive)
        where.append(("_tags", "icontains", f"\x1f{tag}\x1f"))
    field, _, direction = body.sort.partition(",")
    if field not in SORT_FIELDS or direction.lower() not in ("", "asc", "desc"):
        raise invalid(["sort"], f"sort must be '<field>,asc|desc' with field one of {', '.join(SORT_FIELDS)}")
    order_by = [(SORT_FIELDS[field], direction.lower() != "asc")]
    total = ctx.store.count(NAME, orders.KIND_ORDER, org=ctx.org, where=where)
    docs = ctx.store.query(NAME, orders.KIND_ORDER, org=ctx.org, where=where, order_by=order_by, limit=size,
                           offset=page * size)
    return orders.page_envelope([_order_json(d) for d in docs], total, page, size)


def op_update(ctx: Ctx, body: wire.OrderUpdateInput) -> dict[str, Any]:
    try:
        return orders.update_tags(ctx.store, ctx.org, body.order_id, body.tags, ctx.now)
    except orders.Refused as exc:
        raise _refused(exc) from None


def op_cancel(ctx: Ctx, body: wire.OrderCancelInput) -> dict[str, Any]:
    try:
        return orders.cancel(ctx.store, ctx.org, body.order_id, ctx.now)
    except orders.Refused as exc:
        raise _refused(exc) from None


def op_list_assets(ctx: Ctx, body: wire.OrderAssetsInput) -> dict[str, Any]:
    items = orders.stac_items(_order(ctx, body.order_id))
    return {"type": "FeatureCollection", "features": items, "numberReturned": len(items)}


def _tasking_order(ctx: Ctx, order_id: str) -> Doc:
    doc = _order(ctx, order_id)
    if doc.body["type"] != "TASKING":
        raise error(409, f"Order {order_id} is an archive order; coverage applies to tasking orders.")
    return doc


def op_coverage(ctx: Ctx, body: wire.CoverageInput) -> dict[str, Any]:
    doc = _tasking_order(ctx, body.order_id)
    fraction, groups = orders.coverage(doc, ctx.now)
    requested = round(sum(g["requestedKm2"] for g in groups), 3)
    covered = round(sum(g["deliveredKm2"] for g in groups), 3)
    return {"orderId": doc.id, "status": doc.status, "requestedKm2": requested, "coveredKm2": covered,
            "remainderKm2": round(requested - covered, 3), "coveredPercent": round(fraction * 100, 1)}


def op_coverage_groups(ctx: Ctx, body: wire.CoverageInput) -> dict[str, Any]:
    doc = _tasking_order(ctx, body.order_id)
    _, groups = orders.coverage(doc, ctx.now)
    return {"orderId": doc.id, "groups": groups}


def op_tasking_groups(ctx: Ctx, body: wire.TaskingGroupsInput) -> dict[str, Any]:
    doc = _order(ctx, body.order_id)
    if doc.body["type"] != "TASKING":
        return {"orderId": doc.id, "groups": []}
    group = doc.body.get("_group") or {}
    return {"orderId": doc.id, "groups": [{
        "groupId": group.get("groupId", "g0"), "sensor": doc.body["dataProductId"], "status": doc.status,
        "subStatus": doc.body.get("subStatus"), "areaKm2": doc.body.get("areaKm2"), "params": doc.body["params"],
        "totalAud": doc.body["totalAud"], "credits": doc.body["credits"]}]}


# -- feasibility studies, quotations, decisions ---------------------------------------------------


def _listing(ctx: Ctx, kind: str, body: wire.StudiesListInput) -> dict[str, Any]:
    page, size = _page_args(body.page, body.size)
    where: list[tuple[str, str, Any]] = [("status", "!=", orders.HIDDEN)]
    for field, value in (("id", body.id), ("workspaceId", body.workspaceId), ("orderId", body.orderId),
                         ("decision", body.decision)):
        if value:
            where.append((field, "in", _csv(value)))
    total = ctx.store.count(NAME, kind, org=ctx.org, where=where)
    docs = ctx.store.query(NAME, kind, org=ctx.org, where=where, order_by=[("created_at", True)], limit=size,
                           offset=page * size)
    return orders.page_envelope([orders.public(d.body) for d in docs], total, page, size)


def op_studies(ctx: Ctx, body: wire.StudiesListInput) -> dict[str, Any]:
    return _listing(ctx, orders.KIND_STUDY, body)


def op_quotations(ctx: Ctx, body: wire.StudiesListInput) -> dict[str, Any]:
    return _listing(ctx, orders.KIND_QUOTATION, body)


def op_pending(ctx: Ctx, body: wire.DecisionsPendingInput) -> dict[str, Any]:
    page, size = _page_args(body.page, body.size)
    kinds = {k.upper() for k in _csv(body.kinds)} or {"FEASIBILITY", "QUOTATION"}
    unknown = kinds - {"FEASIBILITY", "QUOTATION"}
    if unknown:
        raise invalid(["kinds"], "kinds is a comma list of FEASIBILITY and QUOTATION")
    where: list[tuple[str, str, Any]] = [("status", "=", "NOT_DECIDED")]
    if body.workspaceId:
        where.append(("workspaceId", "=", body.workspaceId))
    rows = []
    for label, kind in (("FEASIBILITY", orders.KIND_STUDY), ("QUOTATION", orders.KIND_QUOTATION)):
        if label in kinds:
            rows += [{"kind": label, **orders.public(d.body)} for d in ctx.store.query(NAME, kind, org=ctx.org, where=where)]
    rows.sort(key=lambda row: (row["createdAt"], row["id"]))  # oldest first: the inbox works through a queue
    return orders.page_envelope(rows[page * size:(page + 1) * size], len(rows), page, size)


def op_feasibility_decide(ctx: Ctx, body: wire.FeasibilityDecideInput) -> dict[str, Any]:
    try:
        return orders.decide_feasibility(ctx.store, ctx.org, body.study_id, body.acceptedOptionId, ctx.now)
    except orders.Refused as exc:
        if exc.status == 422:
            raise invalid(["acceptedOptionId"], exc.detail) from None
        raise _refused(exc) from None


def op_quotation_decide(ctx: Ctx, body: wire.QuotationDecideInput) -> dict[str, Any]:
    try:
        return orders.decide_quotation(ctx.store, ctx.org, body.quotation_id, body.decision, ctx.now)
    except orders.Refused as exc:
        raise _refused(exc) from None


# -- templates --------------------------------------------------------------------------------------


def op_template_save(ctx: Ctx, body: wire.TemplateSaveInput) -> dict[str, Any]:
    template = {"id": orders.new_id(), **body.model_dump(), "createdAt": iso(ctx.now), "deleted": False}
    ctx.store.insert(Doc(NAME, orders.KIND_TEMPLATE, template["id"], template, ctx.org, iso(ctx.now), "ACTIVE"))
    return template


def op_template_list(ctx: Ctx, body: wire.TemplateListInput) -> dict[str, Any]:
    docs = ctx.store.query(NAME, orders.KIND_TEMPLATE, org=ctx.org, where=[("status", "=", "ACTIVE")])
    return {"templates": [d.body for d in docs]}


def op_template_delete(ctx: Ctx, body: wire.TemplateDeleteInput) -> dict[str, Any]:
    with ctx.store.transaction():
        doc = ctx.store.get(NAME, orders.KIND_TEMPLATE, body.template_id, org=ctx.org)
        if doc is None or doc.status != "ACTIVE":
            raise error(404, f"Template {body.template_id} not found.")
        doc.status = "DELETED"
        doc.body.update(deleted=True, deletedAt=iso(ctx.now))  # soft delete: kept, no longer listed
        ctx.store.put(doc)
    return {"template_id": doc.id, "deleted": True}


OPERATIONS: list[Operation] = [
    Operation("orders.archive.estimate", wire.ArchiveEstimateInput, op_archive_estimate,
              "Preview the server-authoritative AOI price for a cart of archive captures.", wire.ArchiveEstimateOutput),
    Operation("orders.archive.place", None, op_archive_place, "Invoke Archive Place.", status=202, spend=True),
    Operation("orders.cancel", wire.OrderCancelInput, op_cancel,
              "Cancel an order (policy-gated), refunding/voiding its reservation.", wire.OrderCancelOutput, spend=True),
    Operation("orders.coverage.get", wire.CoverageInput, op_coverage,
              "Covered-vs-remainder coverage for a fulfilled/fulfilling tasking order."),
    Operation("orders.coverage.groups.list", wire.CoverageInput, op_coverage_groups,
              "Per-AOI delivered-vs-requested coverage for a tasking order (any status)."),
    Operation("orders.estimate", wire.EstimateInput, op_estimate,
              "Price-preview an order without committing (provider-compatible)."),
    Operation("orders.get", wire.OrderGetInput, op_get, "Get a single order (org-scoped)."),
    Operation("orders.get_schema", wire.OrderSchemaInput, op_get_schema,
              "Get the dynamic order-form schema for a data product (reference)."),
    Operation("orders.list", wire.OrdersListInput, op_list, "List the org's orders (filtered, paged, provider-compatible)."),
    Operation("orders.list_assets", wire.OrderAssetsInput, op_list_assets,
              "List the items + assets delivered for an order (STAC FeatureCollection)."),
    Operation("orders.place", wire.OrderPlaceInput, op_place,
              "Place order(s) from a FeatureCollection (archive reserves; tasking queues feasibility).",
              wire.OrderPlaceOutput, spend=True),
    Operation("orders.tasking.decisions.pending", wire.DecisionsPendingInput, op_pending,
              "Unified inbox of the org's pending tasking decisions (feasibility + quotation)."),
    Operation("orders.tasking.estimate", wire.TaskingEstimateInput, op_tasking_estimate,
              "Preview the server-authoritative price for an AOI-priced tasking request.", wire.TaskingEstimateOutput),
    Operation("orders.tasking.feasibility_check", wire.FeasibilityCheckInput, op_feasibility_check,
              "Predict whether a tasking order needs a feasibility study (per-feature)."),
    Operation("orders.tasking.feasibility_decide", wire.FeasibilityDecideInput, op_feasibility_decide,
              "Accept a feasibility-study option (one-step priced accept reserves/post-pays).", spend=True),
    Operation("orders.tasking.feasibility_studies.list", wire.StudiesListInput, op_studies,
              "List the org's feasibility studies (+ their options, paged)."),
    Operation("orders.tasking.groups.list", wire.TaskingGroupsInput, op_tasking_groups,
              "List an order's tasking groups."),
    Operation("orders.tasking.opportunities_list", wire.FeasibilityCheckInput, op_opportunities,
              "Predicted satellite passes for a tasking AOI (manual-feasibility: empty)."),
    Operation("orders.tasking.place", None, op_tasking_place, "Invoke Tasking Place.", status=202, spend=True),
    Operation("orders.tasking.quotation_decide", wire.QuotationDecideInput, op_quotation_decide,
              "Accept or reject a tasking quotation (accept reserves/post-pays).", spend=True),
    Operation("orders.tasking.quotations.list", wire.StudiesListInput, op_quotations,
              "List the org's tasking quotations (paged)."),
    Operation("orders.tasking.sensors", wire.TaskingSensorsInput, op_sensors,
              "List the tasking sensor catalog (ids, resolution, bands, pricing inputs).", wire.TaskingSensorsOutput),
    Operation("orders.tasking.templates.delete", wire.TemplateDeleteInput, op_template_delete,
              "Soft-delete a tasking template (org-scoped).", wire.TemplateDeleteOutput),
    Operation("orders.tasking.templates.list", wire.TemplateListInput, op_template_list,
              "List the caller organization's active tasking templates.", wire.TemplateListOutput),
    Operation("orders.tasking.templates.save", wire.TemplateSaveInput, op_template_save,
              "Save a reusable tasking acquisition template for the caller's organization.", wire.TemplateSaveOutput),
    Operation("orders.update", wire.OrderUpdateInput, op_update,
              "Patch an order's tags (metadata only; provider merge-patch).", wire.OrderUpdateOutput),
]


# ---------------------------------------------------------------------------------------------
# router
# ---------------------------------------------------------------------------------------------


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _canonical(raw: bytes) -> bytes:
    """The body as a canonical JSON text, so key order and whitespace do not make another request."""
    try:
        return json.dumps(json.loads(raw or b"null"), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        return raw


def _responses(op: Operation) -> dict[int | str, dict[str, Any]]:
    responses: dict[int | str, dict[str, Any]] = {}
    if op.output is not None:
        responses[op.status] = {"model": op.output}
    problems = [401, 403, 404, 429, 500] + ([402, 409, 410] if op.spend else [])
    for status in problems:
        responses[status] = {"model": wire.Problem, "description": HTTPStatus(status).phrase,
                             "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    return responses


def _endpoint(state: SandboxState, op: Operation, caps: limits.Caps) -> Callable[..., Any]:
    async def endpoint(request: Request, org: str, body: Any = None, idempotency_key: str | None = None) -> Response:
        ctx = Ctx(state, org, state.clock.now())

        def execute() -> StoredResponse:
            return StoredResponse(op.status, _dumps(op.handler(ctx, body)))

        if op.spend and idempotency_key:
            raw = _canonical(await request.body())  # FastAPI has read and cached the body already
            try:
                # Keys are scoped per (org, path, key): each path form of an operation has its own.
                stored = await state.idempotency.run_async(org, request.url.path, idempotency_key, raw, execute)
            except IdempotencyConflict as exc:
                raise error(409, str(exc)) from None
        else:
            stored = execute()
        return Response(stored.body, stored.status, media_type=stored.media_type)

    parameters = [
        inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
        inspect.Parameter("org", inspect.Parameter.KEYWORD_ONLY, default=Depends(_guard(op, caps)), annotation=str),
    ]
    if op.input is None:  # Geopera declares these bodies as a free-form object (or null)
        parameters.append(inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, default=Body(None),
                                            annotation=dict[str, Any] | None))
    else:
        parameters.append(inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, default=Body(...), annotation=op.input))
    if op.spend:
        header = Header(None, alias="Idempotency-Key",
                        description="One UUID per logical operation; retries with the same body replay the response (24 h).")
        parameters.append(inspect.Parameter("idempotency_key", inspect.Parameter.KEYWORD_ONLY, default=header,
                                            annotation=str | None))
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = op.id.replace(".", "_")
    return endpoint


def build_router(state: SandboxState) -> APIRouter:
    router = APIRouter(tags=[TAG], route_class=FastJSONRoute)
    caps = limits.Caps(state.store)
    for op in OPERATIONS:
        endpoint = _endpoint(state, op, caps)
        common: dict[str, Any] = {"methods": ["POST"], "status_code": op.status, "summary": op.summary, "responses": _responses(op),
                  "openapi_extra": {"x-required-scope": op.scope},
                  "response_class": JSONResponse}
        router.add_api_route(f"/v1/op/{op.id}", endpoint, operation_id=op.id, **common)
        router.add_api_route("/v1/" + op.id.replace(".", "/"), endpoint, operation_id=f"{op.id}:resource",
                             **{**common, "summary": f"{op.summary} (resource path)"})

    @router.post("/v1/op/{operation_id}", include_in_schema=False)
    async def unknown_operation(operation_id: str) -> Response:
        raise error(404, f"Unknown operation {operation_id!r}.")

    admin = APIRouter(prefix="/_sandbox/geopera", tags=["sandbox admin (not part of any provider API; no auth)"])

    @admin.get("/balance", summary="Geopera credit balance of an organisation")
    def get_balance(org: str = DEFAULT_ORG) -> dict[str, Any]:
        return {"org": org, "creditBalance": orders.balance(state.store, org)}

    @admin.post("/balance", summary="Set the Geopera credit balance of an organisation (e.g. to test 402)")
    def set_balance(body: dict[str, Any] = Body(..., examples=[{"org": DEFAULT_ORG, "credits": 100}])) -> dict[str, Any]:
        org = str(body.get("org") or DEFAULT_ORG)
        credits = body.get("credits")
        if isinstance(credits, bool) or not isinstance(credits, int) or credits < 0:
            raise error(400, "credits must be a non-negative integer")
        return {"org": org, "creditBalance": orders.set_balance(state.store, org, credits, state.clock.now())}

    rate_switch.add_routes(admin, caps, read="Geopera's per-organisation caps (off by default)",
                           switch="Switch Geopera's caps on or off (optionally lower them)",
                           example={"enabled": True, "placement_per_minute": 60})

    router.include_router(admin)
    return router


def _seed(state: SandboxState, params: dict[str, Any]) -> dict[str, Any]:
    return orders.seed_orders(state.store, params, state.clock.now())


PROVIDER = ProviderSpec(
    name=NAME,
    build_router=build_router,
    error=error,
    validation_error=_validation_error,
    stepper=orders.step,
    seeders={"orders": _seed},
)
