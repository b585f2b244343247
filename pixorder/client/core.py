"""AsyncClient: one facade per entity over one provider adapter and one transport."""

from __future__ import annotations

import asyncio
import importlib
import os
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, TypedDict, TypeVar, overload

from pixorder import errors as E
from pixorder import models as m
from pixorder.client.results import Listing, Results
from pixorder.client.transport import UNREADABLE, OutcomeUnknown, RetryPolicy, Transport
from pixorder.providers import reference as pxref
from pixorder.providers import table
from pixorder.providers._wire import iso_z
from pixorder.providers.base import Adapter, BulkOutcome, Call, Job, Request, json_size

T = TypeVar("T")

#: the providers' names, from the provider table
PROVIDER_NAMES = table.NAMES
DEFAULT_PAGE_SIZE = 100
#: what pricing and ordering take: the neutral request models
REQUEST_TYPES = (m.TaskingRequest, m.ArchiveRequest)
#: bytes of a bulk create's body around its payloads: ``{"id": "<uuid>", "order_payloads": []}``
BULK_OVERHEAD = json_size({"id": str(uuid.UUID(int=0)), "order_payloads": []})


def make_adapter(provider: str, **options: Any) -> Adapter:
    """A new adapter for ``provider``: the class its row of the provider table names, imported now.

    Args:
        provider: a name in ``pixorder.providers.table.NAMES``.
        **options: the adapter's own options (``ProviderInfo.adapter_options``, e.g. Geopera's
            ``workspace_id``); other keys (the client's own, like ``timeout``) are ignored.

    Returns:
        Adapter: the provider's sans-IO adapter.

    Raises:
        ValidationError: ``provider`` is not in the table.

    >>> make_adapter("geopera", workspace_id="ws-1", timeout=5).workspace_id
    'ws-1'
    """
    if provider not in table.PROVIDERS:
        raise E.ValidationError("provider", f"must be one of sandbox, {', '.join(table.NAMES)}", provider)
    info = table.PROVIDERS[provider]
    module, _, name = info.adapter.partition(":")
    adapter_class = getattr(importlib.import_module(module), name)
    kwargs = {k: v for k, v in options.items() if k in info.adapter_options and v is not None}
    adapter: Adapter = adapter_class(**kwargs)
    return adapter


#: ``connect()``'s own keyword options besides the providers' adapter options (``ProviderInfo.adapter_options``)
CLIENT_OPTIONS = ("api", "timeout", "retries", "backoff", "rate_limits", "page_size", "progress", "reconcile_delay",
                  "reconcile_patience", "poll_timeout")


def check_request(adapter: Adapter, request: Any) -> None:
    """Refuse, before any call, a request no provider takes and one this API is known to refuse
    (``adapter.validate``): a tasking window that has ended by this machine's clock is the first kind
    (Planet's pricing priced a 2020 window; Pixxel and Geopera refused it in their own words).

    Raises:
        ValidationError: ``end`` for a tasking window that has ended; what ``adapter.validate`` raises.

    >>> import pixorder
    >>> from pixorder.providers.planet import PlanetAdapter
    >>> check_request(PlanetAdapter(), pixorder.TaskingRequest(aoi="POINT (4 50)", start="2020-03-01", end="2020-03-21"))
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: end: must be in the future: a tasking window that has ended cannot be priced or ordered (got '2020-03-21T00:00:00Z')
    """
    if isinstance(request, m.TaskingRequest) and request.end <= datetime.now(timezone.utc):
        raise E.ValidationError("end", "must be in the future: a tasking window that has ended cannot be priced or "
                                       "ordered", iso_z(request.end))
    adapter.validate(request)


def check_id(field: str, value: Any) -> None:
    """Refuse an id that is no non-empty string before it goes into a path (``orders.get(None)`` asked
    for ``/orders/None``).

    Raises:
        ValidationError: ``field``: not a non-empty string.

    >>> check_id("order_id", "o-1")
    >>> check_id("order_id", None)
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: order_id: must be a non-empty string (an order's id)
    """
    if not isinstance(value, str) or not value.strip():
        raise E.ValidationError(field, f"must be a non-empty string (an {field.removesuffix('_id')}'s id)", value)


def positive_number(value: Any, *, zero: bool = False) -> bool:
    """Whether ``value`` is a real number above 0 (or ≥ 0 with ``zero``): not a bool, a string or NaN.

    >>> positive_number(30), positive_number("30s"), positive_number(0), positive_number(0, zero=True)
    (True, False, False, True)
    """
    if not m._is_number(value) or value != value:  # a bool is no number here, NaN no amount
        return False
    return value >= 0 if zero else value > 0


def check_options(options: Mapping[str, Any]) -> None:
    """Refuse a keyword ``connect()`` does not take (a typo such as ``timout=`` would else be dropped
    without a word, and the client run with the default).

    Args:
        options: the keywords given besides ``connect()``'s named ones (``timeout``, …); any provider's
            adapter options (Geopera's ``workspace_id``) are taken, whatever the provider.

    Raises:
        ValidationError: the first unknown keyword, with the closest option's name when one is close.

    >>> check_options({"workspace_id": "ws-1"})
    >>> check_options({"timout": 5})
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: timout: is not an option of connect(); did you mean timeout? (got 5)
    """
    import difflib

    known = {*CLIENT_OPTIONS, *(name for info in table.PROVIDERS.values() for name in info.adapter_options)}
    for name in options:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"did you mean {close[0]}?" if close else f"the options are {', '.join(sorted(known))}"
            raise E.ValidationError(name, f"is not an option of connect(); {hint}", options[name])


class _Provider(TypedDict):
    provider: str


class Connection(_Provider, total=False):
    """The target arguments of :func:`pixorder.connect`: ``provider``, and ``api`` for the sandbox.

    >>> Connection(provider="sandbox", api="planet")
    {'provider': 'sandbox', 'api': 'planet'}
    """

    api: str


def connection_for(provider: str, *, live: bool = True) -> Connection:
    """The arguments of :func:`pixorder.connect` (or :class:`AsyncClient`) for a provider given by name
    alone: its live API when ``live`` and its key is set in the environment, else the sandbox's emulation.

    The one place that choice is made: ``compare``, ``sweep`` and ``budget`` (``live=True``: pricing is
    never a spend), the pricing desk (the same), and the widgets given no client (``live=False``: a widget
    that can place orders never picks a live API on its own).

    Args:
        provider: a name in ``pixorder.providers.table.NAMES``.
        live: whether the live API may be chosen (when its key variable, e.g. ``PL_API_KEY``, is set).

    Returns:
        dict: ``{"provider": name}`` for the live API, or ``{"provider": "sandbox", "api": name}``.

    Raises:
        ValidationError: ``provider`` is not in the table.

    >>> connection_for("planet", live=False)
    {'provider': 'sandbox', 'api': 'planet'}
    """
    info = table.get(provider)
    if live and os.environ.get(info.env_var):
        return {"provider": info.name}
    return {"provider": "sandbox", "api": info.name}


def source_of(client: Any) -> str:
    """``"sandbox"`` or ``"live"``: where a client's answers come from, as reprs and provenance say it.

    >>> import pixorder
    >>> source_of(pixorder.AsyncClient("sandbox", api="planet"))
    'sandbox'
    """
    return "sandbox" if client.is_sandbox else "live"


def api_host(base_url: str, api_root: str) -> str:
    """The scheme and host (and any proxy prefix) of ``base_url``, which may also be written as the
    provider documents it, with its API root: ``https://api.planet.com/tasking/v2/`` →
    ``https://api.planet.com``; paths of calls carry the root themselves.

    >>> api_host("https://api.planet.com/tasking/v2/", "/tasking/v2")
    'https://api.planet.com'
    >>> api_host("api.planet.com", "/tasking/v2")
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: base_url: must start with http:// or https://, e.g. https://api.planet.com (got 'api.planet.com')

    Raises:
        pixorder.ValidationError: a URL without an http(s) scheme, before any call.
    """
    if not isinstance(base_url, str) or not base_url.strip().lower().startswith(("http://", "https://")):
        raise E.ValidationError("base_url", "must start with http:// or https://, e.g. https://api.planet.com",
                                base_url)
    url = base_url.strip().rstrip("/")
    if api_root and url.endswith(api_root.rstrip("/")):
        url = url[: -len(api_root.rstrip("/"))]
    return url.rstrip("/")


