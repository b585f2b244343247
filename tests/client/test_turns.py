"""The rate-limited provider's turn (pixorder.client.turns) and the slices compare prices it in.

What the 10,000-AOI figure (benchmarks/bench_rate_limits.py) measures in time is checked here in
order of events: another provider's calls wait while the limited one's are out, a provider that is
behind is never held, the ahead keep few requests pending, and the limited provider's next slice of
AOIs is made only once the last slice's calls are out.
"""

import asyncio

import httpx
import pytest

import pixorder
from pixorder.client import compare as C
from pixorder.client.transport import Transport
from pixorder.client.turns import TURN, Turn
from pixorder.providers.base import Call
from pixorder.providers.pixxel import PixxelAdapter
from pixorder.providers.planet import PlanetAdapter


def mock_transport(adapter, events, gate=None, limits=None):
    """A transport whose server records each request and answers once ``gate`` is set (at once without)."""

    async def answer(request: httpx.Request) -> httpx.Response:
        events.append(f"{adapter.name} sent")
        if gate is not None:
            await gate.wait()
        events.append(f"{adapter.name} answered")
        return httpx.Response(200, json={})

    return Transport(adapter, "turn-test-key", f"http://{adapter.name}.invalid", rate_limits=limits or {},
                     http=httpx.AsyncClient(transport=httpx.MockTransport(answer)))


def call(path="/x"):
    return Call("GET", path, lambda body, headers: body)


@pytest.fixture
def long_lag(monkeypatch):
    """A lag long enough that a slow test machine never makes the other provider fall behind."""
    monkeypatch.setattr(Turn, "MAX_LAG", 60.0)


async def test_another_providers_call_waits_while_the_limited_ones_calls_are_out(long_lag):
    events: list[str] = []
    gate = asyncio.Event()
    planet = mock_transport(PlanetAdapter(), events, gate, limits={"default": (40, 1.0)})
    pixxel = mock_transport(PixxelAdapter(), events)
    turn = Turn(planet, calls=100)  # 2.01 s at 40/s
    turn.expect(pixxel, calls=10)
    assert turn.ahead(pixxel)

    async def deferring():
        TURN.set(turn)
        await pixxel.send(call())

    limited = asyncio.create_task(planet.send(call()))
    for _ in range(5):
        await asyncio.sleep(0)
    other = asyncio.create_task(deferring())
    for _ in range(50):
        await asyncio.sleep(0)
    assert events == ["planet sent"]  # Pixxel's call holds back while Planet's is out
    gate.set()
    await asyncio.gather(limited, other)
    assert events == ["planet sent", "planet answered", "pixxel sent", "pixxel answered"]


@pytest.mark.parametrize("case", ["behind", "never expected"])
async def test_a_provider_behind_the_limited_ones_time_or_never_expected_is_never_held(case):
    """Behind: a turn whose least time is 20 ms allows a lag of 5 ms; 30 ms later the other provider has
    sent nothing, so it is behind. Never expected: a client the comparison did not announce (used
    elsewhere meanwhile). Either way its call goes out while the limited provider's is still out."""
    events: list[str] = []
    gate = asyncio.Event()
    limits, calls = ({"default": (1, 0.01)}, 3) if case == "behind" else ({"default": (40, 1.0)}, 100)
    planet = mock_transport(PlanetAdapter(), events, gate, limits=limits)
    pixxel = mock_transport(PixxelAdapter(), events)
    turn = Turn(planet, calls=calls)
    if case == "behind":
        turn.expect(pixxel, calls=10)
        assert turn.lag < 0.01
    limited = asyncio.create_task(planet.send(call()))
    await asyncio.sleep(0.03)
    assert not turn.ahead(pixxel)
    TURN.set(turn)
    await pixxel.send(call())
    assert events == ["planet sent", "pixxel sent", "pixxel answered"]
    gate.set()
    await limited


async def test_ahead_another_provider_keeps_few_requests_pending(long_lag):
    events: list[str] = []
    gate = asyncio.Event()
    planet = mock_transport(PlanetAdapter(), events, limits={"default": (40, 1.0)})
    pixxel = mock_transport(PixxelAdapter(), events, gate)
    turn = Turn(planet, calls=100, others_out=2)
    turn.expect(pixxel, calls=100)

    async def five():
        TURN.set(turn)
        return await asyncio.gather(*(pixxel.send(call(f"/{i}")) for i in range(5)))

    calls = asyncio.create_task(five())
    for _ in range(50):
        await asyncio.sleep(0)
    assert events.count("pixxel sent") == 2 and pixxel.pending == 2
    gate.set()
    await calls
    assert events.count("pixxel answered") == 5 and pixxel.pending == 0


