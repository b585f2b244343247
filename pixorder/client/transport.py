"""The only place that does I/O: auth, timeouts, retries with backoff, rate limits, redaction."""

from __future__ import annotations

import asyncio
import bisect
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import orjson

from pixorder import collector
from pixorder import errors as E
from pixorder.client.turns import TURN
from pixorder.providers.base import Adapter, Call, error_from_response, retry_after_seconds

T = TypeVar("T")
log = logging.getLogger("pixorder.http")

RETRY_STATUSES = frozenset({429, 502, 503, 504})
# A read may be retried on a 500 too: it changes nothing on the server.
READ_RETRY_STATUSES = RETRY_STATUSES | {500}
# Failures after which a request may or may not have been processed by the server: the whole request
# went out, and the answer did not come back (read timeout, connection dropped after sending).
_UNKNOWN_OUTCOME = (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError)
# Failures that prove the request never reached the point of processing: no connection, or the body
# was not fully written (a server cannot act on a request whose body it never had in full).
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout)


#: ``ApiError.code`` of a success answer whose body could not be read (the server did act).
UNREADABLE = "unreadable_response"


class OutcomeUnknown(Exception):
    """A spend call failed after it may have reached the server; the caller must reconcile.

    Raised by ``Transport.send`` for a spend call without an idempotency key after a read timeout, a
    connection dropped once the request was sent, or a 500/502/504; never reaches the user:
    ``orders.create`` looks the order up by its reference and raises ``AmbiguousSpend`` if it cannot tell.

    Args:
        cause: the failure (an ``httpx`` exception or the ``ApiError`` of the answer), kept as ``cause``.

    >>> import httpx
    >>> unknown = OutcomeUnknown(httpx.ReadTimeout("timed out"))
    >>> str(unknown), type(unknown.cause).__name__
    ('outcome unknown after ReadTimeout', 'ReadTimeout')
    """

    def __init__(self, cause: BaseException):
        super().__init__(f"outcome unknown after {type(cause).__name__}")
        self.cause = cause


#: a key at least this long is redacted wherever it appears, even inside a longer string; a shorter
#: one only where it stands alone (see :func:`redact`)
SUBSTRING_MIN = 8
#: the characters a short key's neighbours may not be for it to stand alone (those a key is made of)
_KEY_CHARS = r"A-Za-z0-9_\-"
_compiled: tuple[frozenset[str], re.Pattern[str] | None] = (frozenset(), None)


def _secrets_pattern() -> re.Pattern[str] | None:
    """One pattern for every registered secret (built again only when the set changed), longest first,
    so a key that contains a shorter one is hidden whole."""
    global _compiled
    secrets = frozenset(s for s in Redactor.secrets if s)
    if secrets != _compiled[0]:
        alternatives = [re.escape(s) if len(s) >= SUBSTRING_MIN else f"(?<![{_KEY_CHARS}]){re.escape(s)}(?![{_KEY_CHARS}])"
                        for s in sorted(secrets, key=len, reverse=True)]
        _compiled = (secrets, re.compile("|".join(alternatives)) if alternatives else None)
    return _compiled[1]


class Redactor(logging.Filter):
    """Replaces every registered secret in log records, whatever formatted them (see :func:`redact`).

    Installed on the ``pixorder.http`` logger; every ``Transport`` registers its API key in the
    class-wide ``secrets``, for the whole process.

    >>> import logging
    >>> Redactor.secrets.add("s3cr3t-key")
    >>> record = logging.LogRecord("pixorder.http", logging.DEBUG, __file__, 1, "sent %s", ("s3cr3t-key",), None)
    >>> Redactor().filter(record), record.getMessage()
    (True, 'sent ***')
    >>> Redactor.secrets.discard("s3cr3t-key")
    """

    secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        """Write the record's message with every secret as ``***`` (its ``args`` folded in).

        Args:
            record: the log record, changed in place.

        Returns:
            bool: always True (the record is kept).
        """
        if self.secrets:
            record.msg, record.args = redact(record.getMessage()), None
        return True


log.addFilter(Redactor())


