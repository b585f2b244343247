"""Fixtures for the Python-side widget tests: one client per provider on the session's sandbox server
(``tests/conftest.py``; a test that needs it empty names ``sandbox``, which resets it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pixorder.providers import table


@pytest.fixture(scope="session")
def clients(sandbox_server: Any) -> Iterator[dict[str, Any]]:
    import pixorder

    made = {p: pixorder.connect("sandbox", api=p, base_url=sandbox_server.url, progress=False, backoff=0.01)
            for p in table.NAMES}
    yield made
    for client in made.values():
        client.close()


@pytest.fixture(scope="session")
def planet(clients: dict[str, Any]) -> Any:
    return clients["planet"]
