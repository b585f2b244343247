"""OrderBrowser lists what was placed, filters, pages, and shows an order's items and tasks."""

from __future__ import annotations

import pixorder
from pixorder.widgets import OrderBrowser
from tests.widgets.helpers import assert_no_key_in_widget_state, box

START, END = "2027-07-01T00:00:00Z", "2027-07-20T00:00:00Z"


def place(client, west: float, name: str) -> pixorder.Order:
    request = pixorder.TaskingRequest(aoi=box(west, 45.0, west + 0.1, 45.1)["geometry"], start=START, end=END,
                                      name=name)
    return client.orders.create(request)


def test_lists_filters_pages_and_selects_what_was_placed(clients):
    placed = {p: [place(clients[p], 5.0 + i * 0.3, f"browser {p} {i}") for i in range(2)]
              for p in ("planet", "pixxel")}
    browser = OrderBrowser({p: clients[p] for p in ("planet", "pixxel")}, page_size=3)
    assert browser.wait(30)
    ids = set(browser.value["id"])
    for orders in placed.values():
        assert {o.id for o in orders} <= ids
    assert browser.value.crs.to_epsg() == 4326
    assert len(browser.table.options) == 3 and browser.n_pages >= 2  # paginated
    browser.next_button.click()
    assert browser.page == 1
    # every order of the page that has a footprint is on the map (Pixxel's official order items carry
    # no AOI, so a Pixxel order listed back has none to show)
    with_footprint = [o for o in browser.page_orders if o.geometry is not None]
    assert len(browser.footprints.data["features"]) == len(with_footprint)
    assert {f["properties"]["id"] for f in browser.footprints.data["features"]} == {o.id for o in with_footprint}

    browser.provider.value = "planet"  # filter
    assert set(browser.value["provider"].astype(str)) == {"planet"}
    assert {o.id for o in placed["planet"]} <= set(browser.value["id"])
    assert browser.page == 0

    browser.provider.value = "any"
    target = placed["pixxel"][1]
    assert browser.select(target.id)
    assert browser.selected.id == target.id
    assert browser.highlight.data["features"] == []  # a Pixxel order listed back has no AOI to show
    assert browser.wait(30)
    assert target.id in browser.details.value and "Items" in browser.details.value
    assert target.items[0].id in browser.details.value
    shown = placed["planet"][1]
    assert browser.select(shown.id)
    assert browser.highlight.data["features"][0]["properties"]["id"] == shown.id
    lat, lon = browser.map.center
    assert 45.0 < lat < 45.1 and 5.3 < lon < 5.4
    assert browser.select(target.id)

    status = str(browser.selected.status)
    browser.status.value = status
    assert all(str(s) == status for s in browser.value["status"])
    browser.status.value = "CANCELLED" if status != "CANCELLED" else "EXPIRED"
    assert target.id not in set(browser.value["id"])
    assert_no_key_in_widget_state()


def test_orders_placed_later_show_after_refresh(clients):
    browser = OrderBrowser({"planet": clients["planet"]})
    assert browser.wait(30)
    before = set(browser.value["id"])
    order = place(clients["planet"], 7.0, "browser later")
    assert order.id not in before
    browser.refresh_button.click()
    assert browser.wait(30)
    assert order.id in set(browser.value["id"])
