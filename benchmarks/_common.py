"""Shared bits of the benchmark scripts: timing, a sandbox with latency, and the result line."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """The fastest of ``repeat`` runs (seconds) and the last result: the least noisy figure."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def report(figure: str, rows: list[tuple[str, str]], verdict: dict[str, Any]) -> None:
    """Print a side-by-side table and one machine-readable RESULT line for run_all.py."""
    width = max(len(k) for k, _ in rows)
    print(f"\n== {figure}")
    for key, value in rows:
        print(f"  {key.ljust(width)}  {value}")
    print("RESULT " + json.dumps({"figure": figure, **verdict},
                                 default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def aois(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` mixed AOIs (fields, points, strips) spread over mid latitudes, the same every run."""
    import random

    rng = random.Random(seed)
    shapes = []
    for i in range(n):
        lon, lat = rng.uniform(-120, 150), rng.uniform(-50, 60)
        kind = i % 3
        if kind == 0:
            d = rng.uniform(0.02, 0.15)
            shapes.append({"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d],
                                                               [lon, lat + d], [lon, lat]]]})
        elif kind == 1:
            shapes.append({"type": "Point", "coordinates": [lon, lat]})
        else:
            shapes.append({"type": "LineString", "coordinates": [[lon, lat], [lon + 0.1, lat + 0.05]]})
    return shapes


class SandboxProcess:
    """The sandbox in its own process (as a real server would be), driven through its handle."""

    def __init__(self, db: str | None = None):
        import socket
        import subprocess

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        cmd = [sys.executable, "-m", "pixorder.sandbox", "serve", "--port", str(self.port)]
        if db:
            cmd += ["--db", db]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        self.url = f"http://127.0.0.1:{self.port}"
        from pixorder.sandbox import Sandbox

        deadline = time.monotonic() + 30
        while True:
            try:
                self.handle = Sandbox.attach(self.url)
                break
            except Exception:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("sandbox process did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


PARAMS = {"start": "2027-03-01T00:00:00Z", "end": "2027-03-21T00:00:00Z", "cloud_cover": 20}
PROVIDERS = ("pixxel", "planet", "geopera")
