"""Live or sandbox for a provider named alone: one rule (``client.core.connection_for``) that compare, the
desk and the widgets all follow."""

from __future__ import annotations

import asyncio

import pytest

import pixorder
from pixorder.client.compare import clients_for
from pixorder.client.core import connection_for
from pixorder.widgets.clients import resolve_clients
from pixorder.widgets.desk import desk_clients


@pytest.fixture()
def planet_key_only(monkeypatch):
    for name in ("PIXXEL_API_KEY", "PL_API_KEY", "GEOPERA_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PL_API_KEY", "pl-test-key")


def test_the_live_api_when_its_key_is_set_else_the_sandbox(planet_key_only):
    assert connection_for("planet") == {"provider": "planet"}
    assert connection_for("pixxel") == {"provider": "sandbox", "api": "pixxel"}
    assert connection_for("planet", live=False) == {"provider": "sandbox", "api": "planet"}
    with pytest.raises(pixorder.ValidationError):
        connection_for("nasa")


def test_compare_the_desk_and_the_widgets_follow_that_rule(planet_key_only):
    async def sources() -> dict[str, bool]:
        async with clients_for("planet,pixxel") as clients:
            return {c.provider: c.is_sandbox for c in clients}

    assert asyncio.run(sources()) == {"planet": False, "pixxel": True}  # compare: pricing is never a spend
    desk = desk_clients(["planet", "pixxel"])
    widgets = resolve_clients(None, providers=("planet",))
    try:
        assert {p: c.is_sandbox for p, c in desk.items()} == {"planet": False, "pixxel": True}
        assert widgets["planet"].is_sandbox  # a widget that can order never picks the live API itself
    finally:
        for client in (*desk.values(), *widgets.values()):
            client.close()
