"""SensorPicker, RequestParameters and PricingPreview against the sandbox."""

from __future__ import annotations

import time
from datetime import date

import pytest

import pixorder
from pixorder.widgets import AOIMap, ManualScheduler, PricingPreview, RequestParameters, SensorPicker
from tests.widgets.helpers import assert_no_key_in_widget_state, box, point

START, END = date(2027, 3, 1), date(2027, 3, 21)


def build(clients, provider="planet", scheduler=None, delay=0.4):
    aoi_map = AOIMap()
    picker = SensorPicker(clients, provider=provider)
    assert picker.wait(20) and picker.value is not None
    params = RequestParameters(start=START, end=END)
    preview = PricingPreview(aoi_map, picker, params, scheduler=scheduler, delay=delay)
    return aoi_map, picker, params, preview


@pytest.mark.parametrize("provider", ["planet", "pixxel", "geopera"])
def test_shown_price_is_the_sandbox_price_for_that_aoi(clients, provider):
    sched = ManualScheduler()
    aoi_map, picker, params, preview = build(clients, provider, sched)
    aoi_map.draw.set_state({"data": [box(10.0, 50.0, 10.15, 50.1)]})
    assert preview.value is None and "Waiting" in preview.status.value
    sched.advance(0.4)
    assert preview.wait(20)
    quote = preview.value
    assert quote is not None, preview.status.value
    assert preview.request.aoi == aoi_map.value
    direct = clients[provider].pricing.estimate(preview.request)  # the same request, asked directly
    assert quote.amount == direct.amount and quote.unit == direct.unit
    assert preview.price_text == f"{direct.amount:,.2f} {direct.unit}" and preview.price_text in preview.panel.value
    assert f"data-amount='{direct.amount!r}'" in preview.panel.value
    # the breakdown: base price, each uplift, billed area, feasibility
    if quote.base_amount is not None:
        assert f"{quote.base_amount:,.2f}" in preview.panel.value
    for uplift in quote.uplifts:
        assert (uplift.name in preview.panel.value) != (uplift.percentage == 0)  # a +0 % row is left out
    if quote.billed_area_km2 is not None:
        assert f"{quote.billed_area_km2:,.2f} km²" in preview.panel.value
    assert "feasibility" in preview.panel.value


def test_parameter_and_sensor_changes_reprice(clients):
    sched = ManualScheduler()
    aoi_map, picker, params, preview = build(clients, "pixxel", sched)
    aoi_map.draw.set_state({"data": [box(10.0, 50.0, 10.2, 50.1)]})
    sched.advance(1)
    assert preview.wait(20)
    standard = preview.value.amount

    params.delivery_speed.value = "EXPEDITED"
    params.cloud_cover.value = 5  # slider moved: a tight cloud cover costs more
    sched.advance(1)
    assert preview.wait(20)
    assert preview.request.delivery_speed.value == "EXPEDITED" and preview.request.cloud_cover == 5
    assert preview.value.amount > standard
    assert preview.value.amount == clients["pixxel"].pricing.estimate(preview.request).amount

    other = [s.id for s in picker.sensors() if s.id != picker.value.id][0]
    picker.sensor_dropdown.value = other  # another bandset
    sched.advance(1)
    assert preview.wait(20)
    assert preview.request.bandset == other
    assert preview.value.amount == clients["pixxel"].pricing.estimate(preview.request).amount


def test_twenty_rapid_edits_cause_at_most_two_requests(clients):
    """Real clock, real threads: the user drags a vertex 20 times in quick succession."""
    planet = clients["planet"]
    aoi_map, picker, params, preview = build(clients, "planet", delay=0.3)
    planet.pricing.estimate(pixorder.TaskingRequest(aoi=box(1, 1, 1.1, 1.1)["geometry"], start=START, end=END))
    before = planet.transport.stats.requests
    for i in range(20):
        aoi_map.draw.set_state({"data": [box(10.0, 50.0, 10.1 + 0.01 * i, 50.1)]})
        time.sleep(0.005)
    assert preview.wait(20)
    time.sleep(0.35)  # nothing may be left pending once the debounce has passed
    assert preview.wait(20)
    sent = planet.transport.stats.requests - before
    assert 1 <= sent <= 2 and preview.requests_started <= 2
    last = pixorder.AOI(box(10.0, 50.0, 10.29, 50.1))
    assert preview.request.aoi == last
    expected = planet.pricing.estimate(preview.request)
    assert preview.value.amount == expected.amount and preview.value.area_km2 == pytest.approx(last.area_km2)


def test_bad_parameters_and_failed_calls_show_inline(clients, sandbox):
    sched = ManualScheduler()
    aoi_map, picker, params, preview = build(clients, "planet", sched)
    aoi_map.draw.set_state({"data": [point(10.0, 50.0)]})
    params.end.value = date(2027, 2, 1)  # before the start
    assert preview.request is None and preview.value is None
    assert "end" in preview.status.value and "pixorder-error" in preview.status.value
    sched.advance(1)
    assert preview.requests_started == 0

    wrong = pixorder.connect("sandbox", api="planet", base_url=sandbox.url, api_key="wrong-key", retries=1)
    failing = PricingPreview(AOIMap(value=point(10.0, 50.0)), parameters=RequestParameters(start=START, end=END),
                             client=wrong, scheduler=sched)
    sched.advance(1)
    assert failing.wait(20)
    assert failing.value is None and "Pricing failed" in failing.status.value
    assert "Traceback" not in failing.status.value and "wrong-key" not in failing.status.value
    wrong.close()


def test_standalone_preview_shows_its_own_inputs(clients):
    preview = PricingPreview(client=clients["planet"], scheduler=ManualScheduler())
    assert preview.aoi_map in preview.children and preview.parameters in preview.children
    assert_no_key_in_widget_state()
