"""A server that acts after its client gave up: slow commits and commit-then-stall.

Real servers keep working on a request whose client has timed out: they commit late (slow commit),
or commit at once and answer late (commit then stall). Either way the client saw a read timeout, and
"not found yet" right after it does not mean "never acted". The spending rule (docs/architecture.md)
says pixorder then never sends the placement again without an idempotency key: it looks the
reference up over a patience window and raises ``AmbiguousSpend`` if it still cannot tell.

* ``test_a_slow_commit_is_ordered_once``: the case that ordered twice (Planet, a 1.5 s commit, a
  0.5 s client timeout), for every provider;
* ``test_slow_server_sweep``: both kinds at delays from 0.2× to 6× the client timeout, for the
  three providers at once: every order asked for exists exactly once, or the call raised
  ``AmbiguousSpend`` and ``reconcile()`` settled it; 0 duplicates, 0 lost acknowledged orders,
  0 untyped errors. Figures printed.
"""

from __future__ import annotations

import asyncio
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import pixorder
from pixorder import errors as E
from pixorder import sandbox as sandbox_mod
from tests.reliability.conftest import PROVIDERS, tasking

pytestmark = pytest.mark.reliability

#: what a placement's path contains, per API (Pixxel's pricing is a dry-run POST to the same path)
PLACEMENT = {"pixxel": "/v0/orders", "planet": "/tasking/v2/orders/", "geopera": "orders.tasking.place"}
TIMEOUT = 0.5
FACTORS = (0.2, 0.5, 1.0, 2.0, 4.0, 6.0)
KINDS = ("slow_commit", "commit_then_stall")
PER_STEP = 3  # orders created concurrently at each kind × delay


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    handle = sandbox_mod.start()
    yield handle
    handle.stop()


def _listed(client: pixorder.Client) -> Counter[str]:
    return Counter(o.reference for o in client.orders.list().collect() if o.reference)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_slow_commit_is_ordered_once(sandbox, provider):
    """1.5 s commit, 0.5 s timeout: before the spending rule, Planet and Pixxel ordered twice here."""
    client = pixorder.connect("sandbox", api=provider, base_url=sandbox.url,
                              api_key=f"{sandbox.keys[provider]}.slow1", timeout=TIMEOUT, backoff=0.01,
                              reconcile_delay=0.1, reconcile_patience=6.0, progress=False)
    reference = f"pxo-{uuid.uuid4().hex[:16]}"
    try:
        client.sensors()  # preparation (Pixxel project and bandsets) outside the fault
        sandbox.faults(rate=1.0, slow_commit=True, commit_delay_ms=1500, methods=["POST"],
                       paths=[PLACEMENT[provider]], provider=provider)
        try:
            order = client.orders.create(tasking(provider, 3, name="slow commit"), reference=reference)
        finally:
            sandbox.faults(rate=0)
        assert order.reference == reference and order.id
        time.sleep(2.0)  # every delayed request the client made has been committed by now
        counts = _listed(client)
        assert counts[reference] == 1, f"{counts[reference]} orders carry {reference}"
        placements = [r for r in sandbox.received(provider)
                      if PLACEMENT[provider] in r["path"] and reference in str(r["body"])]
        if provider != "geopera":  # without an idempotency key the placement is sent exactly once
            assert len(placements) == 1, placements
    finally:
        client.close()


@dataclass
class Sweep:
    provider: str
    asked: int = 0
    acknowledged: dict[str, str] = field(default_factory=dict)
    ambiguous: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    untyped: list[str] = field(default_factory=list)
    seconds: float = 0.0


