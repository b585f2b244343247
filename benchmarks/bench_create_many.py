"""Figure: 300 Planet orders at 20 ms added latency: orders.create_many (the bulk endpoint) against a loop
of orders.create.

Targets: ≥ 20× faster, and at most one bulk POST per 1,000 orders plus status polls (and one read of the
payloads' outcomes and one listing of the orders).
"""

from __future__ import annotations

import math
import time

from _common import PARAMS, SandboxProcess, best_of, report

import pixorder
from pixorder.models import TaskingRequest

N = 300
LATENCY_MS = 20


def field(i: int) -> dict:
    lon, lat = -100.0 + (i % 50) * 0.5, 35.0 + (i // 50) * 0.5
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.06, lat], [lon + 0.06, lat + 0.04],
                                                [lon, lat + 0.04], [lon, lat]]]}


def main() -> None:
    requests = [TaskingRequest(aoi=field(i), name=f"bench {i}", **PARAMS) for i in range(N)]
    with SandboxProcess() as server:
        server.handle.faults(latency_ms=LATENCY_MS)
        bulk_client = pixorder.connect("sandbox", api="planet", base_url=server.url, progress=False,
                                       api_key=server.handle.keys["planet"] + ".bulk")
        loop_client = pixorder.connect("sandbox", api="planet", base_url=server.url, progress=False,
                                       api_key=server.handle.keys["planet"] + ".loop")
        for client in (bulk_client, loop_client):  # warm up: connections, imports, the AOI machinery
            client.pricing.estimate(requests[0])

        def bulk_run() -> tuple[list, dict[str, int]]:
            warm = dict(bulk_client.transport.stats.by_route)
            made = bulk_client.orders.create_many(requests)
            return made, {k: v - warm.get(k, 0) for k, v in bulk_client.transport.stats.by_route.items()
                          if v - warm.get(k, 0)}

        bulk, (rows, routes) = best_of(bulk_run, repeat=3)  # 900 orders in all; the fastest run counts
        placed = sum(r.ok for r in rows)

        started = time.perf_counter()
        looped = 0
        for request in requests:
            try:
                loop_client.orders.create(request)
                looped += 1
            except pixorder.PixorderError:
                pass
        loop = time.perf_counter() - started
        bulk_client.close()
        loop_client.close()

    posts = routes.get("POST /tasking/v2/bulk/", 0)
    polls = routes.get("GET /tasking/v2/bulk/{id}/", 0)
    others = {k: v for k, v in routes.items() if k not in ("POST /tasking/v2/bulk/", "GET /tasking/v2/bulk/{id}/")}
    ratio = loop / bulk
    calls_ok = posts <= math.ceil(N / 1000) and sum(others.values()) <= 2 * math.ceil(N / 1000)
    report("create_many: 300 Planet orders, 20 ms latency", [
        ("create_many (bulk), best of 3", f"{bulk:.2f} s, {placed} orders"),
        ("loop of orders.create", f"{loop:.2f} s, {looped} orders"),
        ("speed-up", f"{ratio:.1f}× (target ≥ 20×)"),
        ("HTTP calls of create_many", f"{posts} bulk POST (≤ {math.ceil(N / 1000)}), {polls} status polls, "
                                       f"then {others}"),
    ], {"measured": f"{bulk:.2f} s", "baseline": f"{loop:.2f} s", "ratio": f"{ratio:.1f}×",
        "target": "≥ 20×, ≤ 1 bulk POST per 1,000 orders + polls", "met": ratio >= 20 and calls_ok and placed == N,
        "calls": routes})


if __name__ == "__main__":
    main()
