"""The Planet router: auth and rate limits, then one thin handler per endpoint; the plug-in spec."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from .. import rate_switch
from ..clock import Stepper
from ..keys import KeyGrant, key_grant
from ..registry import ProviderSpec
from ..state import SandboxState
from ..store import Doc
from ..web import ApiError, bearer_or_raw
from . import bulk, listing, windows
from .catalog import (
    BASE,
    BULK_PRICING_MAX,
    KIND_BULK,
    KIND_CAPTURE,
    NAME,
    ORDER_TYPES,
    SCHEDULING_TYPES,
    products_listing,
)
from .errors import FieldErrors, NotPermitted, error, json_body, validation_error
from .lifecycle import apply_edit, as_doc, cancel, create_order, load_order, step_order
from .limits import RateLimiter
from .pricing import bulk_pricing, spec_pricing, stored_order_pricing
from .seed import seed_orders
from .validation import validate_order

_ORDER_SCHEMA = {
    "type": "object",
    "required": ["name", "geometry"],
    "properties": {
        "name": {"type": "string"},
        "geometry": {"type": "object", "description": "GeoJSON Point, LineString (strip) or Polygon"},
        "pl_number": {"type": "string"}, "product": {"type": "string"},
        "start_time": {"type": "string", "format": "date-time"}, "end_time": {"type": "string", "format": "date-time"},
        "sat_elevation_angle_min": {"type": "number"}, "sat_elevation_angle_max": {"type": "number"},
        "scheduling_type": {"type": "string", "enum": list(SCHEDULING_TYPES)},
        "order_type": {"type": "string", "enum": list(ORDER_TYPES)},
        "imaging_window": {"type": "string", "description": "Required for Assured Tasking"},
        "rrule": {"type": "string"},
        "cloud_threshold": {"type": "number"}, "exclusivity_days": {"type": "integer"}, "rank": {"type": "integer"},
    },
}
_BULK_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "order_payloads": {"type": "array", "items": _ORDER_SCHEMA, "maxItems": 1000},
        "edit_payloads": {"type": "array", "items": {"type": "object", "required": ["id"]}, "maxItems": 1000},
        "cancel_payloads": {"type": "array", "items": {"type": "object", "required": ["id"]}, "maxItems": 1000},
    },
}
_UNAUTHORIZED = {"WWW-Authenticate": 'api-key realm="api"'}


def _body_doc(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _basic_username(header: str) -> str | None:
    """The username of ``Authorization: Basic`` (Planet: the API key, with an empty password)."""
    encoded = bearer_or_raw(header, "basic")
    if not encoded:
        return None
    try:
        username, _, _password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return username


def _authenticator(limiter: RateLimiter) -> Callable[[Request], Awaitable[KeyGrant]]:
    # async: FastAPI would run a plain function in its thread pool, a thread hand-off per request
    async def authenticate(request: Request) -> KeyGrant:
        """The caller's key grant (``api-key <KEY>`` or Basic ``KEY:``); 401, then 429 when throttled."""
        header = request.headers.get("authorization")
        if not header:
            raise ApiError(401, {"detail": "Authentication credentials were not provided."}, headers=_UNAUTHORIZED)
        key = bearer_or_raw(header, "api-key") or _basic_username(header)
        grant = key_grant(NAME, key)
        if grant is None:
            raise ApiError(401, {"detail": "Invalid API key."}, headers=_UNAUTHORIZED)
        limiter.check(key or "", getattr(request.state, "arrived", None))  # per key, at arrival
        return grant

    return authenticate


