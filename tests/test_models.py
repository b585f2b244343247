"""Neutral models: tolerant enums, every datetime form of the docs, request validation."""

from datetime import datetime, timezone

import pytest

from pixorder import models as m
from pixorder.errors import ValidationError

UTC = timezone.utc
POINT = {"type": "Point", "coordinates": [10.0, 50.0]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-01-01T00:00:00Z", datetime(2020, 1, 1, tzinfo=UTC)),
        ("2020-01-01T00:00:00+00:00", datetime(2020, 1, 1, tzinfo=UTC)),
        ("2024-05-27T06:50:20.056549Z", datetime(2024, 5, 27, 6, 50, 20, 56549, tzinfo=UTC)),
        ("2022-11-14 12:55:49.1+00:00", datetime(2022, 11, 14, 12, 55, 49, 100000, tzinfo=UTC)),
        ("2020-03-23T12:26:35.820963Z", datetime(2020, 3, 23, 12, 26, 35, 820963, tzinfo=UTC)),
        ("2021-08-05T10:18:00.000000Z", datetime(2021, 8, 5, 10, 18, tzinfo=UTC)),
        ("25-05-2024", datetime(2024, 5, 25, tzinfo=UTC)),
        ("2020-01-01T02:00:00+02:00", datetime(2020, 1, 1, tzinfo=UTC)),
        ("2020-10-22", datetime(2020, 10, 22, tzinfo=UTC)),
    ],
)
def test_every_documented_datetime_form_is_utc(text, expected):
    parsed = m.parse_datetime(text)
    assert parsed == expected
    assert parsed.tzinfo is not None and parsed.utcoffset().total_seconds() == 0


def test_empty_string_and_none_are_no_datetime():
    assert m.parse_datetime("") is None
    assert m.parse_datetime(None) is None
    assert m.Task(provider="pixxel", id="t", start="", created_at=None).start is None


def test_bad_datetime_names_field():
    with pytest.raises(ValidationError) as info:
        m.TaskingRequest(aoi=POINT, start="next tuesday", end="2027-01-20")
    assert info.value.field == "start"


@pytest.mark.parametrize(
    ("enum", "raw", "expected"),
    [
        (m.FeasibilityStatus, "FAILED/WEAK_SUCCESS/SUCCESS", m.FeasibilityStatus.FAILED),
        (m.OrderStatus, "DRAFT/ACTIVE/COMPLETED/CANCELLED/FAILED/PARTIALLY_COMPLETED", m.OrderStatus.DRAFT),
        (m.OrderStatus, "COMPLETED", m.OrderStatus.FULFILLED),
        (m.TaskStatus, "COMPLETED", m.TaskStatus.FULFILLED),
        (m.TaskStatus, "CANCELED", m.TaskStatus.CANCELLED),
        (m.OrderStatus, "in progress", m.OrderStatus.IN_PROGRESS),
        (m.DeliverySpeed, "STANDARD/EXPEDITED", m.DeliverySpeed.STANDARD),
    ],
)
def test_enums_read_slash_joined_examples_and_synonyms(enum, raw, expected):
    assert enum(raw) is expected


def test_unknown_enum_value_is_kept_not_a_crash():
    status = m.OrderStatus("PENDING_CANCELLATION")
    assert status == "PENDING_CANCELLATION" and status.value == "PENDING_CANCELLATION"
    assert not status.known and m.OrderStatus.PENDING.known
    order = m.Order(provider="planet", id="x", status="FINALIZING")
    assert order.status.value == "FINALIZING"


