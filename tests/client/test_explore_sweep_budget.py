"""sweep(), budget() and prices kept on disk: checked against the sandbox's price book and its quotes."""

import math
from datetime import timedelta

import pandas as pd
import pytest

import pixorder
from pixorder import errors as E
from pixorder.explore.budget import schedule
from pixorder.sandbox import price_book as book
from tests.client.conftest import END, FIELD, START

CLOUDS = [5, 10, 20, 40]


def _clients(sandbox, names=("pixxel", "planet", "geopera")):
    return [pixorder.connect("sandbox", api=p, base_url=sandbox.url, progress=False) for p in names]


def test_sweep_over_cloud_cover_follows_each_price_book(sandbox):
    clients = _clients(sandbox)
    for c in clients:
        c.sensors()
    before = {c.provider: c.transport.stats.requests for c in clients}
    frame = pixorder.sweep(FIELD, vary={"cloud_cover": CLOUDS}, start=START, end=END, providers=clients)
    calls = {c.provider: c.transport.stats.requests - before[c.provider] for c in clients}
    assert calls == {"pixxel": 1, "planet": 1, "geopera": 1}  # one bulk call per provider and sensor
    assert len(frame) == 12 and frame["error"].isna().all()
    area = pixorder.AOI(FIELD).area_km2
    geopera_sensor = frame.loc[frame["provider"] == "geopera", "sensor"].iloc[0]
    for cloud in CLOUDS:
        row = frame[frame["cloud_cover"] == cloud].astype({"provider": str}).set_index("provider")
        pixxel = book.pixxel_quote(area, "VNIR", cloud_cover=cloud, off_nadir=30)["final_amount"]
        planet = book.planet_pricing(area, book.planet_multipliers())["estimated_quota_cost"]
        geopera = book.geopera_quote(geopera_sensor, area, max_cloud=cloud)["aud"]
        assert row.loc["pixxel", "amount"] == pytest.approx(pixxel)
        assert row.loc["planet", "amount"] == pytest.approx(planet)
        assert row.loc["geopera", "amount"] == pytest.approx(geopera)
    # the tight-cloud uplift shows at 5 and 10 %, not above
    pix = frame[frame["provider"] == "pixxel"].set_index("cloud_cover")["amount"]
    assert pix[5] == pix[10] > pix[20] == pix[40]
    assert frame.attrs["pixorder"]["kind"] == "sweep"
    figure = frame.plot()
    assert len(figure.data) == 3 and list(figure.data[0].x) == CLOUDS
    for c in clients:
        c.close()


def test_sweep_two_parameters_and_area(sandbox):
    clients = _clients(sandbox, ("pixxel", "geopera"))
    frame = pixorder.sweep(FIELD, vary={"cloud_cover": [5, 30], "delivery_speed": ["STANDARD", "EXPEDITED"]},
                           start=START, end=END, providers=clients)
    assert len(frame) == 8
    pix = frame[frame["provider"] == "pixxel"].set_index(["cloud_cover", "delivery_speed"])["amount"]
    assert pix[(30, "EXPEDITED")] == pytest.approx(1000 * 1.2) and pix[(5, "EXPEDITED")] == pytest.approx(1000 * 1.35)
    sized = pixorder.sweep(FIELD, vary={"area_km2": [50, 200, 800]}, start=START, end=END, providers=clients[:1])
    assert sized["area_km2"].tolist() == pytest.approx([50, 200, 800], rel=0.01)
    assert sized["amount"].tolist() == [book.pixxel_quote(a, off_nadir=30)["final_amount"] for a in sized["area_km2"]]
    with pytest.raises(E.ValidationError, match="vary"):
        pixorder.sweep(FIELD, vary={"colour": [1, 2]})
    with pytest.raises(E.ValidationError, match="vary"):
        pixorder.sweep(FIELD, vary={"cloud_cover": [1], "off_nadir": [1], "delivery_speed": ["STANDARD"]})
    for c in clients:
        c.close()


