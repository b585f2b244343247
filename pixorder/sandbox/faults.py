"""Fault injection as ASGI middleware, configured per provider or for all providers.

A configuration (``POST /_sandbox/faults``) holds:

* ``rate``: probability that a request to the provider's paths is faulted;
* the fault kinds to choose from (uniformly): ``statuses`` (500, 502, 503, 504, 429; 429 carries
  ``Retry-After: retry_after`` seconds), ``latency_spike`` (when ``latency_spike_ms`` > 0),
  ``drop_before`` (the connection drops before the handler runs: nothing happened) and
  ``drop_after`` (the handler runs and commits, then the connection drops: the order exists but its
  response never arrives). With no kind given, the four standard statuses are used;
* ``slow_commit`` (the server reads the whole request, keeps working for ``commit_delay_ms``, then
  commits and answers, long after a client with a shorter timeout gave up) and ``commit_then_stall``
  (the handler commits at once, then the answer is held for ``commit_delay_ms``): the two ways a real
  server acts on a request whose client has already timed out. Both are chosen like the other kinds;
* ``latency_ms``: added to every request of the provider;
* ``methods``: restrict faults to these HTTP methods (e.g. ``["POST"]``);
* ``paths``: restrict faults to paths containing one of these strings (e.g. ``["/orders/"]``, or
  ``["orders.tasking.place"]`` for one Geopera operation);
* ``seed``: re-seeds the shared ``random.Random`` so a run is repeatable.

A provider-specific configuration wins over the one for all providers. Only provider paths are
faulted, never ``/_sandbox/*``, ``/docs`` or ``/openapi.json``. Injected error bodies use the
provider's own error shape. Counters of injected faults by kind are at ``GET /_sandbox/faults``.

Dropping a connection: ASGI cannot close a socket, but uvicorn closes it when the app raises after
the response has started. So a drop sends the response head with a Content-Length, maybe part of
the body, then raises :class:`DroppedConnection`; httpx raises ``httpx.RemoteProtocolError``.
:func:`quiet_dropped_connections` keeps those deliberate drops out of uvicorn's error log.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .paths import provider_for_path
from .web import ApiError

FAULT_STATUSES = (500, 502, 503, 504, 429)
DEFAULT_STATUSES = (500, 502, 503, 429)
ALL = "*"


class DroppedConnection(Exception):
    """Raised on purpose after the response started, so uvicorn closes the connection."""


@dataclass
class FaultConfig:
    rate: float = 0.0
    statuses: list[int] = field(default_factory=list)
    retry_after: float = 1
    latency_ms: float = 0
    latency_spike_ms: float = 0
    drop_before: bool = False
    drop_after: bool = False
    slow_commit: bool = False
    commit_then_stall: bool = False
    commit_delay_ms: float = 1500
    methods: list[str] | None = None
    paths: list[str] | None = None

    def validate(self) -> None:
        if not 0 <= self.rate <= 1:
            raise ValueError("rate must be between 0 and 1")
        unknown = set(self.statuses) - set(FAULT_STATUSES)
        if unknown:
            raise ValueError(f"statuses must be among {list(FAULT_STATUSES)}, not {sorted(unknown)}")
        if min(self.retry_after, self.latency_ms, self.latency_spike_ms, self.commit_delay_ms) < 0:
            raise ValueError("retry_after, latency_ms, latency_spike_ms and commit_delay_ms must be >= 0")

    def kinds(self) -> list[str]:
        kinds: list[str] = [str(status) for status in self.statuses]
        switches = (("drop_before", self.drop_before), ("drop_after", self.drop_after),
                    ("slow_commit", self.slow_commit), ("commit_then_stall", self.commit_then_stall))
        kinds += [name for name, on in switches if on]
        if self.latency_spike_ms > 0:
            kinds.append("latency_spike")
        return kinds or [str(status) for status in DEFAULT_STATUSES]

    @property
    def is_idle(self) -> bool:
        return self.rate == 0 and self.latency_ms == 0


@dataclass
class Decision:
    provider: str
    delay_s: float = 0.0
    kind: str | None = None  # "500", "429", "drop_before", "drop_after", "slow_commit", "latency_spike", …
    config: FaultConfig | None = None


class FaultInjector:
    """Holds configurations, the seeded RNG and the counters; thread-safe."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._configs: dict[str, FaultConfig] = {}
        self._random = random.Random(seed)
        self._counts: Counter[str] = Counter()
        self._by_provider: dict[str, Counter[str]] = {}

    def configure(self, config: FaultConfig, provider: str | None = None, seed: int | None = None) -> None:
        """Set the faults of ``provider`` (None = all). An idle config (rate 0, no latency) clears;
        clearing for all providers clears every configuration."""
        config.validate()
        with self._lock:
            if seed is not None:
                self._random.seed(seed)
            key = provider or ALL
            if config.is_idle:
                if key == ALL:
                    self._configs.clear()
                else:
                    self._configs.pop(key, None)
            else:
                self._configs[key] = config

    def reset(self, seed: int = 0) -> None:
        with self._lock:
            self._configs.clear()
            self._counts.clear()
            self._by_provider.clear()
            self._random.seed(seed)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "config": {key: asdict(config) for key, config in self._configs.items()},
                "counts": dict(self._counts),
                "by_provider": {name: dict(counts) for name, counts in self._by_provider.items()},
            }

    def decide(self, provider: str, method: str, path: str = "") -> Decision:
        with self._lock:
            config = self._configs.get(provider) or self._configs.get(ALL)
            if config is None:
                return Decision(provider)
            decision = Decision(provider, config.latency_ms / 1000, None, config)
            if config.methods and method.upper() not in {m.upper() for m in config.methods}:
                return decision
            if config.paths and not any(part in path for part in config.paths):
                return decision
            if config.rate > 0 and self._random.random() < config.rate:
                decision.kind = self._random.choice(config.kinds())
                self._counts[decision.kind] += 1
                self._by_provider.setdefault(provider, Counter())[decision.kind] += 1
                if decision.kind == "latency_spike":
                    decision.delay_s += config.latency_spike_ms / 1000
            return decision


