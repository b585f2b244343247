"""pixorder's embedded sandbox: a real HTTP server that speaks the providers' APIs faithfully.

Quick start::

    from pixorder import sandbox
    sb = sandbox.start()                    # uvicorn on 127.0.0.1:<ephemeral> in a daemon thread
    sb.url, sb.keys["planet"]               # base URL and the well-known sandbox keys
    sb.advance(days=3)                      # move sandbox time; orders change status
    sb.faults(rate=0.2, statuses=[503, 429], provider="planet", seed=1)
    sb.faults(rate=0)                       # clear all faults
    sb.stop()

``sandbox.shared()`` is a process-wide instance started on first use; ``Sandbox.attach(url)`` drives
one running elsewhere (``python -m pixorder.sandbox serve --port 8765 --db state.sqlite``).

Keys (:mod:`.keys`): ``sandbox-pixxel-key`` (``Authorization: <key>``), ``sandbox-planet-key``
(``Authorization: api-key <key>`` or Basic), ``gpra_sandbox_key`` (``Authorization: Bearer <key>``).
``<key>.<org>`` authenticates as another organisation, for isolation tests;
``<key>-without-<grant>`` is a Planet key without a product or a Geopera key without a scope.

Admin endpoints (sandbox-only, no auth, tagged in /docs): ``GET /_sandbox/health``, ``GET
/_sandbox/clock``, ``POST /_sandbox/advance {"days", "hours"}``, ``GET|POST /_sandbox/faults``,
``POST /_sandbox/reset``, ``POST /_sandbox/seed {"provider", "count", "kind"?, ...}``,
``GET /_sandbox/keys``; per provider ``GET|POST /_sandbox/planet/rate-limits``,
``/_sandbox/geopera/rate-limits`` and ``/_sandbox/geopera/balance``.

The sandbox imports only its own code, the stdlib, fastapi/starlette, uvicorn, shapely and pyproj:
never other ``pixorder.*`` modules (DESIGN.md: its wire schemas must not be the client's).

Adding a provider (the seams; the ``planet`` package is the worked example)
--------------------------------------------------------------------------
1. Create ``pixorder/sandbox/<name>.py`` (``pixxel`` or ``geopera``) defining a module-level
   ``PROVIDER = ProviderSpec(name=..., build_router=..., error=..., validation_error=..., stepper=...,
   seeders={...})`` (:mod:`.registry`). ``app.PROVIDER_MODULES`` already lists ``planet``, ``pixxel``
   and ``geopera``; a module that does not exist is skipped, so no other file changes.
2. Routes: ``build_router(state: SandboxState) -> APIRouter`` with ``prefix`` = the API's base
   (``/v0`` for Pixxel, ``/v1`` for Geopera; fixed in ``paths.PROVIDER_PREFIXES``). Handlers close
   over ``state`` (:class:`.state.SandboxState`: ``store``, ``clock``, ``faults``, ``idempotency``).
   Authenticate with a dependency that calls ``keys.org_for_key(name, credential)`` and raises
   ``web.ApiError(401, <provider's body>)``; scope every document to that org.
3. Errors: raise ``web.ApiError(status, body, headers=..., media_type=...)`` anywhere; the app returns
   it as is (use ``media_type="application/problem+json"`` for Geopera). ``ProviderSpec.error(status,
   message)`` builds the provider's generic error; the core uses it for injected faults and for
   unknown paths/methods under the prefix. ``validation_error(exc)`` maps FastAPI's
   RequestValidationError (e.g. Geopera's 422 ``{"detail": [{loc, msg, type}]}``).
   Bodies: ``await web.read_json(request, max_bytes=...)`` (BodyError 400/413);
   ``web.page_url(request, offset=...)`` builds absolute next/previous links.
4. Storage (:mod:`.store`, all writes commit before returning):
   ``Doc(provider, kind, id, body, org, created_at, status, due_at)``;
   ``store.insert(doc)``, ``store.put(doc)`` (replace), ``store.get(provider, kind, id, org=None)``,
   ``store.query(provider, kind, org=, where=[(field, op, value)], order_by=[(field, desc)],
   limit=, offset=)``, ``store.count(provider, kind, org=, where=)``, ``store.insert_many(docs)``,
   ``store.delete(...)``, ``with store.transaction(): ...`` for atomic read-modify-write. Fields are
   columns (id, org, created_at, status, due_at) or body fields read by json_extract (dotted paths
   allowed); ops: ``= != < <= > >= in icontains is_null``. Order is total (id tie-break), so
   limit/offset pages never repeat or skip rows. Timestamps: ``timeutil.iso(dt)``/``parse_iso(s)``
   (fixed format, so strings compare as times).
5. Clock and life cycles (:mod:`.clock`): ``state.clock.now()`` is sandbox time; never call
   ``datetime.now()`` in a provider. Store each document with ``due_at`` = ISO time of its next
   transition (None when final); ``ProviderSpec.stepper(doc, now) -> Doc`` applies every transition
   due by ``now`` and returns the doc with its new ``due_at``. The core runs steppers on
   ``/_sandbox/advance`` and lazily before every provider request.
6. Prices (:mod:`.price_book`): pure functions. Planet: ``planet_multipliers`` + ``planet_pricing``.
   Pixxel: ``pixxel_quote(area_km2, bandset, delivery_speed=, cloud_cover=, off_nadir=,
   occurrences=, archive=)`` → base_amount/uplifts/final_amount/tokens_used. Geopera:
   ``geopera_quote(sensor_id, area_km2, priority=, max_cloud=, max_off_nadir=, occurrences=)`` →
   aud/credits. Shared: ``billable_area``, the uplift constants. Tune the sandbox numbers there.
7. Geometry (:mod:`.geometry`): ``parse_geometry(geojson, allowed_types)`` (GeometryError with a
   user-facing message), ``area_km2(geom)``, ``point_square(lon, lat)``, ``line_strip(line)``; for bulk
   requests the batch forms ``parse_geometries(geojsons, allowed_types)`` (geometry or GeometryError
   each) and ``areas_km2(geoms)``/``lengths_km(geoms)`` (one projection call for all). JSON bodies:
   ``web.read_json`` (or ``route_class=web.FastJSONRoute`` for FastAPI body parameters) reads them
   through orjson where it gives the stdlib's values; ``web.json_response`` encodes an answer.
8. Faults (:mod:`.faults`): nothing to do. The middleware faults any path under the provider's
   prefix when configured (``POST /_sandbox/faults {"provider": "pixxel", ...}``) and renders error
   bodies with ``ProviderSpec.error``.
9. Idempotency (:mod:`.idempotency`), for Geopera's spend operations::

       raw = await request.body()
       try:
           stored = await state.idempotency.run_async(org, request.url.path, key, raw, execute)
       except IdempotencyConflict as exc:
           raise ApiError(409, problem(409, str(exc)), media_type="application/problem+json")
       return Response(stored.body, stored.status, media_type=stored.media_type)

   where ``execute`` is a plain ``() -> StoredResponse(status, body_bytes, media_type)``: it runs in
   the same transaction as the stored response, so a crash never leaves one without the other.
10. Seeding: ``seeders={"orders": fn}`` with ``fn(state, params) -> {"inserted": n, ...}``; params
    is the JSON of ``POST /_sandbox/seed`` (``provider``, ``count``, ``kind`` picks the seeder,
    default the first). Use ``store.insert_many`` and timings consistent with each status.
"""

from __future__ import annotations

from .app import create_app
from .keys import SANDBOX_KEYS
from .runner import Sandbox, shared, start
from .state import SandboxState

__all__ = ["SANDBOX_KEYS", "Sandbox", "SandboxState", "create_app", "shared", "start"]
