"""The spending promise, pinned down deterministically for the two holes the fault soak found.

The promise (issue 4, safe spending): ``orders.create`` either returns the order, raises
``AmbiguousSpend`` (reconcile settles it), or raises another typed error and *nothing was placed*.
A typed error that is not ``AmbiguousSpend`` while the order exists invites the user to order again,
which orders twice. The soak found two ways to get there with Geopera; each is reproduced here by
wrapping the client's transport so that one exchange fails exactly where the soak saw it fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import pixorder
from pixorder import errors as E
from pixorder import sandbox as sandbox_mod
from tests.reliability.conftest import PROVIDERS, tasking

pytestmark = pytest.mark.reliability


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    handle = sandbox_mod.start()
    yield handle
    handle.stop()


def _client(sandbox: Any, provider: str, org: str) -> pixorder.Client:
    return pixorder.connect("sandbox", api=provider, base_url=sandbox.url, api_key=f"{sandbox.keys[provider]}.{org}",
                            backoff=0.01, reconcile_delay=0.0, reconcile_patience=0.3, progress=False)


def _fail_after(client: pixorder.Client, matches: Any, exc: Exception, *, forward: bool) -> list[str]:
    """Make the transport raise ``exc`` for calls ``matches`` picks (after sending them when ``forward``)."""
    transport = client.transport
    original = transport.send
    seen: list[str] = []

    async def send(call: Any) -> Any:
        if matches(call) and not seen:
            seen.append(call.describe())
            if forward:
                await original(call)  # the server acts; the answer is then "lost"
            raise exc
        return await original(call)

    transport.send = send  # type: ignore[method-assign]
    return seen


def _count(client: pixorder.Client, reference: str) -> int:
    return sum(1 for o in client.orders.list().collect() if o.reference == reference)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_failed_read_after_the_placement_does_not_hide_the_order(sandbox, provider):
    """The placement succeeded; only the follow-up read (Geopera answers with an id) failed."""
    client = _client(sandbox, provider, "followup")
    try:
        client.sensors()
        adapter = client.aio.adapter
        make_get = adapter.get_order

        def marked_get(order_id: str) -> Any:
            call = make_get(order_id)
            call.headers["X-Test-Fail"] = "1"  # only the order reads fail, never the listing that counts
            return call

        adapter.get_order = marked_get  # type: ignore[method-assign]
        seen = _fail_after(client, lambda call: "X-Test-Fail" in call.headers,
                           E.ProviderUnavailable("injected: read failed", provider=provider, status=503),
                           forward=False)
        order = client.orders.create(tasking(provider, 1, name="follow-up read fails"), reference="pxo-followup00001")
        assert order.id and order.reference == "pxo-followup00001"
        assert _count(client, "pxo-followup00001") == 1
        print(provider, "follow-up read failed:", seen or "none made")
    finally:
        client.close()


def _lose_answer_then_503(client: pixorder.Client) -> list[int]:
    """The first spend exchange reaches the server (it commits) and its answer is lost; every later
    spend exchange is answered 503. Reads go through untouched."""
    transport = client.transport
    original = transport._exchange
    spends: list[int] = []

    async def exchange(call: Any) -> httpx.Response:
        if not call.spend:
            return await original(call)
        spends.append(1)
        if len(spends) == 1:
            await original(call)
            raise httpx.RemoteProtocolError("injected: connection dropped after the commit")
        return httpx.Response(503, json={"title": "Service Unavailable", "status": 503, "detail": "injected"},
                              request=httpx.Request(call.method, transport.base_url + call.path))

    transport._exchange = exchange  # type: ignore[method-assign]
    return spends


@pytest.mark.parametrize("provider", PROVIDERS)
def test_retries_exhausted_after_the_server_acted_is_not_a_plain_error(sandbox, provider):
    """The placement committed but its answer was lost, then every resend got 503: not 'nothing placed'.

    Pixxel and Planet never resend blindly (they look the order up and find it); Geopera resends under
    its Idempotency-Key, and when those resends run out the order still exists.
    """
    client = _client(sandbox, provider, "exhausted")
    reference = "pxo-exhausted0001"
    try:
        client.sensors()
        spends = _lose_answer_then_503(client)
        try:
            order = client.orders.create(tasking(provider, 2, name="retries exhausted"), reference=reference)
        except E.AmbiguousSpend as exc:
            assert exc.reference == reference
            order = client.orders.reconcile(reference)
            assert order is not None
        except E.PixorderError as exc:
            pytest.fail(f"{type(exc).__name__} raised although the order exists ({_count(client, reference)}x): "
                        f"the user would order again")
        assert spends and order.reference == reference
        assert _count(client, reference) == 1
    finally:
        client.close()


def _break_parse(call: Any) -> Any:
    def parse(body: Any, headers: Any) -> Any:
        raise KeyError("a field this version of pixorder does not know")

    call.parse = parse
    return call


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_unreadable_answer_is_a_typed_error_and_an_unreadable_placement_is_found(sandbox, provider):
    """A provider changes its response shape: reads fail typed; a placement (which did happen) is
    looked up by its reference and returned, never reported as a plain failure."""
    client = _client(sandbox, provider, "unreadable")
    adapter = client.aio.adapter
    reference = "pxo-unreadable001"
    try:
        client.sensors()
        make_list, make_create = adapter.list_orders, adapter.create_order
        adapter.list_orders = lambda *a, **k: _break_parse(make_list(*a, **k))  # type: ignore[method-assign]
        with pytest.raises(E.ApiError) as info:
            client.orders.list().collect()
        assert info.value.code == "unreadable_response" and "KeyError" in str(info.value)
        adapter.list_orders = make_list  # type: ignore[method-assign]

        adapter.create_order = lambda *a, **k: _break_parse(make_create(*a, **k))  # type: ignore[method-assign]
        try:
            order = client.orders.create(tasking(provider, 3, name="unreadable answer"), reference=reference)
        except E.AmbiguousSpend:
            order = client.orders.reconcile(reference)
        assert order is not None and order.reference == reference
        assert _count(client, reference) == 1
    finally:
        client.close()
