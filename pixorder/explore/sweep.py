"""``pixorder.sweep``: the price as a function of one or two request parameters, per provider and sensor.

Every combination of the varied values becomes one request; all of a provider's requests for one
sensor go out through its bulk pricing form together, so a 50-point sweep costs
``ceil(50 / bulk limit)`` calls per provider and sensor, not 50.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pixorder import errors as E
from pixorder import models as m
from pixorder.client.compare import (
    DEFAULT_PROVIDERS,
    Job,
    _convert,
    check_rates,
    check_sensors,
    clients_for,
    jobs_frame,
    price_jobs,
    provenance,
    request_template,
    sensors_for,
    window_for,
)
from pixorder.client.sync import run_sync
from pixorder.explore.needs import as_needs
from pixorder.explore.plots import sweep_column

if TYPE_CHECKING:
    from pixorder.explore.frames import PriceFrame

#: what ``vary=`` may name, besides every numeric or enum field of ``TaskingRequest``
SPECIAL = {
    "window_days": "window length in days from the start (end = start + days)",
    "area_km2": "the AOI scaled about its centroid to this area (km²)",
}
VARIABLE = ("cloud_cover", "off_nadir", "elevation_min", "delivery_speed", "recurrence", "occurrences",
            *SPECIAL)


def _scaled(aoi: Any, target_km2: float) -> Any:
    """The AOI scaled about its centroid (in a local equal-area projection) to ``target_km2``."""
    import shapely.affinity

    from pixorder.aoi import AOI
    from pixorder.aoi.projection import local_projection, project
    from pixorder.aoi.shapes import centre

    if not (isinstance(target_km2, (int, float)) and math.isfinite(target_km2) and target_km2 > 0):
        raise E.ValidationError("vary.area_km2", "must be positive areas in km²", target_km2)
    lon, lat = centre(aoi.geometry)
    local = local_projection("laea", lon, lat)
    # The local projection's areas differ from the AOI's geodesic ones by about 1e-6: scaled again
    # until the AOI's own area is within a hair *below* the target, since providers round billed areas
    # up (Pixxel bills whole km²: 1000.0016 km² would be billed 1001).
    goal = target_km2 * (1 - 1e-7)
    shape, scaled = project(aoi.geometry, local), aoi
    for _ in range(6):
        factor = math.sqrt(goal / scaled.area_km2)
        shape = shapely.affinity.scale(shape, factor, factor, origin=(0, 0))
        scaled = AOI(project(shape, local, inverse=True, lon_near=lon))
        if abs(scaled.area_km2 - goal) <= goal * 1e-9:
            break
    return scaled


def _combinations(vary: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    if not isinstance(vary, Mapping) or not 1 <= len(vary) <= 2:
        raise E.ValidationError("vary", "must map one or two parameters to their values, e.g. "
                                        "{'cloud_cover': [5, 10, 20, 40]}", vary)
    lists = []
    for name, values in vary.items():
        if name not in VARIABLE:
            raise E.ValidationError("vary", f"can vary {', '.join(VARIABLE)}", name)
        # numpy arrays, ranges and generators too (read once), their numbers as Python's
        listed = [] if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable) else \
            [v.item() if hasattr(v, "item") else v for v in values]
        if not listed:
            raise E.ValidationError(f"vary.{name}", "must be a non-empty list of values", values)
        lists.append(listed)
    return [dict(zip(vary, combo)) for combo in itertools.product(*lists)]


async def asweep(
    aoi: Any,
    vary: Mapping[str, Sequence[Any]],
    request: m.TaskingRequest | Mapping[str, Any] | None = None,
    providers: Sequence[Any] | str = DEFAULT_PROVIDERS,
    sensors: Mapping[str, str] | Sequence[str] | str | None = None,
    rates: Mapping[str, float] | None = None,
    currency: str | None = None,
    client_options: Mapping[str, Any] | None = None,
    needs: Any = None,
    **params: Any,
) -> PriceFrame:
    """The coroutine behind :func:`sweep`: ``await asweep(...)`` in a notebook cell or an async program.

    Every provider's combinations are priced concurrently.

    Args:
        aoi, vary, request, providers, sensors, rates, currency, client_options, needs, **params: as for :func:`sweep`.

    Returns:
        PriceFrame: as :func:`sweep` returns it.

    Raises:
        pixorder.ValidationError: an unknown parameter, an empty or bad list of values, ``rates``
            without ``currency``, or a bad AOI or request field, before any network call.

    >>> import asyncio
    >>> frame = asyncio.run(asweep("POINT (5.45 52.5)", {"off_nadir": [10, 30]}, providers="planet",
    ...                            start="2030-03-01", end="2030-03-21"))
    >>> frame[["off_nadir", "amount", "unit"]].values.tolist()
    [[10, 27.5, 'SQKM'], [30, 25.0, 'SQKM']]
    >>> asyncio.run(asweep("POINT (5.45 52.5)", {"colour": [1]}))
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: vary: can vary cloud_cover, off_nadir, ... area_km2 (got 'colour')
    """
    from pixorder.aoi import as_aoi
    from pixorder.explore.frames import PriceFrame

    combos = _combinations(vary)
    shape = as_aoi(aoi)
    template = request_template(request, params)
    check_rates(rates, currency)
    check_sensors(sensors)
    need = as_needs(needs)  # as compare: keeps the sensors that qualify
    scaled = {v: _scaled(shape, v) for v in vary.get("area_km2", [])}

    async def plan(client: Any) -> list[Job]:
        fields, _ = await window_for(client, template)
        chosen, _ = await sensors_for(client, sensors, need)
        jobs = []
        for combo in combos:
            values = dict(fields)
            values.update({k: v for k, v in combo.items() if k not in SPECIAL})
            if "window_days" in combo:
                start = m.TaskingRequest(aoi=shape, **values).start
                values["end"] = start + timedelta(days=float(combo["window_days"]))
            once = values.get("recurrence") in (None, "ONCE", m.Recurrence.ONCE)
            if "occurrences" in combo and once:
                # occurrences only mean something on a recurrence; one occurrence is a one-off
                values["recurrence"] = "ONCE" if combo["occurrences"] == 1 else "MONTHLY"
            elif "recurrence" in combo and once:
                values.pop("occurrences", None)  # the one-off point of a recurrence sweep: one acquisition
            area = scaled[combo["area_km2"]] if "area_km2" in combo else shape
            tags = {sweep_column(k): v for k, v in combo.items()}
            for sensor in chosen:
                request = m.TaskingRequest(aoi=area, sensor=sensor.id if sensor else None, **values)
                window = {"window_start": request.start, "window_end": request.end}  # as compare's rows say
                jobs.append(Job(client, request, {**tags, **window}, sensor if sensor is not None and sensor.raw
                                else None))
        return jobs

    async with clients_for(providers, client_options) as clients:
        planned = await asyncio.gather(*(plan(c) for c in clients))
        jobs = [job for group in planned for job in group]
        quotes = await price_jobs(jobs)
    frame = jobs_frame(jobs, quotes)
    if rates is not None:
        frame = _convert(frame, rates, currency)
    # provider by provider, sensor by sensor, the values in the order given (jobs are made in that order)
    frame = PriceFrame(frame.sort_values(["provider", "sensor"], kind="stable").reset_index(drop=True))
    frame.attrs["pixorder"] = provenance("sweep", clients, vary={k: list(map(str, v))
                                         for k, v in vary.items()}, request=template,
                                         currency=currency)
    return frame


def sweep(
    aoi: Any,
    vary: Mapping[str, Sequence[Any]],
    request: m.TaskingRequest | Mapping[str, Any] | None = None,
    providers: Sequence[Any] | str = DEFAULT_PROVIDERS,
    sensors: Mapping[str, str] | Sequence[str] | str | None = None,
    rates: Mapping[str, float] | None = None,
    currency: str | None = None,
    client_options: Mapping[str, Any] | None = None,
    needs: Any = None,
    **params: Any,
) -> PriceFrame:
    """How the price moves with one or two request parameters, for each provider and sensor.

    Args:
        aoi: anything ``pixorder.AOI`` accepts.
        vary: one or two of ``cloud_cover`` (%), ``off_nadir`` (degrees), ``elevation_min``
            (degrees), ``delivery_speed`` ("STANDARD", "EXPEDITED"), ``recurrence`` ("MONTHLY", …),
            ``occurrences`` (on a MONTHLY recurrence unless one is given), ``window_days`` (window
            length from the start) and ``area_km2`` (the AOI scaled about its centroid), each to a
            list of values: ``{"cloud_cover": [5, 10, 20, 40], "off_nadir": [10, 20, 30]}``.
        request, providers, sensors, rates, currency, client_options, needs, **params: as for
            ``pixorder.compare`` (without ``start``/``end`` the default window is used).

    Returns:
        A tidy ``PriceFrame`` (a GeoDataFrame): one row per combination × provider × sensor (the
        values in the order given), with a
        column per varied parameter (``target_area_km2`` for ``area_km2``), ``amount``, ``unit``,
        ``amount_<currency>`` with rates, ``error``, and each row's ``window_start``/``window_end``
        (UTC: the default window is each provider's own, ``window_days`` moves the end). ``.plot()`` draws price against the first
        parameter, one line per provider and sensor (facets for the second).

    Raises:
        pixorder.ValidationError: an unknown parameter, an empty or bad list of values, or a bad
            request field, before any network call.

    >>> import pixorder
    >>> frame = pixorder.sweep("POINT (5.45 52.5)", vary={"delivery_speed": ["STANDARD", "EXPEDITED"]},
    ...                        providers="pixxel,geopera", start="2030-03-01", end="2030-03-21")
    >>> frame[["provider", "sensor", "delivery_speed", "amount", "unit"]]
      provider     sensor delivery_speed  amount unit
    0   pixxel       VNIR       STANDARD  1000.0  USD
    1   pixxel       VNIR      EXPEDITED  1200.0  USD
    2  geopera  pneo-30cm       STANDARD   700.0  AUD
    3  geopera  pneo-30cm      EXPEDITED   840.0  AUD
    >>> frame.plot().layout.title.text
    'Price against delivery speed'
    """
    return run_sync(asweep(aoi, vary, request, providers, sensors, rates, currency, client_options, needs,
                           **params))
