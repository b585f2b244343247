"""Planet's 2.0.0 rate limits: 300 requests/minute sustained with bursts up to 40/s, per key.

Relaxed by default (a sandbox should not throttle a notebook); switched on with
``POST /_sandbox/planet/rate-limits {"enabled": true}`` (``Sandbox.rate_limits("planet")``), which
may also lower ``per_second``/``per_minute`` for tests. The switch lives in the store's meta table,
so ``/_sandbox/reset`` relaxes the limits again. Counting uses real (monotonic) time, not the
sandbox clock: rate limits are about how fast a client calls. A request counts at its arrival (stamped
by the outermost middleware, ``RecordReceived``), as Planet's gateway counts it, not when the server
gets round to it: behind a busy moment, requests that arrived a second apart are handled together.

Over a limit: 429 ``{"detail": "Request was throttled. Expected available in N seconds."}`` (DRF's
throttling message) with ``Retry-After: N``. Refused requests are not counted.
"""

from __future__ import annotations

import math
import threading
import time
from bisect import bisect_right, insort
from typing import Any

from ..rate_switch import RateSwitch
from ..store import Store
from ..web import ApiError

PER_SECOND, PER_MINUTE = 40, 300
_META_KEY = "planet.rate_limits"


class RateLimiter:
    """Two sliding windows per key: at most ``per_second`` in any 1 s and ``per_minute`` in any 60 s."""

    def __init__(self, store: Store) -> None:
        self._switch = RateSwitch(store, _META_KEY, {"per_second": PER_SECOND, "per_minute": PER_MINUTE})
        self._lock = threading.Lock()
        self._seen: dict[str, list[float]] = {}  # per key, arrival times in order

    def config(self) -> dict[str, Any]:
        return self._switch.config()

    def configure(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            config = self._switch.configure(body)
            self._seen.clear()  # a fresh switch starts from zero
        return config

    def check(self, who: str, arrived: float | None = None) -> None:
        """Count one request of ``who`` arrived at ``arrived`` (monotonic seconds; now if None); raise a
        429 ApiError when it is over a limit."""
        config = self.config()
        if not config["enabled"]:
            return
        now = time.monotonic() if arrived is None else arrived
        with self._lock:
            seen = self._seen.setdefault(who, [])
            del seen[:bisect_right(seen, now - 60)]
            before = seen[:bisect_right(seen, now)]  # the requests that arrived before this one
            wait = 0.0
            if len(before) >= config["per_minute"]:
                wait = before[-config["per_minute"]] + 60 - now
            if len(before) - bisect_right(before, now - 1) >= config["per_second"]:
                wait = max(wait, before[-config["per_second"]] + 1 - now)
            if wait <= 0:
                insort(seen, now)
                return
        seconds = max(1, math.ceil(wait))
        raise ApiError(429, {"detail": f"Request was throttled. Expected available in {seconds} "
                                       f"second{'s' if seconds != 1 else ''}."},
                       headers={"Retry-After": str(seconds)})
