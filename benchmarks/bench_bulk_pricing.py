"""Figure 1: 300 AOIs × 3 providers with 20 ms latency: compare() against one request per AOI per provider.

Targets: ≥ 20× faster, and HTTP calls per provider ≤ ceil(300 / the provider's bulk limit).
"""

from __future__ import annotations

import math
import time

from _common import PARAMS, PROVIDERS, SandboxProcess, aois, report

import pixorder
from pixorder.models import TaskingRequest

N = 300
LATENCY_MS = 20


def main() -> None:
    shapes = aois(N)
    with SandboxProcess() as server:
        server.handle.faults(latency_ms=LATENCY_MS)
        clients = {p: pixorder.connect("sandbox", api=p, base_url=server.url, progress=False) for p in PROVIDERS}
        for client in clients.values():
            client.sensors()  # warm up: connections, Pixxel's project and bandset lookup
        requests = [TaskingRequest(aoi=s, **PARAMS) for s in shapes]

        before = {p: c.transport.stats.requests for p, c in clients.items()}
        started = time.perf_counter()
        frame = pixorder.compare([r.aoi for r in requests], PARAMS, providers=list(clients.values()))
        bulk = time.perf_counter() - started
        calls = {p: c.transport.stats.requests - before[p] for p, c in clients.items()}
        ok = int(frame["error"].isna().sum())

        started = time.perf_counter()
        loop_quotes = 0
        for client in clients.values():
            for request in requests:
                try:
                    client.pricing.estimate(request)
                    loop_quotes += 1
                except pixorder.PixorderError:
                    pass
        loop = time.perf_counter() - started
        limits = {p: c.aio.adapter.bulk_limit for p, c in clients.items()}
        for client in clients.values():
            client.close()

    ratio = loop / bulk
    calls_ok = all(calls[p] <= math.ceil(N / limits[p]) for p in PROVIDERS)
    report("bulk pricing: 300 AOIs × 3 providers, 20 ms latency", [
        ("compare() (bulk, concurrent)", f"{bulk:.2f} s for {len(frame)} rows ({ok} priced)"),
        ("loop, one request per AOI", f"{loop:.2f} s for {loop_quotes} quotes"),
        ("speed-up", f"{ratio:.1f}× (target ≥ 20×)"),
        ("HTTP calls per provider", ", ".join(f"{p} {calls[p]} (≤ {math.ceil(N / limits[p])})" for p in PROVIDERS)),
    ], {"measured": f"{bulk:.2f} s", "baseline": f"{loop:.2f} s", "ratio": f"{ratio:.1f}×",
        "target": "≥ 20×, calls ≤ ceil(300/limit)", "met": ratio >= 20 and calls_ok,
        "calls": calls})


if __name__ == "__main__":
    main()
