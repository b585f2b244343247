"""What a user's type checker sees: pixorder's public names are typed, not ``Any``.

mypy runs on a small snippet that uses pixorder as a user would; its ``reveal_type`` lines must name
pixorder's own types. Before the lazy ``_EXPORTS`` had ``TYPE_CHECKING`` imports, a ``py.typed`` and
real sync facades, every one of these revealed ``Any``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SNIPPET = '''
import pixorder

client = pixorder.connect("sandbox", api="planet")
reveal_type(client)
reveal_type(client.orders.create)
reveal_type(client.pricing.estimate(pixorder.TaskingRequest(aoi=None, start="2030-01-01", end="2030-01-02")))
reveal_type(client.orders.list())
reveal_type(pixorder.AOI)
reveal_type(pixorder.TaskingRequest(aoi=None, start="2030-01-01", end="2030-01-02").start)
reveal_type(pixorder.AsyncClient("sandbox").orders.create)
'''


@pytest.mark.slow
def test_public_names_are_typed_for_a_user(tmp_path):
    script = tmp_path / "user_code.py"
    script.write_text(SNIPPET)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--follow-imports=silent",
         "--config-file", str(ROOT / "pyproject.toml"), str(script)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    revealed = [line.split("Revealed type is ", 1)[1].strip('"') for line in result.stdout.splitlines()
                if "Revealed type is" in line]
    assert len(revealed) == 7, result.stdout + result.stderr
    client, create, quote, listing, aoi, start, async_create = revealed
    assert client == "pixorder.client.sync.Client"
    assert "pixorder.models.Order" in create and "request: pixorder.models.TaskingRequest" in create
    assert quote == "pixorder.models.Quote"
    assert listing == "pixorder.client.sync.SyncListing[pixorder.models.Order]"
    assert aoi.startswith("def (source: Any") and "pixorder.aoi.core.AOI" in aoi
    assert start == "datetime.datetime"  # required: not Optional
    assert "Coroutine" in async_create and "pixorder.models.Order" in async_create
    assert not [r for r in revealed if r == "Any"]
