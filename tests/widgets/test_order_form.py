"""OrderForm: dry run first, then place through the confirmation; the order lands in ``value``."""

from __future__ import annotations

from datetime import date

import pytest

from pixorder.widgets import ManualScheduler, OrderForm
from tests.widgets.helpers import assert_no_key_in_widget_state, box


def ready_form(clients, provider: str) -> tuple[OrderForm, ManualScheduler]:
    sched = ManualScheduler()
    form = OrderForm(clients, provider=provider, scheduler=sched, name="widget test")
    assert form.sensor_picker.wait(20)
    form.parameters.start.value = date(2027, 4, 1)
    form.parameters.end.value = date(2027, 4, 20)
    form.aoi_map.draw.set_state({"data": [box(20.0, 40.0, 20.12, 40.1)]})
    sched.advance(1)
    assert form.wait(20) and form.preview.value is not None, form.preview.status.value
    return form, sched


@pytest.mark.parametrize("provider", ["planet", "pixxel", "geopera"])
def test_dry_run_then_place_through_the_confirmation(clients, provider):
    form, _ = ready_form(clients, provider)
    assert form.place_button.disabled  # no order before a dry run
    form.place_button.click()
    assert form.confirmation.layout.display == "none"

    form.dry_run_button.click()
    assert form.wait(20)
    assert form.dry_run is not None and form.dry_run.dry_run, form.status.value
    assert form.dry_run.amount == form.preview.value.amount  # the dry run agrees with the preview
    assert not form.place_button.disabled and form.value is None

    form.place_button.click()
    assert form.confirmation.layout.display != "none"
    price = f"{form.dry_run.amount:,.2f} {form.dry_run.unit}"
    assert price in form.confirm_text.value
    assert form.value is None  # asking is not ordering

    form.confirm_button.click()
    assert form.wait(20)
    assert form.order is not None, form.status.value
    frame = form.value
    assert len(frame) == 1 and frame.loc[0, "id"] == form.order.id and frame.loc[0, "provider"] == provider
    assert frame.crs.to_epsg() == 4326 and not frame.loc[0, "dry_run"]
    assert form.order.id in form.status.value and form.confirmation.layout.display == "none"
    assert form.place_button.disabled  # one confirmation, one order
    found = clients[provider].orders.get(form.order.id)
    assert found.id == form.order.id
    assert_no_key_in_widget_state()


def test_cancel_and_edits_after_the_dry_run(clients):
    form, sched = ready_form(clients, "planet")
    form.dry_run_button.click()
    assert form.wait(20) and not form.place_button.disabled
    form.place_button.click()
    form.cancel_button.click()
    assert form.confirmation.layout.display == "none" and form.order is None
    assert "not placed" in form.status.value

    form.aoi_map.draw.set_state({"data": [box(20.0, 40.0, 20.2, 40.1)]})  # edited after the dry run
    sched.advance(1)
    assert form.wait(20)
    assert form.place_button.disabled and form.dry_run is None
    form.confirm_button.click()  # a stale confirm button press places nothing
    assert form.wait(20) and form.order is None
    assert "dry run again" in form.status.value


def test_dry_run_without_aoi_says_so(clients):
    form = OrderForm(clients, provider="planet", scheduler=ManualScheduler())
    form.dry_run_button.click()
    assert "draw or upload an AOI" in form.status.value and form.dry_run is None