def test_an_area_sweep_is_billed_the_areas_asked_for(sandbox):
    """Scaled to 1,000 km², an AOI must not come out at 1,000.0016 km² and be billed 1,001 (Pixxel
    bills whole km², rounded up): each point is billed its target, and priced as the book prices it."""
    client = pixorder.connect("sandbox", api="pixxel", base_url=sandbox.url, progress=False)
    field = {"type": "Polygon", "coordinates": [[[10, 50], [10.3, 50], [10.3, 50.2], [10, 50.2], [10, 50]]]}
    targets = [100, 200, 1000, 5000]
    frame = pixorder.sweep(field, vary={"area_km2": targets}, start=START, end=END, providers=[client])
    assert frame["billed_area_km2"].tolist() == targets
    assert frame["area_km2"].tolist() == pytest.approx(targets, rel=1e-6)
    assert (frame["area_km2"] <= frame["target_area_km2"]).all()
    assert frame["amount"].tolist() == [book.pixxel_quote(t, off_nadir=30)["final_amount"] for t in targets]
    client.close()


def test_a_twelve_month_budget_is_the_sum_of_the_monthly_quotes(sandbox):
    clients = _clients(sandbox, ("pixxel", "geopera"))
    fields = [FIELD, {"type": "Polygon", "coordinates": [[[11.0, 50.0], [11.3, 50.0], [11.3, 50.2], [11.0, 50.2],
                                                          [11.0, 50.0]]]}]
    frame = pixorder.budget(fields, "monthly", months=12, start=START, providers=clients,
                            rates={"USD": 1.0, "AUD": 0.66}, currency="USD")
    assert frame.groupby("provider").size().to_dict() == {"geopera": 12, "pixxel": 12}
    assert (frame["acquisitions"] == 2).all() and frame["error"].isna().all()
    dates = schedule("monthly", pd.Timestamp(START).to_pydatetime(), 12)
    for client in clients:
        monthly = []
        for date in dates:
            quotes = client.pricing.estimate([pixorder.TaskingRequest(aoi=f, start=date, end=date + timedelta(days=30))
                                              for f in fields])
            monthly.append(sum(q.amount for q in quotes))
        rows = frame[frame["provider"] == client.provider]
        assert rows["amount"].tolist() == pytest.approx(monthly)
        assert rows["cumulative_amount"].iloc[-1] == pytest.approx(sum(monthly))
        assert rows["month"].dt.month.tolist() == [d.month for d in dates]
    usd = frame[frame["provider"] == "geopera"]
    assert usd["cumulative_amount_usd"].iloc[-1] == pytest.approx(usd["cumulative_amount"].iloc[-1] * 0.66)
    quarterly = pixorder.budget(fields, "quarterly", months=12, start=START, providers=clients)
    assert quarterly.groupby("provider").size().to_dict() == {"geopera": 1, "pixxel": 4}
    assert "geopera cannot order the recurrence 'quarterly' (it offers monthly)" in \
        quarterly[quarterly["provider"] == "geopera"]["error"].iloc[0]
    weekly = pixorder.budget(fields, "FREQ=WEEKLY;INTERVAL=2", months=2, start=START, providers=clients)
    pixxel = weekly[weekly["provider"] == "pixxel"]
    assert len(pixxel) == 1 and "cannot order the recurrence" in pixxel["error"].iloc[0]
    figure = frame.plot()
    assert {t.name for t in figure.data} >= {"pixxel monthly", "pixxel cumulative"}
    with pytest.raises(E.ValidationError, match="recurrence"):
        pixorder.budget(fields, "fortnightly-ish")
    for c in clients:
        c.close()


@pytest.mark.parametrize("suffix", [".parquet", ".gpkg", ".csv"])
def test_exported_frames_read_back_equal_with_their_provenance(sandbox, tmp_path, suffix):
    frames = {
        "compare": pixorder.compare([FIELD], start=START, end=END, sensors="all", providers="pixxel,geopera",
                                    rates={"USD": 1, "AUD": 0.66}, currency="USD"),
        "sweep": pixorder.sweep(FIELD, vary={"cloud_cover": [5, 20]}, start=START, end=END, providers="geopera"),
        "budget": pixorder.budget(FIELD, "quarterly", months=6, start=START, providers="pixxel"),
    }
    for kind, frame in frames.items():
        path = tmp_path / f"{kind}{suffix}"
        frame.to_file(path)
        back = pixorder.read_prices(path)
        assert back.attrs["pixorder"] == frame.attrs["pixorder"]
        assert back.attrs["pixorder"]["kind"] == kind and back.attrs["pixorder"]["sources"]
        assert back.crs.to_epsg() == 4326 and type(back).__name__ == "PriceFrame"
        assert list(back.columns) == list(frame.columns)
        assert back.dtypes.astype(str).to_dict() == frame.dtypes.astype(str).to_dict()
        pd.testing.assert_frame_equal(pd.DataFrame(back.drop(columns="geometry")),
                                      pd.DataFrame(frame.drop(columns="geometry")), check_exact=False)
        assert back.geometry.geom_equals_exact(frame.geometry, tolerance=1e-9).all()
    with pytest.raises(E.ValidationError, match="path"):
        frames["sweep"].to_file(tmp_path / "prices.xlsx")
    with pytest.raises(E.ValidationError, match=r"GeoJSON .*geopandas.GeoDataFrame\(frame\).to_file"):
        frames["sweep"].to_file(tmp_path / "prices.geojson")  # the way to a plain GeoJSON is said
    if suffix == ".csv":  # a CSV moved without its sidecar: the message names the missing file
        (tmp_path / "compare.csv.pixorder.json").unlink()
        with pytest.raises(E.ValidationError, match=r"its sidecar compare.csv.pixorder.json .* is not beside it"):
            pixorder.read_prices(tmp_path / "compare.csv")


