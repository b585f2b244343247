"""Client calls off the kernel's thread: on pixorder's loop thread, or on the notebook's loop for AsyncClients."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from pixorder.widgets.scheduling.dispatch import Dispatcher

log = logging.getLogger("pixorder.widgets")
R = TypeVar("R")

__all__ = ["Background", "async_client", "loop_client", "run_client_call"]


def async_client(client: Any) -> Any:
    """The AsyncClient behind a Client (or the AsyncClient itself).

    >>> import pixorder
    >>> type(async_client(pixorder.connect("sandbox", api="planet"))).__name__
    'AsyncClient'
    """
    return getattr(client, "aio", client)


def loop_client(clients: Any) -> Any:
    """The client a call over several ``clients`` runs with in :func:`run_client_call`.

    An ``AsyncClient``'s connections belong to the event loop it was used on, so a call over
    AsyncClients must run on that loop; sync ``Client``s share pixorder's own thread (``None``).
    Mixing the two in one widget is refused: no single loop can serve both.

    Args:
        clients: an iterable of sync ``Client``s and/or ``AsyncClient``s (None entries count as sync).

    Returns:
        The first ``AsyncClient`` when all are AsyncClients; None when all are sync (or there are none).

    Raises:
        pixorder.ValidationError: sync Clients and AsyncClients mixed.

    >>> import pixorder
    >>> sync = pixorder.connect("sandbox", api="planet", progress=False)
    >>> aio = pixorder.AsyncClient("sandbox", api="planet", progress=False)
    >>> loop_client([sync, sync]) is None, loop_client([aio]) is aio
    (True, True)
    >>> loop_client([sync, aio])
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: clients: use either sync Clients (pixorder.connect) or AsyncClients in one widget, not both
    """
    items = list(clients)
    asyncs = [c for c in items if c is not None and async_client(c) is c]
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

    Args:
        client: a sync ``Client``, an ``AsyncClient``, or None (the call runs on pixorder's thread).
        make: ``make(async_client)`` returns the coroutine to run; it gets the ``AsyncClient`` behind
            ``client`` (``client.aio`` for a sync one).

    Returns:
        A ``concurrent.futures.Future`` of the coroutine's result (or exception).

    >>> import pixorder
    >>> client = pixorder.connect("sandbox", api="planet", progress=False)
    >>> future = run_client_call(client, lambda aio: aio.sensors())
    >>> [sensor.id for sensor in future.result(timeout=30)]
    ['Flexible Tasking', 'Assured Tasking', 'Monitoring Tasking']
    """
    aio = async_client(client)
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

    Args:
        dispatcher: where ``on_done`` runs (default: a new :class:`Dispatcher`, the kernel's thread
            in a notebook).

    >>> import pixorder
    >>> client = pixorder.connect("sandbox", api="planet", progress=False)
    >>> background, got = Background(), []
    >>> _ = background.run(client, lambda aio: aio.sensors(), lambda sensors, error: got.append(len(sensors)))
    >>> _ = background.run(client, lambda aio: aio.orders.get("o-missing"),
    ...                    lambda order, error: got.append(type(error).__name__))
    >>> background.wait(timeout=30), sorted(got, key=str)
    (True, [3, 'NotFound'])

    With an ``AsyncClient`` in a running loop (a notebook cell), ``wait()`` refuses to block the loop
    its calls need; ``wait_async()`` waits while it runs:

    >>> import asyncio
    >>> async def cell():
    ...     async with pixorder.AsyncClient("sandbox", api="planet", progress=False) as aio:
    ...         background = Background()
    ...         _ = background.run(aio, lambda a: a.sensors(), lambda sensors, error: None)
    ...         try:
    ...             background.wait(timeout=5)
    ...         except pixorder.errors.WaitWouldBlock as exc:
    ...             refused = type(exc).__name__
    ...         return refused, await background.wait_async(timeout=30)
    >>> asyncio.run(cell())
    ('WaitWouldBlock', True)
    """

    def __init__(self, dispatcher: Dispatcher | None = None) -> None:
        self._pending: set[concurrent.futures.Future[Any]] = set()
        self._lock = threading.Lock()
        self.dispatcher = dispatcher or Dispatcher()

    def run(self, client: Any, make: Callable[[Any], Coroutine[Any, Any, R]],
            on_done: Callable[[R | None, BaseException | None], None]) -> concurrent.futures.Future[R]:
        """Start ``make(async_client)`` off the kernel's thread (see :func:`run_client_call`) and track it.

        Args:
            client: a sync ``Client``, an ``AsyncClient``, or None.
            make: ``make(async_client)`` returns the coroutine to run.
            on_done: ``on_done(result, None)`` or ``on_done(None, error)`` (cancellation included),
                once, through the dispatcher; an exception it raises is logged.

        Returns:
            The call's ``concurrent.futures.Future``.
        """
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
        """Block until every call started so far has finished and its callback ran.

        Args:
            timeout: seconds to wait at most.
            widget: the widget's name for the ``WaitWouldBlock`` message.

        Returns:
            True when all are done; False when ``timeout`` passed first.

        Raises:
            pixorder.errors.WaitWouldBlock: a call runs on the event loop this would block (an
                ``AsyncClient`` in a notebook cell): ``await wait_async()`` there.
        """
        return self.dispatcher.wait_for(lambda: not self._unfinished(), timeout, widget, self._unfinished)

    async def wait_async(self, timeout: float = 30.0) -> bool:
        """``wait()`` that lets the event loop run (an ``AsyncClient`` in a notebook).

        Args:
            timeout: seconds to wait at most.

        Returns:
            True when every call is done and its callback ran; False when ``timeout`` passed first.
        """
        return await self.dispatcher.wait_for_async(lambda: not self._unfinished(), timeout)
