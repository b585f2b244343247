"""Client: the synchronous face, a thin layer that runs AsyncClient's coroutines on a loop thread.

One implementation serves both flavours (as planet-client-python does): the sync client never
duplicates logic, and it works inside a notebook whose own event loop is already running.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Coroutine, Iterable, Iterator, Sequence
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
    """Run ``coro`` on pixorder's loop thread and wait for its result (what every sync call does).

    Works where an event loop already runs (a notebook cell): the coroutine runs on pixorder's own
    daemon thread, one loop for every sync client of the process.

    Args:
        coro: a coroutine, e.g. an ``AsyncClient`` call.

    Returns:
        what the coroutine returns.

    Raises:
        RuntimeError: called from pixorder's own loop thread (use the ``AsyncClient`` there).
        Exception: whatever the coroutine raises, as it raised it.

    >>> async def answer():
    ...     return 42
    >>> run_sync(answer())
    42
    """
    return _LoopThread.get().run(coro)


def submit(coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    """Start ``coro`` on pixorder's loop thread without waiting: the widgets' way to stay responsive.

    Args:
        coro: a coroutine, e.g. an ``AsyncClient`` call.

    Returns:
        concurrent.futures.Future: its ``result(timeout)`` waits for the coroutine's result (or raises
        its exception); ``add_done_callback`` runs on the loop thread.

    >>> async def answer():
    ...     return 42
    >>> submit(answer()).result(timeout=5)
    42
    """
    return asyncio.run_coroutine_threadsafe(coro, _LoopThread.get().loop)


class SyncListing(Generic[T]):
    """A lazy listing you iterate with a plain ``for``; ``to_geodataframe()`` fetches every page.

    What the sync ``list()`` methods return: nothing is fetched until you iterate (page by page, each
    row once) or call ``collect()`` / ``to_geodataframe()``; ``limit`` (given to ``list()``) caps
    the rows. Other attributes are the wrapped :class:`~pixorder.client.results.Listing`'s
    (``filters``, ``limit``, ``page_size``, ``pages_fetched``).

    >>> import pixorder
    >>> client = pixorder.connect("sandbox", api="planet", progress=False)
    >>> order = client.orders.create(pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21"))
    >>> listing = client.orders.list(reference=order.reference)
    >>> listing
    <Listing planet orders(reference='pxo-...') limit=None>
    >>> [row.id for row in listing] == [order.id]
    True
    >>> frame = listing.to_geodataframe()
    >>> frame["id"].tolist() == [order.id], str(frame["created_at"].dtype), str(frame.crs)
    (True, 'datetime64[ns, UTC]', 'EPSG:4326')
    """

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

        Returns:
            Results: the models (newest first where the provider lists so), up to ``limit``.

        Raises:
            ApiError: the provider refused a page (after the transport's retries).
        """
        return run_sync(self._listing.collect())

    def to_geodataframe(self) -> geopandas.GeoDataFrame:
        """Every row, fetched now, as a GeoDataFrame (EPSG:4326, the entity's fixed columns).

        Big listings are fetched several pages at a time once the first page gives the total.

        Returns:
            GeoDataFrame: one row per model, the entity's columns and dtypes, UTC datetimes.

        Raises:
            ApiError: the provider refused a page (after the transport's retries).
        """
        return run_sync(self._listing.to_geodataframe())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._listing, name)


class _SyncFacade(Generic[A]):
    """Wraps an async facade: coroutine methods run to completion on the loop thread."""

    def __init__(self, inner: A):
        self._inner = inner

    def __repr__(self) -> str:
        return f"<pixorder {type(self).__name__} (sync)>"


