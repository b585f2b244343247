"""The sandbox fixture family, one for every suite.

* ``sandbox_server``: one real sandbox server on loopback for the whole session (seed 0).
* ``sandbox``: that server, reset before the test: no documents, real time, no faults. Every test
  that names it starts clean, so no test sees another's orders or faults, in whatever order they run.

Suites build on these (``tests/client/conftest.py``'s ``connect``, ``tests/widgets/conftest.py``'s
``clients``) rather than starting servers of their own; a test that needs a server of its own (a
crash, a subprocess) says so where it starts one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pixorder import sandbox as sandbox_pkg


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[sandbox_pkg.Sandbox]:
    with sandbox_pkg.start(seed=0) as sb:
        yield sb


@pytest.fixture
def sandbox(sandbox_server: sandbox_pkg.Sandbox) -> sandbox_pkg.Sandbox:
    sandbox_server.reset()
    return sandbox_server