async def test_the_limited_providers_next_slice_is_made_once_the_last_ones_calls_are_out(monkeypatch):
    """Ten AOIs in slices of two (one call each) at a Planet allowed one call a minute: the first slice's call goes
    out and is answered, the second slice is made and its call waits for the limit, and no third
    slice is made meanwhile (all ten thousand AOIs' jobs and payloads were made up front before)."""
    from pixorder.aoi import as_aois

    aois = as_aois([f"POINT ({4 + i / 10} 50)" for i in range(10)])
    window = {"start": "2030-03-01", "end": "2030-03-21"}
    client = pixorder.AsyncClient("sandbox", api="planet", progress=False, rate_limits={"default": (1, 60.0)})
    built: list[tuple[int, int]] = []

    def build(start, stop):
        built.append((start, stop))
        return C.jobs_for(client, aois[start:stop], [None] * (stop - start), [None], window, offset=start)

    client.adapter.bulk_limit = 2  # one call per slice of two AOIs
    monkeypatch.setattr(C.Plan, "slice_size", lambda self: 2)
    plan = C.Plan(client, len(aois), 1, build, C.JOB_TAGS)
    assert C.least_seconds(client, plan.count) > 0  # five calls at one a minute: Planet has its turn
    pricing = asyncio.create_task(C.price_plans([plan]))
    try:
        for _ in range(500):
            await asyncio.sleep(0.01)
            if client.transport.stats.requests == 1 and len(built) == 2 and client.transport.out == 0:
                break
        await asyncio.sleep(0.05)
        assert built == [(0, 2), (2, 4)]
        assert client.transport.stats.requests == 1
    finally:
        pricing.cancel()
        await asyncio.gather(pricing, return_exceptions=True)
        await client.aclose()


async def test_payloads_are_built_as_connections_come_free_across_pricings():
    """Two bulk pricings at once on one client share its pool's worth of built bodies: with one
    connection and the answers held, one payload is built, not one per pricing (slices of 10,000
    AOIs priced at once had built every payload up front, 300 kB each)."""
    from pixorder.client.core import Pricing

    gate = asyncio.Event()
    built: list[int] = []
    client = pixorder.AsyncClient("planet", api_key="turn-test-key", base_url="http://planet.invalid")

    async def answer(request: httpx.Request) -> httpx.Response:
        await gate.wait()
        return httpx.Response(500, json={"detail": "held"})

    client.transport = Transport(client.adapter, "turn-test-key", client.base_url, rate_limits={},
                                 http=httpx.AsyncClient(transport=httpx.MockTransport(answer)), max_connections=1,
                                 retry=pixorder.client.transport.RetryPolicy(attempts=1))
    price = client.adapter.price

    def counting(requests, first_index=0):
        built.append(len(requests))
        return price(requests, first_index)

    client.adapter.price = counting  # type: ignore[method-assign]
    requests = [pixorder.TaskingRequest(aoi=f"POINT ({4 + i / 10} 50)", start="2030-03-01", end="2030-03-21")
                for i in range(250)]
    both = asyncio.gather(*(Pricing(client)._estimate(requests) for _ in range(2)))
    for _ in range(50):
        await asyncio.sleep(0)
    assert built == [100]
    gate.set()
    first, second = await both
    assert len(built) == 6 and len(first) == len(second) == 250
    assert all(q.error for q in first)  # the held answers were errors, kept per quote


async def test_slices_whose_calls_are_all_refused_before_sending_do_not_stall_the_next(monkeypatch):
    """Assured Tasking without an imaging window is refused before any call: each slice ends with its
    error rows and no request, and the next slice is still made (the wait for a slice's calls to go
    out also ends when the slice does)."""
    from pixorder.aoi import as_aois

    aois = as_aois([f"POINT ({4 + i / 10} 50)" for i in range(6)])
    window = {"start": "2030-03-01", "end": "2030-03-21"}
    client = pixorder.AsyncClient("sandbox", api="planet", progress=False, rate_limits={"default": (40, 1.0)})
    client.adapter.bulk_limit = 2
    assured = [pixorder.models.Sensor(provider="planet", id="Assured Tasking", name="Assured Tasking")]
    monkeypatch.setattr(C, "least_seconds", lambda c, jobs: 1.0)  # Planet has its turn
    monkeypatch.setattr(C.Plan, "slice_size", lambda self: 2)
    plan = C.Plan(client, len(aois), 1, lambda start, stop: C.jobs_for(
        client, aois[start:stop], [None] * (stop - start), assured, window, offset=start), C.JOB_TAGS)
    try:
        frame = await asyncio.wait_for(C.price_plans([plan]), timeout=20)
    finally:
        await client.aclose()
    assert frame["aoi_index"].tolist() == [0, 1, 2, 3, 4, 5]
    assert frame["error"].str.contains("imaging_window").all() and frame["amount"].isna().all()
    assert client.transport.stats.requests == 0