def build_router(state: SandboxState) -> APIRouter:
    router = APIRouter(prefix=BASE, tags=["Planet Tasking v2"])
    limiter = RateLimiter(state.store)
    auth = Depends(_authenticator(limiter))

    def both(path: str, methods: list[str], **kwargs: Any):  # noqa: ANN202 - decorator factory
        """Register ``path`` with and without its trailing slash (the docs use both forms)."""
        def register(func):  # noqa: ANN001, ANN202
            router.add_api_route(path, func, methods=methods, **kwargs)
            router.add_api_route(path.rstrip("/"), func, methods=methods, include_in_schema=False,
                                 **{k: v for k, v in kwargs.items() if k not in ("summary", "openapi_extra")})
            return func
        return register

    def now() -> datetime:
        return state.clock.now()

    @both("/orders/", ["POST"], status_code=201, summary="Create a tasking order", openapi_extra=_body_doc(_ORDER_SCHEMA))
    async def create(request: Request, grant: KeyGrant = auth) -> JSONResponse:
        payload = await json_body(request)
        moment = now()
        try:
            spec = validate_order(payload, state, moment, grant)
        except (FieldErrors, NotPermitted) as exc:
            raise exc.api_error() from None
        return JSONResponse(create_order(state, grant.org, spec, moment), status_code=201)

    @both("/orders/", ["GET"], summary="List tasking orders (filters ANDed, geometry__intersects, limit/offset)")
    async def list_orders(request: Request, grant: KeyGrant = auth) -> dict[str, Any]:
        return listing.orders_page(request, state, grant.org)

    @both("/orders/{order_id}/", ["GET"], summary="Get a tasking order")
    async def get_order(order_id: str, grant: KeyGrant = auth) -> dict[str, Any]:
        return load_order(state, order_id, grant.org).body

    @both("/orders/{order_id}/", ["PUT"], summary="Edit name, rank, start_time, end_time",
          openapi_extra=_body_doc({"type": "object"}))
    async def edit_order(order_id: str, request: Request, grant: KeyGrant = auth) -> dict[str, Any]:
        payload = await json_body(request)
        with state.store.transaction():  # the status check and the update are one atomic step
            doc = load_order(state, order_id, grant.org)
            response = apply_edit(doc.body, payload, now())
            state.store.put(as_doc(doc.body, grant.org))
        return response

    @both("/orders/{order_id}/", ["DELETE"], status_code=204, summary="Cancel a tasking order")
    async def cancel_order(order_id: str, grant: KeyGrant = auth) -> Response:
        with state.store.transaction():
            doc = load_order(state, order_id, grant.org)
            cancel(state, doc.body, now())
            state.store.put(as_doc(doc.body, grant.org))
        return Response(status_code=204)

    @both("/orders/{order_id}/pricing/", ["GET"], summary="Pricing of an existing order")
    async def order_pricing(order_id: str, grant: KeyGrant = auth) -> dict[str, Any]:
        return stored_order_pricing(state, load_order(state, order_id, grant.org).body)

    @both("/pricing/", ["POST"], summary="Pricing preview for one order-like payload or a list",
          openapi_extra=_body_doc({"oneOf": [_ORDER_SCHEMA, {"type": "array", "items": _ORDER_SCHEMA}]}))
    async def pricing_preview(request: Request, grant: KeyGrant = auth) -> dict[str, Any]:
        payload = await json_body(request)
        if isinstance(payload, list):
            if not 1 <= len(payload) <= BULK_PRICING_MAX:
                raise error(400, f"Bulk pricing takes between 1 and {BULK_PRICING_MAX} order payloads.")
            return bulk_pricing(payload, state, grant.org, grant, now())
        try:
            return spec_pricing(state, grant.org, validate_order(payload, state, now(), grant, for_pricing=True))
        except (FieldErrors, NotPermitted) as exc:
            raise exc.api_error() from None

    @both("/products/", ["GET"], summary="The key's PL numbers and products")
    async def products(grant: KeyGrant = auth) -> dict[str, Any]:
        return products_listing(grant)

    @both("/captures/", ["GET"], summary="List captures (order_id, fulfilling, status__in, times; limit/offset)")
    async def list_captures(request: Request, grant: KeyGrant = auth) -> dict[str, Any]:
        return listing.captures_page(request, state, grant.org)

    @both("/captures/{capture_id}/", ["GET"], summary="Get a capture")
    async def get_capture(capture_id: str, grant: KeyGrant = auth) -> dict[str, Any]:
        doc = state.store.get(NAME, KIND_CAPTURE, capture_id, org=grant.org)
        if doc is None:
            raise error(404, "Not found.")
        return doc.body

    @both("/bulk/", ["POST"], status_code=202, summary="Create, edit or cancel up to 1000 orders (202 + Location)",
          openapi_extra=_body_doc(_BULK_SCHEMA), response_class=Response,
          responses={202: {"description": "Accepted, with no body; the Location header names the bulk"}})
    async def submit_bulk(request: Request, grant: KeyGrant = auth) -> Response:
        payload = await json_body(request)
        bulk_id = bulk.submit(state, grant.org, grant, payload, now())
        return Response(status_code=202, headers={"Location": bulk.location(bulk_id)})

    @both("/bulk/{bulk_id}/", ["GET"], summary="Status and payload counts of a bulk")
    async def get_bulk(bulk_id: str, grant: KeyGrant = auth) -> dict[str, Any]:
        return bulk.status(state, bulk_id, grant.org)

    @both("/bulk/{bulk_id}/payloads/", ["GET"], summary="Each payload's outcome (order id, or why it failed)")
    async def get_bulk_payloads(bulk_id: str, request: Request, grant: KeyGrant = auth) -> dict[str, Any]:
        return bulk.payloads_page(request, state, bulk_id, grant.org)

    @both("/imaging-windows/search/", ["POST"], status_code=201, summary="Start an imaging-window search",
          openapi_extra=_body_doc({"type": "object", "required": ["geometry"]}))
    async def search_windows(request: Request, grant: KeyGrant = auth) -> JSONResponse:
        payload = await json_body(request)
        moment = now()
        try:
            point, opts = windows.validate_search(payload, moment, grant)
        except (FieldErrors, NotPermitted) as exc:
            raise exc.api_error() from None
        search = windows.start_search(state, grant.org, moment, point, opts)
        return JSONResponse({"id": search["id"], "status": search["status"]}, status_code=201,
                            headers={"Location": windows.search_location(search["id"])})

    @both("/imaging-windows/search/{search_id}/", ["GET"], summary="Poll an imaging-window search")
    async def get_window_search(search_id: str, grant: KeyGrant = auth) -> dict[str, Any]:
        return windows.poll(state, grant.org, search_id, now())

    outer = APIRouter()  # the admin routes live outside the provider prefix
    outer.include_router(router)
    outer.include_router(_admin_router(limiter))
    return outer


def _admin_router(limiter: RateLimiter) -> APIRouter:
    admin = APIRouter(prefix="/_sandbox/planet", tags=["sandbox admin (not part of any provider API; no auth)"])
    rate_switch.add_routes(admin, limiter, read="Planet's rate limits: off by default; 40/s bursts, 300/min when on",
                           switch="Switch Planet's rate limits on or off (optionally lower them)",
                           example={"enabled": True, "per_second": 40, "per_minute": 300})
    return admin


def bind_stepper(state: SandboxState) -> Stepper:
    """The clock's stepper for Planet documents: orders (and their captures) and bulks."""
    def step(doc: Doc, now: datetime) -> Doc:
        if doc.kind == KIND_BULK:
            return bulk.step(state, doc, now)
        return step_order(state, doc, now)

    return step


PROVIDER = ProviderSpec(
    name=NAME,
    build_router=build_router,
    error=error,
    validation_error=validation_error,
    bind_stepper=bind_stepper,
    seeders={"orders": seed_orders},
)
