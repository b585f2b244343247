"""Which clients a widget talks to: one per provider, the embedded sandbox unless told otherwise."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pixorder.providers.table import NAMES as PROVIDERS

__all__ = ["PROVIDERS", "resolve_clients"]


def resolve_clients(clients: Any = None, providers: Sequence[str] = PROVIDERS) -> dict[str, Any]:
    """``{provider: client}`` from a Client, a list of clients, a dict, or None (sandbox clients).

    Widgets never pick a live API on their own (they can spend money): a live client is used only
    when the user passes one, e.g. ``OrderForm(pixorder.connect("planet"))``.

    >>> sorted(resolve_clients(None, providers=("planet",)))   # doctest: +SKIP
    ['planet']
    """
    if clients is None:
        import pixorder
        from pixorder.client.core import connection_for

        return {p: pixorder.connect(**connection_for(p, live=False), progress=False) for p in providers}
    if isinstance(clients, Mapping):
        return {str(k): v for k, v in clients.items()}
    if isinstance(clients, (list, tuple)):
        return {c.provider: c for c in clients}
    return {clients.provider: clients}
