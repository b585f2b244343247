"""Serve the sandbox with uvicorn on loopback, and a handle that drives it over HTTP.

:class:`Sandbox` only talks to ``/_sandbox/*`` over HTTP (stdlib urllib), so the same class drives
a sandbox in this process (:func:`start`) or in another one (:meth:`Sandbox.attach`).
"""

from __future__ import annotations

import atexit
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import uvicorn

from .app import create_app
from .faults import quiet_dropped_connections
from .keys import SANDBOX_KEYS, redact
from .state import SandboxState
from .timeutil import parse_iso

_STARTUP_TIMEOUT_S = 15.0


class Sandbox:
    """Handle on a running sandbox: ``url``, ``keys`` and the admin controls."""

    def __init__(self, url: str, keys: dict[str, str] | None = None, *, _server: _ServerThread | None = None):
        self.url = url.rstrip("/")
        self.keys = dict(keys or SANDBOX_KEYS)
        self._server = _server

    @classmethod
    def attach(cls, url: str) -> Sandbox:
        """A handle on a sandbox already running elsewhere (e.g. ``python -m pixorder.sandbox serve``)."""
        sandbox = cls(url)
        sandbox.keys = sandbox._call("GET", "/_sandbox/keys")
        return sandbox

    # -- admin controls -----------------------------------------------------------------------

    def now(self) -> datetime:
        return parse_iso(self._call("GET", "/_sandbox/clock")["now"])

    def advance(self, days: float = 0, hours: float = 0) -> datetime:
        """Move sandbox time forward; due life-cycle transitions are applied before this returns."""
        return parse_iso(self._call("POST", "/_sandbox/advance", {"days": days, "hours": hours})["now"])

    def faults(
        self,
        rate: float = 0.0,
        statuses: Iterable[int] = (),
        *,
        latency_ms: float = 0,
        latency_spike_ms: float = 0,
        drop_before: bool = False,
        drop_after: bool = False,
        slow_commit: bool = False,
        commit_then_stall: bool = False,
        commit_delay_ms: float = 1500,
        retry_after: float = 1,
        methods: Iterable[str] | None = None,
        paths: Iterable[str] | None = None,
        provider: str | None = None,
        seed: int | None = None,
    ) -> dict[str, Any]:
        """Configure fault injection for ``provider`` (None = all); ``faults(rate=0)`` clears them all.

        ``slow_commit``: the request is read whole, committed ``commit_delay_ms`` later, then answered;
        ``commit_then_stall``: committed at once, answered ``commit_delay_ms`` later. Set the delay
        above the client's timeout to play a server that acts after its client gave up.
        """
        body = {
            "rate": rate,
            "statuses": list(statuses),
            "latency_ms": latency_ms,
            "latency_spike_ms": latency_spike_ms,
            "drop_before": drop_before,
            "drop_after": drop_after,
            "slow_commit": slow_commit,
            "commit_then_stall": commit_then_stall,
            "commit_delay_ms": commit_delay_ms,
            "retry_after": retry_after,
            "methods": list(methods) if methods is not None else None,
            "paths": list(paths) if paths is not None else None,
            "provider": provider,
            "seed": seed,
        }
        return self._call("POST", "/_sandbox/faults", body)

    def fault_counts(self) -> dict[str, int]:
        return self._call("GET", "/_sandbox/faults")["counts"]

    def received(self, provider: str | None = None) -> list[dict[str, Any]]:
        """Recent provider requests (method, path, query, JSON body) as the server received them, newest last."""
        query = f"?provider={provider}" if provider else ""
        return self._call("GET", "/_sandbox/received" + query)

    def rate_limits(self, provider: str, enabled: bool = True, **limits: int) -> dict[str, Any]:
        """Switch a provider's documented rate limits on (or off); they are relaxed by default.

        ``provider`` is ``"planet"`` (``per_second``, ``per_minute``) or ``"geopera"``
        (``placement_per_minute``, ``spend_per_minute``, ``default_per_minute``); the keyword
        arguments lower a limit for a test. ``reset()`` relaxes them again.
        """
        return self._call("POST", f"/_sandbox/{provider}/rate-limits", {"enabled": enabled, **limits})

    def reset(self) -> None:
        self._call("POST", "/_sandbox/reset")

    def seed(self, provider: str, count: int, **params: Any) -> dict[str, Any]:
        return self._call("POST", "/_sandbox/seed", {"provider": provider, "count": count, **params})

    def health(self) -> dict[str, Any]:
        return self._call("GET", "/_sandbox/health")

    # -- life -----------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the server if this handle started it (attached handles leave it running)."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        keys = ", ".join(f"{name}={redact(key)}" for name, key in self.keys.items())
        return f"<Sandbox {self.url} keys({keys})>"

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"sandbox {method} {path} failed: HTTP {exc.code} {exc.read()[:500]!r}") from None


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket whose connections get TCP_NODELAY.

    proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only for sockets
    that say they are TCP, and uvicorn's own binding does not; without it every keep-alive request
    waited ~40 ms on Nagle and the client's delayed ACK.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


class _ServerThread:
    """uvicorn in a daemon thread on a socket bound before start, so the port is known up front."""

    def __init__(self, state: SandboxState, port: int) -> None:
        self.state = state
        self.socket = bind_socket("127.0.0.1", port)
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(create_app(state), log_level="warning", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, name=f"pixorder-sandbox-{self.port}", daemon=True)

    def _run(self) -> None:
        self.server.run(sockets=[self.socket])

    def start(self) -> None:
        quiet_dropped_connections()
        self.thread.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT_S
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        socket.create_connection(("127.0.0.1", self.port), timeout=5).close()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()
        self.state.store.close()


def start(db: str | None = None, port: int = 0, seed: int = 0) -> Sandbox:
    """Serve a sandbox on 127.0.0.1 (``port=0``: an ephemeral port) in a background thread.

    ``db``: SQLite file to keep state in (default: memory). ``seed``: fault-injection RNG seed.
    """
    server = _ServerThread(SandboxState.create(db, seed), port)
    server.start()
    return Sandbox(f"http://127.0.0.1:{server.port}", _server=server)


_shared: Sandbox | None = None
_shared_lock = threading.Lock()


def shared() -> Sandbox:
    """The process-wide sandbox, started on first use and stopped at interpreter exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = start()
            atexit.register(_shared.stop)
        return _shared
