"""Client: the synchronous face, a thin layer that runs AsyncClient's coroutines on a loop thread.

One implementation serves both flavours (as planet-client-python does): the sync client never
duplicates logic, and it works inside a notebook whose own event loop is already running.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from pixorder import models as m
from pixorder.client import core
from pixorder.client.core import AsyncClient
from pixorder.client.results import Listing, Results
from pixorder.client.transport import Transport
from pixorder.providers.base import Request

if TYPE_CHECKING:
    import geopandas

T = TypeVar("T")
A = TypeVar("A")


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

    def run(self, coro: Awaitable[T]) -> T:
        if threading.current_thread() is self.thread:
            raise RuntimeError("a sync pixorder call cannot run inside pixorder's own loop; use AsyncClient")
        return asyncio.run_coroutine_threadsafe(_awaited(coro), self.loop).result()


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on pixorder's loop thread and wait for its result (what every sync call does)."""
    return _LoopThread.get().run(coro)


def submit(coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    """Start ``coro`` on pixorder's loop thread without waiting: the widgets' way to stay responsive."""
    return asyncio.run_coroutine_threadsafe(coro, _LoopThread.get().loop)


class SyncListing(Generic[T]):
    """A lazy listing you iterate with a plain ``for``; ``to_geodataframe()`` fetches every page."""

    def __init__(self, listing: Listing[T]):
        self._listing = listing

    def __repr__(self) -> str:
        return repr(self._listing)

    def __iter__(self) -> Iterator[T]:
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

    def collect(self) -> Results[T]:
        """Every row, fetched now, as a list of models.

        Raises:
            ApiError: the provider refused a page (after the transport's retries).
        """
        return run_sync(self._listing.collect())

    def to_geodataframe(self) -> geopandas.GeoDataFrame:
        """Every row, fetched now, as a GeoDataFrame (EPSG:4326, the entity's fixed columns).

        Raises:
            ApiError: the provider refused a page (after the transport's retries).
        """
        return run_sync(self._listing.to_geodataframe())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._listing, name)


F = TypeVar("F", bound=Callable[..., Any])


def _doc_of(async_method: Callable[..., Any]) -> Callable[[F], F]:
    """Give a sync method the docstring of the async method it runs (written once, in core.py)."""

    def give(method: F) -> F:
        method.__doc__ = async_method.__doc__
        return method

    return give


class _SyncFacade(Generic[A]):
    """Wraps an async facade: coroutine methods run to completion on the loop thread."""

    def __init__(self, inner: A):
        self._inner = inner

    def __repr__(self) -> str:
        return f"<pixorder {type(self).__name__} (sync)>"


class Pricing(_SyncFacade[core.Pricing]):
    """Prices: ``client.pricing.estimate(request)`` (see :meth:`pixorder.client.core.Pricing.estimate`)."""

    @overload
    def estimate(self, requests: Request) -> m.Quote: ...
    @overload
    def estimate(self, requests: Sequence[Request]) -> Results[m.Quote]: ...

    @_doc_of(core.Pricing.estimate)
    def estimate(self, requests: Request | Sequence[Request]) -> m.Quote | Results[m.Quote]:
        priced: Coroutine[Any, Any, m.Quote | Results[m.Quote]] = self._inner.estimate(requests)
        return run_sync(priced)


class Orders(_SyncFacade[core.Orders]):
    """Orders: create (with the spending rule), create_many, reconcile, get, list, edit, cancel."""

    @_doc_of(core.Orders.create)
    def create(self, request: Request, *, dry_run: bool = False, max_amount: float | None = None,
               reference: str | None = None) -> m.Order:
        return run_sync(self._inner.create(request, dry_run=dry_run, max_amount=max_amount, reference=reference))

    @_doc_of(core.Orders.create_many)
    def create_many(self, requests: Iterable[Request], *, references: Sequence[str] | None = None,
                    concurrency: int = 8, progress: bool | None = None) -> Results[m.Order]:
        return run_sync(self._inner.create_many(requests, references=references, concurrency=concurrency,
                                                progress=progress))

    @_doc_of(core.Orders.reconcile)
    def reconcile(self, reference: str) -> m.Order | None:
        return run_sync(self._inner.reconcile(reference))

    @_doc_of(core.Orders.get)
    def get(self, order_id: str) -> m.Order:
        return run_sync(self._inner.get(order_id))

    @_doc_of(core.Orders.list)
    def list(self, *, limit: int | None = None, progress: bool | None = None, **filters: Any) -> SyncListing[m.Order]:
        return SyncListing(self._inner.list(limit=limit, progress=progress, **filters))

    @_doc_of(core.Orders.edit)
    def edit(self, order_id: str, **changes: Any) -> m.Order:
        return run_sync(self._inner.edit(order_id, **changes))

    @_doc_of(core.Orders.cancel)
    def cancel(self, order_id: str) -> m.Order:
        return run_sync(self._inner.cancel(order_id))


