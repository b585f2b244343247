"""Server crash: SIGKILL the sandbox process mid-run, restart it on the same SQLite file, lose nothing.

``python -m pixorder.sandbox serve --port P --db FILE`` runs as a real subprocess (uvicorn). One
thread per provider places orders back to back. Once each has a few acknowledged orders the process
is killed with SIGKILL (no shutdown code runs), restarted on the same file and port, and the threads
carry on until each has more acknowledged orders after the restart. Then:

* every order ``orders.create`` returned (acknowledged) is still there: ``orders.get(id)`` finds it
  and its client reference is listed exactly once;
* a call that raised ``AmbiguousSpend`` (e.g. in flight at the kill) is settled by ``reconcile``;
* a call that raised another typed error (server down) placed nothing;
* nothing untyped escaped, and no reference is listed twice.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

import pixorder
from pixorder import errors as E
from tests.reliability.conftest import PROVIDERS, tasking

pytestmark = pytest.mark.reliability

BEFORE, AFTER = 15, 15  # acknowledged orders per provider before the kill and after the restart


@dataclass
class Placer:
    provider: str
    placed: dict[str, str] = field(default_factory=dict)
    placed_at: dict[str, float] = field(default_factory=dict)
    ambiguous: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    untyped: list[str] = field(default_factory=list)
    spans: list[tuple[float, float, str]] = field(default_factory=list)  # (start, end, outcome)


def _place_until(stop: threading.Event, url: str, placer: Placer) -> None:
    client = pixorder.connect("sandbox", api=placer.provider, base_url=url, retries=4, backoff=0.05,
                              reconcile_delay=0.05, reconcile_patience=0.5, timeout=10, progress=False)
    i = 0
    try:
        while not stop.is_set():
            i += 1
            reference = f"pxo-{uuid.uuid4().hex[:16]}"
            started = time.monotonic()
            outcome = "placed"
            try:
                order = client.orders.create(tasking(placer.provider, i, name=f"crash {i}"), reference=reference)
                placer.placed[reference] = order.id
                placer.placed_at[reference] = time.monotonic()
            except E.AmbiguousSpend:
                placer.ambiguous.append(reference)
                outcome = "AmbiguousSpend"
            except E.PixorderError as exc:
                placer.refused[reference] = outcome = type(exc).__name__
                time.sleep(0.05)  # the server is down: do not spin
            except Exception:  # noqa: BLE001 - nothing untyped may escape
                placer.untyped.append(traceback.format_exc(limit=5))
                outcome = "untyped"
            placer.spans.append((started, time.monotonic(), outcome))
    finally:
        client.close()


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_sigkill_mid_run_loses_no_acknowledged_order(tmp_path, served, figures):
    db = tmp_path / "crash.sqlite"
    box = served(db=db)
    placers = {p: Placer(p) for p in PROVIDERS}
    stop = threading.Event()
    threads = [threading.Thread(target=_place_until, args=(stop, box.url, placers[p]), name=f"crash-{p}")
               for p in PROVIDERS]
    for thread in threads:
        thread.start()
    try:
        _wait(lambda: all(len(p.placed) >= BEFORE for p in placers.values()), 120, "orders before the kill")
        killed_at = time.monotonic()
        box.kill()
        acknowledged_before = {p: len(placers[p].placed) for p in PROVIDERS}
        time.sleep(0.3)
        box.start()  # same port, same file
        restarted_at = time.monotonic()
        _wait(lambda: all(sum(t > restarted_at for t in p.placed_at.values()) >= AFTER for p in placers.values()),
              120, "orders after the restart")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)

    problems: list[str] = []
    lines = [f"sandbox subprocess SIGKILLed after ≥{BEFORE} acknowledged orders per provider, restarted on "
             f"the same SQLite file and port {box.port} in {restarted_at - killed_at:.2f} s"]
    for provider in PROVIDERS:
        placer = placers[provider]
        checker = pixorder.connect("sandbox", api=provider, base_url=box.url, progress=False)
        try:
            counts = Counter(o.reference for o in checker.orders.list().collect())
            missing = []
            for order_id in placer.placed.values():
                try:
                    checker.orders.get(order_id)
                except E.NotFound:
                    missing.append(order_id)
            settled = {r: checker.orders.reconcile(r) for r in placer.ambiguous}
        finally:
            checker.close()
        in_flight = Counter(outcome for start, end, outcome in placer.spans if start <= killed_at <= end)
        lost = [r for r in placer.placed if counts.get(r) != 1]
        duplicates = [r for r, n in counts.items() if n > 1]
        silent = [r for r in placer.refused if counts.get(r, 0)]
        wrong = [r for r, o in settled.items() if counts.get(r, 0) != (o is not None)]
        lines += [
            f"{provider}: acknowledged {len(placer.placed)} ({acknowledged_before[provider]} before the kill), "
            f"all found after restart: {not lost and not missing}; in flight at the kill: {dict(in_flight)}; "
            f"ambiguous {len(placer.ambiguous)} → reconciled placed {sum(o is not None for o in settled.values())}"
            f" / none {sum(o is None for o in settled.values())}; refused while down "
            f"{dict(Counter(placer.refused.values()))}; duplicates {len(duplicates)}; untyped {len(placer.untyped)}",
        ]
        for label, bad in (("acknowledged but lost", lost), ("get() cannot find", missing),
                           ("duplicates", duplicates), ("typed error but the order exists", silent),
                           ("reconcile disagrees", wrong), ("untyped exceptions", placer.untyped)):
            if bad:
                problems.append(f"{provider}: {label}: {bad[:3]}")
    figures(*lines)
    assert not problems, "\n".join(problems)
