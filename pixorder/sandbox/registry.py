"""How a provider module plugs into the sandbox core (see the package docstring for the recipe)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter

from .clock import Stepper
from .paths import PROVIDER_PREFIXES
from .web import ApiError

#: the server's state a router, stepper or seeder is built on (``state.SandboxState``; not imported
#: here: the state module imports this one)
SandboxState = Any


Seeder = Callable[[SandboxState, dict[str, Any]], dict[str, Any]]
"""``seeder(state, params) -> {"inserted": n, ...}``; params is the JSON body of /_sandbox/seed."""


def default_error(status: int, message: str) -> ApiError:
    return ApiError(status, {"detail": message})


@dataclass
class ProviderSpec:
    """Everything the core needs to know about one emulated provider.

    * ``build_router(state)`` returns an APIRouter whose paths already carry the provider prefix.
    * ``error(status, message)`` builds an :class:`ApiError` in the provider's error shape; the core
      uses it for injected faults and for unknown paths under the prefix.
    * ``validation_error(exc)`` converts FastAPI's RequestValidationError (bad query parameter
      types, ...) to the provider's shape; None keeps FastAPI's 422.
    * ``stepper(doc, now)`` applies due life-cycle transitions (see :mod:`.clock`); or
      ``bind_stepper(state)`` returns such a stepper bound to the server's state, for life cycles
      that write other documents as they move (Planet's captures and bulk requests).
    * ``seeders`` maps a kind (``"orders"``, ``"order_items"``, ...) to a bulk seeder; the first
      one is the default when /_sandbox/seed names no kind.
    """

    name: str
    build_router: Callable[[SandboxState], APIRouter]
    error: Callable[[int, str], ApiError] = default_error
    validation_error: Callable[[Exception], ApiError] | None = None
    stepper: Stepper | None = None
    bind_stepper: Callable[[SandboxState], Stepper] | None = None
    seeders: dict[str, Seeder] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return PROVIDER_PREFIXES[self.name]

