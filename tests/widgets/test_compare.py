"""CompareProviders: the same AOI priced by every provider; table, bars, rates."""

from __future__ import annotations

from datetime import date

import pytest

from pixorder.widgets import AOIMap, CompareProviders, ManualScheduler, RequestParameters
from tests.widgets.helpers import box


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
        assert f"{row['amount_usd_per_km2']:,.2f} USD" in cmp.panel.value  # drawn as a bar
    assert "<svg" in cmp.panel.value and "amount per billed km² (USD)" in cmp.panel.value

    params.cloud_cover.value = 5
    cmp.compare_button.click()  # no waiting for the debounce
    assert cmp.wait(30)
    assert cmp.requests_started == 2


def test_rates_without_currency_are_refused(clients):
    with pytest.raises(Exception, match="currency"):
        CompareProviders(clients=clients, rates={"USD": 1.0})
