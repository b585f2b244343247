"""Figure (issue 15): 10,000 mixed AOIs read at once by `as_aois`, against one `as_aoi` each.

The shapes are the rate-limit figure's (`aois(10000, seed=11)`: a third small polygons, a third points,
a third lines, as GeoJSON dicts). Measured: `as_aois(shapes)`, then `area_km2` and `__geo_interface__`
of every AOI (what pricing asks of each), best of 3; the same done one AOI at a time.

Targets: `as_aois` ≤ 0.25 s; areas and GeoJSON of all ≤ 0.1 s more; the very same AOIs both ways
(geometries coordinate for coordinate, areas within 1e-9, the same source reports).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely
from _common import aois, report

from pixorder.aoi import as_aoi, as_aois

N = 10_000


def timed(read: Callable[[], list[Any]], repeat: int) -> tuple[float, float, float, float, list[Any]]:
    """Best wall time of reading, of the areas and of the GeoJSON; best CPU time of all three; the AOIs."""
    best = [float("inf")] * 4
    out: list[Any] = []
    for _ in range(repeat):
        cpu = time.process_time()
        started = time.perf_counter()
        out = read()
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        areas = [aoi.area_km2 for aoi in out]
        area_s = time.perf_counter() - started
        started = time.perf_counter()
        mappings = [aoi.__geo_interface__ for aoi in out]
        geo_s = time.perf_counter() - started
        cpu_s = time.process_time() - cpu
        best = [min(b, v) for b, v in zip(best, (read_s, area_s, geo_s, cpu_s))]
        assert len(areas) == len(mappings) == len(out)
    return best[0], best[1], best[2], best[3], out


def frame_figures(shapes: list[dict[str, Any]]) -> tuple[float, float]:
    """``as_aois`` of the shapes as GeoDataFrame rows in EPSG:3857 (best of 3), and row by row (1,000, scaled)."""
    import geopandas
    from shapely.geometry import shape

    frame = geopandas.GeoDataFrame({"id": range(len(shapes))}, geometry=[shape(s) for s in shapes],
                                   crs=4326).to_crs(3857)
    batch_s = min(timed(lambda: as_aois(frame), 3)[:1])
    some = frame.geometry.iloc[:1000]
    started = time.perf_counter()
    for i in range(len(some)):
        as_aoi(some.iloc[[i]])
    return batch_s, (time.perf_counter() - started) * len(frame) / len(some)


def main() -> None:
    shapes = aois(N, seed=11)
    as_aois(shapes[:30])  # imports, PROJ set-up
    batch_s, batch_area, batch_geo, batch_cpu, batch = timed(lambda: as_aois(shapes), 3)
    single_s, single_area, single_geo, single_cpu, single = timed(lambda: [as_aoi(s) for s in shapes], 1)
    same = sum(
        a.source == b.source and a.kind == b.kind
        and np.array_equal(shapely.get_coordinates(a.geometry), shapely.get_coordinates(b.geometry))
        for a, b in zip(batch, single))
    areas = np.array([a.area_km2 for a in batch])
    worst = float(np.max(np.abs(areas - np.array([a.area_km2 for a in single])) / areas))
    frame_s, frame_single_s = frame_figures(shapes)
    batch_total, single_total = batch_s + batch_area + batch_geo, single_s + single_area + single_geo
    ratio = single_total / batch_total
    met = batch_s <= 0.25 and batch_area + batch_geo <= 0.1 and same == N and worst <= 1e-9
    report(f"as_aois: {N:,} mixed AOIs (GeoJSON polygons, points, lines), then areas and GeoJSON", [
        ("one at a time: as_aoi each", f"{single_s:.3f} s"),
        ("  then area_km2, __geo_interface__", f"{single_area:.3f} s, {single_geo:.3f} s"),
        ("as_aois (batch)", f"{batch_s:.3f} s (target ≤ 0.25 s)"),
        ("  then area_km2, __geo_interface__", f"{batch_area:.3f} s, {batch_geo:.3f} s (target ≤ 0.1 s together)"),
        ("CPU time of all three", f"batch {batch_cpu:.3f} s, one at a time {single_cpu:.3f} s"),
        ("speed-up", f"{ratio:.1f}×"),
        ("the same as a GeoDataFrame in EPSG:3857", f"as_aois {frame_s:.3f} s (row by row before: {frame_single_s:.2f} s)"),
        ("the same AOIs", f"{same:,} of {N:,}; worst relative area difference {worst:.1e} (target ≤ 1e-9)"),
    ], {"measured": f"{batch_s:.3f} s + {batch_area + batch_geo:.3f} s",
        "baseline": f"one at a time {single_s:.2f} s + {single_area + single_geo:.2f} s", "ratio": f"{ratio:.1f}×",
        "target": "as_aois ≤ 0.25 s, areas and GeoJSON ≤ 0.1 s more, the same AOIs", "met": met})


if __name__ == "__main__":
    main()
