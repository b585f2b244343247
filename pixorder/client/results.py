"""Result containers: a list that becomes a GeoDataFrame, and a lazy paginated listing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pixorder import models as m

if TYPE_CHECKING:
    import geopandas

    from pixorder.client.core import AsyncClient
    from pixorder.providers.base import Call

T = TypeVar("T")


class Results(list, Generic[T]):  # type: ignore[type-arg]
    """A plain list of models that also knows its frame schema.

    >>> quotes.to_geodataframe()[["provider", "amount", "unit"]]   # doctest: +SKIP
    """

    def __init__(self, items: Any = (), entity: str = "orders"):
        super().__init__(items)
        self.entity = entity

    def to_geodataframe(self) -> geopandas.GeoDataFrame:
        from pixorder.frames import to_geodataframe

        return to_geodataframe(self, entity=self.entity)

    def _repr_html_(self) -> str:
        frame = self.to_geodataframe()
        return f"<p>{len(self)} {self.entity}</p>" + frame.drop(columns="geometry").head(20)._repr_html_()


class Listing(Generic[T]):
    """Every row of a listing, fetched page by page only as you iterate.

    ``limit`` caps the rows; past one page a progress bar (``tqdm.auto``) shows how far it got.
    """

    def __init__(self, client: AsyncClient, entity: str,
                 make_call: Callable[[dict[str, Any], int, int], Call[m.Page[Any]]],
                 filters: dict[str, Any], *, limit: int | None, page_size: int, progress: bool = True):
        self._client = client
        self.entity = entity
        self._make_call = make_call
        self.filters = filters
        self.limit = limit
        self.page_size = page_size if limit is None else max(1, min(page_size, limit))
        self.pages_fetched = 0
        self.progress = progress

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.filters.items())
        return f"<Listing {self._client.provider} {self.entity}({shown}) limit={self.limit}>"

    async def pages(self) -> AsyncIterator[m.Page[Any]]:
        offset, seen, bar = 0, 0, None
        try:
            while True:
                page = await self._client.send(self._make_call(self.filters, offset, self.page_size))
                self.pages_fetched += 1
                # Rows of the underlying listing this page used up (tasks come inside items).
                consumed = page.consumed if page.consumed is not None else len(page.items)
                if self.limit is not None:
                    page.items = page.items[: self.limit - seen]
                seen += len(page.items)
                bar = self._progress(bar, page, len(page.items))
                yield page
                offset += consumed
                done = self.limit is not None and seen >= self.limit
                if done or consumed == 0 or not self._more(page, offset, consumed):
                    return
        finally:
            if bar is not None:
                bar.close()

    def _more(self, page: m.Page[Any], offset: int, consumed: int) -> bool:
        if page.total is not None:
            return offset < page.total
        if page.next is not None:
            return True
        return consumed >= self.page_size

    def _progress(self, bar: Any, page: m.Page[Any], n: int) -> Any:
        total = page.total if self.limit is None else min(page.total or self.limit, self.limit)
        if bar is None and self.progress and total is not None and total > self.page_size:
            from tqdm.auto import tqdm

            bar = tqdm(total=total, desc=f"{self._client.provider} {self.entity}", unit="row", leave=False)
        if bar is not None:
            bar.update(n)
        return bar

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for row in page.items:
                yield row

    async def collect(self) -> Results[T]:
        rows: list[T] = []
        async for page in self.pages():
            rows.extend(page.items)
        return Results(rows, entity=self.entity)

    async def to_geodataframe(self, concurrency: int = 4) -> geopandas.GeoDataFrame:
        """Every row as one frame. Big listings skip the models: pages are fetched ``concurrency``
        at a time once the total is known, and raw rows go straight into frame columns."""
        adapter = self._client.adapter
        if self.entity not in adapter.fast_frames:
            return (await self.collect()).to_geodataframe()
        return await self._fast_frame(concurrency)

    async def _fast_frame(self, concurrency: int) -> geopandas.GeoDataFrame:
        import asyncio
        import dataclasses

        from pixorder.frames import PageColumns, build_frame

        adapter = self._client.adapter

        def page_columns(body: Any, headers: Any) -> tuple[PageColumns, int | None]:
            # Each page is cut into column lists (and shapely geometries) as soon as it arrives, so its
            # raw dicts can go; the frame is built once at the end (per-page frames cost 6× more).
            rows, total = adapter.page_rows(body)
            columns, geometry = adapter.frame_columns(self.entity, rows)
            return PageColumns.of(self.entity, columns, geometry), total

        def call(offset: int) -> Call[Any]:
            return dataclasses.replace(self._make_call(self.filters, offset, self.page_size), parse=page_columns)

        first, total = await self._client.send(call(0))
        if total is None:
            return (await self.collect()).to_geodataframe()
        wanted = total if self.limit is None else min(total, self.limit)
        pages = [first]
        if wanted > len(first) and len(first):
            semaphore = asyncio.Semaphore(concurrency)
            bar = self._progress(None, m.Page[Any](items=[], total=wanted), len(first))

            async def bounded(offset: int) -> Any:
                async with semaphore:
                    page, _ = await self._client.send(call(offset))
                if bar is not None:
                    bar.update(len(page))
                return page

            try:
                pages += await asyncio.gather(*(bounded(o) for o in range(len(first), wanted, self.page_size)))
            finally:
                if bar is not None:
                    bar.close()
        columns, geometry = PageColumns.join(pages, limit=wanted)
        return build_frame(self.entity, columns, geometry)
