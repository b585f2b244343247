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
    "PixorderWarning",
    "ProviderUnavailable",
    "RateLimited",
    "SpendLimitExceeded",
    "ValidationError",
    "WaitWouldBlock",
]


class PixorderError(Exception):
    """Base of every error pixorder raises on purpose: catch it to catch them all.

    Two families: ``ValidationError`` (input refused before any network call) and ``ApiError`` (a
    provider answered with an error); besides them ``NotSupported``, ``AmbiguousSpend`` and
    ``SpendLimitExceeded``. Python's own errors (``KeyError``, ``TypeError``, …) are not pixorder's.

    >>> import pixorder
    >>> issubclass(pixorder.NotFound, pixorder.PixorderError), issubclass(KeyError, pixorder.PixorderError)
    (True, False)
    >>> try:
    ...     pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-21", end="2030-03-01")
    ... except pixorder.PixorderError as exc:
    ...     print(type(exc).__name__, exc)
    ValidationError end: must be after start (2030-03-21T00:00:00+00:00) (got '2030-03-01T00:00:00+00:00')
    """


class PixorderWarning(UserWarning):
    """Something a result leaves out that the user asked for, said once (``warnings.warn``): e.g. a
    unit without a rate, whose rows then have no converted amount and no rank. Filter it as any
    warning: ``warnings.simplefilter("ignore", pixorder.errors.PixorderWarning)``.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("no rate for SQKM", PixorderWarning)
    >>> seen[0].category.__name__, str(seen[0].message)
    ('PixorderWarning', 'no rate for SQKM')
    """


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
    """A provider answered with an error; its status, code, message and body are kept.

    The subclasses say what kind (``AuthError`` 401/403, ``NotFound`` 404, ``Conflict`` 409,
    ``RateLimited`` 429, ``ProviderUnavailable`` 5xx or no connection); any other refusal (400, 413,
    422, …) is a plain ``ApiError``.

    Args:
        message: the provider's own message (its operations renamed to the pixorder call to make).
        provider: ``"pixxel"``, ``"planet"`` or ``"geopera"``.
        status: the HTTP status, or None when there was no answer.
        code: the provider's error code, when it sends one.
        body: the error body as received (parsed JSON, or text).

    >>> err = ApiError("Invalid AOI.", provider="planet", status=400, code="bad_geometry")
    >>> str(err)
    'planet HTTP 400 [bad_geometry]: Invalid AOI.'
    >>> err.status, err.code, err.message
    (400, 'bad_geometry', 'Invalid AOI.')
    """

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
    """The key is missing, wrong, or lacks the scope for this call (HTTP 401/403, or no key at all).

    >>> import pixorder
    >>> client = pixorder.connect("sandbox", api="planet", api_key="wrong-key", progress=False)
    >>> client.orders.get("any-order")
    Traceback (most recent call last):
    ...
    pixorder.errors.AuthError: planet HTTP 401: Invalid API key.
    """


class NotFound(ApiError):
    """The provider does not know this id (or it belongs to another organisation): HTTP 404.

    The message names the URL tried, so a wrong ``base_url`` shows too.

    >>> import pixorder
    >>> pixorder.connect("sandbox", api="planet", progress=False).orders.get("no-such-order")
    Traceback (most recent call last):
    ...
    pixorder.errors.NotFound: planet HTTP 404: Not found. (GET http://127.0.0.1:.../tasking/v2/orders/no-such-order/)
    """


class Conflict(ApiError):
    """A refused state transition or an idempotency key reused with another body: HTTP 409.

    Also raised by ``orders.reconcile(reference)`` when more than one order carries the reference.

    >>> err = Conflict("Quotation already decided.", provider="geopera", status=409)
    >>> isinstance(err, ApiError), str(err)
    (True, 'geopera HTTP 409: Quotation already decided.')
    """


class RateLimited(ApiError):
    """HTTP 429 after every retry; ``retry_after`` holds the server's hint in seconds.

    Args:
        message: the provider's message.
        retry_after: seconds the server asked to wait (its ``Retry-After``), or None.
        **kwargs: ``provider``, ``status``, ``code``, ``body`` as for ``ApiError``.

    >>> err = RateLimited("Too many requests.", retry_after=2.0, provider="planet", status=429)
    >>> str(err), err.retry_after
    ('planet HTTP 429: Too many requests.', 2.0)
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ProviderUnavailable(ApiError):
    """5xx or connection failures that outlasted every retry (``status`` None when nothing answered).

    Never raised for an order whose placement may have reached the server: that is
    ``AmbiguousSpend``.

    >>> err = ProviderUnavailable("cannot reach https://api.planet.com: ConnectError", provider="planet")
    >>> str(err), err.status
    ('planet error: cannot reach https://api.planet.com: ConnectError', None)
    """


class NotSupported(PixorderError):
    """The provider has no such operation; the message names the closest thing it can do.

    Raised before any network call. ``operation`` is the pixorder call (``"orders.edit()"``),
    ``instead`` what to do instead.

    >>> import pixorder
    >>> client = pixorder.connect("sandbox", api="pixxel", progress=False)
    >>> try:
    ...     client.orders.edit("any-order", name="renamed")
    ... except pixorder.NotSupported as exc:
    ...     print(exc.operation, "→", exc.instead)
    orders.edit() → Pixxel orders cannot be edited: place a new order
    """

    def __init__(self, provider: str, operation: str, instead: str):
        self.provider = provider
        self.operation = operation
        self.instead = instead
        super().__init__(f"{provider} does not support {operation}; {instead}")


class AmbiguousSpend(PixorderError):
    """A spend call failed in a way that leaves unknown whether the order exists.

    ``reference`` is the client reference sent with the order (in its name or tags);
    ``client.orders.reconcile(reference)`` settles it once the provider answers again. ``cause``
    is the failure that left it unknown (a read timeout, a dropped connection, a 5xx). Never
    order again before reconciling: the first order may exist.

    >>> err = AmbiguousSpend("planet", "pxo-3f2b9c1e0d1c4e0a", TimeoutError())
    >>> err.reference
    'pxo-3f2b9c1e0d1c4e0a'
    >>> print(err)
    planet: could not tell whether the order with reference 'pxo-3f2b9c1e0d1c4e0a' was placed: TimeoutError. Call client.orders.reconcile('pxo-3f2b9c1e0d1c4e0a') before ordering again.
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
    """``max_amount=`` refused an order priced above it; nothing was placed.

    ``amount`` is the price in ``unit`` (the quote's currency or quota unit), ``max_amount`` the limit.

    >>> import pixorder
    >>> client = pixorder.connect("sandbox", api="planet", progress=False)
    >>> request = pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21")
    >>> client.orders.create(request, max_amount=10)
    Traceback (most recent call last):
    ...
    pixorder.errors.SpendLimitExceeded: planet: the order is priced 25.00 SQKM which is above max_amount=10.00; nothing was placed
    """

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

    >>> err = WaitWouldBlock("preview")
    >>> isinstance(err, RuntimeError), err.widget
    (True, 'preview')
    >>> print(err)
    preview.wait() would block the event loop that its AsyncClient's calls run on, ... `await preview.wait_async()`), ...
    """

    def __init__(self, widget: str = "the widget"):
        self.widget = widget
        super().__init__(
            f"{widget}.wait() would block the event loop that its AsyncClient's calls run on, so they could "
            "never finish. In a notebook cell, await the widget's wait_async() instead (for example "
            "`await preview.wait_async()`), or give the widget a sync client from pixorder.connect()."
        )
