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
