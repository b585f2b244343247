"""Fixtures: one real sandbox server on loopback for the whole session, reset before every test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pixorder import sandbox as sandbox_pkg


@pytest.fixture(scope="session")
def sandbox() -> Iterator[sandbox_pkg.Sandbox]:
    with sandbox_pkg.start(seed=0) as sb:
        yield sb


@pytest.fixture(autouse=True)
def _fresh(request: pytest.FixtureRequest) -> None:
    """Every test that uses the server starts from an empty sandbox at real time, without faults."""
    if "sandbox" in request.fixturenames:
        request.getfixturevalue("sandbox").reset()


@pytest.fixture()
def planet(sandbox: sandbox_pkg.Sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"api-key {sandbox.keys['planet']}"}
    with httpx.Client(base_url=sandbox.url + "/tasking/v2", headers=headers, timeout=30) as client:
        yield client

