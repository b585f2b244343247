"""Imaging windows in the widgets (Planet Assured Tasking), against the sandbox over real HTTP.

Picking Assured Tasking shows the windows the sandbox finds for the AOI and dates; the price, the
dry run and the placed order carry the window picked; new dates clear a stale choice; sensors that
need no window show no picker.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

import pixorder
from pixorder.widgets import (
    AOIMap,
    ImagingWindowPicker,
    ManualScheduler,
    OrderForm,
    PricingPreview,
    RequestParameters,
    SensorPicker,
)
from pixorder.widgets.windows import EMPTY, window_label
from tests.widgets.helpers import assert_no_key_in_widget_state, box

ASSURED, FLEXIBLE = "Assured Tasking", "Flexible Tasking"
FIELD = box(10.0, 45.0, 10.05, 45.04)  # a field in the Po valley, about 17.5 km²


def soon(sandbox: Any, first: int = 1, last: int = 6) -> tuple[Any, Any]:
    """Dates inside the 7 days ahead that imaging windows can be searched for (sandbox time)."""
    today = sandbox.now().date()
    return today + timedelta(days=first), today + timedelta(days=last)


def preview_for(clients: dict[str, Any], sandbox: Any, provider: str = "planet", first: int = 1):
    sched = ManualScheduler()
    aoi_map = AOIMap()
    picker = SensorPicker(clients, provider=provider)
    assert picker.wait(20) and picker.value is not None
    start, end = soon(sandbox, first)
    params = RequestParameters(start=start, end=end)
    preview = PricingPreview(aoi_map, picker, params, scheduler=sched)
    aoi_map.draw.set_state({"data": [FIELD]})
    sched.advance(1)
    assert preview.wait(20)
    return preview, sched


def direct_search(client: Any, preview: PricingPreview) -> list[Any]:
    """What client.imaging_windows.search answers for the request the widget is building."""
    base = preview._base_request()
    assert base is not None and base.sensor == ASSURED and base.imaging_window is None
    return sorted(client.imaging_windows.search(base), key=lambda w: w.start)


def test_assured_tasking_shows_the_windows_found_and_prices_the_one_picked(clients, sandbox):
    planet = clients["planet"]
    preview, sched = preview_for(clients, sandbox)
    windows = preview.windows
    assert preview.value is not None and not windows.needed and windows.layout.display == "none"
    flexible_price = preview.value.amount

    preview.sensor_picker.sensor_dropdown.value = ASSURED  # what choosing it in the dropdown does
    assert windows.needed and windows.layout.display != "none" and windows in preview.children
    assert "Searching imaging windows" in windows.status.value
    assert preview.value is None and preview.request is None  # no price without a window
    assert "choose one to see the price" in preview.panel.value
    sched.advance(1)
    assert preview.wait(20)

    expected = direct_search(planet, preview)
    assert len(expected) >= 4  # one pass a day over five days
    assert [w.id for w in windows.windows] == [w.id for w in expected]
    assert windows.windows[0].cloud_forecast == expected[0].cloud_forecast
    labels = [label for label, _ in windows.choices.options]
    assert len(labels) == len(expected)
    first = expected[0]
    assert labels[0] == window_label(first)
    assert first.start.strftime("%Y-%m-%d %H:%M") in labels[0] and first.end.strftime("%H:%M") in labels[0]
    assert f"cloud {first.cloud_forecast:.0f} %" in labels[0]
    assert f"off-nadir {first.off_nadir_min:.1f}–{first.off_nadir_max:.1f}°" in labels[0]
    assert "SKYSAT" in labels[0]
    assert f"{len(expected)} windows found" in windows.status.value
    assert windows.value is None and windows.choices.index is None  # nothing picked for the user
    assert preview.value is None and preview.requests_started == 1  # only the Flexible price so far

    chosen = min(expected, key=lambda w: w.cloud_forecast)
    windows.choose(chosen.id)  # a click on its line
    assert windows.value.id == chosen.id
    sched.advance(1)
    assert preview.wait(20)
    assert preview.request.imaging_window == chosen.id
    direct = planet.pricing.estimate(preview._base_request().model_copy(update={"imaging_window": chosen.id}))
    assert preview.value is not None, preview.status.value
    assert preview.value.amount == direct.amount and preview.value.unit == direct.unit
    assert preview.value.amount != flexible_price  # the Assured tier costs more than Flexible
    assert f"data-amount='{direct.amount!r}'" in preview.panel.value
    assert_no_key_in_widget_state()


def assured_form(clients, sandbox, name):
    """An OrderForm on Planet Assured Tasking with a field drawn and a window a few days ahead, priced."""
    sched = ManualScheduler()
    form = OrderForm(clients, provider="planet", scheduler=sched, name=name)
    assert form.sensor_picker.wait(20)
    start, end = soon(sandbox)
    form.parameters.start.value, form.parameters.end.value = start, end
    form.aoi_map.draw.set_state({"data": [FIELD]})
    form.sensor_picker.sensor_dropdown.value = ASSURED
    sched.advance(1)
    assert form.wait(20)
    return form, sched


def test_order_form_dry_run_and_placement_carry_the_window(clients, sandbox):
    planet = clients["planet"]
    form, sched = assured_form(clients, sandbox, "window test")
    assert form.windows is form.preview.windows and form.windows.windows, form.windows.status.value

    form.dry_run_button.click()  # no window yet: refused in the form, nothing sent
    assert form.wait(20) and form.dry_run is None
    assert "imaging_window" in form.status.value and "choose one" in form.status.value

    chosen = form.windows.windows[-1]
    form.windows.choose(chosen.id)
    sched.advance(1)
    assert form.wait(20) and form.preview.value is not None, form.preview.status.value

    form.dry_run_button.click()
    assert form.wait(20) and form.dry_run is not None, form.status.value
    assert form.dry_run.amount == form.preview.value.amount
    # Planet has no dry run: pixorder prices the order's own payload (with its name) instead
    dry = [r["body"] for r in sandbox.received("planet") if r["method"] == "POST" and r["path"].endswith("/pricing/")
           and isinstance(r["body"], dict) and "window test" in r["body"].get("name", "")]
    assert dry and dry[-1]["imaging_window"] == chosen.id and dry[-1]["product"] == ASSURED

    form.place_button.click()
    assert window_label(chosen) in form.confirm_text.value
    form.confirm_button.click()
    assert form.wait(20) and form.order is not None, form.status.value
    posts = [r for r in sandbox.received("planet") if r["method"] == "POST" and r["path"].endswith("/orders/")]
    assert posts[-1]["body"]["imaging_window"] == chosen.id and posts[-1]["body"]["product"] == ASSURED
    placed = planet.orders.get(form.order.id)  # read back from the sandbox
    assert placed.raw["imaging_window"] == chosen.id
    assert placed.start == chosen.start and placed.end == chosen.end  # Planet takes the window's times
    assert chosen.id in form.result.value and window_label(chosen).split(" · ")[0] in form.result.value
    assert_no_key_in_widget_state()


def test_new_dates_aoi_or_sensor_clear_a_stale_choice(clients, sandbox):
    planet = clients["planet"]
    form, sched = assured_form(clients, sandbox, "stale window")
    first = form.windows.windows[0]
    form.windows.choose(first.id)
    sched.advance(1)
    assert form.wait(20) and form.preview.value is not None
    form.dry_run_button.click()
    assert form.wait(20) and not form.place_button.disabled
    searches = form.windows.searches_started

    # Two days later start: the choice is cleared at once, the dry run too, and the windows searched again.
    form.parameters.start.value = form.parameters.start.value + timedelta(days=2)
    assert form.windows.value is None and form.windows.choices.index is None
    assert form.preview.value is None and form.preview.request is None
    assert form.place_button.disabled and form.dry_run is None
    assert "Searching imaging windows" in form.windows.status.value
    sched.advance(1)
    assert form.wait(20)
    assert form.windows.searches_started == searches + 1
    assert [w.id for w in form.windows.windows] == [w.id for w in direct_search(planet, form.preview)]
    assert first.id not in [w.id for w in form.windows.windows]  # its day is no longer in the dates
    assert form.windows.value is None and form.preview.value is None
    with pytest.raises(pixorder.ValidationError, match="imaging_window"):
        form.build_request()

    # A new AOI clears a new choice the same way.
    form.windows.choose(form.windows.windows[0].id)
    sched.advance(1)
    assert form.wait(20) and form.preview.value is not None
    form.aoi_map.draw.set_state({"data": [box(11.0, 45.0, 11.05, 45.04)]})
    assert form.windows.value is None and form.preview.request is None
    sched.advance(1)
    assert form.wait(20) and form.windows.searches_started == searches + 2

    # Cloud cover does not change the windows: the choice stays and only the price is asked again.
    form.windows.choose(form.windows.windows[0].id)
    sched.advance(1)
    assert form.wait(20)
    form.parameters.cloud_cover.value = 10
    sched.advance(1)
    assert form.wait(20) and form.windows.value is not None and form.preview.value is not None
    assert form.windows.searches_started == searches + 2

    # Another sensor: the picker goes away and the request carries no window.
    form.sensor_picker.sensor_dropdown.value = FLEXIBLE
    assert form.windows.layout.display == "none" and form.windows.value is None
    sched.advance(1)
    assert form.wait(20)
    assert form.preview.request.imaging_window is None and form.preview.value is not None


@pytest.mark.parametrize("provider, sensor", [("planet", FLEXIBLE), ("planet", "Monitoring Tasking"),
                                              ("pixxel", None), ("geopera", None)])
def test_sensors_that_need_no_window_show_no_picker(clients, sandbox, provider, sensor):
    preview, sched = preview_for(clients, sandbox, provider, first=2)  # Pixxel starts ≥ 24 h ahead
    if sensor is not None:
        preview.sensor_picker.sensor_dropdown.value = sensor
        sched.advance(1)
        assert preview.wait(20)
    for other in preview.sensor_picker.sensors():  # every sensor the dropdown offers but Assured
        if other.id == ASSURED:
            continue
        preview.sensor_picker.sensor_dropdown.value = other.id
        assert not preview.windows.needed and preview.windows.layout.display == "none"
    preview.sensor_picker.sensor_dropdown.value = sensor or preview.sensor_picker.sensors()[0].id
    sched.advance(1)
    assert preview.wait(20)
    assert preview.windows.layout.display == "none" and not preview.windows.choices.options
    assert preview.windows.searches_started == 0
    assert preview.value is not None and preview.request.imaging_window is None


def test_search_runs_in_the_background_and_errors_show_in_the_picker(clients, sandbox):
    """Real clock: the search answers slowly and the kernel's thread is free meanwhile."""
    start, end = soon(sandbox)
    picker = SensorPicker(clients, provider="planet")
    assert picker.wait(20)
    params = RequestParameters(start=start, end=end)
    aoi_map = AOIMap(value=FIELD)
    preview = PricingPreview(aoi_map, picker, params, delay=0.05)
    assert preview.wait(20)
    sandbox.faults(rate=1.0, latency_spike_ms=800, paths=["/imaging-windows/"], provider="planet")
    try:
        picker.sensor_dropdown.value = ASSURED
        assert not preview.windows.windows  # returned before the slow answer: the search is on another thread
        time.sleep(0.3)
        assert "Searching imaging windows" in preview.windows.status.value and not preview.windows.windows
        assert preview.wait(20)
        assert preview.windows.windows and "found" in preview.windows.status.value
    finally:
        sandbox.faults(rate=0)

    # SkySat does not reach 86° north: the search fails and says why, in the picker.
    aoi_map.value = box(10.0, 86.0, 10.05, 86.02)
    assert preview.wait(20)
    assert "Could not search imaging windows" in preview.windows.status.value
    assert "NO_ACCESS" in preview.windows.status.value and "pixorder-error" in preview.windows.status.value
    assert not preview.windows.choices.options and preview.value is None

    # Dates beyond the 7 days ahead Planet searches: its refusal shows in the picker too.
    aoi_map.value = FIELD
    params.end.value = start + timedelta(days=20)
    assert preview.wait(20)
    assert "7 days" in preview.windows.status.value and "pixorder-error" in preview.windows.status.value


def test_no_window_in_the_dates_says_widen_them(clients, sandbox, monkeypatch):
    """The empty answer (the sandbox finds a window every day, so the search is made to find none)."""
    planet = clients["planet"]

    async def nothing(request: Any) -> list[Any]:
        return []

    monkeypatch.setattr(planet.aio.imaging_windows, "search", nothing)
    start, end = soon(sandbox)
    sched = ManualScheduler()
    picker = ImagingWindowPicker(scheduler=sched)
    request = pixorder.TaskingRequest(aoi=FIELD["geometry"], start=start, end=end, sensor=ASSURED)
    assert picker.show_for(planet, request)
    sched.advance(1)
    assert picker.wait(20)
    assert picker.windows == [] and EMPTY in picker.status.value and "widen the dates" in picker.status.value
    assert not picker.show_for(planet, request.model_copy(update={"sensor": FLEXIBLE}))
    assert picker.layout.display == "none" and picker.status.value == ""
