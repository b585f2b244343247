"""Figure 3: 100,000 Pixxel order items listed into a GeoDataFrame.

pixorder (`client.order_items.list().to_geodataframe()`) against
  * the floor: the same pages fetched with raw httpx at the same concurrency, `json.loads`,
    column lists, `shapely.from_geojson` vectorised and one `GeoDataFrame` constructor;
  * the naive way: models one by one, then `GeoDataFrame.from_features`.
Targets: ≤ 1.5× the floor in time; peak memory ≤ 3× the final frame's `memory_usage(deep=True)`;
≥ 3× faster than the naive way.
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
import tracemalloc

import httpx
from _common import SandboxProcess, report

import pixorder
from pixorder.providers import pixxel as px

N = 100_000
PAGE = 1000
CONCURRENCY = 4


async def floor(url: str, key: str) -> object:
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    async with httpx.AsyncClient(timeout=120) as http:
        semaphore = asyncio.Semaphore(CONCURRENCY)

        async def page(offset: int) -> bytes:
            async with semaphore:
                r = await http.get(f"{url}/v0/order-items", params={"limit": PAGE, "offset": offset},
                                   headers={"Authorization": key})
                return r.content

        pages = await asyncio.gather(*(page(o) for o in range(0, N, PAGE)))
    rows = [row for content in pages for row in json.loads(content)["order_items"]]
    keys = ["id", "order_id", "name", "type", "status", "area", "base_amount", "final_amount", "created_at"]
    data = {k: [r.get(k) for r in rows] for k in keys}
    # Official Pixxel items carry no AOI; a delivered item's footprint is its first image's (as pixorder reads it).
    found = [r.get("geometry") or next((i.get("geometry") for i in r.get("images") or []), None) for r in rows]
    geoms = np.array([None] * len(rows), dtype=object)
    present = [i for i, g in enumerate(found) if g is not None]
    if present:
        geoms[present] = shapely.from_geojson(np.array([json.dumps(found[i]) for i in present]))
    return gpd.GeoDataFrame(pd.DataFrame(data), geometry=geoms, crs="EPSG:4326")


def naive(url: str, key: str) -> object:
    import geopandas as gpd

    features = []
    with httpx.Client(timeout=120) as http:
        for offset in range(0, N, PAGE):
            body = http.get(f"{url}/v0/order-items", params={"limit": PAGE, "offset": offset},
                            headers={"Authorization": key}).json()
            for row in body["order_items"]:
                item = px.parse_order_item(row)
                props = item.model_dump(exclude={"raw", "geometry", "tasks", "uplifts"}, mode="json")
                features.append({"type": "Feature", "geometry": item.geometry, "properties": props})
    return gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")


def main() -> None:
    with SandboxProcess() as server:
        seeded = server.handle.seed("pixxel", N)
        key = server.handle.keys["pixxel"]
        client = pixorder.connect("sandbox", api="pixxel", base_url=server.url, progress=False)
        client.sensors()

        def ours():
            return client.order_items.list().to_geodataframe()

        timings = {"ours": [], "floor": []}
        frame = None
        for _ in range(3):  # interleaved rounds; best of each
            started = time.perf_counter()
            asyncio.run(floor(server.url, key))
            timings["floor"].append(time.perf_counter() - started)
            gc.collect()
            started = time.perf_counter()
            frame = ours()
            timings["ours"].append(time.perf_counter() - started)
            gc.collect()
        t_ours, t_floor = min(timings["ours"]), min(timings["floor"])
        started = time.perf_counter()
        naive_frame = naive(server.url, key)
        t_naive = time.perf_counter() - started
        del naive_frame
        gc.collect()

        tracemalloc.start()
        measured = ours()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = measured.memory_usage(deep=True).sum()
        client.close()

    ratio_floor, ratio_naive, ratio_mem = t_ours / t_floor, t_naive / t_ours, peak / size
    met = ratio_floor <= 1.5 and ratio_mem <= 3 and ratio_naive >= 3 and len(frame) == N
    report("listing 100,000 order items → GeoDataFrame", [
        ("rows seeded / in frame", f"{seeded.get('inserted', N)} / {len(frame)}"),
        ("floor: raw pages + json + from_geojson", f"{t_floor:.2f} s"),
        ("pixorder to_geodataframe()", f"{t_ours:.2f} s  ({ratio_floor:.2f}× floor, target ≤ 1.5×)"),
        ("naive: models + from_features", f"{t_naive:.2f} s  (pixorder {ratio_naive:.1f}× faster, target ≥ 3×)"),
        ("peak memory (tracemalloc)", f"{peak / 2**20:.0f} MiB"),
        ("final frame memory_usage(deep)", f"{size / 2**20:.0f} MiB  (peak {ratio_mem:.2f}×, target ≤ 3×)"),
    ], {"measured": f"{t_ours:.2f} s, peak {peak / 2**20:.0f} MiB", "baseline": f"floor {t_floor:.2f} s, "
        f"naive {t_naive:.2f} s", "ratio": f"{ratio_floor:.2f}× floor, {ratio_naive:.1f}× naive, mem {ratio_mem:.2f}×",
        "target": "≤ 1.5× floor, ≥ 3× naive, mem ≤ 3×", "met": met})


if __name__ == "__main__":
    main()