class AsyncClient:
    """Prices, orders and lists for one provider; every method is a coroutine.

    Takes the arguments of :func:`pixorder.connect`; its facades (``pricing``, ``orders``, …) are the
    sync client's, awaited. Use it inside a running event loop (``await`` in a notebook cell).

    Raises:
        AuthError: a real provider without a key (names the environment variable to set).
        ValidationError: an unknown ``provider`` or ``api``.

    >>> import asyncio, pixorder
    >>> async def main():
    ...     async with pixorder.AsyncClient("sandbox", api="planet", progress=False) as client:
    ...         request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [4.35, 50.85]},
    ...                                           start="2030-03-01", end="2030-03-21")
    ...         quote = await client.pricing.estimate(request)
    ...         return quote.unit, quote.billed_area_km2
    >>> asyncio.run(main())
    ('SQKM', 25.0)
    """

    def __init__(
        self,
        provider: str = "sandbox",
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        api: str | None = None,
        timeout: float = 30.0,
        retries: int = 5,
        backoff: float = 0.2,
        rate_limits: dict[str, tuple[int, float]] | None = None,
        page_size: int | None = None,
        progress: bool = True,
        reconcile_delay: float = 0.5,
        reconcile_patience: float = 30.0,
        poll_timeout: float = 600.0,
        **options: Any,
    ):
        self.sandbox = None
        check_options(options)
        seconds: dict[str, Any] = {"timeout": timeout, "backoff": backoff, "reconcile_delay": reconcile_delay,
                                   "reconcile_patience": reconcile_patience, "poll_timeout": poll_timeout}
        for name, value in seconds.items():
            zero = name in ("backoff", "reconcile_delay")
            if not positive_number(value, zero=zero):
                raise E.ValidationError(name, "must be a number of seconds" + (" ≥ 0" if zero else " above 0"), value)
        counts: dict[str, tuple[Any, int]] = {"retries": (retries, 0), "page_size": (page_size, 1)}
        for name, (count, least) in counts.items():
            if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < least):
                raise E.ValidationError(name, f"must be a whole number ≥ {least}", count)
        if provider == "sandbox":
            api = api or "pixxel"
            if api not in table.PROVIDERS:
                raise E.ValidationError("api", f"must be one of {', '.join(table.NAMES)}", api)
            if base_url is None:
                from pixorder import sandbox

                self.sandbox = sandbox.shared()
                base_url = self.sandbox.url
                api_key = api_key or self.sandbox.keys[api]
            elif api_key is None:
                from pixorder.sandbox.keys import SANDBOX_KEYS

                api_key = SANDBOX_KEYS[api]
            self.provider = api
            self.is_sandbox = True
            if rate_limits is None:
                rate_limits = {}  # the sandbox relaxes the real APIs' limits
        else:
            if provider not in table.PROVIDERS:
                raise E.ValidationError("provider", f"must be one of sandbox, {', '.join(table.NAMES)}",
                                        provider)
            self.provider = provider
            self.is_sandbox = False
            env_var = table.get(provider).env_var
            api_key = api_key or os.environ.get(env_var)
            if not api_key:
                raise E.AuthError(
                    f"no API key for {provider}: pass api_key=..., or set the environment variable "
                    f"{env_var}; or try the sandbox with pixorder.connect('sandbox', api='{provider}')",
                    provider=provider,
                )
        self.adapter = make_adapter(self.provider, **options)
        self.base_url = api_host(base_url or self.adapter.default_base_url, self.adapter.api_root)
        self.transport = Transport(
            self.adapter, api_key, self.base_url, timeout=timeout,
            retry=RetryPolicy(attempts=retries, base=backoff), rate_limits=rate_limits,
        )
        self.page_size = page_size
        self.progress = progress
        self.reconcile_delay = reconcile_delay
        self.reconcile_patience = reconcile_patience
        #: how long asynchronous provider jobs (Planet's bulk, imaging-window searches) are polled, s
        self.poll_timeout = poll_timeout
        self._preparing: asyncio.Future[None] | None = None
        self.pricing = Pricing(self)
        self.orders = Orders(self)
        self.order_items = OrderItems(self)
        self.tasks = Tasks(self)
        self.quotations = Quotations(self)
        self.feasibility = Feasibility(self)
        self.deliveries = Deliveries(self)
        self.imaging_windows = ImagingWindows(self)

    def __repr__(self) -> str:
        return f"<pixorder.AsyncClient {self.provider} ({source_of(self)}) {self.base_url} key=set>"

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections (``async with`` does it for you).

        >>> import asyncio, pixorder
        >>> asyncio.run(pixorder.AsyncClient("sandbox", api="pixxel").aclose())
        """
        await self.transport.aclose()

    async def send(self, call: Call[T]) -> T:
        """Send one ``Call`` through the transport (after the one-time preparation) and read its answer.

        Args:
            call: an adapter's description of the exchange (``client.adapter.get_order("…")``).

        Returns:
            what ``call.parse`` makes of the answer.

        Raises:
            ApiError: the provider answered with an error (``AuthError``, ``NotFound``, … by status).

        >>> import asyncio, pixorder
        >>> client = pixorder.AsyncClient("sandbox", api="pixxel", progress=False)
        >>> len(asyncio.run(client.send(client.adapter.sensors()))) > 0
        True
        """
        if call.answer is not None:  # the adapter knew the answer (a filter no row can match): nothing to ask
            return call.parse(call.answer, {})
        await self._prepare()
        return await self.transport.send(call)

    async def _prepare(self) -> None:
        """Read what payloads need from the provider (Pixxel project and bandsets, Geopera's default
        sensor) exactly once, however many calls start at the same moment: every caller awaits the
        same preparation, and none builds a payload before it has finished. A failed preparation is
        tried again by the next call."""
        failed = self._preparing is not None and self._preparing.done() and (
            self._preparing.cancelled() or self._preparing.exception() is not None)
        if self._preparing is None or failed:
            self._preparing = asyncio.ensure_future(self.adapter.prepare(self.transport.send))
        await asyncio.shield(self._preparing)

    async def sensors(self) -> Results[m.Sensor]:
        """The provider's orderable sensors or products (Pixxel: bandsets; Planet: products).

        Returns:
            Results[Sensor]: ``id``, ``name``, ``resolution_m`` (metres), ``min_area_km2`` (km²), …;
            ``.to_geodataframe()`` gives the ``sensors`` frame.

        Raises:
            AuthError: the key was refused.

        >>> import pixorder
        >>> [s.id for s in pixorder.connect("sandbox", api="planet", progress=False).sensors()][:2]
        ['Flexible Tasking', 'Assured Tasking']
        """
        call = self.adapter.sensors()
        found = call if isinstance(call, list) else await self.send(call)
        return Results(found, entity="sensors")

    def _listing(self, entity: str, make_call: Callable[[dict[str, Any], int, int], Call[m.Page[Any]]],
                 filters: dict[str, Any], limit: int | None, progress: bool | None = None) -> Listing[Any]:
        make_call(filters, 0, 1)  # raises NotSupported / ValidationError now, before any network call
        page_size = self.page_size or self.adapter.page_sizes.get(entity, DEFAULT_PAGE_SIZE)
        return Listing(self, entity, make_call, filters, limit=limit, page_size=page_size,
                       progress=self.progress if progress is None else progress)


class _Facade:
    def __init__(self, client: AsyncClient):
        self._client = client

    @property
    def adapter(self) -> Adapter:
        return self._client.adapter


class Pricing(_Facade):
    """Prices (``client.pricing``): one request or many, in the API's bulk form.

    The ``AsyncClient``'s facade: ``estimate`` is a coroutine (the sync ``Client``'s runs it for you).

    >>> import asyncio, pixorder
    >>> async def price():
    ...     async with pixorder.AsyncClient("sandbox", api="geopera", progress=False) as client:
    ...         request = pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21")
    ...         return await client.pricing.estimate(request)
    >>> quote = asyncio.run(price())
    >>> quote.sensor, quote.amount, quote.unit, quote.billed_area_km2
    ('pneo-30cm', 700.0, 'AUD', 25.0)
    """

    @overload
    async def estimate(self, requests: Request) -> m.Quote: ...
    @overload
    async def estimate(self, requests: Sequence[Request]) -> Results[m.Quote]: ...

    async def estimate(self, requests: Request | Sequence[Request]) -> m.Quote | Results[m.Quote]:
        """Price one request (→ ``Quote``) or many (→ ``Results[Quote]``) with the API's bulk form.

        Many requests are sent in chunks of the API's bulk limit (tasking and archive requests apart;
        Geopera's archive requests one per call), concurrently; a request that fails comes back as a
        quote holding its ``error``, never as an exception for the batch.

        Args:
            requests: a ``TaskingRequest``/``ArchiveRequest``, or a list of them.

        Returns:
            Quote (one request) with ``amount`` in ``unit``, ``area_km2`` (drawn) and
            ``billed_area_km2`` (km², the provider's count); or ``Results[Quote]`` in request order.

        Raises:
            ValidationError: not a request (or a list of them), or one the API is known to refuse.
            NotSupported: the provider cannot price that kind of request (Planet: archive).
            ApiError: the single request was refused (a batch keeps errors per quote instead).

        >>> import pixorder
        >>> client = pixorder.connect("sandbox", api="planet", progress=False)
        >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [4.35, 50.85]},
        ...                                   start="2030-03-01", end="2030-03-21")
        >>> quote = client.pricing.estimate(request)
        >>> quote.unit, quote.billed_area_km2
        ('SQKM', 25.0)
        >>> len(client.pricing.estimate([request, request]))
        2
        """
        single = isinstance(requests, REQUEST_TYPES)
        batch: list[Any] = [requests] if single else request_list(
            requests, "must be a TaskingRequest, an ArchiveRequest or a list of them")
        for request in batch:
            check_request(self.adapter, request)  # what the API is known to refuse, before any call
        quotes = await self._estimate_parts(batch, raise_errors=single)
        if single:
            if quotes[0].error:
                raise E.ApiError(quotes[0].error, provider=self._client.provider, body=quotes[0].raw)
            return quotes[0]
        return Results(quotes, entity="quotes")

    async def _estimate(self, batch: list[Request], raise_errors: bool = False) -> list[m.Quote]:
        await self._client._prepare()  # payloads may need catalogue defaults (Pixxel bandset, Geopera sensor)
        chunks: list[list[int]] = []
        # Archive and tasking requests go to different endpoints on some APIs: chunk each kind apart,
        # each within its own count limit (Geopera prices archive requests one per call).
        limits = {m.TaskingRequest: self.adapter.bulk_limit, m.ArchiveRequest: self.adapter.archive_bulk_limit}
        for kind, limit in limits.items():
            positions = [i for i, r in enumerate(batch) if isinstance(r, kind)]
            chunks += self._chunks(batch, positions, limit)

        # A chunk's payload is built when it can be sent, not all of them up front: a provider's
        # hundred payloads would otherwise hold back the first calls of every other one.
        ready = self._client.transport.bodies  # one for the transport: every pricing at once shares it
        results = await asyncio.gather(*(self._price_chunk(batch, positions, ready, raise_errors)
                                         for positions in chunks))
        flat = [q for chunk in results for q in chunk]
        return sorted(flat, key=lambda q: q.request_index if q.request_index is not None else 0)

    async def _price_chunk(self, batch: list[Request], positions: list[int], ready: asyncio.Semaphore,
                           raise_errors: bool) -> list[m.Quote]:
        """One bulk call for ``batch[positions]``, each quote's ``request_index`` its position: a request
        ``adapter.validate`` refuses, or one the server's refusal of the call names
        (``adapter.refused_items``), gets its error row and the others are priced without it; a body the
        server finds too large is split in halves. A method, not a closure calling itself: such a closure
        is a reference cycle that would keep the whole batch alive until the next full collection."""
        # A request this API is known to refuse (adapter.validate: a recurrence it does not order, …)
        # gets its error row, and the others of the chunk are still priced (a sweep over recurrences).
        refused: dict[int, E.ValidationError] = {}
        for i in positions:
            try:
                self.adapter.validate(batch[i])
            except E.ValidationError as exc:
                if raise_errors:
                    raise
                refused[i] = exc
        if refused:
            kept = [i for i in positions if i not in refused]
            quotes = await self._price_chunk(batch, kept, ready, raise_errors) if kept else []
            for i, refusal in refused.items():
                quotes.append(error_quote(self._client.provider, batch[i], refusal))
                quotes[-1].request_index = i
            return quotes
        chunk = [batch[i] for i in positions]
        try:
            async with ready:
                quotes = await self._client.send(self.adapter.price(chunk, 0))
        except E.PixorderError as exc:
            if raise_errors or isinstance(exc, (E.NotSupported, E.ValidationError)):
                raise
            if isinstance(exc, E.ApiError) and exc.status == 413 and len(positions) > 1:
                # The server refused the body as too large: price each half on its own.
                half = len(positions) // 2
                return [*await self._price_chunk(batch, positions[:half], ready, raise_errors),
                        *await self._price_chunk(batch, positions[half:], ready, raise_errors)]
            status = exc.status if isinstance(exc, E.ApiError) else None
            named = self.adapter.refused_items(exc, len(positions)) if isinstance(exc, E.ApiError) and \
                status in (400, 422) and len(positions) > 1 else {}
            if named and len(named) < len(positions):
                # The call was refused for the requests it names (Pixxel refuses a whole dry-run order
                # for one bad item): those get the refusal's words, the others are priced again.
                kept = [i for k, i in enumerate(positions) if k not in named]
                quotes = await self._price_chunk(batch, kept, ready, raise_errors)
                for k, words in named.items():
                    item_error = E.ApiError(words, provider=self._client.provider, status=status)
                    quotes.append(error_quote(self._client.provider, batch[positions[k]], item_error))
                    quotes[-1].request_index = positions[k]
                return quotes
            quotes = [error_quote(self._client.provider, r, exc) for r in chunk]
        for position, quote in zip(positions, quotes):
            quote.request_index = position
        return quotes

    def _chunks(self, batch: list[Request], positions: list[int], limit: int) -> list[list[int]]:
        """``positions`` cut into bulk calls of at most ``limit`` requests and, where the API has one,
        within its body limit (each request's payload measured as it will be sent, unless a bound on
        its size shows the chunk fits anyway: see ``payload_bounds``)."""
        bounds = dict(zip(positions, payload_bounds([batch[i] for i in positions]))) \
            if self.adapter.body_limit is not None else {}

        def size_of(i: int) -> int:
            return json_size(self.adapter.price([batch[i]], 0).json)

        return chunked(positions, limit, size_of, self.adapter.body_limit, overhead=json_size([]),
                       bound_of=bounds.__getitem__ if bounds else None)


    async def _estimate_parts(self, batch: list[Request], raise_errors: bool = False) -> list[m.Quote]:
        """``_estimate``, with each multi-part AOI priced part by part where the provider takes one polygon
        per order (Planet): the quote returned for it is their total, holding the part quotes in ``parts``."""
        expanded, owners = split_parts(self._client.provider, batch)
        if len(expanded) == len(batch):
            return await self._estimate(batch, raise_errors=raise_errors)
        quotes = await self._estimate(expanded, raise_errors=raise_errors)
        return [join_quotes(self._client.provider, batch[i], i, [q for q, o in zip(quotes, owners) if o == i])
                for i in range(len(batch))]


def request_list(requests: Any, rule: str) -> list[Request]:
    """``requests`` as a list of ``TaskingRequest``/``ArchiveRequest`` (``pricing.estimate``, ``create_many``).

    >>> request_list("POINT (1 2)", "must be a list of requests")
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: requests: must be a list of requests (got 'str')

    Raises:
        ValidationError: ``requests`` is not a list (``rule`` says what it must be), or item ``i`` is no
            request (``requests.<i>``).
    """
    if isinstance(requests, (str, bytes, Mapping, *REQUEST_TYPES)) or not isinstance(requests, Iterable):
        raise E.ValidationError("requests", rule, type(requests).__name__)
    batch = list(requests)
    for i, request in enumerate(batch):
        if not isinstance(request, REQUEST_TYPES):
            raise E.ValidationError(f"requests.{i}", "must be a TaskingRequest or an ArchiveRequest",
                                    type(request).__name__)
    return batch


def chunked(items: Sequence[int], limit: int, size_of: Callable[[int], int], body_limit: int | None,
            overhead: int, bound_of: Callable[[int], int] | None = None) -> list[list[int]]:
    """``items`` cut into consecutive chunks of at most ``limit``, each sent as one JSON body: ``overhead``
    bytes around the items, ``size_of(i)`` bytes for item ``i`` and a comma between two, at most
    ``body_limit`` bytes (None: no byte limit, and no size asked). With ``bound_of`` (an upper bound on
    an item's size, cheap to know), ``size_of`` is asked only when the bound does not already show the
    chunk fits. An item too big on its own gets a chunk of its own (the server's 413 says so). Pricing
    and ``create_many`` both cut their bulk bodies here.

    >>> chunked([0, 1, 2, 3], 3, len, None, overhead=2)
    [[0, 1, 2], [3]]
    >>> chunked([0, 1, 2], 10, {0: 4, 1: 4, 2: 4}.__getitem__, body_limit=11, overhead=2)   # [4,4] is 11 bytes
    [[0, 1], [2]]
    """
    chunks: list[list[int]] = []
    current: list[int] = []
    size = bound = overhead
    for i in items:
        if current and len(current) >= limit:
            chunks.append(current)
            current, size, bound = [], overhead, overhead
        if body_limit is None:
            current.append(i)
            continue
        most = bound_of(i) if bound_of is not None else None
        if most is not None and bound + (1 if current else 0) + most <= body_limit:
            one = most  # fits even at its largest: not worth measuring
        else:
            one = size_of(i)
            if current and size + 1 + one > body_limit:
                chunks.append(current)
                current, size, bound = [], overhead, overhead
        comma = 1 if current else 0
        current.append(i)
        size += comma + (one if most is None else min(one, most))
        bound += comma + (one if most is None else most)
    if current:
        chunks.append(current)
    return chunks


# ------------------------------------------------------------------- payload sizes before building
#: Bytes a pricing payload takes besides its geometry and ids (dates, product, angles, keys), at most.
PAYLOAD_FIELDS_BYTES = 2048
#: Bytes one coordinate pair takes in JSON, at most: two 24-character floats, brackets and commas.
COORDINATE_BYTES = 56


def payload_bounds(requests: Sequence[Request]) -> list[int]:
    """An upper bound on the JSON size of each request's pricing payload, in bytes, without building it.

    The geometry dominates: each coordinate pair of the AOI as priced (a Point's 5×5 km square has more
    than the point sent to Planet) takes at most ``COORDINATE_BYTES``; names and ids at most 4 bytes a
    character (UTF-8); everything else at most ``PAYLOAD_FIELDS_BYTES``. ``Pricing`` builds a payload
    to measure it only when this bound does not already show that its chunk fits the body limit.

    Args:
        requests: tasking or archive requests.

    Returns:
        One bound per request (bytes).

    >>> import pixorder
    >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [4.35, 50.85]},
    ...                                   start="2030-03-01", end="2030-03-21")
    >>> payload_bounds([request]), 2048 + 56 * 41  # the 5×5 km square, densified to 41 vertices
    ([4344], 4344)
    """
    import shapely

    counts = shapely.get_num_coordinates([r.aoi.geometry for r in requests]) if requests else []
    bounds = []
    for request, count in zip(requests, counts):
        text = len(getattr(request, "name", None) or "") + sum(len(i) + 3 for i in getattr(request, "item_ids", ()))
        bounds.append(PAYLOAD_FIELDS_BYTES + 4 * text + COORDINATE_BYTES * int(count))
    return bounds


# --------------------------------------------------------------- multi-part AOIs: one order per part
def split_parts(provider: str, batch: Sequence[Request]) -> tuple[list[Request], list[int]]:
    """Each request whose AOI has several parts, at a provider taking one polygon per order
    (``pixorder.aoi.rules.order_aois``), replaced by one request per part; with the index
    in ``batch`` each resulting request came from.

    Args:
        provider: the provider's name (``"planet"`` splits; the others take a multi-part AOI whole).
        batch: the requests.

    Returns:
        tuple: ``(requests, owners)``: the requests in order, a named request's parts named
        ``"<name> (part k of n)"``; ``owners[i]`` the position in ``batch`` of ``requests[i]``.

    >>> import pixorder
    >>> fields = pixorder.TaskingRequest(aoi="MULTIPOLYGON (((4 50, 4.1 50, 4.1 50.1, 4 50.1, 4 50)), "
    ...                                      "((5 50, 5.1 50, 5.1 50.1, 5 50.1, 5 50)))",
    ...                                  start="2030-03-01", end="2030-03-21", name="fields")
    >>> point = pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21")
    >>> requests, owners = split_parts("planet", [point, fields])
    >>> [r.name for r in requests], owners
    ([None, 'fields (part 1 of 2)', 'fields (part 2 of 2)'], [0, 1, 1])
    >>> split_parts("geopera", [point, fields])[1]
    [0, 1]
    """
    from pixorder.aoi.rules import order_aois

    expanded: list[Request] = []
    owners: list[int] = []
    for i, request in enumerate(batch):
        parts = order_aois(request.aoi, provider)
        if len(parts) == 1:
            expanded.append(request)
            owners.append(i)
            continue
        for k, part in enumerate(parts):
            name = f"{request.name} (part {k + 1} of {len(parts)})" if getattr(request, "name", None) else None
            update: dict[str, Any] = {"aoi": part} | ({"name": name} if name else {})
            expanded.append(request.model_copy(update=update))
            owners.append(i)
    return expanded, owners


def error_quote(provider: str, request: Request, error: BaseException) -> m.Quote:
    """The quote of a request a batch could not price: the error, with the request's sensor and AOI.

    >>> request = m.TaskingRequest(aoi="POINT (5 52)", start="2030-03-01", end="2030-03-21")
    >>> error_quote("planet", request, ValueError("refused")).error
    'refused'
    """
    return m.Quote(provider=provider, error=str(error), sensor=request.sensor, area_km2=float(request.aoi.area_km2),
                   geometry=dict(request.aoi.__geo_interface__))


def _total(values: Iterable[float | None]) -> float | None:
    """The sum of the parts' values (to 1e-6), or None when any part lacks one."""
    known = list(values)
    return None if any(v is None for v in known) else round(sum(v for v in known if v is not None), 6)