class Pricing(_SyncFacade[core.Pricing]):
    """Prices (``client.pricing``): one request or many, in the API's bulk form; nothing is spent.

    >>> import pixorder
    >>> client = pixorder.connect("sandbox", api="planet", progress=False)
    >>> request = pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21")
    >>> client.pricing.estimate(request)
    <Quote planet Flexible Tasking amount=25.00 SQKM area=25.00 km² billed=25 km² per_km2=1.00 SQKM uplifts=imaging_mode geometry=(Polygon, 41 vertices, ...)>
    >>> quotes = client.pricing.estimate([request, request.model_copy(update={"sensor": "no-such-product"})])
    >>> [(q.amount, q.error is None) for q in quotes]      # a refused request is a row, not an exception
    [(25.0, True), (None, False)]
    >>> quotes.to_geodataframe()[["provider", "billed_area_km2", "amount", "unit"]].to_dict("records")[0]
    {'provider': 'planet', 'billed_area_km2': 25.0, 'amount': 25.0, 'unit': 'SQKM'}
    """

    @overload
    def estimate(self, requests: Request) -> m.Quote: ...
    @overload
    def estimate(self, requests: Sequence[Request]) -> Results[m.Quote]: ...

    def estimate(self, requests: Request | Sequence[Request]) -> m.Quote | Results[m.Quote]:
        """Price one request, or many in the API's bulk form (chunked by its limits, concurrently;
        tasking and archive requests apart, Geopera's archive requests one per call).

        Args:
            requests: a ``TaskingRequest`` or ``ArchiveRequest``, or a list of them (mixed kinds allowed).

        Returns:
            Quote for one request: ``amount`` in ``unit`` (currency or Planet's ``SQKM`` quota),
            ``area_km2`` (drawn) and ``billed_area_km2`` (km², the provider's count), ``uplifts``;
            ``Results[Quote]`` for a list, in request order, a refused request holding its ``error``.

        Raises:
            ValidationError: not a request or a list of them, or one the API is known to refuse (e.g.
                Planet Assured Tasking without ``imaging_window``), before any call.
            NotSupported: the provider cannot price that kind (Planet: archive requests).
            ApiError: the single request was refused (a list keeps errors per quote instead).
        """
        priced: Coroutine[Any, Any, m.Quote | Results[m.Quote]] = self._inner.estimate(requests)
        return run_sync(priced)