def redact_json(value: Any) -> Any:
    """A decoded JSON body with every registered secret redacted (:func:`redact`) in its texts, keys included.

    Args:
        value: a JSON value (dict, list, str, number, bool or None).

    Returns:
        The same shape, its strings redacted; the input is not changed.

    >>> Redactor.secrets.add("s3cr3t-key")
    >>> redact_json({"message": "refused s3cr3t-key", "n": 1, "sent": ["s3cr3t-key"]})
    {'message': 'refused ***', 'n': 1, 'sent': ['***']}
    >>> Redactor.secrets.discard("s3cr3t-key")
    """
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {redact_json(k): redact_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    return value


def redact(text: str) -> str:
    """``text`` with every registered secret (the transports' API keys) replaced by ``***``.

    A key of :data:`SUBSTRING_MIN` (8) characters or more is replaced wherever it appears, even inside
    a longer string: real keys are long random strings (32 and more), which no ordinary text holds
    by chance, and a key glued to other characters (``token=x<key>``) must not show either. A shorter
    key (a test key such as ``"k"`` or ``"test"``) is replaced only where it stands alone, i.e. not
    between letters, digits, ``-`` or ``_``: that is how a key is ever written (a header value after
    ``api-key ``, a query value after ``=``, a JSON string in quotes), while the same few letters
    inside words ("api-key", "/tasking/") are left alone, since keys are registered for the whole
    process and would otherwise garble every log line and message.

    Args:
        text: any text, e.g. an error body about to go into a message.

    Returns:
        str: the text, redacted.

    >>> Redactor.secrets.update({"s3cr3t-key", "k"})
    >>> redact("Authorization: api-key s3cr3t-key"), redact("token=xs3cr3t-keyz")
    ('Authorization: api-key ***', 'token=x***z')
    >>> redact("Authorization: api-key k"), redact("GET /tasking/v2/orders/?api_key=k")
    ('Authorization: api-key ***', 'GET /tasking/v2/orders/?api_key=***')
    >>> Redactor.secrets.difference_update({"s3cr3t-key", "k"})
    """
    pattern = _secrets_pattern()
    return text if pattern is None else pattern.sub("***", text)


@dataclass
class RetryPolicy:
    """Exponential backoff with full jitter, capped; ``Retry-After`` wins when the server sends it.

    Args:
        attempts: tries in all, the first included (``connect(retries=…)``).
        base: seconds; the wait before attempt ``k + 1`` is uniform in ``[0, min(cap, base × 2^k)]``.
        cap: the longest wait, seconds.
        rng: the random source (seed it for repeatable waits).

    >>> import random
    >>> policy = RetryPolicy(base=0.2, rng=random.Random(1))
    >>> [round(policy.delay(k), 3) for k in range(5)]
    [0.027, 0.339, 0.611, 0.408, 1.585]
    >>> policy.delay(0, retry_after=2.5), policy.delay(0, retry_after=120)
    (2.5, 60.0)
    """

    attempts: int = 5
    base: float = 0.2
    cap: float = 8.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt ``attempt`` (0-based).

        Args:
            attempt: how many attempts failed before this one, minus one.
            retry_after: the server's ``Retry-After``, seconds (wins, at most 60 s).

        Returns:
            float: seconds.
        """
        if retry_after is not None:
            return min(retry_after, 60.0)
        return self.rng.uniform(0, min(self.cap, self.base * (2**attempt)))


class RateLimiter:
    """Spaces requests so that at most ``n`` start in any ``per`` seconds (a sliding log).

    A request holds its place in the log from its start until its answer is back (``finish``): a
    server counts a request when it arrives, which may be any time before the answer, so the next
    window's requests are held back until the ones they replace were surely counted. A request the
    server took long to reach (a queue at its gateway, a busy moment) can then never make the next
    ones look early.

    Args:
        n: requests allowed per window.
        per: the window, seconds.
        clock: monotonic seconds (a test gives a fake).
        sleep: how to wait (a coroutine function taking seconds).

    >>> import asyncio
    >>> now = [0.0]
    >>> async def sleep(seconds):          # a fake clock: sleeping moves it on
    ...     now[0] += seconds
    >>> limiter = RateLimiter(2, 1.0, clock=lambda: now[0], sleep=sleep)
    >>> async def five_starts():
    ...     starts = []
    ...     for _ in range(5):
    ...         stamp = await limiter.acquire()
    ...         starts.append(now[0])
    ...         limiter.finish(stamp)      # answered at once
    ...     return starts
    >>> asyncio.run(five_starts())          # two per second, each window 0.5 % longer
    [0.0, 0.0, 1.005, 1.005, 2.01]
    """

    #: each window is kept this much longer than published (a fraction of it): a request is counted
    #: until its answer is back, so the server surely counted it before; what is left to cover is
    #: two clocks' different rates, and a server that rounds its times
    SLACK = 0.005

    def __init__(self, n: int, per: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep):
        self.n, self.per = n, per * (1 + self.SLACK)
        self._starts: list[float] = []  # sorted: each request's start, or its answer's time once back
        self._lock = asyncio.Lock()
        self._waiting = 0  # requests waiting in acquire
        self._clock, self._sleep = clock, sleep

    async def acquire(self) -> float:
        """Wait until one more request may start now, and count it (callers queue in order).

        Returns:
            The request's stamp, to give to :meth:`finish` when its answer is back.
        """
        self._waiting += 1
        try:
            async with self._lock:
                while True:
                    now = self._clock()
                    self._starts = self._live(now)
                    if len(self._starts) < self.n:
                        bisect.insort(self._starts, now)
                        return now
                    await self._sleep(self.per - (now - self._starts[0]))
        finally:
            self._waiting -= 1

    def next_release(self) -> float | None:
        """When (``clock`` seconds) the next waiting request will be let go: None when none waits."""
        if not self._waiting:
            return None
        now = self._clock()
        live = self._live(now)
        return now if len(live) < self.n else live[0] + self.per

    def _live(self, now: float) -> list[float]:
        """The stamps still inside the window at ``now``, in order."""
        return [t for t in self._starts if now - t < self.per]

    def finish(self, stamp: float) -> None:
        """The request started at ``stamp`` has its answer: it counts from now on (see the class)."""
        position = bisect.bisect_left(self._starts, stamp)
        if position < len(self._starts) and self._starts[position] == stamp:
            del self._starts[position]
        bisect.insort(self._starts, max(stamp, self._clock()))


@dataclass
class Stats:
    """What the transport did: for the reliability figures and for a curious user.

    ``requests`` sent (retries included), ``retries``, ``by_status`` (HTTP status → count), ``errors``
    (exchanges that got no answer) and ``by_route``. ``client.transport.stats`` is the client's.

    >>> stats = Stats()
    >>> stats.count("GET", "/tasking/v2/orders/3f2b9c1e-0d1c-4e0a-9d55-1b2c3d4e5f60/")
    >>> stats.requests, stats.by_route
    (1, {'GET /tasking/v2/orders/{id}/': 1})
    """

    requests: int = 0
    retries: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    #: requests by "METHOD path", ids in the path written as {id} ("POST /tasking/v2/bulk/": 1)
    by_route: dict[str, int] = field(default_factory=dict)

    def count(self, method: str, path: str) -> None:
        """Count one request under its route (``method`` and ``path`` with ids as ``{id}``).

        Args:
            method: the HTTP method.
            path: the request path, ids included.
        """
        self.requests += 1
        route = f"{method} {route_of(path)}"
        self.by_route[route] = self.by_route.get(route, 0) + 1


_ID_SEGMENT = re.compile(r"^(?=.*\d)[0-9A-Za-z_-]{12,}$")


def route_of(path: str) -> str:
    """``path`` with its id segments (12+ characters with a digit) written ``{id}``.

    >>> route_of("/tasking/v2/bulk/3f2b9c1e-0d1c-4e0a-9d55-1b2c3d4e5f60/payloads/")
    '/tasking/v2/bulk/{id}/payloads/'
    """
    return "/".join("{id}" if _ID_SEGMENT.match(part) else part for part in path.split("/"))


class Transport:
    """Sends ``Call``s for one provider over one ``httpx.AsyncClient``.

    Adds the auth header, paces calls by the rate limits, retries what is safe to retry (with
    ``RetryPolicy``'s backoff and the server's ``Retry-After``), keeps ``stats``, and redacts the key
    from logs. Every client has one (``client.transport``).

    Args:
        adapter: the provider's adapter (auth header, rate limits, error bodies).
        api_key: the provider's key (registered with ``Redactor``).
        base_url: scheme and host the calls' paths are appended to.
        timeout: seconds, for each HTTP request.
        retry: the retry policy (default: 5 attempts, 0.2 s base).
        rate_limits: bucket → (requests, seconds); default the adapter's, ``{}`` for none.
        http: an ``httpx.AsyncClient`` to use (then not closed by ``aclose``).
        max_connections: the connection pool's size.

    >>> import asyncio
    >>> from pixorder import sandbox
    >>> from pixorder.client.core import make_adapter
    >>> server = sandbox.shared()
    >>> transport = Transport(make_adapter("planet"), server.keys["planet"], server.url, retry=RetryPolicy(attempts=1))
    >>> async def first_page_then_a_missing_order():
    ...     try:
    ...         page = await transport.send(transport.adapter.list_orders({}, 0, 1))
    ...         await transport.send(transport.adapter.get_order("no-such-order"))
    ...     finally:
    ...         await transport.aclose()
    >>> asyncio.run(first_page_then_a_missing_order())
    Traceback (most recent call last):
    ...
    pixorder.errors.NotFound: planet HTTP 404: Not found. (GET http://127.0.0.1:.../tasking/v2/orders/no-such-order/)
    >>> transport.stats.requests, transport.stats.by_status
    (2, {200: 1, 404: 1})
    """

    def __init__(
        self,
        adapter: Adapter,
        api_key: str,
        base_url: str,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        rate_limits: Mapping[str, tuple[int, float]] | None = None,
        http: httpx.AsyncClient | None = None,
        max_connections: int = 20,
    ):
        self.adapter = adapter
        self._api_key = api_key
        Redactor.secrets.add(api_key)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        limits = adapter.rate_limits if rate_limits is None else rate_limits
        self._limiters = {bucket: RateLimiter(n, per) for bucket, (n, per) in limits.items()}
        self._http = http
        self._owns_http = http is None
        # Requests beyond the pool's connections wait here, not in httpcore's queue, whose every
        # state change scans all queued requests against all connections (quadratic in the queue).
        self._in_flight = asyncio.Semaphore(max_connections)
        #: requests sent at once at most (the connection pool's size)
        self.max_in_flight = max_connections
        #: bulk bodies built and not yet answered, at most a pool's worth of them (``Pricing``): the
        #: bodies of ten thousand AOIs are built as connections come free, not all at once
        self.bodies = asyncio.Semaphore(max_connections)
        #: requests out now (sent, answer not yet in)
        self.out = 0
        #: requests another provider's turn let through, not yet answered and read (``turns.Turn``)
        self.pending = 0
        self._change: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None
        self.stats = Stats()
        #: how the waits between attempts are slept (a test gives a recording fake)
        self.sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep

    def __repr__(self) -> str:
        return f"<Transport {self.adapter.name} {self.base_url}>"

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=self.timeout,
                limits=httpx.Limits(max_connections=self.max_in_flight,
                                    max_keepalive_connections=self.max_in_flight),
            )
        return self._http

    async def aclose(self) -> None:
        """Close the connection pool it made (one given as ``http=`` is left open); a later send opens a new one."""
        if self._http is not None and self._owns_http:
            await self._http.aclose()
        self._http = None

    def changed(self) -> asyncio.Event:
        """An event set the next time a request goes out or its answer is in (``out`` or ``pending``
        changes)."""
        loop = asyncio.get_running_loop()
        if self._change is None or self._change[0] is not loop:
            self._change = (loop, asyncio.Event())
        return self._change[1]

    def _count_out(self, step: int) -> None:
        self.out += step
        self._pulse()

    def _count_pending(self, step: int) -> None:
        self.pending += step
        self._pulse()

    def _pulse(self) -> None:
        if self._change is not None:
            self._change[1].set()
            self._change = None

    def next_release(self) -> float | None:
        """When (monotonic seconds) the rate limits will let the next waiting request go; None if none waits."""
        times = [t for t in (limiter.next_release() for limiter in self._limiters.values()) if t is not None]
        return max(times) if times else None

    def least_seconds(self, calls: int, bucket: str = "default") -> float:
        """The least time the rate limits allow for ``calls`` requests of ``bucket`` (0 without limits).

        Args:
            calls: how many requests.
            bucket: the calls' rate-limit bucket (``Call.bucket``).

        Returns:
            Seconds: for each limit of ``n`` per ``per`` seconds that applies, ``(calls - 1) // n × per``,
            the largest of them.

        >>> from pixorder.providers.planet import PlanetAdapter
        >>> transport = Transport(PlanetAdapter(), "k", "http://127.0.0.1:9")   # 40/s and 300/min
        >>> transport.least_seconds(100), transport.least_seconds(10)
        (2.01, 0.0)
        """
        wanted = {"default", bucket}
        return max([(max(calls, 1) - 1) // limiter.n * limiter.per for name, limiter in self._limiters.items()
                    if name.split("/", 1)[0] in wanted], default=0.0)

    async def _limit(self, bucket: str) -> list[tuple[RateLimiter, float]]:
        """Wait for every limit that applies: the "default" bucket's and the call's own, each maybe
        with further limits named ``<bucket>/<…>`` (Planet: 40/s bursts and 300/min sustained).
        Returns the stamps to finish when the answer is back."""
        wanted = {"default", bucket}
        return [(limiter, await limiter.acquire()) for name, limiter in self._limiters.items()
                if name.split("/", 1)[0] in wanted]

    async def send(self, call: Call[T]) -> T:
        """Send ``call`` with retries; a spend call without an idempotency key is never resent blindly.

        Resent (after ``retry.delay``, up to ``retry.attempts`` in all): failures that never reached
        the server (refused connection, connect or pool timeout, body not fully written), read
        timeouts, dropped connections and the statuses 429, 500, 502, 503, 504. A spend call without
        an idempotency key is resent only for the first kind and 429/503: after a read timeout, a
        dropped connection or 500/502/504 it raises ``OutcomeUnknown``. A call carrying its ``answer``
        (the adapter knew it: a status filter no row can match) is not sent: its ``answer`` is parsed.

        Args:
            call: the adapter's description of the exchange (method, path, body, ``parse``, ``spend``).

        Returns:
            what ``call.parse`` makes of the answer.

        Raises:
            ApiError: an error answer, typed by status (``AuthError``, ``NotFound``, ``Conflict``,
                ``RateLimited``, ``ProviderUnavailable``) once retries are spent; also a success
                answer the adapter cannot read (``code`` ``"unreadable_response"``: the server acted).
            ProviderUnavailable: no connection, or timeouts, through every attempt.
            OutcomeUnknown: a spend call failed in a way that leaves unknown whether the server acted.
        """
        if call.answer is not None:
            return call.parse(call.answer, {})
        turn = TURN.get()
        if turn is None or turn.transport is self:
            return await self._send(call)
        # Another provider has its turn (price_plans): this call waits while this provider is ahead,
        # and counts as pending, answer read included, for the turn's cap on what is out.
        await turn.wait_for(self)
        self._count_pending(+1)
        try:
            return await self._send(call)
        finally:
            self._count_pending(-1)

    async def _send(self, call: Call[T]) -> T:
        idempotent = not call.spend or "Idempotency-Key" in call.headers
        attempt = 0
        while True:
            try:
                # The slot is taken when the request can go out at once (a connection is free): a
                # request counted at t but sent later would let the next window's first requests
                # reach the server inside this one.
                async with self._in_flight:
                    stamps = await self._limit(call.bucket)
                    self._count_out(+1)
                    try:
                        response = await self._exchange(call)
                    finally:
                        self._count_out(-1)
                        for limiter, stamp in stamps:
                            limiter.finish(stamp)
            except _NOT_SENT as exc:
                if attempt + 1 >= self.retry.attempts:
                    raise E.ProviderUnavailable(f"cannot reach {self.base_url}: {type(exc).__name__}",
                                                provider=self.adapter.name) from None
            except (*_UNKNOWN_OUTCOME, httpx.TimeoutException) as exc:
                if not idempotent:
                    raise OutcomeUnknown(exc) from None
                if attempt + 1 >= self.retry.attempts:
                    raise E.ProviderUnavailable(f"{call.describe()} failed: {type(exc).__name__}",
                                                provider=self.adapter.name) from None
            else:
                if response.status_code in call.expect:
                    return self._parse(call, response)
                retryable = READ_RETRY_STATUSES if idempotent else RETRY_STATUSES
                status = response.status_code
                if status not in retryable or attempt + 1 >= self.retry.attempts:
                    if not idempotent and status in (500, 502, 504):
                        # The request reached a server that failed; it may have acted before failing.
                        raise OutcomeUnknown(self._error(response))
                    raise self._error(response)
                if not idempotent and status != 429 and status != 503:
                    raise OutcomeUnknown(self._error(response))
                delay = self.retry.delay(attempt, retry_after_seconds(response.headers))
                await self.sleep(delay)
                attempt += 1
                self.stats.retries += 1
                continue
            await self.sleep(self.retry.delay(attempt))
            attempt += 1
            self.stats.retries += 1

    async def _exchange(self, call: Call[Any]) -> httpx.Response:
        headers = {**self.adapter.auth_headers(self._api_key), "Accept": "application/json", **call.headers}
        content = None
        if call.json is not None:
            content = orjson.dumps(call.json)  # several times faster than json.dumps on bulk bodies
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        self.stats.count(call.method, call.path)
        try:
            response = await self._client().request(
                call.method, self.base_url + call.path, params=call.params, content=content, headers=headers,
            )
        except httpx.HTTPError as exc:
            self.stats.errors += 1
            log.debug("%s %s %s → %s", self.adapter.name, call.method, call.path, type(exc).__name__)
            raise
        _release(response)
        elapsed = (time.perf_counter() - started) * 1000
        self.stats.by_status[response.status_code] = self.stats.by_status.get(response.status_code, 0) + 1
        log.debug("%s %s %s → %s in %.0f ms", self.adapter.name, call.method, call.path, response.status_code,
                  elapsed)
        return response

    def _parse(self, call: Call[T], response: httpx.Response) -> T:
        # Decoded and read with the cycle collector paused (pixorder.collector): a JSON tree holds no
        # cycle, and what the adapter does not keep of it is freed by reference counting before the
        # collector is back.
        with collector.paused():
            body = _decode(response)
            try:
                result = call.parse(body, response.headers)
            except E.PixorderError:
                raise
            except Exception as exc:  # a payload the adapter cannot read must still give a typed error
                raise E.ApiError(
                    f"{call.describe()} answered {response.status_code} with a body pixorder cannot read "
                    f"({type(exc).__name__}: {redact(str(exc))[:200]})",
                    provider=self.adapter.name, status=response.status_code, code=UNREADABLE,
                    body=redact_json(body),
                ) from None
            del body
        return result

    def _error(self, response: httpx.Response) -> E.ApiError:
        request = response.request
        # A provider may echo the key it refused: the body is redacted before it becomes an error.
        return error_from_response(self.adapter.name, response.status_code, redact_json(_decode(response)),
                                   response.headers, url=f"{request.method} {request.url.copy_with(query=None)}")


def _release(response: httpx.Response) -> None:
    """Break httpx 0.28's cycle between a read response and its stream (``BoundAsyncStream._response``,
    encode/httpx#3733), so that the response and its body are freed as soon as pixorder drops them
    instead of at the next pass of the cycle collector, which pricing pauses (pixorder.collector):
    400 answers of 300 kB would otherwise all stay alive until the pricing ends. The response has been
    read and closed (``elapsed`` is set), so its stream is not used again."""
    stream = getattr(response, "stream", None)
    if response.is_closed and getattr(stream, "_response", None) is response:
        stream._response = None  # type: ignore[union-attr]


def _decode(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return orjson.loads(response.content)  # 3-4× json.loads on big listing pages
    except orjson.JSONDecodeError:
        return redact(response.text[:2000])

