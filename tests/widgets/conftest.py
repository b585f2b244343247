"""Fixtures for the Python-side widget tests: a private sandbox and one client per provider."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Any]:
    """A sandbox of our own (its own store), so other suites' orders do not show in the browser."""
    from pixorder import sandbox as sandbox_mod

    handle = sandbox_mod.start()
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def clients(sandbox: Any) -> Iterator[dict[str, Any]]:
    import pixorder

    made = {p: pixorder.connect("sandbox", api=p, base_url=sandbox.url, progress=False, backoff=0.01)
            for p in ("pixxel", "planet", "geopera")}
    yield made
    for client in made.values():
        client.close()


@pytest.fixture(scope="session")
def planet(clients: dict[str, Any]) -> Any:
    return clients["planet"]
