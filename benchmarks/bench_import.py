"""Figure 4: `python -c "import pixorder"` against `python -c "import httpx, pydantic"`; target ≤ 1.2×."""

from __future__ import annotations

import subprocess
import sys
import time

from _common import report


def time_command(code: str, repeat: int = 15) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    time_command("pass", 2)  # warm the file cache
    base = time_command("import httpx, pydantic")
    ours = time_command("import pixorder")
    heavy = time_command("import pixorder; pixorder.AOI")
    ratio = ours / base
    report("start-up: import pixorder", [
        ("import httpx, pydantic", f"{base * 1000:.0f} ms"),
        ("import pixorder", f"{ours * 1000:.0f} ms"),
        ("… and first use of AOI", f"{heavy * 1000:.0f} ms (shapely, pyproj load on use)"),
        ("ratio", f"{ratio:.2f}× (target ≤ 1.2×)"),
    ], {"measured": f"{ours * 1000:.0f} ms", "baseline": f"{base * 1000:.0f} ms", "ratio": f"{ratio:.2f}×",
        "target": "≤ 1.2×", "met": ratio <= 1.2})


if __name__ == "__main__":
    main()
