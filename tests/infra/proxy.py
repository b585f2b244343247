"""A small reverse proxy placed in front of the sandbox, behaving like real infrastructure.

Not the sandbox's own code: a separate Starlette app on its own port that forwards every request to
the sandbox with httpx, and on the way can

* ``cap_limit``: lower the ``limit`` query parameter (a server that caps page sizes);
* ``before(request_number, request)``: run an async hook before forwarding a request (rows created
  between two pages, exactly at the request a test chooses);
* ``latency_s``: add latency to each request;
* ``max_body``: answer 413 to a request whose body is larger (a gateway with a lower body limit).

Usage::

    with Proxy(sandbox.url, cap_limit=20) as proxy:
        client = pixorder.connect("sandbox", api="planet", base_url=proxy.url)
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

Hook = Callable[[int, Request], Awaitable[None]]
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "content-encoding"}


class Proxy:
    def __init__(self, upstream: str, *, cap_limit: int | None = None, before: Hook | None = None,
                 latency_s: float = 0.0, max_body: int | None = None):
        self.upstream = upstream.rstrip("/")
        self.cap_limit = cap_limit
        self.before = before
        self.latency_s = latency_s
        self.max_body = max_body
        self.refused = 0
        self.requests = 0
        self.capped = 0
        self._http: httpx.AsyncClient | None = None
        app = Starlette(routes=[Route("/{path:path}", self._forward,
                                      methods=["GET", "POST", "PUT", "PATCH", "DELETE"])])
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self._socket = sock
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))
        self._thread = threading.Thread(target=lambda: self._server.run(sockets=[sock]), daemon=True)

    async def _forward(self, request: Request) -> Response:
        self.requests += 1
        if self.before is not None:
            await self.before(self.requests, request)
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        params: list[tuple[str, Any]] = []
        for key, value in request.query_params.multi_items():
            if key == "limit" and self.cap_limit is not None and int(value) > self.cap_limit:
                value = str(self.cap_limit)
                self.capped += 1
            params.append((key, value))
        body = await request.body()
        if self.max_body is not None and len(body) > self.max_body:
            self.refused += 1
            return Response(b'{"detail": "Request body too large."}', status_code=413,
                            media_type="application/json")
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=60)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
        upstream = await self._http.request(request.method, self.upstream + request.url.path, params=params,
                                            content=body, headers=headers)
        out = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_HEADERS}
        return Response(upstream.content, status_code=upstream.status_code, headers=out)

    def __enter__(self) -> Proxy:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the proxy did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
