"""Python's cycle collector, paused around work that builds many objects of which none is in a cycle.

Pricing thousands of AOIs builds hundreds of thousands of small dicts, tuples and models: decoded
answers, payloads, quotes, rows. Every 700 new objects set off a collection of the young ones, and
every so often one that walks everything alive (the AOIs, the quotes so far), again and again as
they grow: on the 10,000-AOI pricing that was a quarter of the client's CPU. None of those objects
is in a cycle, so those passes find nothing. The pause is short, synchronous (no ``await`` inside)
and nested pauses are fine; a collector the user switched off stays off.

Imports nothing of pixorder: the aoi package and the client both use it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The cycle collector off for the ``with`` block, then back as it was.

    Raises:
        Nothing of its own: an exception in the block passes through, the collector restored.

    >>> import gc
    >>> with paused():
    ...     inside = gc.isenabled()
    >>> inside, gc.isenabled()
    (False, True)
    """
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