async def _sweep_provider(sandbox: Any, run: Sweep) -> None:
    provider = run.provider
    async with pixorder.AsyncClient("sandbox", api=provider, base_url=sandbox.url,
                                    api_key=f"{sandbox.keys[provider]}.sweep", timeout=TIMEOUT, retries=3,
                                    backoff=0.01, reconcile_delay=0.05, reconcile_patience=1.5,
                                    progress=False) as client:
        await client.sensors()
        await client.pricing.estimate(tasking(provider, 0))  # preparation done before any fault

        async def create(i: int) -> None:
            reference = f"pxo-{uuid.uuid4().hex[:16]}"
            run.asked += 1
            try:
                order = await client.orders.create(tasking(provider, i, name=f"sweep {i}"), reference=reference)
                assert order.reference == reference
                run.acknowledged[reference] = order.id
            except E.AmbiguousSpend as exc:
                assert exc.reference == reference
                run.ambiguous.append(reference)
            except E.PixorderError as exc:
                run.refused[reference] = type(exc).__name__
            except Exception:  # noqa: BLE001 - nothing untyped may escape
                run.untyped.append(traceback.format_exc(limit=4))

        i = 0
        for kind in KINDS:
            for factor in FACTORS:
                sandbox.faults(rate=1.0, commit_delay_ms=factor * TIMEOUT * 1000, methods=["POST"],
                               paths=[PLACEMENT[provider]], provider=provider, **{kind: True})
                await asyncio.gather(*(create(i + k) for k in range(PER_STEP)))
                i += PER_STEP
        sandbox.faults(rate=0, provider=provider)


def test_slow_server_sweep(sandbox, figures):
    runs = {p: Sweep(p) for p in PROVIDERS}

    def drive(run: Sweep) -> None:
        started = time.perf_counter()
        try:
            asyncio.run(_sweep_provider(sandbox, run))
        except Exception:  # noqa: BLE001
            run.untyped.append(traceback.format_exc(limit=6))
        run.seconds = time.perf_counter() - started

    threads = [threading.Thread(target=drive, args=(runs[p],)) for p in PROVIDERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    sandbox.faults(rate=0)
    time.sleep(max(FACTORS) * TIMEOUT + 0.5)  # the last delayed commits land

    lines = [f"slow commit and commit-then-stall at {', '.join(f'{f:g}' for f in FACTORS)} × the client timeout "
             f"({TIMEOUT} s), {PER_STEP} concurrent creates per step, patience 1.5 s, 3 providers at once"]
    problems: list[str] = []
    for provider in PROVIDERS:
        run = runs[provider]
        checker = pixorder.connect("sandbox", api=provider, base_url=sandbox.url,
                                   api_key=f"{sandbox.keys[provider]}.sweep", progress=False)
        try:
            counts = _listed(checker)
            settled = {r: checker.orders.reconcile(r) for r in run.ambiguous}
        finally:
            checker.close()
        duplicates = {r: n for r, n in counts.items() if n > 1}
        lost = [r for r in run.acknowledged if counts.get(r) != 1]
        misreconciled = [r for r, o in settled.items() if counts.get(r, 0) != (1 if o is not None else 0)]
        silent = [r for r in run.refused if counts.get(r, 0)]
        lines.append(
            f"{provider}: {run.asked} creates in {run.seconds:.1f} s: acknowledged {len(run.acknowledged)}, "
            f"ambiguous {len(run.ambiguous)} (reconciled: placed {sum(o is not None for o in settled.values())}, "
            f"none {sum(o is None for o in settled.values())}), refused {dict(Counter(run.refused.values()))}; "
            f"duplicates {len(duplicates)}, lost {len(lost)}, untyped {len(run.untyped)}")
        for label, bad in (("untyped", run.untyped), ("duplicates", duplicates), ("lost", lost),
                           ("reconcile disagrees with the listing", misreconciled),
                           ("typed error but the order exists", silent)):
            if bad:
                problems.append(f"{provider}: {label}: {list(bad)[:3]}")
        if run.asked != len(KINDS) * len(FACTORS) * PER_STEP:
            problems.append(f"{provider}: only {run.asked} creates ran")
    figures(*lines)
    assert not problems, "\n".join(problems)
