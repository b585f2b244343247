"""pixorder's client reference: made, carried in an order's name or tags, and read back, in one place.

Every order pixorder places carries a reference (``pxo-`` and 16 hex digits), so an order whose
answer was lost can be found again (``orders.reconcile``). Planet and Pixxel carry it at the end of
the order's name, in brackets; Geopera in its tags (the provider table's ``reference_carrier``). The
parts of a multi-part AOI placed as several orders get ``<reference>-p1``, ``-p2``, …

>>> ref = new()
>>> ref.startswith(PREFIX) and len(ref) == LENGTH
True
>>> from_name(in_name("Field 7", ref, "order")) == ref
True
>>> part("pxo-0123456789abcdef", 2)
'pxo-0123456789abcdef-p2'
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

__all__ = ["DEFAULT_NAME", "LENGTH", "PREFIX", "batch", "carried_in", "from_name", "from_tags", "idempotency_key", "in_name",
           "new", "part", "shorten"]

#: every reference starts with this
PREFIX = "pxo-"
#: characters in a reference from :func:`new` (the prefix and 16 hex digits)
LENGTH = len(PREFIX) + 16
#: the name of an order placed without one
DEFAULT_NAME = "pixorder order"


def new() -> str:
    """A fresh reference: ``pxo-`` and 16 random hex digits.

    Returns:
        str: :data:`LENGTH` (20) characters.

    >>> len(new()) == LENGTH
    True
    """
    return PREFIX + uuid.uuid4().hex[:16]


def batch(n: int) -> tuple[str, list[str]]:
    """``n`` references sharing one random prefix, so one listing filtered by the prefix finds the
    whole batch; each is as long and as unique as :func:`new`'s.

    Args:
        n: how many references (≥ 0).

    Returns:
        tuple: the shared prefix and the ``n`` references.

    >>> prefix, refs = batch(3)
    >>> len(refs) == 3 and len(refs[0]) == LENGTH and all(r.startswith(prefix) for r in refs)
    True
    """
    prefix = PREFIX + uuid.uuid4().hex[:9]
    return prefix, [f"{prefix}{i:07x}" for i in range(n)]


def part(reference: str, k: int) -> str:
    """The reference of part ``k`` (from 1) of a multi-part AOI placed as several orders.

    Args:
        reference: the whole request's reference.
        k: the part's number, from 1.

    Returns:
        str: ``"<reference>-p<k>"``.

    >>> part("pxo-0123456789abcdef", 1)
    'pxo-0123456789abcdef-p1'
    """
    return f"{reference}-p{k}"


def shorten(text: str, limit: int | None) -> str:
    """``text`` within ``limit`` characters, visibly shortened with a final "…" when it was longer.

    Args:
        text: a name.
        limit: the most characters allowed (None: no limit).

    Returns:
        str: ``text`` itself when it fits, else its start (trailing spaces dropped) and "…".

    >>> shorten("Field seven", 6)
    'Field…'
    """
    if limit is None or len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + "…"


def in_name(name: str | None, reference: str, fallback: str = DEFAULT_NAME, limit: int | None = None) -> str:
    """An order name that carries ``reference``, so a lost response can be reconciled.

    Args:
        name: the user's name for the order (None: ``fallback``).
        reference: the client reference.
        fallback: the name used when ``name`` is empty.
        limit: the API's longest name, characters; a name too long to carry the reference is
            shortened visibly, ending in "…", so the whole name fits and the server never refuses it.

    Returns:
        str: ``"<name> [<reference>]"``.

    >>> in_name("Field 7", "pxo-0123456789abcdef", "order")
    'Field 7 [pxo-0123456789abcdef]'
    >>> len(in_name("x" * 250, "pxo-0123456789abcdef", "order", limit=100))
    100
    """
    suffix = f" [{reference}]"
    return shorten(name or fallback, None if limit is None else limit - len(suffix)) + suffix


def from_name(name: str | None) -> str | None:
    """The reference an order's name carries (see :func:`in_name`), or None.

    Args:
        name: an order's (or Pixxel item's) name, or None.

    Returns:
        str | None: what stands in the last ``[pxo-…]`` at the end of the name (a part's ``-p<k>`` kept).

    >>> from_name("Field 7 [pxo-0123456789abcdef-p2]"), from_name("Field 7")
    ('pxo-0123456789abcdef-p2', None)
    """
    if name and name.endswith("]"):
        at = name.rfind("[" + PREFIX)
        if at >= 0:
            return name[at + 1 : -1]
    return None


def from_tags(tags: Iterable[str]) -> str | None:
    """The reference among an order's tags (Geopera), or None.

    Args:
        tags: the order's tags.

    Returns:
        str | None: the first tag starting with ``pxo-``.

    >>> from_tags(["field-7", "pxo-0123456789abcdef"])
    'pxo-0123456789abcdef'
    """
    return next((t for t in tags if t.startswith(PREFIX)), None)


def carried_in(name: str | None, reference: str) -> bool:
    """True when ``name`` already carries ``reference``.

    Args:
        name: an order's name, or None.
        reference: the client reference.

    Returns:
        bool: ``"[<reference>]"`` is in the name.

    >>> carried_in("Field 7 [pxo-0123456789abcdef]", "pxo-0123456789abcdef")
    True
    """
    return bool(name) and f"[{reference}]" in str(name)


def idempotency_key(*names: str) -> str:
    """The ``Idempotency-Key`` derived from what a spending call is about (a placement's reference, or
    ``"cancel", order_id``, …): every resend of one logical call reuses the same key.

    Args:
        *names: what the call is about; the same names always give the same key.

    Returns:
        str: a UUID (version 5), sent as Geopera's ``Idempotency-Key``.

    >>> idempotency_key("pxo-0123456789abcdef") == idempotency_key("pxo-0123456789abcdef")
    True
    >>> idempotency_key("cancel", "o-1") != idempotency_key("cancel", "o-2")
    True
    """
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "pixorder:" + ":".join(names)))
