"""The idempotency helper, tested directly (Geopera's spend operations will use it)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from pixorder.sandbox import idempotency
from pixorder.sandbox.clock import Clock
from pixorder.sandbox.idempotency import Claim, Idempotency, IdempotencyConflict, StoredResponse
from pixorder.sandbox.store import Doc, Store

PATH = "/v1/op/orders.archive.place"


@pytest.fixture()
def parts() -> tuple[Idempotency, Clock]:
    store = Store()
    clock = Clock(store)
    return Idempotency(store, clock), clock


def _executor(calls: list[int], body: bytes = b'{"orderId": "o-1", "status": "CREATED"}'):
    def execute() -> StoredResponse:
        calls.append(1)
        return StoredResponse(202, body + str(len(calls)).encode())
    return execute


def test_same_body_replays_byte_for_byte(parts) -> None:
    idem, _ = parts
    calls: list[int] = []
    first = idem.run_sync("org", PATH, "k1", b'{"a":1}', _executor(calls))
    second = idem.run_sync("org", PATH, "k1", b'{"a":1}', _executor(calls))
    assert calls == [1] and second == first and second.status == 202


def test_different_body_is_a_conflict(parts) -> None:
    idem, _ = parts
    idem.run_sync("org", PATH, "k1", b'{"a":1}', _executor([]))
    with pytest.raises(IdempotencyConflict):
        idem.run_sync("org", PATH, "k1", b'{"a":2}', _executor([]))


def test_key_is_bound_to_org_and_path(parts) -> None:
    idem, _ = parts
    calls: list[int] = []
    for org, path in (("org", PATH), ("other", PATH), ("org", "/v1/op/orders.cancel")):
        idem.run_sync(org, path, "k1", b"{}", _executor(calls))
    assert len(calls) == 3


def test_keys_expire_after_24_sandbox_hours(parts) -> None:
    idem, clock = parts
    calls: list[int] = []
    idem.run_sync("org", PATH, "k1", b"{}", _executor(calls))
    clock.advance(hours=23)
    idem.run_sync("org", PATH, "k1", b"{}", _executor(calls))
    assert len(calls) == 1
    clock.advance(hours=1.5)
    replay = idem.run_sync("org", PATH, "k1", b'{"other": "body, now allowed"}', _executor(calls))
    assert len(calls) == 2 and replay.body.endswith(b"2")


def test_failed_execution_releases_the_key(parts) -> None:
    idem, _ = parts

    def boom() -> StoredResponse:
        raise RuntimeError("handler crashed")

    with pytest.raises(RuntimeError):
        idem.run_sync("org", PATH, "k1", b"{}", boom)
    assert idem.run_sync("org", PATH, "k1", b"{}", _executor([])).status == 202


def test_concurrent_identical_claims_execute_once(parts) -> None:
    idem, _ = parts
    claims: list[str] = []
    barrier = threading.Barrier(8)

    def claim() -> None:
        barrier.wait()
        claims.append(idem.claim("org", PATH, "k-race", b"{}").state)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claims) == ["execute"] + ["in_progress"] * 7


def test_concurrent_identical_requests_run_once_and_share_the_response(parts) -> None:
    idem, _ = parts
    calls: list[int] = []
    results: list[StoredResponse] = []

    def slow() -> StoredResponse:
        time.sleep(0.1)
        return _executor(calls)()

    def request() -> None:
        results.append(idem.run_sync("org", PATH, "k-slow", b"{}", slow))

    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1] and len(results) == 6 and len(set(results)) == 1


def test_async_variant_runs_once_for_concurrent_identical_requests(parts) -> None:
    idem, _ = parts
    calls: list[int] = []

    def execute() -> StoredResponse:
        calls.append(1)
        return StoredResponse(200, b'{"ok": true}')

    async def main() -> list[StoredResponse]:
        return await asyncio.gather(*(idem.run_async("org", PATH, "k-async", b"{}", execute) for _ in range(5)))

    results = asyncio.run(main())
    assert calls == [1] and {r.body for r in results} == {b'{"ok": true}'}


def _order_writer(store: Store, calls: list[int], fail: bool = False):
    def execute() -> StoredResponse:
        calls.append(1)
        store.insert(Doc("geopera", "order", f"o-{len(calls)}", {"status": "CREATED"}, org="org"))
        if fail:
            raise RuntimeError("the process died after writing the order")
        return StoredResponse(202, f'{{"orderId": "o-{len(calls)}"}}'.encode())
    return execute


def test_the_order_and_its_stored_response_commit_together(tmp_path) -> None:
    store = Store(str(tmp_path / "sandbox.db"))
    idem = Idempotency(store, Clock(store))
    calls: list[int] = []
    with pytest.raises(RuntimeError):
        idem.run_sync("org", PATH, "k1", b"{}", _order_writer(store, calls, fail=True))
    assert store.get("geopera", "order", "o-1") is None  # rolled back with the key
    stored = idem.run_sync("org", PATH, "k1", b"{}", _order_writer(store, calls))
    assert stored.body == b'{"orderId": "o-2"}' and store.get("geopera", "order", "o-2") is not None


def test_a_claim_left_by_a_killed_sandbox_is_taken_over_after_restart(tmp_path, monkeypatch) -> None:
    path = str(tmp_path / "sandbox.db")
    store = Store(path)
    before = Idempotency(store, Clock(store))
    assert before.claim("org", PATH, "k1", b"{}").state == "execute"  # then the process is killed
    store.close()

    store = Store(path)  # the restarted sandbox, on the same file
    after = Idempotency(store, Clock(store))
    calls: list[int] = []
    claims: list[str] = []
    real_claim = after.claim

    def claim(*args: object) -> Claim:
        outcome = real_claim(*args)  # type: ignore[arg-type]
        claims.append(outcome.state)
        return outcome

    monkeypatch.setattr(after, "claim", claim)
    monkeypatch.setattr(idempotency, "_WAIT_SECONDS", 0.0)  # waiting on the dead claim would raise, not hang
    stored = after.run_sync("org", PATH, "k1", b"{}", _order_writer(store, calls))
    assert claims == ["execute"]  # taken over by the first claim: never "in_progress", never waited on
    assert calls == [1] and stored.status == 202
    assert after.run_sync("org", PATH, "k1", b"{}", _order_writer(store, calls)) == stored and calls == [1]


def test_a_database_from_before_claim_owners_still_opens(tmp_path) -> None:
    import sqlite3

    path = str(tmp_path / "old.db")
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE idempotency (org TEXT NOT NULL, path TEXT NOT NULL, key TEXT NOT NULL, "
                 "body_hash TEXT NOT NULL, status INTEGER, response BLOB, media_type TEXT, "
                 "created_at TEXT NOT NULL, PRIMARY KEY (org, path, key))")
    conn.commit()
    conn.close()
    store = Store(path)
    idem = Idempotency(store, Clock(store))
    assert idem.run_sync("org", PATH, "k1", b"{}", _executor([])).status == 202
