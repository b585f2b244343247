"""Geopera's per-organisation rate caps (docs.geopera.com/api-reference/rate-limits, api-notes §3, §5).

Counted per organisation in fixed 60 s windows: **60/min for order placement** (orders.place,
orders.archive.place, orders.tasking.place), **30/min for other spend** (orders.cancel,
feasibility_decide, quotation_decide) and 600/min for everything else. A window opens with the first
request counted in it and lasts 60 s (so a test is never split by a wall-clock minute). Over a cap:
429 ``application/problem+json`` with ``Retry-After`` (seconds until the window closes). Refused
requests are not counted. The unauthenticated 60/min per IP is not emulated.

Relaxed by default; ``POST /_sandbox/geopera/rate-limits {"enabled": true}`` (``Sandbox.rate_limits
("geopera")``) switches them on and may lower ``placement_per_minute``, ``spend_per_minute`` or
``default_per_minute`` for a test. The switch lives in the store's meta table, so
``/_sandbox/reset`` relaxes the caps again. Windows use real (monotonic) time, not the sandbox clock.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from .rate_switch import RateSwitch
from .store import Store

PLACEMENT_OPERATIONS = frozenset({"orders.place", "orders.archive.place", "orders.tasking.place"})
DEFAULTS = {"placement_per_minute": 60, "spend_per_minute": 30, "default_per_minute": 600}
WINDOW_SECONDS = 60.0
_META_KEY = "geopera.rate_limits"


def tier(operation: str, spend: bool) -> str:
    """``placement``, ``spend`` or ``default``."""
    if operation in PLACEMENT_OPERATIONS:
        return "placement"
    return "spend" if spend else "default"


class CapExceeded(Exception):
    def __init__(self, tier_name: str, cap: int, retry_after: int) -> None:
        super().__init__(f"Rate limit exceeded: at most {cap} {_LABELS[tier_name]} requests per minute "
                         f"per organisation. Retry after {retry_after} s.")
        self.retry_after = retry_after


_LABELS = {"placement": "order placement", "spend": "spend", "default": ""}


class Caps:
    def __init__(self, store: Store) -> None:
        self._switch = RateSwitch(store, _META_KEY, DEFAULTS)
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}  # (org, tier) → (opened, count)

    def config(self) -> dict[str, Any]:
        return self._switch.config()

    def configure(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            config = self._switch.configure(body)
            self._windows.clear()
        return config

    def check(self, org: str, tier_name: str) -> None:
        """Count one request; raise :class:`CapExceeded` when the organisation is over its cap."""
        config = self.config()
        if not config["enabled"]:
            return
        cap = config[f"{tier_name}_per_minute"]
        now = time.monotonic()
        with self._lock:
            opened, count = self._windows.get((org, tier_name), (now, 0))
            if now - opened >= WINDOW_SECONDS:
                opened, count = now, 0
            if count >= cap:
                raise CapExceeded(tier_name, cap, max(1, math.ceil(opened + WINDOW_SECONDS - now)))
            self._windows[(org, tier_name)] = (opened, count + 1)
