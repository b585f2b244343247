"""Figure (issue 15): pricing 10,000 AOIs at three providers with the published rate limits in force.

The sandbox enforces Planet's 2.0.0 limits (40 requests/s bursts, 300/min sustained) and Geopera's
per-organisation caps (600/min for reads such as estimates); Pixxel publishes none. The clients run
with the same published limits (Planet's and Geopera's adapters carry them; Pixxel's client runs
without pixorder's own polite 10/s, which is not a published limit).

The minimum time those limits allow is computed, per provider, by letting the calls the run made
start as early as every limit permits (each limit a sliding window, as the sandbox counts) plus one
call's duration; the providers run concurrently, so the figure's minimum is the largest of the three.
Target: the run takes at most 1.2× that minimum, with no 429 answer.
"""

from __future__ import annotations

import time

from _common import PARAMS, PROVIDERS, SandboxProcess, aois, report

import pixorder
from pixorder.client.core import make_adapter

N = 10_000


def earliest_finish(calls: int, limits: list[tuple[int, float]], call_seconds: float) -> float:
    """When ``calls`` calls can all have finished if each starts as early as every (n, per) limit allows."""
    starts: list[float] = []
    for _ in range(calls):
        t = 0.0
        for n, per in limits:
            if len(starts) >= n:
                t = max(t, starts[-n] + per)
        starts.append(t)
    return (starts[-1] if starts else 0.0) + call_seconds


def main() -> None:
    shapes = aois(N, seed=11)
    with SandboxProcess() as server:
        server.handle.rate_limits("planet")
        server.handle.rate_limits("geopera")
        published = {"pixxel": {}, "planet": make_adapter("planet").rate_limits,
                     "geopera": make_adapter("geopera").rate_limits}
        clients = {p: pixorder.connect("sandbox", api=p, base_url=server.url, progress=False,
                                       rate_limits=published[p]) for p in PROVIDERS}
        for client in clients.values():
            client.sensors()
        # one call's duration per provider, measured alone (a full bulk chunk)
        call_seconds = {}
        for provider, client in clients.items():
            chunk = shapes[: client.aio.adapter.bulk_limit]
            started = time.perf_counter()
            pixorder.compare(chunk, PARAMS, providers=[client])
            call_seconds[provider] = time.perf_counter() - started
        time.sleep(61)  # a fresh minute for every limit
        before = {p: (c.transport.stats.requests, c.transport.stats.by_status.get(429, 0)) for p, c in clients.items()}
        started = time.perf_counter()
        frame = pixorder.compare(shapes, PARAMS, providers=list(clients.values()))
        elapsed = time.perf_counter() - started
        calls = {p: c.transport.stats.requests - before[p][0] for p, c in clients.items()}
        throttled = {p: c.transport.stats.by_status.get(429, 0) - before[p][1] for p, c in clients.items()}
        for client in clients.values():
            client.close()
    windows = {"planet": [(40, 1.0), (300, 60.0)], "geopera": [(600, 60.0)], "pixxel": []}
    minimum = {p: earliest_finish(calls[p], windows[p], call_seconds[p]) for p in PROVIDERS}
    floor = max(minimum.values())
    ratio = elapsed / floor
    priced = int(frame["error"].isna().sum())
    met = ratio <= 1.2 and priced == N * len(PROVIDERS) and not any(throttled.values())
    report(f"pricing {N:,} AOIs at three providers, published rate limits in force", [
        ("compare() wall time", f"{elapsed:.2f} s, {priced:,} quotes"),
        ("calls (429 answers)", ", ".join(f"{p} {calls[p]} ({throttled[p]})" for p in PROVIDERS)),
        ("minimum the limits allow", ", ".join(f"{p} {minimum[p]:.2f} s" for p in PROVIDERS) + f"; max {floor:.2f} s"),
        ("ratio", f"{ratio:.2f}× (target ≤ 1.2×)"),
    ], {"measured": f"{elapsed:.2f} s", "baseline": f"minimum {floor:.2f} s", "ratio": f"{ratio:.2f}×",
        "target": "≤ 1.2× the minimum the published limits allow, no 429", "met": met})


if __name__ == "__main__":
    main()