def test_schedule_counts():
    start = pd.Timestamp(START).to_pydatetime()
    assert len(schedule("monthly", start, 12)) == 12
    assert len(schedule("bimonthly", start, 12)) == 6
    assert math.isclose(len(schedule("FREQ=DAILY;INTERVAL=7", start, 1)), 5, abs_tol=1)


def test_compare_sweep_and_budget_refuse_rates_by_one_rule(sandbox):
    """Rates without a currency, and a rate that is not positive, are refused alike by all three (budget
    converted with a negative rate before)."""
    runs = {
        "compare": lambda **money: pixorder.compare([FIELD], start=START, end=END, providers="geopera", **money),
        "sweep": lambda **money: pixorder.sweep(FIELD, vary={"cloud_cover": [5]}, start=START, end=END,
                                                providers="geopera", **money),
        "budget": lambda **money: pixorder.budget(FIELD, "quarterly", months=3, start=START, providers="geopera",
                                                  **money),
    }
    for kind, run in runs.items():
        with pytest.raises(E.ValidationError, match="name the currency"):
            run(rates={"AUD": 0.66})
        with pytest.raises(E.ValidationError) as refused:
            run(rates={"AUD": -0.66}, currency="USD")
        assert refused.value.field == "rates.AUD", kind


def test_compare_sweep_and_budget_give_shared_columns_one_dtype(sandbox):
    """A budget's provider was a plain string, its sensor, unit and error inferred ("str", object), its
    months and compare's window microsecond datetimes: concatenating or comparing frames changed dtypes."""
    compared = pixorder.compare(FIELD, start=START, end=END, providers="pixxel,geopera")
    swept = pixorder.sweep(FIELD, vary={"cloud_cover": [5, 20]}, start=START, end=END, providers="pixxel,geopera")
    budgeted = pixorder.budget(FIELD, "monthly", months=2, start=START, providers="pixxel,geopera")
    for name in ("provider", "sensor", "unit", "error", "amount"):
        assert str(compared[name].dtype) == str(swept[name].dtype) == str(budgeted[name].dtype), name
    assert str(compared["provider"].dtype) == "category" and str(budgeted["sensor"].dtype) == "string"
    for column in (compared["window_start"], compared["window_end"], budgeted["month"]):
        assert str(column.dtype) == "datetime64[ns, UTC]"
    assert budgeted["provider"].astype(str).tolist() == ["geopera", "geopera", "pixxel", "pixxel"]


def test_an_rrule_budget_counts_the_months_asked_for(sandbox):
    """A daily rule over one month from 1 January gave 32 acquisitions: 1 February counted too."""
    frame = pixorder.budget(FIELD, "FREQ=DAILY", months=1, start="2027-01-01T00:00:00Z", providers="planet")
    assert frame["acquisitions"].tolist() == [31]
    assert frame["month"].dt.month.tolist() == [1]
    assert len(schedule("FREQ=DAILY", pd.Timestamp("2027-01-01", tz="UTC").to_pydatetime(), 3)) == 31 + 28 + 31


