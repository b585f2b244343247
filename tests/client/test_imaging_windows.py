"""imaging_windows.search over real HTTP: search, poll, price and place Planet Assured Tasking with a window."""

from __future__ import annotations

from datetime import timedelta

import pytest

import pixorder
from pixorder import errors as E


def assured(sandbox, coordinates=(10.0, 45.0), **kwargs):
    now = sandbox.now()
    return pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": list(coordinates)},
                                   start=now + timedelta(days=1), end=now + timedelta(days=6),
                                   sensor="Assured Tasking", **kwargs)


def test_windows_are_searched_then_used_to_price_and_place(sandbox, connect):
    client = connect("planet")
    req = assured(sandbox, name="assured field")
    windows = client.imaging_windows.search(req)
    assert 4 <= len(windows) <= 5  # one pass a day over five days
    routes = client.transport.stats.by_route
    assert routes["POST /tasking/v2/imaging-windows/search/"] == 1
    assert routes["GET /tasking/v2/imaging-windows/search/{id}/"] >= 2  # CREATED → IN_PROGRESS → DONE
    for window in windows:
        assert req.start <= window.start < window.end <= req.end
        assert window.satellite_type == "SKYSAT" and 0 <= window.off_nadir_min <= window.off_nadir_max <= 60
        prediction = window.cloud_forecasts[0]["prediction"]
        assert window.cloud_forecast == pytest.approx(prediction * 100)
    frame = windows.to_geodataframe()
    assert list(frame.columns) == ["provider", "id", "start", "end", "cloud_forecast", "off_nadir_min",
                                   "off_nadir_max", "satellite_type", "product", "pl_number", "geometry"]
    assert str(frame["start"].dtype) == "datetime64[ns, UTC]"

    best = min(windows, key=lambda w: w.cloud_forecast)
    chosen = req.model_copy(update={"imaging_window": best.id})
    quote = client.pricing.estimate(chosen)
    assert quote.amount > 0 and quote.sensor == "Assured Tasking"
    order = client.orders.create(chosen)
    assert str(order.status) == "RECEIVED" and order.raw["imaging_window"] == best.id
    assert order.start == best.start and order.end == best.end  # Planet takes the window's times


def test_a_failed_search_raises_with_the_providers_reason(sandbox, connect):
    client = connect("planet")
    with pytest.raises(E.ApiError) as failed:
        client.imaging_windows.search(assured(sandbox, coordinates=(10.0, 86.0)))
    assert failed.value.code == "NO_ACCESS" and "latitude" in str(failed.value)


@pytest.mark.parametrize("provider", ["pixxel", "geopera"])
def test_imaging_windows_are_planet_only(sandbox, connect, provider):
    client = connect(provider)
    with pytest.raises(E.NotSupported) as refused:
        client.imaging_windows.search(assured(sandbox))
    assert "Planet Assured Tasking" in str(refused.value)
    assert client.transport.stats.requests == 0
