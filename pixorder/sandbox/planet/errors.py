"""Planet's error shapes (DRF-style) and JSON body reading."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from ..web import ApiError, BodyError, read_json
from .catalog import MAX_BODY_BYTES


def error(status: int, message: str) -> ApiError:
    """``{"detail": message}``: Planet's API is DRF-based (also used by the core for faults)."""
    return ApiError(status, {"detail": message})


class FieldErrors(Exception):
    """DRF-style validation errors: ``{"field": ["message"]}``."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors

    def api_error(self) -> ApiError:
        return ApiError(400, self.errors)

    def summary(self) -> str:
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in self.errors.items())


class NotPermitted(Exception):
    """The key's contract does not allow this (403 ``{"detail": ...}``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def api_error(self) -> ApiError:
        return error(403, self.message)


def validation_error(exc: Exception) -> ApiError:
    """FastAPI's RequestValidationError in DRF's field shape."""
    errors: list[Any] = getattr(exc, "errors", lambda: [])()
    return ApiError(400, {str(err.get("loc", ["?"])[-1]): [str(err.get("msg"))] for err in errors} or {"detail": str(exc)})


async def json_body(request: Request) -> Any:
    try:
        return await read_json(request, max_bytes=MAX_BODY_BYTES)
    except BodyError as exc:
        raise error(exc.status, str(exc)) from None