def test_reading_a_file_pixorder_did_not_write_is_a_typed_error(sandbox, tmp_path):
    pd.DataFrame({"a": [1]}).to_csv(tmp_path / "other.csv")
    with pytest.raises(E.ValidationError, match="no geometry column"):
        pixorder.read_prices(tmp_path / "other.csv")  # was KeyError: 'geometry'
    frame = pixorder.compare(FIELD, start=START, end=END, providers="planet")
    frame.to_file(tmp_path / "p.gpkg")
    with pytest.raises(E.ValidationError, match="layer: must be one of the file's layers: prices"):
        pixorder.read_prices(tmp_path / "p.gpkg", layer="nope")  # was pyogrio's DataLayerError


def test_a_chart_of_quotes_in_several_units_does_not_rank_them(sandbox):
    """The bars were sorted "cheapest first" across units: 25 SQKM before 700 AUD before 1,000 USD."""
    mixed = pixorder.compare(FIELD, start=START, end=END, providers="pixxel,planet,geopera").plot()
    assert "each in its provider's unit" in mixed.layout.title.text and "cheapest" not in mixed.layout.title.text
    assert [bar.name for bar in mixed.data] == ["geopera", "planet", "pixxel"]  # by unit: AUD, SQKM, USD
    ranked = pixorder.compare(FIELD, start=START, end=END, providers="pixxel,planet,geopera",
                              rates={"USD": 1, "AUD": 0.66, "SQKM": 4}, currency="USD").plot()
    assert ranked.layout.title.text == "Quotes, cheapest first"
    assert [bar.name for bar in ranked.data] == ["planet", "geopera", "pixxel"]  # 100, 462, 1,000 USD


def test_budget_and_compare_name_the_field_the_user_got_wrong():
    """A year as a number was read as seconds since 1970 (the message then blamed ``end``); a budget
    from a past start blamed ``end``; a budget's ``end=`` was dropped without a word."""
    with pytest.raises(E.ValidationError, match="start: looks like a year, not a moment: give a date such as '2027-01-01'"):
        pixorder.compare(FIELD, start=2027, end=2028, providers="planet")
    with pytest.raises(E.ValidationError) as info:
        pixorder.budget(FIELD, "monthly", months=2, start="2024-01-01", providers="planet")
    assert info.value.field == "start" and "must be in the future" in info.value.rule
    with pytest.raises(E.ValidationError, match="end: is not taken by budget"):
        pixorder.budget(FIELD, "monthly", months=2, start=START, end=END, providers="planet")


def test_a_budget_for_every_sensor(sandbox):
    """``budget(sensors="all")`` priced the provider's default sensor only, without a word."""
    frame = pixorder.budget(FIELD, "monthly", months=2, start=START, sensors="all", providers="geopera")
    offered = {s.id for s in pixorder.connect("sandbox", api="geopera").sensors()}
    assert set(frame["sensor"]) == offered and len(frame) == 2 * len(offered)
    assert frame.groupby("sensor")["acquisitions"].sum().eq(2).all()


def test_a_sweep_compares_a_one_off_with_its_recurrence(sandbox):
    """vary={"recurrence": ["ONCE", "MONTHLY"]} failed (ONCE refused occurrences=3, MONTHLY needs them),
    as did vary={"occurrences": [1, 3, 6]} (one occurrence on MONTHLY): neither could be asked."""
    window = {"start": START, "end": "2027-05-30T00:00:00Z"}
    by_recurrence = pixorder.sweep(FIELD, vary={"recurrence": ["ONCE", "MONTHLY"]}, occurrences=3,
                                   providers="pixxel,geopera", **window)
    amounts = by_recurrence.set_index([by_recurrence["provider"].astype(str), "recurrence"])["amount"]
    assert amounts[("pixxel", "MONTHLY")] == 3 * amounts[("pixxel", "ONCE")]
    assert amounts[("geopera", "MONTHLY")] == 3 * amounts[("geopera", "ONCE")]
    by_count = pixorder.sweep(FIELD, vary={"occurrences": [1, 3, 6]}, providers="pixxel", **window)
    assert by_count["amount"].tolist() == [by_count["amount"].iloc[0] * k for k in (1, 3, 6)]


def test_sweep_and_budget_take_needs_as_compare_does(sandbox):
    """``needs=`` was read as a request field there: "needs: Extra inputs are not permitted"."""
    need = {"max_gsd_m": 0.31}
    compared = pixorder.compare(FIELD, start=START, end=END, sensors="all", needs=need, providers="geopera")
    swept = pixorder.sweep(FIELD, vary={"cloud_cover": [5, 40]}, start=START, end=END, needs=need, providers="geopera")
    budgeted = pixorder.budget(FIELD, "monthly", months=1, start=START, needs=need, providers="geopera")
    assert set(swept["sensor"]) == set(budgeted["sensor"]) == set(compared["sensor"]) == {"pneo-30cm", "wv3-31cm"}


