"""Fixtures: the session's sandbox server (``tests/conftest.py``), reset before every test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pixorder import sandbox as sandbox_pkg


@pytest.fixture()
def planet(sandbox: sandbox_pkg.Sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"api-key {sandbox.keys['planet']}"}
    with httpx.Client(base_url=sandbox.url + "/tasking/v2", headers=headers, timeout=30) as client:
        yield client