class OrderItems(_SyncFacade[core.OrderItems]):
    """Order items (Pixxel: one per AOI of an order)."""

    @_doc_of(core.OrderItems.list)
    def list(self, *, limit: int | None = None, progress: bool | None = None,
             **filters: Any) -> SyncListing[m.OrderItem]:
        return SyncListing(self._inner.list(limit=limit, progress=progress, **filters))


class Tasks(_SyncFacade[core.Tasks]):
    """Acquisition tasks of tasking orders."""

    @_doc_of(core.Tasks.list)
    def list(self, *, limit: int | None = None, progress: bool | None = None, **filters: Any) -> SyncListing[m.Task]:
        return SyncListing(self._inner.list(limit=limit, progress=progress, **filters))


class Quotations(_SyncFacade[core.Quotations]):
    """Quotations a provider offers before an order (Geopera)."""

    @_doc_of(core.Quotations.list)
    def list(self, *, limit: int | None = None, progress: bool | None = None,
             **filters: Any) -> SyncListing[m.Quotation]:
        return SyncListing(self._inner.list(limit=limit, progress=progress, **filters))

    @_doc_of(core.Quotations.decide)
    def decide(self, quotation_id: str, accept: bool) -> m.Quotation:
        return run_sync(self._inner.decide(quotation_id, accept))


class Feasibility(_SyncFacade[core.Feasibility]):
    """Feasibility checks and studies (Geopera)."""

    @_doc_of(core.Feasibility.check)
    def check(self, request: m.TaskingRequest) -> Results[m.FeasibilityStudy]:
        return run_sync(self._inner.check(request))

    @_doc_of(core.Feasibility.list)
    def list(self, *, limit: int | None = None, progress: bool | None = None,
             **filters: Any) -> SyncListing[m.FeasibilityStudy]:
        return SyncListing(self._inner.list(limit=limit, progress=progress, **filters))

    @_doc_of(core.Feasibility.decide)
    def decide(self, study_id: str, option_id: str) -> m.FeasibilityStudy:
        return run_sync(self._inner.decide(study_id, option_id))


class Deliveries(_SyncFacade[core.Deliveries]):
    """Where an order's imagery is."""

    @_doc_of(core.Deliveries.list)
    def list(self, order_id: str) -> Results[m.Delivery]:
        return run_sync(self._inner.list(order_id))


class ImagingWindows(_SyncFacade[core.ImagingWindows]):
    """Imaging windows (Planet Assured Tasking)."""

    @_doc_of(core.ImagingWindows.search)
    def search(self, request: m.TaskingRequest) -> Results[m.ImagingWindow]:
        return run_sync(self._inner.search(request))


class Client:
    """Prices, orders and lists for one provider, synchronously; every result is a model or a frame.

    >>> import pixorder
    >>> client = pixorder.connect("sandbox", api="planet")       # no key: the embedded sandbox
    >>> client.sensors().to_geodataframe()[["id", "resolution_m"]]   # doctest: +SKIP
    """

    def __init__(self, provider: str = "sandbox", api_key: str | None = None, base_url: str | None = None,
                 **options: Any):
        self.aio = AsyncClient(provider, api_key, base_url, **options)
        self.pricing = Pricing(self.aio.pricing)
        self.orders = Orders(self.aio.orders)
        self.order_items = OrderItems(self.aio.order_items)
        self.tasks = Tasks(self.aio.tasks)
        self.quotations = Quotations(self.aio.quotations)
        self.feasibility = Feasibility(self.aio.feasibility)
        self.deliveries = Deliveries(self.aio.deliveries)
        self.imaging_windows = ImagingWindows(self.aio.imaging_windows)

    @property
    def provider(self) -> str:
        """The provider's name (``"planet"``; a sandbox client names the API it speaks)."""
        return self.aio.provider

    @property
    def is_sandbox(self) -> bool:
        """True when this client talks to a sandbox."""
        return self.aio.is_sandbox

    @property
    def base_url(self) -> str:
        """Scheme and host the calls go to."""
        return self.aio.base_url

    @property
    def sandbox(self) -> Any:
        """The embedded sandbox's handle (``advance()``, ``faults()``, …), or None."""
        return self.aio.sandbox

    @property
    def transport(self) -> Transport:
        """The transport (the only I/O): retries, pacing, redaction."""
        return self.aio.transport

    def __repr__(self) -> str:
        return repr(self.aio).replace("AsyncClient", "Client")

    @_doc_of(AsyncClient.sensors)
    def sensors(self) -> Results[m.Sensor]:
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
