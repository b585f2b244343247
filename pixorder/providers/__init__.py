"""Provider adapters: the only place that knows a wire format (neutral model ⇄ HTTP payload).

The facts about each provider (key variable, API root, minimums, limits, reference carrier, which
adapter to load) live in one table, :mod:`pixorder.providers.table`.
"""

from __future__ import annotations

from pixorder.providers.table import NAMES as PROVIDERS

__all__ = ["PROVIDERS"]
