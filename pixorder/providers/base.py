"""The sans-IO seam: an adapter turns a neutral intent into a ``Call`` and a response into models."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from pixorder import errors as E
from pixorder import models as m
from pixorder.providers import table
from pixorder.providers._wire import json_size as json_size  # re-exported: measured where the wire is read
from pixorder.providers.table import ProviderInfo

T = TypeVar("T")
U = TypeVar("U")

Request = m.TaskingRequest | m.ArchiveRequest


@dataclass
class Call(Generic[T]):
    """One HTTP exchange, described without doing it: what to send and how to read the answer.

    ``parse`` receives the decoded JSON body (None when empty) and the response headers.
    ``spend`` marks calls that may cost money: the transport never resends them blindly.
    ``bucket`` picks the client-side rate limit (e.g. Geopera's 60/min for placement).
    """

    method: str
    path: str
    parse: Callable[[Any, Mapping[str, str]], T]
    params: Mapping[str, Any] | None = None
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    spend: bool = False
    bucket: str = "default"
    expect: tuple[int, ...] = (200, 201, 202, 204)

    def describe(self) -> str:
        """``"GET /v0/orders"``: the method and path, for messages and logs."""
        return f"{self.method} {self.path}"

    def reading(self, parse: Callable[[Any, Mapping[str, str]], U]) -> Call[U]:
        """The same exchange read another way: a new ``Call`` (this one is left as it is).

        >>> Call("GET", "/v0/orders", lambda body, h: body).reading(lambda body, h: len(body)).parse([1, 2], {})
        2
        """
        return Call(self.method, self.path, parse, params=self.params, json=self.json, headers=dict(self.headers),
                    spend=self.spend, bucket=self.bucket, expect=self.expect)


#: operations a provider's message points to, and the pixorder call that does the same for a user
PUBLIC_CALLS = {
    "orders.tasking.sensors": "client.sensors()",  # Geopera: "Unknown sensor 'x'; see orders.tasking.sensors."
    "GET /v0/bandsets": "client.sensors()",  # Pixxel: "unknown bandset; see GET /v0/bandsets"
}


def public_calls(text: str) -> str:
    """A provider's message with the operations it names replaced by the pixorder calls a user makes.

    >>> public_calls("Unknown sensor 'pneo-3cm'; see orders.tasking.sensors.")
    "Unknown sensor 'pneo-3cm'; see client.sensors()."
    """
    for internal, public in PUBLIC_CALLS.items():
        text = text.replace(internal, public)
    return text


@dataclass
class Job:
    """The state of an asynchronous job a provider runs (Planet's bulk, an imaging-window search).

    ``status`` is the provider's word; ``done`` when it will not change any more, ``failed`` when it
    ended without a result (``error`` says why); ``counts`` the provider's progress figures;
    ``result`` what a finished job produced (e.g. ``ImagingWindow`` models).
    """

    id: str
    status: str
    done: bool = False
    failed: bool = False
    error: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    result: list[Any] = field(default_factory=list)


@dataclass
class BulkOutcome:
    """What became of one payload of a bulk create: its order id, or why it failed."""

    index: int
    ok: bool
    order_id: str | None = None
    message: str | None = None
    pending: bool = False


async def every_page(send: Callable[[Call[Any]], Awaitable[Any]],
                     page_at: Callable[[int], Call[m.Page[T]]]) -> list[T]:
    """Every row of a paged read inside a multi-step read (``deliveries``): ``page_at(offset)`` asks for
    the page starting at ``offset``, sent with ``send``, until a page comes back empty or the total (or,
    without one, the missing ``next`` link) says it was the last.

    >>> import asyncio
    >>> rows = list(range(5))
    >>> async def send(call):
    ...     return call.parse(None, {})
    >>> def page_at(offset):
    ...     return Call("GET", "/x", lambda body, h: m.Page(items=rows[offset:offset + 2], total=len(rows)))
    >>> asyncio.run(every_page(send, page_at))
    [0, 1, 2, 3, 4]
    """
    found: list[T] = []
    offset = 0
    while True:
        page = await send(page_at(offset))
        found += page.items
        offset += len(page.items)
        if not page.items or (page.total is not None and offset >= page.total) or (
                page.total is None and not page.next):
            return found


def error_from_response(provider: str, status: int, body: Any, headers: Mapping[str, str],
                        url: str | None = None) -> E.ApiError:
    """A typed pixorder error from any provider's error body, keeping status, code, message and body.

    ``url`` ("GET https://…/path"), when given, is named in a 404's message: a wrong ``base_url``
    404s on every call, and the URL tried shows why.

    Reads Pixxel's official envelope ``{"error": {code, message, details}}`` and the older pages'
    bare ``{code, message, details}``, Planet ``{error}`` / ``{detail}`` / DRF field lists, Geopera
    problem+json ``{title, detail}`` and 422 ``{detail: [{loc, msg}]}``.
    """
    code, message = _code_and_message(body)
    message = public_calls(message)
    if not message:
        message = f"HTTP {status}"
    if status == 404 and url:
        message = f"{message} ({url})"
    kwargs: dict[str, Any] = {"provider": provider, "status": status, "code": code, "body": body}
    if status in (401, 403):
        return E.AuthError(message, **kwargs)
    if status in (404, 410):
        return E.NotFound(message, **kwargs)
    if status == 409:
        return E.Conflict(message, **kwargs)
    if status == 429:
        return E.RateLimited(message, retry_after=retry_after_seconds(headers), **kwargs)
    if status >= 500:
        return E.ProviderUnavailable(message, **kwargs)
    return E.ApiError(message, **kwargs)


def _code_and_message(body: Any) -> tuple[str | None, str]:
    if isinstance(body, Mapping) and len(body) == 1 and isinstance(body.get("error"), Mapping) and (
        "message" in body["error"] or "code" in body["error"]
    ):
        body = body["error"]  # Pixxel's official envelope (clerk.ErrorResponse)
    if isinstance(body, Mapping):
        code = body.get("code") or body.get("type")
        code = None if code in (None, "about:blank") else str(code)
        detail = body.get("detail")
        if isinstance(detail, list):  # FastAPI / Geopera 422
            parts = []
            for err in detail:
                if isinstance(err, Mapping):
                    loc = ".".join(str(p) for p in err.get("loc", []) if p != "body")
                    parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
            return code or "validation_error", "; ".join(parts)
        for key in ("message", "detail", "error", "title"):
            value = body.get(key)
            if isinstance(value, Mapping):
                value = value.get("message") or value.get("error") or json.dumps(value)
            if value:
                message = str(value)
                details = body.get("details")
                if isinstance(details, list) and details:
                    message += " (" + "; ".join(_detail_text(d) for d in details) + ")"
                return code, message
        # DRF style {"field": ["problem"]}
        fields = [f"{k}: {'; '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in body.items()]
        return code, "; ".join(fields)
    if isinstance(body, str):
        return None, body[:500]
    return None, ""


def _detail_text(detail: Any) -> str:
    if isinstance(detail, Mapping):
        field_name = detail.get("field") or detail.get("loc")
        msg = detail.get("message") or detail.get("msg") or json.dumps(detail)
        return f"{field_name}: {msg}" if field_name else str(msg)
    return str(detail)


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after") or headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from datetime import datetime, timezone
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
        except (TypeError, ValueError):
            return None


class Adapter:
    """Base adapter: every operation a provider lacks raises ``NotSupported`` with what to do instead.

    A provider's adapter names its row of the provider table (``class PlanetAdapter(Adapter,
    provider="planet")``); its limits below are read from that row, never written twice. An instance
    may still override one (a test that pretends the API allows a larger body).
    """

    #: the provider table's row (None on the bare base class)
    info: ClassVar[ProviderInfo | None] = None
    name: str = ""
    default_base_url: str = ""
    #: the path every call starts with ("/v0", "/tasking/v2", "/v1"); a base_url ending in it is accepted
    api_root: str = ""
    #: the longest order name the API accepts (None: no documented limit); the reference fits inside
    name_limit: int | None = None
    #: the largest request body the API accepts, in bytes (None: none documented)
    body_limit: int | None = None
    #: how long before its start a tasking window must be ordered, hours
    min_lead_hours: float = 24.0
    env_var: str = ""
    #: requests per bulk pricing call
    bulk_limit: int = 1
    #: bucket → (requests, per seconds); the sandbox relaxes these. A second limit on one bucket is a
    #: second entry named ``<bucket>/<anything>`` (e.g. "default/minute"): the transport applies both.
    rate_limits: Mapping[str, tuple[int, float]] = {}
    #: orders per call of the API's bulk create (0: none; ``orders.create_many`` places one by one)
    bulk_order_limit: int = 0

    def __init_subclass__(cls, provider: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if provider is None:
            return
        info = table.get(provider)
        cls.info = info
        cls.name = info.name
        cls.default_base_url = info.host
        cls.api_root = info.api_root
        cls.name_limit = info.name_limit
        cls.body_limit = info.body_limit
        cls.min_lead_hours = info.min_lead_hours
        cls.env_var = info.env_var
        cls.bulk_limit = info.bulk_price_limit
        cls.rate_limits = dict(info.rate_limits)
        cls.bulk_order_limit = info.bulk_order_limit

    #: rows per page for each listing (the API's maximum where it is generous)
    page_sizes: Mapping[str, int] = {}
    #: entities whose listings can skip models: raw rows → frame columns (see ``frame_columns``)
    fast_frames: frozenset[str] = frozenset()

    def auth_headers(self, api_key: str) -> dict[str, str]:
        raise NotImplementedError

    async def prepare(self, send: Callable[[Call[Any]], Awaitable[Any]]) -> None:
        """Read, once per client, what this API's payloads need from the account (a project, a
        bandset, a default sensor). ``send`` sends a ``Call``. The client runs this exactly once before
        the first call that builds a payload, however many calls start together. Default: nothing."""

    def page_rows(self, body: Any) -> tuple[list[Mapping[str, Any]], int | None]:
        """The raw rows of a listing page and the total, for the fast frame path."""
        raise NotImplementedError

    def frame_columns(self, entity: str, rows: Sequence[Mapping[str, Any]]) -> tuple[dict[str, list[Any]], list[Any]]:
        """Frame columns and GeoJSON geometries straight from raw rows (same frame as via models)."""
        raise NotImplementedError

    def _unsupported(self, operation: str, instead: str) -> E.NotSupported:
        return E.NotSupported(self.name, operation, instead)

    def validate(self, request: Request) -> None:
        """Refuse, before any call, a request this API is known to refuse (``ValidationError`` naming
        the field and the rule). Default: nothing beyond the model's own checks."""

    # --- bulk create (orders.create_many); only for APIs with ``bulk_order_limit`` > 0 ----------
    def bulk_order_payload(self, request: Request, reference: str) -> dict[str, Any]:
        """One order payload of a bulk create, carrying ``reference`` like ``create_order`` does."""
        raise self._unsupported("bulk create", "orders.create_many() places the orders one by one")

    def submit_bulk(self, bulk_id: str, payloads: Sequence[Mapping[str, Any]]) -> Call[None]:
        raise self._unsupported("bulk create", "orders.create_many() places the orders one by one")

    def get_bulk(self, bulk_id: str) -> Call[Job]:
        raise self._unsupported("bulk create", "orders.create_many() places the orders one by one")

    def bulk_outcomes(self, bulk_id: str, offset: int, limit: int) -> Call[m.Page[BulkOutcome]]:
        raise self._unsupported("bulk create", "orders.create_many() places the orders one by one")

    # --- multi-step reads: like ``prepare``, they get ``send`` and issue Calls through it ---------
    async def deliveries(self, order_id: str, send: Callable[[Call[Any]], Awaitable[Any]]) -> list[m.Delivery]:
        """Every delivered product of an order (see ``Deliveries.list``)."""
        raise self._unsupported("deliveries.list()", "read the order's status with orders.get()")

    def search_imaging_windows(self, request: m.TaskingRequest) -> Call[str]:
        """Start an imaging-window search; the Call's result is the path to poll."""
        raise self._unsupported("imaging_windows.search()", "imaging windows are a Planet Assured Tasking "
                                "feature; price and order with a start and end instead")

    def poll_imaging_windows(self, path: str) -> Call[Job]:
        raise self._unsupported("imaging_windows.search()", "imaging windows are a Planet Assured Tasking "
                                "feature; price and order with a start and end instead")

    # --- operations; each returns a Call (or a list of Calls) ---------------------------------
    def sensors(self) -> Call[list[m.Sensor]]:
        raise self._unsupported("sensors()", "see the provider's product documentation")

    def price(self, requests: Sequence[Request], first_index: int = 0) -> Call[list[m.Quote]]:
        raise self._unsupported("pricing.estimate()", "no pricing endpoint")

    def create_order(self, request: Request, *, reference: str, dry_run: bool = False) -> Call[m.Order]:
        raise self._unsupported("orders.create()", "order in the provider's web app")

    def find_by_reference(self, reference: str) -> Call[list[m.Order]]:
        raise self._unsupported("orders.reconcile()", "look the order up by hand")

    def get_order(self, order_id: str) -> Call[m.Order]:
        raise self._unsupported("orders.get()", "list orders instead")

    def list_orders(self, filters: Mapping[str, Any], offset: int, limit: int) -> Call[m.Page[m.Order]]:
        raise self._unsupported("orders.list()", "no order listing")

    def edit_order(self, order_id: str, changes: Mapping[str, Any]) -> Call[m.Order | None]:
        raise self._unsupported("orders.edit()", "cancel and order again")

    def cancel_order(self, order_id: str) -> Call[m.Order | None]:
        raise self._unsupported("orders.cancel()", "contact the provider's support")

    def list_order_items(
        self, filters: Mapping[str, Any], offset: int, limit: int
    ) -> Call[m.Page[m.OrderItem]]:
        raise self._unsupported("order_items.list()", "use orders.list(); each order is one item")

    def list_tasks(self, filters: Mapping[str, Any], offset: int, limit: int) -> Call[m.Page[m.Task]]:
        raise self._unsupported("tasks.list()", "use orders.get() and read its status")

    def list_quotations(
        self, filters: Mapping[str, Any], offset: int, limit: int
    ) -> Call[m.Page[m.Quotation]]:
        raise self._unsupported("quotations.list()", "prices come from pricing.estimate()")

    def decide_quotation(self, quotation_id: str, accept: bool) -> Call[m.Quotation]:
        raise self._unsupported("quotations.decide()", "orders are priced up front")

    def check_feasibility(self, request: m.TaskingRequest) -> Call[list[m.FeasibilityStudy]]:
        raise self._unsupported("feasibility.check()", "read the feasibility on the quote or order item")

    def list_feasibility(
        self, filters: Mapping[str, Any], offset: int, limit: int
    ) -> Call[m.Page[m.FeasibilityStudy]]:
        raise self._unsupported("feasibility.list()", "read the feasibility on the quote or order item")

    def decide_feasibility(self, study_id: str, option_id: str) -> Call[m.FeasibilityStudy]:
        raise self._unsupported("feasibility.decide()", "no feasibility studies to decide")