def test_provenance_keeps_numbers_as_numbers(sandbox, tmp_path):
    frame = pixorder.compare(FIELD, start=START, end="2027-05-30T00:00:00Z", recurrence="MONTHLY", occurrences=3,
                             cloud_cover=10, providers="pixxel")
    request = frame.attrs["pixorder"]["request"]
    assert request["occurrences"] == 3 and request["cloud_cover"] == 10 and request["recurrence"] == "MONTHLY"
    frame.to_file(tmp_path / "p.parquet")
    assert pixorder.read_prices(tmp_path / "p.parquet").attrs["pixorder"]["request"] == request


def test_a_fraction_for_a_cloud_cover_percentage_is_warned_of_and_arrays_are_values(sandbox):
    """``cloud_cover=0.2`` (meant 20 %) added a tight-cloud surcharge without a word; a numpy range as a
    sweep's values was refused as "not a list"."""
    import warnings

    import numpy as np

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        pixorder.TaskingRequest(aoi=FIELD, start=START, end=END, cloud_cover=0.2)
    assert any(w.category is E.PixorderWarning and "cloud_cover=0.2 is 0.2 %, not 20 %" in str(w.message)
               for w in seen)
    swept = pixorder.sweep(FIELD, vary={"cloud_cover": np.arange(10, 50, 10)}, start=START, end=END, providers="planet")
    assert swept["cloud_cover"].tolist() == [10, 20, 30, 40]
    generated = pixorder.sweep(FIELD, vary={"cloud_cover": (c for c in (10, 20))}, start=START, end=END,
                               providers="planet")  # read once: its check must not use it up
    assert generated["cloud_cover"].tolist() == [10, 20]


def test_a_recurrence_a_provider_does_not_order_is_its_rows_error_in_pixorders_words(sandbox):
    """Geopera orders ONCE or MONTHLY: a QUARTERLY request came back refused in the API's wire terms
    (``params.recurrence must be one of ONCE, DAILY, WEEKLY, MONTHLY``). Now it is refused before any
    call, by the rule the provider table states, naming pixorder's field; in a sweep over recurrences
    the other rows of the same bulk call are still priced."""
    window = {"start": START, "end": "2027-05-30T00:00:00Z"}
    swept = pixorder.sweep(FIELD, vary={"recurrence": ["ONCE", "QUARTERLY"]}, occurrences=2,
                           providers="pixxel,geopera", **window)
    rows = swept.set_index([swept["provider"].astype(str), "recurrence"])
    assert rows.loc[("geopera", "QUARTERLY"), "error"] == "recurrence: Geopera orders ONCE or MONTHLY (got 'QUARTERLY')"
    assert rows.loc[("geopera", "ONCE"), "amount"] > 0 and pd.isna(rows.loc[("geopera", "ONCE"), "error"])
    assert rows.loc[("pixxel", "QUARTERLY"), "amount"] == 2 * rows.loc[("pixxel", "ONCE"), "amount"]
    geopera = pixorder.connect("sandbox", api="geopera")
    with pytest.raises(E.ValidationError, match="recurrence: Geopera orders ONCE or MONTHLY") as info:
        geopera.pricing.estimate(pixorder.TaskingRequest(aoi=FIELD, recurrence="QUARTERLY", occurrences=2, **window))
    assert info.value.field == "recurrence" and geopera.transport.stats.requests == 0


def test_each_sweep_row_says_its_window(sandbox):
    """The sweep frame had no window columns: a window_days sweep could not show the windows it priced,
    nor a default-window sweep each provider's own start (its minimum lead time)."""
    swept = pixorder.sweep(FIELD, vary={"window_days": [10, 30]}, start=START, providers="pixxel,geopera")
    assert str(swept["window_start"].dtype) == str(swept["window_end"].dtype) == "datetime64[ns, UTC]"
    assert (swept["window_start"] == pd.Timestamp(START)).all()
    days = (swept["window_end"] - swept["window_start"]).dt.days
    assert days.tolist() == swept["window_days"].tolist() and set(days) == {10, 30}
    default = pixorder.sweep(FIELD, vary={"cloud_cover": [10]}, providers="pixxel,planet")
    # compare's default window: the first whole hour after each provider's 24 h lead time (+1 h), 30 days
    now = pd.Timestamp(pixorder.connect("sandbox", api="planet").sandbox.now())
    lead = default["window_start"] - now
    assert ((lead > pd.Timedelta(hours=25)) & (lead <= pd.Timedelta(hours=26))).all()
    assert (default["window_start"].dt.minute == 0).all()
    assert ((default["window_end"] - default["window_start"]).dt.days == 30).all()


