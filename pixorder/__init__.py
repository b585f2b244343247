"""pixorder: price and order satellite imagery (Pixxel, Planet Tasking, Geopera) from a notebook.

>>> import pixorder
>>> client = pixorder.connect("sandbox", api="planet")   # doctest: +SKIP
>>> aoi = pixorder.AOI({"type": "Point", "coordinates": [149.44, 28.49]})   # doctest: +SKIP

Names are loaded on first use so that ``import pixorder`` stays fast (geopandas, ipyleaflet and
the sandbox load only when needed).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what a type checker sees; at run time the names load on first use (__getattr__)
    from pixorder.aoi import AOI
    from pixorder.client import AsyncClient, Client, connect
    from pixorder.client.compare import compare
    from pixorder.errors import (
        AmbiguousSpend,
        ApiError,
        AuthError,
        Conflict,
        NotFound,
        NotSupported,
        PixorderError,
        ProviderUnavailable,
        RateLimited,
        SpendLimitExceeded,
        ValidationError,
        WaitWouldBlock,
    )
    from pixorder.explore.budget import budget
    from pixorder.explore.frames import PriceFrame, read_prices
    from pixorder.explore.needs import Needs
    from pixorder.explore.sweep import sweep
    from pixorder.models import ArchiveRequest, Order, Quote, TaskingRequest

__version__ = "0.1.0"

_EXPORTS = {
    "AOI": "pixorder.aoi",
    "AmbiguousSpend": "pixorder.errors",
    "ApiError": "pixorder.errors",
    "ArchiveRequest": "pixorder.models",
    "AsyncClient": "pixorder.client",
    "AuthError": "pixorder.errors",
    "Client": "pixorder.client",
    "Conflict": "pixorder.errors",
    "NotFound": "pixorder.errors",
    "NotSupported": "pixorder.errors",
    "Order": "pixorder.models",
    "PixorderError": "pixorder.errors",
    "ProviderUnavailable": "pixorder.errors",
    "Quote": "pixorder.models",
    "RateLimited": "pixorder.errors",
    "SpendLimitExceeded": "pixorder.errors",
    "TaskingRequest": "pixorder.models",
    "ValidationError": "pixorder.errors",
    "WaitWouldBlock": "pixorder.errors",
    "Needs": "pixorder.explore.needs",
    "PriceFrame": "pixorder.explore.frames",
    "budget": "pixorder.explore.budget",
    "compare": "pixorder.client.compare",
    "connect": "pixorder.client",
    "read_prices": "pixorder.explore.frames",
    "sweep": "pixorder.explore.sweep",
}

__all__ = [
    "AOI",
    "AmbiguousSpend",
    "ApiError",
    "ArchiveRequest",
    "AsyncClient",
    "AuthError",
    "Client",
    "Conflict",
    "Needs",
    "NotFound",
    "NotSupported",
    "Order",
    "PixorderError",
    "PriceFrame",
    "ProviderUnavailable",
    "Quote",
    "RateLimited",
    "SpendLimitExceeded",
    "TaskingRequest",
    "ValidationError",
    "WaitWouldBlock",
    "budget",
    "compare",
    "connect",
    "read_prices",
    "sweep",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pixorder' has no attribute {name!r}")
    if module == "pixorder.models":
        importlib.import_module("pixorder.frames")  # registers the models' HTML tables
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