def join_quotes(provider: str, request: Request, index: int, parts: list[m.Quote]) -> m.Quote:
    """The total of the part quotes of one request (amounts and areas summed; an error if any part failed).

    Args:
        provider: the provider's name.
        request: the request whose AOI was split (its geometry becomes the total's).
        index: the request's position in its batch (``request_index``).
        parts: the part quotes, in part order; each gets its ``part`` (0-based) and ``request_index``.

    Returns:
        Quote: the parts' sums (``amount``, ``area_km2``, ``billed_area_km2``, … rounded to 6 decimals;
        None where any part has none) holding the ``parts``; ``amount`` None and ``error`` naming each
        failed part if any failed. A single part is returned as it is.

    >>> import pixorder
    >>> from pixorder.models import Quote
    >>> fields = pixorder.TaskingRequest(aoi="MULTIPOLYGON (((4 50, 4.1 50, 4.1 50.1, 4 50.1, 4 50)), "
    ...                                      "((5 50, 5.1 50, 5.1 50.1, 5 50.1, 5 50)))",
    ...                                  start="2030-03-01", end="2030-03-21")
    >>> total = join_quotes("planet", fields, 0, [Quote(provider="planet", amount=84.0, unit="SQKM"),
    ...                                           Quote(provider="planet", amount=85.0, unit="SQKM")])
    >>> total.amount, [q.part for q in total.parts]
    (169.0, [0, 1])
    >>> join_quotes("planet", fields, 0, [Quote(provider="planet", amount=84.0),
    ...                                   Quote(provider="planet", error="too small")]).error
    'part 1: too small'
    """
    if len(parts) == 1:
        return parts[0]
    for k, quote in enumerate(parts):
        quote.part, quote.request_index = k, index

    def total(field: str) -> float | None:
        return _total(getattr(q, field) for q in parts)

    errors = [f"part {k}: {q.error}" for k, q in enumerate(parts) if q.error]
    return m.Quote(provider=provider, raw={"parts": [q.raw for q in parts]}, sensor=parts[0].sensor,
                   area_km2=total("area_km2"), billed_area_km2=total("billed_area_km2"),
                   base_amount=total("base_amount"), amount=None if errors else total("amount"),
                   unit=parts[0].unit, tokens=total("tokens"), credits=total("credits"),
                   error="; ".join(errors) or None, request_index=index, parts=parts,
                   geometry=dict(request.aoi.__geo_interface__))


