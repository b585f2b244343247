"""Geopera through the client: sensors, estimates (tasking and archive), the tasking life cycle."""

import httpx
import pandas as pd
import pytest

import pixorder
from pixorder import errors as E
from pixorder.models import OrderStatus, QuotationStatus
from tests.client.conftest import FIELD, POINT, request

pytest.importorskip("pixorder.sandbox.geopera_orders")


def test_sensors_catalogue(connect):
    sensors = connect("geopera").sensors()
    assert len(sensors) >= 3
    assert all(s.resolution_m and s.price_per_km2 and s.unit == "AUD" for s in sensors)


def test_estimate_matches_the_raw_operation(sandbox, connect):
    client = connect("geopera")
    sensor = client.sensors()[0].id
    quote = client.pricing.estimate(request(FIELD, sensor=sensor))
    group = client.aio.adapter.group(request(FIELD, sensor=sensor), 0)
    raw = httpx.post(f"{sandbox.url}/v1/orders/tasking/estimate", json={"groups": [group]},
                     headers={"Authorization": f"Bearer {sandbox.keys['geopera']}"}).json()
    assert quote.amount == pytest.approx(raw["totalAud"]) and quote.unit == "AUD"
    assert quote.credits == raw["totalCredits"]


def test_bulk_estimate_with_a_failing_group(connect):
    client = connect("geopera")
    requests = [request({"type": "Point", "coordinates": [5 + i * 0.1, 40.0]}) for i in range(150)]
    requests[7] = request({"type": "Point", "coordinates": [5.0, 40.0]}, sensor="no-such-sensor")
    client.sensors()
    before = client.transport.stats.requests
    quotes = client.pricing.estimate(requests)
    assert client.transport.stats.requests - before == 2  # 150 groups in chunks of 100
    assert len(quotes) == 150
    assert quotes[7].error and not quotes[7].ok
    assert sum(q.ok for q in quotes) == 149


LARGE = {"type": "Polygon", "coordinates": [[[10, 45], [10.4, 45], [10.4, 45.3], [10, 45.3], [10, 45]]]}


def test_small_aoi_goes_straight_to_a_quotation(sandbox, connect):
    client = connect("geopera")
    (check,) = client.feasibility.check(request(FIELD))
    assert check.required is False
    order = client.orders.create(request(FIELD, name="geopera small"))
    sandbox.advance(hours=12)
    assert not client.feasibility.list(order_id=order.id).collect()
    assert [q.order_id for q in client.quotations.list(order_id=order.id).collect()] == [order.id]


def test_tasking_life_cycle_feasibility_then_quotation(sandbox, connect):
    client = connect("geopera")
    (check,) = client.feasibility.check(request(LARGE))
    assert check.required is True and "km²" in check.reason
    order = client.orders.create(request(LARGE, name="geopera life cycle"))
    assert order.reference and order.id
    assert client.orders.get(order.id).reference == order.reference
    study = None
    for _ in range(10):
        studies = [s for s in client.feasibility.list(order_id=order.id).collect()]
        if studies:
            study = studies[0]
            break
        sandbox.advance(hours=12)
    assert study is not None and study.options
    decided = client.feasibility.decide(study.id, study.options[0].id)
    assert decided.decision is QuotationStatus.ACCEPTED
    quotation = None
    for _ in range(10):
        pending = [q for q in client.quotations.list(order_id=order.id).collect()
                   if q.status is QuotationStatus.NOT_DECIDED]
        if pending:
            quotation = pending[0]
            break
        sandbox.advance(hours=12)
    assert quotation is not None and quotation.amount > 0
    accepted = client.quotations.decide(quotation.id, accept=True)
    assert accepted.status is QuotationStatus.ACCEPTED
    with pytest.raises(E.Conflict):
        client.quotations.decide(quotation.id, accept=False)  # already decided: 409
    frame = client.quotations.list(order_id=order.id).to_geodataframe()
    assert len(frame) >= 1 and str(frame["created_at"].dtype) == "datetime64[ns, UTC]"


def test_cancel_refunds_and_lists_by_tag(connect):
    client = connect("geopera")
    order = client.orders.create(request(FIELD, name="to cancel"))
    cancelled = client.orders.cancel(order.id)
    assert cancelled.status is OrderStatus.CANCELLED
    assert [o.id for o in client.orders.list(reference=order.reference).collect()] == [order.id]
    edited = client.orders.edit(order.id, tags=[order.reference, "field-7"])
    assert "field-7" in edited.raw.get("tags", [])


def test_archive_estimate(connect):
    client = connect("geopera")
    quote = client.pricing.estimate(pixorder.ArchiveRequest(aoi=FIELD, item_ids=["cap-1"]))
    assert quote.amount and quote.amount > 0 and quote.unit == "AUD"


