"""Dispatch onto the kernel's thread: widgets change only there (see docs/architecture.md)."""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("pixorder.widgets")

__all__ = ["Dispatcher"]


def _runs_on_this_loop(futures: Any) -> bool:
    """True when one of ``futures`` is an AsyncClient call on the loop running in this thread.

    Such a call can only progress while that loop runs: a blocking wait for it would never end.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return False
    return any(getattr(f, "pixorder_loop", None) is loop for f in futures if f is not None)


class Dispatcher:
    """Runs widget updates on the thread that made the widget: the kernel's own, in a notebook.

    ipywidgets are not thread-safe: a trait set from a worker thread sends its comm message while
    the kernel may be answering the page's request for every widget's state, and Voila (which
    connects the page after the notebook ran) then loses that widget's updates for good. So answers
    from pixorder's loop thread and timer threads are queued and run by the kernel's event loop.
    Outside a running loop (scripts, tests) there is no such thread and callbacks run at once.

    ``wait_for(event)`` blocks like ``event.wait`` but, on the owner thread, runs the queued
    callbacks itself meanwhile: a cell may call ``preview.wait()`` while it holds the kernel's loop.

    The loop and the owner thread are those running when the dispatcher is made. In a script
    (no loop), a callback runs at once, on whichever thread calls:

    >>> d = Dispatcher()
    >>> d.deferred
    False
    >>> d.call(lambda: print("ran"))
    ran

    Made inside a running loop (a notebook cell), a callback from another thread waits for that loop:

    >>> import asyncio, threading
    >>> async def cell():
    ...     d, ran_on = Dispatcher(), []
    ...     worker = threading.Thread(target=d.call, args=(lambda: ran_on.append(threading.get_ident()),))
    ...     worker.start(); worker.join()
    ...     queued = not ran_on                                 # not run on the worker's thread
    ...     await d.wait_for_async(lambda: bool(ran_on), timeout=5)
    ...     return d.deferred, queued, ran_on == [threading.get_ident()]
    >>> asyncio.run(cell())
    (True, True, True)
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
        """Run ``callback`` on the owner thread (now, when already there or when there is no loop).

        From another thread it is queued and run by the owner's event loop (or, once that loop is
        closed, at once on the calling thread); a queued callback's exception is logged. Run at once,
        its exception reaches the caller.

        Args:
            callback: called with no arguments; its return value is ignored.
        """
        if self._loop is None or threading.get_ident() == self._owner:
            callback()
            return
        self._queue.append(callback)
        try:
            self._loop.call_soon_threadsafe(self.drain)
        except RuntimeError:  # the loop is closed (kernel shutting down): run it here, not never
            self.drain()

    def drain(self) -> None:
        """Run every queued callback, in order, on the calling thread; exceptions are logged.

        The owner's loop calls it after each :meth:`call` from another thread; :meth:`wait_for`
        calls it while it waits. With nothing queued it does nothing:

        >>> Dispatcher().drain()
        """
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

        Args:
            done: polled (every 1-5 ms) until it returns True.
            timeout: seconds to wait at most.
            widget: the name the ``WaitWouldBlock`` message gives the waiting widget.
            waiting_on: returns the futures being waited for (None entries are ignored); checked
                for calls that only the current event loop can finish.

        Returns:
            True once ``done()``; False when ``timeout`` passed first.

        Raises:
            pixorder.errors.WaitWouldBlock: at once, when one of the futures ``waiting_on()``
                returns runs on the event loop this call would block (an ``AsyncClient`` inside a
                notebook): use :meth:`wait_for_async` there.

        >>> import time
        >>> ready_at = time.monotonic() + 0.02
        >>> Dispatcher().wait_for(lambda: time.monotonic() >= ready_at, timeout=5)
        True
        >>> Dispatcher().wait_for(lambda: False, timeout=0.01)
        False
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
        """``wait_for`` for a coroutine: the event loop keeps running (and answering) while it waits.

        Args:
            done: polled (every 5 ms) until it returns True.
            timeout: seconds to wait at most.

        Returns:
            True once ``done()``; False when ``timeout`` passed first.

        >>> import asyncio
        >>> asyncio.run(Dispatcher().wait_for_async(lambda: True, timeout=1))
        True
        """
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