ErrorFactory = Callable[[str, int, str], ApiError]
"""``error_for(provider, status, message)``: an ApiError in that provider's shape."""


class FaultMiddleware:
    """Pure ASGI middleware: wraps the whole app so it sees every request first."""

    def __init__(self, app: ASGIApp, injector: FaultInjector, error_for: ErrorFactory) -> None:
        self.app = app
        self.injector = injector
        self.error_for = error_for
        #: how delays are waited (a test gives a recording fake instead of real time)
        self.sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        provider = provider_for_path(scope["path"]) if scope["type"] == "http" else None
        if provider is None:
            await self.app(scope, receive, send)
            return
        decision = self.injector.decide(provider, scope["method"], scope["path"])
        if decision.delay_s:
            await self.sleep(decision.delay_s)
        kind = decision.kind
        if kind is None or kind == "latency_spike":
            await self.app(scope, receive, send)
        elif kind == "drop_before":
            # Read the request first: closing a socket with unread bytes in it sends a TCP reset, and
            # the client would see a ReadError some runs and a RemoteProtocolError others.
            await _drain(receive)
            await _drop(send, status=200, body=b'{"detail": "never sent"}')
        elif kind == "drop_after":
            await self._run_then_drop(scope, receive, send)
        elif kind == "slow_commit":
            # The whole request has arrived; the server works on it for a while, then commits and
            # answers into a connection whose client may be long gone.
            body = await _read_body(receive)
            await asyncio.sleep(decision.config.commit_delay_ms / 1000)  # type: ignore[union-attr]
            await self.app(scope, _replay(body), _tolerant(send))
        elif kind == "commit_then_stall":
            captured: list[Message] = []

            async def capture(message: Message) -> None:
                captured.append(message)

            await self.app(scope, receive, capture)  # committed before it returns
            await asyncio.sleep(decision.config.commit_delay_ms / 1000)  # type: ignore[union-attr]
            reply = _tolerant(send)
            for message in captured:
                await reply(message)
        else:
            await self._send_error(scope, receive, send, int(kind), decision)

    async def _send_error(self, scope: Scope, receive: Receive, send: Send, status: int, decision: Decision) -> None:
        message = "Too many requests." if status == 429 else "Sandbox injected fault."
        error = self.error_for(decision.provider, status, message)
        if status == 429 and decision.config is not None:
            error.headers = {**error.headers, "Retry-After": _seconds(decision.config.retry_after)}
        await error.response()(scope, receive, send)

    async def _run_then_drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        captured: list[Message] = []

        async def capture(message: Message) -> None:
            captured.append(message)

        await self.app(scope, receive, capture)  # the handler commits before it returns
        start = next((m for m in captured if m["type"] == "http.response.start"), {"status": 200})
        body = b"".join(m.get("body", b"") for m in captured if m["type"] == "http.response.body")
        # A 204 has no body to cut short, so claim a 200 with a body; the client never sees it.
        status = start["status"] if start["status"] not in (204, 304) else 200
        await _drop(send, status=status, body=body or b'{"detail": "never sent"}')


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    """A ``receive`` that hands the app a request body read earlier, then reports the disconnect."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _tolerant(send: Send) -> Send:
    """``send`` into a connection the client may have closed meanwhile: the answer is simply lost."""

    async def reply(message: Message) -> None:
        try:
            await send(message)
        except (OSError, RuntimeError):
            pass

    return reply


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


async def _drop(send: Send, *, status: int, body: bytes) -> None:
    """Announce ``body`` in full, send less than half of it, then raise so uvicorn drops the socket."""
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body[: len(body) // 3], "more_body": True})
    raise DroppedConnection("sandbox fault: connection dropped on purpose")


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class _IgnoreDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection) and "DroppedConnection" not in record.getMessage()


def quiet_dropped_connections() -> None:
    """Keep deliberate drops out of uvicorn's error log (idempotent)."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _IgnoreDrops) for f in logger.filters):
        logger.addFilter(_IgnoreDrops())
