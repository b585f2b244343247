"""Widgets fed by an AsyncClient inside a running event loop, as in a notebook cell."""

from __future__ import annotations

import asyncio
from datetime import date
from types import SimpleNamespace

import pytest

import pixorder
from pixorder.widgets import AOIMap, OrderBrowser, PricingPreview, RequestParameters
from pixorder.widgets.scheduling import dispatch

START, END = date(2027, 3, 1), date(2027, 3, 21)
FIELD = {"type": "Polygon", "coordinates": [[[10.0, 50.0], [10.15, 50.0], [10.15, 50.1], [10.0, 50.1], [10.0, 50.0]]]}


def test_wait_async_shows_the_sandbox_price_and_a_blocking_wait_says_why_it_cannot(sandbox, clients,
                                                                                   monkeypatch) -> None:
    naps: list[float] = []

    async def cell() -> tuple[pixorder.Quote, pixorder.WaitWouldBlock]:
        async with pixorder.AsyncClient("sandbox", api="planet", base_url=sandbox.url, progress=False) as aio:
            preview = PricingPreview(AOIMap(value=FIELD), parameters=RequestParameters(start=START, end=END),
                                     client=aio, delay=0.05)
            for _ in range(2000):  # the debounce fires (on this loop) and the price call starts
                if preview.requests_started:
                    break
                await asyncio.sleep(0.005)
            clock = [0.0]

            def nap(seconds: float) -> None:  # the waiting loop's clock: naps are recorded, not slept
                naps.append(seconds)
                clock[0] += seconds

            with monkeypatch.context() as patched, pytest.raises(pixorder.WaitWouldBlock) as refused:
                patched.setattr(dispatch, "time", SimpleNamespace(monotonic=lambda: clock[0], sleep=nap))
                preview.wait(20)  # would hold the loop the AsyncClient's call needs: refused, not hung
            assert await preview.wait_async(20)
            assert preview.requests_started == 1
            return preview.value, refused.value

    sandbox.faults(latency_ms=300, provider="planet")  # the price is still in flight when the cell waits
    try:
        quote, refused = asyncio.run(cell())
    finally:
        sandbox.faults(rate=0)
    assert naps == []  # refused on its first look, before any nap: at once, not after the 20 s timeout
    assert "PricingPreview.wait()" in str(refused) and "wait_async()" in str(refused)
    request = pixorder.TaskingRequest(aoi=FIELD, start=START, end=END)
    direct = clients["planet"].pricing.estimate(request)
    assert quote is not None and quote.amount == direct.amount and quote.unit == direct.unit
    assert quote.area_km2 == pytest.approx(pixorder.AOI(FIELD).area_km2, rel=1e-6)


def test_wait_async_on_a_browser_lists_the_orders(sandbox) -> None:
    async def cell() -> tuple[str, list[str], int]:
        async with pixorder.AsyncClient("sandbox", api="pixxel", base_url=sandbox.url, progress=False) as aio:
            placed = await aio.orders.create(pixorder.TaskingRequest(aoi=FIELD, start=START, end=END,
                                                                     name="async browser"))
            total = len(await aio.orders.list(limit=1000).collect())
            browser = OrderBrowser({"pixxel": aio})
            assert await browser.wait_async(20)
            return placed.id, list(browser.value["id"]), total

    placed_id, shown, total = asyncio.run(cell())
    assert placed_id in shown and len(shown) == total >= 1


def test_a_sync_client_inside_a_running_loop_still_waits(sandbox, clients) -> None:
    async def cell() -> pixorder.Quote:
        preview = PricingPreview(AOIMap(value=FIELD), parameters=RequestParameters(start=START, end=END),
                                 client=clients["planet"], delay=0.05)
        assert preview.wait(20)  # its calls run on pixorder's own thread: blocking here is fine
        return preview.value

    quote = asyncio.run(cell())
    assert quote is not None and quote.amount is not None


def test_compare_with_async_clients_prices_every_provider_on_the_notebook_loop(sandbox, clients) -> None:
    from pixorder.widgets import CompareProviders

    async def cell() -> object:
        made = {p: pixorder.AsyncClient("sandbox", api=p, base_url=sandbox.url, progress=False)
                for p in ("planet", "pixxel")}
        try:
            for client in made.values():  # used in the notebook first: its connections live on this loop
                assert await client.sensors()
            cmp = CompareProviders(AOIMap(value=FIELD), RequestParameters(start=START, end=END),
                                   clients=made, delay=0.05)
            assert await cmp.wait_async(20)
            return cmp.value
        finally:
            for client in made.values():
                await client.aclose()

    frame = asyncio.run(cell())
    assert sorted(frame["provider"]) == ["pixxel", "planet"] and frame["error"].isna().all()
    request = pixorder.TaskingRequest(aoi=FIELD, start=START, end=END)
    for provider in ("planet", "pixxel"):
        shown = frame.loc[frame["provider"] == provider, "amount"].iloc[0]
        assert shown == clients[provider].pricing.estimate(request).amount


def test_one_widget_cannot_mix_sync_and_async_clients(sandbox, clients) -> None:
    from pixorder.widgets.scheduling import loop_client

    aio = pixorder.AsyncClient("sandbox", api="pixxel", base_url=sandbox.url, progress=False)
    with pytest.raises(pixorder.ValidationError, match="clients"):
        loop_client([clients["planet"], aio])
    assert loop_client([clients["planet"]]) is None and loop_client([aio]) is aio


def test_a_sync_widget_still_waits_while_an_async_widget_has_a_call_on_the_loop(sandbox, clients) -> None:
    async def cell() -> tuple[object, object]:
        async with pixorder.AsyncClient("sandbox", api="planet", base_url=sandbox.url, progress=False) as aio:
            params = RequestParameters(start=START, end=END)
            on_loop = PricingPreview(AOIMap(value=FIELD), parameters=params, client=aio, delay=0.0)
            on_thread = PricingPreview(AOIMap(value=FIELD), parameters=params, client=clients["planet"], delay=0.0)
            with pytest.raises(pixorder.WaitWouldBlock):
                on_loop.wait(20)  # its call is now in flight on this loop
            assert on_thread.wait(20)  # not refused: its calls run on pixorder's thread
            assert await on_loop.wait_async(20)
            return on_loop.value, on_thread.value

    on_loop, on_thread = asyncio.run(cell())
    assert on_loop.amount == on_thread.amount is not None
