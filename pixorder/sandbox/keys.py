"""Well-known sandbox API keys, one per provider, and the organisation each key stands for.

The sandbox accepts exactly these keys (in each provider's own header form) plus *org variants*:
``<key>.<org>`` (e.g. ``sandbox-planet-key.acme``) authenticates as organisation ``acme``. The
variants let tests exercise multi-tenant isolation (another organisation's order is a 404) without
any account set-up. The plain key belongs to organisation :data:`DEFAULT_ORG`.
"""

from __future__ import annotations

import re

SANDBOX_KEYS: dict[str, str] = {
    "pixxel": "sandbox-pixxel-key",
    "planet": "sandbox-planet-key",
    "geopera": "gpra_sandbox_key",
}
DEFAULT_ORG = "sandbox-org"
_ORG_SUFFIX = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def org_for_key(provider: str, key: str | None) -> str | None:
    """The organisation authenticated by ``key`` for ``provider``, or None when the key is not valid."""
    expected = SANDBOX_KEYS.get(provider)
    if not key or expected is None:
        return None
    if key == expected:
        return DEFAULT_ORG
    prefix = expected + "."
    if key.startswith(prefix) and _ORG_SUFFIX.match(key[len(prefix):]):
        return key[len(prefix):]
    return None


def redact(key: str) -> str:
    """A key shortened for display: never print a full key, even a public sandbox one."""
    return key[:6] + "…" if len(key) > 6 else "…"