class Orders(_Facade):
    """Orders (``client.orders``): place them safely, one or many, and read, edit or cancel them.

    The ``AsyncClient``'s facade (its methods are coroutines but ``list``, which returns a lazy
    ``Listing``). Every order carries a client reference (``pxo-…``), so a placement whose answer was
    lost is looked up, never sent twice blindly (see ``create`` and ``reconcile``).

    >>> import asyncio, pixorder
    >>> async def order_then_cancel():
    ...     async with pixorder.AsyncClient("sandbox", api="planet", progress=False) as client:
    ...         request = pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21")
    ...         order = await client.orders.create(request)
    ...         found = await client.orders.reconcile(order.reference)
    ...         cancelled = await client.orders.cancel(order.id)
    ...         return found.id == order.id, str(cancelled.status)
    >>> asyncio.run(order_then_cancel())
    (True, 'CANCELLED')
    """

    async def create(self, request: Request, *, dry_run: bool = False, max_amount: float | None = None,
                     reference: str | None = None) -> m.Order:
        """Place an order (or, with ``dry_run=True``, price it without spending).

        The order carries a client reference (in its name or tags). If the answer is lost, the
        order is looked up by that reference before anything is sent again; if that cannot
        decide, ``AmbiguousSpend`` is raised holding the reference for ``reconcile()``.

        Args:
            request: a ``TaskingRequest`` or ``ArchiveRequest``.
            dry_run: price it as an order would be, placing nothing.
            max_amount: price the request first and refuse to place it above this amount (in the
                quote's ``unit``).
            reference: the client reference to carry (default: a new ``pxo-…``).

        Returns:
            Order: ``id``, ``status``, ``amount``, ``reference``, … (a multi-part AOI at Planet: one
            order holding its ``parts``, its ``amount``, ``area_km2`` and ``billed_area_km2`` their
            totals, as its quote's).

        Raises:
            ValidationError: not a request, or one the API is known to refuse (no call made).
            NotSupported: the provider does not take this kind of order (Planet: archive).
            SpendLimitExceeded: the price is above ``max_amount`` (nothing placed).
            AmbiguousSpend: the answer was lost and the lookup could not tell whether it was placed.
            ApiError: the provider refused the order (nothing placed).

        >>> import pixorder
        >>> client = pixorder.connect("sandbox", api="planet", progress=False)
        >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [4.35, 50.85]},
        ...                                   start="2030-03-01", end="2030-03-21")
        >>> client.orders.create(request, dry_run=True).dry_run
        True
        >>> order = client.orders.create(request)
        >>> order.reference.startswith("pxo-")
        True
        """
        if not isinstance(request, REQUEST_TYPES):
            raise E.ValidationError("request", "must be a TaskingRequest or an ArchiveRequest",
                                    type(request).__name__)
        if max_amount is not None and not positive_number(max_amount):
            raise E.ValidationError("max_amount", "must be a number above 0, in the unit the provider prices in "
                                                  "(the quote's unit: SQKM quota at Planet, a currency elsewhere)",
                                    max_amount)
        check_request(self.adapter, request)  # e.g. Planet Assured Tasking without an imaging window: no call
        reference = reference or pxref.new()
        await self._client._prepare()
        parts, _ = split_parts(self._client.provider, [request])
        if len(parts) > 1:
            return await self._create_parts(request, parts, dry_run=dry_run, max_amount=max_amount,
                                            reference=reference)
        if dry_run:
            return await self._client.send(self.adapter.create_order(request, reference=reference, dry_run=True))
        if max_amount is not None:
            self._within(max_amount, (await self._client.pricing._estimate([request]))[0])
        call = self.adapter.create_order(request, reference=reference)
        order = await self._place(call, reference)
        if order.status is None and not order.items:
            # Some APIs answer a placement with the id only. The order exists now: a failed read must
            # not turn it into an error (the user would order again), so keep the bare order then.
            order = await self._complete(order)
        return order

    async def _create_parts(self, request: Request, parts: list[Request], *, dry_run: bool,
                            max_amount: float | None, reference: str) -> m.Order:
        """Place one order per part together (Planet takes one polygon per order), each with its own
        reference ``<reference>-p<k>`` (k from 1), each with the spending safety of :meth:`create`.
        ``max_amount`` applies to the total. If any part's outcome is unknown, ``AmbiguousSpend`` names
        every part's reference (``references``) and the orders known to be placed (``placed``)."""
        if max_amount is not None and not dry_run:
            self._within(max_amount, join_quotes(self._client.provider, request, 0,
                                                 await self._client.pricing._estimate(parts)))
        references = [pxref.part(reference, k + 1) for k in range(len(parts))]
        outcomes = await asyncio.gather(
            *(self.create(part, dry_run=dry_run, reference=ref) for part, ref in zip(parts, references)),
            return_exceptions=True)
        placed = [o for o in outcomes if isinstance(o, m.Order)]
        failed = [o for o in outcomes if isinstance(o, BaseException)]
        if failed:
            ambiguous = next((o for o in failed if isinstance(o, E.AmbiguousSpend)), None)
            error = ambiguous or failed[0]
            if not isinstance(error, E.PixorderError):
                raise error
            error.references = references  # type: ignore[attr-defined]
            error.placed = placed  # type: ignore[attr-defined]
            done = ", ".join(f"{o.reference} → {o.id}" for o in placed) or "none"
            error.args = (f"{error} Multi-part AOI placed as {len(parts)} orders, references "
                          f"{', '.join(references)}; placed: {done}. Reconcile each unknown reference with "
                          f"client.orders.reconcile(reference) before ordering again.",)
            raise error
        for k, order in enumerate(placed):
            order.part = k
        statuses = {o.status for o in placed}
        return m.Order(provider=self._client.provider, raw={"parts": [o.raw for o in placed]},
                       id=", ".join(str(o.id) for o in placed), name=getattr(request, "name", None),
                       status=statuses.pop() if len(statuses) == 1 else None,
                       order_type=placed[0].order_type, unit=placed[0].unit,
                       amount=_total(o.amount for o in placed),
                       area_km2=_total(o.area_km2 for o in placed),
                       billed_area_km2=_total(o.billed_area_km2 for o in placed),
                       start=placed[0].start, end=placed[0].end, reference=reference, dry_run=dry_run,
                       geometry=dict(request.aoi.__geo_interface__), parts=placed)

    def _within(self, max_amount: float, quote: m.Quote) -> None:
        """Refuse an order whose price (``quote``) could not be had or is above ``max_amount``."""
        if quote.error:
            raise E.ApiError(quote.error, provider=self._client.provider, body=quote.raw)
        if quote.amount is not None and quote.amount > max_amount:
            raise E.SpendLimitExceeded(self._client.provider, quote.amount, quote.unit, max_amount)

    async def _place(self, call: Call[m.Order], reference: str) -> m.Order:
        """Send a placement once; after a failure that may have reached the server, look, never resend.

        The transport already resends what provably never reached processing (refused or timed-out
        connections, a body not fully written, 429 and 503) and, under an idempotency key, anything.
        What it gives up on here "may have acted": the order is looked up by its reference over the
        patience window (a slow server may commit long after the client gave up), and
        ``AmbiguousSpend`` is raised if it still cannot be told. See docs/architecture.md.
        """
        try:
            return await self._client.send(call)
        except OutcomeUnknown as unknown:
            cause: BaseException = unknown.cause
        except E.ApiError as exc:
            # A success answer the adapter could not read means the server acted. Retries under an
            # idempotency key that ran out may hide an attempt that was processed. Any other error
            # answer is the server refusing before acting: nothing was placed.
            idempotent = "Idempotency-Key" in call.headers
            if not (exc.code == UNREADABLE
                    or (idempotent and isinstance(exc, (E.ProviderUnavailable, E.RateLimited)))):
                raise
            cause = exc
        found = await self._await_reference(reference)
        if found:
            return await self._complete(found[0])
        raise E.AmbiguousSpend(self._client.provider, reference, cause)

    async def _await_reference(self, reference: str) -> list[m.Order]:
        """Look ``reference`` up until it shows or the client's ``reconcile_patience`` runs out.

        Lookups back off from ``reconcile_delay`` (doubling, at most 5 s apart); a lookup that fails
        counts as "not seen yet". Returns the orders found ([] when none showed in time).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._client.reconcile_patience
        delay = self._client.reconcile_delay
        while True:
            await asyncio.sleep(max(0.0, min(delay, deadline - loop.time())))
            try:
                found = await self._client.send(self.adapter.find_by_reference(reference))
            except (E.ProviderUnavailable, E.RateLimited, OutcomeUnknown):
                found = []
            if found or loop.time() >= deadline:
                return found
            delay = min(max(2 * delay, 0.05), 5.0)

    async def _complete(self, order: m.Order) -> m.Order:
        if order.id is None:
            return order
        try:
            return await self.get(order.id)
        except E.PixorderError:
            return order

    async def reconcile(self, reference: str) -> m.Order | None:
        """Settle an ``AmbiguousSpend``: the order placed with ``reference``, or None if none was.

        However old the order: Planet and Geopera filter by the reference; Pixxel's listing cannot, so
        its order items are read page by page, newest first (up to its adapter's bound).

        Args:
            reference: the ``pxo-…`` reference (``AmbiguousSpend.reference``).

        Returns:
            Order | None: the order carrying the reference, or None when the provider has none.

        Raises:
            Conflict: more than one order carries the reference.
            NotSupported: (Pixxel) the reference is not among the newest order items the adapter reads.

        >>> import pixorder
        >>> client = pixorder.connect("sandbox", api="planet", progress=False)
        >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [4.35, 50.85]},
        ...                                   start="2030-03-01", end="2030-03-21")
        >>> order = client.orders.create(request)
        >>> client.orders.reconcile(order.reference).id == order.id
        True
        """
        found = await self.adapter.lookup_reference(reference, self._client.send)  # every page, if need be
        if len(found) > 1:
            raise E.Conflict(f"{len(found)} orders carry reference {reference!r}", provider=self._client.provider)
        return await self._complete(found[0]) if found else None

    async def create_many(self, requests: Iterable[Request], *, references: Sequence[str] | None = None,
                          concurrency: int = 8, progress: bool | None = None) -> Results[m.Order]:
        """Place many orders: one row per request, in request order, the order or why there is none.

        Planet: the bulk endpoint (``POST /bulk/``), in chunks of at most 1,000 payloads and 1 MB of
        JSON, each with a client-chosen bulk id; pixorder polls each bulk until COMPLETE and reads every
        payload's outcome. A lost answer to the POST is checked by asking for that id (404: never
        received, sent again with the same id, which the server never runs twice; else: polled), so a
        bulk is never placed twice. Pixxel and Geopera: ``orders.create`` for each request,
        ``concurrency`` at a time, with its spending safety (see ``create``).

        Every order carries its own client reference (``references``, or generated ones sharing a
        prefix), so ``reconcile(reference)`` works per order. A request that placed nothing is a row with
        ``id`` None, ``error`` and ``error_type``; ``error_type == "AmbiguousSpend"`` means pixorder
        cannot tell whether it was placed: settle it with ``orders.reconcile(row.reference)``. A
        progress bar (``tqdm.auto``) shows for more than 10 requests unless ``progress=False``.

        Returns ``Results[Order]``; ``.to_geodataframe()`` gives the ``order_results`` frame (columns
        ``request_index``, ``id``, ``status``, ``amount``, ``reference``, ``error_type``, ``error``, …).

        Raises:
            ValidationError: ``requests`` is not a list of requests, or ``references`` does not match
                it (one unique reference per request). A request the API is known to refuse (e.g.
                Planet Assured Tasking without an imaging window) is an error row, not sent.

        >>> import pixorder
        >>> client = pixorder.connect("sandbox", api="planet", progress=False)
        >>> window = {"start": "2030-03-01", "end": "2030-03-21"}
        >>> rows = client.orders.create_many([pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", **window),
        ...                                   pixorder.TaskingRequest(aoi="POINT (4.35 50.85)",
        ...                                                           sensor="Assured Tasking", **window)])
        >>> [(row.request_index, str(row.status), row.error_type) for row in rows]
        [(0, 'RECEIVED', None), (1, 'None', 'ValidationError')]
        >>> rows.to_geodataframe()["error"][1]
        'imaging_window: is required for Planet Assured Tasking: find windows with client.imaging_windows.search(request), ...'
        >>> [client.orders.reconcile(r.reference) for r in rows
        ...  if r.error_type == "AmbiguousSpend"]                 # settle the rows pixorder cannot tell
        []
        """
        batch = request_list(requests, "must be a list of TaskingRequest or ArchiveRequest")
        if concurrency < 1:
            raise E.ValidationError("concurrency", "must be at least 1", concurrency)
        prefix: str | None = None
        if references is None:
            prefix, refs = pxref.batch(len(batch))
        else:
            refs = [str(r) for r in references]
            if len(refs) != len(batch) or len(set(refs)) != len(refs):
                raise E.ValidationError("references", f"must be {len(batch)} distinct references, one per request",
                                        len(refs))
        rows: list[m.Order | None] = [None] * len(batch)
        todo = []
        for i, request in enumerate(batch):
            try:
                check_request(self.adapter, request)
            except E.PixorderError as exc:
                rows[i] = self._error_row(i, request, refs[i], exc)
            else:
                todo.append(i)
        show = self._client.progress if progress is None else progress
        bar = None
        if show and len(todo) > 10:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(todo), desc=f"{self._client.provider} orders", unit="order", leave=False)
        try:
            if todo and self.adapter.bulk_order_limit:
                # A multi-part AOI is one order per part, placed and joined by create(): not in a bulk.
                multi = [i for i in todo if len(split_parts(self._client.provider, [batch[i]])[0]) > 1]
                single = [i for i in todo if i not in set(multi)]
                await asyncio.gather(self._create_bulk(batch, refs, prefix, single, rows, bar),
                                     self._create_each(batch, refs, multi, rows, concurrency, bar))
            elif todo:
                await self._create_each(batch, refs, todo, rows, concurrency, bar)
        finally:
            if bar is not None:
                bar.close()
        return Results(rows, entity="order_results")

    def _error_row(self, index: int, request: Request, reference: str, exc: BaseException,
                   error_type: str | None = None) -> m.Order:
        return m.Order(provider=self._client.provider, id=None, name=request.name, reference=reference,
                       request_index=index, error=str(exc), error_type=error_type or type(exc).__name__,
                       order_type=m.ItemType.ARCHIVE if isinstance(request, m.ArchiveRequest) else m.ItemType.TASKING,
                       geometry=dict(request.aoi.__geo_interface__))

    async def _create_each(self, batch: list[Request], refs: list[str], todo: list[int],
                           rows: list[m.Order | None], concurrency: int, bar: Any) -> None:
        """``create`` per request, ``concurrency`` at a time (the transport's rate limits apply)."""
        semaphore = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            async with semaphore:
                try:
                    order = await self.create(batch[i], reference=refs[i])
                    order.request_index = i
                    rows[i] = order
                except E.PixorderError as exc:
                    rows[i] = self._error_row(i, batch[i], refs[i], exc)
            if bar is not None:
                bar.update(1)

        await asyncio.gather(*(one(i) for i in todo))

    # --- bulk create -------------------------------------------------------------------------------
    def _bulk_chunks(self, indices: list[int], sizes: dict[int, int]) -> list[list[int]]:
        """Consecutive chunks of at most ``bulk_order_limit`` payloads whose JSON body (as sent:
        ``{"id": …, "order_payloads": [...]}``) stays within the API's ``body_limit``."""
        return chunked(indices, self.adapter.bulk_order_limit, sizes.__getitem__, self.adapter.body_limit,
                       overhead=BULK_OVERHEAD)

    async def _create_bulk(self, batch: list[Request], refs: list[str], prefix: str | None, todo: list[int],
                           rows: list[m.Order | None], bar: Any) -> None:
        payloads: dict[int, dict[str, Any]] = {}
        sizes: dict[int, int] = {}
        body_limit = self.adapter.body_limit
        for i in todo:
            try:
                payloads[i] = self.adapter.bulk_order_payload(batch[i], refs[i])
            except E.PixorderError as exc:
                rows[i] = self._error_row(i, batch[i], refs[i], exc)
                continue
            sizes[i] = json_size(payloads[i])
            if body_limit is not None and BULK_OVERHEAD + sizes[i] > body_limit:
                del payloads[i]
                rows[i] = self._error_row(i, batch[i], refs[i], E.ValidationError(
                    "aoi", f"makes an order request of {sizes[i]:,} bytes, over {self._client.provider}'s "
                    f"{body_limit:,}-byte body limit: simplify the AOI", sizes[i]))
        outcomes: dict[int, BulkOutcome | E.PixorderError] = {}
        semaphore = asyncio.Semaphore(4)

        async def run(chunk: list[int]) -> None:
            async with semaphore:
                await self._run_bulk(chunk, payloads, outcomes)
            if bar is not None:
                bar.update(len(chunk))

        await asyncio.gather(*(run(c) for c in self._bulk_chunks(list(payloads), sizes)))
        placed = {i: o.order_id for i, o in outcomes.items() if isinstance(o, BulkOutcome) and o.ok and o.order_id}
        orders = await self._fetch_orders(prefix, placed)
        for i, outcome in outcomes.items():
            request = batch[i]
            if isinstance(outcome, E.PixorderError):
                rows[i] = self._error_row(i, request, refs[i], outcome)
            elif i in placed:
                order = orders.get(placed[i]) or m.Order(
                    provider=self._client.provider, id=placed[i], name=payloads[i].get("name"), reference=refs[i],
                    geometry=dict(request.aoi.__geo_interface__), order_type=m.ItemType.TASKING)
                order.request_index = i
                rows[i] = order
            else:
                rows[i] = self._error_row(i, request, refs[i], E.ApiError(
                    outcome.message or "the provider refused this order", provider=self._client.provider))

    async def _run_bulk(self, chunk: list[int], payloads: dict[int, dict[str, Any]],
                        outcomes: dict[int, BulkOutcome | E.PixorderError]) -> None:
        """One bulk: submit it (exactly once), poll it to the end, read each payload's outcome."""
        bulk_id = str(uuid.uuid4())
        provider = self._client.provider
        try:
            received = await self._submit_bulk(bulk_id, [payloads[i] for i in chunk])
        except E.ApiError as exc:
            if exc.status == 413 and len(chunk) > 1:  # over the body limit after all: halve and retry
                half = len(chunk) // 2
                await self._run_bulk(chunk[:half], payloads, outcomes)
                await self._run_bulk(chunk[half:], payloads, outcomes)
                return
            for i in chunk:
                outcomes[i] = exc  # refused as a whole: nothing was placed
            return
        job = await self._await_job(self.adapter.get_bulk(bulk_id)) if received else None
        results = await self._bulk_results(bulk_id, len(chunk)) if job is not None else None
        for position, i in enumerate(chunk):
            outcome = results.get(position) if results is not None else None
            if outcome is None or outcome.pending:
                why = (f"bulk {bulk_id} was not completed within {self._client.poll_timeout:g} s" if received
                       else f"cannot tell whether bulk {bulk_id} reached {provider}")
                outcomes[i] = E.AmbiguousSpend(provider, self._reference_of(payloads[i]), RuntimeError(why))
            else:
                outcomes[i] = outcome

    @staticmethod
    def _reference_of(payload: Mapping[str, Any]) -> str:
        return pxref.from_name(str(payload.get("name") or "")) or ""

    async def _submit_bulk(self, bulk_id: str, payloads: list[dict[str, Any]]) -> bool:
        """POST the bulk until the server has it; True once it does, False if that cannot be told.

        The id is the client's: after a lost answer (or a server error) pixorder asks for it. 404 means
        the server never received it, and it is sent again with the same id (a server that receives
        an id twice refuses the second with 409, so a late first copy cannot place it twice); found
        means received, and it is polled, never POSTed again. Refusals (400, 401, 403, 413) raise.
        """
        call = self.adapter.submit_bulk(bulk_id, payloads)
        attempts = max(1, self._client.transport.retry.attempts)
        for attempt in range(attempts):
            try:
                await self._client.send(call)
                return True
            except E.Conflict:
                return True  # the id exists: an earlier copy of this very request got through
            except OutcomeUnknown:
                pass
            except E.ApiError as exc:
                if exc.code == UNREADABLE:
                    return True
                if not isinstance(exc, (E.ProviderUnavailable, E.RateLimited)):
                    raise
            if await self._bulk_seen(bulk_id):
                return True
            await asyncio.sleep(self._client.transport.retry.delay(attempt))
        # Still not seen: a slow server may commit it later. Look over the patience window.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._client.reconcile_patience
        delay = self._client.reconcile_delay
        while loop.time() < deadline:
            await asyncio.sleep(max(0.0, min(delay, deadline - loop.time())))
            if await self._bulk_seen(bulk_id):
                return True
            delay = min(max(2 * delay, 0.05), 5.0)
        return False

    async def _bulk_seen(self, bulk_id: str) -> bool | None:
        """Whether the server holds bulk ``bulk_id``: True, False (404), None (cannot ask now)."""
        try:
            await self._client.send(self.adapter.get_bulk(bulk_id))
            return True
        except E.NotFound:
            return False
        except (E.ProviderUnavailable, E.RateLimited, OutcomeUnknown):
            return None

    async def _await_job(self, call: Call[Job], *, missing_ok: bool = True) -> Job | None:
        """Poll ``call`` (backing off from 20 ms to 2 s) until the job is done; None after the client's
        ``poll_timeout``. A poll that fails (server errors, throttling; a 404 when ``missing_ok``, as
        for a bulk the server acknowledged a moment ago) is just tried again."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._client.poll_timeout
        delay = 0.02
        while True:
            try:
                job = await self._client.send(call)
                if job.done:
                    return job
            except E.NotFound:
                if not missing_ok:
                    raise
            except (E.ProviderUnavailable, E.RateLimited, OutcomeUnknown):
                pass
            if loop.time() >= deadline:
                return None
            await asyncio.sleep(min(delay, max(0.0, deadline - loop.time())))
            delay = min(delay * 2, 2.0)

    async def _bulk_results(self, bulk_id: str, count: int) -> dict[int, BulkOutcome] | None:
        """Each payload's outcome by index (pages of 1,000); None if they cannot be read in time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._client.poll_timeout
        found: dict[int, BulkOutcome] = {}
        offset, delay = 0, 0.05
        while offset < count:
            try:
                page = await self._client.send(self.adapter.bulk_outcomes(bulk_id, offset, 1000))
            except (E.ProviderUnavailable, E.RateLimited, OutcomeUnknown):
                if loop.time() >= deadline:
                    return None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            for outcome in page.items:
                found[outcome.index] = outcome
            if not page.items:
                break
            offset += len(page.items)
        return found

    async def _fetch_orders(self, prefix: str | None, placed: dict[int, str]) -> dict[str, m.Order]:
        """The orders just placed, by id: one listing filtered by the batch's reference prefix (pages of
        1,000), then one ``get`` for any it missed. An order that cannot be read stays a bare row."""
        wanted = set(placed.values())
        found: dict[str, m.Order] = {}
        if prefix is not None and wanted:
            offset = 0
            try:
                while True:
                    page = await self._client.send(self.adapter.list_orders({"reference": prefix}, offset, 1000))
                    found.update((o.id, o) for o in page.items if o.id in wanted)
                    offset += len(page.items)
                    if not page.items or (page.total is not None and offset >= page.total) or wanted <= set(found):
                        break
            except E.PixorderError:
                pass  # the orders exist: read them one by one below
        missing = [order_id for order_id in wanted if order_id not in found]
        semaphore = asyncio.Semaphore(8)

        async def get(order_id: str) -> None:
            async with semaphore:
                try:
                    found[order_id] = await self.get(order_id)
                except E.PixorderError:
                    pass

        await asyncio.gather(*(get(order_id) for order_id in missing))
        return found

    async def get(self, order_id: str) -> m.Order:
        """One order, read again from the provider.

        Args:
            order_id: the provider's order id (``Order.id``).

        Returns:
            Order: with its current ``status`` (and items, where the provider has them).

        Raises:
            ValidationError: ``order_id`` is not a non-empty string (nothing sent).
            NotFound: no such order.

        >>> import pixorder
        >>> client = pixorder.connect("sandbox", api="planet", progress=False)
        >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [4.35, 50.85]},
        ...                                   start="2030-03-01", end="2030-03-21")
        >>> order = client.orders.create(request)
        >>> client.orders.get(order.id).id == order.id
        True
        """
        check_id("order_id", order_id)
        return await self._client.send(self.adapter.get_order(order_id))

    def list(self, *, limit: int | None = None, progress: bool | None = None, **filters: Any) -> Listing[m.Order]:
        """Every order matching ``filters``, fetched page by page as you iterate.

        Args:
            limit: at most this many rows (None: all).
            progress: a progress bar (default: the client's ``progress``).
            **filters: pixorder's names or the API's own (the adapter's ``listing_filters["orders"]``).
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
            Listing[Order]: lazy, newest first; iterate it, or ``.collect()`` / ``.to_geodataframe()``
            (the sync client gives a ``SyncListing``).

        Raises:
            ValidationError: a filter the listing does not know (before any call; ``field`` its name,
                the message lists the known ones).
            NotSupported: the provider has no order listing.

        >>> import pixorder
        >>> client = pixorder.connect("sandbox", api="planet", progress=False)
        >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [4.35, 50.85]},
        ...                                   start="2030-03-01", end="2030-03-21")
        >>> _ = client.orders.create(request)
        >>> len(client.orders.list(limit=1).collect())
        1
        """
        return self._client._listing("orders", self.adapter.list_orders, filters, limit, progress)

    async def edit(self, order_id: str, **changes: Any) -> m.Order:
        """Change what the provider allows (Planet: name, rank, start, end; Geopera: tags).

        A new name keeps pixorder's client reference, so the order can still be reconciled.

        Args:
            order_id: the provider's order id.
            **changes: field → new value.

        Returns:
            Order: the order as the provider now has it.

        Raises:
            ValidationError: a field the provider does not let you change (before any call).
            NotSupported: the provider edits nothing (Pixxel).
            ApiError: the provider refused (e.g. an order past the state where it may change).

        >>> import pixorder
        >>> pixorder.connect("sandbox", api="pixxel").orders.edit("o-1", name="x")
        Traceback (most recent call last):
        ...
        pixorder.errors.NotSupported: pixxel does not support orders.edit(); Pixxel orders cannot be edited: place a new order
        """
        self.adapter.edit_order(order_id, changes)  # refuses unknown fields before any call
        if "name" in changes:
            current = await self.get(order_id)
            if current.reference and not pxref.carried_in(changes["name"], current.reference):
                changes = {**changes, "name": pxref.in_name(changes["name"], current.reference, "",
                                                             self.adapter.name_limit)}
        result = await self._client.send(self.adapter.edit_order(order_id, changes))
        return result if isinstance(result, m.Order) else await self.get(order_id)

    async def cancel(self, order_id: str) -> m.Order:
        """Cancel an order the provider still lets you cancel.

        Args:
            order_id: the provider's order id.

        Returns:
            Order: read again after the cancel (its ``status`` says what the provider made of it).

        Raises:
            NotSupported: the provider cancels nothing through its API (Pixxel).
            NotFound: no such order.
            ApiError: the provider refused (an order already being acquired, …).

        >>> import pixorder
        >>> client = pixorder.connect("sandbox", api="planet", progress=False)
        >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [4.35, 50.85]},
        ...                                   start="2030-03-01", end="2030-03-21")
        >>> order = client.orders.create(request)
        >>> str(client.orders.cancel(order.id).status)
        'CANCELLED'
        """
        call = self.adapter.cancel_order(order_id)
        await self._client.send(call)
        return await self.get(order_id)


class OrderItems(_Facade):
    """Order items (``client.order_items``): Pixxel's one item per AOI of an order.

    Planet and Geopera orders have no items (``list`` raises ``NotSupported``: use ``orders.list()``).

    >>> import asyncio, pixorder
    >>> async def items_of_a_new_order():
    ...     async with pixorder.AsyncClient("sandbox", api="pixxel", progress=False) as client:
    ...         order = await client.orders.create(pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21"))
    ...         items = await client.order_items.list(order_ids=order.id).collect()
    ...         return [(i.order_id == order.id, str(i.type), i.billed_area_km2) for i in items]
    >>> asyncio.run(items_of_a_new_order())
    [(True, 'TASKING', 100.0)]
    """

    def list(self, *, limit: int | None = None, progress: bool | None = None, **filters: Any) -> Listing[m.OrderItem]:
        """Every order item matching ``filters`` (Pixxel), fetched page by page.

        Args:
            limit: at most this many rows (None: all).
            progress: a progress bar (default: the client's ``progress``).
            **filters: Pixxel's own query names: ``order_ids`` (or ``order_id``), ``ids``,
                ``project_ids`` (or ``project_id``) (lists or one id), ``status`` (one or a list of
                pixorder's ``OrderStatus`` words, as for ``orders.list``), ``type``, ``user_id``,
                ``created_by``, ``created_at``/``area`` as ``"from,to"`` ranges (see the adapter's
                ``listing_filters["order_items"]``). A None value is no filter.

        Returns:
            Listing: lazy; iterate it, or ``.collect()`` / ``.to_geodataframe()``.

        Raises:
            NotSupported: the provider has no such listing (with what to do instead), before any call.
            ValidationError: a filter the listing does not know (before any call; ``field`` its name,
                the message lists the known ones).

        >>> import pixorder
        >>> type(pixorder.AsyncClient("sandbox", api="pixxel").order_items.list(limit=1)).__name__
        'Listing'
        """
        return self._client._listing("order_items", self.adapter.list_order_items, filters, limit, progress)


class Tasks(_Facade):
    """Acquisition tasks (``client.tasks``) of tasking orders (Pixxel: the tasks inside its order items).

    Planet and Geopera raise ``NotSupported`` (Planet: captures per order in ``deliveries.list()``).

    >>> import asyncio, pixorder
    >>> async def tasks_of_a_new_order():
    ...     async with pixorder.AsyncClient("sandbox", api="pixxel", progress=False) as client:
    ...         order = await client.orders.create(pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21"))
    ...         return [(str(t.status), t.start.date().isoformat())
    ...                 async for t in client.tasks.list(order_ids=order.id)]
    >>> asyncio.run(tasks_of_a_new_order())
    [('DRAFT', '2030-03-01')]
    """

    def list(self, *, limit: int | None = None, progress: bool | None = None, **filters: Any) -> Listing[m.Task]:
        """Every acquisition task matching ``filters``, fetched page by page.

        Args:
            limit: at most this many rows (None: all; counted in tasks, read item by item).
            progress: a progress bar (default: the client's ``progress``).
            **filters: Pixxel's order-item query names (``order_ids`` or ``order_id``, ``status``,
                ``type``, …; see ``OrderItems.list``): the tasks of the matching items (``status`` is
                the items'). A None value is no filter.

        Returns:
            Listing: lazy; iterate it, or ``.collect()`` / ``.to_geodataframe()``.

        Raises:
            NotSupported: the provider has no such listing (with what to do instead), before any call.
            ValidationError: a filter the listing does not know (before any call; ``field`` its name,
                the message lists the known ones).

        >>> import pixorder
        >>> pixorder.connect("sandbox", api="planet").tasks.list()
        Traceback (most recent call last):
        ...
        pixorder.errors.NotSupported: planet does not support tasks.list(); Planet reports captures per order: use deliveries.list(order_id)
        """
        return self._client._listing("tasks", self.adapter.list_tasks, filters, limit, progress)


class Quotations(_Facade):
    """Quotations (``client.quotations``) a provider offers before an order (Geopera).

    A Geopera tasking order's quotation shows about 6 hours after the order (after its feasibility
    study, for a large AOI); accepting it debits the credits. Pixxel and Planet raise ``NotSupported``.

    >>> import asyncio, pixorder
    >>> async def quotations_of_a_new_order():
    ...     async with pixorder.AsyncClient("sandbox", api="geopera", progress=False) as client:
    ...         order = await client.orders.create(pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21"))
    ...         return await client.quotations.list(order_id=order.id).collect()
    >>> asyncio.run(quotations_of_a_new_order())       # not yet: it shows about 6 h after the order
    []
    """

    def list(self, *, limit: int | None = None, progress: bool | None = None, **filters: Any) -> Listing[m.Quotation]:
        """Every quotation matching ``filters`` (Geopera), fetched page by page.

        Args:
            limit: at most this many rows (None: all).
            progress: a progress bar (default: the client's ``progress``).
            **filters: ``order_id``, ``status`` (the decision, in pixorder's ``QuotationStatus``
                words: ``NOT_DECIDED`` (or ``PENDING``), ``ACCEPTED``, …), ``workspace_id``, or Geopera's
                own ``id``, ``orderId``, ``decision``, ``workspaceId``. A None value is no filter.

        Returns:
            Listing: lazy; iterate it, or ``.collect()`` / ``.to_geodataframe()``.

        Raises:
            NotSupported: the provider has no such listing (with what to do instead), before any call.
            ValidationError: a filter the listing does not know (before any call; ``field`` its name,
                the message lists the known ones).

        >>> import pixorder
        >>> pixorder.connect("sandbox", api="planet").quotations.list()
        Traceback (most recent call last):
        ...
        pixorder.errors.NotSupported: planet does not support quotations.list(); prices come from pricing.estimate()
        """
        return self._client._listing("quotations", self.adapter.list_quotations, filters, limit, progress)

    async def decide(self, quotation_id: str, accept: bool) -> m.Quotation:
        """Accept (reserves credits) or reject a quotation; resent safely with an idempotency key.

        Args:
            quotation_id: the quotation's id (``Quotation.id``).
            accept: True to accept, False to reject.

        Returns:
            Quotation: with its new ``status``.

        Raises:
            NotSupported: the provider has no quotations.
            NotFound: no such quotation.
            Conflict: already decided.

        >>> import pixorder
        >>> pixorder.connect("sandbox", api="pixxel").quotations.decide("q-1", accept=True)
        Traceback (most recent call last):
        ...
        pixorder.errors.NotSupported: pixxel does not support quotations.decide(); orders are priced up front
        """
        return await self._client.send(self.adapter.decide_quotation(quotation_id, accept))


class Feasibility(_Facade):
    """Feasibility checks and studies (``client.feasibility``; Geopera).

    ``check`` tells before ordering whether a study will be needed (an AOI over Geopera's automatic
    limit); the study itself shows about 6 hours after the order, with options to ``decide`` between.

    >>> import asyncio, pixorder
    >>> async def check(aoi):
    ...     async with pixorder.AsyncClient("sandbox", api="geopera", progress=False) as client:
    ...         request = pixorder.TaskingRequest(aoi=aoi, start="2030-03-01", end="2030-03-21")
    ...         (study,) = await client.feasibility.check(request)
    ...         return study.required, study.reason
    >>> asyncio.run(check("POINT (4.35 50.85)"))
    (False, 'within automatic feasibility limits')
    >>> asyncio.run(check("POLYGON ((10 45, 10.4 45, 10.4 45.3, 10 45.3, 10 45))"))
    (True, 'AOI of 1048.8 km² exceeds the 500 km² automatic-feasibility limit')
    """

    async def check(self, request: m.TaskingRequest) -> Results[m.FeasibilityStudy]:
        """Ask whether ``request`` can be acquired as asked, before ordering.

        Args:
            request: a ``TaskingRequest``.

        Returns:
            Results[FeasibilityStudy]: one check: ``required`` (whether a study will follow the
            order) and ``reason``.

        Raises:
            NotSupported: the provider has no feasibility check (read it on the quote instead).
            ApiError: the provider refused the request.

        >>> import pixorder
        >>> client = pixorder.connect("sandbox", api="geopera", progress=False)
        >>> studies = client.feasibility.check(pixorder.TaskingRequest(
        ...     aoi={"type": "Point", "coordinates": [4.35, 50.85]}, start="2030-03-01", end="2030-03-21",
        ...     sensor="pneo-30cm"))
        >>> len(studies)
        1
        """
        await self._client._prepare()
        return Results(await self._client.send(self.adapter.check_feasibility(request)), entity="feasibility")

    def list(self, *, limit: int | None = None, progress: bool | None = None, **filters: Any) -> Listing[m.FeasibilityStudy]:
        """Every feasibility study matching ``filters`` (Geopera), fetched page by page.

        Args:
            limit: at most this many rows (None: all).
            progress: a progress bar (default: the client's ``progress``).
            **filters: ``order_id``, ``status`` (the decision, in ``QuotationStatus`` words as for
                ``quotations.list``), ``workspace_id``, or Geopera's own ``id``, ``orderId``,
                ``decision``, ``workspaceId``. A None value is no filter.

        Returns:
            Listing: lazy; iterate it, or ``.collect()`` / ``.to_geodataframe()``.

        Raises:
            NotSupported: the provider has no such listing (with what to do instead), before any call.
            ValidationError: a filter the listing does not know (before any call; ``field`` its name,
                the message lists the known ones).

        >>> import pixorder
        >>> type(pixorder.AsyncClient("sandbox", api="geopera").feasibility.list(limit=1)).__name__
        'Listing'
        """
        return self._client._listing("feasibility", self.adapter.list_feasibility, filters, limit, progress)

    async def decide(self, study_id: str, option_id: str) -> m.FeasibilityStudy:
        """Choose one option of a feasibility study.

        Args:
            study_id: the study's id; option_id: one of its ``options``' ids.

        Returns:
            FeasibilityStudy: with its new ``status``.

        Raises:
            NotSupported: the provider has no studies to decide.
            NotFound: no such study or option.

        >>> import pixorder
        >>> pixorder.connect("sandbox", api="planet").feasibility.decide("s-1", "o-1")
        Traceback (most recent call last):
        ...
        pixorder.errors.NotSupported: planet does not support feasibility.decide(); no feasibility studies to decide
        """
        return await self._client.send(self.adapter.decide_feasibility(study_id, option_id))


class Deliveries(_Facade):
    """Where an order's imagery is (``client.deliveries``): products, captures or STAC items per order.

    >>> import asyncio, pixorder
    >>> async def delivered_so_far():
    ...     async with pixorder.AsyncClient("sandbox", api="geopera", progress=False) as client:
    ...         order = await client.orders.create(pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21"))
    ...         return await client.deliveries.list(order.id)
    >>> asyncio.run(delivered_so_far())                 # nothing before the acquisition window
    []
    """

    async def list(self, order_id: str) -> Results[m.Delivery]:
        """Where an order's imagery is: one ``Delivery`` per delivered product (or capture).

        Pixxel: the order's catalogs with one signed download ``url`` for them (valid about an hour:
        call again for a fresh one); Planet: the order's fulfilling captures (``capture_id``; the
        scenes' ids in ``raw["item_ids"]``); Geopera: delivered STAC items (``url`` of the data asset)
        and the order's ``covered_percent``. Empty while nothing is delivered. ``.to_geodataframe()``
        gives the ``deliveries`` frame (EPSG:4326, UTC datetimes).

        Args:
            order_id: the provider's order id.

        Returns:
            Results[Delivery]: one per delivered product; empty while nothing is delivered.

        Raises:
            ValidationError: ``order_id`` is not a non-empty string.
            NotSupported: the provider has no such thing (with what to do instead).
            NotFound: the provider has no order ``order_id`` (the message names it), at every
                provider: where the API lists an unknown order's deliveries as none (Pixxel's item
                listing, Planet's captures), an empty answer is checked by reading the order.

        >>> import pixorder
        >>> client = pixorder.connect("sandbox", api="planet", progress=False)
        >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [4.35, 50.85]},
        ...                                   start="2030-03-01", end="2030-03-21")
        >>> order = client.orders.create(request)
        >>> client.deliveries.list(order.id)
        []
        """
        if not isinstance(order_id, str) or not order_id.strip():
            raise E.ValidationError("order_id", "must be an order id (a non-empty string)", order_id)
        found = await self.adapter.deliveries(order_id, self._client.send)
        return Results(found, entity="deliveries")


class ImagingWindows(_Facade):
    """Imaging windows (``client.imaging_windows``; Planet Assured Tasking).

    >>> import asyncio, pixorder
    >>> from datetime import timedelta
    >>> async def windows_in_the_next_days():
    ...     async with pixorder.AsyncClient("sandbox", api="planet", progress=False) as client:
    ...         soon = client.sandbox.now() + timedelta(days=2)     # the sandbox's clock
    ...         request = pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start=soon,
    ...                                           end=soon + timedelta(days=3), sensor="Assured Tasking")
    ...         windows = await client.imaging_windows.search(request)
    ...         return len(windows) > 0, all(soon <= w.start < w.end for w in windows)
    >>> asyncio.run(windows_in_the_next_days())
    (True, True)
    """

    async def search(self, request: m.TaskingRequest) -> Results[m.ImagingWindow]:
        """The imaging windows in which ``request``'s AOI can be taken (Planet Assured Tasking).

        Sends the search (the AOI as a point, or a two-point line as drawn; ``start``/``end`` at most
        7 days ahead; ``elevation_min`` when set), then polls the search until DONE (backing off, at
        most the client's ``poll_timeout``). Order one with
        ``request.model_copy(update={"imaging_window": window.id})``.

        Returns ``Results[ImagingWindow]`` (``start``, ``end``, ``cloud_forecast`` in percent,
        ``off_nadir_min``/``off_nadir_max`` in degrees, ``satellite_type``); ``.to_geodataframe()``
        gives the ``imaging_windows`` frame.

        Raises:
            NotSupported: the provider has no imaging windows (Pixxel, Geopera).
            ValidationError: ``request`` is not a TaskingRequest.
            ApiError: the provider refused the search, or it ended FAILED (``code`` from the provider).
            ProviderUnavailable: the search did not finish within ``poll_timeout``.

        Args:
            request: a ``TaskingRequest`` for the Assured Tasking product.

        >>> import pixorder
        >>> from datetime import timedelta
        >>> client = pixorder.connect("sandbox", api="planet", progress=False)
        >>> soon = client.sandbox.now() + timedelta(days=2)    # the sandbox's clock (a user may advance it)
        >>> request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [4.35, 50.85]},
        ...     start=soon, end=soon + timedelta(days=3), sensor="Assured Tasking")
        >>> windows = client.imaging_windows.search(request)
        >>> best = min(windows, key=lambda w: w.cloud_forecast or 0)
        >>> client.orders.create(request.model_copy(update={"imaging_window": best.id})).reference[:4]
        'pxo-'
        """
        if not isinstance(request, m.TaskingRequest):
            raise E.ValidationError("request", "must be a TaskingRequest", type(request).__name__)
        call = self.adapter.search_imaging_windows(request)  # NotSupported before any call
        path = await self._client.send(call)
        job = await self._client.orders._await_job(self.adapter.poll_imaging_windows(path), missing_ok=False)
        if job is None:
            raise E.ProviderUnavailable(f"the imaging-window search {path} did not finish within "
                                        f"{self._client.poll_timeout:g} s", provider=self._client.provider)
        if job.failed:
            code = job.error.split(":", 1)[0] if job.error and ":" in job.error else None
            raise E.ApiError(job.error or "the imaging-window search failed", provider=self._client.provider,
                             code=code)
        return Results(job.result, entity="imaging_windows")
