"""Result containers: a list that becomes a GeoDataFrame, and a lazy paginated listing."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from pixorder import errors as E
from pixorder import frames as _frames  # noqa: F401  (registers the models' HTML tables)
from pixorder import models as m

if TYPE_CHECKING:
    import geopandas

    from pixorder.providers.base import Adapter, Call

T = TypeVar("T")
R = TypeVar("R")


class Sender(Protocol):
    """What a listing needs of a client: its provider's name and adapter, and a way to send a Call.

    ``AsyncClient`` is one; a listing never needs the rest of it (and results never import the client).
    Anything with these does, e.g. pages served from memory:

    >>> import asyncio
    >>> from pixorder.models import Page
    >>> class Rows:                                  # a Sender without HTTP: five rows, two per page
    ...     provider, adapter = "demo", None
    ...     async def send(self, call):
    ...         offset, size = call
    ...         return Page(items=list(range(5))[offset:offset + size], total=5)
    >>> listing = Listing(Rows(), "rows", lambda filters, offset, size: (offset, size), {}, limit=None,
    ...                   page_size=2, progress=False)
    >>> asyncio.run(listing.collect()), listing.pages_fetched
    ([0, 1, 2, 3, 4], 3)
    """

    provider: str
    adapter: Adapter

    async def send(self, call: Call[R]) -> R:
        """Send ``call`` and return what its ``parse`` makes of the answer (a ``Page`` for a listing).

        Args:
            call: the adapter's description of one exchange.

        Returns:
            the parsed answer.

        Raises:
            ApiError: the provider answered with an error (``AsyncClient.send``'s contract).
        """
        ...


class Results(list[T]):
    """A plain list of models that also knows its frame schema.

    What ``sensors()``, ``pricing.estimate([...])``, ``orders.create_many()``, ``deliveries.list()``
    and a listing's ``collect()`` return. ``entity`` names the schema (``"quotes"``, ``"orders"``, …)
    so that an empty list still gives a frame with the right columns. In a notebook it shows as a table.

    Args:
        items: the models.
        entity: a key of ``pixorder.frames.SCHEMAS``.

    >>> from pixorder.models import Quote
    >>> quotes = Results([Quote(provider="planet", amount=25.0, unit="SQKM")], entity="quotes")
    >>> len(quotes), quotes[0].amount
    (1, 25.0)
    >>> quotes.to_geodataframe()[["provider", "amount", "unit"]].to_dict("records")
    [{'provider': 'planet', 'amount': 25.0, 'unit': 'SQKM'}]
    >>> Results([], entity="orders").to_geodataframe().shape
    (0, 19)
    """

    def __init__(self, items: Any = (), entity: str = "orders"):
        super().__init__(items)
        self.entity = entity

    def to_geodataframe(self) -> geopandas.GeoDataFrame:
        """The rows as their entity's frame (see :func:`pixorder.frames.to_geodataframe`).

        Returns:
            GeoDataFrame: one row per model (a multi-part quote: its parts, then its total), the
            entity's fixed columns and dtypes, EPSG:4326, UTC datetimes.
        """
        from pixorder.frames import to_geodataframe

        return to_geodataframe(self, entity=self.entity)

    def _repr_html_(self) -> str:
        frame = self.to_geodataframe()
        return f"<p>{len(self)} {self.entity}</p>" + frame.drop(columns="geometry").head(20)._repr_html_()


class Listing(Generic[T]):
    """Every row of a listing, fetched page by page only as you iterate.

    ``limit`` caps the rows; past one page a progress bar (``tqdm.auto``) shows how far it got.
    What the ``AsyncClient``'s ``list()`` methods return: iterate it with ``async for``, or fetch
    every row with ``await listing.collect()`` / ``await listing.to_geodataframe()`` (the sync
    ``Client`` wraps it in a ``SyncListing``).

    Args:
        client: a :class:`Sender` (an ``AsyncClient``).
        entity: the frame schema of the rows (``"orders"``, ``"tasks"``, …).
        make_call: ``(filters, offset, limit) → Call`` of one page (an adapter's ``list_…``).
        filters: the filters, as the adapter takes them.
        limit: at most this many rows (None: all).
        page_size: rows asked per page (cut to ``limit``).
        progress: show a progress bar past one page.

    >>> import asyncio, pixorder
    >>> async def orders_carrying_the_reference():
    ...     async with pixorder.AsyncClient("sandbox", api="planet", progress=False) as client:
    ...         request = pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21")
    ...         order = await client.orders.create(request)
    ...         listing = client.orders.list(reference=order.reference)
    ...         ids = [row.id async for row in listing]
    ...         frame = await listing.to_geodataframe()
    ...         return ids == [order.id], frame["id"].tolist() == [order.id]
    >>> asyncio.run(orders_carrying_the_reference())
    (True, True)
    """

    def __init__(self, client: Sender, entity: str,
                 make_call: Callable[[dict[str, Any], int, int], Call[m.Page[Any]]],
                 filters: dict[str, Any], *, limit: int | None, page_size: int, progress: bool = True):
        self._client = client
        self.entity = entity
        self._make_call = make_call
        self.filters = filters
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise E.ValidationError("limit", "must be a whole number of rows ≥ 0, or None for every row", limit)
        self.limit = limit
        self.page_size = page_size if limit is None else max(1, min(page_size, limit))
        self.pages_fetched = 0
        self.progress = progress

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.filters.items())
        return f"<Listing {self._client.provider} {self.entity}({shown}) limit={self.limit}>"

    async def pages(self) -> AsyncIterator[m.Page[Any]]:
        """The listing page by page; each row at most once, none that existed at the start missed.

        Offset pages over a newest-first listing shift when rows arrive while you iterate: the next
        page then starts later by as many rows as the total grew (or earlier, by as many as left a
        filtered listing), and rows already yielded are dropped by id. A server that returns fewer
        rows than asked (a capped ``limit``) moves the offset by what it returned.

        Returns:
            AsyncIterator[Page]: each page with only its new rows (``items``) and the provider's ``total``.

        Raises:
            ApiError: the provider refused a page (after the transport's retries).
        """
        offset, yielded, bar = 0, 0, None
        total_before: int | None = None
        seen: set[Any] = set()
        try:
            while True:
                page = await self._client.send(self._make_call(self.filters, offset, self.page_size))
                self.pages_fetched += 1
                if total_before is not None and page.total is not None and page.total != total_before:
                    # Rows came or went since the last page. Newest-first, k new rows push every row k
                    # places down: read again from where the next unseen row now stands. (Rows that
                    # left make the shift smaller than the truth: a few rows come twice and are dropped.)
                    shift, total_before = page.total - total_before, page.total
                    offset = max(0, offset + shift)
                    page = await self._client.send(self._make_call(self.filters, offset, self.page_size))
                    self.pages_fetched += 1
                total_before = page.total if page.total is not None else total_before
                # Rows of the underlying listing this page used up (tasks come inside items).
                consumed = page.consumed if page.consumed is not None else len(page.items)
                fresh = []
                for row in page.items:
                    key = getattr(row, "id", None)
                    if key is not None:
                        if key in seen:
                            continue
                        seen.add(key)
                    fresh.append(row)
                if self.limit is not None:
                    fresh = fresh[: self.limit - yielded]
                page.items = fresh
                yielded += len(fresh)
                bar = self._progress(bar, page, len(fresh))
                yield page
                offset += consumed
                done = self.limit is not None and yielded >= self.limit
                if done or consumed == 0 or not self._more(page, offset):
                    return
        finally:
            if bar is not None:
                bar.close()

    def _more(self, page: m.Page[Any], offset: int) -> bool:
        if page.total is not None:
            return offset < page.total
        # No total and no next link: only an empty page says the end (a server may cap page sizes).
        return True

    def _progress(self, bar: Any, page: m.Page[Any], n: int) -> Any:
        total = page.total if self.limit is None else min(page.total or self.limit, self.limit)
        if bar is None and self.progress and total is not None and total > self.page_size:
            from tqdm.auto import tqdm

            bar = tqdm(total=total, desc=f"{self._client.provider} {self.entity}", unit="row", leave=False)
        if bar is not None:
            bar.update(n)
        return bar

    async def __aiter__(self) -> AsyncGenerator[T, None]:
        async for page in self.pages():
            for row in page.items:
                yield row

    async def collect(self) -> Results[T]:
        """Every row (up to ``limit``), fetched now page by page, as a list of models.

        Returns:
            Results: the models, newest first where the provider lists so; ``.to_geodataframe()`` for a frame.

        Raises:
            ApiError: the provider refused a page (after the transport's retries).
        """
        rows: list[T] = []
        async for page in self.pages():
            rows.extend(page.items)
        return Results(rows, entity=self.entity)

    async def to_geodataframe(self, concurrency: int = 4) -> geopandas.GeoDataFrame:
        """Every row as one frame. Big listings skip the models: once the first page gives the total,
        the other pages are fetched ``concurrency`` at a time (the transport's rate limits still
        apply) and raw rows go straight into frame columns.

        A server that returns fewer rows than asked is asked again for the rest of each range, so
        nothing is skipped; if rows come or go during the fetch (the total changes), the listing is
        read again page by page, which neither repeats nor skips.

        Args:
            concurrency: pages in flight at once on the fast path.

        Returns:
            GeoDataFrame: the entity's frame (fixed columns and dtypes, EPSG:4326, UTC datetimes).

        Raises:
            ApiError: the provider refused a page (after the transport's retries).
        """
        adapter = self._client.adapter
        if self.entity not in adapter.fast_frames:
            return (await self.collect()).to_geodataframe()
        return await self._fast_frame(concurrency)

    async def _fast_frame(self, concurrency: int) -> geopandas.GeoDataFrame:
        import asyncio

        from pixorder.frames import PageColumns, build_frame

        adapter = self._client.adapter

        def page_columns(body: Any, headers: Any) -> tuple[PageColumns, int | None]:
            # Each page is cut into column lists (and shapely geometries) as soon as it arrives, so its
            # raw dicts can go; the frame is built once at the end (per-page frames cost 6× more).
            rows, total = adapter.page_rows(body)
            columns, geometry = adapter.frame_columns(self.entity, rows)
            return PageColumns.of(self.entity, columns, geometry), total

        totals: set[int | None] = set()

        async def fetch(offset: int, size: int) -> PageColumns:
            call = self._make_call(self.filters, offset, size).reading(page_columns)
            page, total = await self._client.send(call)
            totals.add(total)
            return page

        first = await fetch(0, self.page_size)
        (total,) = totals
        if total is None:
            return (await self.collect()).to_geodataframe()
        wanted = total if self.limit is None else min(total, self.limit)
        # The server's own page size (it may cap ours): the ranges below follow it.
        step = max(1, min(self.page_size, len(first))) if len(first) else self.page_size
        pages = [first]
        if wanted > len(first) and len(first):
            semaphore = asyncio.Semaphore(concurrency)
            bar = self._progress(None, m.Page[Any](items=[], total=wanted), len(first))

            async def fill(start: int) -> list[PageColumns]:
                # One range [start, start + step): asked again from where it stopped if the server
                # gave fewer rows than asked, until it is full or the listing ends.
                parts: list[PageColumns] = []
                got, size = 0, min(step, wanted - start)
                while got < size:
                    async with semaphore:
                        part = await fetch(start + got, size - got)
                    if not len(part):
                        break
                    parts.append(part)
                    got += len(part)
                    if bar is not None:
                        bar.update(len(part))
                return parts

            try:
                ranges = await asyncio.gather(*(fill(o) for o in range(len(first), wanted, step)))
            finally:
                if bar is not None:
                    bar.close()
            pages += [part for parts in ranges for part in parts]
        if len(totals) > 1:
            # Rows came or went while the pages were fetched concurrently: offsets moved under us.
            return (await self.collect()).to_geodataframe()
        columns, geometry = PageColumns.join(pages, limit=wanted)
        return build_frame(self.entity, columns, geometry)
