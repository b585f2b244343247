"""Timers for debouncing: :class:`ThreadScheduler` in notebooks, :class:`ManualScheduler` in tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["Cancellable", "ManualScheduler", "Scheduler", "ThreadScheduler"]


class Cancellable(Protocol):
    def cancel(self) -> Any: ...


class Scheduler(Protocol):
    """Runs ``callback`` once after ``delay`` seconds unless the returned handle is cancelled."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable: ...


class ThreadScheduler:
    """Real time, on daemon timer threads: never blocks the kernel, survives no running event loop."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        timer = threading.Timer(delay, callback)
        timer.daemon = True
        timer.start()
        return timer


class _ManualHandle:
    def __init__(self, due: float, callback: Callable[[], None]):
        self.due = due
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualScheduler:
    """A clock that moves only when told: ``advance(seconds)`` runs what fell due, in order.

    Makes debounce behaviour deterministic in tests: no sleeps, no races.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self._handles: list[_ManualHandle] = []

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        handle = _ManualHandle(self.now + delay, callback)
        self._handles.append(handle)
        return handle

    @property
    def pending(self) -> int:
        return sum(1 for h in self._handles if not h.cancelled)

    def advance(self, seconds: float) -> None:
        target = self.now + seconds
        while True:
            due = sorted((h for h in self._handles if not h.cancelled and h.due <= target), key=lambda h: h.due)
            if not due:
                break
            handle = due[0]
            self._handles.remove(handle)
            self.now = max(self.now, handle.due)
            handle.callback()
        self._handles = [h for h in self._handles if not h.cancelled]
        self.now = target
