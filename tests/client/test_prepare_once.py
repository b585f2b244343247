"""Preparation once: a fresh client reads what payloads need exactly once, however many calls start
together, and every payload that leaves is complete (checked on what the sandbox received)."""

import asyncio

import pytest

import pixorder
from tests.client.conftest import FIELD, request

N = 20


def _complete(api: str, entry: dict) -> list[str]:
    """What is missing from one received payload (empty: complete)."""
    body = entry["body"]
    missing = []
    if api == "pixxel":
        for item in body["order_items"]:
            if not item.get("project_id"):
                missing.append("project_id")
            if not (item.get("bandset") or {}).get("bandset_id"):
                missing.append("bandset.bandset_id")
    elif api == "geopera":
        for group in body.get("groups") or [body]:
            if not group.get("sensor"):
                missing.append("sensor")
    else:
        for payload in body if isinstance(body, list) else [body]:
            missing += [k for k in ("geometry", "start_time", "end_time") if not payload.get(k)]
    return missing


@pytest.mark.parametrize("api", ["pixxel", "planet", "geopera"])
def test_twenty_gathered_first_calls_send_complete_payloads(sandbox, api):
    before = len(sandbox.received())

    async def main() -> None:
        async with pixorder.AsyncClient("sandbox", api=api, base_url=sandbox.url, backoff=0.01,
                                        api_key=f"{sandbox.keys[api]}.prepare", progress=False) as client:
            requests = [request(FIELD, name=f"first {i}") for i in range(N // 2)]
            await asyncio.gather(*(client.pricing.estimate(r) for r in requests),
                                 *(client.orders.create(r, dry_run=True) for r in requests))

    asyncio.run(main())
    received = sandbox.received()[before:]
    payloads = [e for e in received if e["method"] == "POST" and "sensors" not in e["path"]]
    assert len(payloads) == N
    incomplete = [(e["path"], _complete(api, e)) for e in payloads if _complete(api, e)]
    assert not incomplete, incomplete
    # the account was read once, not once per call
    reads = {"pixxel": ["/v0/projects", "/v0/bandsets"], "geopera": ["orders.tasking.sensors"], "planet": []}[api]
    for path in reads:
        assert sum(1 for e in received if e["path"].endswith(path)) == 1, path
