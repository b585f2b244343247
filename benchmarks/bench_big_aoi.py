"""Figure: one 100,000-vertex polygon through ``AOI()``, ``TaskingRequest`` and every adapter's payloads.

Baseline: the same with a 25,000-vertex polygon in the same run. Target: ≤ 8× its time (linear work
would be 4×, quadratic 16×), and under 20 s. Before, the reliability fuzz asserted
the 20 s on the wall clock; speed is measured here, the fuzz only says what becomes of the polygon.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from _common import best_of, report

from pixorder import errors as E
from pixorder import models as m
from pixorder.aoi import AOI
from pixorder.client.core import make_adapter
from pixorder.providers import table

START = datetime(2027, 3, 1, tzinfo=timezone.utc)


def ring_polygon(n: int) -> dict:
    ring = [[10 + 0.05 * math.cos(2 * math.pi * i / n), 50 + 0.05 * math.sin(2 * math.pi * i / n)] for i in range(n)]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def through_everything(geometry: dict) -> int:
    """AOI, request and each adapter's pricing and order payloads; how many payloads were built."""
    AOI(geometry)
    request = m.TaskingRequest(aoi=geometry, start=START, end=START + timedelta(days=20))
    built = 0
    for provider in table.NAMES:
        adapter = make_adapter(provider)
        for make, args, kwargs in ((adapter.price, ([request],), {}),
                                   (adapter.create_order, (request,), {"reference": "pxo-x"})):
            try:
                make(*args, **kwargs)
                built += 1
            except (E.NotSupported, E.ValidationError):
                pass
    return built


def main() -> None:
    small, big = ring_polygon(25_000), ring_polygon(100_000)
    t_small, _ = best_of(lambda: through_everything(small), repeat=5)
    t_big, built = best_of(lambda: through_everything(big), repeat=5)
    ratio = t_big / t_small
    report("a 100,000-vertex AOI through AOI(), TaskingRequest and the payloads", [
        ("25,000 vertices", f"{t_small:.2f} s"),
        ("100,000 vertices", f"{t_big:.2f} s ({built} payloads built)"),
        ("ratio", f"{ratio:.1f}× (target ≤ 8×: linear is 4×, quadratic 16×; and < 20 s)"),
    ], {"measured": f"{t_big:.2f} s", "baseline": f"25k vertices {t_small:.3f} s", "ratio": f"{ratio:.1f}×",
        "target": "≤ 8× the 25k-vertex time, < 20 s", "met": ratio <= 8 and t_big < 20})


if __name__ == "__main__":
    main()