def test_one_refused_request_does_not_cost_its_neighbours_their_prices(sandbox, monkeypatch):
    """Pixxel refuses a whole dry-run order for one bad item: one AOI whose parts lie 890 km apart took
    the prices of the 49 others of its bulk call with it. The rules pixorder knows are now checked
    per request before any call; and when the server names items pixorder did not foresee, those get
    the refusal and the others are priced again."""
    from shapely.geometry import MultiPolygon, box

    aois = [box(5 + i * 0.001, 52, 5.05 + i * 0.001, 52.05) for i in range(120)]
    aois[37] = MultiPolygon([box(5.4, 52.48, 5.46, 52.52), box(10, 45, 10.05, 45.05)])
    window = {"start": START, "end": END}
    checked = pixorder.compare(aois, providers="pixxel", **window)
    refused = checked[checked["error"].notna()]
    assert refused["aoi_index"].tolist() == [37]
    assert refused["error"].iloc[0] == ("aoi: parts are 890.7 km apart; Pixxel accepts the parts of one AOI at most "
                                        "200 km apart (AOI.check('pixxel'))")
    assert checked["amount"].notna().sum() == 119
    # the same AOI with pixorder's own checks off: the sandbox refuses the call, naming item 37
    from pixorder.providers.base import Adapter

    monkeypatch.setattr(Adapter, "validate", lambda self, request: None)
    pixxel = pixorder.connect("sandbox", api="pixxel")
    served = pixorder.compare(aois, providers=[pixxel], **window)
    refused = served[served["error"].notna()]
    assert refused["aoi_index"].tolist() == [37]
    assert refused["error"].iloc[0].startswith("pixxel HTTP 400: geometry: polygons must be at most 200 km")
    pd.testing.assert_series_equal(served["amount"], checked["amount"])  # the 119 others priced as before
    assert pixxel.transport.stats.by_route == {"GET /v0/projects": 1, "GET /v0/bandsets": 1, "POST /v0/orders": 4}


def test_a_window_longer_than_a_provider_tasks_is_its_rows_error_before_any_call(sandbox):
    swept = pixorder.sweep(FIELD, vary={"window_days": [30, 91, 181]}, start=START, providers="pixxel,geopera")
    errors = swept.set_index([swept["provider"].astype(str), "window_days"])["error"]
    assert errors[("pixxel", 91)] == "end: Pixxel tasks one-off windows of at most 90 days (this one is 91 days) " \
                                     "(got '2027-05-31T00:00:00Z')"
    assert errors[("geopera", 181)].startswith("end: Geopera tasks windows of at most 180 days (this one is 181 days)")
    assert errors.isna().sum() == 3  # pixxel 30; geopera 30 and 91
    monthly = pixorder.compare(FIELD, start=START, end="2027-09-30T00:00:00Z", recurrence="MONTHLY", occurrences=6,
                               providers="pixxel")
    assert monthly["error"].isna().all()  # the 90 days are a one-off's: a recurring order's window is longer


def test_a_sweep_keeps_the_values_in_the_order_given(sandbox):
    """Values were sorted as text: EXPEDITED before STANDARD, MONTHLY before ONCE, in the frame and its chart."""
    swept = pixorder.sweep(FIELD, vary={"delivery_speed": ["STANDARD", "EXPEDITED"], "cloud_cover": [40, 5]},
                           start=START, end=END, providers="pixxel,geopera")
    for _, rows in swept.groupby(swept["provider"].astype(str)):
        assert list(zip(rows["delivery_speed"], rows["cloud_cover"])) == [
            ("STANDARD", 40), ("STANDARD", 5), ("EXPEDITED", 40), ("EXPEDITED", 5)]
    assert swept["provider"].astype(str).tolist()[::4] == ["pixxel", "geopera"]
