"""The sandbox's state object: what every handler needs, built once per server."""

from __future__ import annotations

from dataclasses import dataclass, field

from .clock import Clock
from .faults import FaultInjector
from .idempotency import Idempotency
from .keys import SANDBOX_KEYS
from .received import ReceivedLog
from .registry import ProviderSpec
from .store import Store


@dataclass
class SandboxState:
    store: Store
    clock: Clock
    faults: FaultInjector
    idempotency: Idempotency
    seed: int = 0
    keys: dict[str, str] = field(default_factory=lambda: dict(SANDBOX_KEYS))
    providers: dict[str, ProviderSpec] = field(default_factory=dict)  # filled by create_app
    received: ReceivedLog = field(default_factory=ReceivedLog)

    @classmethod
    def create(cls, db: str | None = None, seed: int = 0) -> SandboxState:
        store = Store(db)
        clock = Clock(store)
        return cls(store, clock, FaultInjector(seed), Idempotency(store, clock), seed)

    def reset(self) -> None:
        """Forget every document, idempotency key and clock offset; clear faults and counters."""
        self.store.clear()
        self.faults.reset(self.seed)
        self.received.clear()
