"""compare(): the same AOIs and request priced by several providers at once, side by side."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pixorder import errors as E
from pixorder import models as m
from pixorder.client.core import ENV_VARS, PROVIDER_NAMES, AsyncClient
from pixorder.client.sync import Client, run_sync

if TYPE_CHECKING:
    import geopandas

DEFAULT_PROVIDERS = PROVIDER_NAMES


def _client_for(provider: Any, options: Mapping[str, Any]) -> tuple[AsyncClient, bool]:
    """An AsyncClient for a name or an existing client; True when compare() owns (and closes) it."""
    if isinstance(provider, Client):
        return provider.aio, False
    if isinstance(provider, AsyncClient):
        return provider, False
    if provider not in PROVIDER_NAMES:
        raise E.ValidationError("providers", f"each must be one of {', '.join(PROVIDER_NAMES)} or a Client",
                                provider)
    if os.environ.get(ENV_VARS[provider]):
        return AsyncClient(provider, progress=False, **options), True
    return AsyncClient("sandbox", api=provider, progress=False, **options), True


def _requests(aois: Any, request: Any, params: Mapping[str, Any]) -> list[m.TaskingRequest]:
    from pixorder.aoi import as_aois

    # One AOI per list item or frame row (in the frame's own CRS), else one: the same way in as AOI().
    items = as_aois(aois)
    template: dict[str, Any] = {}
    if isinstance(request, m.TaskingRequest):
        template = request.model_dump(exclude={"aoi"}, exclude_none=True)
    elif isinstance(request, Mapping):
        template = dict(request)
    elif request is not None:
        raise E.ValidationError("request", "must be a TaskingRequest, a dict of its fields, or None", request)
    template.update(params)
    template.pop("sensor", None)  # sensors are provider-specific: pass sensors={provider: id}
    return [m.TaskingRequest(aoi=a, **template) for a in items]


async def acompare(
    aoi_or_aois: Any,
    request: m.TaskingRequest | Mapping[str, Any] | None = None,
    providers: Sequence[Any] = DEFAULT_PROVIDERS,
    rates: Mapping[str, float] | None = None,
    currency: str | None = None,
    sensors: Mapping[str, str] | None = None,
    client_options: Mapping[str, Any] | None = None,
    **params: Any,
) -> geopandas.GeoDataFrame:
    """The coroutine behind ``compare()``; use it from async code."""
    from pixorder.frames import quotes_frame

    base = _requests(aoi_or_aois, request, params)
    clients = [_client_for(p, client_options or {}) for p in providers]

    async def one(client: AsyncClient) -> list[m.Quote]:
        sensor = (sensors or {}).get(client.provider)
        batch = [r.model_copy(update={"sensor": sensor}) if sensor else r for r in base]
        try:
            return await client.pricing._estimate_parts(batch)
        except E.PixorderError as exc:
            return [m.Quote(provider=client.provider, error=str(exc), request_index=i, sensor=sensor,
                            area_km2=float(r.aoi.area_km2), geometry=dict(r.aoi.__geo_interface__))
                    for i, r in enumerate(batch)]

    try:
        results = await asyncio.gather(*(one(c) for c, _ in clients))
    finally:
        for client, owned in clients:
            if owned:
                await client.aclose()
    frame = quotes_frame([q for quotes in results for q in quotes])
    frame.insert(1, "aoi_index", frame["request_index"])
    frame = frame.drop(columns="request_index")
    if rates is not None:
        frame = _convert(frame, rates, currency)
    return frame.sort_values(["aoi_index", "provider"], kind="stable").reset_index(drop=True)


def _convert(frame: Any, rates: Mapping[str, float], currency: str | None) -> Any:
    """Amounts in one currency, only with the rates the user gave; the column names say which."""
    if not currency:
        raise E.ValidationError("currency", "name the currency the rates convert into, e.g. currency='USD'")
    for unit, rate in rates.items():
        if not isinstance(rate, (int, float)) or rate <= 0:
            raise E.ValidationError(f"rates.{unit}", "must be a positive number", rate)
    code = currency.lower()
    rate = frame["unit"].map(lambda u: rates.get(u) if isinstance(u, str) else None).astype("float64")
    frame[f"rate_to_{code}"] = rate
    frame[f"amount_{code}"] = frame["amount"] * rate
    frame[f"amount_{code}_per_km2"] = frame["amount_per_km2"] * rate
    return frame


def compare(
    aoi_or_aois: Any,
    request: m.TaskingRequest | Mapping[str, Any] | None = None,
    providers: Sequence[Any] = DEFAULT_PROVIDERS,
    rates: Mapping[str, float] | None = None,
    currency: str | None = None,
    sensors: Mapping[str, str] | None = None,
    client_options: Mapping[str, Any] | None = None,
    **params: Any,
) -> geopandas.GeoDataFrame:
    """Price the same AOIs and request at several providers at once; one row per AOI and provider.

    Providers are queried concurrently, each with its bulk pricing form. A provider name uses its
    API key from the environment when one is set, else the embedded sandbox. Amounts stay in each
    provider's unit (``unit`` column) unless ``rates`` (unit → value of one unit in ``currency``)
    are given; then ``amount_<currency>``, ``amount_<currency>_per_km2`` and ``rate_to_<currency>``
    columns are added, and a unit without a rate stays NaN rather than guessed.

    >>> frame = compare([field, city], {"start": "2027-01-10", "end": "2027-01-30", "cloud_cover": 20},
    ...                 rates={"USD": 1.0, "AUD": 0.66, "SQKM": 4.0}, currency="USD")  # doctest: +SKIP
    """
    return run_sync(acompare(aoi_or_aois, request, providers, rates, currency, sensors, client_options, **params))