class Orders(_SyncFacade[core.Orders]):
    """Orders (``client.orders``): place them safely, one or many, and read, edit or cancel them.

    Every order carries a client reference (``pxo-…``, in its name or tags). A placement whose answer
    was lost is looked up by it, never sent again blindly; if that cannot tell, ``AmbiguousSpend``
    names the reference for ``reconcile()``. ``max_amount=`` refuses a price above it.

    >>> import pixorder
    >>> client = pixorder.connect("sandbox", api="planet", progress=False)
    >>> request = pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21")
    >>> client.orders.create(request, dry_run=True).dry_run           # priced as an order, nothing placed
    True
    >>> order = client.orders.create(request, max_amount=100)          # 25 SQKM: placed
    >>> order.reference.startswith("pxo-"), str(order.status), order.amount
    (True, 'RECEIVED', 25.0)
    >>> client.orders.get(order.id).id == order.id, client.orders.reconcile(order.reference).id == order.id
    (True, True)
    >>> [o.id for o in client.orders.list(reference=order.reference)] == [order.id]
    True
    >>> str(client.orders.cancel(order.id).status)
    'CANCELLED'
    """

    def create(self, request: Request, *, dry_run: bool = False, max_amount: float | None = None,
               reference: str | None = None) -> m.Order:
        """Place an order (or, with ``dry_run=True``, price it as an order without placing it).

        A multi-part AOI at Planet (one polygon per order) is placed as one order per part, each with
        reference ``<reference>-p<k>``, returned as one ``Order`` holding its ``parts``.

        Args:
            request: a ``TaskingRequest`` or ``ArchiveRequest``.
            dry_run: price it as the provider would the order, placing nothing (not a spend).
            max_amount: price the request first and place it only if ``amount`` ≤ this (in the
                quote's ``unit``; for a multi-part AOI, the total).
            reference: the client reference to carry (default: a new ``pxo-…``); keep it to reconcile.

        Returns:
            Order: ``id``, ``status``, ``amount`` in ``unit``, ``area_km2``/``billed_area_km2`` (km²),
            ``reference``, ``items`` (Pixxel), …

        Raises:
            ValidationError: not a request, or one the API is known to refuse; nothing sent.
            NotSupported: the provider does not take this kind of order (Planet: archive).
            SpendLimitExceeded: the price is above ``max_amount``; nothing placed.
            AmbiguousSpend: the answer was lost and the lookup by reference could not tell whether
                the order exists: call ``reconcile(exc.reference)`` before ordering again.
            ApiError: the provider refused the order (nothing placed), e.g. ``AuthError``.

        >>> import pixorder
        >>> client = pixorder.connect("sandbox", api="planet")
        >>> request = pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21")
        >>> client.orders.create(request, dry_run=True).amount      # priced as an order: nothing placed
        25.0
        >>> order = client.orders.create(request, max_amount=30)   # placed, since 25 SQKM <= 30
        >>> order.status.value, order.amount, order.reference.startswith("pxo-")
        ('RECEIVED', 25.0, True)
        >>> client.orders.create(request, max_amount=20)
        Traceback (most recent call last):
        ...
        pixorder.errors.SpendLimitExceeded: planet: the order is priced 25.00 SQKM which is above max_amount=20.00; nothing was placed
        """
        return run_sync(self._inner.create(request, dry_run=dry_run, max_amount=max_amount, reference=reference))

    def create_many(self, requests: Iterable[Request], *, references: Sequence[str] | None = None,
                    concurrency: int = 8, progress: bool | None = None) -> Results[m.Order]:
        """Place many orders: one row per request, in request order, the order or why there is none.

        Planet: its bulk endpoint (≤ 1,000 payloads and 1 MB of JSON per bulk, each under a
        client-chosen id that is never placed twice). Pixxel and Geopera: ``create`` per request,
        ``concurrency`` at a time, each with its spending safety. A request the API is known to refuse
        is an error row and is not sent.

        Args:
            requests: ``TaskingRequest``/``ArchiveRequest`` objects.
            references: one distinct client reference per request (default: generated, sharing a prefix).
            concurrency: placements in flight at once (Pixxel, Geopera).
            progress: a progress bar for more than 10 requests (default: the client's ``progress``).

        Returns:
            Results[Order]: ``request_index`` per row; a row that placed nothing has ``id`` None,
            ``error`` and ``error_type`` (``"AmbiguousSpend"``: settle it with
            ``reconcile(row.reference)``). ``.to_geodataframe()`` gives the ``order_results`` frame.

        Raises:
            ValidationError: ``requests`` is not a list of requests, ``references`` does not give one
                distinct reference per request, or ``concurrency`` < 1.

        >>> import pixorder
        >>> client = pixorder.connect("sandbox", api="planet", progress=False)
        >>> window = {"start": "2030-03-01", "end": "2030-03-21"}
        >>> rows = client.orders.create_many([pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", **window),
        ...                                   pixorder.TaskingRequest(aoi="POINT (5.45 52.5)", **window)])
        >>> [(row.request_index, row.ok, str(row.status)) for row in rows]
        [(0, True, 'RECEIVED'), (1, True, 'RECEIVED')]
        >>> rows.to_geodataframe().columns[:5].tolist()
        ['request_index', 'provider', 'id', 'name', 'status']
        """
        return run_sync(self._inner.create_many(requests, references=references, concurrency=concurrency,
                                                progress=progress))

    def reconcile(self, reference: str) -> m.Order | None:
        """Settle an ``AmbiguousSpend``: the order placed with ``reference``, or None if there is none.

        Args:
            reference: the client reference (``AmbiguousSpend.reference``, ``Order.reference``, or a
                ``create_many`` row's ``reference``).

        Returns:
            Order | None: the order carrying the reference, read again; None when the provider has
            none (then nothing was placed, and ordering again is safe).

        Raises:
            Conflict: more than one order carries the reference.
            ApiError: the lookup was refused (e.g. ``ProviderUnavailable``: try again later).
            NotSupported: (Pixxel, whose item listing has no name filter and is read page by page)
                the reference is not among the newest 50,000 order items.
        """
        return run_sync(self._inner.reconcile(reference))

    def get(self, order_id: str) -> m.Order:
        """One order, read again from the provider.

        Args:
            order_id: the provider's order id (``Order.id``).

        Returns:
            Order: with its current ``status``, ``provider_status``, and ``items`` where the provider has them.

        Raises:
            NotFound: no such order (or another organisation's).
        """
        return run_sync(self._inner.get(order_id))

    def list(self, *, limit: int | None = None, progress: bool | None = None, **filters: Any) -> SyncListing[m.Order]:
        """Every order matching ``filters``, fetched page by page as you iterate.

        Args:
            limit: at most this many rows (None: all).
            progress: a progress bar past one page (default: the client's ``progress``).
            **filters: the provider's listing filters (the adapter's ``listing_filters["orders"]``).
                Planet: ``status`` (one or a list), ``name`` (contains), ``reference``,
                ``created_after``/``created_before``, ``start_after``/``start_before`` (datetimes) and
                its own (``pl_number``, ``product``, ``created_time__gte``, …); Geopera: ``status``,
                ``name``, ``reference`` (its tags), ``sub_status``, ``workspace_id`` and its own fields;
                Pixxel: ``user_id`` only. A None value is no filter. ``status`` takes pixorder's words
                (``OrderStatus``: RECEIVED, PENDING, …, any case, ``"canceled"`` too) and selects the
                orders whose ``status`` is one of them, whatever the provider calls it (Geopera's
                RECEIVED is CREATED or BEING_PLACED); a provider's own word is sent as it is. A status
                no order at that provider can have (Planet's DRAFT) lists nothing, without a call; a
                word a letter or two off a known one (``"recieved"``) is refused.

        Returns:
            SyncListing[Order]: lazy, newest first; iterate it, or ``.collect()`` / ``.to_geodataframe()``.

        Raises:
            ValidationError: a filter the listing does not know, before any call (``field`` its name;
                the message lists the known ones).
            NotSupported: the provider has no order listing.
        """
        return SyncListing(self._inner.list(limit=limit, progress=progress, **filters))

    def edit(self, order_id: str, **changes: Any) -> m.Order:
        """Change what the provider allows: Planet ``name``, ``rank``, ``start``, ``end`` (in PENDING,
        REQUESTED or IN_PROGRESS); Geopera ``tags``. Pixxel edits nothing.

        A new name keeps pixorder's client reference, so the order can still be reconciled.

        Args:
            order_id: the provider's order id.
            **changes: field → new value (datetimes for ``start``/``end``; a list of str for ``tags``).

        Returns:
            Order: the order as the provider now has it.

        Raises:
            ValidationError: a field the provider does not let you change, before any call.
            NotSupported: the provider edits nothing (Pixxel).
            ApiError: the provider refused (e.g. Planet: an order still RECEIVED, or already final).

        >>> import pixorder
        >>> client = pixorder.connect("sandbox", api="geopera", progress=False)
        >>> order = client.orders.create(pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01",
        ...                                                      end="2030-03-21"))
        >>> client.orders.edit(order.id, tags=[order.reference, "field-7"]).raw["tags"][-1]
        'field-7'
        >>> client.orders.edit(order.id, name="renamed")
        Traceback (most recent call last):
        ...
        pixorder.errors.ValidationError: name: Geopera can change only an order's tags (orders.update)
        """
        return run_sync(self._inner.edit(order_id, **changes))

    def cancel(self, order_id: str) -> m.Order:
        """Cancel an order the provider still lets you cancel (Planet, Geopera; Geopera refunds credits).

        Args:
            order_id: the provider's order id.

        Returns:
            Order: read again after the cancel (``CANCELLED``, or Planet's ``PENDING_CANCELLATION`` in
            ``provider_status`` for an acquisition less than 24 h away).

        Raises:
            NotSupported: the provider cancels nothing through its API (Pixxel).
            NotFound: no such order.
            ApiError: the provider refused (an order already final, …).
        """
        return run_sync(self._inner.cancel(order_id))


