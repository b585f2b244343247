"""What the sandbox received: recent provider requests and their bodies, as they arrived.

Tests read it (``GET /_sandbox/received``, ``Sandbox.received()``) to check what a client really sent
(every payload complete, nothing sent twice) rather than what the client believes it sent. The log is
bounded (the newest ``size`` requests) and sits outside the fault injector, so a request that a fault
then fails or drops is still recorded: it reached the server.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .paths import provider_for_path

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ReceivedLog:
    """A bounded, thread-safe list of ``{provider, method, path, query, body}`` (body as JSON when it is,
    None for a request without one). Bodies are kept as they arrived and read on the first snapshot
    that shows them: most are never asked for, and reading each one cost as much as the request's own."""

    def __init__(self, size: int = 5000) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, provider: str, method: str, path: str, query: str) -> dict[str, Any]:
        """Record a request as it starts; its body is filled in by :meth:`body` once it has arrived."""
        entry = {"provider": provider, "method": method, "path": path, "query": query, "body": None}
        with self._lock:
            self._entries.append(entry)
        return entry

    def body(self, entry: dict[str, Any], body: bytes) -> None:
        with self._lock:
            entry[_RAW] = body

    def snapshot(self, provider: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            entries = [e for e in self._entries if provider is None or e["provider"] == provider]
            for entry in entries:
                if _RAW in entry:
                    entry["body"] = _parse(entry.pop(_RAW))
            return [dict(e) for e in entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_RAW = "_raw"


def _parse(body: bytes) -> Any:
    try:
        return orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return body[:2000].decode("utf-8", "replace")


class RecordReceived:
    """ASGI middleware: records each provider request as it starts, and its body once it has arrived."""

    def __init__(self, app: ASGIApp, log: ReceivedLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        provider = provider_for_path(scope["path"]) if scope["type"] == "http" else None
        if scope["type"] == "http":
            # When the request arrived, before any other middleware or the route: rate limits count it
            # at arrival, as a provider's gateway does (``request.state.arrived``, monotonic seconds).
            scope.setdefault("state", {})["arrived"] = time.monotonic()
        if provider is None:
            await self.app(scope, receive, send)
            return
        entry = self.log.add(provider, scope["method"], scope["path"],
                             scope.get("query_string", b"").decode("latin-1"))
        if scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        done = False

        async def recording() -> Message:
            nonlocal done
            message = await receive()
            if message["type"] == "http.request" and not done:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    done = True
                    self.log.body(entry, b"".join(chunks))
            return message

        await self.app(scope, recording, send)
