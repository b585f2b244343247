"""Pixxel v0 GET /order-items: every documented filter, stable pagination, and 100k seeded rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pixorder import sandbox as sandbox_pkg

from .helpers import SqlTrace, walks_an_index
from .test_pixxel import BANGALORE, TINY, fc, pixxel_client, place, tasking


@pytest.fixture()
def pixxel(sandbox: sandbox_pkg.Sandbox) -> Iterator[httpx.Client]:
    yield from pixxel_client(sandbox)


def walk(client: httpx.Client, limit: int, **params: Any) -> list[dict[str, Any]]:
    """Every item of a filtered listing, page by page; checks the pagination block on each page."""
    rows: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = client.get("/order-items", params={**params, "limit": limit, "offset": offset})
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["pagination"]["limit"] == limit and body["pagination"]["offset"] == offset
        rows += body["order_items"]
        offset += limit
        if offset >= body["pagination"]["total"]:
            assert len(rows) == body["pagination"]["total"]
            return rows


def test_filters_and_pagination_walk(sandbox, pixxel):
    scenes = pixxel.post("/archives/search", json={"bbox": [77.5, 12.9, 77.6, 13.0], "limit": 2}).json()["features"]
    orders = [
        place(pixxel, tasking(sandbox), tasking(sandbox, geometry=fc(TINY)), tasking(sandbox, project_id="p-2")),
        place(pixxel, tasking(sandbox, recurrence="MONTHLY", no_of_occurrences=2, end_date=None),
              {"name": "archive", "item_ids": [s["id"] for s in scenes], "geometry": fc(BANGALORE),
               "project_id": "p-1", "usecase": "mapping"}),
    ]
    sandbox.seed("pixxel", 400, items_per_order=40)
    everything = walk(pixxel, 1000)
    assert len(everything) == 405
    keys = [(i["created_at"], i["id"]) for i in everything]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == 405  # created_at desc, id tie-break

    def check(expected: list[dict[str, Any]], **params: Any) -> None:
        walked = walk(pixxel, 29, **params)
        assert [i["id"] for i in walked] == [i["id"] for i in expected], params
        assert walked, params

    check([i for i in everything if i["type"] in ("TASKING", "RECURRING") and 100 <= i["area"] <= 2000],
          type="TASKING,RECURRING", area="100,2000")
    check([i for i in everything if i["status"] in ("FULFILLED", "ACTIVE")], status="FULFILLED,ACTIVE")
    check([i for i in everything if i["area"] <= 50], area=",50")
    check([i for i in everything if i["type"] == "ARCHIVE"], type="ARCHIVE")
    mine = [o["id"] for o in orders]
    check([i for i in everything if i["order_id"] in mine], order_ids=",".join(mine))
    check([i for i in everything if i["project_id"] == "p-2"], project_ids="p-2")
    some = [i["id"] for i in everything[::50]]
    check([i for i in everything if i["id"] in some], ids=",".join(some))
    colleague = next(i["created_by"] for i in everything if i["created_by"] != everything[0]["user_id"])
    check([i for i in everything if i["created_by"] == colleague], created_by=colleague)
    check([i for i in everything if i["user_id"] == everything[0]["user_id"]], user_id=everything[0]["user_id"])
    low, high = everything[300]["created_at"], everything[100]["created_at"]
    check([i for i in everything if low <= i["created_at"] <= high], created_at=f"{low},{high}")
    check([i for i in everything if i["created_at"] >= high], created_at=f"{high},")
    # repeated parameters work like comma lists
    assert walk(pixxel, 50, status=["FULFILLED", "ACTIVE"]) == walk(pixxel, 50, status="FULFILLED,ACTIVE")

    default = pixxel.get("/order-items").json()
    assert default["pagination"] == {"limit": 10, "offset": 0, "total": 405} and len(default["order_items"]) == 10
    for bad in ({"limit": 1001}, {"limit": 0}, {"offset": -1}, {"limit": "x"}, {"type": "SATELLITE"},
                {"status": "DONE"}, {"area": "a,b"}, {"created_at": "yesterday,"}):
        response = pixxel.get("/order-items", params=bad)
        assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] in bad, bad


@pytest.mark.slow
def test_seed_100k_then_list_with_limit_1000(sandbox, pixxel):
    """100k items, listed page by page. What keeps it cheap is asserted as facts about the SQL (the
    time is in benchmarks/): one transaction for the seed, the total counted once, every page an
    index walk, and a page right after a remembered page end starts there instead of skipping rows."""
    with SqlTrace(sandbox) as seeding:
        result = sandbox.seed("pixxel", 100_000)
    assert result["inserted"] == 100_000 and result["orders"] == 2000
    assert seeding.count("BEGIN") == 1  # one executemany transaction, not one per row
    seen: set[str] = set()
    last = None
    with SqlTrace(sandbox) as listing:
        for offset in (0, 1000, 50_000, 99_000):
            page = pixxel.get("/order-items", params={"limit": 1000, "offset": offset})
            body = page.json()
            assert body["pagination"] == {"limit": 1000, "offset": offset, "total": 100_000}
            assert len(body["order_items"]) == 1000
            ids = {i["id"] for i in body["order_items"]}
            assert not ids & seen
            seen |= ids
            first = (body["order_items"][0]["created_at"], body["order_items"][0]["id"])
            assert last is None or first < last
            last = (body["order_items"][-1]["created_at"], body["order_items"][-1]["id"])
    pages = [s for s in listing.selects() if "ORDER BY created_at DESC, id DESC" in s]
    assert len(pages) == 4 and sum("SELECT COUNT(*)" in s for s in listing.selects()) == 1  # total counted once
    assert all(walks_an_index(listing.plan(sql)) for sql in pages), {s[-80:]: listing.plan(s) for s in pages}
    assert pages[1].endswith("LIMIT 1000 OFFSET 0") and "(created_at, id) <" in pages[1]  # resumed at page 1's end
    assert pixxel.get("/order-items", params={"limit": 1000, "offset": 100_000}).json()["order_items"] == []
    filtered = pixxel.get("/order-items", params={"limit": 1000, "status": "FAILED", "type": "ARCHIVE"}).json()
    assert filtered["pagination"]["total"] > 1000
    assert {(i["status"], i["type"]) for i in filtered["order_items"]} == {("FAILED", "ARCHIVE")}
    order = pixxel.get("/orders", params={"limit": 1}).json()["orders"][0]
    assert len(order["order_items"]) == 50 and pixxel.get(f"/orders/{order['id']}").json() == order
