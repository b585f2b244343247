"""Latest wins: debounce and latest-wins scheduling for widgets, with clocks that tests can drive by hand.

A widget never calls the network from a trait observer directly: edits go to :class:`LatestWins`,
which waits for them to settle (debounce), keeps at most one call in flight, and drops the answer
of a call whose inputs are no longer the latest. The timer is an injectable :class:`Scheduler`, so
tests use :class:`ManualScheduler` (nothing happens until ``advance()`` or ``flush()``) and the
notebook uses :class:`ThreadScheduler`.

>>> sched = ManualScheduler()
>>> runs = []
>>> def start(params):
...     from concurrent.futures import Future
...     runs.append(params); done = Future(); done.set_result(params * 10); return done
>>> lw = LatestWins(start, on_result=lambda p, r: None, on_error=lambda p, e: None, delay=0.5,
...                 scheduler=sched)
>>> for n in range(20):
...     lw.submit(n)
>>> sched.advance(0.5)
>>> runs
[19]
"""


from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pixorder.widgets.scheduling.dispatch import Dispatcher
from pixorder.widgets.scheduling.timers import Cancellable, ManualScheduler, Scheduler, ThreadScheduler  # noqa: F401 - doctest

log = logging.getLogger("pixorder.widgets")
P = TypeVar("P")
R = TypeVar("R")

__all__ = ["LatestWins"]


