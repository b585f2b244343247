"""Pixxel API v0 emulation, following Pixxel's official OpenAPI (``shared/api-docs/pixxel-openapi.json``,
"stargate" v0.1.0); where it and the older pages (``pixxel-v0-*.txt``) disagree, the spec wins.

Auth: ``Authorization: <KEY>`` with **no** ``Bearer`` prefix (sandbox key ``sandbox-pixxel-key``;
``<key>.<org>`` is another organisation); ``GET /ping`` needs none. Errors: ``{"error": {code,
message, details?}}`` (:mod:`.errors`).

One job per module:

* :mod:`.common` — constants, official enums, stable ids, the three time formats;
* :mod:`.errors` — the error envelope and authentication;
* :mod:`.catalog` — bandsets and the deterministic archive grid rendered as STAC;
* :mod:`.validation` — ``POST /v0/orders`` items: rules, defaults, pricing;
* :mod:`.orders` — creating orders (and dry runs);
* :mod:`.lifecycle` — the clock-driven item/task life cycle (the registry's stepper);
* :mod:`.listing` — reading and listing orders and order items;
* :mod:`.archive` — the STAC archive endpoints;
* :mod:`.delivery` — catalogs, deliveries, downloads and their signed URLs;
* :mod:`.workspace` — projects and cloud stores;
* :mod:`.seed` — bulk seeding for benchmarks;
* :mod:`.routes` — the FastAPI router.

There is no cancel endpoint, as in Pixxel's API (cancelling is done through support).
"""

from __future__ import annotations

from ..registry import ProviderSpec
from .catalog import BANDSETS, scene_by_id, search_scenes
from .errors import error, from_request_validation
from .lifecycle import settle_item, step, task_succeeds
from .orders import create_order
from .routes import build_router
from .seed import seed_items
from .validation import feasibility

PROVIDER = ProviderSpec(
    name="pixxel",
    build_router=build_router,
    error=lambda status, message: error(status, message),
    validation_error=from_request_validation,
    stepper=step,
    seeders={"order_items": seed_items},
)

__all__ = ["BANDSETS", "PROVIDER", "create_order", "feasibility", "scene_by_id", "search_scenes", "settle_item",
           "step", "task_succeeds"]
