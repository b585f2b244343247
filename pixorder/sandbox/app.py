"""The ASGI app: provider routers, the ``/_sandbox/*`` admin endpoints and the cross-cutting layers.

Layers, outermost first: fault injection (provider paths only) → due life-cycle transitions are
applied before each provider request → routing. Errors raised as :class:`ApiError` become responses
in the provider's own shape; validation errors and unknown paths under a provider prefix do too.
"""

from __future__ import annotations

import gc
import importlib
import logging
from typing import Any

from fastapi import APIRouter, Body, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from .faults import FaultConfig, FaultMiddleware
from .keys import SANDBOX_KEYS
from .paths import PROVIDER_PREFIXES, provider_for_path
from .received import RecordReceived
from .registry import ProviderSpec, default_error
from .state import SandboxState
from .timeutil import iso
from .web import ApiError

log = logging.getLogger(__name__)

# Provider modules, each ``pixorder.sandbox.<name>`` defining ``PROVIDER: ProviderSpec``. A module
# that does not exist yet is skipped, so adding pixxel.py or geopera.py needs no change here.
PROVIDER_MODULES: tuple[str, ...] = ("planet", "pixxel", "geopera")

ADMIN_TAG = "sandbox admin (not part of any provider API; no auth)"


def load_providers(names: tuple[str, ...] = PROVIDER_MODULES) -> dict[str, ProviderSpec]:
    providers: dict[str, ProviderSpec] = {}
    for name in names:
        module_name = f"{__package__}.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:  # a missing dependency inside the module is a real error
                raise
            continue
        providers[name] = module.PROVIDER
    return providers


def create_app(state: SandboxState, providers: dict[str, ProviderSpec] | None = None) -> FastAPI:
    """The sandbox app over ``state``, serving every available provider (or those given)."""
    state.providers = load_providers() if providers is None else providers
    app = FastAPI(
        title="pixorder sandbox",
        version="1",
        description=(
            "Emulates Pixxel v0 (`/v0`), Planet Tasking v2 (`/tasking/v2`) and Geopera v1 (`/v1`) "
            "from the providers' public docs. `/_sandbox/*` endpoints are sandbox-only controls."
        ),
    )
    app.state.sandbox = state
    for spec in state.providers.values():
        stepper = spec.bind_stepper(state) if spec.bind_stepper is not None else spec.stepper
        if stepper is not None:
            state.clock.register(spec.name, stepper)
        app.include_router(spec.build_router(state))
    app.include_router(_admin_router(state))
    _install_error_handlers(app, state)
    app.add_middleware(_DueTransitions, state=state)
    app.add_middleware(FaultMiddleware, injector=state.faults, error_for=lambda p, s, m: _error_for(state, p, s, m))
    app.add_middleware(RecordReceived, log=state.received)  # outermost: what arrived, faulted or not
    return app


def _error_for(state: SandboxState, provider: str | None, status: int, message: str) -> ApiError:
    spec = state.providers.get(provider or "")
    return spec.error(status, message) if spec else default_error(status, message)


def _install_error_handlers(app: FastAPI, state: SandboxState) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        spec = state.providers.get(provider_for_path(request.url.path) or "")
        if spec and spec.validation_error:
            return spec.validation_error(exc).response()
        return JSONResponse({"detail": jsonable_errors(exc)}, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        provider = provider_for_path(request.url.path)
        if provider:
            message = "Not found." if exc.status_code == 404 else str(exc.detail)  # DRF's wording
            error = _error_for(state, provider, exc.status_code, message)
            error.headers = {**(getattr(exc, "headers", None) or {}), **error.headers}
            return error.response()
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=getattr(exc, "headers", None))


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [{k: v for k, v in err.items() if k in ("loc", "msg", "type")} for err in exc.errors()]


