"""The key never appears in a repr, an error's text, or a DEBUG log line."""

import logging

import pytest

import pixorder
from pixorder import errors as E
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
