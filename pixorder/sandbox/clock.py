"""The sandbox clock: real UTC now plus an offset the user advances, persisted in the store.

Life cycles are driven by the store's ``due_at`` column: a provider stores each resource with the
sandbox time of its next transition, and registers a stepper (see :class:`.providers.ProviderSpec`)
that applies every transition due by a given time. :meth:`Clock.advance` runs due transitions at
once, and the app also runs them lazily before every provider request, so statuses also move as
real time passes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from .store import Doc, Store
from .timeutil import UTC, iso

_OFFSET_KEY = "clock_offset_seconds"

Stepper = Callable[[Doc, datetime], Doc]
"""Applies every transition of ``doc`` due at or before the time given; returns it with a new due_at."""


class Clock:
    """Sandbox time. ``now()`` is monotonic in the offset: advancing never goes back."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._steppers: dict[str, Stepper] = {}

    def register(self, provider: str, stepper: Stepper) -> None:
        """Called by the app factory for each provider that has life cycles."""
        self._steppers[provider] = stepper

    @property
    def offset(self) -> timedelta:
        return timedelta(seconds=float(self._store.get_meta(_OFFSET_KEY, "0") or 0))

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, *, days: float = 0, hours: float = 0) -> datetime:
        """Move sandbox time forward and apply every transition that became due."""
        if days < 0 or hours < 0:
            raise ValueError("the sandbox clock only moves forward")
        seconds = self.offset.total_seconds() + days * 86400 + hours * 3600
        self._store.set_meta(_OFFSET_KEY, repr(seconds))
        self.run_due()
        return self.now()

    def run_due(self) -> int:
        """Apply due transitions of every provider; returns how many documents were stepped."""
        now = self.now()
        stepped = 0
        while True:
            with self._store.transaction():
                # Providers without a stepper (module not loaded) keep their rows untouched.
                batch = self._store.due(iso(now), providers=sorted(self._steppers), limit=1000)
                for doc in batch:
                    stepped_doc = self._steppers[doc.provider](doc, now)
                    if stepped_doc.due_at is not None and stepped_doc.due_at <= iso(now):
                        raise RuntimeError(f"{doc.provider} stepper left {doc.kind} {doc.id} due in the past")
                    self._store.put(stepped_doc)
            stepped += len(batch)
            if len(batch) < 1000:
                return stepped

