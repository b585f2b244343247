"""Helpers shared by the sandbox tests."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from pixorder import sandbox as sandbox_pkg

PLANET_DATA = Path(__file__).resolve().parents[1] / "data" / "planet"


def planet_example(name: str) -> Any:
    return json.loads((PLANET_DATA / name).read_text())


def future(sandbox: sandbox_pkg.Sandbox, days: float) -> str:
    """An ISO timestamp ``days`` after sandbox now."""
    return (sandbox.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def create_order(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"name": "test order", "geometry": {"type": "Point", "coordinates": [10.0, 45.0]}, **fields}
    response = client.post("/orders/", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def poll_windows(sandbox: sandbox_pkg.Sandbox, client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    """Run an imaging-window search to its end (DONE or FAILED), polling its relative Location."""
    created = client.post("/imaging-windows/search/", json=body)
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    for _ in range(10):
        search = client.get(sandbox.url + location).json()
        if search["status"] in ("DONE", "FAILED"):
            return search
    raise AssertionError(f"search {location} never finished: {search}")


def assured_window(sandbox: sandbox_pkg.Sandbox, client: httpx.Client, coordinates: list[float]) -> dict[str, Any]:
    """The first imaging window over a point in the coming days."""
    body = {"geometry": {"type": "Point", "coordinates": coordinates}, "product": "Assured Tasking",
            "start_time": future(sandbox, 0.01), "end_time": future(sandbox, 6)}
    search = poll_windows(sandbox, client, body)
    assert search["status"] == "DONE", search
    return search["imaging_windows"][0]


class SqlTrace:
    """Every SQL statement the in-process sandbox's store runs while the block is open.

    How much work a request costs is a fact about the statements it runs (how many, and whether
    SQLite answers them from an index or sorts every row), not about how long it took on a shared
    machine: tests assert on those facts, and ``benchmarks/`` measures the time.
    """

    def __init__(self, sandbox: sandbox_pkg.Sandbox) -> None:
        assert sandbox._server is not None, "needs a sandbox started in this process"
        self._store = sandbox._server.state.store
        self.statements: list[str] = []

    def __enter__(self) -> SqlTrace:
        self._store._conn.set_trace_callback(self.statements.append)
        return self

    def __exit__(self, *exc: object) -> None:
        self._store._conn.set_trace_callback(None)

    def count(self, prefix: str) -> int:
        """How many statements began with ``prefix`` (e.g. ``"BEGIN"``: transactions)."""
        return sum(s.startswith(prefix) for s in self.statements)

    def selects(self, table: str = "docs") -> list[str]:
        return [s for s in self.statements if s.startswith("SELECT") and f"FROM {table} " in s]

    def plan(self, sql: str) -> list[str]:
        """SQLite's query plan of ``sql`` (as traced, parameters written in): one line per step."""
        with self._store._lock:
            return [row[3] for row in self._store._conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()]


def walks_an_index(plan: list[str]) -> bool:
    """True when every step of ``plan`` reads through an index and no step sorts all the rows found.

    SQLite says ``SCAN docs`` for a read of the whole table and ``USE TEMP B-TREE FOR ORDER BY`` for
    a sort of every matching row; ``… FOR RIGHT PART OF ORDER BY`` only orders ties of an index's order.
    """
    return bool(plan) and not any(step.startswith(("SCAN docs", "USE TEMP B-TREE FOR ORDER BY"))
                                  and "INDEX" not in step for step in plan)
