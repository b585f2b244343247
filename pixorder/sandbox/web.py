"""HTTP helpers shared by provider modules: provider-shaped errors, JSON bodies, page links."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class ApiError(Exception):
    """Raise from a handler to answer with ``body`` (already in the provider's error shape).

    The app turns it into a response with ``status``, ``headers`` and ``media_type`` as given, so a
    provider module controls its exact wire shape (DRF ``{"detail": ...}``, problem+json, ...).
    """

    def __init__(
        self,
        status: int,
        body: Any,
        *,
        headers: dict[str, str] | None = None,
        media_type: str = "application/json",
    ) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.media_type = media_type

    def response(self) -> Response:
        return JSONResponse(self.body, self.status, headers=self.headers, media_type=self.media_type)


class BodyError(ValueError):
    """The request body is not acceptable; ``status`` is 400 (bad JSON) or 413 (too large)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def read_json(request: Request, *, max_bytes: int) -> Any:
    """The parsed JSON body; BodyError(413) beyond ``max_bytes``, BodyError(400) if not JSON.

    Checks the declared Content-Length first so an oversized upload is refused without reading it.
    """
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise BodyError(413, f"Request body exceeds the {max_bytes} byte limit.")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > max_bytes:
            raise BodyError(413, f"Request body exceeds the {max_bytes} byte limit.")
    if not raw.strip():
        raise BodyError(400, "Request body is empty; expected JSON.")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BodyError(400, f"JSON parse error - {exc}") from None


def page_url(request: Request, **changes: Any) -> str:
    """The absolute URL of this request with query parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    base = str(request.url.replace(query=""))
    return f"{base}?{urlencode(params)}" if params else base


def bearer_or_raw(header: str | None, scheme: str) -> str | None:
    """The credential after ``scheme`` (case-insensitive) in an Authorization header, else None."""
    if not header:
        return None
    prefix, _, rest = header.strip().partition(" ")
    return rest.strip() if prefix.lower() == scheme.lower() and rest.strip() else None
