"""HTTP helpers shared by provider modules: provider-shaped errors, JSON bodies, page links."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine, MutableMapping
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi.routing import APIRoute
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


# For spotting long integers: every digit becomes "0", the characters that make a number a float stay,
# every other byte becomes a space.
_NUMBER_BYTES = bytes(48 if 48 <= i <= 57 else i if i in b".+-e" else 101 if i == 69 else 32 for i in range(256))
_RUN = b"0" * 19
_ZEROS = re.compile(b"0*")


def _has_long_integer(raw: bytes) -> bool:
    """Whether ``raw`` may hold an integer of 19 digits or more, which orjson reads differently from the
    stdlib (beyond 64 bits a float, not an int). Digits after a decimal point or in an exponent are no
    such integer: a coordinate near 0 (0.0008612984949837399) keeps the fast path."""
    text = raw.translate(_NUMBER_BYTES)
    start = text.find(_RUN)
    while start >= 0:
        end = _ZEROS.match(text, start).end()  # type: ignore[union-attr]
        before = text[start - 1:start]
        exponent = before == b"e" or (before in (b"+", b"-") and text[start - 2:start - 1] == b"e")
        if before != b"." and not exponent and text[end:end + 1] not in (b".", b"e"):
            return True
        start = text.find(_RUN, end)
    return False


LENIENT_JSON = "pixorder.sandbox.lenient_json"
"""Scope key set when a request body was read by the stdlib's lenient parser (see :func:`loads`)."""


def loads(raw: bytes | str, scope: MutableMapping[str, Any] | None = None) -> Any:
    """JSON as the stdlib's ``json.loads`` reads it, through orjson (several times faster) when that gives
    the very same value: always, except for 19+ digit integers, which go to the stdlib. What orjson
    refuses (``NaN``, ``Infinity``, 1e400, lone surrogates, a BOM, UTF-16) also goes to the stdlib,
    so what is accepted and every error message stay the stdlib's. A body read that way may hold
    non-finite numbers: ``scope[LENIENT_JSON]`` is then set, and :func:`dumps` answers in kind."""
    if isinstance(raw, bytes) and not _has_long_integer(raw):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    if scope is not None:
        scope[LENIENT_JSON] = True
    return json.loads(raw)


def dumps(content: Any, scope: MutableMapping[str, Any] | None = None) -> bytes:
    """What ``JSONResponse`` renders (compact, UTF-8, no NaN), through orjson when that is the same JSON.

    orjson writes the same values (floats in their shortest form, as ``repr``); it would write a
    non-finite float as ``null`` where the stdlib refuses it, so content that may hold one (a body read
    by the lenient parser, see :func:`loads`) goes to the stdlib, as do types orjson refuses (integers
    beyond 64 bits, lone surrogates, non-string keys). The caller vouches that its own numbers are finite.
    """
    if scope is None or not scope.get(LENIENT_JSON):
        try:
            return orjson.dumps(content)
        except TypeError:
            pass
    return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8")


def json_response(content: Any, status: int = 200, request: Request | None = None) -> Response:
    """``JSONResponse(content, status)``, encoded by :func:`dumps`."""
    return Response(dumps(content, None if request is None else request.scope), status, media_type="application/json")


class _Request(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads(await self.body(), self.scope)
        return self._json


class FastJSONRoute(APIRoute):
    """An APIRoute whose JSON body parameters are read by :func:`loads`: the stdlib's values, accepted
    documents and error messages (FastAPI's 422 quotes them), at orjson's speed."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            return await handler(_Request(request.scope, request.receive))

        return route


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
        return loads(raw, request.scope)
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
