"""Debounce and latest-wins scheduling for widgets, with clocks that tests can drive by hand.

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
import collections
import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, Generic, Protocol, TypeVar

log = logging.getLogger("pixorder.widgets")

P = TypeVar("P")
R = TypeVar("R")

__all__ = ["Dispatcher", "LatestWins", "ManualScheduler", "Scheduler", "ThreadScheduler", "loop_client",
           "run_client_call"]


def _runs_on_this_loop(futures: Any) -> bool:
    """True when one of ``futures`` is an AsyncClient call on the loop running in this thread.

    Such a call can only progress while that loop runs: a blocking wait for it would never end.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return False
    return any(getattr(f, "pixorder_loop", None) is loop for f in futures if f is not None)


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


class Dispatcher:
    """Runs widget updates on the thread that made the widget: the kernel's own, in a notebook.

    ipywidgets are not thread-safe: a trait set from a worker thread sends its comm message while
    the kernel may be answering the page's request for every widget's state, and Voila (which
    connects the page after the notebook ran) then loses that widget's updates for good. So answers
    from pixorder's loop thread and timer threads are queued and run by the kernel's event loop.
    Outside a running loop (scripts, tests) there is no such thread and callbacks run at once.

    ``wait_for(event)`` blocks like ``event.wait`` but, on the owner thread, runs the queued
    callbacks itself meanwhile: a cell may call ``preview.wait()`` while it holds the kernel's loop.
    """

    def __init__(self) -> None:
        try:
            self._loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = None
        self._owner = threading.get_ident()
        self._queue: collections.deque[Callable[[], None]] = collections.deque()

    @property
    def deferred(self) -> bool:
        """True when callbacks from other threads are queued for the owner's event loop."""
        return self._loop is not None

    def call(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` on the owner thread (now, when already there or when there is no loop)."""
        if self._loop is None or threading.get_ident() == self._owner:
            callback()
            return
        self._queue.append(callback)
        try:
            self._loop.call_soon_threadsafe(self.drain)
        except RuntimeError:  # the loop is closed (kernel shutting down): run it here, not never
            self.drain()

    def drain(self) -> None:
        """Run every queued callback, in order."""
        while True:
            try:
                callback = self._queue.popleft()
            except IndexError:
                return
            try:
                callback()
            except Exception:
                log.exception("widget callback failed")

    def wait_for(self, done: Callable[[], bool], timeout: float, widget: str = "the widget",
                 waiting_on: Callable[[], Any] = tuple) -> bool:
        """Block until ``done()`` or ``timeout``; on the owner thread, run queued callbacks meanwhile.

        Raises :class:`~pixorder.errors.WaitWouldBlock` at once when one of the futures
        ``waiting_on()`` returns runs on the event loop it would block (an ``AsyncClient`` inside a
        notebook): use :meth:`wait_for_async` there.
        """
        deadline = time.monotonic() + timeout
        on_owner = self._loop is not None and threading.get_ident() == self._owner
        while True:
            if on_owner:
                self.drain()
            if done():
                return True
            if _runs_on_this_loop(waiting_on()):
                from pixorder.errors import WaitWouldBlock

                raise WaitWouldBlock(widget)
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(left, 0.005 if on_owner else 0.001))

    async def wait_for_async(self, done: Callable[[], bool], timeout: float) -> bool:
        """``wait_for`` for a coroutine: the event loop keeps running (and answering) while it waits."""
        deadline = time.monotonic() + timeout
        while True:
            if threading.get_ident() == self._owner:
                self.drain()
            if done():
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            await asyncio.sleep(min(left, 0.005))


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
        with self._lock:
            self._latest = params
            self._generation += 1
            if self._timer is not None:
                self._timer.cancel()
            self._set_busy(True)
            self._timer = self.scheduler.call_later(self.delay, lambda: self.dispatcher.call(self._fire))

    def cancel(self) -> None:
        """Forget pending inputs (e.g. the AOI was cleared); an in-flight answer will be dropped."""
        with self._lock:
            self._generation += 1
            self._latest = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._in_flight is None:
                self._set_busy(False)

    def flush(self) -> None:
        """Start the pending call now instead of waiting for the debounce delay."""
        with self._lock:
            if self._timer is None:
                return
            self._timer.cancel()
        self._fire()

    def wait(self, timeout: float = 30.0, widget: str = "the widget") -> bool:
        """Block until nothing is pending or in flight and the answer is shown; True when idle."""
        return self.dispatcher.wait_for(self._idle.is_set, timeout, widget, lambda: (self._in_flight,))

    async def wait_async(self, timeout: float = 30.0) -> bool:
        """``wait()`` that lets the event loop run: for widgets fed by an ``AsyncClient`` in a notebook."""
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
def _async_client(client: Any) -> Any:
    """The AsyncClient behind a Client (or the AsyncClient itself)."""
    return getattr(client, "aio", client)


def loop_client(clients: Any) -> Any:
    """The client a call over several ``clients`` runs with in :func:`run_client_call`.

    An ``AsyncClient``'s connections belong to the event loop it was used on, so a call over
    AsyncClients must run on that loop; sync ``Client``s share pixorder's own thread (``None``).
    Mixing the two in one widget is refused: no single loop can serve both.
    """
    items = list(clients)
    asyncs = [c for c in items if c is not None and _async_client(c) is c]
    if not asyncs:
        return None
    if len(asyncs) != len(items):
        from pixorder.errors import ValidationError

        raise ValidationError("clients", "use either sync Clients (pixorder.connect) or AsyncClients in one "
                              "widget, not both")
    return asyncs[0]


def run_client_call(client: Any, make: Callable[[Any], Coroutine[Any, Any, R]]) -> concurrent.futures.Future[R]:
    """Run ``make(async_client)`` off the kernel's thread and return a future for its answer.

    A sync ``Client`` owns its connections on pixorder's loop thread, so its coroutines must run
    there; running them there also keeps the kernel responsive while the sandbox or a provider
    answers. An ``AsyncClient`` used inside a running loop (a notebook) is scheduled on that loop.
    """
    aio = _async_client(client)
    loop = None
    if client is not None and aio is client:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            pass
    if loop is None:
        from pixorder.client.sync import submit

        return submit(make(aio))
    outer: concurrent.futures.Future[R] = concurrent.futures.Future()
    task = loop.create_task(make(aio))
    outer.pixorder_loop = loop  # type: ignore[attr-defined]  # see _runs_on_this_loop

    def copy(done: asyncio.Task[R]) -> None:
        if done.cancelled():
            outer.cancel()
        elif done.exception() is not None:
            outer.set_exception(done.exception())  # type: ignore[arg-type]
        else:
            outer.set_result(done.result())

    task.add_done_callback(copy)
    return outer


class Background:
    """Runs one-off client calls (place, list, decide) off the kernel thread and tracks them for ``wait()``.

    ``on_done(result, error)`` is called once with exactly one of the two set.
    """

    def __init__(self, dispatcher: Dispatcher | None = None) -> None:
        self._pending: set[concurrent.futures.Future[Any]] = set()
        self._lock = threading.Lock()
        self.dispatcher = dispatcher or Dispatcher()

    def run(self, client: Any, make: Callable[[Any], Coroutine[Any, Any, R]],
            on_done: Callable[[R | None, BaseException | None], None]) -> concurrent.futures.Future[R]:
        future = run_client_call(client, make)
        with self._lock:
            self._pending.add(future)

        def finished(f: concurrent.futures.Future[R]) -> None:
            try:
                exc = f.exception()
            except BaseException as cancelled:
                exc = cancelled
            try:
                on_done(None if exc is not None else f.result(), exc)
            except Exception:
                log.exception("widget callback failed")
            finally:
                with self._lock:
                    self._pending.discard(f)

        future.add_done_callback(lambda f: self.dispatcher.call(lambda: finished(f)))
        return future

    def _unfinished(self) -> list[concurrent.futures.Future[Any]]:
        with self._lock:
            return list(self._pending)

    def wait(self, timeout: float = 30.0, widget: str = "the widget") -> bool:
        """Block until every call started so far has finished and its callback ran."""
        return self.dispatcher.wait_for(lambda: not self._unfinished(), timeout, widget, self._unfinished)

    async def wait_async(self, timeout: float = 30.0) -> bool:
        """``wait()`` that lets the event loop run (an ``AsyncClient`` in a notebook)."""
        return await self.dispatcher.wait_for_async(lambda: not self._unfinished(), timeout)