class OrderItems(_SyncFacade[core.OrderItems]):
    """Order items (``client.order_items``; Pixxel: one per AOI of an order, with its own status and price).

    Planet and Geopera orders have no items: ``list`` raises ``NotSupported`` (use ``orders.list()``).

    >>> import pixorder
    >>> client = pixorder.connect("sandbox", api="pixxel", progress=False)
    >>> order = client.orders.create(pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21"))
    >>> (item,) = client.order_items.list(order_ids=order.id)
    >>> item.order_id == order.id, str(item.type), str(item.status), item.payment_status, item.billed_area_km2
    (True, 'TASKING', 'DRAFT', 'PAID', 100.0)
    """

    def list(self, *, limit: int | None = None, progress: bool | None = None,
             **filters: Any) -> SyncListing[m.OrderItem]:
        """Every order item matching ``filters``, fetched page by page as you iterate.

        Args:
            limit: at most this many rows (None: all).
            progress: a progress bar past one page (default: the client's ``progress``).
            **filters: Pixxel's own query names: ``order_ids`` (or ``order_id``), ``ids``,
                ``project_ids`` (or ``project_id``) (lists or one id), ``status`` (one or a list of
                pixorder's ``OrderStatus`` words, as for ``orders.list``), ``type``, ``user_id``,
                ``created_by``, ``created_at``/``area`` as ``"from,to"`` ranges. A None value is no filter.

        Returns:
            SyncListing[OrderItem]: lazy; iterate it, or ``.collect()`` / ``.to_geodataframe()``.

        Raises:
            ValidationError: a filter the listing does not know, before any call (``field`` its name;
                the message lists the known ones).
            NotSupported: the provider has no order items (Planet, Geopera).
        """
        return SyncListing(self._inner.list(limit=limit, progress=progress, **filters))


