"""The key never appears in a repr, an error's text, or a DEBUG log line."""

import logging

import pytest

import pixorder
from pixorder import errors as E
from pixorder.client.transport import Redactor, redact
from tests.client.conftest import FIELD, request

CANARY = {"pixxel": "sandbox-pixxel-key.canary7c3e", "planet": "sandbox-planet-key.canary7c3e",
          "geopera": "gpra_sandbox_key.canary7c3e"}


@pytest.mark.parametrize("api", ["pixxel", "planet", "geopera"])
def test_key_absent_from_reprs_errors_and_debug_logs(sandbox, api, caplog):
    key = CANARY[api]
    caplog.set_level(logging.DEBUG)
    texts = []
    client = pixorder.connect("sandbox", api=api, base_url=sandbox.url, api_key=key)
    texts += [repr(client), str(client), repr(client.aio), repr(client.transport), repr(client.orders.list())]
    quote = client.pricing.estimate(request(FIELD))
    texts += [repr(quote), str(quote), quote._repr_html_(), repr(quote.raw)]
    order = client.orders.create(request(FIELD, name="secret check"))
    texts += [repr(order), order._repr_html_(), order.model_dump_json()]
    with pytest.raises(E.NotFound) as not_found:
        client.orders.get("00000000-0000-0000-0000-00000000dead")
    texts += [str(not_found.value), repr(not_found.value), repr(not_found.value.body)]
    client.close()
    wrong = pixorder.connect("sandbox", api=api, base_url=sandbox.url, api_key="not-a-key-canary7c3e")
    with pytest.raises(E.AuthError) as denied:
        wrong.sensors() if api != "planet" else wrong.orders.get("x")
    texts += [str(denied.value), repr(denied.value), repr(denied.value.body), repr(wrong)]
    wrong.close()
    texts += [record.getMessage() for record in caplog.records]
    assert any("pixorder.http" == r.name for r in caplog.records)  # the DEBUG log did run
    # (the org part of a sandbox key may show up as the org's name; the key itself must not)
    leaks = [t for t in texts if key in t or "not-a-key-canary7c3e" in t]
    assert not leaks, leaks[:3]


def test_a_short_key_is_redacted_where_it_stands_alone_and_garbles_no_word(sandbox, caplog, monkeypatch):
    """A test key as short as "k" is registered for the whole process like any key: log lines, errors and
    texts keep their words ("api-key", "/tasking/v2/"), and the key is still hidden wherever it stands
    alone (a header value, a query value, a quoted string)."""
    monkeypatch.setattr(Redactor, "secrets", set())  # only this test's keys (other tests register "key", "x", …)
    caplog.set_level(logging.DEBUG)
    try:
        client = pixorder.connect("sandbox", api="planet", base_url=sandbox.url, api_key="k")
        with pytest.raises(E.AuthError) as denied:
            client.orders.get("known-order")
        client.close()
        lines = [r.getMessage() for r in caplog.records if r.name == "pixorder.http"]
        assert lines and all("/tasking/v2/orders/known-order/" in line and "***" not in line for line in lines), lines
        assert "***" not in str(denied.value) and "***" not in repr(client)
        assert redact("Authorization: api-key k") == "Authorization: api-key ***"
        assert redact('GET /orders/?api_key=k&limit=1 {"key": "k"}') == 'GET /orders/?api_key=***&limit=1 {"key": "***"}'
        assert redact("the api-key header names a key; k.") == "the api-key header names a key; ***."
    finally:
        Redactor.secrets.discard("k")
    # a key of 8 characters or more is hidden even inside a longer string
    Redactor.secrets.add("s3cr3tK3y")
    try:
        assert redact("token=xs3cr3tK3yz") == "token=x***z"
    finally:
        Redactor.secrets.discard("s3cr3tK3y")


@pytest.mark.parametrize("api", ["pixxel", "planet", "geopera"])
async def test_a_key_echoed_in_a_json_error_body_is_redacted(api):
    """A provider that echoes the key it refused (in its JSON error body) must not put it in the exception."""
    import httpx

    key = "echoed-key.canary91f0"

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"message": f"invalid api key {key}", "detail": {"received": [key]},
                                         "errors": [{"detail": f"key {key} unknown"}]})

    client = pixorder.AsyncClient("sandbox", api=api, base_url="http://provider.invalid", api_key=key, progress=False)
    client.transport._http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    with pytest.raises(E.AuthError) as denied:
        await client.send(client.adapter.list_orders({}, 0, 10))
    texts = [str(denied.value), repr(denied.value), repr(denied.value.body), denied.value.message]
    assert "invalid api key" in texts[0]  # the provider's message is surfaced ...
    assert not [t for t in texts if key in t]  # ... without the key
    await client.aclose()
