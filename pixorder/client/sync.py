"""Client: the synchronous face, a thin layer that runs AsyncClient's coroutines on a loop thread.

One implementation serves both flavours (as planet-client-python does): the sync client never
duplicates logic, and it works inside a notebook whose own event loop is already running.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import inspect
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

from pixorder.client.core import AsyncClient
from pixorder.client.results import Listing

T = TypeVar("T")


class _LoopThread:
    """A daemon thread running one event loop for every sync client of the process."""

    _lock = threading.Lock()
    _instance: _LoopThread | None = None

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="pixorder-loop", daemon=True)
        self.thread.start()

    @classmethod
    def get(cls) -> _LoopThread:
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        if threading.current_thread() is self.thread:
            raise RuntimeError("a sync pixorder call cannot run inside pixorder's own loop; use AsyncClient")
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on pixorder's loop thread and wait for its result (what every sync call does)."""
    return _LoopThread.get().run(coro)


def submit(coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    """Start ``coro`` on pixorder's loop thread without waiting: the widgets' way to stay responsive."""
    return asyncio.run_coroutine_threadsafe(coro, _LoopThread.get().loop)


class SyncListing:
    """A lazy listing you iterate with a plain ``for``; ``to_geodataframe()`` fetches every page."""

    def __init__(self, listing: Listing[Any]):
        self._listing = listing

    def __repr__(self) -> str:
        return repr(self._listing)

    def __iter__(self) -> Iterator[Any]:
        agen = self._listing.__aiter__()
        loop = _LoopThread.get()
        try:
            while True:
                try:
                    yield loop.run(agen.__anext__())
                except StopAsyncIteration:
                    return
        finally:
            loop.run(agen.aclose())

    def collect(self) -> Any:
        return run_sync(self._listing.collect())

    def to_geodataframe(self) -> Any:
        return run_sync(self._listing.to_geodataframe())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._listing, name)


class _SyncFacade:
    """Wraps an async facade: coroutine methods run to completion, listings become SyncListings."""

    def __init__(self, inner: Any):
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def call(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)
            if inspect.iscoroutine(result):
                return run_sync(result)
            if isinstance(result, Listing):
                return SyncListing(result)
            return result

        return call

    def __dir__(self) -> list[str]:
        return [n for n in dir(self._inner) if not n.startswith("_")]


class Client:
    """Prices, orders and lists for one provider, synchronously; every result is a model or a frame.

    >>> import pixorder
    >>> client = pixorder.connect("sandbox", api="planet")       # no key: the embedded sandbox
    >>> client.sensors().to_geodataframe()[["id", "resolution_m"]]   # doctest: +SKIP
    """

    def __init__(self, provider: str = "sandbox", api_key: str | None = None, base_url: str | None = None,
                 **options: Any):
        self.aio = AsyncClient(provider, api_key, base_url, **options)
        self.pricing = _SyncFacade(self.aio.pricing)
        self.orders = _SyncFacade(self.aio.orders)
        self.order_items = _SyncFacade(self.aio.order_items)
        self.tasks = _SyncFacade(self.aio.tasks)
        self.quotations = _SyncFacade(self.aio.quotations)
        self.feasibility = _SyncFacade(self.aio.feasibility)
        self.deliveries = _SyncFacade(self.aio.deliveries)
        self.imaging_windows = _SyncFacade(self.aio.imaging_windows)

    provider = property(lambda self: self.aio.provider)
    is_sandbox = property(lambda self: self.aio.is_sandbox)
    base_url = property(lambda self: self.aio.base_url)
    sandbox = property(lambda self: self.aio.sandbox)
    transport = property(lambda self: self.aio.transport)

    def __repr__(self) -> str:
        return repr(self.aio).replace("AsyncClient", "Client")

    def sensors(self) -> Any:
        return run_sync(self.aio.sensors())

    def close(self) -> None:
        run_sync(self.aio.aclose())

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def connect(provider: str = "sandbox", api_key: str | None = None, base_url: str | None = None,
            **options: Any) -> Client:
    """A synchronous client for one provider's API, or for the embedded sandbox's emulation of it.

    Args:
        provider: ``"sandbox"`` (the default: no key, no network, nothing billed), ``"pixxel"``,
            ``"planet"`` or ``"geopera"`` for the real APIs.
        api_key: the provider's key. Without it, the environment variable ``PIXXEL_API_KEY``,
            ``PL_API_KEY`` or ``GEOPERA_API_KEY``; the sandbox uses its own well-known keys.
        base_url: another address for the API, e.g. a sandbox served by ``pixorder sandbox serve``
            (``"http://127.0.0.1:8765"``) or a proxy; the documented API root may be included.
        **options: keyword options:

            - ``api`` (str): with ``"sandbox"``, which API it speaks: ``"pixxel"`` (default), ``"planet"``
              or ``"geopera"``.
            - ``timeout`` (float, seconds, default 30): for each HTTP request.
            - ``retries`` (int, default 5): attempts for a call that failed in a way worth retrying
              (connection errors, 429, 5xx); a spending call is never resent blindly.
            - ``backoff`` (float, seconds, default 0.2): the scale of the waits between attempts
              (up to ``backoff × 2^attempt``, jittered, at most 8 s); a ``Retry-After`` from the server wins.
            - ``rate_limits`` (dict, bucket → (calls, seconds)): override the client's pacing, e.g.
              ``{"default": (10, 1.0)}`` for 10 calls a second; the sandbox is not paced by default.
            - ``page_size`` (int, rows): rows asked for per page by listings (default: the provider's).
            - ``progress`` (bool, default True): a progress bar for long listings.
            - ``reconcile_delay`` / ``reconcile_patience`` (float, seconds, defaults 0.5 / 30): how soon
              and how long an order whose answer was lost is looked up by its reference before
              ``AmbiguousSpend`` is raised.
            - ``workspace_id`` (str, Geopera, default ``"default"``): the workspace orders are placed in.
            - ``default_sensor`` (str, Geopera): the sensor used when a request names none (default:
              the catalogue's first).

    Returns:
        Client: with ``sensors()`` and the facades ``pricing``, ``orders``, ``order_items``, ``tasks``,
        ``quotations`` and ``feasibility``; use it as a context manager, or ``close()`` it.

    Raises:
        AuthError: a real provider without a key (names the environment variable to set).
        ValidationError: an unknown ``provider`` or ``api``.

    Example:
        >>> import pixorder
        >>> client = pixorder.connect("sandbox", api="planet")            # doctest: +SKIP
        >>> quote = client.pricing.estimate(pixorder.TaskingRequest(      # doctest: +SKIP
        ...     aoi={"type": "Point", "coordinates": [4.35, 50.85]}, start="2027-03-01", end="2027-03-21"))
        >>> quote.amount, quote.unit, quote.billed_area_km2                 # doctest: +SKIP
        (25.0, 'SQKM', 25.0)
        >>> live = pixorder.connect("geopera", workspace_id="ws-1")        # doctest: +SKIP
    """
    return Client(provider, api_key, base_url, **options)
