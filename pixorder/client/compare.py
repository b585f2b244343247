"""compare(): the same AOIs priced by several providers at once, side by side, for every sensor if asked.

The engine behind it (:func:`price_jobs`) also serves ``pixorder.sweep`` and ``pixorder.budget``:
a list of jobs (provider, request, the row's own columns) is priced with each API's bulk form,
grouped by provider and sensor, all providers concurrently, and comes back as one tidy frame.
compare() itself runs it provider by provider (:func:`price_plans`): the most rate-limited provider's
calls go out first, and each provider's rows are framed while the others still wait on their limits.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from pixorder import collector
from pixorder import errors as E
from pixorder import models as m
from pixorder.client.core import AsyncClient, connection_for, error_quote, source_of
from pixorder.client.sync import Client, run_sync
from pixorder.client.turns import TURN, Turn
from pixorder.frames import part_rows
from pixorder.providers import table
from pixorder.providers._wire import iso_z
from pixorder.providers.base import Request

if TYPE_CHECKING:
    import geopandas

DEFAULT_PROVIDERS = table.NAMES
#: length of the window ``compare(aoi)`` uses when the request names none
DEFAULT_WINDOW = timedelta(days=30)
#: the dtypes of the sensor capability columns ``jobs_frame`` adds (``explore.needs.capabilities``)
CAPABILITY_DTYPES = {"sensor_name": "string", "product_type": "string", "resolution_m": "float64",
                     "n_bands": "Int64", "bands": "string", "hyperspectral": "boolean"}
#: seconds ``price_plans`` waits for a provider's first call to go out before starting the next one
FIRST_CALL_WAIT = 0.05
#: the columns ``jobs_for`` tags each job with
JOB_TAGS = ("aoi_index", "aoi_id", "window_start", "window_end")


def provider_list(providers: Any) -> list[Any]:
    """``providers`` as a list: names, clients, or a comma-separated string of names.

    Args:
        providers: ``"planet,geopera"``, a list of names and/or ``Client``/``AsyncClient`` objects,
            or one client.

    Returns:
        list: the names (str) and clients, in the order given.

    Raises:
        ValidationError: not names or clients (``providers=3``), nothing named, a name that is not a
            provider of the table (in any case), or a name given twice.

    >>> provider_list("Planet, geopera")
    ['planet', 'geopera']
    >>> provider_list("planet,planet")
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: providers: must name each provider once (got 'planet')
    >>> provider_list("planet,nasa")
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: providers: each must be one of pixxel, planet, geopera or a Client (got 'nasa')
    """
    if isinstance(providers, str):
        names: list[Any] = [p.strip() for p in providers.split(",") if p.strip()]
    elif isinstance(providers, (Client, AsyncClient)):
        names = [providers]
    elif isinstance(providers, Iterable) and not isinstance(providers, (bytes, Mapping)):
        names = list(providers)  # a list, a tuple, clients.values(), a generator
    else:
        raise E.ValidationError("providers", f"must be names ({', '.join(table.NAMES)}), a comma-separated "
                                             "string of them, or Clients", providers)
    if not names:
        raise E.ValidationError("providers", f"must name at least one of {', '.join(table.NAMES)}", providers)
    # A name is read as the table spells it ("Planet" is planet); a client is taken as it is.
    names = [n.strip().lower() if isinstance(n, str) else n for n in names]
    for name in names:
        if not isinstance(name, (Client, AsyncClient)) and name not in table.PROVIDERS:
            raise E.ValidationError("providers", f"each must be one of {', '.join(table.NAMES)} or a Client",
                                    name)
    twice = sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})
    if twice:  # every row would come twice, each priced again
        raise E.ValidationError("providers", "must name each provider once", ", ".join(twice))
    return names


def _client_for(provider: Any, options: Mapping[str, Any]) -> tuple[AsyncClient, bool]:
    """An AsyncClient for a name or an existing client; True when compare() owns (and closes) it."""
    if isinstance(provider, Client):
        return provider.aio, False
    if isinstance(provider, AsyncClient):
        return provider, False
    return AsyncClient(**connection_for(provider), progress=False, **options), True


@asynccontextmanager
async def clients_for(providers: Any, options: Mapping[str, Any] | None = None) -> AsyncIterator[list[AsyncClient]]:
    """The clients for ``providers`` (names, a comma-separated string or clients); the ones made here
    are closed on the way out, the user's own are left open.

    >>> import asyncio
    >>> async def providers_used():
    ...     async with clients_for("planet,geopera") as clients:
    ...         return [c.provider for c in clients]
    >>> asyncio.run(providers_used())
    ['planet', 'geopera']
    """
    made = [_client_for(p, options or {}) for p in provider_list(providers)]
    try:
        yield [client for client, _ in made]
    finally:
        for client, owned in made:
            if owned:
                await client.aclose()


def aoi_list(aois: Any) -> tuple[list[Any], list[Any]]:
    """``(AOIs, ids)``: one AOI per item, or per row of a (Geo)DataFrame / GeoSeries (its index kept as
    the id, or its ``id`` column), each read the way ``AOI`` reads it (``pixorder.aoi.as_aois``).

    Args:
        aois: one AOI or anything ``AOI()`` accepts, a list of them, a GeoDataFrame / GeoSeries in
            any CRS, or a file of fields (one AOI per feature: ``pixorder.aoi.file_aois``).

    Returns:
        tuple: ``(list of AOI, list of ids)``; the ids are None unless a frame gave them (its index or
        ``id`` column) or a file of several features (each feature's name).

    Raises:
        ValidationError: an AOI that cannot be read (from ``as_aois``).

    Warns:
        PixorderWarning: AOIs over ``aoi.rules.LARGE_AOI_KM2`` (5,000 km²): priced, since no provider
        publishes a maximum, but seldom meant (half a country drawn by a slip of the mouse).

    >>> aois, ids = aoi_list(["POINT (4.35 50.85)", "POINT (5.45 52.5)"])
    >>> [round(a.area_km2) for a in aois], ids
    ([25, 25], [None, None])
    >>> import geopandas, shapely
    >>> fields = geopandas.GeoDataFrame({"id": ["field-1"]}, geometry=[shapely.box(4.35, 50.85, 4.37, 50.87)],
    ...                                 crs="EPSG:4326")
    >>> aoi_list(fields)[1]
    ['field-1']
    """
    from pixorder.aoi import as_aois
    from pixorder.aoi.coerce import is_geopandas
    from pixorder.aoi.core import _is_file
    from pixorder.aoi.rules import LARGE_AOI_KM2

    # One AOI per list item or frame row (in the frame's own CRS), else one: the same way in as AOI().
    items = as_aois(aois)
    if is_geopandas(aois):  # the rows as_aois made one AOI each
        ids = list(aois["id"]) if hasattr(aois, "columns") and "id" in aois.columns else list(aois.index)
    elif _is_file(aois) and len(items) > 1:  # a file of fields: each feature's name (as_aois names them)
        ids = [a.name for a in items]
    else:
        ids = [None] * len(items)
    large = [i for i, a in enumerate(items) if a.area_km2 > LARGE_AOI_KM2]
    if large:  # priced all the same (no provider publishes a maximum), but said: it is seldom meant
        import warnings

        biggest = max(large, key=lambda i: items[i].area_km2)
        warnings.warn(f"{len(large)} AOI(s) over {LARGE_AOI_KM2:,.0f} km², the largest {items[biggest].area_km2:,.0f} km² "
                      f"(aoi_index {biggest}): far more than providers task in one order (AOI.check() says "
                      "more); check the AOI, or split it", E.PixorderWarning, stacklevel=3)
    return items, ids


def request_template(request: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """The request's fields common to every provider (the AOI and sensor come per row).

    Args:
        request: a ``TaskingRequest`` (the fields the user set, plus ``start``/``end``), a dict of
            its fields, or None.
        params: more fields (``compare``'s keyword arguments); they win over ``request``'s.

    Returns:
        dict: field → value, without ``aoi``.

    Raises:
        ValidationError: ``request`` is none of these; a ``sensor`` (sensors are chosen per provider,
            with ``sensors=``: one id for all was dropped without a word before).

    >>> request_template({"start": "2030-03-01"}, {"cloud_cover": 10})
    {'start': '2030-03-01', 'cloud_cover': 10}
    >>> request_template({"start": "2030-03-01"}, {"sensor": "all"})
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: sensor: is chosen per provider here: pass sensors= (an id or a list of ids, {provider: id}, or "all") (got 'all')
    >>> request_template("tomorrow", {})
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: request: must be a TaskingRequest, a dict of its fields, or None (got 'tomorrow')
    """
    template: dict[str, Any] = {}
    if isinstance(request, m.TaskingRequest):
        template = request.model_dump(exclude={"aoi"}, exclude_none=True, exclude_defaults=False)
        template = {k: v for k, v in template.items() if k in request.model_fields_set or k in ("start", "end")}
    elif isinstance(request, Mapping):
        template = dict(request)
    elif request is not None:
        raise E.ValidationError("request", "must be a TaskingRequest, a dict of its fields, or None", request)
    template.update(params)
    sensor = template.pop("sensor", None)
    if sensor is not None:  # one id for every provider: a slip for sensors=
        raise E.ValidationError("sensor", "is chosen per provider here: pass sensors= (an id or a list of ids, "
                                          "{provider: id}, or \"all\")", sensor)
    template.pop("aoi", None)
    return template


async def provider_now(client: AsyncClient) -> datetime:
    """Now as the provider sees it: the sandbox's own clock (which a user may advance), else UTC.

    Args:
        client: the provider's client.

    Returns:
        datetime: tz-aware UTC (the machine's clock for a live API, or a sandbox without its admin API).

    >>> import asyncio, pixorder
    >>> asyncio.run(provider_now(pixorder.AsyncClient("sandbox", api="planet"))).tzinfo
    datetime.timezone.utc
    """
    if client.is_sandbox:
        from pixorder.sandbox import Sandbox

        handle = client.sandbox or Sandbox(client.base_url)
        try:
            return await asyncio.to_thread(handle.now)
        except Exception:  # noqa: BLE001 - a sandbox without the admin API: real time is close enough
            pass
    return datetime.now(timezone.utc)


async def window_for(client: AsyncClient, template: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """The template with a start and end: the user's, or the default window (True) that starts at
    the provider's minimum lead time, on the hour, and lasts :data:`DEFAULT_WINDOW`.

    A template with only ``start`` ends :data:`DEFAULT_WINDOW` after it (not a default window); one with
    only ``end`` starts at the provider's earliest start (a default start: True).

    Args:
        client: the provider's client (its adapter's ``min_lead_hours``; the sandbox's clock).
        template: request fields, as ``request_template`` makes them.

    Returns:
        tuple: ``(fields with start and end, True when the default window was used)``.

    Raises:
        ValidationError: ``end``: the window has ended by the provider's clock (the sandbox's own, which
            a user may have moved on); ``start``/``end`` that ``TaskingRequest`` refuses.

    >>> import asyncio, pixorder
    >>> client = pixorder.AsyncClient("sandbox", api="planet")
    >>> fields, default = asyncio.run(window_for(client, {"cloud_cover": 10}))
    >>> default, fields["end"] - fields["start"], fields["start"].minute
    (True, datetime.timedelta(days=30), 0)
    >>> asyncio.run(window_for(client, {"start": "2030-03-01", "end": "2030-03-21"}))
    ({'start': '2030-03-01', 'end': '2030-03-21'}, False)
    >>> asyncio.run(window_for(client, {"start": "2020-03-01", "end": "2020-03-21"}))
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: end: must be in the future: planet's time is now ... UTC (got '2020-03-21T00:00:00Z')
    """
    point = {"type": "Point", "coordinates": [0, 0]}  # the window's fields read as a request reads them
    if template.get("start") is None and template.get("end") is not None:
        # Until a given end: from the provider's earliest start (the end was dropped before).
        start = await earliest_start(client)
        end = m.TaskingRequest(aoi=point, start=datetime(1970, 1, 1, tzinfo=timezone.utc), end=template["end"]).end
        if end <= start:
            raise E.ValidationError("end", f"must be after the window's start: {client.provider}'s earliest is "
                                           f"{start:%Y-%m-%d %H:%M} UTC (give start= too)", iso_z(end))
        return {**template, "start": start, "end": end}, True
    if template.get("start") is not None:
        has_end = template.get("end") is not None
        given = m.TaskingRequest(aoi=point, start=template["start"],
                                 end=template["end"] if has_end else datetime(9999, 1, 1, tzinfo=timezone.utc))
        end = given.end if has_end else given.start + DEFAULT_WINDOW
        now = await provider_now(client)
        if end <= now:  # a past window: some providers price it as if it were not, some refuse it
            field, value = ("end", end) if has_end else ("start", given.start)  # the one the user gave
            raise E.ValidationError(field, f"must be in the future: {client.provider}'s time is now "
                                           f"{now:%Y-%m-%d %H:%M} UTC", iso_z(value))
        lead = timedelta(hours=client.adapter.min_lead_hours)
        if given.start < now + lead:  # priced by some, but no order could be placed for such a start
            import warnings

            where = f"in the past ({client.provider}'s time is now {now:%Y-%m-%d %H:%M} UTC)" if given.start < now \
                else f"within {client.provider}'s minimum lead time of {client.adapter.min_lead_hours:g} h"
            warnings.warn(f"start {iso_z(given.start)} is {where}: an order could not be placed for it (leave start "
                          "out for each provider's earliest)", E.PixorderWarning, stacklevel=3)
        return (dict(template) if has_end else {**template, "end": end}), False
    start = await earliest_start(client)
    return {**template, "start": start, "end": start + DEFAULT_WINDOW}, True


async def earliest_start(client: AsyncClient) -> datetime:
    """The first whole hour a window may start at the provider: its minimum lead time (with an hour to
    spare) from now as the provider sees it (:func:`provider_now`).

    >>> import asyncio, pixorder
    >>> async def first_start():
    ...     async with pixorder.AsyncClient("sandbox", api="planet", progress=False) as client:
    ...         return await earliest_start(client)
    >>> asyncio.run(first_start()).minute
    0
    """
    lead = await provider_now(client) + timedelta(hours=client.adapter.min_lead_hours + 1)
    return lead.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


@dataclass
class Job:
    """One row to price: a provider's request and the columns the row carries besides the quote.

    Args:
        client: the provider's ``AsyncClient``.
        request: the ``TaskingRequest`` to price.
        tags: the row's own columns (``aoi_index``, ``aoi_id``, a sweep's value, …).
        sensor: the catalogue's ``Sensor``, whose capabilities (GSD, bands) become columns.

    >>> import asyncio, pixorder
    >>> client = pixorder.AsyncClient("sandbox", api="planet", progress=False)
    >>> request = pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21")
    >>> jobs = [Job(client, request, {"aoi_index": 0, "cloud_cover": 20}),
    ...         Job(client, request.model_copy(update={"cloud_cover": 5}), {"aoi_index": 0, "cloud_cover": 5})]
    >>> frame = jobs_frame(jobs, asyncio.run(price_jobs(jobs)))
    >>> frame[["cloud_cover", "amount", "unit"]].to_dict("records")
    [{'cloud_cover': 20, 'amount': 25.0, 'unit': 'SQKM'}, {'cloud_cover': 5, 'amount': 25.0, 'unit': 'SQKM'}]
    """

    client: AsyncClient
    request: m.TaskingRequest
    tags: dict[str, Any] = field(default_factory=dict)
    sensor: m.Sensor | None = None


def jobs_for(client: AsyncClient, aois: Sequence[Any], ids: Sequence[Any], chosen: Sequence[m.Sensor | None],
             fields: Mapping[str, Any], offset: int = 0) -> list[Job]:
    """One job per AOI and sensor, AOI by AOI (each AOI's sensors in catalogue order).

    One request is validated per sensor; each AOI gets a copy of it (``request.with_aoi``), so ten
    thousand AOIs cost one validation, not ten thousand.

    Args:
        client: the provider's client.
        aois: ``AOI`` objects (``as_aois``); ids: the id of each (or None), kept in the ``aoi_id`` tag.
        chosen: the sensors to price (``None``: the provider's default).
        fields: the request fields besides ``aoi`` and ``sensor`` (``start``, ``end``, …).
        offset: the ``aoi_index`` of ``aois[0]`` (a slice of a longer list).

    Returns:
        ``len(aois) × len(chosen)`` jobs tagged ``aoi_index``, ``aoi_id``, ``window_start``, ``window_end``.

    Raises:
        pixorder.ValidationError: a request field is refused (named as ``TaskingRequest`` names it).

    >>> import asyncio, pixorder
    >>> from pixorder.aoi import as_aois
    >>> client = pixorder.AsyncClient("sandbox", api="planet", progress=False)
    >>> aois = as_aois([{"type": "Point", "coordinates": [10, 50]}, {"type": "Point", "coordinates": [11, 50]}])
    >>> jobs = jobs_for(client, aois, [None, None], [None], {"start": "2030-01-01", "end": "2030-01-21"})
    >>> [(j.tags["aoi_index"], round(j.request.aoi.area_km2)) for j in jobs]
    [(0, 25), (1, 25)]
    >>> asyncio.run(client.aclose())
    """
    jobs: list[Job] = []
    for picked in chosen:
        request_of = m.TaskingRequest(aoi=aois[0], sensor=picked.id if picked else None, **fields)
        capability = picked if picked and picked.raw else None
        for index, (aoi, aoi_id) in enumerate(zip(aois, ids)):
            request = request_of if index == 0 else request_of.with_aoi(aoi)
            tags = dict(zip(JOB_TAGS, (offset + index, aoi_id, request_of.start, request_of.end)))
            jobs.append(Job(client, request, tags, capability))
    jobs.sort(key=lambda job: job.tags["aoi_index"])
    return jobs


def least_seconds(client: AsyncClient, jobs: int) -> float:
    """The least time ``client``'s rate limits allow for pricing ``jobs`` requests in bulk calls of its
    ``bulk_limit`` (``Transport.least_seconds``): the order in which ``price_jobs`` and ``price_plans``
    start their groups, longest first.

    >>> import pixorder
    >>> least_seconds(pixorder.AsyncClient("planet", api_key="k"), 10_000)   # 100 calls at 40/s
    2.01
    """
    return client.transport.least_seconds(-(-jobs // client.adapter.bulk_limit))


async def price_jobs(jobs: Sequence[Job]) -> list[m.Quote]:
    """Every job priced, in order: one bulk pricing per provider and sensor (chunked by the API's
    limits), all concurrently; a group the API refuses gives its rows the error, never an exception.

    Args:
        jobs: the rows to price (each client must be open; the caller closes it).

    Returns:
        list[Quote]: one per job, in job order; a refused row holds its ``error`` (a multi-part AOI at
        Planet: the parts' total, holding its ``parts``).

    >>> import asyncio, pixorder
    >>> client = pixorder.AsyncClient("sandbox", api="planet", progress=False)
    >>> window = {"start": "2030-03-01", "end": "2030-03-21"}
    >>> jobs = [Job(client, pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", **window)),
    ...         Job(client, pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", sensor="no-such-product", **window))]
    >>> [(q.amount, q.error is None) for q in asyncio.run(price_jobs(jobs))]
    [(25.0, True), (None, False)]
    """
    groups: dict[tuple[int, str | None], list[int]] = {}
    for i, job in enumerate(jobs):
        groups.setdefault((id(job.client), job.request.sensor), []).append(i)
    quotes: list[m.Quote | None] = [None] * len(jobs)

    async def run(positions: list[int]) -> None:
        client = jobs[positions[0]].client
        batch: list[Request] = [jobs[i].request for i in positions]
        try:
            priced = await client.pricing._estimate_parts(batch)  # a multi-part AOI part by part at Planet
        except E.PixorderError as exc:
            priced = [error_quote(client.provider, r, exc) for r in batch]
        for position, quote in zip(positions, priced):
            # The id the user asked for names the row (Pixxel answers with the bandset's image type).
            quote.sensor = jobs[position].request.sensor or quote.sensor
            quotes[position] = quote

    # The group whose calls the rate limits spread over the longest time starts first: its first
    # calls are not held back behind the others' payloads.
    order = sorted(groups.values(), key=lambda p: least_seconds(jobs[p[0]].client, len(p)), reverse=True)
    # The collector is paused while the quotes come in (pixorder.collector): thousands of answers,
    # payloads and quotes, none in a cycle, and every pass over them would find nothing. The pause
    # lasts the pricing (seconds; minutes for a rate-limited run of 100,000 AOIs), in which the cyclic
    # garbage made is a few hundred objects.
    with collector.paused():
        await asyncio.gather(*(run(p) for p in order))
    return [q for q in quotes if q is not None]


def jobs_frame(jobs: Sequence[Job], quotes: Sequence[m.Quote],
               keys: Sequence[str] | None = None) -> geopandas.GeoDataFrame:
    """Quotes as a frame, each row with its job's columns and its sensor's capabilities.

    Args:
        jobs: the priced jobs.
        quotes: ``price_jobs(jobs)``, in the same order.
        keys: the job columns to make, in order (a row without one holds None); default: those the
            jobs' tags and sensors give, in the order they first appear. Frames of several lists of
            jobs given the same ``keys`` have the same columns (``price_plans``).

    Returns:
        GeoDataFrame: the ``quotes`` frame (without ``request_index``) with ``aoi_index``, ``aoi_id``
        and the sensor's ``sensor_name``, ``product_type``, ``resolution_m`` (GSD, m), ``n_bands``,
        ``bands``, ``hyperspectral`` after ``provider``, then the other tags (``window_start``/
        ``window_end`` as UTC datetimes); a multi-part quote's part rows carry the job's tags too.

    >>> import asyncio, pixorder
    >>> client = pixorder.AsyncClient("sandbox", api="planet", progress=False)
    >>> jobs = [Job(client, pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21"),
    ...             {"aoi_index": 0, "aoi_id": "field-1"})]
    >>> frame = jobs_frame(jobs, asyncio.run(price_jobs(jobs)))
    >>> frame.columns[:4].tolist(), frame["amount"].tolist()
    (['provider', 'aoi_index', 'aoi_id', 'sensor'], [25.0])
    """
    from pixorder.explore.needs import capabilities
    from pixorder.frames import quotes_frame, typed_column

    # Each row's shape is its request's AOI (a part's, for the part rows): taken as the AOI holds it.
    shapes = [shape for job, quote in zip(jobs, quotes)
              for shape in (*(part.geometry for part in quote.parts), job.request.aoi.geometry)]
    frame = quotes_frame(quotes, geometry=shapes).drop(columns="request_index")
    known: dict[int, dict[str, Any]] = {}  # each sensor's capabilities, worked out once

    def columns_of(job: Job) -> dict[str, Any]:
        if job.sensor is None:
            return job.tags
        if id(job.sensor) not in known:
            known[id(job.sensor)] = capabilities(job.sensor)
        return {**job.tags, **known[id(job.sensor)]}

    # quotes_frame shows a multi-part quote's parts, then its total: the job's columns on each of them.
    rows = [row for job, quote in zip(jobs, quotes) for row in [columns_of(job)] * (len(quote.parts) + 1)]
    if keys is None:
        keys = list(dict.fromkeys(key for row in rows for key in row))
    extra: dict[str, list[Any]] = {key: [row.get(key) for row in rows] for key in keys}
    position = 1
    for key in ("aoi_index", "aoi_id", "sensor_name", "product_type", "resolution_m", "n_bands", "bands",
                "hyperspectral"):
        if key in extra:
            frame.insert(position, key, extra.pop(key))
            position += 1
    for key, values in extra.items():
        frame[key] = values
    for key in ("window_start", "window_end"):
        if key in frame.columns:  # datetime64[ns, UTC], as every datetime column of pixorder's frames
            frame[key] = typed_column("dt", frame[key].tolist())
    # The capability columns' dtypes are fixed, not inferred from the values: a frame whose rows all
    # lack them (a provider's default sensor) has the dtypes of one that has them.
    for key, dtype in CAPABILITY_DTYPES.items():
        if key in frame.columns:
            frame[key] = frame[key].astype(dtype)
    return frame


@dataclass
class Plan:
    """One provider's share of a comparison; its jobs are made slice by slice when its turn comes
    (``price_plans``).

    Args:
        client: the provider's client.
        aois: how many AOIs it prices; sensors: how many sensors each (the calls they need decide the turn).
        build: ``build(start, stop)`` makes the jobs of AOIs ``start`` to ``stop`` (``jobs_for``), AOI by AOI.
        keys: the job columns they give (``job_columns``).

    >>> import pixorder
    >>> from pixorder.aoi import as_aois
    >>> client = pixorder.AsyncClient("sandbox", api="planet", progress=False)
    >>> aois = as_aois(["POINT (4.35 50.85)", "POINT (5.45 52.5)"])
    >>> window = {"start": "2030-03-01", "end": "2030-03-21"}
    >>> plan = Plan(client, len(aois), 1, lambda start, stop: jobs_for(client, aois[start:stop], [None, None][start:stop],
    ...                                                                [None], window, offset=start), JOB_TAGS)
    >>> [job.tags["aoi_index"] for job in plan.build(1, 2)], plan.count, plan.keys
    ([1], 2, ('aoi_index', 'aoi_id', 'window_start', 'window_end'))
    """

    client: AsyncClient
    aois: int
    sensors: int
    build: Callable[[int, int], list[Job]]
    keys: tuple[str, ...]

    @property
    def count(self) -> int:
        """How many jobs the plan makes (AOIs × sensors)."""
        return self.aois * self.sensors

    def calls(self, aois: int | None = None) -> int:
        """How many bulk calls its jobs need (a multi-part AOI's parts aside): of all its AOIs, or of
        ``aois`` of them (a slice)."""
        return self.sensors * -(-(self.aois if aois is None else aois) // self.client.adapter.bulk_limit)

    def slice_size(self) -> int:
        """AOIs per slice: as many as fill every connection of the client with one bulk call each, so
        that a slice's calls go out together and the next slice's jobs are made while they are out."""
        calls = self.client.adapter.bulk_limit * self.client.transport.max_in_flight
        return max(1, calls // max(self.sensors, 1))


def job_columns(chosen: Sequence[m.Sensor | None]) -> tuple[str, ...]:
    """The job columns ``jobs_for(…, chosen, …)`` gives: its tags, then the sensors' capabilities when
    it prices catalogue sensors.

    >>> job_columns([None])
    ('aoi_index', 'aoi_id', 'window_start', 'window_end')
    """
    from pixorder.explore.needs import capabilities

    known = next((capabilities(s) for s in chosen if s is not None and s.raw), {})
    return (*JOB_TAGS, *known)


async def price_plans(plans: Sequence[Plan]) -> geopandas.GeoDataFrame:
    """Each provider's jobs made, priced (``price_jobs``) and framed (``jobs_frame``) on its own, the
    frames joined in ``plans`` order: the same frame as ``jobs_frame`` of every job, sooner.

    The provider whose calls the rate limits spread over the longest time goes first, and the next
    one's jobs are made only once its first calls are out. When its limits hold it at all, it has its
    turn (``pixorder.client.turns.Turn``): its AOIs go in slices of as many bulk calls as it has
    connections (``Plan.slice_size``), the next slice made once the last one's calls are all out;
    every slice is framed in its quiet moments, so that its last answer leaves only its own slice to
    frame; and the others' calls wait for those moments while they are ahead of it.

    Args:
        plans: one per provider (``Plan``).

    Returns:
        GeoDataFrame: the rows of every plan in order, each plan's in its jobs' order (``jobs_frame``).

    Raises:
        pixorder.ValidationError: a plan's ``build`` refused a request field (the others are cancelled).

    >>> import asyncio, pixorder
    >>> from pixorder.aoi import as_aois
    >>> async def two_providers():
    ...     aois = as_aois(["POINT (4.35 50.85)", "POINT (5.45 52.5)"])
    ...     window = {"start": "2030-03-01", "end": "2030-03-21"}
    ...     async with clients_for(["planet", "geopera"]) as clients:
    ...         plans = [Plan(c, 2, 1, lambda start, stop, c=c: jobs_for(c, aois[start:stop], [None] * (stop - start),
    ...                                                                  [None], window, offset=start), JOB_TAGS)
    ...                  for c in clients]
    ...         return (await price_plans(plans))[["provider", "aoi_index", "amount", "unit"]].to_dict("records")
    >>> asyncio.run(two_providers())
    [{'provider': 'planet', 'aoi_index': 0, 'amount': 25.0, 'unit': 'SQKM'},
     {'provider': 'planet', 'aoi_index': 1, 'amount': 25.0, 'unit': 'SQKM'},
     {'provider': 'geopera', 'aoi_index': 0, 'amount': 700.0, 'unit': 'AUD'},
     {'provider': 'geopera', 'aoi_index': 1, 'amount': 700.0, 'unit': 'AUD'}]
    """
    from pixorder.frames import concat_frames

    keys = list(dict.fromkeys(key for plan in plans for key in plan.keys))
    frames: list[list[Any]] = [[] for _ in plans]  # each plan's slice frames, in order

    seconds = [least_seconds(plan.client, plan.count) for plan in plans]
    order = sorted(range(len(plans)), key=seconds.__getitem__, reverse=True)
    # The provider the limits hold longest has its turn (pixorder.client.turns): the others' calls,
    # while they are ahead, and the framing of finished slices wait for its quiet moments.
    turn = Turn(plans[order[0]].client.transport, plans[order[0]].calls()) if plans and seconds[order[0]] > 0 \
        else None
    if turn is not None:
        for index in order[1:]:
            turn.expect(plans[index].client.transport, plans[index].calls())

    async def price_slice(jobs: list[Job], into: list[Any], position: int) -> None:
        quotes = await price_jobs(jobs)
        if turn is not None:
            await turn.quiet()
        into[position] = jobs_frame(jobs, quotes, keys)

    async def run(index: int) -> None:
        plan = plans[index]
        transport = plan.client.transport
        limited = turn is not None and index == order[0]
        if turn is not None and not limited:
            TURN.set(turn)  # this task's calls defer to the turn while ahead (Turn.wait_for)
            await turn.wait_for(transport)  # its jobs are made when its calls could go
        # The limited provider's AOIs go slice by slice (Plan.slice_size), the next slice made once the
        # last one's calls are all out; the others' all at once.
        step = plan.slice_size() if limited else max(plan.aois, 1)
        starts = range(0, plan.aois, step)
        into: list[Any] = [None] * len(starts)
        frames[index] = into
        pieces: list[asyncio.Future[None]] = []
        sent = calls = 0
        try:
            for position, start in enumerate(starts):
                while pieces and transport.stats.requests < sent + calls and not pieces[-1].done():
                    # woken by a request going out or coming back, or by the slice ending (its calls
                    # refused before any was sent, say)
                    change: asyncio.Future[Any] = asyncio.ensure_future(transport.changed().wait())
                    await asyncio.wait([change, pieces[-1]], return_when=asyncio.FIRST_COMPLETED)
                    change.cancel()
                stop = min(start + step, plan.aois)
                jobs = plan.build(start, stop)
                sent, calls = transport.stats.requests, plan.calls(stop - start)
                pieces.append(asyncio.ensure_future(price_slice(jobs, into, position)))
            await asyncio.gather(*pieces)
        finally:
            for piece in pieces:
                piece.cancel()

    loop = asyncio.get_running_loop()
    tasks: list[asyncio.Task[None]] = []
    try:
        for index in order:
            stats = plans[index].client.transport.stats
            sent = stats.requests
            tasks.append(asyncio.ensure_future(run(index)))
            # Its first calls go out before the next provider's jobs and payloads are made; a provider
            # whose limits hold its first call back (a window used up just before) keeps no one waiting.
            deadline = loop.time() + FIRST_CALL_WAIT
            while stats.requests == sent and not tasks[-1].done() and loop.time() < deadline:
                await asyncio.sleep(0)
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
    return concat_frames([piece for pieces in frames for piece in pieces] or
                         [jobs_frame([], [], keys)])


def reads_catalog(sensors: Any, need: Any = None) -> bool:
    """Whether ``sensors=`` / ``needs=`` choose from each provider's catalogue (``"all"``, ids, or needs)
    rather than price one sensor per provider (None, ``{provider: id}``); such frames are ranked.

    >>> reads_catalog("all"), reads_catalog({"planet": "Flexible Tasking"}), reads_catalog(None)
    (True, False, False)
    """
    return sensors == "all" or need is not None or (sensors is not None and not isinstance(sensors, Mapping))


async def sensors_for(client: AsyncClient, sensors: Any, need: Any = None) -> tuple[list[m.Sensor | None], list[m.Sensor]]:
    """The sensors ``client``'s provider is priced with for ``sensors=`` (and ``needs=``), and its catalogue
    when it was read: compare, sweep and budget all choose this way.

    ``sensors`` as ``compare`` takes it: None or ``{provider: id}`` prices one sensor (the given id, else
    the provider's default: ``None``) without reading the catalogue; ``"all"``, an id or a list of ids
    (or any ``need``) reads ``client.sensors()`` and keeps the sensors named that meet the needs.

    >>> import asyncio, pixorder
    >>> async def chosen(sensors):
    ...     async with pixorder.AsyncClient("sandbox", api="planet", progress=False) as client:
    ...         picked, _ = await sensors_for(client, sensors)
    ...         return [s.id if s else None for s in picked]
    >>> asyncio.run(chosen({"planet": "Flexible Tasking"})), asyncio.run(chosen(None))
    (['Flexible Tasking'], [None])
    """
    from pixorder.explore.needs import choose

    if reads_catalog(sensors, need):
        catalog = list(await client.sensors())
        # {provider: id} with needs: that id at that provider (if it qualifies), every sensor elsewhere
        wanted = sensors.get(client.provider) if isinstance(sensors, Mapping) else sensors
        return list(choose(catalog, None if wanted == "all" else wanted, need)), catalog
    sensor = sensors.get(client.provider) if isinstance(sensors, Mapping) else None
    return [None if sensor is None else m.Sensor(provider=client.provider, id=sensor)], []


def check_sensors(sensors: Any) -> None:
    """Refuse, before any call, ``sensors`` of no kind it takes (``sensors=5``) and a ``sensors={provider:
    id}`` whose key is no provider (it was ignored).

    Raises:
        ValidationError: ``sensors``: not "all", ids or a mapping; ``sensors.<key>``: not a provider name.

    >>> check_sensors({"geopera": "wv3-31cm"})
    >>> check_sensors({"maxar": "wv3"})
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: sensors.maxar: must be keyed by provider: pixxel, planet, geopera (got 'wv3')
    """
    if sensors is not None and not isinstance(sensors, (str, Mapping, Iterable)):
        raise E.ValidationError("sensors", 'must be "all", sensor ids, or {provider: sensor id}', sensors)
    if isinstance(sensors, Mapping):
        for key, value in sensors.items():
            if key not in table.PROVIDERS:
                raise E.ValidationError(f"sensors.{key}", f"must be keyed by provider: {', '.join(table.NAMES)}",
                                        value)


def provenance(kind: str, clients: Sequence[AsyncClient], **details: Any) -> dict[str, Any]:
    """Where a frame's prices came from, kept in ``frame.attrs["pixorder"]`` and in exported files.

    Args:
        kind: what made the frame (``"compare"``, ``"sweep"``, ``"budget"``).
        clients: the clients that priced it.
        **details: more keys (the request, the default window, …).

    Returns:
        dict: ``kind``, ``sources`` (provider → ``"sandbox"``/``"live"``), ``pixorder_version``,
        ``created_at`` (UTC, ISO 8601, seconds), and ``details``.

    >>> import pixorder
    >>> info = provenance("compare", [pixorder.AsyncClient("sandbox", api="planet")], request={"cloud_cover": "10"})
    >>> info["sources"], info["request"], sorted(info)
    ({'planet': 'sandbox'}, {'cloud_cover': '10'}, ['created_at', 'kind', 'pixorder_version', 'request', 'sources'])
    """
    import pixorder

    if isinstance(details.get("request"), Mapping):  # numbers stay numbers (occurrences 6, not "6"); dates text
        details["request"] = {k: v if v is None or isinstance(v, (bool, int, float)) else str(v)
                              for k, v in details["request"].items()}
    return {"kind": kind, "sources": {c.provider: source_of(c) for c in clients},
            "pixorder_version": pixorder.__version__,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **details}


async def acompare(
    aoi_or_aois: Any,
    request: m.TaskingRequest | Mapping[str, Any] | None = None,
    providers: Sequence[Any] | str = DEFAULT_PROVIDERS,
    rates: Mapping[str, float] | None = None,
    currency: str | None = None,
    sensors: Mapping[str, str] | Sequence[str] | str | None = None,
    client_options: Mapping[str, Any] | None = None,
    needs: Any = None,
    **params: Any,
) -> geopandas.GeoDataFrame:
    """The coroutine behind ``compare()``; use it from async code.

    Takes ``compare()``'s arguments and returns its frame; clients it makes from names are closed
    before it returns, clients passed in are left open.

    Returns:
        PriceFrame: one row per AOI × provider (× sensor), as ``compare()``.

    Raises:
        ValidationError: a bad AOI, request, provider name, ``needs`` or sensor id, or ``rates``
            without ``currency`` or not above 0, before any price is asked.

    >>> import asyncio, pixorder
    >>> async def planet_price():
    ...     async with pixorder.AsyncClient("sandbox", api="planet", progress=False) as client:
    ...         frame = await acompare("POINT (4.35 50.85)", {"start": "2030-03-01", "end": "2030-03-21"},
    ...                                providers=[client])
    ...     return frame[["provider", "billed_area_km2", "amount", "unit"]].to_dict("records")
    >>> asyncio.run(planet_price())
    [{'provider': 'planet', 'billed_area_km2': 25.0, 'amount': 25.0, 'unit': 'SQKM'}]
    """
    # The cycle collector stays paused from the AOIs to the frame (pixorder.collector), and comes back
    # only once the comparison's own objects (AOIs, requests, jobs, quotes: none in a cycle) are gone:
    # resumed any earlier, its first passes walk every one of them still alive (on 10,000 AOIs at three
    # providers, ~0.5 s of the run, for nothing).
    with collector.paused():
        return await _acompare(aoi_or_aois, request, providers, rates, currency, sensors, client_options, needs,
                               params)


async def _acompare(aoi_or_aois: Any, request: Any, providers: Any, rates: Mapping[str, float] | None,
                    currency: str | None, sensors: Any, client_options: Mapping[str, Any] | None, needs: Any,
                    params: Mapping[str, Any]) -> geopandas.GeoDataFrame:
    from pixorder.explore.needs import as_needs

    provider_list(providers)  # refuses a bad name before anything else
    check_sensors(sensors)
    if isinstance(sensors, Sequence) and not isinstance(sensors, str) and len(sensors) == 0:
        # an empty list would price nothing and say nothing: a slip, not a comparison
        raise E.ValidationError("sensors", 'must name at least one sensor id, or be "all"', [])
    aois, ids = aoi_list(aoi_or_aois)
    template = request_template(request, params)
    need = as_needs(needs)
    check_rates(rates, currency)
    explore = reads_catalog(sensors, need)

    known: set[str] = set()

    async def plan(client: AsyncClient) -> tuple[Plan, bool]:
        fields, default = await window_for(client, template)
        chosen, catalog = await sensors_for(client, sensors, need)
        known.update(name for s in catalog for name in (s.id, s.name) if name)
        jobs_for(client, aois[:1], ids[:1], chosen, fields)  # a refused field is said before any price is asked
        return Plan(client, len(aois), len(chosen),
                    lambda start, stop: jobs_for(client, aois[start:stop], ids[start:stop], chosen, fields, start),
                    job_columns(chosen)), default

    async with clients_for(providers, client_options) as clients:
        plans = await asyncio.gather(*(plan(c) for c in clients))
        asked = [] if sensors in (None, "all") or isinstance(sensors, Mapping) else (
            [sensors] if isinstance(sensors, str) else list(sensors))
        unknown = [s for s in asked if s not in known]
        if unknown:  # an id no provider offers: a typo, not an empty comparison
            import difflib

            close = difflib.get_close_matches(str(unknown[0]), ["all", *sorted(known)], n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise E.ValidationError("sensors", f"{hint}must be \"all\" or sensor ids or names the providers offer "
                                               f"(client.sensors()): {', '.join(sorted(known))}", unknown)
        offered = {c.provider for c, (planned, _) in zip(clients, plans) if planned.count}
        left_out = [c.provider for c in clients if c.provider not in offered]
        import warnings

        if need is not None and not offered:  # an empty frame would say nothing
            warnings.warn(f"no sensor of {', '.join(c.provider for c in clients)} meets the needs "
                          f"({need.describe()}): no rows", E.PixorderWarning, stacklevel=3)
        if asked and left_out:  # ids chosen from one catalogue: the others price nothing, which is said
            warnings.warn(f"{', '.join(left_out)} offer(s) none of the sensors asked ({', '.join(map(str, asked))}): "
                          "no rows for them", E.PixorderWarning, stacklevel=3)
        frame = await price_plans([planned for planned, _ in plans])
    from pixorder.explore.frames import PriceFrame

    if "aoi_id" in frame.columns and all(tag is None for tag in frame["aoi_id"]):
        frame = frame.drop(columns="aoi_id")
    if rates is not None:
        frame = _convert(frame, rates, currency)
    frame = _rank(frame, currency) if explore else frame.sort_values(
        ["aoi_index", "provider"], kind="stable").reset_index(drop=True)
    frame = PriceFrame(frame)
    defaults = [c.provider for c, (_, default) in zip(clients, plans) if default]
    frame.attrs["pixorder"] = provenance(
        "compare", clients, request=template,
        default_window=(("from each provider's minimum lead time to the end given" if template.get("end") is not None
                         else f"{DEFAULT_WINDOW.days} days from each provider's minimum lead time") +
                        f", standard delivery ({', '.join(defaults)})") if defaults else None,
        needs=need.describe() if need is not None else None, sensors=str(sensors) if sensors else None)
    return frame


def _rank(frame: Any, currency: str | None) -> Any:
    """Rows ranked per AOI, cheapest first: in ``currency`` when rates were given, else by amount
    when every quote is in one unit, else within each unit (``rank`` restarts per unit)."""
    if frame.empty:  # no sensor met the needs
        return frame.assign(rank=frame["error"].astype("Int64"))
    part = part_rows(frame)
    valid = frame["error"].isna() & frame["amount"].notna() & ~part  # a multi-part quote ranks by its total
    key = f"amount_{currency.lower()}" if currency else "amount"
    units = frame.loc[valid, "unit"].dropna().unique()
    by = ["aoi_index"] if currency or len(units) <= 1 else ["aoi_index", "unit"]
    score = frame[key].where(valid)
    rank = score.groupby([frame[b] for b in by]).rank(method="min")
    # The part rows come just before their total: they share its rank and stay with it.
    frame["rank"] = rank.where(~part, rank.where(~part).bfill()).astype("Int64")
    frame.attrs["ranked_by"] = key + ("" if by == ["aoi_index"] else " within each unit (give rates= and currency= "
                                                                      "to rank across units)")
    # Ranked within each unit, the rows come unit by unit: 1, 2, 3 in AUD, then in SQKM, … (interleaved,
    # three rank-1 rows in three units read as one cheapest-first list).
    order = frame.assign(_missing=frame["rank"].isna()).sort_values(
        [*by, "_missing", "rank", "provider"], kind="stable")
    return order.drop(columns="_missing").reset_index(drop=True)


def parse_rates(text: str | None, field: str = "rates") -> dict[str, float] | None:
    """``"USD=1, AUD=0.66, SQKM=4"`` → ``{"USD": 1.0, "AUD": 0.66, "SQKM": 4.0}``; blank → None.

    >>> parse_rates("USD=1, AUD=0.66")
    {'USD': 1.0, 'AUD': 0.66}
    >>> parse_rates("USD")
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: rates: must be unit=rate pairs with positive rates, e.g. USD=1, AUD=0.66 (got 'USD')

    Raises:
        pixorder.ValidationError: a pair without ``=`` or a rate that is not a positive number, naming
            ``field`` (the CLI passes ``"--rates"``).
    """
    if not text or not text.strip():
        return None
    rates: dict[str, float] = {}
    for part in text.split(","):
        unit, sep, value = part.partition("=")
        try:
            rate = float(value)
        except ValueError:
            rate = float("nan")
        if not sep or not unit.strip() or not rate > 0:
            raise E.ValidationError(field, "must be unit=rate pairs with positive rates, e.g. USD=1, AUD=0.66",
                                    part.strip())
        rates[unit.strip().upper()] = rate
    return rates


def check_rates(rates: Mapping[str, float] | None, currency: str | None) -> None:
    """Refuse, before any call, ``rates`` without the ``currency`` they convert into or with a rate that is
    not a positive number (compare, sweep, budget and the widgets).

    >>> check_rates({"USD": 1, "SQKM": 4}, "USD")
    >>> check_rates({"USD": 1}, None)
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: currency: name the currency the rates convert into, e.g. currency='USD'

    >>> check_rates(None, "USD")
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: rates: is required with currency='USD': the value of one unit of each provider in USD, e.g. rates={'USD': 1, 'AUD': 0.66, 'SQKM': 4}

    Raises:
        pixorder.ValidationError: ``rates`` given and ``currency`` empty, ``currency`` given without
            ``rates`` (nothing to convert with: amounts would silently stay in each provider's unit),
            or a rate not above 0 (``rates.<unit>``).
    """
    if rates is not None and not isinstance(rates, Mapping):
        raise E.ValidationError("rates", "must be a dict of unit → value of one unit in the currency, e.g. "
                                         "{'USD': 1, 'AUD': 0.66, 'SQKM': 4}", type(rates).__name__)
    if rates is None:
        if currency:
            raise E.ValidationError("rates", f"is required with currency={currency!r}: the value of one unit of "
                                             f"each provider in {currency}, e.g. rates={{'USD': 1, 'AUD': 0.66, "
                                             "'SQKM': 4}")
        return
    if not currency:
        raise E.ValidationError("currency", "name the currency the rates convert into, e.g. currency='USD'")
    for unit, rate in rates.items():
        if not isinstance(rate, (int, float)) or rate <= 0:
            raise E.ValidationError(f"rates.{unit}", "must be a positive number", rate)


def unit_rates(units: Any, rates: Mapping[str, float]) -> Any:
    """Each row's rate into the currency, by its ``unit`` (a pandas Series); NaN where no rate was given.

    Units are read in any case (``{"sqkm": 4}`` is ``{"SQKM": 4}``).

    >>> import pandas as pd
    >>> unit_rates(pd.Series(["SQKM", "USD", None]), {"sqkm": 4}).tolist()
    [4.0, nan, nan]
    """
    by_unit = {str(unit).strip().upper(): rate for unit, rate in rates.items()}
    return units.map(lambda u: by_unit.get(u.upper()) if isinstance(u, str) else None).astype("float64")


def _convert(frame: Any, rates: Mapping[str, float], currency: str | None) -> Any:
    """Amounts in one currency, only with the rates the user gave (:func:`check_rates` checked them)."""
    import warnings

    assert currency is not None
    code = currency.lower()
    rate = unit_rates(frame["unit"], rates)
    missing = sorted(set(frame.loc[rate.isna() & frame["unit"].notna(), "unit"].astype(str)))
    if missing:  # those rows get no converted amount, hence no rank: say so, rather than leave them out
        warnings.warn(f"no rate for {', '.join(missing)} in rates=: those rows have no amount_{code} and no rank "
                      f"(give e.g. rates={{..., {missing[0]!r}: <value of one {missing[0]} in {currency}>}})",
                      E.PixorderWarning, stacklevel=2)
    frame[f"rate_to_{code}"] = rate
    frame[f"amount_{code}"] = frame["amount"] * rate
    frame[f"amount_{code}_per_km2"] = frame["amount_per_km2"] * rate
    return frame


def compare(
    aoi_or_aois: Any,
    request: m.TaskingRequest | Mapping[str, Any] | None = None,
    providers: Sequence[Any] | str = DEFAULT_PROVIDERS,
    rates: Mapping[str, float] | None = None,
    currency: str | None = None,
    sensors: Mapping[str, str] | Sequence[str] | str | None = None,
    client_options: Mapping[str, Any] | None = None,
    needs: Any = None,
    **params: Any,
) -> geopandas.GeoDataFrame:
    """Price the same AOIs at several providers at once; one row per AOI × provider (× sensor).

    Args:
        aoi_or_aois: one AOI or many: anything ``pixorder.AOI`` accepts, a list of them, or a
            GeoDataFrame / GeoSeries in any CRS (one AOI per row; the row's index, or its ``id``
            column, is kept as ``aoi_id``).
        request: a ``TaskingRequest`` or a dict of its fields (``start``, ``end``, ``cloud_cover``,
            ``off_nadir`` in degrees, ``delivery_speed``, …). Without ``start``/``end`` each provider
            gets a default window: 30 days from its minimum lead time (24 h), standard delivery;
            the frame says so in ``frame.attrs["pixorder"]["default_window"]`` and the
            ``window_start``/``window_end`` columns.
        providers: names ("pixxel", "planet", "geopera"), a comma-separated string of them, or
            clients. A name uses its API key from the environment when set, else the sandbox.
        rates, currency: unit → value of one unit in ``currency`` (e.g. ``{"USD": 1, "AUD": 0.66,
            "SQKM": 4}``, ``currency="USD"``): adds ``amount_<currency>`` columns; a unit without a
            rate stays NaN rather than guessed.
        sensors: None (each provider's default), ``{provider: sensor id}``, ``"all"`` (every sensor
            or product of every provider: one row per AOI × provider × sensor, with
            ``resolution_m``, ``n_bands``, ``bands`` (band classes) and ``product_type``), or ids.
        needs: ``{"max_gsd_m": 1.0, "bands": ["NIR"], "hyperspectral": False}`` or a
            ``pixorder.explore.needs.Needs``: keeps the sensors that qualify (all of them are
            considered) and ranks rows per AOI, cheapest first (``rank``), in ``currency`` when
            rates are given.
        client_options: options for the clients compare() makes (``timeout``, ``retries``, …).
        **params: request fields given directly (``cloud_cover=10``).

    Returns:
        A GeoDataFrame (EPSG:4326): ``provider``, ``aoi_index``, sensor columns, ``area_km2``,
        ``billed_area_km2``, ``amount``, ``unit``, ``amount_per_km2``, ``error`` (a row whose
        provider refused it holds the reason, never an exception), … ; ``frame.attrs["pixorder"]``
        holds the provenance (live or sandbox per provider, the request, pixorder version, UTC time).

    Raises:
        pixorder.ValidationError: a bad AOI, request field, provider name, ``needs`` or rates, before
        any network call.

    >>> import pixorder
    >>> sandbox = [pixorder.connect("sandbox", api=name, progress=False) for name in ("planet", "geopera")]
    >>> frame = pixorder.compare("POINT (4.35 50.85)", {"start": "2030-03-01", "end": "2030-03-21"},
    ...                          providers=sandbox)       # names instead: live with a key set, else sandbox
    >>> frame[["provider", "billed_area_km2", "amount", "unit"]].to_dict("records")
    [{'provider': 'planet', 'billed_area_km2': 25.0, 'amount': 25.0, 'unit': 'SQKM'},
     {'provider': 'geopera', 'billed_area_km2': 25.0, 'amount': 700.0, 'unit': 'AUD'}]
    >>> ranked = pixorder.compare("POINT (4.35 50.85)", {"start": "2030-03-01", "end": "2030-03-21"},
    ...                           providers=sandbox, sensors="all", needs={"max_gsd_m": 0.31},
    ...                           rates={"USD": 1, "AUD": 0.66, "SQKM": 4}, currency="USD")
    >>> ranked[["rank", "provider", "sensor", "resolution_m", "amount_usd"]].to_dict("records")
    [{'rank': 1, 'provider': 'geopera', 'sensor': 'pneo-30cm', 'resolution_m': 0.3, 'amount_usd': 462.0},
     {'rank': 2, 'provider': 'geopera', 'sensor': 'wv3-31cm', 'resolution_m': 0.31, 'amount_usd': 528.0}]
    """
    return run_sync(acompare(aoi_or_aois, request, providers, rates, currency, sensors, client_options, needs,
                             **params))