class _DueTransitions:
    """Apply due life-cycle transitions before each provider request, so statuses follow the clock
    even without an explicit advance (cheap: an indexed range query on ``due_at``)."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and provider_for_path(scope["path"]):
            self.state.clock.run_due()
        await self.app(scope, receive, send)


# ---------------------------------------------------------------------------------------------
# /_sandbox admin endpoints
# ---------------------------------------------------------------------------------------------


def _clock_body(state: SandboxState) -> dict[str, Any]:
    return {"now": iso(state.clock.now()), "offset_seconds": state.clock.offset.total_seconds()}


def _admin_router(state: SandboxState) -> APIRouter:
    router = APIRouter(prefix="/_sandbox", tags=[ADMIN_TAG])

    @router.get("/health", summary="Liveness, loaded providers and sandbox time")
    def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "providers": {name: PROVIDER_PREFIXES[name] for name in state.providers},
            "db": state.store.path or ":memory:",
            **_clock_body(state),
        }

    @router.get("/clock", summary="Sandbox time (real UTC + offset)")
    def clock() -> dict[str, Any]:
        return _clock_body(state)

    @router.post("/advance", summary="Move sandbox time forward and apply due transitions")
    def advance(body: dict[str, float] = Body(default={}, examples=[{"days": 1, "hours": 0}])) -> dict[str, Any]:
        try:
            state.clock.advance(days=float(body.get("days", 0)), hours=float(body.get("hours", 0)))
        except (TypeError, ValueError) as exc:
            raise HTTPException(400, str(exc)) from None
        return _clock_body(state)

    @router.get("/faults", summary="Fault configuration and counters of injected faults by kind")
    def get_faults() -> dict[str, Any]:
        return state.faults.snapshot()

    @router.post("/faults", summary="Configure fault injection (rate 0 and no latency clears)")
    def set_faults(body: dict[str, Any] = Body(default={}, examples=[{"provider": "planet", "rate": 0.5, "statuses": [503, 429]}])) -> dict[str, Any]:
        body = dict(body)
        provider, seed = body.pop("provider", None), body.pop("seed", None)
        if provider is not None and provider not in PROVIDER_PREFIXES:
            raise HTTPException(400, f"provider must be one of {sorted(PROVIDER_PREFIXES)} or null")
        try:
            state.faults.configure(FaultConfig(**body), provider, seed)
        except (TypeError, ValueError) as exc:
            raise HTTPException(400, str(exc)) from None
        return state.faults.snapshot()

    @router.get("/received", summary="Recent provider requests and their bodies as they arrived (newest last)")
    def received(provider: str | None = None) -> list[dict[str, Any]]:
        return state.received.snapshot(provider)

    @router.post("/reset", summary="Forget all state: documents, idempotency keys, clock offset, faults")
    def reset() -> dict[str, Any]:
        state.reset()
        return {"status": "reset", **_clock_body(state)}

    @router.post("/seed", summary="Bulk-insert documents for benchmarks, dispatched to the provider's seeder")
    def seed(body: dict[str, Any] = Body(..., examples=[{"provider": "planet", "count": 100000}])) -> dict[str, Any]:
        spec = state.providers.get(str(body.get("provider")))
        if spec is None or not spec.seeders:
            raise HTTPException(400, f"provider must be one of {sorted(n for n, s in state.providers.items() if s.seeders)}")
        kind = body.get("kind") or next(iter(spec.seeders))
        if kind not in spec.seeders:
            raise HTTPException(400, f"kind must be one of {sorted(spec.seeders)}")
        gc.disable()  # seeding builds ~10⁵ dicts; generational GC passes would double the time
        try:
            result = spec.seeders[kind](state, body)
        except (TypeError, ValueError) as exc:
            raise HTTPException(400, str(exc)) from None
        finally:
            gc.enable()
        return {"provider": spec.name, "kind": kind, **result}

    @router.get("/keys", summary="The well-known sandbox API keys")
    def keys() -> dict[str, str]:
        return dict(SANDBOX_KEYS)

    return router
