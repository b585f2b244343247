"""The rate-limited provider's turn in a comparison: what waits while its calls are out.

A rate-limited provider's pricing takes the time its limits allow plus, for each window, the time its
answers take to come back and be read: ``RateLimiter`` counts a request until its answer is in, so
that a server which counts at arrival never sees the next window's requests early. Anything else the
client does while those answers come in (another provider's 300 kB answers, framing a thousand rows)
delays their reading, and so every following window. ``price_plans`` (compare) therefore gives the
provider whose limits hold it longest a ``Turn``: while it has requests out, or its limits are about to
let waiting ones go, work that can wait does:

- the framing of a finished slice of rows, on every provider (``Turn.quiet``);
- the calls of another provider while it is *ahead*: while the share of its calls it has sent is
  larger than the share of the limited provider's least time gone by, less a lag (``Turn.LAG`` of
  that time, at most ``Turn.MAX_LAG`` seconds). Ahead, it also keeps at most ``others_out`` requests
  pending (let through, answer not yet read): their answers are what the client would be reading in
  the limited provider's moments. A provider that is behind never waits, so one slower than the
  limits (a slow link) ends about that lag later, at most, than it would have on its own.

The others' calls find their turn through ``TURN``, a context variable ``price_plans`` sets in their
tasks: a client used elsewhere at the same time is not held back.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from typing import Any, Protocol


class _Transport(Protocol):
    """What a turn reads of a transport (``pixorder.client.transport.Transport``, which imports this
    module for ``TURN``)."""

    out: int
    pending: int
    stats: Any

    def changed(self) -> asyncio.Event: ...
    def next_release(self) -> float | None: ...
    def least_seconds(self, calls: int, bucket: str = "default") -> float: ...


class Turn:
    """The rate-limited provider's turn: other work waits for its quiet moments (see the module).

    Args:
        transport: the rate-limited provider's transport.
        calls: how many calls it makes (its least time is what its limits allow for them).
        guard: seconds before its limits let waiting requests go in which no waiting work starts.
        others_out: requests another provider keeps pending at most while it is ahead.

    >>> import asyncio, pixorder
    >>> planet, pixxel = (pixorder.AsyncClient(p, api_key="k") for p in ("planet", "pixxel"))
    >>> turn = Turn(planet.transport, calls=100)      # 100 calls: 2.01 s at 40/s
    >>> turn.lag                                      # another provider may lag 0.5 s and still wait
    0.5
    >>> turn.expect(pixxel.transport, calls=200)
    >>> turn.ahead(pixxel.transport)                  # nothing sent, but within the lag
    True
    >>> asyncio.run(turn.quiet())                     # nothing out, nothing waiting: no wait
    >>> asyncio.run(turn.wait_for(pixxel.transport))  # nor for another provider's call
    """

    #: how far behind the limited provider's time another provider may be and still wait: a share of
    #: that time, and at most so many seconds
    LAG, MAX_LAG = 0.25, 0.5

    def __init__(self, transport: _Transport, calls: int, guard: float = 0.05, others_out: int = 6):
        self.transport, self.guard, self.others_out = transport, guard, others_out
        self._started = time.monotonic()
        #: the limited provider's least time for its calls, seconds
        self.seconds = max(transport.least_seconds(calls), 1e-3)
        #: how far behind that time (seconds) another provider may be and still wait
        self.lag = min(self.LAG * self.seconds, self.MAX_LAG)
        self._expected: dict[int, tuple[int, int]] = {}  # id(transport) → (requests before, calls to make)

    def expect(self, transport: _Transport, calls: int) -> None:
        """Another provider's ``transport`` makes ``calls`` calls from now on (its share sent counts from
        here); a transport never expected is never held back."""
        self._expected[id(transport)] = (transport.stats.requests, max(calls, 1))

    def _behind_at(self, transport: _Transport) -> float:
        """When (monotonic seconds) ``transport`` stops being ahead if it sends nothing more."""
        before, calls = self._expected[id(transport)]
        share = min(1.0, (transport.stats.requests - before) / calls)
        return self._started + share * self.seconds + self.lag

    def ahead(self, transport: _Transport) -> bool:
        """Whether ``transport`` (expected) has sent a larger share of its calls than the share of the
        limited provider's least time gone by, less the lag."""
        return id(transport) in self._expected and time.monotonic() < self._behind_at(transport)

    async def _wait_busy(self, until: float | None = None) -> bool:
        """Wait once if the limited provider is busy (requests out, or waiting ones let go within
        ``guard``), at most until ``until``; False when it is quiet."""
        if self.transport.out:
            await _wait(self.transport.changed(), until)
            return True
        release = self.transport.next_release()
        if release is not None and (left := release - time.monotonic()) < self.guard:
            await asyncio.sleep(max(left, 0.0) + 0.002)  # its requests are out once it wakes
            return True
        return False

    async def quiet(self) -> None:
        """Return once the limited provider has nothing out and lets nothing go within ``guard``."""
        while await self._wait_busy():
            pass

    async def wait_for(self, transport: _Transport) -> None:
        """Before a call of another provider: while it is ahead, wait while the limited provider is
        busy, and while it has ``others_out`` requests pending (``Transport.pending``)."""
        while self.ahead(transport):
            until = self._behind_at(transport)
            if await self._wait_busy(until):
                continue
            if transport.pending < self.others_out:
                return
            await _wait(transport.changed(), until)


async def _wait(event: asyncio.Event, until: float | None) -> None:
    """Wait for ``event``, at most until ``until`` (monotonic seconds; None: no limit)."""
    try:
        await asyncio.wait_for(event.wait(), None if until is None else max(until - time.monotonic(), 0.0))
    except asyncio.TimeoutError:
        pass


#: the ``Turn`` the current task's calls defer to (``price_plans`` sets it in the others' tasks)
TURN: contextvars.ContextVar[Turn | None] = contextvars.ContextVar("pixorder_turn", default=None)
