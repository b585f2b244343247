"""Load: 16 concurrent clients (8 threads with sync clients, 8 asyncio tasks with AsyncClient).

The sandbox runs as a subprocess on a SQLite file (its own process, as a real server would). Clients
are spread over the three providers; each uses its own organisation (``<key>.load<n>``) so what it
wrote can be counted afterwards. For ``PIXORDER_LOAD_SECONDS`` (default 60, the issue's figure; set it
lower for a quick local run) each client loops over a mix of order placements (30 %), order reads
(25 %), listing pages (20 %) and pricing calls (25 %). Then every client's organisation is listed:

* zero errors of any kind during the run;
* zero lost writes: every order a client placed is listed exactly once in its organisation, and no
  order is there that it did not place.

Printed: the duration, calls and HTTP requests, requests/s, p50/p99 latency overall and per kind.
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
import traceback
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest

import pixorder
from pixorder.sandbox.keys import SANDBOX_KEYS
from tests.reliability.conftest import PROVIDERS, percentile, tasking

pytestmark = pytest.mark.reliability

SECONDS = float(os.environ.get("PIXORDER_LOAD_SECONDS", "60"))
THREADS, TASKS = 8, 8
MIX = [("create", 30), ("get", 25), ("list", 20), ("price", 25)]


@dataclass
class Worker:
    n: int
    provider: str
    flavour: str
    placed: dict[str, str] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    requests: int = 0

    @property
    def key(self) -> str:
        return f"{SANDBOX_KEYS[self.provider]}.load{self.n}"

    def pick(self, rng: random.Random) -> str:
        kind = rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
        return "create" if kind == "get" and not self.placed else kind


def _sync_worker(worker: Worker, url: str, deadline: float) -> None:
    rng = random.Random(worker.n)
    client = pixorder.connect("sandbox", api=worker.provider, base_url=url, api_key=worker.key, progress=False)
    i = 0
    try:
        while time.monotonic() < deadline:
            i += 1
            kind = worker.pick(rng)
            started = time.perf_counter()
            try:
                if kind == "create":
                    reference = f"pxo-{uuid.uuid4().hex[:16]}"
                    order = client.orders.create(tasking(worker.provider, i), reference=reference)
                    worker.placed[reference] = order.id
                elif kind == "get":
                    client.orders.get(rng.choice(list(worker.placed.values())))
                elif kind == "list":
                    client.orders.list(limit=20).collect()
                else:
                    client.pricing.estimate(tasking(worker.provider, i))
            except Exception:  # noqa: BLE001 - every error counts against the run
                worker.errors.append(f"{kind}: {traceback.format_exc(limit=3)}")
            worker.latencies[kind].append(time.perf_counter() - started)
    finally:
        worker.requests = client.transport.stats.requests
        client.close()


async def _async_worker(worker: Worker, url: str, deadline: float) -> None:
    rng = random.Random(worker.n)
    i = 0
    async with pixorder.AsyncClient("sandbox", api=worker.provider, base_url=url, api_key=worker.key,
                                    progress=False) as client:
        while time.monotonic() < deadline:
            i += 1
            kind = worker.pick(rng)
            started = time.perf_counter()
            try:
                if kind == "create":
                    reference = f"pxo-{uuid.uuid4().hex[:16]}"
                    order = await client.orders.create(tasking(worker.provider, i), reference=reference)
                    worker.placed[reference] = order.id
                elif kind == "get":
                    await client.orders.get(rng.choice(list(worker.placed.values())))
                elif kind == "list":
                    await client.orders.list(limit=20).collect()
                else:
                    await client.pricing.estimate(tasking(worker.provider, i))
            except Exception:  # noqa: BLE001
                worker.errors.append(f"{kind}: {traceback.format_exc(limit=3)}")
            worker.latencies[kind].append(time.perf_counter() - started)
        worker.requests = client.transport.stats.requests


def _run_async_workers(workers: list[Worker], url: str, deadline: float) -> None:
    async def main() -> None:
        await asyncio.gather(*(_async_worker(w, url, deadline) for w in workers))

    asyncio.run(main())


def test_sixteen_concurrent_clients_no_errors_no_lost_writes(tmp_path, served, figures):
    box = served(db=tmp_path / "load.sqlite")
    workers = [Worker(n, PROVIDERS[n % 3], "thread" if n < THREADS else "asyncio") for n in range(THREADS + TASKS)]
    started = time.monotonic()
    deadline = started + SECONDS
    threads = [threading.Thread(target=_sync_worker, args=(w, box.url, deadline), name=f"load-{w.n}")
               for w in workers[:THREADS]]
    threads.append(threading.Thread(target=_run_async_workers, args=(workers[THREADS:], box.url, deadline),
                                    name="load-asyncio"))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 120)
    elapsed = time.monotonic() - started
    assert not any(t.is_alive() for t in threads), "a load worker did not stop"

    lost, strays, duplicates, found = [], [], [], 0
    for worker in workers:
        checker = pixorder.connect("sandbox", api=worker.provider, base_url=box.url, api_key=worker.key,
                                   progress=False)
        try:
            counts = Counter(o.reference for o in checker.orders.list().collect())
        finally:
            checker.close()
        found += sum(n for r, n in counts.items() if r in worker.placed)
        lost += [r for r in worker.placed if counts.get(r) != 1]
        duplicates += [r for r, n in counts.items() if n > 1]
        strays += [r for r in counts if r not in worker.placed]

    latencies = [x for w in workers for values in w.latencies.values() for x in values]
    by_kind = defaultdict(list)
    for worker in workers:
        for kind, values in worker.latencies.items():
            by_kind[kind] += values
    requests = sum(w.requests for w in workers)
    errors = [e for w in workers for e in w.errors]
    placed = sum(len(w.placed) for w in workers)
    figures(
        f"{THREADS} threads (sync Client) + {TASKS} asyncio tasks (AsyncClient), providers round-robin, one "
        f"organisation each, sandbox subprocess on SQLite; the figure is for {SECONDS:g} s "
        f"(PIXORDER_LOAD_SECONDS), measured {elapsed:.1f} s",
        f"  calls {len(latencies)} ({len(latencies) / elapsed:.0f}/s), HTTP requests {requests} "
        f"({requests / elapsed:.0f} requests/s); latency p50 {percentile(latencies, 50) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.0f} ms",
        "  per kind: " + "; ".join(
            f"{kind} {len(v)} calls p50 {percentile(v, 50) * 1000:.0f} ms p99 {percentile(v, 99) * 1000:.0f} ms"
            for kind, v in sorted(by_kind.items())),
        "  per provider: " + ", ".join(
            f"{p} {sum(sum(len(v) for v in w.latencies.values()) for w in workers if w.provider == p)} calls"
            for p in PROVIDERS),
        f"  errors {len(errors)}; orders placed {placed}, found {found}, lost {len(lost)}, duplicates "
        f"{len(duplicates)}, strays {len(strays)}",
        *errors[:5],
    )
    assert placed > 0 and all(w.latencies for w in workers)
    assert not errors, errors[:5]
    assert not lost and not duplicates and not strays, (lost[:5], duplicates[:5], strays[:5])
    assert found == placed
