"""Fault injection over real HTTP: injected statuses, Retry-After, latency, and dropped connections."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

ORDER = {"name": "fault probe", "geometry": {"type": "Point", "coordinates": [10.0, 45.0]}}


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_rate_one_injects_each_status_in_planet_shape(sandbox, planet: httpx.Client, status: int) -> None:
    sandbox.faults(rate=1, statuses=[status], provider="planet", retry_after=2)
    response = planet.get("/orders/")
    assert response.status_code == status
    assert set(response.json()) == {"detail"}
    if status == 429:
        assert response.headers["Retry-After"] == "2"
    assert sandbox.fault_counts() == {str(status): 1}


def test_429_retry_after_defaults_to_one_second(sandbox, planet: httpx.Client) -> None:
    sandbox.faults(rate=1, statuses=[429])
    assert planet.get("/orders/").headers["Retry-After"] == "1"


def test_faults_spare_admin_docs_and_other_providers(sandbox, planet: httpx.Client) -> None:
    sandbox.faults(rate=1, statuses=[503], provider="pixxel")
    assert planet.get("/orders/").status_code == 200
    sandbox.faults(rate=1, statuses=[503])
    assert httpx.get(sandbox.url + "/openapi.json").status_code == 200
    assert sandbox.health()["status"] == "ok"
    assert planet.get("/orders/").status_code == 503


def test_clearing_faults(sandbox, planet: httpx.Client) -> None:
    sandbox.faults(rate=1, statuses=[500], provider="planet")
    sandbox.faults(rate=1, statuses=[502])
    sandbox.faults(rate=0)
    assert planet.get("/orders/").status_code == 200


def test_method_filter_and_seeded_repeatability(sandbox, planet: httpx.Client) -> None:
    sandbox.faults(rate=1, statuses=[503], methods=["POST"])
    assert planet.get("/orders/").status_code == 200
    assert planet.post("/orders/", json=ORDER).status_code == 503

    def run() -> list[int]:
        sandbox.faults(rate=0.5, statuses=[500, 502], seed=42)
        return [planet.get("/orders/").status_code for _ in range(20)]

    first = run()
    assert first == run() and {200, 500, 502} <= set(first)


def test_latency_is_added() -> None:
    """The middleware waits the configured latency (and a spike on top) before the app answers: the
    waits are recorded by a fake sleep, in order, instead of measured on the wall clock."""
    from pixorder.sandbox.faults import FaultConfig, FaultInjector, FaultMiddleware

    events: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        events.append(("app", scope["path"]))

    async def fake_sleep(seconds: float) -> None:
        events.append(("sleep", seconds))

    injector = FaultInjector(seed=1)
    middleware = FaultMiddleware(app, injector, lambda provider, status, message: None)  # type: ignore[arg-type, return-value]
    middleware.sleep = fake_sleep
    scope = {"type": "http", "method": "GET", "path": "/tasking/v2/orders/"}

    injector.configure(FaultConfig(latency_ms=150), provider="planet")
    asyncio.run(middleware(scope, None, None))  # type: ignore[arg-type]
    assert events == [("sleep", 0.15), ("app", "/tasking/v2/orders/")]

    events.clear()
    injector.configure(FaultConfig(rate=1, latency_spike_ms=300), provider="planet")  # replaces planet's config
    asyncio.run(middleware(scope, None, None))  # type: ignore[arg-type]
    assert events == [("sleep", 0.3), ("app", "/tasking/v2/orders/")]
    assert injector.snapshot()["counts"] == {"latency_spike": 1}

    events.clear()
    asyncio.run(middleware({**scope, "path": "/v0/orders"}, None, None))  # type: ignore[arg-type]
    assert events == [("app", "/v0/orders")]  # Pixxel has no faults configured: no wait


def test_drop_before_fails_the_client_and_creates_nothing(sandbox, planet: httpx.Client) -> None:
    sandbox.faults(rate=1, drop_before=True, provider="planet")
    with pytest.raises(httpx.RemoteProtocolError):
        planet.post("/orders/", json=ORDER)
    sandbox.faults(rate=0)
    assert planet.get("/orders/").json()["count"] == 0
    assert sandbox.fault_counts() == {"drop_before": 1}


def test_drop_after_fails_the_client_but_the_order_exists(sandbox, planet: httpx.Client) -> None:
    sandbox.faults(rate=1, drop_after=True, provider="planet")
    with pytest.raises(httpx.RemoteProtocolError):
        planet.post("/orders/", json=ORDER)
    sandbox.faults(rate=0)
    listing = planet.get("/orders/").json()
    assert listing["count"] == 1 and listing["results"][0]["name"] == "fault probe"
    assert sandbox.fault_counts() == {"drop_after": 1}


def test_drop_after_a_204_cancel_still_drops_and_commits(sandbox, planet: httpx.Client) -> None:
    order = planet.post("/orders/", json=ORDER).json()
    sandbox.faults(rate=1, drop_after=True, methods=["DELETE"])
    with pytest.raises(httpx.RemoteProtocolError):
        planet.delete(f"/orders/{order['id']}/")
    assert planet.get(f"/orders/{order['id']}/").json()["status"] == "CANCELLED"


def test_invalid_fault_configuration_is_400(sandbox) -> None:
    for body in ({"rate": 2}, {"rate": 1, "statuses": [418]}, {"provider": "nasa", "rate": 1}, {"bogus": 1}):
        assert httpx.post(sandbox.url + "/_sandbox/faults", json=body).status_code == 400
