"""Transport pieces on their own: rate limiting, backoff, unreachable hosts, progress past one page."""

import asyncio
import socket

import pytest

import pixorder
from pixorder import errors as E
from pixorder.client.transport import RateLimiter, RetryPolicy


def test_rate_limiter_spaces_requests():
    """At most 5 starts in any 0.2 s (kept 0.5 % longer, RateLimiter.SLACK): the 6th and 11th wait for
    the window, on a fake clock."""
    now = [0.0]
    sleeps: list[float] = []
    starts: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(round(seconds, 9))
        now[0] += seconds

    async def main():
        limiter = RateLimiter(5, 0.2, clock=lambda: now[0], sleep=fake_sleep)
        for _ in range(12):
            await limiter.acquire()
            starts.append(round(now[0], 9))

    asyncio.run(main())
    assert sleeps == [0.201, 0.201]
    assert starts == [0.0] * 5 + [0.201] * 5 + [0.402] * 2


def test_retry_after_is_the_wait_the_client_sleeps():
    """A 429 with ``Retry-After: 7``: the transport sleeps exactly 7 s (a fake sleep records it), then
    sends again; no wall clock involved."""
    import httpx

    from pixorder.client.transport import Transport
    from pixorder.providers.base import Call
    from pixorder.providers.planet import PlanetAdapter

    answers = iter([httpx.Response(429, headers={"Retry-After": "7"}, json={"detail": "slow down"}),
                    httpx.Response(200, json={"ok": True})])
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return next(answers)

    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def main():
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        transport = Transport(PlanetAdapter(), "retry-test-key", "http://planet.test", rate_limits={}, http=http)
        transport.sleep = fake_sleep
        result = await transport.send(Call("GET", "/tasking/v2/orders/", lambda body, h: body))
        await http.aclose()
        return result, transport.stats.retries

    result, retries = asyncio.run(main())
    assert result == {"ok": True} and retries == 1
    assert sleeps == [7.0] and seen == ["/tasking/v2/orders/"] * 2


def test_backoff_grows_is_capped_and_honours_retry_after():
    policy = RetryPolicy(base=0.1, cap=1.0)
    policy.rng.seed(1)
    delays = [policy.delay(a) for a in range(8)]
    assert all(0 <= d <= min(1.0, 0.1 * 2**a) for a, d in enumerate(delays))
    assert policy.delay(3, retry_after=2.5) == 2.5


def test_unreachable_host_is_provider_unavailable_after_retries():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket closes
    client = pixorder.connect("sandbox", api="planet", base_url=f"http://127.0.0.1:{port}", retries=3,
                              backoff=0.001)
    with pytest.raises(E.ProviderUnavailable, match="cannot reach"):
        client.orders.get("x")
    assert client.transport.stats.retries == 2
    client.close()


def test_progress_bar_past_one_page(sandbox, connect, capsys):
    client = connect("planet", page_size=3, progress=True)
    for i in range(7):
        client.orders.create(pixorder.TaskingRequest(
            aoi={"type": "Point", "coordinates": [1.0 + i, 1.0]}, start="2027-03-01", end="2027-03-21",
            name=f"progress {i}"))
    rows = client.orders.list(name="progress").collect()
    assert len(rows) == 7
    err = capsys.readouterr().err
    assert "planet orders" in err and "/7 " in err  # tqdm's text bar outside a kernel, total 7
    assert len(client.orders.list(name="progress", progress=False).collect()) == 7
    assert "planet orders" not in capsys.readouterr().err  # switched off for this one listing


def test_missing_key_says_where_to_put_one(monkeypatch):
    monkeypatch.delenv("PL_API_KEY", raising=False)
    with pytest.raises(E.AuthError, match="PL_API_KEY") as info:
        pixorder.connect("planet")
    assert "connect('sandbox', api='planet')" in str(info.value)


