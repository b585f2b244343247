"""Figures of issue 15, each measured side by side in one run at 20 ms added latency:

1. a 50-point sweep (cloud cover) at three providers against a loop of single estimates: ≥ 20×
   faster, with at most ceil(points / bulk limit) calls per provider and sensor;
2. ``compare(300 AOIs, sensors="all")`` against a per-AOI, per-sensor loop: ≥ 30× faster. The loop
   would make 300 × 15 calls (minutes); it is timed on the first 20 AOIs and scaled by 15, which a
   loop of identical calls allows (each call costs the same).
"""

from __future__ import annotations

import math
import time

from _common import PARAMS, PROVIDERS, SandboxProcess, aois, report

import pixorder
from pixorder.models import TaskingRequest

LATENCY_MS = 20
POINTS = list(range(1, 51))
N = 300
LOOP_SAMPLE = 20


def main() -> None:
    field = {"type": "Polygon", "coordinates": [[[10.0, 50.0], [10.06, 50.0], [10.06, 50.04], [10.0, 50.04],
                                                [10.0, 50.0]]]}
    with SandboxProcess() as server:
        server.handle.faults(latency_ms=LATENCY_MS)
        clients = {p: pixorder.connect("sandbox", api=p, base_url=server.url, progress=False) for p in PROVIDERS}
        sensors = {p: c.sensors() for p, c in clients.items()}

        # --- 1. sweep (warmed up once: the first call imports pandas' and pixorder's frame machinery)
        pixorder.sweep(field, vary={"cloud_cover": [7, 8]}, request=PARAMS, providers=list(clients.values()))
        runs = []
        for _ in range(3):
            before = {p: c.transport.stats.requests for p, c in clients.items()}
            started = time.perf_counter()
            swept = pixorder.sweep(field, vary={"cloud_cover": POINTS}, request=PARAMS,
                                   providers=list(clients.values()))
            runs.append((time.perf_counter() - started, {p: c.transport.stats.requests - before[p]
                                                         for p, c in clients.items()}))
        t_sweep, calls = min(runs, key=lambda r: r[0])
        started = time.perf_counter()
        for client in clients.values():
            for cloud in POINTS:
                client.pricing.estimate(TaskingRequest(aoi=field, **{**PARAMS, "cloud_cover": cloud}))
        t_loop = time.perf_counter() - started
        ratio1 = t_loop / t_sweep
        limits = {p: c.aio.adapter.bulk_limit for p, c in clients.items()}
        calls_ok = all(calls[p] <= math.ceil(len(POINTS) / limits[p]) for p in PROVIDERS)
        report("sweep: 50 cloud-cover points × 3 providers, 20 ms latency", [
            ("sweep() (bulk per provider and sensor, best of 3)", f"{t_sweep:.2f} s, {len(swept)} rows, "
                                                      f"{int(swept['error'].isna().sum())} priced"),
            ("loop of single estimates", f"{t_loop:.2f} s ({len(POINTS) * len(PROVIDERS)} calls)"),
            ("speed-up", f"{ratio1:.1f}× (target ≥ 20×)"),
            ("calls per provider and sensor", ", ".join(f"{p} {calls[p]} (≤ {math.ceil(len(POINTS) / limits[p])})"
                                                        for p in PROVIDERS)),
        ], {"measured": f"{t_sweep:.2f} s", "baseline": f"{t_loop:.2f} s", "ratio": f"{ratio1:.1f}×",
            "target": "≥ 20×, calls ≤ ceil(points/limit)", "met": ratio1 >= 20 and calls_ok})

        # --- 2. compare every sensor
        shapes = aois(N)
        t_compare = float("inf")
        for _ in range(2):
            started = time.perf_counter()
            frame = pixorder.compare(shapes, PARAMS, providers=list(clients.values()), sensors="all")
            t_compare = min(t_compare, time.perf_counter() - started)
        per_aoi = sum(len(s) for s in sensors.values())
        started = time.perf_counter()
        for shape in shapes[:LOOP_SAMPLE]:
            for provider, client in clients.items():
                for sensor in sensors[provider]:
                    try:
                        client.pricing.estimate(TaskingRequest(aoi=shape, sensor=sensor.id, **PARAMS))
                    except pixorder.PixorderError:
                        pass  # Assured Tasking without a window is refused before any call
        t_sample = time.perf_counter() - started
        t_loop2 = t_sample * N / LOOP_SAMPLE
        ratio2 = t_loop2 / t_compare
        report("compare(300 AOIs, sensors='all'), 20 ms latency", [
            ("compare(sensors='all'), best of 2", f"{t_compare:.2f} s for {len(frame)} rows ({per_aoi} sensors per AOI)"),
            (f"per-AOI, per-sensor loop ({LOOP_SAMPLE} AOIs timed, × {N // LOOP_SAMPLE})",
             f"{t_sample:.2f} s → {t_loop2:.1f} s for {N} AOIs"),
            ("speed-up", f"{ratio2:.1f}× (target ≥ 30×)"),
        ], {"measured": f"{t_compare:.2f} s", "baseline": f"{t_loop2:.1f} s (scaled from {LOOP_SAMPLE} AOIs)",
            "ratio": f"{ratio2:.1f}×", "target": "≥ 30×", "met": ratio2 >= 30 and len(frame) == N * per_aoi})
        for client in clients.values():
            client.close()


if __name__ == "__main__":
    main()
