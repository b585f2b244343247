"""What the widgets say, read as a user reads it: no +0 % rows, labelled columns, plurals, wrapped
band lists, drawn vs billed areas, and a placed order's status apart from its payment status."""

from __future__ import annotations

import re
from datetime import date

import pixorder
from pixorder.models import Order, OrderItem, Quote, Uplift
from pixorder.widgets import QuotationInbox, render
from pixorder.widgets.aoi_map import checks_html
from pixorder.widgets.order_form import _order_summary
from pixorder.widgets.pricing import quote_html
from pixorder.widgets.sensor_picker import sensor_details_html
from tests.widgets.test_quotation_inbox import _FakeClient


def _rows(html: str) -> list[list[str]]:
    """The table's rows as the text a user reads in each cell."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html)
    return [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r)] for r in rows]


def test_planet_quote_hides_its_times_one_multiplier_and_says_drawn_and_billed(clients):
    request = pixorder.TaskingRequest(aoi={"type": "Point", "coordinates": [10.0, 50.0]}, start=date(2027, 3, 1),
                                      end=date(2027, 3, 21), elevation_min=80)
    quote = clients["planet"].pricing.estimate(request)
    assert [u.name for u in quote.uplifts] == ["imaging_mode", "elevation_angle"]  # ×1.0, then ×1.1
    rows = dict(r for r in _rows(quote_html(quote)) if len(r) == 2)
    assert not any("imaging_mode" in label for label in rows)  # was "+ imaging_mode (+0 %) 0.00"
    assert rows["+ elevation_angle (+10 %)"] == "2.50 SQKM"
    assert rows["area drawn"] == "25.00 km²" and rows["area billed"] == "25.00 km²"
    assert rows["total"] == "27.50 SQKM" and rows["per billed km²"] == "1.10 SQKM"


def test_zero_uplift_is_hidden_but_a_real_one_and_a_discount_stay():
    quote = Quote(provider="pixxel", amount=90.0, base_amount=100.0, unit="USD", area_km2=10.0, billed_area_km2=10.0,
                  uplifts=[Uplift(name="Delivery speed", percentage=0, amount=0.0),
                           Uplift(name="Cloud cover", percentage=15, amount=15.0),
                           Uplift(name="Loyalty", percentage=-25, amount=-25.0)])
    labels = [r[0] for r in _rows(quote_html(quote))]
    assert "+ Cloud cover (+15 %)" in labels and "+ Loyalty (-25 %)" in labels
    assert not any("Delivery speed" in label for label in labels)


def test_every_column_of_the_rule_table_is_labelled():
    aoi = pixorder.AOI({"type": "Point", "coordinates": [10.0, 50.0]})
    header = _rows(checks_html(aoi, ["pixxel", "planet"]))[0]
    assert header == ["provider", "severity", "rule"]
    assert _rows(checks_html(aoi, ["pixxel"]))[1][:2] == ["pixxel", "info"]  # the severity, under its label


def test_plurals_in_the_quotation_inbox():
    inbox = QuotationInbox(_FakeClient())
    assert inbox.wait(10)
    assert "1 study and 1 quotation wait for a decision." in inbox.message.value  # was "1 studies and 1 quotations"
    assert render.plural(0, "study", "studies") == "0 studies" and render.plural(2, "order") == "2 orders"


def test_pixxel_band_list_wraps_inside_the_panel(clients):
    vnir = next(s for s in clients["pixxel"].sensors() if s.name == "VNIR")
    assert len(vnir.bands) == 150
    html = sensor_details_html(vnir)
    bands = vnir.bands
    cells = re.findall(r"<td style='([^']*)'>([^<]*)</td>", html)
    band_style = next(style for style, text in cells if text.startswith(bands[0] + ", "))
    assert "white-space:normal" in band_style and "max-width" in band_style
    assert "white-space:nowrap" in next(style for style, text in cells if text == "resolution")


def test_placed_pixxel_order_shows_status_and_payment_as_two_rows():
    item = OrderItem(provider="pixxel", id="it-1", status="DRAFT", payment_status="PAID")
    order = Order(provider="pixxel", id="o-1", status="DRAFT", provider_status="DRAFT", payment_status="PAID",
                  amount=1000.0, unit="USD", area_km2=25.0, billed_area_km2=100.0, items=[item])
    rows = dict(_rows(_order_summary(order)))
    assert rows["status"] == "DRAFT" and rows["payment"] == "PAID"
    assert rows["area drawn"] == "25.00 km²" and rows["area billed"] == "100.00 km²"
    assert rows["price"] == "1,000.00 USD"


def test_order_browser_details_show_status_payment_and_both_areas():
    from pixorder.widgets.order_browser import order_details_html

    item = OrderItem(provider="pixxel", id="it-1", status="DRAFT", payment_status="PAID", amount=1000.0, unit="USD",
                     billed_area_km2=100.0)
    order = Order(provider="pixxel", id="o-1", status="DRAFT", provider_status="DRAFT", payment_status="PAID",
                  amount=1000.0, unit="USD", area_km2=25.0, billed_area_km2=100.0, items=[item])
    html = order_details_html(order)
    fields = dict(r for r in _rows(html.split("<b>Items</b>")[0]) if len(r) == 2)
    assert fields["status"] == "DRAFT" and fields["payment"] == "PAID"  # was "DRAFT (PAID)"
    assert fields["area drawn"] == "25.00 km²" and fields["area billed"] == "100.00 km²"
    header, row = _rows(html.split("<b>Items</b>")[1].split("<b>Tasks</b>")[0])[:2]
    assert dict(zip(header, row))["payment"] == "PAID" and dict(zip(header, row))["area billed"] == "100.00 km²"
