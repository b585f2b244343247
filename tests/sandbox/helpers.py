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