def test_tasking_request_defaults_and_point_square():
    req = m.TaskingRequest(aoi=POINT, start="2027-01-10", end="2027-01-20")
    assert req.recurrence is m.Recurrence.ONCE and req.occurrences == 1
    assert req.start == datetime(2027, 1, 10, tzinfo=UTC)
    assert req.aoi.area_km2 == pytest.approx(25, abs=0.3)
    assert req.window_days == 10


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"cloud_cover": 150}, "cloud_cover"),
        ({"cloud_cover": -1}, "cloud_cover"),
        ({"off_nadir": 75}, "off_nadir"),
        ({"elevation_min": 95}, "elevation_min"),
        ({"start": "2027-01-20", "end": "2027-01-10"}, "end"),
        ({"recurrence": "HOURLY", "occurrences": 3}, "recurrence"),
        ({"recurrence": "WEEKLY"}, "occurrences"),
        ({"recurrence": "ONCE", "occurrences": 4}, "occurrences"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_bad_tasking_request_names_the_field(kwargs, field):
    args = {"aoi": POINT, "start": "2027-01-10", "end": "2027-01-20", **kwargs}
    with pytest.raises(ValidationError) as info:
        m.TaskingRequest(**args)
    assert info.value.field == field
    assert field in str(info.value)


def test_end_before_start_message_says_the_rule():
    with pytest.raises(ValidationError, match=r"end: must be after start"):
        m.TaskingRequest(aoi=POINT, start="2027-01-20", end="2027-01-10")


def test_off_nadir_and_elevation_convert_both_ways():
    for off in (0, 10, 25, 45):
        elev = m.off_nadir_to_elevation(off)
        assert m.elevation_to_off_nadir(elev) == pytest.approx(off, abs=1e-6)
    # a 60° elevation angle (Planet's usual contract floor) is asin(6371/6871 · cos 60°) ≈ 27.6° off-nadir
    assert m.elevation_to_off_nadir(60) == pytest.approx(27.62, abs=0.05)
    req = m.TaskingRequest(aoi=POINT, start="2027-01-10", end="2027-01-20", elevation_min=60)
    assert req.off_nadir == pytest.approx(27.62, abs=0.05)
    req = m.TaskingRequest(aoi=POINT, start="2027-01-10", end="2027-01-20", off_nadir=20)
    assert req.elevation_min == pytest.approx(m.off_nadir_to_elevation(20), abs=1e-3)


def test_recurring_request_keeps_occurrences():
    req = m.TaskingRequest(aoi=POINT, start="2027-01-10", end="2027-04-10", recurrence="monthly", occurrences=3)
    assert req.recurrence is m.Recurrence.MONTHLY and req.occurrences == 3
    assert m.Recurrence.MONTHLY.interval_days == 30


def test_archive_request_needs_item_ids():
    with pytest.raises(ValidationError) as info:
        m.ArchiveRequest(aoi=POINT, item_ids=[])
    assert info.value.field == "item_ids"


def test_quote_amount_per_km2():
    q = m.Quote(provider="planet", amount=50.0, area_km2=25.0, unit="SQKM")
    assert q.amount_per_km2 == 2.0 and q.ok
    assert not m.Quote(provider="planet", error="boom").ok


def test_page_knows_when_more_remain():
    page = m.Page[m.Task](items=[m.Task(provider="pixxel", id="a")], total=3, offset=0, limit=1)
    assert page.has_more and len(page) == 1


def _square_order(**extra):
    ring = [[10.0 + 0.1 * i / 10, 50.0] for i in range(10)] + [[10.1, 50.1], [10.0, 50.1], [10.0, 50.0]]
    geometry = {"type": "Polygon", "coordinates": [ring]}
    tasks = [m.Task(provider="pixxel", id=f"t-{i}", status="IN_PROGRESS", start="2027-03-01", end="2027-03-02")
             for i in range(3)]
    item = m.OrderItem(provider="pixxel", id="it-1", type="TASKING", status="DRAFT", payment_status="PAID",
                       amount=1000.0, unit="USD", area_km2=25.0, billed_area_km2=100.0, geometry=geometry, tasks=tasks,
                       raw={"secret_looking_payload": "x" * 500})
    return m.Order(provider="pixxel", id="o-1", status="DRAFT", provider_status="DRAFT", payment_status="PAID",
                   order_type="TASKING", amount=1000.0, unit="USD", area_km2=25.0, billed_area_km2=100.0,
                   geometry=geometry, items=[item], raw={"order_items": ["x" * 500]}, **extra)


def test_order_repr_is_one_short_line_with_what_a_user_checks():
    order = _square_order()
    text = repr(order)
    assert text == ("<Order pixxel 'o-1' TASKING status=DRAFT payment=PAID amount=1,000.00 USD area=25.00 km² "
                    "billed=100 km² 1 item geometry=(Polygon, 13 vertices, bbox 10.000,50.000 → 10.100,50.100)>")
    assert "raw" not in text and "it-1" not in text and "[[" not in text  # no payload, items or vertex lists
    assert len(text) < 200


def test_item_task_and_quote_reprs_are_compact():
    item = _square_order().items[0]
    assert repr(item).startswith("<OrderItem pixxel 'it-1' TASKING status=DRAFT payment=PAID amount=1,000.00 USD "
                                 "area=25.00 km² billed=100 km² 3 tasks geometry=(Polygon, 13 vertices")
    assert "secret_looking_payload" not in repr(item) and "t-0" not in repr(item)
    assert repr(item.tasks[0]) == "<Task pixxel 't-0' status=IN_PROGRESS 2027-03-01 → 2027-03-02>"
    quote = m.Quote(provider="geopera", sensor="pneo-30cm", amount=700.0, unit="AUD", area_km2=19.2,
                    billed_area_km2=25.0, uplifts=[m.Uplift(name="expedited", percentage=20, amount=100.0)],
                    geometry={"type": "Point", "coordinates": [10.0, 50.0]})
    assert repr(quote) == ("<Quote geopera pneo-30cm amount=700.00 AUD area=19.20 km² billed=25 km² per_km2=28.00 AUD "
                           "uplifts=expedited geometry=(Point, 1 vertex, bbox 10.000,50.000 → 10.000,50.000)>")
    assert repr(m.Quote(provider="planet", error="no price")) == "<Quote planet error='no price'>"


def test_a_model_holding_an_error_shows_it_shortened_in_its_repr_and_html():
    """An error row (a ``create_many`` row that placed nothing, a quote that could not be had) says why in
    its one line and in its notebook table, however long the provider's message."""
    import pixorder.frames  # noqa: F401  (registers the models' HTML tables, as the client does)

    message = "planet HTTP 400: geometry: bad AOI, the polygon crosses itself " + "x" * 400 + "\nsecond line"
    row = m.Order(provider="planet", id=None, error=message, error_type="ApiError", request_index=2,
                  reference="pxo-0123456789abcdef")
    quote = m.Quote(provider="planet", sensor="Flexible Tasking", error=message)
    for model in (row, quote):
        text = repr(model)
        assert "planet HTTP 400: geometry: bad AOI" in text and "…" in text, text
        assert "\n" not in text and "xxxxxxxxxx" * 20 not in text and len(text) < 200, text
        html = model._repr_html_()
        assert "planet HTTP 400: geometry: bad AOI" in html and "xxxxxxxxxx" * 20 not in html
    assert "ApiError" in repr(row) and "pxo-0123456789abcdef" in repr(row)  # what to do next: reconcile it
    assert "ApiError" in row._repr_html_() and "pxo-0123456789abcdef" in row._repr_html_()
    assert repr(m.Quote(provider="planet", error="no price")) == "<Quote planet error='no price'>"


# ---------------------------------------------------------------------------------- changing a request
def _request(**kwargs):
    return m.TaskingRequest(aoi={"type": "Point", "coordinates": [10.0, 50.0]}, start="2027-01-10",
                            end="2027-01-20", **kwargs)


def test_changing_off_nadir_rederives_elevation():
    req = _request(off_nadir=25)
    req.off_nadir = 10
    assert req.off_nadir == 10 and req.elevation_min == pytest.approx(79.206, abs=0.01)
    req.elevation_min = 60
    assert req.off_nadir == pytest.approx(27.0, abs=1.0)


def test_a_refused_change_is_pixorders_error_and_leaves_the_request_unchanged():
    req = _request(off_nadir=25, name="field 7")
    before = req.model_dump()
    with pytest.raises(ValidationError) as info:
        req.off_nadir = 100
    assert info.value.field == "off_nadir"
    assert req.model_dump() == before
    with pytest.raises(ValidationError) as info:
        req.end = "2027-01-01"
    assert info.value.field == "end" and req.model_dump() == before
    req.name = "x"  # later changes still work
    assert req.name == "x" and req.off_nadir == 25
    with pytest.raises(ValidationError) as info:
        req.bogus = 1
    assert info.value.field == "bogus"


def test_model_copy_with_update_validates_the_whole_request():
    req = _request(off_nadir=25)
    monthly = req.model_copy(update={"recurrence": "MONTHLY", "occurrences": 3, "off_nadir": 10})
    assert monthly.occurrences == 3 and monthly.elevation_min == pytest.approx(79.206, abs=0.01)
    assert req.recurrence.value == "ONCE" and req.off_nadir == 25
    with pytest.raises(ValidationError):
        req.model_copy(update={"cloud_cover": 150})
