"""Idempotency keys for spend operations (Geopera's ``Idempotency-Key``), stored in SQLite.

Rules (Geopera docs, api-notes §3):

* a key is bound to ``(org, path, key)`` and claimed atomically: of two concurrent identical
  requests exactly one executes, the other waits for its stored response;
* an identical retry (same body hash) replays the stored status and response byte-for-byte;
* the same key with a different body is a conflict (the provider answers 409);
* keys are kept 24 sandbox hours (the clock's time, so ``advance(hours=25)`` expires them).

Use from an async handler::

    outcome = await idempotency.run_async(org, request.url.path, key, raw_body, execute)

where ``execute`` is a plain ``() -> StoredResponse`` (the handler); catch
:class:`IdempotencyConflict` and answer 409 in the provider's shape. ``run_sync`` is the same for
threads. A failed execution (exception) releases the claim so the client may retry with the same key.

Crash safety (a sandbox killed mid-request, then restarted on the same SQLite file):

* the handler's writes and the stored response commit in **one** transaction, so after a crash
  either the order exists and its key replays it, or neither happened;
* each claim records the sandbox run that made it (``owner``); a claim still open from an earlier
  run can never complete, so the next request with that key takes it over and executes, instead of
  waiting for it and answering 409.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from .clock import Clock
from .store import Store
from .timeutil import iso

RETENTION = timedelta(hours=24)
_POLL_SECONDS = 0.01
_WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    media_type: str = "application/json"


@dataclass(frozen=True)
class Claim:
    """``state``: "execute" (you own the key: run, then complete), "replay" (``stored`` is set),
    "in_progress" (another request owns it), or "conflict" (same key, different body)."""

    state: str
    stored: StoredResponse | None = None


class IdempotencyConflict(Exception):
    """The key was used with a different body, or its first request is still running too long."""


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class Idempotency:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self.owner = uuid.uuid4().hex  # this sandbox run: claims from other runs are stale

    def claim(self, org: str, path: str, key: str, body: bytes) -> Claim:
        """Atomically claim the key, or report what is stored under it."""
        digest = body_hash(body)
        now = self._clock.now()
        with self._store.transaction():
            rows = self._store.execute(
                "SELECT body_hash, status, response, media_type, created_at, owner FROM idempotency "
                "WHERE org=? AND path=? AND key=?",
                (org, path, key),
            )
            expired = rows and rows[0][4] < iso(now - RETENTION)
            abandoned = rows and rows[0][1] is None and rows[0][5] != self.owner  # claimed by a dead run
            if expired or abandoned:
                self._store.execute("DELETE FROM idempotency WHERE org=? AND path=? AND key=?", (org, path, key))
                rows = []
            if not rows:
                self._store.execute(
                    "INSERT INTO idempotency (org, path, key, body_hash, created_at, owner) VALUES (?,?,?,?,?,?)",
                    (org, path, key, digest, iso(now), self.owner),
                )
                return Claim("execute")
        stored_hash, status, response, media_type, _, _ = rows[0]
        if stored_hash != digest:
            return Claim("conflict")
        if status is None:
            return Claim("in_progress")
        return Claim("replay", StoredResponse(status, bytes(response), media_type))

    def complete(self, org: str, path: str, key: str, response: StoredResponse) -> None:
        self._store.execute(
            "UPDATE idempotency SET status=?, response=?, media_type=? WHERE org=? AND path=? AND key=?",
            (response.status, response.body, response.media_type, org, path, key),
        )

    def release(self, org: str, path: str, key: str) -> None:
        self._store.execute(
            "DELETE FROM idempotency WHERE org=? AND path=? AND key=? AND status IS NULL", (org, path, key)
        )

    async def run_async(
        self, org: str, path: str, key: str, body: bytes, execute: Callable[[], StoredResponse]
    ) -> StoredResponse:
        deadline = time.monotonic() + _WAIT_SECONDS
        while True:
            claim = self.claim(org, path, key, body)
            if claim.state != "in_progress":
                break
            if time.monotonic() > deadline:
                raise IdempotencyConflict("A request with this Idempotency-Key is still in progress.")
            await asyncio.sleep(_POLL_SECONDS)
        return self._settle(claim, org, path, key, execute)

    def run_sync(
        self, org: str, path: str, key: str, body: bytes, execute: Callable[[], StoredResponse]
    ) -> StoredResponse:
        """``run_async`` for callers on a plain thread (one claim loop serves both)."""
        return asyncio.run(self.run_async(org, path, key, body, execute))

    def _settle(
        self, claim: Claim, org: str, path: str, key: str, execute: Callable[[], StoredResponse]
    ) -> StoredResponse:
        if claim.state == "conflict":
            raise IdempotencyConflict("This Idempotency-Key was already used with a different request body.")
        if claim.state == "replay":
            assert claim.stored is not None
            return claim.stored
        try:
            # One transaction: the handler's writes and the stored response land together or not at all.
            with self._store.transaction():
                response = execute()
                self.complete(org, path, key, response)
        except BaseException:
            self.release(org, path, key)
            raise
        return response
