"""CompareProviders: the same AOI priced by every provider; table, bars, rates."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

import numpy as np
import pytest

from pixorder.widgets import AOIMap, CompareProviders, ManualScheduler, RequestParameters
from tests.widgets.helpers import box


def plotly_values(value: Any) -> list[Any]:
    """A trace's ``x``/``y`` as plotly.js receives it: a list, or a typed array (``{dtype, bdata}``)."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


def test_table_and_chart_per_provider_in_the_users_currency(clients):
    sched = ManualScheduler()
    rates = {"USD": 1.0, "AUD": 0.66, "SQKM": 4.0}
    aoi_map = AOIMap()
    params = RequestParameters(start=date(2027, 6, 1), end=date(2027, 6, 20))
    cmp = CompareProviders(aoi_map, params, clients=clients, rates=rates, currency="USD", scheduler=sched)
    assert cmp.value is None
    aoi_map.draw.set_state({"data": [box(10.0, 50.0, 10.2, 50.1)]})
    sched.advance(1)
    assert cmp.wait(30)
    frame = cmp.value
    assert sorted(frame["provider"].astype(str)) == ["geopera", "pixxel", "planet"]
    for _, row in frame.iterrows():
        provider = str(row["provider"])
        assert not isinstance(row["error"], str), row["error"]
        request = {"start": "2027-06-01T00:00:00Z", "end": "2027-06-20T00:00:00Z"}
        import pixorder

        direct = clients[provider].pricing.estimate(pixorder.TaskingRequest(
            aoi=aoi_map.value, cloud_cover=20, off_nadir=30, **request))
        assert row["amount"] == pytest.approx(direct.amount)
        assert row["amount_usd"] == pytest.approx(direct.amount * rates[direct.unit])
    # The sortable grid holds one row per provider with the amounts the client gave.
    table = cmp.grid.data
    assert len(table) == 3 and sorted(table["provider"]) == ["geopera", "pixxel", "planet"]
    for _, row in frame.iterrows():
        shown = table[table["provider"] == str(row["provider"])].iloc[0]
        assert shown["amount"] == pytest.approx(row["amount"]) and shown["unit"] == row["unit"]
        assert shown["per billed km² (USD)"] == pytest.approx(row["amount_usd_per_km2"])
    # The chart is a plotly figure in the Output widget: one bar per provider, per billed km² in USD.
    (shown_output,) = cmp.chart.outputs
    spec = shown_output["data"]["application/vnd.plotly.v1+json"]
    bars = {trace["name"]: plotly_values(trace["y"]) for trace in spec["data"]}
    assert sorted(bars) == ["geopera", "pixxel", "planet"]
    for _, row in frame.iterrows():
        (value,) = bars[str(row["provider"])]
        assert value == pytest.approx(row["amount_usd_per_km2"])
    assert spec["layout"]["yaxis"]["title"]["text"] == "price per billed km² (USD)"

    params.cloud_cover.value = 5
    cmp.compare_button.click()  # no waiting for the debounce
    assert cmp.wait(30)
    assert cmp.requests_started == 2


def test_rates_without_currency_are_refused(clients):
    with pytest.raises(Exception, match="currency"):
        CompareProviders(clients=clients, rates={"USD": 1.0})
