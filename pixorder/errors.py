"""One small exception hierarchy for everything pixorder raises on purpose."""

from __future__ import annotations

from typing import Any

__all__ = [
    "AmbiguousSpend",
    "ApiError",
    "AuthError",
    "Conflict",
    "NotFound",
    "NotSupported",
    "PixorderError",
    "ProviderUnavailable",
    "RateLimited",
    "SpendLimitExceeded",
    "ValidationError",
    "WaitWouldBlock",
]


class PixorderError(Exception):
    """Base of every error pixorder raises on purpose."""


class ValidationError(PixorderError, ValueError):
    """Input refused before any network call.

    ``field`` names where the bad value sits (dotted path, e.g. ``"geometry"`` or
    ``"cloud_cover"``), ``rule`` says what was expected, ``value`` is the offending input
    (shortened in the message).

    >>> raise ValidationError("cloud_cover", "must be between 0 and 100", 150)
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: cloud_cover: must be between 0 and 100 (got 150)
    """

    def __init__(self, field: str, rule: str, value: Any = None, *, errors: list[dict] | None = None):
        self.field = field
        self.rule = rule
        self.value = value
        self.errors = errors or [{"field": field, "rule": rule}]
        shown = "" if value is None else f" (got {_short(value)})"
        super().__init__(f"{field}: {rule}{shown}")


def shorten(text: str, limit: int = 80) -> str:
    """``text`` cut to at most ``limit`` characters, ``...`` marking the cut: a value quoted in a message.

    >>> shorten("x" * 100, limit=10)
    'xxxxxxx...'
    """
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short(value: Any, limit: int = 80) -> str:
    return shorten(repr(value), limit)


class ApiError(PixorderError):
    """A provider answered with an error; its status, code, message and body are kept."""

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        status: int | None = None,
        code: str | None = None,
        body: Any = None,
    ):
        self.provider = provider
        self.status = status
        self.code = code
        self.message = message
        self.body = body
        where = f"{provider} " if provider else ""
        status_text = f"HTTP {status}" if status is not None else "error"
        code_text = f" [{code}]" if code else ""
        super().__init__(f"{where}{status_text}{code_text}: {message}")


class AuthError(ApiError):
    """The key is missing, wrong, or lacks the scope for this call."""


class NotFound(ApiError):
    """The provider does not know this id (or it belongs to another organisation)."""


class Conflict(ApiError):
    """A refused state transition or an idempotency key reused with another body."""


class RateLimited(ApiError):
    """HTTP 429 after every retry; ``retry_after`` holds the server's hint in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ProviderUnavailable(ApiError):
    """5xx or connection failures that outlasted every retry."""


class NotSupported(PixorderError):
    """The provider has no such operation; the message names the closest thing it can do."""

    def __init__(self, provider: str, operation: str, instead: str):
        self.provider = provider
        self.operation = operation
        self.instead = instead
        super().__init__(f"{provider} does not support {operation}; {instead}")


class AmbiguousSpend(PixorderError):
    """A spend call failed in a way that leaves unknown whether the order exists.

    ``reference`` is the client reference sent with the order (in its name or tags);
    ``client.orders.reconcile(reference)`` settles it once the provider answers again.
    """

    def __init__(self, provider: str, reference: str, cause: BaseException | None = None):
        self.provider = provider
        self.reference = reference
        self.cause = cause
        why = f": {type(cause).__name__}" if cause is not None else ""
        super().__init__(
            f"{provider}: could not tell whether the order with reference {reference!r} was placed{why}. "
            f"Call client.orders.reconcile({reference!r}) before ordering again."
        )


class SpendLimitExceeded(PixorderError):
    """``max_amount=`` refused an order priced above it; nothing was placed."""

    def __init__(self, provider: str, amount: float, unit: str | None, max_amount: float):
        self.provider = provider
        self.amount = amount
        self.unit = unit
        self.max_amount = max_amount
        super().__init__(
            f"{provider}: the order is priced {amount:,.2f} {unit or ''} which is above max_amount="
            f"{max_amount:,.2f}; nothing was placed"
        )


class WaitWouldBlock(PixorderError, RuntimeError):
    """A widget's ``wait()`` was called where it would block the very calls it waits for.

    This happens with an ``AsyncClient`` in a notebook: its calls run on the kernel's event loop,
    which a blocking ``wait()`` holds. Use ``await widget.wait_async()`` there, or a sync ``Client``
    (``pixorder.connect(...)``), whose calls run on pixorder's own thread.
    """

    def __init__(self, widget: str = "the widget"):
        self.widget = widget
        super().__init__(
            f"{widget}.wait() would block the event loop that its AsyncClient's calls run on, so they could "
            "never finish. In a notebook cell, await the widget's wait_async() instead (for example "
            "`await preview.wait_async()`), or give the widget a sync client from pixorder.connect()."
        )
