"""``pixorder.budget``: what monitoring AOIs on a recurrence costs over a horizon, per provider and month.

Each acquisition is priced as the provider would price it (its own minimum billed area, its units),
all of a provider's acquisitions in one bulk pricing per sensor, and summed per calendar month; the
``cumulative_*`` columns add the months up. So a 12-month budget is, by construction and in the
tests, the sum of the twelve monthly quotes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from pixorder import errors as E
from pixorder import models as m
from pixorder.client.compare import (
    DEFAULT_PROVIDERS,
    Job,
    aoi_list,
    check_rates,
    check_sensors,
    clients_for,
    jobs_frame,
    price_jobs,
    provenance,
    request_template,
    sensors_for,
    unit_rates,
    window_for,
)
from pixorder.client.sync import run_sync
from pixorder.explore.needs import as_needs
from pixorder.frames import typed_column, whole_quotes
from pixorder.providers import table

if TYPE_CHECKING:
    from pixorder.explore.frames import PriceFrame

#: months between acquisitions for the named recurrences
CADENCES = {"monthly": 1, "bimonthly": 2, "quarterly": 3}
#: the recurrences each API can order natively; anything else is refused per provider, not priced
#: the recurrences each provider can order, as budget() names them (from the provider table)
NATIVE = {name: {r.lower() for r in info.recurrences if r != "ONCE"} for name, info in table.PROVIDERS.items()}
#: each acquisition's window (from its scheduled date)
ACQUISITION_WINDOW = timedelta(days=30)


def _add_months(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.month - 1 + months, 12)
    day = min(moment.day, 28)
    return moment.replace(year=moment.year + year, month=month + 1, day=day)


def schedule(recurrence: str, start: datetime, months: int) -> list[datetime]:
    """The acquisition dates of ``recurrence`` in ``months`` from ``start``.

    Args:
        recurrence: ``"monthly"``, ``"bimonthly"``, ``"quarterly"`` (any case) or an RRULE
            (``"FREQ=WEEKLY;INTERVAL=2"``, with or without ``RRULE:``).
        start: the first acquisition (a timezone-aware datetime); named cadences keep its day of
            the month, capped at the 28th.
        months: the horizon in whole months; the dates lie in ``[start, start + months)``, for an RRULE
            too (a date on the horizon itself is the next period's: a daily rule over one month from
            1 January has 31 dates, not 32).

    Returns:
        The dates in order, in UTC.

    Raises:
        pixorder.ValidationError: an RRULE that cannot be read, or one that repeats more often than daily.

    >>> from datetime import datetime, timezone
    >>> t0 = datetime(2027, 1, 10, tzinfo=timezone.utc)
    >>> [d.month for d in schedule("quarterly", t0, 12)]
    [1, 4, 7, 10]
    >>> len(schedule("FREQ=WEEKLY;INTERVAL=2", t0, 3))
    7
    >>> len(schedule("FREQ=DAILY", datetime(2027, 1, 1, tzinfo=timezone.utc), 1))
    31
    >>> schedule("FREQ=HOURLY", t0, 1)
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: recurrence: must repeat at most daily (Planet's Monitoring cadence) (got 'FREQ=HOURLY')
    """
    end = _add_months(start, months)
    key = recurrence.strip().lower()
    if key in CADENCES:
        return [_add_months(start, k) for k in range(0, months, CADENCES[key])]
    from dateutil.rrule import rrulestr

    try:
        rule = rrulestr(recurrence.removeprefix("RRULE:"), dtstart=start)
    except (ValueError, TypeError) as exc:
        raise E.ValidationError("recurrence", "must be monthly, bimonthly, quarterly or an RRULE such as "
                                              "'FREQ=WEEKLY;INTERVAL=2'", recurrence) from exc
    dates = [d for d in rule.between(start, end, inc=True) if d < end]
    if len(dates) > 1 and min(b - a for a, b in zip(dates, dates[1:])) < timedelta(days=1):
        raise E.ValidationError("recurrence", "must repeat at most daily (Planet's Monitoring cadence)", recurrence)
    return [d.astimezone(timezone.utc) for d in dates]


async def abudget(
    aois: Any,
    recurrence: str = "monthly",
    months: int = 12,
    request: m.TaskingRequest | Mapping[str, Any] | None = None,
    providers: Sequence[Any] | str = DEFAULT_PROVIDERS,
    sensors: Mapping[str, str] | Sequence[str] | str | None = None,
    rates: Mapping[str, float] | None = None,
    currency: str | None = None,
    client_options: Mapping[str, Any] | None = None,
    needs: Any = None,
    **params: Any,
) -> PriceFrame:
    """The coroutine behind :func:`budget`: ``await abudget(...)`` in a notebook cell or an async program.

    Every provider's acquisitions are priced concurrently.

    Args:
        aois, recurrence, months, request, providers, sensors, rates, currency, client_options,
            needs, **params: as for :func:`budget`.

    Returns:
        PriceFrame: as :func:`budget` returns it.

    Raises:
        pixorder.ValidationError: a ``months`` outside 1-120, an empty or unreadable ``recurrence``,
            ``rates`` without ``currency``, or a bad AOI or request field, before any call.

    >>> import asyncio
    >>> frame = asyncio.run(abudget("POINT (5.45 52.5)", "quarterly", months=6, providers="planet",
    ...                             start="2030-01-10"))
    >>> frame["month"].dt.strftime("%Y-%m").tolist(), frame["amount"].tolist(), frame["cumulative_amount"].tolist()
    (['2030-01', '2030-04'], [25.0, 25.0], [25.0, 50.0])
    >>> asyncio.run(abudget("POINT (5.45 52.5)", months=0))
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: months: must be a whole number of months from 1 to 120 (got 0)
    """
    import pandas as pd
    import shapely

    from pixorder.explore.frames import PriceFrame

    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 120:
        raise E.ValidationError("months", "must be a whole number of months from 1 to 120", months)
    if not isinstance(recurrence, str) or not recurrence.strip():
        raise E.ValidationError("recurrence", "must be monthly, bimonthly, quarterly or an RRULE", recurrence)
    kind = recurrence.strip().lower() if recurrence.strip().lower() in CADENCES else "rrule"
    if kind == "rrule":
        schedule(recurrence, datetime(2030, 1, 1, tzinfo=timezone.utc), months)  # refuses a bad rule now
    check_rates(rates, currency)
    check_sensors(sensors)
    need = as_needs(needs)  # as compare: keeps the sensors that qualify
    shapes, ids = aoi_list(aois)
    template = request_template(request, params)
    if template.get("end") is not None and "end" in params:  # the horizon is months=: an end would be ignored
        raise E.ValidationError("end", "is not taken by budget(): its horizon is months= from start", params["end"])
    for field in ("recurrence", "occurrences", "end"):
        template.pop(field, None)

    async def plan(client: Any) -> tuple[list[Job], list[str]]:
        fields, _ = await window_for(client, template)
        first = fields["start"] if isinstance(fields["start"], datetime) else m.TaskingRequest(
            aoi=shapes[0], start=fields["start"], end=fields["end"]).start
        dates = schedule(recurrence, first, months)
        refused = []
        if kind not in NATIVE.get(client.provider, set()):
            refused.append(f"{client.provider} cannot order the recurrence {recurrence!r} "
                           f"(it offers {', '.join(sorted(NATIVE.get(client.provider, set())))})")
        row = table.get(client.provider)
        if row.max_recurrence_instances is not None and len(dates) > row.max_recurrence_instances:
            refused.append(f"{row.label}'s recurring orders allow at most {row.max_recurrence_instances} instances")
        chosen, _ = await sensors_for(client, sensors, need)  # "all" or ids: one budget per sensor
        jobs = []
        for picked in chosen:
            for date in dates:
                values = {**fields, "start": date, "end": date + ACQUISITION_WINDOW}
                month_request = m.TaskingRequest(aoi=shapes[0], sensor=picked.id if picked else None, **values)
                for index, (shape, aoi_id) in enumerate(zip(shapes, ids)):
                    job_request = month_request.with_aoi(shape)
                    tags = {"month": date.replace(day=1, hour=0, minute=0, second=0, microsecond=0),
                            "aoi_index": index, "aoi_id": aoi_id}
                    jobs.append(Job(client, job_request, tags))
        return jobs, refused

    async with clients_for(providers, client_options) as clients:
        planned = await asyncio.gather(*(plan(c) for c in clients))
        refusals = {c.provider: r for c, (_, r) in zip(clients, planned) if r}
        jobs = [job for (group, refused) in planned if not refused for job in group]
        quotes = await price_jobs(jobs) if jobs else []
    detail = pd.DataFrame(jobs_frame(jobs, quotes).drop(columns="geometry")) if jobs else pd.DataFrame()
    rows = []
    if len(detail):
        detail = whole_quotes(detail)  # totals of multi-part AOIs
        for (provider, sensor, month), group in detail.groupby(
                [detail["provider"].astype(str), detail["sensor"].fillna("default").astype(str), "month"], sort=True):
            failed = group["error"].notna()
            units = group["unit"].dropna().unique()
            rows.append({"provider": provider, "sensor": sensor, "month": month, "acquisitions": len(group),
                         "amount": float(group["amount"].sum()) if not failed.any() else float("nan"),
                         "unit": units[0] if len(units) else None,
                         "billed_area_km2": float(group["billed_area_km2"].sum()),
                         "errors": int(failed.sum()),
                         "error": group.loc[failed, "error"].iloc[0] if failed.any() else None})
    for provider, reasons in refusals.items():
        rows.append({"provider": provider, "sensor": None, "month": None, "acquisitions": 0, "amount": float("nan"),
                     "unit": None, "billed_area_km2": float("nan"), "errors": 1, "error": "; ".join(reasons)})
    monthly = pd.DataFrame(rows, columns=["provider", "sensor", "month", "acquisitions", "amount", "unit",
                                        "billed_area_km2", "errors", "error"])
    # The dtypes compare's and sweep's frames give these columns (pixorder.frames.typed_column).
    for name, kind in (("provider", "provider"), ("sensor", "str"), ("month", "dt"), ("unit", "str"),
                       ("error", "str")):
        monthly[name] = typed_column(kind, monthly[name].tolist()).set_axis(monthly.index)
    monthly["cumulative_amount"] = monthly.groupby(["provider", "sensor"], dropna=False)["amount"].cumsum()
    if rates is not None:
        code = currency.lower()  # type: ignore[union-attr]
        rate = unit_rates(monthly["unit"], rates)
        monthly[f"amount_{code}"] = monthly["amount"] * rate
        monthly[f"cumulative_amount_{code}"] = monthly.groupby(["provider", "sensor"], dropna=False)[
            f"amount_{code}"].cumsum()
    union = shapely.union_all([s.geometry for s in shapes])
    frame = PriceFrame(monthly, geometry=[union] * len(monthly), crs=4326)
    frame.attrs["pixorder"] = provenance("budget", clients, recurrence=recurrence, months=months,
                                         aois=len(shapes), request=template,
                                         currency=currency, acquisition_window_days=ACQUISITION_WINDOW.days)
    return frame


def budget(
    aois: Any,
    recurrence: str = "monthly",
    months: int = 12,
    request: m.TaskingRequest | Mapping[str, Any] | None = None,
    providers: Sequence[Any] | str = DEFAULT_PROVIDERS,
    sensors: Mapping[str, str] | Sequence[str] | str | None = None,
    rates: Mapping[str, float] | None = None,
    currency: str | None = None,
    client_options: Mapping[str, Any] | None = None,
    needs: Any = None,
    **params: Any,
) -> PriceFrame:
    """The cost of monitoring ``aois`` on a recurrence over ``months``, per provider and month.

    Args:
        aois: one AOI or many (anything ``pixorder.compare`` accepts, frame rows included).
        recurrence: ``"monthly"``, ``"bimonthly"``, ``"quarterly"`` or an RRULE
            (``"FREQ=WEEKLY;INTERVAL=2"``, Planet's Monitoring form). A provider that cannot order the
            recurrence natively gets one row saying so instead of prices.
        months: the horizon, 1–120 months from the first possible start (each provider's minimum
            lead time, or ``start=``).
        request, providers, sensors, rates, currency, client_options, needs, **params: as for
            ``pixorder.compare``; ``start=`` sets the first acquisition.

    Returns:
        A ``PriceFrame``, one row per provider × sensor × month with ``acquisitions``, ``amount``
        (that month's acquisitions, each a 30-day window from its date, each billed with the
        provider's minimum area), ``unit``, ``billed_area_km2``, ``cumulative_amount`` and, with
        rates, ``amount_<currency>`` / ``cumulative_amount_<currency>``; the geometry is the union of
        the AOIs. ``.plot()`` shows monthly bars and cumulative lines.

    Raises:
        pixorder.ValidationError: a bad recurrence, horizon, AOI or request field, before any call.

    Two fields monthly for a quarter, in USD (the rates convert each unit: 1 SQKM = 4 USD):

    >>> import pixorder
    >>> frame = pixorder.budget(["POINT (5.45 52.5)", "POINT (6.0 52.0)"], "monthly", months=3,
    ...                         providers="planet,geopera", start="2030-01-10",
    ...                         rates={"SQKM": 4.0, "AUD": 0.66}, currency="USD")
    >>> frame.assign(month=frame["month"].dt.strftime("%Y-%m"))[
    ...     ["provider", "month", "acquisitions", "amount", "unit", "cumulative_amount_usd"]]
      provider    month  acquisitions  amount  unit  cumulative_amount_usd
    0  geopera  2030-01             2  1400.0   AUD                  924.0
    1  geopera  2030-02             2  1400.0   AUD                 1848.0
    2  geopera  2030-03             2  1400.0   AUD                 2772.0
    3   planet  2030-01             2    50.0  SQKM                  200.0
    4   planet  2030-02             2    50.0  SQKM                  400.0
    5   planet  2030-03             2    50.0  SQKM                  600.0

    A recurrence a provider cannot order gets one row saying so:

    >>> weekly = pixorder.budget("POINT (5.45 52.5)", "FREQ=WEEKLY;INTERVAL=2", months=2,
    ...                          providers="planet,pixxel", start="2030-01-10")
    >>> weekly["acquisitions"].tolist(), weekly.loc[weekly["provider"] == "pixxel", "error"].item()
    ([2, 2, 1, 0], "pixxel cannot order the recurrence 'FREQ=WEEKLY;INTERVAL=2' (it offers bimonthly, monthly, quarterly)")
    """
    return run_sync(abudget(aois, recurrence, months, request, providers, sensors, rates, currency, client_options,
                            needs, **params))
