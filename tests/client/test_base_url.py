"""``base_url`` as the providers document it: the host or the API root, with or without a slash."""

import pytest

import pixorder
from pixorder import errors as E
from tests.client.conftest import FIELD, request

ROOTS = {"pixxel": "/v0", "planet": "/tasking/v2", "geopera": "/v1"}


@pytest.mark.parametrize("api", ["pixxel", "planet", "geopera"])
@pytest.mark.parametrize("form", ["host", "host/", "root", "root/"])
def test_base_url_host_or_documented_root(sandbox, api, form):
    base = sandbox.url + ("/" if form == "host/" else "")
    if form.startswith("root"):
        base = sandbox.url + ROOTS[api] + ("/" if form.endswith("/") else "")
    client = pixorder.connect("sandbox", api=api, base_url=base, progress=False)
    try:
        assert client.base_url == sandbox.url
        sensor = "pneo-30cm" if api == "geopera" else None
        quote = client.pricing.estimate(request(FIELD, sensor=sensor))
        assert quote.amount > 0
    finally:
        client.close()


def test_a_wrong_base_url_names_the_url_tried(sandbox):
    client = pixorder.connect("sandbox", api="planet", base_url=sandbox.url + "/api/tasking", progress=False,
                              retries=1)
    try:
        with pytest.raises(E.NotFound) as info:
            client.orders.get("abc")
    finally:
        client.close()
    assert f"GET {sandbox.url}/api/tasking/tasking/v2/orders/abc/" in str(info.value)


@pytest.mark.parametrize("url", ["api.planet.com", "htps://api.planet.com", "ftp://api.planet.com"])
def test_a_base_url_without_http_scheme_is_refused_at_connect(url):
    with pytest.raises(E.ValidationError, match="base_url: must start with http:// or https://"):
        pixorder.connect("planet", api_key="x", base_url=url)
