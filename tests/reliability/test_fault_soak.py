"""Fault soak: spend calls mixed with reads and listings while the sandbox injects 30 % faults.

Faults (for every provider, all methods): HTTP 500/502/503/504, 429 with a small ``Retry-After``,
latency spikes, connections dropped before the handler runs and dropped after it committed. The three
providers run at the same time, one thread each, ``PIXORDER_SOAK_CALLS`` (default 200) spend calls
per provider, each followed by one read (get, listing page, pricing or sensors).

Then, faults off, the sandbox is asked directly (a full listing of the soak's own organisation) and
every client reference is counted:

* an order ``orders.create`` returned exists exactly once, with the id it returned;
* a call that raised ``AmbiguousSpend`` is settled by ``orders.reconcile(reference)``, and what
  reconcile says (an order, or None) is what the listing holds (1 or 0);
* a call that raised any other (typed) error placed nothing: its reference is absent;
* no reference appears twice, no order appears that nobody asked for;
* nothing but ``pixorder.PixorderError`` subclasses escaped, from spends or reads.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import traceback
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

import pixorder
from pixorder import errors as E
from pixorder import sandbox as sandbox_mod
from tests.reliability.conftest import PROVIDERS, tasking

pytestmark = pytest.mark.reliability

CALLS = int(os.environ.get("PIXORDER_SOAK_CALLS", "200"))
FAULT_RATE = 0.3
RETRIES = 4  # the client's attempts per call; small enough that some lookups fail and AmbiguousSpend shows


@dataclass
class Run:
    provider: str
    placed: dict[str, str] = field(default_factory=dict)  # reference → order id returned by create
    ambiguous: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # reference → typed error class name
    reads: Counter[str] = field(default_factory=Counter)
    read_errors: Counter[str] = field(default_factory=Counter)
    untyped: list[str] = field(default_factory=list)
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0


def _soak(sandbox: Any, provider: str, run: Run) -> None:
    rng = random.Random(f"soak-{provider}")
    client = pixorder.connect("sandbox", api=provider, base_url=sandbox.url,
                              api_key=f"{sandbox.keys[provider]}.soak", retries=RETRIES, backoff=0.01,
                              reconcile_delay=0.0, reconcile_patience=0.3, progress=False)
    started = time.perf_counter()
    try:
        for i in range(CALLS):
            reference = f"pxo-{uuid.uuid4().hex[:16]}"
            try:
                order = client.orders.create(tasking(provider, i, name=f"soak {i}"), reference=reference)
                assert order.reference == reference, (order.reference, reference)
                run.placed[reference] = order.id
            except E.AmbiguousSpend as exc:
                assert exc.reference == reference
                run.ambiguous.append(reference)
            except E.PixorderError as exc:
                run.refused[reference] = type(exc).__name__
            except Exception:  # noqa: BLE001 - the point: nothing untyped may escape
                run.untyped.append(f"create: {traceback.format_exc(limit=4)}")
            kind = rng.choice(["get", "list", "price", "sensors"])
            try:
                if kind == "get" and run.placed:
                    client.orders.get(rng.choice(list(run.placed.values())))
                elif kind == "list":
                    client.orders.list(limit=25).collect()
                elif kind == "price":
                    client.pricing.estimate(tasking(provider, i))
                else:
                    client.sensors()
                run.reads[kind] += 1
            except E.PixorderError as exc:
                run.read_errors[type(exc).__name__] += 1
            except Exception:  # noqa: BLE001
                run.untyped.append(f"{kind}: {traceback.format_exc(limit=4)}")
    finally:
        run.seconds = time.perf_counter() - started
        run.requests, run.retries = client.transport.stats.requests, client.transport.stats.retries
        client.close()


def _fault_counts_by_provider(url: str) -> dict[str, dict[str, int]]:
    with urllib.request.urlopen(url + "/_sandbox/faults", timeout=30) as response:
        return json.loads(response.read())["by_provider"]


def test_fault_soak_orders_exactly_once_or_ambiguous_and_reconciled(figures):
    sandbox = sandbox_mod.start(seed=7)
    try:
        # Warm-up outside the faults: the Pixxel client reads its project and bandsets on first use.
        sandbox.faults(rate=FAULT_RATE, statuses=[500, 502, 503, 504, 429], retry_after=0.05,
                       latency_spike_ms=150, drop_before=True, drop_after=True, seed=7)
        runs = {p: Run(p) for p in PROVIDERS}
        threads = [threading.Thread(target=_soak, args=(sandbox, p, runs[p]), name=f"soak-{p}") for p in PROVIDERS]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        wall = time.perf_counter() - started
        assert not any(t.is_alive() for t in threads), "a soak thread did not finish"
        injected = _fault_counts_by_provider(sandbox.url)
        sandbox.faults(rate=0)

        lines = [f"{CALLS} spend calls + {CALLS} reads per provider, 3 providers concurrently, faults "
                 f"{FAULT_RATE:.0%} (500/502/503/504, 429 Retry-After 0.05 s, 150 ms spikes, drop before/after "
                 f"commit), client retries={RETRIES} backoff=0.01 s; wall {wall:.1f} s"]
        problems: list[str] = []
        for provider in PROVIDERS:
            run = runs[provider]
            checker = pixorder.connect("sandbox", api=provider, base_url=sandbox.url,
                                       api_key=f"{sandbox.keys[provider]}.soak", progress=False)
            try:
                listed = checker.orders.list().collect()
                counts = Counter(o.reference for o in listed)
                ids = {o.reference: o.id for o in listed}
                duplicates = {r: n for r, n in counts.items() if n > 1}
                asked = set(run.placed) | set(run.ambiguous) | set(run.refused)
                strays = [r for r in counts if r not in asked]
                settled: dict[str, Any] = {r: checker.orders.reconcile(r) for r in run.ambiguous}
            finally:
                checker.close()
            lost = [r for r, oid in run.placed.items() if counts.get(r) != 1 or ids.get(r) != oid]
            misreconciled = [r for r, order in settled.items()
                             if counts.get(r, 0) != (1 if order is not None else 0)
                             or (order is not None and order.id != ids.get(r))]
            silent = [f"{r} ({name})" for r, name in run.refused.items() if counts.get(r, 0) != 0]
            expected = len(run.placed) + sum(1 for o in settled.values() if o is not None)
            found = sum(counts[r] for r in counts if r in asked)
            faults = injected.get(provider, {})
            lines += [
                f"{provider}: calls {CALLS} spend + {sum(run.reads.values())} reads ok "
                f"({dict(run.reads)}), read errors (typed) {dict(run.read_errors)}; "
                f"{run.requests} HTTP requests, {run.retries} retries, {run.seconds:.1f} s",
                f"  faults injected {sum(faults.values())}: {dict(sorted(faults.items()))}",
                f"  orders expected {expected}, found {found}, duplicates {len(duplicates)}, strays {len(strays)}; "
                f"acknowledged {len(run.placed)}, ambiguous {len(run.ambiguous)}, reconciled "
                f"{len(settled)} (placed {sum(o is not None for o in settled.values())}, "
                f"none {sum(o is None for o in settled.values())}), refused (typed, nothing placed) "
                f"{dict(Counter(run.refused.values()))}, untyped {len(run.untyped)}",
            ]
            for label, bad in (("untyped exceptions", run.untyped), ("duplicates", duplicates),
                               ("strays", strays), ("acknowledged but not found once", lost),
                               ("reconcile disagrees with the listing", misreconciled),
                               ("typed error but the order exists", silent)):
                if bad:
                    problems.append(f"{provider}: {label}: {list(bad)[:5]}")
            if expected != found:
                problems.append(f"{provider}: expected {expected} orders, found {found}")
            # The soak is only worth something if the faults really happened, of every kind.
            for kind in ("500", "502", "503", "504", "429", "latency_spike", "drop_before", "drop_after"):
                if not faults.get(kind):
                    problems.append(f"{provider}: no {kind} fault was injected")
        figures(*lines)
        assert not problems, "\n".join(problems)
    finally:
        sandbox.stop()