def test_feasibility_check(connect):
    client = connect("geopera")
    checks = client.feasibility.check(request(POINT))
    assert len(checks) == 1 and checks[0].required in (True, False)


def test_tasks_not_supported(connect):
    with pytest.raises(E.NotSupported, match="coverage"):
        connect("geopera").tasks.list()


def test_problem_json_is_surfaced(sandbox):
    client = pixorder.connect("sandbox", api="geopera", base_url=sandbox.url, api_key="gpra_wrong")
    with pytest.raises(E.AuthError) as info:
        client.sensors()
    assert info.value.status == 401 and isinstance(info.value.body, dict) and "title" in info.value.body
    client.close()


def test_archive_dry_run_is_the_archive_estimate(connect):
    client = connect("geopera")
    archive = pixorder.ArchiveRequest(aoi=FIELD, item_ids=["cap-1", "cap-2"])
    preview = client.orders.create(archive, dry_run=True)
    quote = client.pricing.estimate(archive)
    assert preview.dry_run and preview.amount == quote.amount and preview.order_type.value == "ARCHIVE"


def test_edit_without_changes_names_the_field(connect):
    with pytest.raises(E.ValidationError, match="tags"):
        connect("geopera").orders.edit("any-id")


def test_aoi_check_with_a_sensor_bills_what_the_sandbox_bills(connect):
    """Geopera's minimum area is per sensor: ``AOI.check(sensor=...)`` agrees with the quote."""
    client = connect("geopera")
    aoi = pixorder.AOI(FIELD)  # ≈19 km²: under every sensor's minimum
    sensors = client.sensors()
    assert {s.min_area_km2 for s in sensors} >= {25.0, 100.0}
    quotes = client.pricing.estimate([request(FIELD, sensor=s.id) for s in sensors])
    for sensor, quote in zip(sensors, quotes):
        assert quote.ok, quote.error
        checks = aoi.check("geopera", sensor=sensor)
        assert quote.billed_area_km2 == pytest.approx(aoi.billed_area_km2("geopera", sensor), rel=1e-3)
        assert [c.billed_area_km2 for c in checks] == pytest.approx([quote.billed_area_km2] * len(checks), rel=1e-3)
        bends = [c for c in checks if c.severity == "bends"]
        assert [c.rule for c in bends] == ["minimum_area"]
        assert f"billed as {sensor.min_area_km2:g} km² (AOI is 19." in bends[0].message
    with pytest.raises(pixorder.ValidationError, match="sensor"):
        aoi.check("geopera", sensor=-5)


WIDE = {"type": "Polygon", "coordinates": [[[11.0, 50.0], [11.1, 50.0], [11.1, 50.1], [11.0, 50.1], [11.0, 50.0]]]}  # ≈79.7 km²


def test_archive_requests_priced_together_each_get_their_own_quote(connect):
    """Geopera's archive estimate answers one group for all the captures sent: priced together, the first
    quote got both requests' total (2,211.94 AUD, 184.3 km²) and the second "no estimate returned". Each
    archive request is priced on its own call, and agrees with pricing it alone."""
    client = connect("geopera")
    small = pixorder.ArchiveRequest(aoi=FIELD, item_ids=["cap-1"])  # ≈19 km²: one capture billed 25 km²
    wide = pixorder.ArchiveRequest(aoi=WIDE, item_ids=["cap-2", "cap-3"])  # two captures of ≈79.7 km²
    alone = [client.pricing.estimate(small), client.pricing.estimate(wide)]
    before = client.transport.stats.requests
    together = client.pricing.estimate([small, wide])
    assert client.transport.stats.requests - before == 2  # one archive estimate per request
    assert len(together) == 2 and [q.error for q in together] == [None, None]
    assert [q.amount for q in together] == [q.amount for q in alone] == [300.0, 1911.94]  # 12 AUD per billed km²
    assert [q.billed_area_km2 for q in together] == [q.billed_area_km2 for q in alone] == [25.0, 159.328]
    assert [q.area_km2 for q in together] == pytest.approx([19.13, 79.66], abs=0.01)  # the AOI counted once
    assert [q.credits for q in together] == [q.credits for q in alone] == [3000, 19120]
    frame = together.to_geodataframe()
    assert len(frame) == 2 and frame["amount"].tolist() == [300.0, 1911.94]