class Tasks(_SyncFacade[core.Tasks]):
    """Acquisition tasks (``client.tasks``) of tasking orders: Pixxel's tasks, one per acquisition attempt.

    Planet reports captures per order (``deliveries.list()``) and Geopera tracks acquisition per order
    (``orders.get()``): both raise ``NotSupported``.

    >>> import pixorder
    >>> client = pixorder.connect("sandbox", api="pixxel", progress=False)
    >>> order = client.orders.create(pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21"))
    >>> [(str(t.status), t.start.date().isoformat(), t.end.date().isoformat())
    ...  for t in client.tasks.list(order_ids=order.id)]
    [('DRAFT', '2030-03-01', '2030-03-21')]
    """

    def list(self, *, limit: int | None = None, progress: bool | None = None, **filters: Any) -> SyncListing[m.Task]:
        """Every task of the order items matching ``filters``, fetched page by page as you iterate.

        Args:
            limit: at most this many tasks (None: all).
            progress: a progress bar past one page (default: the client's ``progress``).
            **filters: Pixxel's order-item query names (``order_ids`` or ``order_id``, ``status``,
                ``type``, …; see ``order_items.list``): ``status`` is the items'. A None value is no filter.

        Returns:
            SyncListing[Task]: lazy; ``start``/``end`` of each attempt in UTC.

        Raises:
            ValidationError: a filter the listing does not know, before any call (``field`` its name;
                the message lists the known ones).
            NotSupported: the provider has no task listing (Planet, Geopera).
        """
        return SyncListing(self._inner.list(limit=limit, progress=progress, **filters))


class Quotations(_SyncFacade[core.Quotations]):
    """Quotations (``client.quotations``) a provider offers for a tasking order before acquiring it (Geopera).

    A Geopera order's quotation shows about 6 hours after the order (a large AOI: after its
    feasibility study is decided); accept it (its credits are debited) or reject it. Pixxel and
    Planet price up front: ``NotSupported``.

    >>> import pixorder
    >>> client = pixorder.connect("sandbox", api="geopera", progress=False)
    >>> order = client.orders.create(pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01",
    ...                                                      end="2030-03-21"))
    >>> _ = client.sandbox.advance(hours=6)        # the sandbox's clock: 6 hours later
    >>> (quotation,) = client.quotations.list(order_id=order.id)
    >>> quotation.status, quotation.amount, quotation.unit
    (<QuotationStatus.NOT_DECIDED: 'NOT_DECIDED'>, 700.0, 'AUD')
    >>> client.quotations.decide(quotation.id, accept=True).status
    <QuotationStatus.ACCEPTED: 'ACCEPTED'>
    >>> str(client.orders.get(order.id).status)
    'PENDING'
    """

    def list(self, *, limit: int | None = None, progress: bool | None = None,
             **filters: Any) -> SyncListing[m.Quotation]:
        """Every quotation matching ``filters``, fetched page by page as you iterate.

        Args:
            limit: at most this many rows (None: all).
            progress: a progress bar past one page (default: the client's ``progress``).
            **filters: ``order_id``, ``status`` (the decision, in pixorder's ``QuotationStatus``
                words: ``NOT_DECIDED`` (or ``PENDING``), ``ACCEPTED``, …), ``workspace_id``, or Geopera's
                own ``id``, ``orderId``, ``decision``, ``workspaceId``. A None value is no filter.

        Returns:
            SyncListing[Quotation]: lazy; ``amount`` in ``unit`` (AUD), ``credits``, ``expires_at`` (UTC).

        Raises:
            ValidationError: a filter the listing does not know, before any call (``field`` its name;
                the message lists the known ones).
            NotSupported: the provider has no quotations (Pixxel, Planet).
        """
        return SyncListing(self._inner.list(limit=limit, progress=progress, **filters))

    def decide(self, quotation_id: str, accept: bool) -> m.Quotation:
        """Accept (debits the credits) or reject a quotation; resent safely under an idempotency key.

        Args:
            quotation_id: the quotation's id (``Quotation.id``).
            accept: True to accept, False to reject.

        Returns:
            Quotation: with its new ``status`` (``ACCEPTED`` or ``REJECTED``).

        Raises:
            NotSupported: the provider has no quotations (Pixxel, Planet).
            NotFound: no such quotation (or not shown yet).
            Conflict: already decided, or expired.
            ApiError: refused otherwise (e.g. HTTP 402: not enough credits).
        """
        return run_sync(self._inner.decide(quotation_id, accept))


