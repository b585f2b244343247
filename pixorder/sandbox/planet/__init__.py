"""Planet Tasking API v2 emulation at ``/tasking/v2`` (sources: shared/api-docs/planet-tasking-v2-orders.txt,
shared/api-notes.md §2 and §5: the 2.0.0 reference, the bulk guide).

Auth: ``Authorization: api-key <KEY>`` or HTTP Basic with the key as username and an empty password.
Bad or missing credentials → 401 ``{"detail": ...}`` (Planet's API is DRF-based). Rate limits
(:mod:`.limits`): 300/min with bursts to 40/s per key, relaxed unless switched on.

Errors: field validation → 400 ``{"<field>": ["message", ...]}``; everything else ``{"detail":
"message"}``: 400 (refused edit/cancel), 401, 403 (a product outside the key's contract: see
:mod:`..keys`), 404 (``Not found.``), 409 (a bulk id seen before), 413 (POST body over 1 MB), 429,
5xx (injected faults).

Endpoints (paths accepted with and without their trailing slash, as the docs show both):

* ``POST /orders/`` → 201, ``GET /orders/`` (:mod:`.listing`), ``GET/PUT/DELETE /orders/{id}/``
  (:mod:`.lifecycle`), ``GET /orders/{id}/pricing/`` and ``POST /pricing/`` (:mod:`.pricing`).
  Point → 5×5 km square, LineString → 5 km strip (6–100 km), Polygon kept; ``original_geometry`` is
  the geometry as sent; elevation 60–90°, start now, end start+30 days, ``pl_number``/``product``
  from the key's defaults. Assured Tasking needs an ``imaging_window`` to be priced or ordered.
* ``GET /products/`` (:mod:`.catalog`), ``GET /captures/`` and ``/captures/{id}/`` (made by the
  life cycle), ``POST /bulk/`` + ``GET /bulk/{id}`` + ``/bulk/{id}/payloads`` (:mod:`.bulk`),
  ``POST /imaging-windows/search/`` + its poll (:mod:`.windows`).
* Sandbox admin: ``GET/POST /_sandbox/planet/rate-limits``.

Modules: catalog (constants, the key's products), errors, validation, pricing, lifecycle (orders,
captures, edit, cancel), listing, windows, bulk, limits, seed, routes (router and ``PROVIDER``).
"""

from .catalog import NAME
from .lifecycle import outcome, will_fulfil
from .routes import PROVIDER, build_router

__all__ = ["NAME", "PROVIDER", "build_router", "outcome", "will_fulfil"]
