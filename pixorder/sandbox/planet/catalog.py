"""Planet constants and the key's contract: statuses, limits, and the products a key may order."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Any

from .. import price_book
from ..keys import KeyGrant

NAME = "planet"
BASE = "/tasking/v2"
KIND_ORDER = "order"
KIND_CAPTURE = "capture"
KIND_SEARCH = "imaging_window_search"
KIND_WINDOW = "imaging_window"
KIND_BULK = "bulk"

MAX_BODY_BYTES = 1_000_000  # POST bodies are limited to 1 MB [V], bulk included
POINT_SIDE_KM = 5.0
STRIP_WIDTH_KM = 5.0
DEFAULT_LIMIT, MAX_LIMIT = 50, 1000
BULK_PRICING_MAX = 100
BULK_MAX_PAYLOADS = 1000
MAX_FEASIBLE_SQKM = 3000.0
MIN_ELEVATION_SPAN_DEG = 5.0
RECEIVED_DELAY = timedelta(hours=1)
FULFIL_FRACTION = 0.4
FINALIZING_DELAY = timedelta(hours=6)
PENDING_CANCELLATION_DELAY = timedelta(hours=1)
CANCEL_NOTICE = timedelta(hours=24)
IMAGING_WINDOW_HORIZON = timedelta(days=7)

STATUSES = ("RECEIVED", "PENDING", "REQUESTED", "IN_PROGRESS", "FINALIZING", "FULFILLED", "FAILED",
            "PENDING_CANCELLATION", "CANCELLED", "REJECTED", "EXPIRED")
FINAL_STATUSES = ("FULFILLED", "FAILED", "CANCELLED", "REJECTED", "EXPIRED")
EDITABLE_STATUSES = ("PENDING", "REQUESTED", "IN_PROGRESS")
START_EDITABLE_STATUSES = ("PENDING", "REQUESTED")
CANCELLABLE_STATUSES = ("RECEIVED", "PENDING", "REQUESTED", "IN_PROGRESS")
EDITABLE_FIELDS = ("name", "rank", "start_time", "end_time")
SCHEDULING_TYPES = ("FLEXIBLE", "LOCK_IN", "MONITORING", "EXPRESS", "ASSURED", "ARCHIVE")
ORDER_TYPES = ("IMAGE", "STEREO", "VIDEO")
ASSURED_PRODUCT = "Assured Tasking"
SATELLITE_TYPE = "SKYSAT"


def product_grant(product: str) -> str:
    """The grant name of a product in restricted key variants: ``Assured Tasking`` → ``assured_tasking``."""
    return product.lower().replace(" ", "_")


def contract_products(grant: KeyGrant) -> list[str]:
    """The products of the key's contract, in the price book's order."""
    return [p for p in price_book.PLANET_PRODUCTS if grant.has(product_grant(p))]


@lru_cache(maxsize=256)
def default_product(grant: KeyGrant) -> str:
    """The key's default product: the sandbox default, else the first product of its contract."""
    products = contract_products(grant)
    if price_book.PLANET_DEFAULT_PRODUCT in products or not products:
        return price_book.PLANET_DEFAULT_PRODUCT
    return products[0]


def products_listing(grant: KeyGrant) -> dict[str, Any]:
    """``GET /products/``: the key's PL number and products, DRF envelope.

    The reference only says the endpoint lists "the key's PL numbers and products"; the item keys
    (``pl_number``, ``product``, ``scheduling_type``, ``is_default``, ``satellite_types``,
    ``order_types``, ``requires_imaging_window``) are this sandbox's choice [I].
    """
    default = default_product(grant)
    results = [{
        "pl_number": price_book.PLANET_DEFAULT_PL_NUMBER,
        "product": product,
        "scheduling_type": price_book.PLANET_PRODUCTS[product],
        "is_default": product == default,
        "satellite_types": [SATELLITE_TYPE],
        "order_types": list(ORDER_TYPES),
        "requires_imaging_window": product == ASSURED_PRODUCT,
    } for product in contract_products(grant)]
    return {"count": len(results), "next": None, "previous": None, "results": results}
