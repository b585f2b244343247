"""Pixxel's error envelope and authentication.

Every error, 401 included, is the official ``clerk.ErrorResponse``: ``{"error": {"code", "message",
"details"?}}``; validation errors are 400 with ``code`` VALIDATION_ERROR and ``details`` a list of
``{"field", "message"}`` whose dotted/indexed paths name the field
(``order_items[0].geometry.features[1].geometry.type``).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from ..keys import org_for_key
from ..web import ApiError
from .common import NAME

_CODES = {
    400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE", 422: "VALIDATION_ERROR", 429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR", 502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT",
}


def error(status: int, message: str, code: str | None = None, details: list[dict[str, str]] | None = None) -> ApiError:
    """An :class:`ApiError` with Pixxel's envelope ``{"error": {code, message, details?}}``."""
    inner: dict[str, Any] = {"code": code or _CODES.get(status, "ERROR"), "message": message}
    if details is not None:
        inner["details"] = details
    return ApiError(status, {"error": inner})


def validation_failed(details: list[dict[str, str]]) -> ApiError:
    """400 VALIDATION_ERROR listing every ``{field, message}``."""
    fields = ", ".join(d["field"] for d in details[:5])
    return error(400, f"Request validation failed: {fields}", "VALIDATION_ERROR", details)


def from_request_validation(exc: Exception) -> ApiError:
    """FastAPI's RequestValidationError (bad query parameter types, ...) in Pixxel's shape."""
    errors: list[Any] = getattr(exc, "errors", lambda: [])()
    details = [{"field": ".".join(str(p) for p in e.get("loc", ())[1:]) or "body", "message": str(e.get("msg"))}
               for e in errors]
    return validation_failed(details or [{"field": "body", "message": str(exc)}])


def not_found(what: str, ident: str) -> ApiError:
    """404 NOT_FOUND naming the resource."""
    return error(404, f"{what} {ident} not found", "NOT_FOUND")


async def authenticate(request: Request) -> str:
    """The organisation of the request's key (``Authorization: <KEY>``, no Bearer); 401 otherwise."""
    header = (request.headers.get("authorization") or "").strip()
    if not header:
        raise error(401, "Missing Authorization header; send 'Authorization: <API_KEY>'.")
    org = org_for_key(NAME, header)
    if org is None:
        if header.lower().startswith("bearer ") and org_for_key(NAME, header[7:].strip()):
            raise error(401, "Send the API key without a 'Bearer' prefix: 'Authorization: <API_KEY>'.")
        raise error(401, "Invalid API key.")
    return org