def test_real_provider_with_env_key_targets_the_real_host_without_calling_it(monkeypatch):
    monkeypatch.setenv("GEOPERA_API_KEY", "gpra_live_not_used")
    client = pixorder.connect("geopera")
    assert client.base_url == "https://api.geopera.com" and not client.is_sandbox
    assert "gpra_live_not_used" not in repr(client)


async def test_a_rate_slot_is_taken_only_when_the_request_can_go_out():
    """With every connection busy, a request waits for one *before* its rate-limit slot is counted: a
    slot counted while the request still waited would let the next window's first requests reach the
    server inside this window (Planet answered 429 in the 10,000-AOI run)."""
    import httpx

    from pixorder.client.transport import Transport
    from pixorder.providers.base import Call
    from pixorder.providers.planet import PlanetAdapter

    events: list[str] = []
    release = asyncio.Event()

    async def answer(request: httpx.Request) -> httpx.Response:
        events.append(f"sent {request.url.path}")
        if request.url.path == "/first":
            await release.wait()
        return httpx.Response(200, json={})

    transport = Transport(PlanetAdapter(), "k", "http://provider.invalid", rate_limits={"default": (100, 1.0)},
                          http=httpx.AsyncClient(transport=httpx.MockTransport(answer)), max_connections=1)
    (limiter,) = transport._limiters.values()
    original = limiter.acquire

    async def counted() -> float:
        stamp = await original()
        events.append("slot")
        return stamp

    limiter.acquire = counted  # type: ignore[method-assign]
    first = asyncio.create_task(transport.send(Call("GET", "/first", lambda b, h: b)))
    second = asyncio.create_task(transport.send(Call("GET", "/second", lambda b, h: b)))
    for _ in range(20):
        await asyncio.sleep(0)
    assert events == ["slot", "sent /first"]  # the second holds no slot while the only connection is busy
    release.set()
    await asyncio.gather(first, second)
    assert events == ["slot", "sent /first", "slot", "sent /second"]
    await transport.aclose()


def test_a_request_counts_in_its_window_until_its_answer_is_back():
    """Two per second: a request whose answer took 0.5 s holds its place from then on, so the third
    start waits until 1.5 s (+0.5 %), not 1.0 s: a server counting it on a late arrival sees no third."""
    now = [0.0]

    async def fake_sleep(seconds: float) -> None:
        now[0] += seconds

    async def main() -> list[float]:
        limiter = RateLimiter(2, 1.0, clock=lambda: now[0], sleep=fake_sleep)
        starts = []
        first = await limiter.acquire()
        starts.append(now[0])
        second = await limiter.acquire()
        starts.append(now[0])
        now[0] = 0.5
        limiter.finish(first)  # answered at 0.5 s
        limiter.finish(second)  # answered at 0.5 s
        await limiter.acquire()
        starts.append(round(now[0], 9))
        return starts

    assert asyncio.run(main()) == [0.0, 0.0, 1.505]


async def test_an_answer_is_freed_when_dropped_even_with_the_collector_paused():
    """httpx 0.28 keeps a read response in a cycle with its stream (encode/httpx#3733): with the
    collector paused while pricing, every answer (300 kB each at Pixxel) stayed alive until the end.
    The transport breaks the cycle, so an answer goes as soon as it is read."""
    import gc
    import weakref

    import httpx

    from pixorder.client.transport import Transport
    from pixorder.providers.base import Call
    from pixorder.providers.planet import PlanetAdapter

    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"n": 1})))
    transport = Transport(PlanetAdapter(), "freed-test-key", "http://provider.invalid", rate_limits={}, http=http)
    seen: list[weakref.ref] = []
    exchange = transport._exchange

    async def kept(call):
        response = await exchange(call)
        seen.append(weakref.ref(response))
        return response

    transport._exchange = kept  # type: ignore[method-assign]
    gc.disable()
    try:
        assert await transport.send(Call("GET", "/x", lambda body, h: body["n"])) == 1
        assert seen and seen[0]() is None  # freed by reference counting, no collection needed
    finally:
        gc.enable()
    await transport.aclose()
