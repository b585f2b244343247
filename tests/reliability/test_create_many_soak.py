"""orders.create_many under faults: 300 orders per provider, and Planet's bulk against a slow server.

* ``test_create_many_soak``: per provider, 300 requests in batches of 30 while the sandbox faults 30 % of
  requests (500/502/503/504, 429, connections dropped before the handler ran and after it committed).
  Planet goes through its bulk endpoint (one bulk per batch), Pixxel and Geopera place each order
  concurrently. Then, faults off, one listing of the soak's own organisation counts every reference:
  each order returned exists exactly once with its id; each ``AmbiguousSpend`` row is settled by
  ``reconcile()`` and agrees with the listing; each other error row placed nothing; no duplicates,
  no strays.
* ``test_planet_bulk_slow_server_sweep``: every bulk POST is a slow commit or a commit-then-stall, at
  0.2× to 6× the client's 0.5 s timeout: the same counts, and every bulk id was committed once.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest

import pixorder
from pixorder import sandbox as sandbox_mod
from tests.reliability.conftest import PROVIDERS, tasking

pytestmark = pytest.mark.reliability

N, BATCH = 300, 30
FAULT_RATE = 0.3
TIMEOUT = 0.5
FACTORS = (0.2, 1.0, 2.0, 6.0)
PER_STEP = 10


def _settle(checker: Any, rows: list[pixorder.Order]) -> tuple[dict[str, int], list[str]]:
    """Count every reference in a fault-free listing and check each row against it."""
    listed = checker.orders.list().collect()
    counts = Counter(o.reference for o in listed if o.reference)
    ids = {o.reference: o.id for o in listed}
    asked = {r.reference for r in rows}
    problems: list[str] = []
    placed = ambiguous_placed = ambiguous_none = refused = 0
    for row in rows:
        if row.ok:
            placed += 1
            if counts[row.reference] != 1 or ids.get(row.reference) != row.id:
                problems.append(f"acknowledged {row.reference} found {counts[row.reference]}×")
        elif row.error_type == "AmbiguousSpend":
            settled = checker.orders.reconcile(row.reference)
            if counts[row.reference] != (1 if settled is not None else 0):
                problems.append(f"reconcile({row.reference}) disagrees with the listing")
            ambiguous_placed += settled is not None
            ambiguous_none += settled is None
        else:
            refused += 1
            if counts[row.reference]:
                problems.append(f"{row.reference} refused ({row.error_type}) but placed")
    duplicates = {r: n for r, n in counts.items() if n > 1}
    strays = [r for r in counts if r not in asked]
    if duplicates:
        problems.append(f"duplicates: {list(duplicates.items())[:5]}")
    if strays:
        problems.append(f"strays: {strays[:5]}")
    figures = {"rows": len(rows), "acknowledged": placed, "ambiguous placed": ambiguous_placed,
               "ambiguous none": ambiguous_none, "refused": refused, "found": sum(counts[r] for r in asked),
               "duplicates": len(duplicates), "strays": len(strays)}
    expected = placed + ambiguous_placed
    if figures["found"] != expected:
        problems.append(f"expected {expected} orders, found {figures['found']}")
    return figures, problems


def test_create_many_soak(figures):
    sandbox = sandbox_mod.start(seed=13)
    lines, problems = [], []
    try:
        sandbox.faults(rate=FAULT_RATE, statuses=[500, 502, 503, 504, 429], retry_after=0.05, drop_before=True,
                       drop_after=True, seed=13)
        for provider in PROVIDERS:
            key = f"{sandbox.keys[provider]}.many"
            client = pixorder.connect("sandbox", api=provider, base_url=sandbox.url, api_key=key, retries=4,
                                      backoff=0.01, reconcile_delay=0.0, reconcile_patience=0.3, progress=False)
            started = time.perf_counter()
            rows: list[pixorder.Order] = []
            try:
                for first in range(0, N, BATCH):
                    batch = [tasking(provider, i, name=f"many {i}") for i in range(first, first + BATCH)]
                    rows += client.orders.create_many(batch)
            finally:
                seconds = time.perf_counter() - started
                stats = client.transport.stats
                client.close()
            sandbox.faults(rate=0)
            checker = pixorder.connect("sandbox", api=provider, base_url=sandbox.url, api_key=key, progress=False)
            try:
                counts, bad = _settle(checker, rows)
            finally:
                checker.close()
            sandbox.faults(rate=FAULT_RATE, statuses=[500, 502, 503, 504, 429], retry_after=0.05,
                           drop_before=True, drop_after=True)
            errors = Counter(r.error_type for r in rows if not r.ok)
            routes = {k: v for k, v in stats.by_route.items() if "bulk" in k}
            lines.append(f"{provider}: {N} requests in batches of {BATCH}, {seconds:.1f} s, {stats.requests} HTTP "
                         f"requests ({stats.retries} retries); {counts}; error rows {dict(errors)}"
                         + (f"; bulk calls {routes}" if routes else ""))
            problems += [f"{provider}: {p}" for p in bad]
            assert len(rows) == N and [r.request_index for r in rows[:BATCH]] == list(range(BATCH))
        lines.append(f"faults injected: {sandbox.fault_counts()}")
    finally:
        sandbox.stop()
    figures(*lines)
    assert not problems, "\n".join(problems[:20])


def test_planet_bulk_slow_server_sweep(figures):
    sandbox = sandbox_mod.start(seed=14)
    key = f"{sandbox.keys['planet']}.bulkslow"
    client = pixorder.connect("sandbox", api="planet", base_url=sandbox.url, api_key=key, timeout=TIMEOUT,
                              retries=3, backoff=0.01, reconcile_delay=0.1, reconcile_patience=4 * 6 * TIMEOUT,
                              progress=False)
    rows: list[pixorder.Order] = []
    lines = []
    try:
        i = 0
        for kind in ("slow_commit", "commit_then_stall"):
            for factor in FACTORS:
                sandbox.faults(rate=1.0, methods=["POST"], paths=["/tasking/v2/bulk"], provider="planet",
                               commit_delay_ms=factor * TIMEOUT * 1000, **{kind: True})
                started = time.perf_counter()
                step = client.orders.create_many([tasking("planet", i + k, name=f"slow {i + k}")
                                                  for k in range(PER_STEP)])
                sandbox.faults(rate=0)
                i += PER_STEP
                rows += step
                posts = [r for r in sandbox.received("planet") if r["method"] == "POST" and "/bulk" in r["path"]]
                lines.append(f"{kind} at {factor:g}× the {TIMEOUT} s timeout: {time.perf_counter() - started:.1f} s, "
                             f"placed {sum(r.ok for r in step)}/{PER_STEP}, ambiguous "
                             f"{sum(r.error_type == 'AmbiguousSpend' for r in step)}, bulk POSTs so far {len(posts)}")
        time.sleep(6 * TIMEOUT + 0.5)  # every delayed copy has been committed (or refused with 409) by now
        checker = pixorder.connect("sandbox", api="planet", base_url=sandbox.url, api_key=key, progress=False)
        try:
            counts, problems = _settle(checker, rows)
        finally:
            checker.close()
        lines.append(f"planet bulk, {len(rows)} requests: {counts}")
    finally:
        client.close()
        sandbox.stop()
    figures(*lines)
    assert not problems, "\n".join(problems[:20])
    assert counts["acknowledged"] + counts["ambiguous placed"] == len(rows)  # a bulk is never lost
