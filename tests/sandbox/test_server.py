"""The server as a whole: persistence across restarts, concurrency, admin endpoints, OpenAPI, seeding."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from pixorder import sandbox as sandbox_pkg
from pixorder.sandbox.runner import Sandbox

from .helpers import SqlTrace, walks_an_index

ORDER = {"name": "persist", "geometry": {"type": "Point", "coordinates": [10.0, 45.0]}}


def _client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sb.url + "/tasking/v2", headers={"Authorization": f"api-key {sb.keys['planet']}"})


def test_restart_on_the_same_file_keeps_every_order_and_the_clock(tmp_path: Path) -> None:
    db = str(tmp_path / "state.sqlite")
    with sandbox_pkg.start(db=db) as first, _client(first) as client:
        ids = {client.post("/orders/", json={**ORDER, "name": f"o{i}"}).json()["id"] for i in range(30)}
        first.advance(days=2)
        cancelled = next(iter(ids))
        assert client.delete(f"/orders/{cancelled}/").status_code == 204
    with sandbox_pkg.start(db=db) as second, _client(second) as client:
        listing = client.get("/orders/", params={"limit": 100}).json()
        assert {order["id"] for order in listing["results"]} == ids
        assert client.get(f"/orders/{cancelled}/").json()["status"] == "CANCELLED"
        assert second.health()["offset_seconds"] == pytest.approx(2 * 86400)


def test_eight_threads_placing_orders_lose_none(sandbox, planet: httpx.Client) -> None:
    def place(thread: int) -> list[int]:
        with _client(sandbox) as client:
            return [client.post("/orders/", json={**ORDER, "name": f"t{thread}-{i}"}).status_code for i in range(25)]

    with ThreadPoolExecutor(8) as pool:
        statuses = [code for codes in pool.map(place, range(8)) for code in codes]
    assert statuses == [201] * 200
    listing = planet.get("/orders/", params={"limit": 1000}).json()
    assert listing["count"] == 200 and len({order["name"] for order in listing["results"]}) == 200


def test_openapi_and_docs_are_served(sandbox) -> None:
    spec = httpx.get(sandbox.url + "/openapi.json").json()
    assert spec["info"]["title"] == "pixorder sandbox"
    assert "/tasking/v2/orders/" in spec["paths"] and "/_sandbox/advance" in spec["paths"]
    assert "requestBody" in spec["paths"]["/tasking/v2/orders/"]["post"]
    assert httpx.get(sandbox.url + "/docs").status_code == 200


def test_admin_endpoints(sandbox) -> None:
    health = sandbox.health()
    assert health["status"] == "ok" and "planet" in health["providers"]
    before = sandbox.now()
    after = sandbox.advance(days=1, hours=2)
    assert (after - before).total_seconds() == pytest.approx(26 * 3600, abs=60)
    assert httpx.post(sandbox.url + "/_sandbox/advance", json={"days": -1}).status_code == 400
    sandbox.reset()
    assert abs((sandbox.now() - before).total_seconds()) < 60
    assert httpx.get(sandbox.url + "/_sandbox/keys").json() == sandbox.keys
    assert httpx.post(sandbox.url + "/_sandbox/seed", json={"provider": "nasa", "count": 1}).status_code == 400


def test_handle_repr_hides_keys_and_attach_drives_the_same_server(sandbox) -> None:
    assert sandbox.keys["planet"] not in repr(sandbox) and sandbox.url in repr(sandbox)
    attached = Sandbox.attach(sandbox.url)
    assert attached.keys == sandbox.keys
    attached.advance(hours=5)
    assert sandbox.health()["offset_seconds"] == pytest.approx(5 * 3600)
    attached.stop()  # an attached handle never stops the server
    assert sandbox.health()["status"] == "ok"


@pytest.mark.slow
def test_seeding_100k_orders_is_bulk_and_listing_them_walks_an_index(sandbox, planet: httpx.Client) -> None:
    """What keeps 100k rows cheap, as facts about the SQL (the time is in benchmarks/): the seed writes
    in one transaction per 10,000 rows, and a filtered page deep in the listing reads through indexes."""
    with SqlTrace(sandbox) as seeding:
        result = sandbox.seed("planet", 100_000)
    assert result["inserted"] == 100_000
    assert seeding.count("BEGIN") == 10 and seeding.count("COMMIT") == 10  # one per 10,000 rows, not per row
    with SqlTrace(sandbox) as listing:
        page = planet.get("/orders/", params={"status": "PENDING", "limit": 100, "offset": 5000}).json()
    assert page["count"] == 12_500 and len(page["results"]) == 100
    reads = listing.selects()
    assert reads and all(walks_an_index(listing.plan(sql)) for sql in reads), {s: listing.plan(s) for s in reads}
    planet.get("/orders/", params={"limit": 1})  # no transition storm after seeding
    assert planet.get("/orders/", params={"status": "RECEIVED"}).json()["count"] == 12_500


def test_shared_is_a_singleton() -> None:
    assert sandbox_pkg.shared() is sandbox_pkg.shared()
    assert sandbox_pkg.shared().health()["status"] == "ok"


def test_module_serves_in_the_foreground(tmp_path: Path) -> None:
    port = 48765
    process = subprocess.Popen(
        [sys.executable, "-m", "pixorder.sandbox", "serve", "--port", str(port), "--db", str(tmp_path / "s.sqlite")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        banner = process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in banner
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                assert Sandbox.attach(f"http://127.0.0.1:{port}").health()["status"] == "ok"
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the foreground server did not answer")
    finally:
        process.terminate()
        process.wait(timeout=10)
