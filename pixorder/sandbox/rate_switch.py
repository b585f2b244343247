"""The switch of a provider's opt-in rate limits (Planet's, Geopera's): off by default, kept in the store's
meta table (so ``/_sandbox/reset`` relaxes them again), and its admin routes ``GET``/``POST
/_sandbox/<provider>/rate-limits``. What is counted, and how a refusal looks, stays with each provider.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Body, HTTPException

from .store import Store


class RateSwitch:
    """``{"enabled": False, <limit>: <positive int>, …}`` in the store's meta table under ``key``."""

    def __init__(self, store: Store, key: str, defaults: dict[str, Any]) -> None:
        self._store = store
        self._key = key
        self.defaults = {"enabled": False, **defaults}

    def config(self) -> dict[str, Any]:
        stored = self._store.get_meta(self._key)
        return {**self.defaults, **(json.loads(stored) if stored else {})}

    def configure(self, body: dict[str, Any]) -> dict[str, Any]:
        """Store the switch with ``body``'s changes; ValueError for a bad value (nothing stored)."""
        config = {**self.config(), **{k: body[k] for k in self.defaults if k in body}}
        if not isinstance(config["enabled"], bool):
            raise ValueError("enabled must be true or false")
        for key in self.defaults:
            if key != "enabled" and (isinstance(config[key], bool) or not isinstance(config[key], int) or config[key] < 1):
                raise ValueError(f"{key} must be a positive integer")
        self._store.set_meta(self._key, json.dumps(config))
        return config


def add_routes(admin: APIRouter, limits: Any, *, read: str, switch: str, example: dict[str, Any]) -> None:
    """``GET``/``POST /rate-limits`` on ``admin`` for ``limits`` (its ``config()`` and ``configure(body)``);
    ``read`` and ``switch`` are the two routes' summaries in the OpenAPI page."""

    @admin.get("/rate-limits", summary=read)
    def get_limits() -> dict[str, Any]:
        return limits.config()

    @admin.post("/rate-limits", summary=switch)
    def set_limits(body: dict[str, Any] = Body(..., examples=[example])) -> dict[str, Any]:
        try:
            return limits.configure(body)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
