"""Provider adapters: the only place that knows a wire format (neutral model ⇄ HTTP payload)."""

from __future__ import annotations

PROVIDERS = ("pixxel", "planet", "geopera")
