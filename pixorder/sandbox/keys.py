"""Well-known sandbox API keys, one per provider, and what each key (and its variants) may do.

The sandbox accepts exactly these keys (in each provider's own header form) plus variants:

* *org variants* ``<key>.<org>`` (e.g. ``sandbox-planet-key.acme``) authenticate as organisation
  ``acme``: tests exercise multi-tenant isolation (another organisation's order is a 404) without any
  account set-up. The plain key belongs to organisation :data:`DEFAULT_ORG`.
* *restricted variants* ``<key>-without-<grant>`` (and ``<key>-without-<grant>.<org>``), for the
  providers whose keys carry grants: a key that lacks one grant, for tests and demos of refused calls.

  - Geopera keys carry OAuth-style scopes (the spec's ``x-required-scope``). The plain key has every
    scope; ``gpra_sandbox_key-without-orders:write`` lacks ``orders:write`` and gets a 403 that names it.
  - Planet keys carry a contract of products (``GET /tasking/v2/products/``). The plain key has every
    product; ``sandbox-planet-key-without-assured_tasking`` lacks "Assured Tasking" (the grant is the
    product name in lower case with spaces as ``_``) and gets a 403 when it orders or prices it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SANDBOX_KEYS: dict[str, str] = {
    "pixxel": "sandbox-pixxel-key",
    "planet": "sandbox-planet-key",
    "geopera": "gpra_sandbox_key",
}
DEFAULT_ORG = "sandbox-org"
RESTRICTABLE = frozenset({"planet", "geopera"})  # providers whose keys carry grants
_ORG_SUFFIX = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_WITHOUT = re.compile(r"^-without-([A-Za-z0-9_:]{1,64})(?:\.(.*))?$")


@dataclass(frozen=True)
class KeyGrant:
    """Who a valid key authenticates (``org``) and the one grant it lacks, if any."""

    org: str
    lacks: frozenset[str] = frozenset()

    def has(self, grant: str) -> bool:
        return grant not in self.lacks


def key_grant(provider: str, key: str | None) -> KeyGrant | None:
    """The organisation and missing grants of ``key`` for ``provider``, or None when it is not valid."""
    expected = SANDBOX_KEYS.get(provider)
    if not key or expected is None or not key.startswith(expected):
        return None
    rest = key[len(expected):]
    lacks: frozenset[str] = frozenset()
    if provider in RESTRICTABLE:
        without = _WITHOUT.match(rest)
        if without:
            lacks = frozenset({without.group(1)})
            rest = "" if without.group(2) is None else "." + without.group(2)
    if rest == "":
        return KeyGrant(DEFAULT_ORG, lacks)
    if rest.startswith(".") and _ORG_SUFFIX.match(rest[1:]):
        return KeyGrant(rest[1:], lacks)
    return None


def org_for_key(provider: str, key: str | None) -> str | None:
    """The organisation authenticated by ``key`` for ``provider``, or None when the key is not valid."""
    grant = key_grant(provider, key)
    return grant.org if grant else None


def redact(key: str) -> str:
    """A key shortened for display: never print a full key, even a public sandbox one."""
    return key[:6] + "…" if len(key) > 6 else "…"