class Feasibility(_SyncFacade[core.Feasibility]):
    """Feasibility checks and studies (``client.feasibility``; Geopera).

    ``check`` says before ordering whether a study will be needed (an AOI over Geopera's automatic
    limit); the study shows about 6 hours after the order, with options (price and window) to
    ``decide`` between; the chosen option's quotation follows (``client.quotations``).

    >>> import pixorder
    >>> client = pixorder.connect("sandbox", api="geopera", progress=False)
    >>> large = pixorder.TaskingRequest(aoi="POLYGON ((10 45, 10.4 45, 10.4 45.3, 10 45.3, 10 45))",
    ...                                 start="2030-03-01", end="2030-03-21")
    >>> (check,) = client.feasibility.check(large)
    >>> check.required, check.reason
    (True, 'AOI of 1048.8 km² exceeds the 500 km² automatic-feasibility limit')
    >>> order = client.orders.create(large)
    >>> _ = client.sandbox.advance(hours=6)        # the sandbox's clock: 6 hours later
    >>> (study,) = client.feasibility.list(order_id=order.id)
    >>> [(o.description.split(":")[0], o.amount) for o in study.options]
    [('Standard', 29365.38), ('Extended', 26428.84), ('Priority', 36706.72)]
    >>> client.feasibility.decide(study.id, study.options[1].id).decision
    <QuotationStatus.ACCEPTED: 'ACCEPTED'>
    """

    def check(self, request: m.TaskingRequest) -> Results[m.FeasibilityStudy]:
        """Ask whether ``request`` can be acquired as asked, before ordering (places nothing).

        Args:
            request: a ``TaskingRequest``.

        Returns:
            Results[FeasibilityStudy]: one check: ``required`` (whether a study will follow the
            order) and ``reason``.

        Raises:
            NotSupported: the provider has no feasibility check (Planet decides after the order;
                Pixxel gives ``feasibility`` on the quote).
            ApiError: the provider refused the request.
        """
        return run_sync(self._inner.check(request))

    def list(self, *, limit: int | None = None, progress: bool | None = None,
             **filters: Any) -> SyncListing[m.FeasibilityStudy]:
        """Every feasibility study matching ``filters``, fetched page by page as you iterate.

        Args:
            limit: at most this many rows (None: all).
            progress: a progress bar past one page (default: the client's ``progress``).
            **filters: ``order_id``, ``status`` (the decision, in ``QuotationStatus`` words as for
                ``quotations.list``), ``workspace_id``, or Geopera's own ``id``, ``orderId``,
                ``decision``, ``workspaceId``. A None value is no filter.

        Returns:
            SyncListing[FeasibilityStudy]: lazy; each study with its ``options`` and ``decision``;
            ``.to_geodataframe()`` gives one row per option.

        Raises:
            ValidationError: a filter the listing does not know, before any call (``field`` its name;
                the message lists the known ones).
            NotSupported: the provider has no studies (Pixxel, Planet).
        """
        return SyncListing(self._inner.list(limit=limit, progress=progress, **filters))

    def decide(self, study_id: str, option_id: str) -> m.FeasibilityStudy:
        """Choose one option of a feasibility study; its quotation shows about 6 hours later.

        Args:
            study_id: the study's id (``FeasibilityStudy.id``).
            option_id: one of its ``options``' ids.

        Returns:
            FeasibilityStudy: with its new ``decision`` (``ACCEPTED``).

        Raises:
            NotSupported: the provider has no studies (Pixxel, Planet).
            NotFound: no such study or option.
            Conflict: the study was already decided.
        """
        return run_sync(self._inner.decide(study_id, option_id))


