"""The sans-IO seam: an adapter turns a neutral intent into a ``Call`` and a response into models."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from pixorder import errors as E
from pixorder import models as m
from pixorder.providers import table
from pixorder.providers._wire import iso_z
from pixorder.providers._wire import json_size as json_size  # re-exported: measured where the wire is read
from pixorder.providers.table import ProviderInfo

T = TypeVar("T")
U = TypeVar("U")

Request = m.TaskingRequest | m.ArchiveRequest


@dataclass
class Call(Generic[T]):
    """One HTTP exchange, described without doing it: what to send and how to read the answer.

    Adapters return Calls; only the transport sends them (``AsyncClient.send``).

    Attributes:
        method: the HTTP method (``"GET"``, ``"POST"``, …).
        path: the path from the host, API root included (``"/tasking/v2/pricing/"``).
        parse: ``parse(body, headers)`` → the result: ``body`` is the decoded JSON (None when
            empty), ``headers`` the response headers. It may raise a pixorder error for an answer
            that is a refusal in a success status (Geopera's placement with no ``results``).
        params: query parameters, or None.
        json: the JSON body, or None for none.
        headers: extra request headers (Geopera's ``Idempotency-Key``); auth is the transport's.
        spend: True for a call that may cost money: the transport never resends it blindly.
        bucket: the client-side rate limit it counts against (e.g. Geopera's ``"place"``, 60/min).
        expect: the statuses read as success; any other is an error.
        answer: the answer's body when the adapter knows it without asking (a listing filtered by a
            status no row of the API can have): the transport sends nothing and parses this; None: ask.

    >>> call = Call("GET", "/v0/orders/o-1", lambda body, headers: body["id"])
    >>> call.describe(), call.spend, call.bucket, call.parse({"id": "o-1"}, {})
    ('GET /v0/orders/o-1', False, 'default', 'o-1')
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
    answer: Any = None

    def describe(self) -> str:
        """The method and path, for messages and logs.

        Returns:
            str: e.g. ``"GET /v0/orders"`` (no host, no query).

        >>> Call("GET", "/v0/orders", lambda body, h: body, params={"limit": 10}).describe()
        'GET /v0/orders'
        """
        return f"{self.method} {self.path}"

    def reading(self, parse: Callable[[Any, Mapping[str, str]], U]) -> Call[U]:
        """The same exchange read another way: a new ``Call`` (this one is left as it is).

        Args:
            parse: the new ``parse(body, headers)``.

        Returns:
            Call: method, path, params, body, headers, ``spend``, ``bucket``, ``expect`` and ``answer`` copied.

        >>> Call("GET", "/v0/orders", lambda body, h: body).reading(lambda body, h: len(body)).parse([1, 2], {})
        2
        """
        return Call(self.method, self.path, parse, params=self.params, json=self.json, headers=dict(self.headers),
                    spend=self.spend, bucket=self.bucket, expect=self.expect, answer=self.answer)


#: operations a provider's message points to, and the pixorder call that does the same for a user
PUBLIC_CALLS = {
    "orders.tasking.sensors": "client.sensors()",  # Geopera: "Unknown sensor 'x'; see orders.tasking.sensors."
    "GET /v0/bandsets": "client.sensors()",  # Pixxel: "unknown bandset; see GET /v0/bandsets"
}


def public_calls(text: str) -> str:
    """A provider's message with the operations it names replaced by the pixorder calls a user makes.

    Args:
        text: a provider's error message.

    Returns:
        str: ``text`` with each key of :data:`PUBLIC_CALLS` replaced by its pixorder call.

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
    ended without a result (``error`` says why); ``counts`` the provider's progress figures, as many
    as it sent of ``total``, ``processing``, ``successful`` and ``failed`` (Planet's bulk payloads);
    ``result`` what a finished job produced (e.g. ``ImagingWindow`` models).

    >>> job = Job(id="b-1", status="RUNNING", counts={"total": 3, "successful": 1})
    >>> job.done, job.failed, job.result
    (False, False, [])
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
    """What became of one payload of a bulk create: its order id, or why it failed.

    ``index`` is the payload's position in the bulk (from 0); ``ok`` True when its order was
    created (``order_id``); ``message`` the provider's reason when it was not; ``pending`` True
    while the provider has not decided yet.

    >>> BulkOutcome(index=0, ok=True, order_id="o-1")
    BulkOutcome(index=0, ok=True, order_id='o-1', message=None, pending=False)
    """

    index: int
    ok: bool
    order_id: str | None = None
    message: str | None = None
    pending: bool = False


@dataclass(frozen=True)
class StatusFilter:
    """A listing's ``status`` filter as the API takes it (made by :meth:`Adapter.status_filter`).

    ``words``: the API's status words to send (empty: no row can have any status asked for, so nothing
    need be asked); ``statuses``: the neutral words asked for; ``as_given``: the words sent as they
    were (the API's own, or words pixorder does not know).

    >>> wanted = StatusFilter(words=("FAILED_PERMANENTLY",), statuses=frozenset({"CANCELLED"}))
    >>> wanted.keeps("CANCELLED", "FAILED_PERMANENTLY"), wanted.keeps("FAILED", "FAILED_PERMANENTLY")
    (True, False)
    """

    words: tuple[str, ...]
    statuses: frozenset[str] = frozenset()
    as_given: frozenset[str] = frozenset()

    def keeps(self, status: Any, word: Any) -> bool:
        """Whether a row was asked for: its neutral ``status`` is one asked for, or its API ``word`` was given.

        Args:
            status: the row's neutral status (an ``OpenEnum`` or its text).
            word: the status word the API sent for the row.

        Returns:
            bool: True for a row the filter selects.
        """
        return (status is not None and str(status) in self.statuses) or (word is not None and str(word) in self.as_given)


#: the neutral vocabulary of each listing's ``status`` filter (the default: ``OrderStatus``)
STATUS_VOCABULARIES: dict[str, type[m.OpenEnum]] = {"quotations": m.QuotationStatus, "feasibility": m.QuotationStatus}


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
    problem+json ``{title, detail}`` and 422 ``{detail: [{loc, msg}]}``. Operations the message
    names are rewritten to pixorder calls (:func:`public_calls`).

    Args:
        provider: the provider's name (``"planet"``).
        status: the HTTP status.
        body: the decoded body (a JSON value, or the text when it was not JSON).
        headers: the response headers (``Retry-After`` is read for a 429).
        url: ``"<METHOD> <url>"`` of the request, named in a 404's message.

    Returns:
        ApiError: returned, not raised: ``AuthError`` (401, 403), ``NotFound`` (404, 410),
        ``Conflict`` (409), ``RateLimited`` (429, with ``retry_after`` in seconds),
        ``ProviderUnavailable`` (5xx), else ``ApiError``.

    >>> err = error_from_response("geopera", 422, {"detail": [{"loc": ["body", "groups", 0, "sensor"],
    ...                                                        "msg": "unknown sensor"}]}, {})
    >>> type(err).__name__, err.code, err.message
    ('ApiError', 'validation_error', 'groups.0.sensor: unknown sensor')
    >>> error_from_response("planet", 429, {"detail": "slow down"}, {"Retry-After": "2"}).retry_after
    2.0
    >>> error_from_response("pixxel", 404, {"error": {"code": "not_found", "message": "no such order"}}, {},
    ...                     url="GET https://api.pixxel.space/v0/orders/x")
    NotFound('pixxel HTTP 404 [not_found]: no such order (GET https://api.pixxel.space/v0/orders/x)')
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
    """The wait a ``Retry-After`` header asks for, in seconds.

    Args:
        headers: response headers (``Retry-After`` or ``retry-after``): seconds, or an HTTP date.

    Returns:
        float | None: seconds from now (≥ 0; a date in the past gives 0.0); None when the header
        is missing or unreadable.

    >>> retry_after_seconds({"Retry-After": "1.5"}), retry_after_seconds({"retry-after": "soon"})
    (1.5, None)
    >>> retry_after_seconds({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    0.0
    """
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

    Sans-IO: each operation returns a ``Call`` (what to send, how to read the answer) and sends
    nothing; ``prepare`` and ``deliveries`` take the client's ``send`` and issue their Calls through it.

    >>> from pixorder.providers.pixxel import PixxelAdapter
    >>> adapter = PixxelAdapter()
    >>> adapter.name, adapter.api_root, adapter.bulk_limit, adapter.name_limit
    ('pixxel', '/v0', 50, 100)
    >>> adapter.get_order("o-1").describe()
    'GET /v0/orders/o-1'
    >>> adapter.list_quotations({}, 0, 100)
    Traceback (most recent call last):
    ...
    pixorder.errors.NotSupported: pixxel does not support quotations.list(); prices come from pricing.estimate()
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
    #: archive requests per bulk pricing call (Geopera: 1, its archive estimate cannot tell requests apart)
    archive_bulk_limit: int = 1
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
        cls.archive_bulk_limit = info.archive_bulk_price_limit or info.bulk_price_limit
        cls.rate_limits = dict(info.rate_limits)
        cls.bulk_order_limit = info.bulk_order_limit

    #: rows per page for each listing (the API's maximum where it is generous)
    page_sizes: Mapping[str, int] = {}
    #: each listing's filters ("orders", "order_items", "tasks", "quotations", "feasibility"): every name
    #: it takes (pixorder's neutral names and the API's own, from its documents) → the name sent
    listing_filters: Mapping[str, Mapping[str, str]] = {}
    #: each listing's status words: per neutral word (``OrderStatus``; ``QuotationStatus`` for quotations
    #: and studies) the API's words that read as it, i.e. the inverse of how the adapter parses statuses.
    #: A neutral word missing is a status no row of that listing has at this API (see ``status_filter``)
    status_words: Mapping[str, Mapping[str, tuple[str, ...]]] = {}
    #: entities whose listings can skip models: raw rows → frame columns (see ``frame_columns``)
    fast_frames: frozenset[str] = frozenset()

    def auth_headers(self, api_key: str) -> dict[str, str]:
        """The request headers that carry ``api_key``, as this API spells them.

        Args:
            api_key: the provider's API key.

        Returns:
            dict: header name → value (``{"Authorization": …}``).

        Raises:
            NotImplementedError: on the bare base class; every provider's adapter overrides it.
        """
        raise NotImplementedError

    async def prepare(self, send: Callable[[Call[Any]], Awaitable[Any]]) -> None:
        """Read, once per client, what this API's payloads need from the account (a project, a
        bandset, a default sensor). The client runs this exactly once before the first call that
        builds a payload, however many calls start together. Default: nothing.

        Args:
            send: a coroutine function that sends a ``Call`` and returns what its ``parse`` gives
                (the client's ``send``, so the transport's retries and rate limits apply).

        Returns:
            None: what was read is kept on the adapter.

        Raises:
            ApiError: in an adapter that reads something, as ``send`` raises it (e.g. ``AuthError``).
        """

    def page_rows(self, body: Any) -> tuple[list[Mapping[str, Any]], int | None]:
        """The raw rows of a listing page and the total, for the fast frame path.

        Only for adapters whose ``fast_frames`` name the entity listed.

        Args:
            body: the decoded JSON of one listing page.

        Returns:
            tuple: the page's rows (JSON objects as sent) and the listing's total (None: not sent).

        Raises:
            NotImplementedError: the adapter has no fast frame path (the base class's default).
        """
        raise NotImplementedError

    def frame_columns(self, entity: str, rows: Sequence[Mapping[str, Any]]) -> tuple[dict[str, list[Any]], list[Any]]:
        """Frame columns and GeoJSON geometries straight from raw rows (same frame as via models).

        Args:
            entity: the listing's entity (``"order_items"``), one of ``fast_frames``.
            rows: raw rows from :meth:`page_rows`.

        Returns:
            tuple: column name → one value per row, and one GeoJSON geometry dict (or None) per row.

        Raises:
            NotImplementedError: the adapter has no fast frame path (the base class's default).
        """
        raise NotImplementedError

    def _unsupported(self, operation: str, instead: str) -> E.NotSupported:
        return E.NotSupported(self.name, operation, instead)

    def wire_filters(self, entity: str, filters: Mapping[str, Any]) -> dict[str, Any]:
        """A listing's filters under the names the API takes; a name it does not know is refused.

        Args:
            entity: the listing (``"orders"``, ``"order_items"``, ``"tasks"``, ``"quotations"``,
                ``"feasibility"``), a key of :attr:`listing_filters`.
            filters: filter name → value; None values are left out (no filter), never checked.

        Returns:
            dict: the API's filter name → the value as given (each adapter formats values).

        Raises:
            ValidationError: ``field`` the unknown filter's name; the rule names the listing and lists
                the filters it knows (the list facades call this before any network call).

        >>> from pixorder.providers.planet import PlanetAdapter
        >>> PlanetAdapter().wire_filters("orders", {"name": "field", "status": None})
        {'name__icontains': 'field'}
        >>> PlanetAdapter().wire_filters("orders", {"colour": "blue"})
        Traceback (most recent call last):
        ...
        pixorder.errors.ValidationError: colour: is not a filter of Planet's orders.list(); known filters: created_after, ...
        """
        known = self.listing_filters.get(entity, {})
        sent: dict[str, Any] = {}
        for name, value in filters.items():
            if value is None:
                continue
            if name not in known:
                label = self.info.label if self.info is not None else self.name
                raise E.ValidationError(name, f"is not a filter of {label}'s {entity}.list(); known filters: "
                                        f"{', '.join(sorted(known)) or 'none'}", value)
            sent[known[name]] = value
        return sent

    def status_filter(self, entity: str, value: Any) -> StatusFilter:
        """A ``status`` filter's words (pixorder's neutral ones or the API's own) as the API writes them.

        Each word (one, or a list; an enum or text) that is one of the API's own words for the listing
        (:attr:`status_words`, compared as the enums compare: case, ``-`` and spaces aside) is sent as it
        is. Any other is read as a neutral word (``OrderStatus``: ``"canceled"`` is CANCELLED) and
        replaced by every API word that reads as it, so the filter selects the rows whose neutral
        ``status`` is that word; a neutral word no API word reads as adds nothing. A word neither
        knows is sent as given, unless it is a letter or two off a known one (``"recieved"``: refused).

        Args:
            entity: the listing (``"orders"``, ``"order_items"``, ``"tasks"``, ``"quotations"``, …).
            value: the filter's value: a word or a list of words.

        Returns:
            StatusFilter: the words to send (each once, in order; empty when no row can match), the
            neutral words asked for and the words sent as given. An API whose words are broader than
            the neutral ones (Geopera's FAILED_PERMANENTLY is FAILED or CANCELLED) keeps only the rows
            ``StatusFilter.keeps``.

        Raises:
            ValidationError: ``status``: a word no vocabulary knows that is a letter or two off one that
                does (the message names it).

        >>> from pixorder.providers.geopera import GeoperaAdapter
        >>> wanted = GeoperaAdapter().status_filter("orders", ["received", "FULFILLED", "BEING_FULFILLED"])
        >>> wanted.words, sorted(wanted.statuses), sorted(wanted.as_given)
        (('CREATED', 'BEING_PLACED', 'FULFILLED', 'BEING_FULFILLED'), ['RECEIVED'], ['BEING_FULFILLED', 'FULFILLED'])
        >>> GeoperaAdapter().status_filter("orders", "DRAFT").words      # no Geopera order is ever DRAFT
        ()
        >>> GeoperaAdapter().status_filter("orders", "recieved")
        Traceback (most recent call last):
        ...
        pixorder.errors.ValidationError: status: is no status word; did you mean RECEIVED? (got 'recieved')
        """
        vocabulary = STATUS_VOCABULARIES.get(entity, m.OrderStatus)
        table_ = self.status_words.get(entity, {})
        own = {word for words in table_.values() for word in words}
        words: dict[str, None] = {}
        statuses: set[str] = set()
        given: set[str] = set()
        for item in value if isinstance(value, (list, tuple, set, frozenset)) else [value]:
            text = str(getattr(item, "value", item)).strip()
            key = m.OpenEnum.key(text)
            if key in own:
                words[key] = None
                given.add(key)
                continue
            neutral = vocabulary(text)
            if neutral.known:
                statuses.add(neutral.value)
                words.update(dict.fromkeys(table_.get(neutral.value, ())))
            else:
                # A word one letter off a known one ("recieved") matches no row: a typo, not a new status.
                import difflib

                known = sorted({*(v.value for v in vocabulary if v.known), *own})
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.8)
                if close:
                    raise E.ValidationError("status", f"is no status word; did you mean {close[0]}?", text)
                words[text] = None  # a word neither knows (a status the API added since): sent as given
                given.add(text)
        return StatusFilter(tuple(words), frozenset(statuses), frozenset(given))

    def validate(self, request: Request) -> None:
        """Refuse, before any call, a request this API is known to refuse.

        Here, from the provider's row of the provider table: a recurrence it does not order, a tasking
        window longer than it takes, an AOI whose parts lie further apart than it accepts; an adapter
        adds its own rules. The client calls it before pricing and placing;
        widgets call it to ask whether a request needs more (an imaging window).

        Args:
            request: a ``TaskingRequest`` or ``ArchiveRequest``.

        Returns:
            None: the request may be sent.

        Raises:
            ValidationError: ``recurrence`` the provider does not order; ``end``: a window too long;
                ``aoi``: parts too far apart; an adapter's own rules, naming the field and the rule.

        >>> import pixorder
        >>> from pixorder.providers.geopera import GeoperaAdapter
        >>> GeoperaAdapter().validate(pixorder.TaskingRequest(aoi="POINT (4 50)", start="2030-03-01",
        ...                                                   end="2030-03-21", recurrence="QUARTERLY", occurrences=2))
        Traceback (most recent call last):
        ...
        pixorder.errors.ValidationError: recurrence: Geopera orders ONCE or MONTHLY (got 'QUARTERLY')
        """
        info = self.info
        recurrence = getattr(request, "recurrence", None)
        if info is None or recurrence is None:  # no table row, or no tasking request
            return
        if recurrence.value not in info.recurrences:
            kinds = [r for r in info.recurrences if r != "RRULE"]
            offered = f"{', '.join(kinds[:-1])} or {kinds[-1]}" if len(kinds) > 1 else f"{kinds[0]} only"
            raise E.ValidationError("recurrence", f"{info.label} orders {offered}", recurrence.value)
        once = recurrence is m.Recurrence.ONCE
        span = (request.end - request.start).total_seconds() / 86400  # type: ignore[union-attr]
        for days, what in ((info.max_once_window_days if once else None, "one-off "), (info.max_window_days, "")):
            if days is not None and span > days:
                raise E.ValidationError("end", f"{info.label} tasks {what}windows of at most {days:g} days "
                                               f"(this one is {span:g} days)", iso_z(request.end))  # type: ignore[union-attr]
        if info.max_part_gap_km is not None and request.aoi.n_parts > 1 and \
                (gap := request.aoi.part_gap_km) > info.max_part_gap_km:
            raise E.ValidationError("aoi", f"parts are {gap:.1f} km apart; {info.label} accepts the parts of one AOI "
                                           f"at most {info.max_part_gap_km:g} km apart (AOI.check('{self.name}'))")

    # --- bulk create (orders.create_many); only for APIs with ``bulk_order_limit`` > 0 ----------
    def bulk_order_payload(self, request: Request, reference: str) -> dict[str, Any]:
        """One order payload of a bulk create, carrying ``reference`` like ``create_order`` does.

        Args:
            request: the request to place.
            reference: its client reference (``pxo-…``).

        Returns:
            dict: the JSON payload, as one entry of :meth:`submit_bulk`'s ``payloads``.

        Raises:
            NotSupported: the API has no bulk create (``bulk_order_limit`` is 0).
        """
        raise self._unsupported("bulk create", "orders.create_many() places the orders one by one")

    def submit_bulk(self, bulk_id: str, payloads: Sequence[Mapping[str, Any]]) -> Call[None]:
        """Submit a bulk create under a client-chosen id (a spend).

        Args:
            bulk_id: the id pixorder chose; the provider refuses a second bulk with it.
            payloads: at most ``bulk_order_limit`` payloads from :meth:`bulk_order_payload`.

        Returns:
            Call[None]: the submission; poll it with :meth:`get_bulk`.

        Raises:
            NotSupported: the API has no bulk create.
        """
        raise self._unsupported("bulk create", "orders.create_many() places the orders one by one")

    def get_bulk(self, bulk_id: str) -> Call[Job]:
        """Read the state of a bulk create.

        Args:
            bulk_id: the id given to :meth:`submit_bulk`.

        Returns:
            Call[Job]: ``done`` once the provider finished; ``counts`` its payload counts.

        Raises:
            NotSupported: the API has no bulk create.
        """
        raise self._unsupported("bulk create", "orders.create_many() places the orders one by one")

    def bulk_outcomes(self, bulk_id: str, offset: int, limit: int) -> Call[m.Page[BulkOutcome]]:
        """One page of what became of each payload of a bulk create.

        Args:
            bulk_id: the id given to :meth:`submit_bulk`.
            offset: payloads to skip.
            limit: payloads per page.

        Returns:
            Call[Page[BulkOutcome]]: one outcome per payload, ``index`` its position in the bulk.

        Raises:
            NotSupported: the API has no bulk create.
        """
        raise self._unsupported("bulk create", "orders.create_many() places the orders one by one")

    # --- multi-step reads: like ``prepare``, they get ``send`` and issue Calls through it ---------
    async def deliveries(self, order_id: str, send: Callable[[Call[Any]], Awaitable[Any]]) -> list[m.Delivery]:
        """Every delivered product of an order (see ``Deliveries.list``).

        Args:
            order_id: the provider's order id.
            send: a coroutine function that sends a ``Call`` (the client's ``send``).

        Returns:
            list[Delivery]: one per delivered product or capture; empty while nothing is delivered.

        Raises:
            NotSupported: the API has no deliveries (the base class's default).
        """
        raise self._unsupported("deliveries.list()", "read the order's status with orders.get()")

    def search_imaging_windows(self, request: m.TaskingRequest) -> Call[str]:
        """Start an imaging-window search (Planet Assured Tasking).

        Args:
            request: the tasking request whose AOI and window are searched.

        Returns:
            Call[str]: its result is the path to poll with :meth:`poll_imaging_windows`.

        Raises:
            NotSupported: the API has no imaging windows (the base class's default).
        """
        raise self._unsupported("imaging_windows.search()", "imaging windows are a Planet Assured Tasking "
                                "feature; price and order with a start and end instead")

    def poll_imaging_windows(self, path: str) -> Call[Job]:
        """Read the state of an imaging-window search.

        Args:
            path: the path :meth:`search_imaging_windows` gave.

        Returns:
            Call[Job]: ``result`` holds the ``ImagingWindow`` models once ``done``.

        Raises:
            NotSupported: the API has no imaging windows (the base class's default).
        """
        raise self._unsupported("imaging_windows.search()", "imaging windows are a Planet Assured Tasking "
                                "feature; price and order with a start and end instead")

    # --- operations; each returns a Call (or a list of Calls) ---------------------------------
    def sensors(self) -> Call[list[m.Sensor]]:
        """The orderable sensors or products.

        Returns:
            Call[list[Sensor]]: ``resolution_m`` is the GSD in metres, ``min_area_km2`` in km².

        Raises:
            NotSupported: the API has no catalogue of sensors.
        """
        raise self._unsupported("sensors()", "see the provider's product documentation")

    def price(self, requests: Sequence[Request], first_index: int = 0) -> Call[list[m.Quote]]:
        """Price requests in one call of the API's bulk form (not a spend).

        Args:
            requests: at most ``bulk_limit`` requests (``archive_bulk_limit`` of ``ArchiveRequest``; the
                client chunks longer lists, tasking and archive apart).
            first_index: the ``request_index`` of the first quote (the chunk's offset).

        Returns:
            Call[list[Quote]]: one quote per request, in request order; a request the answer leaves
            unpriced is a quote holding its ``error`` (a refusal of the whole call is ``send``'s ``ApiError``).

        Raises:
            NotSupported: the API has no pricing.
        """
        raise self._unsupported("pricing.estimate()", "no pricing endpoint")

    def refused_items(self, error: E.ApiError, count: int) -> dict[int, str]:
        """The requests of a bulk pricing call of ``count`` that ``error`` (the whole call's refusal)
        names, by position, with what it says of each: the client prices the others again without
        them, so one bad request does not cost its neighbours their prices. Default: none named.

        Args:
            error: the call's error answer (its ``body`` as received, redacted).
            count: how many requests the call carried.

        Returns:
            dict: position in the call → the refusal's words for that request (empty: none named).

        >>> Adapter().refused_items(E.ApiError("refused", provider="x", status=400), 3)
        {}
        """
        return {}

    def create_order(self, request: Request, *, reference: str, dry_run: bool = False) -> Call[m.Order]:
        """Place one order carrying ``reference`` (a spend), or preview it.

        Args:
            request: the tasking or archive request.
            reference: the client reference (``pxo-…``), carried in the order's name or tags.
            dry_run: True for a preview that places nothing (``Order.dry_run``).

        Returns:
            Call[Order]: ``spend=True`` unless ``dry_run``.

        Raises:
            NotSupported: the API cannot place orders.
        """
        raise self._unsupported("orders.create()", "order in the provider's web app")

    def find_by_reference(self, reference: str) -> Call[list[m.Order]]:
        """Look up the orders carrying ``reference`` in one call: what a placement whose answer was lost
        polls (the order, if placed, is among the newest).

        Args:
            reference: the client reference (``pxo-…``).

        Returns:
            Call[list[Order]]: the orders found (an API that can filter by the reference searches them
            all; one that cannot, the newest page); empty when none.

        Raises:
            NotSupported: the API cannot be searched for it.
        """
        raise self._unsupported("orders.reconcile()", "look the order up by hand")

    async def lookup_reference(self, reference: str, send: Callable[[Call[Any]], Awaitable[Any]]) -> list[m.Order]:
        """Every order carrying ``reference``, however old (``orders.reconcile``). Default: the one call
        of :meth:`find_by_reference`; an API that cannot filter by the reference pages through (Pixxel).

        Args:
            reference: the client reference (``pxo-…``).
            send: a coroutine function that sends a ``Call`` (the client's ``send``).

        Returns:
            list[Order]: the orders found; empty when the API has none.

        Raises:
            NotSupported: the API cannot be searched for it (or, Pixxel, not that deep).
            ApiError: as ``send`` raises it.
        """
        found: list[m.Order] = await send(self.find_by_reference(reference))
        return found

    def get_order(self, order_id: str) -> Call[m.Order]:
        """Read one order.

        Args:
            order_id: the provider's order id.

        Returns:
            Call[Order]: the order as the provider has it now.

        Raises:
            NotSupported: the API cannot read one order.
        """
        raise self._unsupported("orders.get()", "list orders instead")

    def list_orders(self, filters: Mapping[str, Any], offset: int, limit: int) -> Call[m.Page[m.Order]]:
        """One page of orders, newest first.

        Args:
            filters: neutral filter name → value (None values are left out).
            offset: rows to skip, from the newest.
            limit: rows per page.

        Returns:
            Call[Page[Order]]: the page's orders and the listing's ``total``.

        Raises:
            NotSupported: the API has no order listing.
        """
        raise self._unsupported("orders.list()", "no order listing")

    def edit_order(self, order_id: str, changes: Mapping[str, Any]) -> Call[m.Order | None]:
        """Change what the API lets change on an order.

        Args:
            order_id: the provider's order id.
            changes: field → new value.

        Returns:
            Call[Order | None]: the order, or None when the API answers without it (read it again).

        Raises:
            NotSupported: the API edits nothing.
        """
        raise self._unsupported("orders.edit()", "cancel and order again")

    def cancel_order(self, order_id: str) -> Call[m.Order | None]:
        """Cancel an order.

        Args:
            order_id: the provider's order id.

        Returns:
            Call[Order | None]: the order, or None when the API answers without it (read it again).

        Raises:
            NotSupported: the API has no cancel.
        """
        raise self._unsupported("orders.cancel()", "contact the provider's support")

    def list_order_items(
        self, filters: Mapping[str, Any], offset: int, limit: int
    ) -> Call[m.Page[m.OrderItem]]:
        """One page of order items (an order's AOIs, each priced and acquired on its own).

        Args:
            filters: neutral filter name → value (None values are left out).
            offset: rows to skip, from the newest.
            limit: rows per page.

        Returns:
            Call[Page[OrderItem]]: the page's items and the listing's ``total``.

        Raises:
            NotSupported: the API has no order items.
        """
        raise self._unsupported("order_items.list()", "use orders.list(); each order is one item")

    def list_tasks(self, filters: Mapping[str, Any], offset: int, limit: int) -> Call[m.Page[m.Task]]:
        """One page of acquisition tasks of tasking orders.

        Args:
            filters: neutral filter name → value (None values are left out).
            offset: rows to skip, from the newest.
            limit: rows per page.

        Returns:
            Call[Page[Task]]: the page's tasks and the listing's ``total``.

        Raises:
            NotSupported: the API has no tasks.
        """
        raise self._unsupported("tasks.list()", "use orders.get() and read its status")

    def list_quotations(
        self, filters: Mapping[str, Any], offset: int, limit: int
    ) -> Call[m.Page[m.Quotation]]:
        """One page of quotations (a price offered for an order, to accept or reject).

        Args:
            filters: neutral filter name → value (None values are left out).
            offset: rows to skip, from the newest.
            limit: rows per page.

        Returns:
            Call[Page[Quotation]]: the page's quotations and the listing's ``total``.

        Raises:
            NotSupported: the API has no quotations.
        """
        raise self._unsupported("quotations.list()", "prices come from pricing.estimate()")

    def decide_quotation(self, quotation_id: str, accept: bool) -> Call[m.Quotation]:
        """Accept (a spend) or reject a quotation.

        Args:
            quotation_id: the provider's quotation id.
            accept: True to accept, False to reject.

        Returns:
            Call[Quotation]: the quotation with its decision.

        Raises:
            NotSupported: the API has no quotations.
        """
        raise self._unsupported("quotations.decide()", "orders are priced up front")

    def check_feasibility(self, request: m.TaskingRequest) -> Call[list[m.FeasibilityStudy]]:
        """Ask whether a tasking request needs a feasibility study before it can be ordered.

        Args:
            request: the tasking request.

        Returns:
            Call[list[FeasibilityStudy]]: one row per AOI feature (``required``, ``reason``).

        Raises:
            NotSupported: the API has no feasibility check.
        """
        raise self._unsupported("feasibility.check()", "read the feasibility on the quote or order item")

    def list_feasibility(
        self, filters: Mapping[str, Any], offset: int, limit: int
    ) -> Call[m.Page[m.FeasibilityStudy]]:
        """One page of feasibility studies (options of acquisition, to choose one).

        Args:
            filters: neutral filter name → value (None values are left out).
            offset: rows to skip, from the newest.
            limit: rows per page.

        Returns:
            Call[Page[FeasibilityStudy]]: the page's studies and the listing's ``total``.

        Raises:
            NotSupported: the API has no feasibility studies.
        """
        raise self._unsupported("feasibility.list()", "read the feasibility on the quote or order item")

    def decide_feasibility(self, study_id: str, option_id: str) -> Call[m.FeasibilityStudy]:
        """Choose one option of a feasibility study (a spend).

        Args:
            study_id: the provider's study id.
            option_id: the id of one of the study's ``options``.

        Returns:
            Call[FeasibilityStudy]: the study with its decision.

        Raises:
            NotSupported: the API has no feasibility studies.
        """
        raise self._unsupported("feasibility.decide()", "no feasibility studies to decide")

