"""The sandbox's path table: which emulated API a request path belongs to.

Path prefixes are fixed by the real APIs. The fault injector and the request recorder use them even
for providers whose module is not loaded, so faults can be configured per provider from day one.
This module imports nothing, so every other module of the sandbox may read it without a cycle.
"""

from __future__ import annotations

PROVIDER_PREFIXES: dict[str, str] = {"pixxel": "/v0/", "planet": "/tasking/v2/", "geopera": "/v1/"}


def provider_for_path(path: str) -> str | None:
    """The provider whose API ``path`` is under, or None (``/_sandbox/…``, ``/ping``)."""
    for name, prefix in PROVIDER_PREFIXES.items():
        if path.startswith(prefix) or path == prefix.rstrip("/"):
            return name
    return None