class Deliveries(_SyncFacade[core.Deliveries]):
    """Where an order's imagery is (``client.deliveries``): products, captures or STAC items per order.

    >>> import pixorder
    >>> from pixorder import sandbox
    >>> own = sandbox.start()        # a sandbox of its own, whose clock may jump days without disturbing others
    >>> client = pixorder.connect("sandbox", api="geopera", base_url=own.url, progress=False)
    >>> order = client.orders.create(pixorder.ArchiveRequest(aoi="POINT (4.35 50.85)", item_ids=["capture-1"]))
    >>> client.deliveries.list(order.id)           # nothing delivered yet
    []
    >>> _ = own.advance(days=2)                    # with connect("sandbox"): client.sandbox.advance(days=2)
    >>> (item,) = client.deliveries.list(order.id)
    >>> item.item_id, item.status, item.url.endswith("/capture-1/image.tif")
    ('capture-1', 'DELIVERED', True)
    >>> client.close(); own.stop()
    """

    def list(self, order_id: str) -> Results[m.Delivery]:
        """Where an order's imagery is: one ``Delivery`` per delivered product (or capture).

        Pixxel: the order's catalogs, each with a signed download ``url`` valid about an hour (call
        again for a fresh one); Planet: the order's fulfilling captures (``capture_id``; the scenes'
        ids in ``raw["item_ids"]``); Geopera: delivered STAC items (``url`` of the data asset) and the
        order's ``covered_percent``.

        Args:
            order_id: the provider's order id.

        Returns:
            Results[Delivery]: empty while nothing is delivered; ``acquired_at``/``expires_at`` in
            UTC, ``cloud_cover`` in percent; ``.to_geodataframe()`` gives the ``deliveries`` frame.

        Raises:
            ValidationError: ``order_id`` is not a non-empty string.
            NotFound: the provider has no order ``order_id`` (the message names it), at every
                provider: where the API lists an unknown order's deliveries as none (Pixxel's item
                listing, Planet's captures), an empty answer is checked by reading the order.
        """
        return run_sync(self._inner.list(order_id))


class ImagingWindows(_SyncFacade[core.ImagingWindows]):
    """Imaging windows (``client.imaging_windows``; Planet Assured Tasking): when a satellite can take the AOI.

    Assured Tasking is priced and ordered for one window: put its id on the request.

    >>> import pixorder
    >>> from datetime import timedelta
    >>> client = pixorder.connect("sandbox", api="planet", progress=False)
    >>> soon = client.sandbox.now() + timedelta(days=2)    # the sandbox's clock; at most 7 days ahead
    >>> request = pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start=soon, end=soon + timedelta(days=3),
    ...                                   sensor="Assured Tasking")
    >>> windows = client.imaging_windows.search(request)
    >>> len(windows) > 0, all(soon <= w.start < w.end for w in windows)
    (True, True)
    >>> clearest = min(windows, key=lambda w: w.cloud_forecast)
    >>> order = client.orders.create(request.model_copy(update={"imaging_window": clearest.id}))
    >>> str(order.status)
    'RECEIVED'
    """

    def search(self, request: m.TaskingRequest) -> Results[m.ImagingWindow]:
        """The imaging windows in which ``request``'s AOI can be taken.

        Sends the search (the AOI as a point, or a two-point line as drawn; ``elevation_min`` when
        set), then polls it until done (backing off, at most the client's ``poll_timeout``, 600 s).

        Args:
            request: a ``TaskingRequest`` for ``sensor="Assured Tasking"``, ``start``/``end`` at most
                7 days ahead.

        Returns:
            Results[ImagingWindow]: ``id``, ``start``/``end`` (UTC), ``cloud_forecast`` (percent),
            ``off_nadir_min``/``off_nadir_max`` (degrees), ``satellite_type``; ``.to_geodataframe()``
            gives the ``imaging_windows`` frame.

        Raises:
            ValidationError: ``request`` is not a ``TaskingRequest``.
            NotSupported: the provider has no imaging windows (Pixxel, Geopera).
            ApiError: the provider refused the search, or it ended FAILED (``code`` from the provider).
            ProviderUnavailable: the search did not finish within ``poll_timeout``.
        """
        return run_sync(self._inner.search(request))


