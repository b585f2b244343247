"""Timers for debouncing: :class:`ThreadScheduler` in notebooks, :class:`ManualScheduler` in tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["Cancellable", "ManualScheduler", "Scheduler", "ThreadScheduler"]


class Cancellable(Protocol):
    """The handle a :class:`Scheduler` returns: ``cancel()`` stops the callback if it has not run yet.

    ``threading.Timer`` is one (what :class:`ThreadScheduler` returns), and so is the handle of
    :class:`ManualScheduler`.

    >>> sched = ManualScheduler()
    >>> handle = sched.call_later(1.0, lambda: print("never"))
    >>> handle.cancel()
    >>> sched.advance(2.0); sched.pending
    0
    """

    def cancel(self) -> Any:
        """Stop the callback from running; does nothing once it ran.

        Returns:
            Whatever the implementation returns (None for both schedulers here).
        """
        ...


class Scheduler(Protocol):
    """Runs ``callback`` once after ``delay`` seconds unless the returned handle is cancelled.

    What :class:`~pixorder.widgets.scheduling.LatestWins` and the widgets' ``scheduler=`` take:
    :class:`ThreadScheduler` (real time) or :class:`ManualScheduler` (tests).

    >>> def debounce(scheduler: Scheduler) -> Cancellable:
    ...     return scheduler.call_later(0.4, lambda: print("priced"))
    >>> sched = ManualScheduler()
    >>> _ = debounce(sched)
    >>> sched.advance(0.4)
    priced
    """

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        """Run ``callback()`` once, ``delay`` seconds from now.

        Args:
            delay: seconds (>= 0) from now.
            callback: called with no arguments; on which thread depends on the scheduler.

        Returns:
            A handle whose ``cancel()`` stops the callback if it has not run yet.
        """
        ...


class ThreadScheduler:
    """Real time, on daemon timer threads: never blocks the kernel, needs no running event loop.

    >>> import threading
    >>> fired = threading.Event()
    >>> _ = ThreadScheduler().call_later(0.01, fired.set)
    >>> fired.wait(5)
    True
    >>> ThreadScheduler().call_later(60, lambda: print("never")).cancel()
    """

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        """Run ``callback()`` on a new daemon timer thread after ``delay`` seconds.

        Args:
            delay: seconds from now.
            callback: called with no arguments on the timer thread (widgets hand it to a
                :class:`~pixorder.widgets.scheduling.Dispatcher` to reach the kernel's thread).

        Returns:
            The started ``threading.Timer``; ``cancel()`` stops it.
        """
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

    Makes debounce behaviour deterministic in tests: no sleeps, no races. ``now`` is the clock's
    time in seconds (0.0 at creation); ``pending`` counts the callbacks not yet run nor cancelled.

    >>> sched = ManualScheduler()
    >>> _ = sched.call_later(0.5, lambda: print("at 0.5"))
    >>> _ = sched.call_later(0.2, lambda: print("at 0.2"))
    >>> sched.pending
    2
    >>> sched.advance(0.3)
    at 0.2
    >>> sched.advance(0.3)
    at 0.5
    >>> sched.now, sched.pending
    (0.6, 0)
    """

    def __init__(self) -> None:
        self.now = 0.0
        self._handles: list[_ManualHandle] = []

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        """Run ``callback()`` when the clock has been advanced ``delay`` seconds past ``now``.

        Args:
            delay: seconds of this clock from ``now``.
            callback: called with no arguments, on the thread that calls :meth:`advance`.

        Returns:
            A handle whose ``cancel()`` stops the callback if it has not run yet.
        """
        handle = _ManualHandle(self.now + delay, callback)
        self._handles.append(handle)
        return handle

    @property
    def pending(self) -> int:
        return sum(1 for h in self._handles if not h.cancelled)

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` forward, running every callback that falls due, earliest first.

        A callback that schedules another within the span runs it too (``now`` is its due time
        meanwhile); afterwards ``now`` is the old ``now`` plus ``seconds``.

        Args:
            seconds: how far to move the clock (>= 0).
        """
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