def test_tasking_and_archive_priced_together(connect):
    """A list mixing tasking and archive requests: the client prices each kind with its own operation."""
    client = connect("geopera")
    tasking = request(FIELD)
    small = pixorder.ArchiveRequest(aoi=FIELD, item_ids=["cap-1"])
    wide = pixorder.ArchiveRequest(aoi=WIDE, item_ids=["cap-2", "cap-3"])
    quotes = client.pricing.estimate([tasking, small, wide])
    assert [q.error for q in quotes] == [None, None, None]
    assert [q.request_index for q in quotes] == [0, 1, 2]
    assert quotes[0].amount == client.pricing.estimate(tasking).amount and quotes[0].sensor
    assert [q.amount for q in quotes[1:]] == [300.0, 1911.94]


def test_adapter_refuses_a_mixed_or_multi_archive_price_call_with_a_typed_error():
    """The sans-IO ``price`` mixing tasking and archive requests raised AttributeError (an ArchiveRequest
    built as a tasking group); now a ValidationError naming what to do, as for several archive requests."""
    from pixorder.providers.geopera import GeoperaAdapter

    adapter = GeoperaAdapter(default_sensor="pneo-30cm")
    tasking = request(FIELD)
    small = pixorder.ArchiveRequest(aoi=FIELD, item_ids=["cap-1"])
    wide = pixorder.ArchiveRequest(aoi=WIDE, item_ids=["cap-2", "cap-3"])
    with pytest.raises(pixorder.ValidationError) as mixed:
        adapter.price([tasking, small])
    assert mixed.value.field == "requests" and "separate calls" in mixed.value.rule
    assert "client.pricing.estimate()" in str(mixed.value)
    with pytest.raises(pixorder.ValidationError) as several:
        adapter.price([small, wide])
    assert several.value.field == "requests" and "one archive request per call" in several.value.rule
    assert len(adapter.price([tasking, tasking]).json["groups"]) == 2
    assert [c["id"] for c in adapter.price([wide]).json["captures"]] == ["cap-2", "cap-3"]


def test_a_placement_that_placed_nothing_surfaces_the_rows_status_and_message():
    """``{"results": [], "errors": [{"status": 402, ...}]}`` raised a 422 whose message was the raw
    ``errors`` list as text; now the row's own status (402: credits short) and its message, body kept."""
    import asyncio

    from pixorder.client.transport import Transport
    from pixorder.providers.geopera import GeoperaAdapter

    detail = "Insufficient credits: this order needs 7700 credits and the balance is 120."
    answers = [{"results": [], "errors": [{"index": 0, "status": 402, "detail": detail}]},
               {"results": [], "errors": [{"index": 0, "detail": "Unknown sensor 'x'; see orders.tasking.sensors."},
                                          {"index": 1, "detail": [{"loc": ["params", "priority"], "msg": "unknown"}]}]}]

    def handler(http_request: httpx.Request) -> httpx.Response:
        return httpx.Response(202, json=answers.pop(0))

    adapter = GeoperaAdapter(default_sensor="pneo-30cm")

    async def place() -> list[E.ApiError]:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        transport = Transport(adapter, "gpra_key", "http://geopera.test", rate_limits={}, http=http)
        raised = []
        for _ in range(2):
            with pytest.raises(E.ApiError) as info:
                await transport.send(adapter.create_order(request(FIELD), reference="pxo-0123456789abcdef"))
            raised.append(info.value)
        await http.aclose()
        return raised

    credits, invalid = asyncio.run(place())
    assert (credits.status, credits.message, credits.provider) == (402, detail, "geopera")
    assert credits.body == {"results": [], "errors": [{"index": 0, "status": 402, "detail": detail}]}
    assert "[{" not in str(credits) and detail in str(credits)
    assert invalid.status == 422
    assert invalid.message == "index 0: Unknown sensor 'x'; see client.sensors().; index 1: params.priority: unknown"


def test_an_aoi_across_the_antimeridian_is_priced_at_geopera(sandbox):
    """Fiji was sent as one MultiPolygon spanning -180..180 and Geopera refused it ("split an AOI that
    crosses the antimeridian into one polygon on each side"): each part now goes as its own feature."""
    fiji = {"type": "Polygon", "coordinates": [[[179.9, -17], [-179.9, -17], [-179.9, -16.9], [179.9, -16.9],
                                                [179.9, -17]]]}
    row = pixorder.compare(fiji, start="2027-03-01", end="2027-03-21", providers="geopera").iloc[0]
    aoi = pixorder.AOI(fiji)
    assert pd.isna(row["error"]) and aoi.n_parts == 2
    assert row["billed_area_km2"] == pytest.approx(aoi.area_km2, abs=0.001) and row["amount"] == pytest.approx(
        28 * row["billed_area_km2"], rel=1e-4)  # pneo-30cm's 28 AUD/km² on the whole AOI (both sides)