class LatestWins(Generic[P, R]):
    """Debounced calls with at most one in flight, where only the answer to the latest inputs counts.

    * ``submit(params)`` records the latest inputs and (re)starts the ``delay`` timer.
    * When the timer fires, ``start(params)`` is called and must return a future, unless a call is
      already in flight: then the latest inputs are started as soon as that call ends.
    * An answer whose inputs were superseded is dropped; ``on_result``/``on_error`` only ever see
      the answer to the inputs that are current when it arrives.
    * ``flush()`` skips the remaining debounce; ``wait()`` blocks until idle (scripts and tests).

    Callbacks run through ``dispatcher`` (on the kernel's thread in a notebook, see
    :class:`Dispatcher`); they must not raise (errors are logged).

    Args:
        start: ``start(params)`` begins the call and returns its future (``concurrent.futures`` or
            ``asyncio``); an exception it raises is reported like a failed call.
        on_result: ``on_result(params, result)`` for the answer to the current inputs.
        on_error: ``on_error(params, exc)`` for the failure (or cancellation) of the current inputs.
        delay: debounce in seconds: how long inputs must stay unchanged before a call starts.
        scheduler: the debounce clock (default: a :class:`ThreadScheduler`).
        on_busy: ``on_busy(busy)`` whenever inputs become pending (True) or everything settled (False).
        dispatcher: where answers and timer ticks are handled (default: a new :class:`Dispatcher`).

    The latest inputs win over a call in flight, whose answer is dropped:

    >>> from concurrent.futures import Future
    >>> sched, calls, shown = ManualScheduler(), [], []
    >>> def start(params):
    ...     calls.append(Future()); return calls[-1]
    >>> lw = LatestWins(start, on_result=lambda p, r: shown.append((p, r)),
    ...                 on_error=lambda p, e: shown.append((p, repr(e))), delay=0.4, scheduler=sched)
    >>> lw.submit("a"); lw.flush()            # no debounce: "a" starts now
    >>> lw.submit("b"); sched.advance(0.4)    # "a" is in flight: "b" waits for it
    >>> lw.started, lw.busy
    (1, True)
    >>> calls[0].set_result("price of a")     # superseded: dropped, and "b" starts
    >>> lw.started, shown
    (2, [])
    >>> calls[1].set_result("price of b")
    >>> shown, lw.busy, lw.wait(timeout=1)
    ([('b', 'price of b')], False, True)
    >>> lw.submit("c"); lw.cancel()           # e.g. the AOI was cleared
    >>> sched.advance(1.0); lw.started, lw.busy
    (2, False)
    """

    def __init__(
        self,
        start: Callable[[P], concurrent.futures.Future[R] | asyncio.Future[R]],
        on_result: Callable[[P, R], None],
        on_error: Callable[[P, BaseException], None],
        *,
        delay: float = 0.4,
        scheduler: Scheduler | None = None,
        on_busy: Callable[[bool], None] | None = None,
        dispatcher: Dispatcher | None = None,
    ):
        self._start = start
        self._on_result = on_result
        self._on_error = on_error
        self._on_busy = on_busy
        self.delay = delay
        self.scheduler: Scheduler = scheduler or ThreadScheduler()
        #: where answers and timer ticks are handled: the kernel's thread in a notebook
        self.dispatcher = dispatcher or Dispatcher()
        self._lock = threading.RLock()
        self._idle = threading.Event()
        self._idle.set()
        self._timer: Cancellable | None = None
        self._latest: P | None = None
        self._generation = 0  # bumped by every submit: tells a stale answer from the current one
        self._started_generation = -1
        self._in_flight: Any = None
        #: how many calls were started (what a test counts)
        self.started = 0

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    def submit(self, params: P) -> None:
        """Record ``params`` as the latest inputs and (re)start the ``delay`` timer.

        Args:
            params: the inputs, passed to ``start`` and back to ``on_result``/``on_error``; they
                supersede every earlier submission (an answer to those is dropped).
        """
        with self._lock:
            self._latest = params
            self._generation += 1
            if self._timer is not None:
                self._timer.cancel()
            self._set_busy(True)
            self._timer = self.scheduler.call_later(self.delay, lambda: self.dispatcher.call(self._fire))

    def cancel(self) -> None:
        """Forget pending inputs (e.g. the AOI was cleared); an in-flight answer will be dropped.

        ``busy`` turns False at once when no call is in flight, else when it ends.
        """
        with self._lock:
            self._generation += 1
            self._latest = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._in_flight is None:
                self._set_busy(False)

    def flush(self) -> None:
        """Start the pending call now instead of waiting for the debounce delay.

        Does nothing when no timer is pending; with a call in flight, the latest inputs start when
        it ends.
        """
        with self._lock:
            if self._timer is None:
                return
            self._timer.cancel()
        self._fire()

    def wait(self, timeout: float = 30.0, widget: str = "the widget") -> bool:
        """Block until nothing is pending or in flight and the answer is shown.

        Args:
            timeout: seconds to wait at most.
            widget: the widget's name for the ``WaitWouldBlock`` message.

        Returns:
            True when idle; False when ``timeout`` passed first.

        Raises:
            pixorder.errors.WaitWouldBlock: the call in flight runs on the event loop this would
                block (an ``AsyncClient`` in a notebook cell): ``await wait_async()`` there.
        """
        return self.dispatcher.wait_for(self._idle.is_set, timeout, widget, lambda: (self._in_flight,))

    async def wait_async(self, timeout: float = 30.0) -> bool:
        """``wait()`` that lets the event loop run: for widgets fed by an ``AsyncClient`` in a notebook.

        Args:
            timeout: seconds to wait at most.

        Returns:
            True when idle; False when ``timeout`` passed first.

        >>> import asyncio
        >>> lw = LatestWins(lambda p: None, lambda p, r: None, lambda p, e: None, scheduler=ManualScheduler())
        >>> asyncio.run(lw.wait_async(timeout=1))
        True
        """
        return await self.dispatcher.wait_for_async(self._idle.is_set, timeout)

    # ------------------------------------------------------------------------------------ internals
    def _fire(self) -> None:
        with self._lock:
            self._timer = None
            if self._in_flight is not None or self._started_generation == self._generation:
                return  # the running call's end starts the latest inputs
            if self._latest is None:
                self._set_busy(False)
                return
            params, generation = self._latest, self._generation
            self._launch(params, generation)

    def _launch(self, params: P, generation: int) -> None:
        self._started_generation = generation
        self.started += 1
        try:
            future = self._start(params)
        except BaseException as exc:  # a failure to start is reported like a failed call
            self._in_flight = None
            self._deliver(params, None, exc)
            self._settle()
            return
        self._in_flight = future
        future.add_done_callback(lambda f: self.dispatcher.call(lambda: self._done(f, params, generation)))

    def _done(self, future: Any, params: P, generation: int) -> None:
        with self._lock:
            self._in_flight = None
            current = generation == self._generation
        if current:
            try:
                exc = future.exception()
            except BaseException as cancelled:  # CancelledError
                exc = cancelled
            self._deliver(params, None if exc is not None else future.result(), exc)
        self._settle()

    def _settle(self) -> None:
        with self._lock:
            if self._in_flight is not None:
                return
            if self._timer is not None:
                return  # still editing: the timer will start the latest
            if self._latest is not None and self._started_generation != self._generation:
                self._launch(self._latest, self._generation)
                return
            self._set_busy(False)

    def _deliver(self, params: P, result: Any, exc: BaseException | None) -> None:
        try:
            if exc is not None:
                self._on_error(params, exc)
            else:
                self._on_result(params, result)
        except Exception:  # a widget bug must not kill the scheduler; it is logged, never printed
            log.exception("widget callback failed")

    def _set_busy(self, busy: bool) -> None:
        if busy:
            self._idle.clear()
        else:
            self._idle.set()
        if self._on_busy is not None:
            try:
                self._on_busy(busy)
            except Exception:
                log.exception("widget busy callback failed")


# ------------------------------------------------------------------------------------------- runner