class Client:
    """Prices, orders and lists for one provider, synchronously; every result is a model or a frame.

    Takes :func:`connect`'s arguments (``pixorder.connect(...)`` is the usual way in). Facades:
    ``pricing``, ``orders``, ``order_items``, ``tasks``, ``quotations``, ``feasibility``,
    ``deliveries``, ``imaging_windows``; ``aio`` is the ``AsyncClient`` underneath. Calls run on
    pixorder's own loop thread, so they work inside a notebook whose event loop is running.

    Raises:
        AuthError: a real provider without a key (names the environment variable to set).
        ValidationError: an unknown ``provider`` or ``api``.

    >>> import pixorder
    >>> client = pixorder.connect("sandbox", api="planet")       # no key: the embedded sandbox
    >>> client
    <pixorder.Client planet (sandbox) http://127.0.0.1:... key=set>
    >>> client.sensors().to_geodataframe()[["id", "resolution_m"]].to_dict("records")
    [{'id': 'Flexible Tasking', 'resolution_m': 0.5}, {'id': 'Assured Tasking', 'resolution_m': 0.5},
     {'id': 'Monitoring Tasking', 'resolution_m': 0.5}]
    >>> with pixorder.connect("sandbox", api="geopera") as geopera:      # closed on the way out
    ...     [s.id for s in geopera.sensors()][:2]
    ['pneo-30cm', 'wv3-31cm']
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

    def sensors(self) -> Results[m.Sensor]:
        """The provider's orderable sensors or products (Pixxel: bandsets; Planet: products).

        Returns:
            Results[Sensor]: ``id`` (what a request's ``sensor`` takes), ``name``, ``resolution_m``
            (GSD, m), ``bands``, ``min_area_km2`` (km²), ``price_per_km2`` in ``unit``;
            ``.to_geodataframe()`` gives the ``sensors`` frame.

        Raises:
            AuthError: the key was refused.
        """
        return run_sync(self.aio.sensors())

    def close(self) -> None:
        """Close the client's connections (``with`` does it for you); the client is not used after."""
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
            - ``poll_timeout`` (float, seconds, default 600): how long asynchronous provider jobs
              (Planet's bulk orders, imaging-window searches) are polled before giving up.
            - ``workspace_id`` (str, Geopera, default ``"default"``): the workspace orders are placed in.
            - ``default_sensor`` (str, Geopera): the sensor used when a request names none (default:
              the catalogue's first).

    Returns:
        Client: with ``sensors()`` and the facades ``pricing``, ``orders``, ``order_items``, ``tasks``,
        ``quotations``, ``feasibility``, ``deliveries`` and ``imaging_windows``; use it as a context
        manager, or ``close()`` it.

    Raises:
        AuthError: a real provider without a key (names the environment variable to set).
        ValidationError: an unknown ``provider`` or ``api``.

    Example:
        >>> import pixorder
        >>> client = pixorder.connect("sandbox", api="planet")
        >>> quote = client.pricing.estimate(pixorder.TaskingRequest(
        ...     aoi={"type": "Point", "coordinates": [4.35, 50.85]}, start="2030-03-01", end="2030-03-21"))
        >>> quote.amount, quote.unit, quote.billed_area_km2
        (25.0, 'SQKM', 25.0)
        >>> live = pixorder.connect("geopera", api_key="my-geopera-key", workspace_id="ws-1")   # no call yet
        >>> live
        <pixorder.Client geopera (live) https://api.geopera.com key=set>
        >>> pixorder.connect("sandbox", api="maxar")
        Traceback (most recent call last):
        ...
        pixorder.errors.ValidationError: api: must be one of pixxel, planet, geopera (got 'maxar')
    """
    return Client(provider, api_key, base_url, **options)
