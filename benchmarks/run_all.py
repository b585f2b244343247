"""Run every benchmark figure and write benchmarks/RESULTS.md (``make bench``)."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["bench_bulk_pricing.py", "bench_client_overhead.py", "bench_listing.py", "bench_import.py",
           "bench_areas.py", "bench_aoi_batch.py", "bench_create_many.py", "bench_listing_latency.py", "bench_explore.py",
           "bench_rate_limits.py", "bench_big_aoi.py"]


def main() -> int:
    results, failed = [], []
    started = time.perf_counter()
    for script in SCRIPTS:
        path = HERE / script
        if not path.exists():
            continue
        proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=600)
        sys.stdout.write(proc.stdout)
        sys.stderr.write(proc.stderr[-3000:] if proc.returncode else "")
        lines = [json.loads(line[7:]) for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
        if proc.returncode or not lines:
            failed.append(script)
        results.extend(lines)
    total = time.perf_counter() - started
    table = ["| figure | measured | baseline | ratio | target | met |", "|---|---|---|---|---|---|"]
    for r in results:
        table.append(f"| {r['figure']} | {r.get('measured', '')} | {r.get('baseline', '')} | "
                     f"{r.get('ratio', '')} | {r.get('target', '')} | {'yes' if r.get('met') else 'NO'} |")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = (f"# Benchmark results\n\n`make bench` on {platform.node() or 'this machine'} "
            f"({platform.machine()}, Python {platform.python_version()}), {stamp}, {total:.0f} s in all.\n"
            "Each figure is measured against its baseline in the same run (best of several runs).\n\n"
            + "\n".join(table) + "\n")
    if failed:
        text += "\nFailed to run: " + ", ".join(failed) + "\n"
    (HERE / "RESULTS.md").write_text(text)
    print("\n" + text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
